// Accounts on the portal (ACC-1..ACC-9, NOT-1): registration and its field rules, activation from
// the e-mailed link over HTTP, login and its single failure message, the platform CGU, profile,
// password change and reset. Each operation's happy path and every refusal, which must leave the
// world, the mailbox and the sessions as they were.
#include <regex>
#include <thread>

#include "control/control_api.h"
#include "mail/account_mails.h"
#include "portal/accounts.h"
#include "portal/actor.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kDemo = "demo@pistesim.test";
const std::string kDemoPassword = "Demo-Piste-2024!";
const std::string kNewEmail = "mon_application_demo@example.com";
const std::string kGoodPassword = "Mon-Application-2025!";

// "/__pistesim/portal/activate?token=…" from "http://127.0.0.1:8080/__pistesim/…".
std::string path_of(const std::string& url) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

RegistrationInput registration(const std::string& email = kNewEmail) {
  RegistrationInput in;
  in.name = "Mon_application_demo";
  in.email = email;
  in.password = kGoodPassword;
  in.password_confirmation = kGoodPassword;
  in.opt_in_news = true;
  in.cgu_accepted = true;
  in.captcha = "PISTE";
  return in;
}

class PortalAccounts : public ::testing::Test {
 protected:
  std::optional<User> user(const std::string& email) {
    auto snap = t.sim->snapshot();
    const User* u = snap->index.user(email);
    return u ? std::optional<User>(*u) : std::nullopt;
  }
  std::vector<Email> mails(const std::string& to = {}, const std::string& kind = {}) {
    return t.sim->mailbox().list(to, kind);
  }

  // Runs `op` expecting a refusal that changes nothing: same world, no e-mail.
  template <class F>
  PortalError refused(F&& op) {
    World before = t.sim->snapshot()->world;
    const size_t outbox = mails().size();
    auto r = t.sim->transact(std::forward<F>(op));
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(t.sim->snapshot()->world == before) << "a refused operation changed the world";
    EXPECT_EQ(mails().size(), outbox) << "a refused operation sent an e-mail";
    return r.ok() ? PortalError{} : r.error();
  }

  User registered(const std::string& email = kNewEmail) {
    auto r =
        t.sim->transact([&](Transaction& tx) { return register_user(tx, registration(email)); });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : User{};
  }

  // Follows a link of an e-mail the way a browser would: no admin token, path and query only.
  Response follow(const std::string& url, const std::string& accept = {}) {
    Request r = Request::make("GET", path_of(url));
    if (!accept.empty()) r.headers.add("Accept", accept);
    return serve_request(*t.sim, r);
  }

  Response login(const std::string& email, const std::string& password) {
    return t.control("POST", "/portal/login",
                     json{{"email", email}, {"password", password}}.dump());
  }
  std::string session(const std::string& email, const std::string& password) {
    Response r = login(email, password);
    EXPECT_EQ(r.status, 200) << r.body;
    return body_of(r).value("session", "");
  }
  // A control call in a session (X-Pistesim-Session, from POST /portal/login).
  Response in_session(const std::string& session, const std::string& method,
                      const std::string& target, const std::string& body = {}) {
    Request r = Request::make(method, target, body);
    r.headers.add("Authorization", "Bearer test-admin-token");
    r.headers.add("X-Pistesim-Session", session);
    if (!body.empty()) r.headers.add("Content-Type", "application/json");
    return serve_request(*t.sim, Endpoint::Control, r);
  }

  TestSimulator t;
};

// --- Field rules -----------------------------------------------------------------------------

struct PolicyCase {
  std::string password;
  std::vector<std::string_view> failed;
};

TEST(PortalPasswordPolicy, NamesEveryFailedRule) {
  const std::vector<PolicyCase> cases = {
      {"Mon-Application-2025!", {}},
      {"Aa1!", {kRuleLength}},
      {"Abcdefghijk!", {kRuleDigit}},
      {"ABCDEFGHIJ1!", {kRuleLower}},
      {"abcdefghij1!", {kRuleUpper}},
      {"Abcdefghijk1", {kRuleSpecial}},
      {"Abcdefghij1 ", {kRuleSpecial}},  // a space is not a special character
      {"abcdefghijkl", {kRuleDigit, kRuleUpper, kRuleSpecial}},
      {"", {kRuleLength, kRuleDigit, kRuleLower, kRuleUpper, kRuleSpecial}},
      {"Abcdefghij1§", {}},            // 12 characters, 13 bytes: length counts characters
      {"Abcdefghi1§", {kRuleLength}},  // 11 characters, 12 bytes
      {"42dde210-48d", {kRuleUpper}},  // PISTE's temporary passwords skip the policy
      // 000 §2.1's set « [!@#~+;:-?]{_,§^_} », and nothing else.
      {"Abcdefghij1$", {kRuleSpecial}},
      {"Abcdefghij1*", {kRuleSpecial}},
      {"Abcdefghij1%", {kRuleSpecial}},
      {"Abcdefghij1é", {kRuleSpecial}},
      {"Abcdefghij1.", {kRuleSpecial}},
      {"Abcdefghij1@", {}},
      {"Abcdefghij1~", {}},
      {"Abcdefghij1;", {}},
      {"Abcdefghij1?", {}},
      {"Abcdefghij1{", {}},
      {"Abcdefghij1_", {}},
      {"Abcdefghij1,", {}},
      {"Abcdefghij1^", {}},
  };
  for (const auto& c : cases) {
    std::vector<std::string> expected(c.failed.begin(), c.failed.end());
    EXPECT_EQ(password_policy_failures(c.password), expected) << c.password;
  }
}

