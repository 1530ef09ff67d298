// « Gestion des utilisateurs » (ADM-2, 000 §11.2): an OrgAdmin lists, creates, activates,
// deactivates and deletes the users of their organisations; nobody else may, and nothing outside
// their organisations is reachable. Refusals change nothing.
#include <regex>

#include "control/control_api.h"
#include "mail/account_mails.h"
#include "portal/accounts.h"
#include "portal/actor.h"
#include "portal/user_management.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "admin-mtes@pistesim.test";
const std::string kAdminPassword = "Admin-Mtes-2024!";
const std::string kDemo = "demo@pistesim.test";
const std::string kDemoPassword = "Demo-Piste-2024!";
const std::string kInactive = "inactive@pistesim.test";  // Universelle only: outside MTES
const std::string kNew = "nouvel.agent@mtes.example.fr";
const std::string kGoodPassword = "Agent-Mtes-2025!";

// The password an « account created » e-mail carries ("" if none).
std::string temporary_password_in(const Email& m) {
  std::smatch found;
  static const std::regex shape("Votre mot de passe temporaire est : ([0-9a-f]{8}-[0-9a-f]{3})");
  return std::regex_search(m.body, found, shape) ? found[1].str() : std::string();
}

NewUserInput new_user(const std::string& email = kNew) {
  NewUserInput in;
  in.email = email;
  in.name = "Nouvel Agent";
  in.organisation = "mtes";
  return in;
}

class PortalUserManagement : public ::testing::Test {
 protected:
  std::optional<User> user(const std::string& email) {
    auto snap = t.sim->snapshot();
    const User* u = snap->index.user(email);
    return u ? std::optional<User>(*u) : std::nullopt;
  }
  std::vector<const Application*> applications_of(const std::string& email) {
    snap_ = t.sim->snapshot();
    std::vector<const Application*> out;
    for (const auto& a : snap_->world.applications)
      if (iequals(a.owner, email)) out.push_back(&a);
    return out;
  }

  template <class F>
  PortalError refused(F&& op) {
    World before = t.sim->snapshot()->world;
    const size_t outbox = t.sim->mailbox().list().size();
    auto r = t.sim->transact(std::forward<F>(op));
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(t.sim->snapshot()->world == before) << "a refused operation changed the world";
    EXPECT_EQ(t.sim->mailbox().list().size(), outbox) << "a refused operation sent an e-mail";
    return r.ok() ? PortalError{} : r.error();
  }

  Response login(const std::string& email, const std::string& password) {
    return t.control("POST", "/portal/login",
                     json{{"email", email}, {"password", password}}.dump());
  }
  Response in_session(const std::string& session, const std::string& method,
                      const std::string& target, const std::string& body = {}) {
    Request r = Request::make(method, target, body);
    r.headers.add("Authorization", "Bearer test-admin-token");
    r.headers.add("X-Pistesim-Session", session);
    return serve_request(*t.sim, Endpoint::Control, r);
  }

  TestSimulator t;
  std::shared_ptr<const WorldSnapshot> snap_;
};

// --- List ------------------------------------------------------------------------------------

TEST_F(PortalUserManagement, ListShowsTheUsersOfTheAdministeredOrganisations) {
  Response r = t.control_as(kAdmin, "GET", "/portal/admin/users");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = body_of(r);
  std::set<std::string> emails;
  for (const auto& row : j["users"]) emails.insert(row["email"]);
  EXPECT_TRUE(emails.count(kAdmin));
  EXPECT_TRUE(emails.count(kDemo));
  EXPECT_FALSE(emails.count(kInactive));
  EXPECT_EQ(j["count"], j["users"].size());
  for (const auto& row : j["users"]) {
    if (row["email"] != kDemo) continue;
    // The columns of 000 §11.2; only the memberships of the admin's organisations.
    EXPECT_EQ(row["name"], "Démo PISTE");
    EXPECT_EQ(row["identifier"], kDemo);
    EXPECT_EQ(row["status"], "Approved");
    EXPECT_EQ(row["organisation_roles"], json({"MTES (Développeur d'applications)"}));
    EXPECT_TRUE(row.contains("registered_at"));
  }
}

