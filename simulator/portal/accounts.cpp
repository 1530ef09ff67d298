#include "portal/accounts.h"

#include "base/text.h"
#include "crypto/password.h"
#include "crypto/secrets.h"
#include "mail/account_mails.h"
#include "portal/actor.h"
#include "portal/application_factory.h"

namespace pistesim {

namespace {

PortalError missing(std::string_view field, std::string_view label) {
  return portal_error(ErrorKind::InvalidInput, "MISSING_FIELD",
                      "Le champ « " + std::string(label) + " » est obligatoire.",
                      std::string(field));
}

PortalError not_logged_in() {
  return portal_error(ErrorKind::Unauthenticated, "NOT_LOGGED_IN",
                      std::string(kLoginFailureMessage));
}

// Secret tokens of e-mailed links are compared in constant time.
template <class Member>
User* user_by_token(World& world, std::string_view token, Member member) {
  if (token.empty()) return nullptr;
  User* found = nullptr;
  for (auto& u : world.users)
    if (!(u.*member).empty() && constant_time_equals(u.*member, token)) found = &u;
  return found;
}

const User* find_user(const World& world, std::string_view email) {
  for (const auto& u : world.users)
    if (iequals(u.email, email)) return &u;
  return nullptr;
}

// The account may act except for a pending temporary password: acting_user's checks, where
// only PASSWORD_CHANGE_REQUIRED is let through (the profile and the password change are how the
// user gets rid of it).
template <class W>
PortalResult<Done> may_act_with_temporary_password(W& world_or_tx, std::string_view email) {
  auto r = acting_user(world_or_tx, email);
  if (!r.ok() && r.error().code != "PASSWORD_CHANGE_REQUIRED") return r.error();
  return Done{};
}

bool ascii_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool atext(unsigned char c) {
  return ascii_alnum(c) || std::string_view("!#$%&'*+/=?^_`{|}~-").find(static_cast<char>(c)) !=
                               std::string_view::npos;
}

}  // namespace

std::vector<std::string> password_policy_failures(std::string_view password) {
  size_t characters = 0;
  bool digit = false, lower = false, upper = false, special = false;
  for (size_t i = 0; i < password.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(password[i]);
    // Length counts characters, not UTF-8 bytes: continuation bytes are skipped.
    if ((c & 0xC0) == 0x80) continue;
    ++characters;
    if (c >= '0' && c <= '9')
      digit = true;
    else if (c >= 'a' && c <= 'z')
      lower = true;
    else if (c >= 'A' && c <= 'Z')
      upper = true;
    else if (kSpecialCharacters.find(static_cast<char>(c)) != std::string_view::npos ||
             password.substr(i, 2) == "§")
      special = true;
  }
  std::vector<std::string> failed;
  if (characters < 12) failed.emplace_back(kRuleLength);
  if (!digit) failed.emplace_back(kRuleDigit);
  if (!lower) failed.emplace_back(kRuleLower);
  if (!upper) failed.emplace_back(kRuleUpper);
  if (!special) failed.emplace_back(kRuleSpecial);
  return failed;
}

PortalResult<Done> check_new_password(std::string_view password, std::string_view confirmation,
                                      std::string_view password_field,
                                      std::string_view confirmation_field) {
  auto failed = password_policy_failures(password);
  if (!failed.empty()) {
    std::string message = "Force du mot de passe : Insuffisante. Règles non respectées : ";
    for (size_t i = 0; i < failed.size(); ++i) message += (i ? ", " : "") + failed[i];
    return portal_error(ErrorKind::InvalidInput, "PASSWORD_POLICY", message + ".",
                        std::string(password_field), std::move(failed));
  }
  // Both are secrets: compared in constant time.
  if (!constant_time_equals(password, confirmation))
    return portal_error(ErrorKind::InvalidInput, "PASSWORD_MISMATCH",
                        "La confirmation ne correspond pas au mot de passe.",
                        std::string(confirmation_field));
  return Done{};
}

bool valid_email(std::string_view email) {
  if (email.size() > 254) return false;
  size_t at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  std::string_view local = email.substr(0, at), domain = email.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return false;
  for (unsigned char c : local)
    if (c != '.' && !atext(c)) return false;
  // Domain: at least two labels of letters, digits and inner hyphens.
  if (domain.empty() || domain.find('.') == std::string_view::npos) return false;
  size_t start = 0;
  while (start <= domain.size()) {
    size_t dot = domain.find('.', start);
    if (dot == std::string_view::npos) dot = domain.size();
    std::string_view label = domain.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (unsigned char c : label)
      if (!ascii_alnum(c) && c != '-') return false;
    start = dot + 1;
  }
  return true;
}

std::string temporary_password() {
  return random_hex(4) + "-" + random_hex(2).substr(0, 3);
}

// --- Registration and activation -------------------------------------------------------------

PortalResult<User> register_user(Transaction& tx, const RegistrationInput& in) {
  const std::string name = clean_field(in.name);
  const std::string email = clean_field(in.email);
  if (name.empty()) return missing("name", "Nom");
  if (email.empty()) return missing("email", "Email");
  if (!valid_email(email))
    return portal_error(ErrorKind::InvalidInput, "INVALID_EMAIL",
                        "L'adresse e-mail « " + email + " » n'est pas valide.", "email");
  if (auto r = check_new_password(in.password, in.password_confirmation, "password",
                                  "password_confirmation");
      !r.ok())
    return r.error();

  // ACC-9: a code attaches to its organisation; none, to the universal one.
  std::string organisation;
  const std::string code = clean_field(in.organisation_code);
  if (!code.empty()) {
    const Organisation* org = tx.organisation_by_code(code);
    if (!org)
      return portal_error(ErrorKind::InvalidInput, "UNKNOWN_ORGANISATION_CODE",
                          "Le code de l'organisation « " + code + " » est inconnu.",
                          "organisation_code");
    organisation = org->id;
  } else {
    for (const auto& o : tx.world.organisations)
      if (o.universal && organisation.empty()) organisation = o.id;
  }

  if (!in.cgu_accepted)
    return portal_error(ErrorKind::InvalidInput, "CGU_NOT_ACCEPTED",
                        "Vous devez accepter les termes des CGU.", "cgu_accepted");
  // An empty setting turns the captcha off (choice).
  const std::string& expected = tx.world.settings.captcha;
  if (!expected.empty() && !iequals(clean_field(in.captcha), expected))
    return portal_error(ErrorKind::InvalidInput, "INVALID_CAPTCHA",
                        "Les caractères saisis ne correspondent pas au captcha.", "captcha");
  // Last, so that a caller cannot learn who has an account without a valid form and captcha.
  if (tx.user(email))
    return portal_error(ErrorKind::Conflict, "EMAIL_TAKEN",
                        "Un compte PISTE existe déjà avec l'adresse e-mail « " + email + " ».",
                        "email");

  User u;
  u.email = email;
  u.name = name;
  u.password_hash = hash_password(in.password);
  u.active = false;
  u.activation_token = random_alphanumeric(40);
  // Accepting the CGU on the form is accepting the PISTE CGU in force.
  u.platform_cgu_version = tx.world.settings.platform_cgu_version;
  u.registered_at = tx.now;
  if (!organisation.empty()) u.memberships.push_back({organisation, Role::Developer});
  u.opt_in_news = in.opt_in_news;
  u.opt_in_surveys = in.opt_in_surveys;
  tx.send(activation_mail(u, tx.link("/portal/activate?token=" + u.activation_token),
                          tx.world.settings.activation_mail));
  tx.world.users.push_back(u);
  return u;
}

PortalResult<Activation> activate_account(Transaction& tx, std::string_view token) {
  User* user = user_by_token(tx.world, token, &User::activation_token);
  if (!user)
    return portal_error(ErrorKind::NotFound, "INVALID_ACTIVATION_LINK",
                        "Ce lien d'activation n'est pas valide ou a déjà été utilisé.", "token");
  user->active = true;
  user->activation_token.clear();
  const User activated = *user;  // add_sandbox_application may not be handed a user it outlives
  Activation a{activated.email, {}};
  if (!application_name_taken(tx.world, "APP_SANDBOX_" + activated.email))
    a.sandbox_application = add_sandbox_application(tx, activated).id;
  return a;
}

// --- Login -----------------------------------------------------------------------------------

PortalResult<LoginResult> login(const World& world, SessionStore& sessions, Millis now,
                                const LoginInput& in) {
  const User* user = find_user(world, clean_field(in.email));
  // An unknown e-mail costs one hash like a known one: timing tells nothing either.
  static const std::string kDecoy = hash_password("pistesim decoy password");
  const bool password_ok = verify_password(user ? user->password_hash : kDecoy, in.password);
  if (!user || !password_ok || !user->active)
    return portal_error(ErrorKind::Unauthenticated, "LOGIN_FAILED",
                        std::string(kLoginFailureMessage));
  LoginResult r;
  r.email = user->email;
  r.platform_cgu_required = user->platform_cgu_version != world.settings.platform_cgu_version;
  r.must_change_password = user->must_change_password;
  r.session = sessions.open(user->email, now);
  return r;
}

// --- Platform CGU ----------------------------------------------------------------------------

PortalResult<std::string> publish_platform_cgu(Transaction& tx, std::string_view version) {
  const std::string v = clean_field(version);
  if (v.empty()) return missing("version", "version");
  std::string previous = tx.world.settings.platform_cgu_version;
  tx.world.settings.platform_cgu_version = v;
  return previous;
}

PortalResult<Done> accept_platform_cgu(Transaction& tx, std::string_view email) {
  User* user = tx.user(email);
  if (!user || !user->active) return not_logged_in();
  user->platform_cgu_version = tx.world.settings.platform_cgu_version;
  return Done{};
}

PortalResult<Done> refuse_platform_cgu(Transaction& tx, std::string_view email) {
  User* user = tx.user(email);
  if (!user || !user->active) return not_logged_in();
  // The pop-in shows only while the version in force awaits acceptance (000 §3.1).
  if (user->platform_cgu_version == tx.world.settings.platform_cgu_version)
    return portal_error(ErrorKind::Conflict, "PLATFORM_CGU_ALREADY_ACCEPTED",
                        "Vous avez déjà accepté les CGU de PISTE (version " +
                            tx.world.settings.platform_cgu_version + ").");
  tx.close_sessions_of(user->email);
  return Done{};
}

// --- Profile -------------------------------------------------------------------------------------

namespace {

AccountProfile profile_of(const World& world, const User& u) {
  AccountProfile p{u.email, u.name, {}, u.opt_in_news, u.opt_in_surveys, u.must_change_password};
  for (const auto& m : u.memberships) {
    AccountOrganisation o{m.organisation, m.organisation, m.role};
    for (const auto& org : world.organisations)
      if (org.id == m.organisation) o.name = org.name;
    p.organisations.push_back(std::move(o));
  }
  return p;
}

}  // namespace

PortalResult<AccountProfile> view_profile(const World& world, std::string_view email) {
  if (auto r = may_act_with_temporary_password(world, email); !r.ok()) return r.error();
  return profile_of(world, *find_user(world, email));
}

PortalResult<AccountProfile> update_contact_preferences(Transaction& tx, std::string_view email,
                                                        const ContactPreferences& prefs) {
  auto user = acting_user(tx, email);
  if (!user.ok()) return user.error();
  if (prefs.opt_in_news) (*user)->opt_in_news = *prefs.opt_in_news;
  if (prefs.opt_in_surveys) (*user)->opt_in_surveys = *prefs.opt_in_surveys;
  return profile_of(tx.world, **user);
}

// --- Passwords -------------------------------------------------------------------------------

PortalResult<Done> change_password(Transaction& tx, std::string_view email,
                                   const PasswordChangeInput& in) {
  if (auto r = may_act_with_temporary_password(tx, email); !r.ok()) return r.error();
  User* user = tx.user(email);
  if (in.current_password.empty()) return missing("current_password", "Mot de passe actuel");
  if (!verify_password(user->password_hash, in.current_password))
    return portal_error(ErrorKind::InvalidInput, "WRONG_PASSWORD",
                        "Le mot de passe actuel est incorrect.", "current_password");
  if (auto r = check_new_password(in.new_password, in.password_confirmation, "new_password",
                                  "password_confirmation");
      !r.ok())
    return r.error();
  // Choice: changing a (temporary) password for itself changes nothing, so it is refused.
  if (in.new_password == in.current_password)
    return portal_error(ErrorKind::InvalidInput, "PASSWORD_UNCHANGED",
                        "Le nouveau mot de passe doit être différent du mot de passe actuel.",
                        "new_password");
  user->password_hash = hash_password(in.new_password);
  user->must_change_password = false;
  user->reset_token.clear();
  user->reset_expires_at = 0;
  tx.close_sessions_of(user->email);
  return Done{};
}

PortalResult<Done> request_password_reset(Transaction& tx, std::string_view email) {
  const std::string address = clean_field(email);
  if (address.empty()) return missing("email", "Identifiant (email de connexion)");
  User* user = tx.user(address);
  if (!user || !user->active) return Done{};
  // A new request replaces the link of an earlier one (choice).
  user->reset_token = random_alphanumeric(40);
  user->reset_expires_at = tx.now + kResetLinkLifetime;
  tx.send(password_reset_request_mail(
      *user, tx.link("/portal/password-reset/confirm?token=" + user->reset_token)));
  return Done{};
}

PortalResult<std::string> confirm_password_reset(Transaction& tx, std::string_view token) {
  User* user = user_by_token(tx.world, token, &User::reset_token);
  if (!user || !user->active)
    return portal_error(ErrorKind::NotFound, "INVALID_RESET_LINK",
                        "Ce lien de réinitialisation n'est pas valide ou a déjà été utilisé.",
                        "token");
  if (tx.now > user->reset_expires_at)
    return portal_error(ErrorKind::NotFound, "EXPIRED_RESET_LINK",
                        "Ce lien de réinitialisation a expiré : veuillez renouveler votre "
                        "demande depuis « Mot de passe oublié? ».",
                        "token");
  const std::string password = temporary_password();
  user->password_hash = hash_password(password);
  user->must_change_password = true;
  user->reset_token.clear();
  user->reset_expires_at = 0;
  // Whoever was logged in with the old password is logged out (choice).
  tx.close_sessions_of(user->email);
  tx.send(password_reset_mail(*user, password, tx.portal_page("/connexion")));
  return user->email;
}

}  // namespace pistesim