TEST(PortalPasswordPolicy, RefusalCarriesTheRulesInDetailsAndTheField) {
  auto r = check_new_password("abc", "abc", "password", "password_confirmation");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "PASSWORD_POLICY");
  EXPECT_EQ(r.error().field, "password");
  EXPECT_EQ(r.error().kind, ErrorKind::InvalidInput);
  EXPECT_EQ(r.error().details,
            (std::vector<std::string>{std::string(kRuleLength), std::string(kRuleDigit),
                                      std::string(kRuleUpper), std::string(kRuleSpecial)}));
  auto m = check_new_password(kGoodPassword, kGoodPassword + "x", "password", "confirmation");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, "PASSWORD_MISMATCH");
  EXPECT_EQ(m.error().field, "confirmation");
}

TEST(PortalEmail, AcceptsAddressesAndRefusesMalformedOnes) {
  for (const char* ok : {"a@b.fr", "mon_application_demo@example.com", "Prenom.Nom+tag@sub.gouv.fr",
                         "admin-mtes@pistesim.test"})
    EXPECT_TRUE(valid_email(ok)) << ok;
  for (const char* bad : {"", "plain", "@example.com", "a@", "a@localhost", "a b@example.com",
                          "a@@example.com", ".a@example.com", "a.@example.com", "a..b@example.com",
                          "a@-example.com", "a@example..com", "a@exa_mple.com", "a@example.com."})
    EXPECT_FALSE(valid_email(bad)) << bad;
}

TEST(PortalTemporaryPassword, HasPisteShape) {
  const std::regex shape("^[0-9a-f]{8}-[0-9a-f]{3}$");  // « 42dde210-48d » (000 §3.2.2)
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string p = temporary_password();
    EXPECT_TRUE(std::regex_match(p, shape)) << p;
    seen.insert(p);
  }
  EXPECT_GT(seen.size(), 45u);
}

// --- ACC-1, ACC-3, ACC-9: registration -------------------------------------------------------

TEST_F(PortalAccounts, RegistrationCreatesAnInactiveAccountInUniverselle) {
  User u = registered();
  auto stored = user(kNewEmail);
  ASSERT_TRUE(stored);
  EXPECT_FALSE(stored->active);
  EXPECT_EQ(stored->name, "Mon_application_demo");
  EXPECT_GE(stored->activation_token.size(), 32u);
  EXPECT_NE(stored->password_hash.find("pbkdf2"), std::string::npos);
  EXPECT_EQ(stored->password_hash.find(kGoodPassword), std::string::npos);
  EXPECT_EQ(stored->platform_cgu_version, "1");
  EXPECT_EQ(stored->registered_at, kStart);
  EXPECT_TRUE(stored->opt_in_news);
  EXPECT_FALSE(stored->opt_in_surveys);
  ASSERT_EQ(stored->memberships.size(), 1u);
  EXPECT_EQ(stored->memberships[0].organisation, "universelle");
  EXPECT_EQ(stored->memberships[0].role, Role::Developer);
  // No application before activation (APP-1).
  for (const auto& app : t.sim->snapshot()->world.applications) EXPECT_NE(app.owner, kNewEmail);
}