TEST_F(PortalUserManagement, OnlyOrgAdminsManageUsers) {
  auto check = [](const PortalError& e) {
    EXPECT_EQ(e.kind, ErrorKind::Forbidden);
    EXPECT_EQ(e.code, "NOT_ORGADMIN");
  };
  check(list_managed_users(t.sim->snapshot()->world, kDemo).error());
  check(refused([&](Transaction& tx) { return create_managed_user(tx, kDemo, new_user()); }));
  check(
      refused([&](Transaction& tx) { return set_managed_user_active(tx, kDemo, kAdmin, false); }));
  check(refused([&](Transaction& tx) { return delete_managed_user(tx, kDemo, kAdmin); }));
  EXPECT_EQ(t.control_as(kDemo, "GET", "/portal/admin/users").status, 403);
  EXPECT_EQ(t.control_as(kInactive, "GET", "/portal/admin/users").status, 401);
  EXPECT_EQ(t.control("GET", "/portal/admin/users").status, 401);
}

// --- Create ----------------------------------------------------------------------------------

TEST_F(PortalUserManagement, CreateWithAGeneratedPasswordMailsIt) {
  Response r = t.control_as(
      kAdmin, "POST", "/portal/admin/users",
      json{{"email", kNew}, {"name", "Nouvel Agent"}, {"organisation", "mtes"}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body_of(r)["status"], "active");
  auto u = user(kNew);
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->active);
  EXPECT_TRUE(u->must_change_password);
  EXPECT_EQ(u->registered_at, kStart);
  ASSERT_EQ(u->memberships.size(), 1u);
  EXPECT_EQ(u->memberships[0].organisation, "mtes");
  EXPECT_EQ(u->memberships[0].role, Role::Developer);
  // Choice: the account gets its sandbox application at once.
  auto apps = applications_of(kNew);
  ASSERT_EQ(apps.size(), 1u);
  EXPECT_EQ(apps[0]->name, "APP_SANDBOX_" + kNew);
  EXPECT_EQ(apps[0]->organisation, "mtes");

  auto sent = t.sim->mailbox().list(kNew, kMailAccountCreated);
  ASSERT_EQ(sent.size(), 1u);
  const std::string temporary = temporary_password_in(sent[0]);
  ASSERT_FALSE(temporary.empty()) << sent[0].body;
  EXPECT_NE(sent[0].body.find("MTES"), std::string::npos);

  // First login: the PISTE CGU, then the temporary password, before anything else.
  Response l = login(kNew, temporary);
  ASSERT_EQ(l.status, 200) << l.body;
  EXPECT_TRUE(body_of(l)["platform_cgu_required"].get<bool>());
  EXPECT_TRUE(body_of(l)["must_change_password"].get<bool>());
  const std::string s = body_of(l)["session"];
  EXPECT_EQ(body_of(in_session(s, "POST", "/portal/password",
                               json{{"current_password", temporary},
                                    {"new_password", kGoodPassword},
                                    {"password_confirmation", kGoodPassword}}
                                   .dump()))["code"],
            "PLATFORM_CGU_REQUIRED");
  ASSERT_EQ(in_session(s, "POST", "/portal/cgu/accept").status, 200);
  EXPECT_EQ(body_of(in_session(s, "PATCH", "/portal/profile", R"({"opt_in_news": true})"))["code"],
            "PASSWORD_CHANGE_REQUIRED");
  ASSERT_EQ(in_session(s, "POST", "/portal/password",
                       json{{"current_password", temporary},
                            {"new_password", kGoodPassword},
                            {"password_confirmation", kGoodPassword}}
                           .dump())
                .status,
            200);
  EXPECT_TRUE(acting_user(t.sim->snapshot()->world, kNew).ok());
}

TEST_F(PortalUserManagement, CreateWithAManualPasswordSendsNothing) {
  NewUserInput in = new_user();
  in.password_mode = PasswordMode::Manual;
  in.password = kGoodPassword;
  in.role = Role::OrgAdmin;
  in.organisation = "";  // the admin administers one organisation: it is the default
  auto r = t.sim->transact([&](Transaction& tx) { return create_managed_user(tx, kAdmin, in); });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->memberships[0].organisation, "mtes");
  EXPECT_EQ(r->memberships[0].role, Role::OrgAdmin);
  EXPECT_TRUE(t.sim->mailbox().list(kNew).empty());
  Response l = login(kNew, kGoodPassword);
  ASSERT_EQ(l.status, 200);
  EXPECT_TRUE(body_of(l)["must_change_password"].get<bool>());
}

