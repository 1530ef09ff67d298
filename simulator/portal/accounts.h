// Accounts on the portal (ACC-1..ACC-9): registration with its field rules, activation from the
// e-mailed link, login with PISTE's single failure message, the platform CGU, the profile and its
// contact preferences, password change and the reset that e-mails a temporary password.
// Mutations take a Transaction (nothing is kept if they fail); queries take a const World.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clock/clock.h"
#include "portal/portal_error.h"
#include "portal/sessions.h"
#include "portal/transaction.h"
#include "world/world.h"

namespace pistesim {

// ACC-2, the rules as the registration form words them (000 §2.1; 002 §2).
inline constexpr std::string_view kRuleLength = "Au minimum 12 caractères";
inline constexpr std::string_view kRuleDigit = "Au moins un caractère numérique [0-9]";
inline constexpr std::string_view kRuleLower = "Au moins un caractère en minuscule";
inline constexpr std::string_view kRuleUpper = "Au moins un caractère en majuscule";
// 000 §2.1 lists the special characters as « [!@#~+;:-?]{_,§^_} » (002 §2 gives no list): each
// character it prints counts, the brackets and braces included (choice: the form shows them as
// they are); any other (« $ », « * », « % », « é ») does not.
inline constexpr std::string_view kSpecialCharacters = "[!@#~+;:-?]{_,^}";  // and « § »
inline constexpr std::string_view kRuleSpecial = "Au moins un caractère spécial [!@#~+;:-?]{_,§^_}";

// The rules `password` breaks, in the form's order (empty: it complies).
std::vector<std::string> password_policy_failures(std::string_view password);
// The policy and the confirmation, as one refusal naming the field at fault.
PortalResult<Done> check_new_password(std::string_view password, std::string_view confirmation,
                                      std::string_view password_field,
                                      std::string_view confirmation_field);

// An e-mail address the portal accepts as login identifier (RFC 5321 dot-atom, a dotted domain).
bool valid_email(std::string_view email);

// A temporary password in PISTE's shape, « 42dde210-48d » (000 §3.2.2): 8 hex, '-', 3 hex.
std::string temporary_password();

// How long a reset confirmation link stays valid (choice: the seeds do not say).
inline constexpr Millis kResetLinkLifetime = 24LL * 3600 * 1000;

// --- ACC-1, ACC-3, ACC-9: registration and activation ---------------------------------------

struct RegistrationInput {
  std::string name;
  std::string email;
  std::string password;
  std::string password_confirmation;
  std::string organisation_code;  // empty: the universal organisation
  bool opt_in_news = false;
  bool opt_in_surveys = false;
  bool cgu_accepted = false;
  std::string captcha;
};

// Creates the account inactive, with an activation link e-mailed (FR + EN). Returns the user.
PortalResult<User> register_user(Transaction& tx, const RegistrationInput& in);

struct Activation {
  std::string email;
  std::string sandbox_application;  // id of APP_SANDBOX_<email> (APP-1)
};
// Follows the e-mailed link: the account becomes active and gets its sandbox application.
PortalResult<Activation> activate_account(Transaction& tx, std::string_view token);

// --- ACC-4, ACC-5, ACC-8: login --------------------------------------------------------------

struct LoginInput {
  std::string email;
  std::string password;
};

struct LoginResult {
  std::string session;
  std::string email;
  bool platform_cgu_required = false;  // the current PISTE CGU awaits acceptance (ACC-5)
  bool must_change_password = false;   // a temporary password awaits change (ACC-8, ADM-2)
};

// Checks the credentials and opens a session. Unknown e-mail, wrong password or inactive
// account: one refusal, kLoginFailureMessage.
PortalResult<LoginResult> login(const World& world, SessionStore& sessions, Millis now,
                                const LoginInput& in);

// --- ACC-5: platform CGU ---------------------------------------------------------------------

// A new version of the PISTE CGU: every user is asked to accept it at their next operation.
// Returns the previous version.
PortalResult<std::string> publish_platform_cgu(Transaction& tx, std::string_view version);
PortalResult<Done> accept_platform_cgu(Transaction& tx, std::string_view email);
// « En refusant, l'accès au site vous sera refusé »: the user's sessions end.
PortalResult<Done> refuse_platform_cgu(Transaction& tx, std::string_view email);

// --- ACC-6: profile --------------------------------------------------------------------------

struct AccountOrganisation {
  std::string id;
  std::string name;
  Role role = Role::Developer;
};

struct AccountProfile {
  std::string email;
  std::string name;
  std::vector<AccountOrganisation> organisations;
  bool opt_in_news = false;
  bool opt_in_surveys = false;
  bool must_change_password = false;
};

// The profile is where a temporary password gets changed, so it can be read while one is
// pending (the platform CGU must have been accepted).
PortalResult<AccountProfile> view_profile(const World& world, std::string_view email);

// Absent fields stay as they are; unticking unsubscribes (000 §4).
struct ContactPreferences {
  std::optional<bool> opt_in_news;
  std::optional<bool> opt_in_surveys;
};
PortalResult<AccountProfile> update_contact_preferences(Transaction& tx, std::string_view email,
                                                        const ContactPreferences& prefs);

// --- ACC-7, ACC-8: passwords -----------------------------------------------------------------

struct PasswordChangeInput {
  std::string current_password;
  std::string new_password;
  std::string password_confirmation;
};

// « Vous devez vous reconnecter une fois le mot de passe modifié »: every session of the user
// ends. The one operation allowed while a temporary password is pending.
PortalResult<Done> change_password(Transaction& tx, std::string_view email,
                                   const PasswordChangeInput& in);

// E-mails a confirmation link to an active account. An unknown or inactive e-mail gets the same
// success and no e-mail (choice: the form must not tell who has an account).
PortalResult<Done> request_password_reset(Transaction& tx, std::string_view email);

// Follows the confirmation link: a temporary password replaces the old one and is e-mailed
// (« Changement de mot de passe réussi »); the user must change it at first login. Returns the
// account's e-mail.
PortalResult<std::string> confirm_password_reset(Transaction& tx, std::string_view token);

}  // namespace pistesim