// 002 §2: PISTE's current activation e-mail (ACC-3), with our English half.
TEST_F(PortalAccounts, RegistrationSendsTheBilingualActivationMail) {
  registered();
  auto sent = mails(kNewEmail);
  ASSERT_EQ(sent.size(), 1u);
  const Email& m = sent[0];
  EXPECT_EQ(m.kind, kMailActivation);
  EXPECT_EQ(m.subject, "Demande d'inscription PISTE / PISTE Registration Request");
  for (const char* quoted :
       {"Activez votre compte PISTE", "Nous vous remercions de votre inscription sur PISTE.",
        "Pour confirmer votre courriel et activer votre compte, veuillez cliquer sur le lien "
        "suivant :",
        "Si vous n'êtes pas à l'origine de cette demande, merci de l'ignorer.",
        "Ce courriel a été généré automatiquement par PISTE. Merci de ne pas y répondre.",
        "Vous rencontrez un problème avec PISTE ? Contactez notre Support.",
        "règlement général sur la protection des données (RGPD)", "Activate your PISTE account",
        "Thank you for registering on PISTE."})
    EXPECT_NE(m.body.find(quoted), std::string::npos) << quoted;
  // 001's older text is gone.
  EXPECT_EQ(m.body.find("Veillez noter"), std::string::npos);
  ASSERT_EQ(m.links.size(), 2u);
  EXPECT_EQ(m.links[0].label, "Activer votre compte");
  EXPECT_EQ(m.links[1].label, "Activate your Account");
  const std::string token = user(kNewEmail)->activation_token;
  EXPECT_EQ(m.links[0].url, "http://127.0.0.1:8080/__pistesim/portal/activate?token=" + token);
  EXPECT_NE(m.body.find(m.links[0].url), std::string::npos);
}

// `[world] activation_mail = "legacy"`: the text 001 step 4 quotes, both languages.
TEST_F(PortalAccounts, ALegacyWorldSendsTheOlderActivationMail) {
  t.sim->mutate([](World& w) { w.settings.activation_mail = "legacy"; });
  registered();
  auto sent = mails(kNewEmail);
  ASSERT_EQ(sent.size(), 1u);
  const Email& m = sent[0];
  for (const char* quoted :
       {"Nous vous remercions de votre inscription sur PISTE.",
        "Veillez noter que ce message vous a été envoyé d'une adresse qui ne peut recevoir de "
        "réponse.",
        "Thank you for your registration on PISTE.",
        "To confirm your email address and activate your account please click on the link below:",
        "If you are not requesting a new account on PISTE, please ignore this email."})
    EXPECT_NE(m.body.find(quoted), std::string::npos) << quoted;
  EXPECT_EQ(m.body.find("Activez votre compte PISTE"), std::string::npos);
  ASSERT_EQ(m.links.size(), 2u);
  EXPECT_EQ(m.links[0].url, m.links[1].url);
}

TEST_F(PortalAccounts, AnOrganisationCodeAttachesToThatOrganisation) {
  auto in = registration();
  in.organisation_code = " 984B19 ";  // 001: MTES; codes compare case-insensitively
  auto r = t.sim->transact([&](Transaction& tx) { return register_user(tx, in); });
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->memberships.size(), 1u);
  EXPECT_EQ(r->memberships[0].organisation, "mtes");
  EXPECT_EQ(r->memberships[0].role, Role::Developer);
}

TEST_F(PortalAccounts, CaptchaComparesCaseInsensitively) {
  auto in = registration();
  in.captcha = "piste";
  EXPECT_TRUE(t.sim->transact([&](Transaction& tx) { return register_user(tx, in); }).ok());
}

struct RegistrationRefusal {
  const char* what;
  std::function<void(RegistrationInput&)> change;
  ErrorKind kind;
  const char* code;
  const char* field;
};