TEST_F(PortalUserManagement, CreateRefusesEveryRuleAndChangesNothing) {
  struct Case {
    const char* what;
    std::function<void(NewUserInput&)> change;
    ErrorKind kind;
    const char* code;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"no e-mail", [](auto& in) { in.email = ""; }, ErrorKind::InvalidInput, "MISSING_FIELD",
       "email"},
      {"bad e-mail", [](auto& in) { in.email = "agent@"; }, ErrorKind::InvalidInput,
       "INVALID_EMAIL", "email"},
      {"no name", [](auto& in) { in.name = ""; }, ErrorKind::InvalidInput, "MISSING_FIELD", "name"},
      {"unknown organisation", [](auto& in) { in.organisation = "nulle-part"; },
       ErrorKind::NotFound, "UNKNOWN_ORGANISATION", "organisation"},
      {"organisation not administered", [](auto& in) { in.organisation = "Universelle"; },
       ErrorKind::Forbidden, "ORGANISATION_NOT_ADMINISTERED", "organisation"},
      {"weak manual password",
       [](auto& in) {
         in.password_mode = PasswordMode::Manual;
         in.password = "faible";
       },
       ErrorKind::InvalidInput, "PASSWORD_POLICY", "password"},
      {"existing account", [](auto& in) { in.email = "Demo@PisteSim.test"; }, ErrorKind::Conflict,
       "EMAIL_TAKEN", "email"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    NewUserInput in = new_user();
    c.change(in);
    PortalError e = refused([&](Transaction& tx) { return create_managed_user(tx, kAdmin, in); });
    EXPECT_EQ(e.kind, c.kind);
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(e.field, c.field);
  }
  // The manual password's every failed rule is named.
  NewUserInput weak = new_user();
  weak.password_mode = PasswordMode::Manual;
  weak.password = "faible";
  EXPECT_EQ(refused([&](Transaction& tx) { return create_managed_user(tx, kAdmin, weak); }).details,
            password_policy_failures("faible"));
  // Over HTTP: fields of the wrong type or value.
  EXPECT_EQ(
      body_of(t.control_as(kAdmin, "POST", "/portal/admin/users",
                           json{{"email", kNew}, {"name", "X"}, {"role", "chef"}}.dump()))["field"],
      "role");
  EXPECT_EQ(body_of(t.control_as(
                kAdmin, "POST", "/portal/admin/users",
                json{{"email", kNew}, {"name", "X"}, {"password_mode", "sms"}}.dump()))["field"],
            "password_mode");
  EXPECT_EQ(t.control_as(kAdmin, "POST", "/portal/admin/users", json{{"email", 3}}.dump()).status,
            400);
  EXPECT_FALSE(user(kNew));
}

// --- Activate, deactivate --------------------------------------------------------------------