TEST_F(PortalAccounts, RegistrationRefusesEveryFieldRuleAndChangesNothing) {
  const std::vector<RegistrationRefusal> cases = {
      {"no name", [](auto& in) { in.name = "  "; }, ErrorKind::InvalidInput, "MISSING_FIELD",
       "name"},
      {"no e-mail", [](auto& in) { in.email = ""; }, ErrorKind::InvalidInput, "MISSING_FIELD",
       "email"},
      {"bad e-mail", [](auto& in) { in.email = "pas-une-adresse"; }, ErrorKind::InvalidInput,
       "INVALID_EMAIL", "email"},
      {"weak password", [](auto& in) { in.password = in.password_confirmation = "motdepasse"; },
       ErrorKind::InvalidInput, "PASSWORD_POLICY", "password"},
      {"confirmation differs", [](auto& in) { in.password_confirmation = "Mon-Application-2026!"; },
       ErrorKind::InvalidInput, "PASSWORD_MISMATCH", "password_confirmation"},
      {"unknown code", [](auto& in) { in.organisation_code = "000000"; }, ErrorKind::InvalidInput,
       "UNKNOWN_ORGANISATION_CODE", "organisation_code"},
      {"CGU not accepted", [](auto& in) { in.cgu_accepted = false; }, ErrorKind::InvalidInput,
       "CGU_NOT_ACCEPTED", "cgu_accepted"},
      {"wrong captcha", [](auto& in) { in.captcha = "PISTF"; }, ErrorKind::InvalidInput,
       "INVALID_CAPTCHA", "captcha"},
      {"no captcha", [](auto& in) { in.captcha = ""; }, ErrorKind::InvalidInput, "INVALID_CAPTCHA",
       "captcha"},
      {"e-mail taken (any case)", [](auto& in) { in.email = "DEMO@PisteSim.test"; },
       ErrorKind::Conflict, "EMAIL_TAKEN", "email"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto in = registration();
    c.change(in);
    PortalError e = refused([&](Transaction& tx) { return register_user(tx, in); });
    EXPECT_EQ(e.kind, c.kind);
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(e.field, c.field);
    EXPECT_FALSE(e.message.empty());
  }
}

TEST_F(PortalAccounts, WeakPasswordOverHttpListsTheFailedRules) {
  Response r = t.control("POST", "/portal/register",
                         json{{"name", "X"},
                              {"email", "x@example.com"},
                              {"password", "abcdefghijkl"},
                              {"password_confirmation", "abcdefghijkl"},
                              {"cgu_accepted", true},
                              {"captcha", "PISTE"}}
                             .dump());
  EXPECT_EQ(r.status, 400);
  json j = body_of(r);
  EXPECT_EQ(j["code"], "PASSWORD_POLICY");
  EXPECT_EQ(j["field"], "password");
  EXPECT_EQ(j["details"], json({kRuleDigit, kRuleUpper, kRuleSpecial}));
  EXPECT_FALSE(user("x@example.com"));
}

TEST_F(PortalAccounts, RegistrationFieldOfTheWrongTypeNamesIt) {
  Response r =
      t.control("POST", "/portal/register",
                json{{"name", "X"}, {"email", "x@example.com"}, {"cgu_accepted", "yes"}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r)["code"], "INVALID_FIELD");
  EXPECT_EQ(body_of(r)["field"], "cgu_accepted");
  EXPECT_TRUE(mails().empty());
}

TEST_F(PortalAccounts, ConcurrentRegistrationsOfTheSameEmailOneWins) {
  constexpr int kThreads = 8;
  std::vector<PortalResult<User>> results(kThreads, PortalResult<User>(PortalError{}));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      // Same address, different case: still one account.
      std::string email = i % 2 ? "Course@Example.com" : "course@example.com";
      results[i] =
          t.sim->transact([&](Transaction& tx) { return register_user(tx, registration(email)); });
    });
  for (auto& th : threads) th.join();
  int won = 0;
  for (const auto& r : results) {
    if (r.ok())
      ++won;
    else
      EXPECT_EQ(r.error().code, "EMAIL_TAKEN");
  }
  EXPECT_EQ(won, 1);
  int accounts = 0;
  for (const auto& u : t.sim->snapshot()->world.users)
    if (iequals(u.email, "course@example.com")) ++accounts;
  EXPECT_EQ(accounts, 1);
  EXPECT_EQ(mails("course@example.com").size(), 1u);
}

// --- ACC-3: activation -----------------------------------------------------------------------

TEST_F(PortalAccounts, ActivationLinkFollowedOverHttpActivatesAndCreatesTheSandbox) {
  Response reg = t.control("POST", "/portal/register",
                           json{{"name", "Mon_application_demo"},
                                {"email", kNewEmail},
                                {"password", kGoodPassword},
                                {"password_confirmation", kGoodPassword},
                                {"organisation_code", "984b19"},
                                {"cgu_accepted", true},
                                {"captcha", "PISTE"}}
                               .dump());
  ASSERT_EQ(reg.status, 201) << reg.body;
  EXPECT_EQ(body_of(reg)["user"]["status"], "awaiting_activation");
  // ACC-3: no login before activation.
  EXPECT_EQ(login(kNewEmail, kGoodPassword).status, 401);

  auto sent = mails(kNewEmail, "activation");
  ASSERT_EQ(sent.size(), 1u);
  Response r = follow(sent[0].links[0].url);  // no admin token: the link is open
  ASSERT_EQ(r.status, 200) << r.body;
  json j = body_of(r);
  EXPECT_EQ(j["email"], kNewEmail);
  EXPECT_EQ(j["status"], "active");

  auto u = user(kNewEmail);
  EXPECT_TRUE(u->active);
  EXPECT_TRUE(u->activation_token.empty());
  // APP-1: APP_SANDBOX_<email> in the user's organisation.
  auto snap = t.sim->snapshot();
  const Application* app = snap->index.application(j["sandbox_application"].get<std::string>());
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->name, "APP_SANDBOX_" + kNewEmail);
  EXPECT_EQ(app->origin, ApplicationOrigin::AutoSandbox);
  EXPECT_EQ(app->organisation, "mtes");
  EXPECT_EQ(app->owner, kNewEmail);

  EXPECT_EQ(login(kNewEmail, kGoodPassword).status, 200);
  // A used link says so and changes nothing.
  World before = t.sim->snapshot()->world;
  Response again = follow(sent[0].links[1].url);
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(body_of(again)["code"], "INVALID_ACTIVATION_LINK");
  EXPECT_TRUE(t.sim->snapshot()->world == before);
}

TEST_F(PortalAccounts, ActivationAnswersABrowserWithAPage) {
  registered();
  Response r = follow(mails(kNewEmail)[0].links[0].url, "text/html,application/xhtml+xml");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type(), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("Votre compte est activé"), std::string::npos);
  EXPECT_NE(r.body.find("<a href=\"/#/connexion\">"), std::string::npos);  // the portal's login
  Response bad = follow("http://x/__pistesim/portal/activate?token=nope", "text/html");
  EXPECT_EQ(bad.status, 404);
  EXPECT_NE(bad.body.find("lien d&#39;activation"), std::string::npos);
}

TEST_F(PortalAccounts, UnknownOrMissingActivationTokenIsRefused) {
  registered();
  for (const char* token : {"", "unknown-token"}) {
    PortalError e = refused([&](Transaction& tx) { return activate_account(tx, token); });
    EXPECT_EQ(e.code, "INVALID_ACTIVATION_LINK");
    EXPECT_EQ(e.kind, ErrorKind::NotFound);
  }
  Response r = follow("/__pistesim/portal/activate");
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(user(kNewEmail)->active);
}

// --- ACC-4: login ----------------------------------------------------------------------------

TEST_F(PortalAccounts, LoginOpensASessionTheControlApiAccepts) {
  Response r = login("DEMO@pistesim.test", kDemoPassword);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = body_of(r);
  EXPECT_EQ(j["email"], kDemo);
  EXPECT_FALSE(j["platform_cgu_required"].get<bool>());
  EXPECT_FALSE(j["must_change_password"].get<bool>());
  const std::string s = j["session"];
  EXPECT_GE(s.size(), 32u);
  Response profile = in_session(s, "GET", "/portal/profile");
  ASSERT_EQ(profile.status, 200) << profile.body;
  EXPECT_EQ(body_of(profile)["email"], kDemo);
}

TEST_F(PortalAccounts, EveryLoginFailureGivesTheSameMessage) {
  registered();  // awaiting activation
  const std::vector<std::pair<std::string, std::string>> cases = {
      {kDemo, "Demo-Piste-2024?"},                         // wrong password
      {"personne@example.com", kDemoPassword},             // unknown e-mail
      {"inactive@pistesim.test", "Inactive-Piste-2024!"},  // inactive account
      {kNewEmail, kGoodPassword},                          // not activated yet
      {"", ""},
  };
  for (const auto& [email, password] : cases) {
    SCOPED_TRACE(email);
    Response r = login(email, password);
    EXPECT_EQ(r.status, 401);
    json j = body_of(r);
    EXPECT_EQ(j["code"], "LOGIN_FAILED");
    EXPECT_EQ(j["message"], std::string(kLoginFailureMessage));
    EXPECT_FALSE(j.contains("field"));
  }
}

TEST_F(PortalAccounts, LogoutEndsTheSession) {
  const std::string s = session(kDemo, kDemoPassword);
  Response out = in_session(s, "POST", "/portal/logout");
  EXPECT_EQ(out.status, 200);
  EXPECT_TRUE(body_of(out)["logged_out"].get<bool>());
  Response after = in_session(s, "GET", "/portal/profile");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(body_of(after)["code"], "SESSION_EXPIRED");
}

// --- ACC-5: platform CGU ---------------------------------------------------------------------

TEST_F(PortalAccounts, ANewPlatformCguVersionBlocksOperationsUntilAccepted) {
  Response pub = t.control("PUT", "/platform-cgu", R"({"version": "2"})");
  ASSERT_EQ(pub.status, 200) << pub.body;
  EXPECT_EQ(body_of(pub)["previous"], "1");
  EXPECT_EQ(body_of(t.control("GET", "/platform-cgu"))["version"], "2");

  Response l = login(kDemo, kDemoPassword);  // login itself succeeds
  ASSERT_EQ(l.status, 200);
  EXPECT_TRUE(body_of(l)["platform_cgu_required"].get<bool>());
  const std::string s = body_of(l)["session"];

  EXPECT_FALSE(body_of(in_session(s, "GET", "/portal/cgu"))["accepted"].get<bool>());
  Response blocked = in_session(s, "GET", "/portal/profile");
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(body_of(blocked)["code"], "PLATFORM_CGU_REQUIRED");
  EXPECT_EQ(in_session(s, "PATCH", "/portal/profile", R"({"opt_in_news": false})").status, 403);
  EXPECT_TRUE(user(kDemo)->opt_in_news);

  Response accept = in_session(s, "POST", "/portal/cgu/accept");
  ASSERT_EQ(accept.status, 200) << accept.body;
  EXPECT_EQ(body_of(accept)["version"], "2");
  EXPECT_EQ(user(kDemo)->platform_cgu_version, "2");
  EXPECT_TRUE(body_of(in_session(s, "GET", "/portal/cgu"))["accepted"].get<bool>());
  EXPECT_EQ(in_session(s, "GET", "/portal/profile").status, 200);
  EXPECT_FALSE(body_of(login(kDemo, kDemoPassword))["platform_cgu_required"].get<bool>());
}