TEST_F(PortalUserManagement, DeactivationEndsSessionsAndLoginUntilReactivated) {
  Response l = login(kDemo, kDemoPassword);
  const std::string s = body_of(l)["session"];
  const size_t apps = applications_of(kDemo).size();
  Response r =
      t.control_as(kAdmin, "PATCH", "/portal/admin/users/" + kDemo, R"({"active": false})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["status"], "deactivated");
  EXPECT_EQ(in_session(s, "GET", "/portal/profile").status, 401);
  Response refused_login = login(kDemo, kDemoPassword);
  EXPECT_EQ(refused_login.status, 401);
  EXPECT_EQ(body_of(refused_login)["message"], std::string(kLoginFailureMessage));
  EXPECT_EQ(applications_of(kDemo).size(), apps);  // choice: applications stay

  r = t.control_as(kAdmin, "PATCH", "/portal/admin/users/" + kDemo, R"({"active": true})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(login(kDemo, kDemoPassword).status, 200);
  EXPECT_EQ(applications_of(kDemo).size(), apps);  // no second sandbox
}

TEST_F(PortalUserManagement, ActivatingAPendingRegistrationCompletesIt) {
  RegistrationInput in;
  in.name = "En attente";
  in.email = kNew;
  in.password = in.password_confirmation = kGoodPassword;
  in.organisation_code = "984b19";
  in.cgu_accepted = true;
  in.captcha = "PISTE";
  ASSERT_TRUE(t.sim->transact([&](Transaction& tx) { return register_user(tx, in); }).ok());
  const std::string link_token = user(kNew)->activation_token;
  const json list = body_of(t.control_as(kAdmin, "GET", "/portal/admin/users"));
  json row;
  for (const auto& u : list["users"])
    if (u["email"] == kNew) row = u;
  EXPECT_EQ(row["status"], "Pending");

  auto r = t.sim->transact(
      [&](Transaction& tx) { return set_managed_user_active(tx, kAdmin, kNew, true); });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(user(kNew)->active);
  EXPECT_EQ(applications_of(kNew).size(), 1u);
  EXPECT_EQ(login(kNew, kGoodPassword).status, 200);
  // The e-mailed link is spent.
  EXPECT_EQ(refused([&](Transaction& tx) { return activate_account(tx, link_token); }).code,
            "INVALID_ACTIVATION_LINK");
}

TEST_F(PortalUserManagement, ActivationRefusalsChangeNothing) {
  EXPECT_EQ(refused([&](Transaction& tx) {
              return set_managed_user_active(tx, kAdmin, kAdmin, false);
            }).code,
            "CANNOT_DEACTIVATE_SELF");
  for (const std::string& outside : {kInactive, std::string("personne@example.com")}) {
    PortalError e = refused(
        [&](Transaction& tx) { return set_managed_user_active(tx, kAdmin, outside, true); });
    EXPECT_EQ(e.kind, ErrorKind::NotFound);
    EXPECT_EQ(e.code, "UNKNOWN_USER");
  }
  EXPECT_EQ(
      t.control_as(kAdmin, "PATCH", "/portal/admin/users/" + kDemo, R"({"active": "non"})").status,
      400);
  EXPECT_EQ(t.control_as(kAdmin, "PATCH", "/portal/admin/users/" + kInactive, R"({"active": true})")
                .status,
            404);
  EXPECT_FALSE(user(kInactive)->active);
}

// --- Delete ----------------------------------------------------------------------------------

TEST_F(PortalUserManagement, DeleteRemovesTheUserTheirApplicationsAndTheirTokens) {
  ASSERT_TRUE(
      t.sim->transact([&](Transaction& tx) { return create_managed_user(tx, kAdmin, new_user()); })
          .ok());
  auto apps = applications_of(kNew);
  ASSERT_EQ(apps.size(), 1u);
  const std::string app_id = apps[0]->id;
  const OAuthClient client = apps[0]->oauth_clients.at(0);
  const std::string token = t.token(Channel::Sandbox, client.client_id, client.client_secret);
  ASSERT_FALSE(token.empty());
  // An access request of that application goes with it.
  t.sim->mutate([&](World& w) {
    AccessRequest req;
    req.id = "req-of-deleted-user";
    req.api = w.apis.front().id;
    req.application = app_id;
    req.requester = kNew;
    w.access_requests.push_back(req);
  });
  const std::string s =
      body_of(login(kNew, temporary_password_in(t.sim->mailbox().list(kNew).at(0))))
          .value("session", "");
  ASSERT_FALSE(s.empty());

  Response r = t.control_as(kAdmin, "DELETE", "/portal/admin/users/" + kNew);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["applications"], json({app_id}));
  EXPECT_FALSE(user(kNew));
  EXPECT_TRUE(applications_of(kNew).empty());
  for (const auto& req : t.sim->snapshot()->world.access_requests)
    EXPECT_NE(req.application, app_id);
  EXPECT_EQ(t.sim->tokens(Channel::Sandbox).lookup(token, t.clock->now_ms()).first,
            TokenState::Revoked);
  EXPECT_EQ(in_session(s, "GET", "/portal/profile").status, 401);
  EXPECT_EQ(t.control_outcome("GET", "/users/" + kNew), "404 UNKNOWN_USER");
}

TEST_F(PortalUserManagement, DeleteRefusalsChangeNothing) {
  EXPECT_EQ(refused([&](Transaction& tx) { return delete_managed_user(tx, kAdmin, kAdmin); }).code,
            "CANNOT_DELETE_SELF");
  EXPECT_EQ(refused([&](Transaction& tx) { return delete_managed_user(tx, kAdmin, kDemo); }).code,
            "DEMO_USER");
  EXPECT_EQ(
      refused([&](Transaction& tx) { return delete_managed_user(tx, kAdmin, kInactive); }).code,
      "UNKNOWN_USER");
  EXPECT_EQ(t.control_as(kAdmin, "DELETE", "/portal/admin/users/" + kInactive).status, 404);
  EXPECT_TRUE(user(kInactive));
}

}  // namespace
}  // namespace pistesim::test