TEST_F(PortalAccounts, RefusingThePlatformCguDeniesAccess) {
  ASSERT_EQ(t.control("PUT", "/platform-cgu", R"({"version": "2"})").status, 200);
  const std::string s = session(kDemo, kDemoPassword);
  Response r = in_session(s, "POST", "/portal/cgu/refuse");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(body_of(r)["access_denied"].get<bool>());
  EXPECT_EQ(in_session(s, "GET", "/portal/profile").status, 401);  // session closed
  EXPECT_EQ(user(kDemo)->platform_cgu_version, "1");
}

TEST_F(PortalAccounts, PlatformCguRefusalsChangeNothing) {
  // Already accepted: nothing to refuse.
  PortalError e = refused([&](Transaction& tx) { return refuse_platform_cgu(tx, kDemo); });
  EXPECT_EQ(e.code, "PLATFORM_CGU_ALREADY_ACCEPTED");
  for (const char* who : {"inactive@pistesim.test", "personne@example.com"}) {
    EXPECT_EQ(refused([&](Transaction& tx) { return accept_platform_cgu(tx, who); }).code,
              "NOT_LOGGED_IN");
    EXPECT_EQ(refused([&](Transaction& tx) { return refuse_platform_cgu(tx, who); }).code,
              "NOT_LOGGED_IN");
  }
  EXPECT_EQ(refused([&](Transaction& tx) { return publish_platform_cgu(tx, " "); }).code,
            "MISSING_FIELD");
  EXPECT_EQ(t.control_outcome("PUT", "/platform-cgu", R"({"version": 2})"), "400 INVALID_FIELD");
  EXPECT_EQ(t.control_outcome("PUT", "/platform-cgu", "{}"), "400 MISSING_FIELD");
  EXPECT_EQ(t.sim->snapshot()->world.settings.platform_cgu_version, "1");
}

// --- ACC-6: profile --------------------------------------------------------------------------

TEST_F(PortalAccounts, ProfileShowsOrganisationsWithRoleLabels) {
  Response r = t.control_as(kDemo, "GET", "/portal/profile");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = body_of(r);
  EXPECT_EQ(j["email"], kDemo);
  EXPECT_EQ(j["name"], "Démo PISTE");
  ASSERT_EQ(j["organisations"].size(), 2u);
  EXPECT_EQ(j["organisations"][0]["label"], "Universelle (Développeur d'applications)");
  EXPECT_EQ(j["organisations"][1]["label"], "MTES (Développeur d'applications)");
  json admin = body_of(t.control_as("admin-mtes@pistesim.test", "GET", "/portal/profile"));
  EXPECT_EQ(admin["organisations"][0]["role_label"], "Administrateur d'organisation");
  EXPECT_EQ(admin["organisations"][0]["role"], "orgadmin");
}

TEST_F(PortalAccounts, ContactPreferencesUntickToUnsubscribe) {
  Response r = t.control_as(kDemo, "PATCH", "/portal/profile", R"({"opt_in_surveys": true})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(body_of(r)["opt_in_surveys"].get<bool>());
  EXPECT_TRUE(body_of(r)["opt_in_news"].get<bool>());  // absent: unchanged
  r = t.control_as(kDemo, "PATCH", "/portal/profile", R"({"opt_in_news": false})");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(user(kDemo)->opt_in_news);
  EXPECT_TRUE(user(kDemo)->opt_in_surveys);
}

TEST_F(PortalAccounts, ProfileRefusalsChangeNothing) {
  World before = t.sim->snapshot()->world;
  Response r = t.control_as(kDemo, "PATCH", "/portal/profile", R"({"opt_in_news": "non"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r)["field"], "opt_in_news");
  EXPECT_EQ(t.control_as("inactive@pistesim.test", "GET", "/portal/profile").status, 401);
  EXPECT_EQ(
      t.control_as("inactive@pistesim.test", "PATCH", "/portal/profile", R"({"opt_in_news": true})")
          .status,
      401);
  EXPECT_EQ(t.control("GET", "/portal/profile").status, 401);  // nobody acting
  EXPECT_TRUE(t.sim->snapshot()->world == before);
}

// --- ACC-7: password change ------------------------------------------------------------------

TEST_F(PortalAccounts, PasswordChangeEndsEverySessionAndTheOldPassword) {
  const std::string s1 = session(kDemo, kDemoPassword);
  const std::string s2 = session(kDemo, kDemoPassword);
  const std::string other = session("admin-mtes@pistesim.test", "Admin-Mtes-2024!");
  Response r = in_session(s1, "POST", "/portal/password",
                          json{{"current_password", kDemoPassword},
                               {"new_password", kGoodPassword},
                               {"password_confirmation", kGoodPassword}}
                              .dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["message"], "Vous devez vous reconnecter une fois le mot de passe modifié.");
  EXPECT_EQ(in_session(s1, "GET", "/portal/profile").status, 401);
  EXPECT_EQ(in_session(s2, "GET", "/portal/profile").status, 401);
  EXPECT_EQ(in_session(other, "GET", "/portal/profile").status, 200);  // others keep theirs
  EXPECT_EQ(login(kDemo, kDemoPassword).status, 401);
  EXPECT_EQ(login(kDemo, kGoodPassword).status, 200);
}

TEST_F(PortalAccounts, PasswordChangeRefusalsChangeNothing) {
  const std::string s = session(kDemo, kDemoPassword);
  struct Case {
    PasswordChangeInput in;
    const char* code;
    const char* field;
  };
  const std::vector<Case> cases = {
      {{"", kGoodPassword, kGoodPassword}, "MISSING_FIELD", "current_password"},
      {{"Demo-Piste-2024?", kGoodPassword, kGoodPassword}, "WRONG_PASSWORD", "current_password"},
      {{kDemoPassword, "court", "court"}, "PASSWORD_POLICY", "new_password"},
      {{kDemoPassword, kGoodPassword, kGoodPassword + "!"},
       "PASSWORD_MISMATCH",
       "password_confirmation"},
      {{kDemoPassword, kDemoPassword, kDemoPassword}, "PASSWORD_UNCHANGED", "new_password"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.code);
    PortalError e = refused([&](Transaction& tx) { return change_password(tx, kDemo, c.in); });
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(e.field, c.field);
  }
  EXPECT_EQ(in_session(s, "GET", "/portal/profile").status, 200);  // session still open
  EXPECT_EQ(refused([&](Transaction& tx) {
              return change_password(tx, "inactive@pistesim.test",
                                     {"Inactive-Piste-2024!", kGoodPassword, kGoodPassword});
            }).code,
            "NOT_LOGGED_IN");
  EXPECT_EQ(login(kDemo, kDemoPassword).status, 200);
}

// --- ACC-8: password reset -------------------------------------------------------------------

TEST_F(PortalAccounts, PasswordResetEndToEnd) {
  Response req = t.control("POST", "/portal/password-reset", json{{"email", kDemo}}.dump());
  ASSERT_EQ(req.status, 200) << req.body;
  auto confirm = mails(kDemo, "password_reset_request");
  ASSERT_EQ(confirm.size(), 1u);
  ASSERT_EQ(confirm[0].links.size(), 1u);
  EXPECT_NE(confirm[0].links[0].url.find("/__pistesim/portal/password-reset/confirm?token="),
            std::string::npos);
  // Until confirmed, nothing changes.
  EXPECT_EQ(login(kDemo, kDemoPassword).status, 200);
  const std::string before_reset = session(kDemo, kDemoPassword);

  Response followed = follow(confirm[0].links[0].url);  // open link, no admin token
  ASSERT_EQ(followed.status, 200) << followed.body;
  EXPECT_EQ(in_session(before_reset, "GET", "/portal/profile").status, 401);

  auto done = mails(kDemo, "password_reset");
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].subject, "Changement de mot de passe réussi");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      done[0].body, m, std::regex("Votre nouveau mot de passe est : ([0-9a-f]{8}-[0-9a-f]{3})")))
      << done[0].body;
  const std::string temporary = m[1];
  EXPECT_NE(done[0].body.find("Le mot de passe de votre compte sur PISTE a été réinitialisé."),
            std::string::npos);
  EXPECT_NE(done[0].body.find("veuillez le changer depuis votre Profil"), std::string::npos);
  // « Cliquez ici pour vous connecter »: the portal's login screen, not an API operation.
  ASSERT_EQ(done[0].links.size(), 1u);
  EXPECT_EQ(done[0].links[0].url, "http://127.0.0.1:8080/#/connexion");

  // The old password stops working; the temporary one forces a change.
  EXPECT_EQ(login(kDemo, kDemoPassword).status, 401);
  Response l = login(kDemo, temporary);
  ASSERT_EQ(l.status, 200);
  EXPECT_TRUE(body_of(l)["must_change_password"].get<bool>());
  const std::string s = body_of(l)["session"];
  EXPECT_EQ(in_session(s, "GET", "/portal/profile").status, 200);  // where the change happens
  Response blocked = in_session(s, "PATCH", "/portal/profile", R"({"opt_in_news": false})");
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(body_of(blocked)["code"], "PASSWORD_CHANGE_REQUIRED");
  EXPECT_EQ(acting_user(t.sim->snapshot()->world, kDemo).error().code, "PASSWORD_CHANGE_REQUIRED");

  Response changed = in_session(s, "POST", "/portal/password",
                                json{{"current_password", temporary},
                                     {"new_password", kGoodPassword},
                                     {"password_confirmation", kGoodPassword}}
                                    .dump());
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_FALSE(user(kDemo)->must_change_password);
  Response fresh = login(kDemo, kGoodPassword);
  ASSERT_EQ(fresh.status, 200);
  EXPECT_FALSE(body_of(fresh)["must_change_password"].get<bool>());
  EXPECT_EQ(
      in_session(body_of(fresh)["session"], "PATCH", "/portal/profile", R"({"opt_in_news": false})")
          .status,
      200);
  // The confirmation link was spent.
  Response reused = follow(confirm[0].links[0].url);
  EXPECT_EQ(reused.status, 404);
  EXPECT_EQ(body_of(reused)["code"], "INVALID_RESET_LINK");
}

TEST_F(PortalAccounts, ResetForAnUnknownOrInactiveAccountAnswersAlikeAndSendsNothing) {
  json known = body_of(t.control("POST", "/portal/password-reset", json{{"email", kDemo}}.dump()));
  t.sim->mailbox().clear();
  World before = t.sim->snapshot()->world;
  for (const char* who : {"personne@example.com", "inactive@pistesim.test"}) {
    Response r = t.control("POST", "/portal/password-reset", json{{"email", who}}.dump());
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(body_of(r), known);
  }
  EXPECT_TRUE(mails().empty());
  EXPECT_TRUE(t.sim->snapshot()->world == before);
  EXPECT_EQ(t.control_outcome("POST", "/portal/password-reset", "{}"), "400 MISSING_FIELD");
}

TEST_F(PortalAccounts, ResetLinkExpiresAfterADay) {
  ASSERT_TRUE(
      t.sim->transact([&](Transaction& tx) { return request_password_reset(tx, kDemo); }).ok());
  const std::string token = user(kDemo)->reset_token;
  t.clock->advance(kResetLinkLifetime + 1);
  PortalError e = refused([&](Transaction& tx) { return confirm_password_reset(tx, token); });
  EXPECT_EQ(e.code, "EXPIRED_RESET_LINK");
  EXPECT_EQ(login(kDemo, kDemoPassword).status, 200);
}

TEST_F(PortalAccounts, ASecondResetRequestReplacesTheFirstLink) {
  auto request = [&] {
    return t.sim->transact([&](Transaction& tx) { return request_password_reset(tx, kDemo); });
  };
  ASSERT_TRUE(request().ok());
  const std::string first = user(kDemo)->reset_token;
  ASSERT_TRUE(request().ok());
  EXPECT_EQ(refused([&](Transaction& tx) { return confirm_password_reset(tx, first); }).code,
            "INVALID_RESET_LINK");
  EXPECT_EQ(refused([&](Transaction& tx) { return confirm_password_reset(tx, ""); }).code,
            "INVALID_RESET_LINK");
  const std::string latest = user(kDemo)->reset_token;
  auto second =
      t.sim->transact([&](Transaction& tx) { return confirm_password_reset(tx, latest); });
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, kDemo);
  EXPECT_TRUE(user(kDemo)->must_change_password);
}

// --- Operator's view -------------------------------------------------------------------------

TEST_F(PortalAccounts, OperatorSeesEveryUser) {
  json all = body_of(t.control("GET", "/users"));
  EXPECT_EQ(all["count"], t.sim->snapshot()->world.users.size());
  json one = body_of(t.control("GET", "/users/INACTIVE@pistesim.test"));
  EXPECT_EQ(one["email"], "inactive@pistesim.test");
  EXPECT_EQ(one["status"], "deactivated");
  EXPECT_FALSE(one.contains("password_hash"));
  EXPECT_EQ(t.control_outcome("GET", "/users/personne@example.com"), "404 UNKNOWN_USER");
}

}  // namespace
}  // namespace pistesim::test
