// ADM-1: enrolment and decommissioning of users by an OrgAdmin (000 §11.1; 002 §4–§5), the
// per-user and per-channel report, the « enrolment done » e-mail (NOT-1) and the effects on the
// wire (the enrolled user's application calls an API; once decommissioned it cannot).
#include <string>
#include <vector>

#include "portal/enrolment.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kDihalAdmin = "api.externe.sisiao@dihal.gouv.fr";  // OrgAdmin of SERVICE-DIHAL
const std::string kDemo = "demo@pistesim.test";
const std::string kMtesAdmin = "admin-mtes@pistesim.test";
const std::string kSbxName = "APP_DIHAL_SBX_demo@pistesim.test";
const std::string kProdName = "APP_DIHAL_PROD_demo@pistesim.test";
const std::string kMenage = "/dihal/sisiao-menage/v1/menages?idMenage=MEN-75-000123";

PortalResult<EnrolmentReport> enrol(TestSimulator& t, const std::string& actor,
                                    const std::string& org, std::vector<std::string> emails) {
  EnrolmentInput in{actor, org, std::move(emails)};
  return t.sim->transact([&](Transaction& tx) { return enrol_users(tx, in); });
}

PortalResult<EnrolmentReport> decommission(TestSimulator& t, const std::string& actor,
                                           const std::string& org,
                                           std::vector<std::string> emails) {
  EnrolmentInput in{actor, org, std::move(emails)};
  return t.sim->transact([&](Transaction& tx) { return decommission_users(tx, in); });
}

const Application* app_named(TestSimulator& t, const std::string& name) {
  for (const auto& a : t.sim->snapshot()->world.applications)
    if (a.name == name) return &a;
  return nullptr;
}

const User* user(TestSimulator& t, const std::string& email) {
  return t.sim->snapshot()->index.user(email);
}

std::vector<std::string> messages(const EnrolmentLine& line) {
  std::vector<std::string> out;
  for (const auto& c : line.channels)
    out.push_back(std::string(to_string(c.channel)) + ": " + c.message);
  return out;
}

// --- Refusals of the whole operation: nothing changes, no e-mail ----------------------------

struct Refusal {
  const char* name;
  std::string actor;
  std::string organisation;
  std::vector<std::string> emails;
  ErrorKind kind;
  std::string code;
};

class EnrolmentRefusal : public testing::TestWithParam<Refusal> {};

TEST_P(EnrolmentRefusal, ChangesNothing) {
  for (bool enrolling : {true, false}) {
    TestSimulator t;
    const World before = t.sim->snapshot()->world;
    const Refusal& c = GetParam();
    auto r = enrolling ? enrol(t, c.actor, c.organisation, c.emails)
                       : decommission(t, c.actor, c.organisation, c.emails);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, c.kind);
    EXPECT_EQ(r.error().code, c.code);
    EXPECT_FALSE(r.error().message.empty());
    EXPECT_TRUE(t.sim->snapshot()->world == before);
    EXPECT_TRUE(t.sim->mailbox().list().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Portal, EnrolmentRefusal,
    testing::Values(
        Refusal{"UnknownActor",
                "nobody@x.fr",
                "service-dihal",
                {kDemo},
                ErrorKind::Unauthenticated,
                "NOT_LOGGED_IN"},
        Refusal{"InactiveActor",
                "inactive@pistesim.test",
                "service-dihal",
                {kDemo},
                ErrorKind::Unauthenticated,
                "NOT_LOGGED_IN"},
        Refusal{
            "NoOrganisation", kDihalAdmin, " ", {kDemo}, ErrorKind::InvalidInput, "MISSING_FIELD"},
        Refusal{"UnknownOrganisation",
                kDihalAdmin,
                "service-x",
                {kDemo},
                ErrorKind::NotFound,
                "UNKNOWN_ORGANISATION"},
        Refusal{"DeveloperOfTheOrganisation",
                kDemo,
                "mtes",
                {kMtesAdmin},
                ErrorKind::Forbidden,
                "NOT_ORGADMIN"},
        Refusal{"OrgAdminOfAnotherOrganisation",
                kMtesAdmin,
                "service-dihal",
                {kDemo},
                ErrorKind::Forbidden,
                "NOT_ORGADMIN"},
        Refusal{
            "NoEmail", kDihalAdmin, "service-dihal", {}, ErrorKind::InvalidInput, "MISSING_FIELD"},
        Refusal{"OnlyBlankEmails",
                kDihalAdmin,
                "service-dihal",
                {" ", ""},
                ErrorKind::InvalidInput,
                "MISSING_FIELD"},
        Refusal{"TooManyEmails", kDihalAdmin, "service-dihal", std::vector<std::string>(101, kDemo),
                ErrorKind::InvalidInput, "TOO_MANY_EMAILS"}),
    [](const testing::TestParamInfo<Refusal>& i) { return i.param.name; });

TEST(PortalEnrolment, ActorWhoMustChangePasswordIsRefused) {
  TestSimulator t;
  t.sim->mutate([](World& w) {
    for (auto& u : w.users)
      if (u.email == kDihalAdmin) u.must_change_password = true;
  });
  auto r = enrol(t, kDihalAdmin, "service-dihal", {kDemo});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "PASSWORD_CHANGE_REQUIRED");
}

// --- Enrolment ------------------------------------------------------------------------------

TEST(PortalEnrolment, GivesTheUserMembershipAndTwoApplications) {
  TestSimulator t;
  auto r = enrol(t, kDihalAdmin, "service-dihal", {kDemo});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->organisation, "service-dihal");
  EXPECT_EQ(r->organisation_name, "SERVICE-DIHAL");
  ASSERT_EQ(r->users.size(), 1u);
  const EnrolmentLine& line = r->users[0];
  EXPECT_TRUE(line.ok);
  EXPECT_EQ(line.email, kDemo);
  EXPECT_EQ(messages(line),
            (std::vector<std::string>{"PRODUCTION: L'utilisateur a été ajouté avec succès.",
                                      "SANDBOX: L'utilisateur a été ajouté avec succès."}));
  EXPECT_EQ(r->succeeded(), 1u);
  EXPECT_EQ(r->failed(), 0u);

  const User* demo = user(t, kDemo);
  ASSERT_NE(demo->membership("service-dihal"), nullptr);
  EXPECT_EQ(demo->membership("service-dihal")->role, Role::Developer);

  const Application* sbx = app_named(t, kSbxName);
  const Application* prod = app_named(t, kProdName);
  ASSERT_NE(sbx, nullptr);
  ASSERT_NE(prod, nullptr);
  EXPECT_EQ(line.channels[0].application, prod->id);
  EXPECT_EQ(line.channels[1].application, sbx->id);
  EXPECT_EQ(sbx->channel, Channel::Sandbox);
  EXPECT_EQ(prod->channel, Channel::Production);
  for (const Application* a : {sbx, prod}) {
    EXPECT_EQ(a->organisation, "service-dihal");
    EXPECT_EQ(a->owner, kDemo);
    EXPECT_EQ(a->email, kDemo);
    EXPECT_EQ(a->structure_info, "Autre");
    EXPECT_EQ(a->responsible, "Démo PISTE");
    EXPECT_EQ(a->origin, ApplicationOrigin::Enrolment);
    EXPECT_EQ(a->created_at, kStart);
    EXPECT_TRUE(a->active);
    EXPECT_EQ(a->oauth_clients.size(), 1u);
    EXPECT_EQ(a->api_keys.size(), 1u);
    EXPECT_TRUE(a->subscriptions.empty());
  }
  EXPECT_EQ(sbx->description, "SandBox Application SERVICE-DIHAL");  // 002 §7
  EXPECT_EQ(prod->description, "Production Application SERVICE-DIHAL");

  auto mails = t.sim->mailbox().list();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].kind, "enrolment");
  EXPECT_EQ(mails[0].to, kDemo);
  EXPECT_NE(mails[0].subject.find("SERVICE-DIHAL"), std::string::npos);
  EXPECT_NE(mails[0].body.find(kSbxName), std::string::npos) << mails[0].body;
  EXPECT_NE(mails[0].body.find(kProdName), std::string::npos) << mails[0].body;
}

TEST(PortalEnrolment, NamesTheOrganisationByItsNameToo) {
  TestSimulator t;
  auto r = enrol(t, kDihalAdmin, "Service-Dihal", {"  DEMO@pistesim.test "});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->users[0].ok);
  EXPECT_EQ(r->users[0].email, kDemo);  // the account's spelling
  EXPECT_NE(app_named(t, kSbxName), nullptr);
}

TEST(PortalEnrolment, UsesTheOrganisationsApplicationPrefix) {
  TestSimulator t;
  t.sim->mutate([](World& w) {
    for (auto& o : w.organisations)
      if (o.id == "service-dihal") o.app_prefix = "SIAO";
  });
  ASSERT_TRUE(enrol(t, kDihalAdmin, "service-dihal", {kDemo}).ok());
  EXPECT_NE(app_named(t, "APP_SIAO_SBX_demo@pistesim.test"), nullptr);
  EXPECT_NE(app_named(t, "APP_SIAO_PROD_demo@pistesim.test"), nullptr);
}

// Refused users are reported and unchanged; the others are enrolled.
TEST(PortalEnrolment, ReportsEachUserAndEnrolsOnlyTheValidOnes) {
  TestSimulator t;
  const World before = t.sim->snapshot()->world;
  auto r = enrol(
      t, kDihalAdmin, "service-dihal",
      {kDemo, "inconnu@exemple.fr", "inactive@pistesim.test", "Demo@pistesim.test", kMtesAdmin});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->users.size(), 5u);
  std::vector<std::string> codes;
  for (const auto& l : r->users) codes.push_back(l.ok ? "ok" : l.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"ok", "UNKNOWN_USER", "USER_INACTIVE",
                                             "DUPLICATE_EMAIL", "ok"}));
  EXPECT_EQ(r->succeeded(), 2u);
  EXPECT_EQ(r->failed(), 3u);
  for (const auto& l : r->users) {
    ASSERT_EQ(l.channels.size(), 2u);
    EXPECT_EQ(l.channels[0].channel, Channel::Production);
    EXPECT_EQ(l.channels[1].channel, Channel::Sandbox);
    EXPECT_EQ(l.channels[0].ok, l.ok);
    if (!l.ok) {
      EXPECT_FALSE(l.channels[0].message.empty());
      EXPECT_TRUE(l.channels[0].application.empty());
    }
  }
  EXPECT_EQ(r->users[1].email, "inconnu@exemple.fr");
  // The inactive account got nothing.
  for (const auto& u : before.users)
    if (u.email == "inactive@pistesim.test") {
      EXPECT_EQ(*user(t, u.email), u);
    }
  EXPECT_EQ(app_named(t, "APP_DIHAL_SBX_inactive@pistesim.test"), nullptr);
  EXPECT_NE(app_named(t, "APP_DIHAL_PROD_admin-mtes@pistesim.test"), nullptr);
  EXPECT_EQ(t.sim->snapshot()->world.applications.size(), before.applications.size() + 4);
  EXPECT_EQ(t.sim->mailbox().list("", "enrolment").size(), 2u);
}

TEST(PortalEnrolment, NobodyValidStillGivesAReport) {
  TestSimulator t;
  const World before = t.sim->snapshot()->world;
  auto r = enrol(t, kDihalAdmin, "service-dihal", {"inconnu@exemple.fr"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->succeeded(), 0u);
  EXPECT_EQ(r->users[0].code, "UNKNOWN_USER");
  EXPECT_TRUE(t.sim->snapshot()->world == before);
  EXPECT_TRUE(t.sim->mailbox().list().empty());
}

TEST(PortalEnrolment, AnAlreadyEnrolledUserIsRefusedAndUnchanged) {
  TestSimulator t;
  ASSERT_TRUE(enrol(t, kDihalAdmin, "service-dihal", {kDemo}).ok());
  const World before = t.sim->snapshot()->world;
  const size_t mails = t.sim->mailbox().list().size();
  auto r = enrol(t, kDihalAdmin, "service-dihal", {kDemo});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->users[0].ok);
  EXPECT_EQ(r->users[0].code, "ALREADY_ENROLLED");
  EXPECT_TRUE(t.sim->snapshot()->world == before);
  EXPECT_EQ(t.sim->mailbox().list().size(), mails);
}

// A member who joined with the organisation's code (no enrolment applications yet) is enrolled
// and keeps their role.
TEST(PortalEnrolment, AMemberWithoutApplicationsGetsThemAndKeepsTheirRole) {
  TestSimulator t;
  t.sim->mutate([](World& w) {
    for (auto& u : w.users)
      if (u.email == kMtesAdmin) u.memberships.push_back({"service-dihal", Role::OrgAdmin});
  });
  auto r = enrol(t, kDihalAdmin, "service-dihal", {kMtesAdmin});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->users[0].ok);
  const User* u = user(t, kMtesAdmin);
  EXPECT_EQ(u->memberships.size(), 2u);
  EXPECT_EQ(u->membership("service-dihal")->role, Role::OrgAdmin);
  EXPECT_NE(app_named(t, "APP_DIHAL_SBX_admin-mtes@pistesim.test"), nullptr);
}

// One application left from an earlier enrolment: kept, the missing one created.
TEST(PortalEnrolment, KeepsAnExistingEnrolmentApplication) {
  TestSimulator t;
  ASSERT_TRUE(enrol(t, kDihalAdmin, "service-dihal", {kDemo}).ok());
  const std::string sbx_id = app_named(t, kSbxName)->id;
  t.sim->mutate([](World& w) {
    std::erase_if(w.applications, [](const Application& a) { return a.name == kProdName; });
  });
  auto r = enrol(t, kDihalAdmin, "service-dihal", {kDemo});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->users[0].ok) << r->users[0].code;
  EXPECT_EQ(r->users[0].channels[0].message, "L'utilisateur a été ajouté avec succès.");
  EXPECT_NE(r->users[0].channels[1].message.find("déjà enrôlé"), std::string::npos);
  EXPECT_EQ(r->users[0].channels[1].application, sbx_id);
  EXPECT_EQ(app_named(t, kSbxName)->id, sbx_id);
  EXPECT_NE(app_named(t, kProdName), nullptr);
}

TEST(PortalEnrolment, ANameHeldByAnotherApplicationRefusesTheUser) {
  TestSimulator t;
  t.sim->mutate([](World& w) {
    Application squatter;
    squatter.id = "squatter";
    squatter.name = "app_dihal_sbx_demo@pistesim.test";  // names compare case-insensitively
    squatter.organisation = "mtes";
    squatter.owner = kMtesAdmin;
    w.applications.push_back(squatter);
  });
  const World before = t.sim->snapshot()->world;
  auto r = enrol(t, kDihalAdmin, "service-dihal", {kDemo});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->users[0].code, "NAME_TAKEN");
  EXPECT_TRUE(t.sim->snapshot()->world == before);
}

// --- Decommissioning ------------------------------------------------------------------------

TEST(PortalDecommissioning, RemovesMembershipApplicationsRequestsAndTokens) {
  TestSimulator t;
  ASSERT_TRUE(enrol(t, kDihalAdmin, "service-dihal", {kDemo}).ok());
  const std::string sbx_id = app_named(t, kSbxName)->id;
  const std::string prod_id = app_named(t, kProdName)->id;
  // Another application of theirs in the organisation, and a pending request for it.
  t.sim->mutate([&](World& w) {
    Application extra;
    extra.id = "demo-dihal-extra";
    extra.name = "demo-dihal-extra";
    extra.channel = Channel::Production;
    extra.organisation = "service-dihal";
    extra.owner = kDemo;
    w.applications.push_back(extra);
    AccessRequest req;
    req.id = "req-1";
    req.api = "sisiao-menage";
    req.application = sbx_id;
    req.requester = kDemo;
    w.access_requests.push_back(req);
    AccessRequest other = req;
    other.id = "req-2";
    other.application = "demo-sandbox";
    w.access_requests.push_back(other);
  });
  auto r = decommission(t, kDihalAdmin, "service-dihal", {kDemo});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->users.size(), 1u);
  EXPECT_TRUE(r->users[0].ok);
  EXPECT_EQ(messages(r->users[0]),
            (std::vector<std::string>{"PRODUCTION: L'utilisateur a été décommissionné avec succès.",
                                      "SANDBOX: L'utilisateur a été décommissionné avec succès."}));
  EXPECT_EQ(r->users[0].channels[0].application, prod_id);
  EXPECT_EQ(r->users[0].channels[1].application, sbx_id);
  EXPECT_EQ(r->users[0].removed_applications.size(), 3u);
  EXPECT_EQ(user(t, kDemo)->membership("service-dihal"), nullptr);
  EXPECT_NE(user(t, kDemo)->membership("mtes"), nullptr);  // other organisations untouched
  auto snap = t.sim->snapshot();
  EXPECT_EQ(snap->index.application(sbx_id), nullptr);
  EXPECT_EQ(snap->index.application(prod_id), nullptr);
  EXPECT_EQ(snap->index.application("demo-dihal-extra"), nullptr);
  EXPECT_NE(snap->index.application("demo-sandbox"), nullptr);
  // req-2 and the default world's request for demo-sandbox (untouched) remain.
  ASSERT_EQ(snap->world.access_requests.size(), 2u);
  EXPECT_EQ(snap->world.access_requests[0].id, "req-demo-carte-achat");
  EXPECT_EQ(snap->world.access_requests[1].id, "req-2");
}

TEST(PortalDecommissioning, ReportsEachRefusedUserAndDecommissionsTheOthers) {
  TestSimulator t;
  ASSERT_TRUE(enrol(t, kDihalAdmin, "service-dihal", {kDemo}).ok());
  auto r = decommission(t, kDihalAdmin, "service-dihal",
                        {"inconnu@exemple.fr", kMtesAdmin, kDihalAdmin, kDemo, kDemo});
  ASSERT_TRUE(r.ok());
  std::vector<std::string> codes;
  for (const auto& l : r->users) codes.push_back(l.ok ? "ok" : l.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"UNKNOWN_USER", "NOT_MEMBER",
                                             "CANNOT_DECOMMISSION_SELF", "ok", "DUPLICATE_EMAIL"}));
  EXPECT_NE(user(t, kDihalAdmin)->membership("service-dihal"), nullptr);
  EXPECT_EQ(user(t, kDemo)->membership("service-dihal"), nullptr);
}

TEST(PortalDecommissioning, NobodyValidChangesNothing) {
  TestSimulator t;
  const World before = t.sim->snapshot()->world;
  auto r = decommission(t, kDihalAdmin, "service-dihal", {kDemo});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->users[0].code, "NOT_MEMBER");
  EXPECT_TRUE(t.sim->snapshot()->world == before);
}

// --- On the wire ----------------------------------------------------------------------------

// The enrolled user's SANDBOX application gets a token and, once approved, calls SISIAO - API
// MENAGE; decommissioned, its client is invalid_client and its token no longer works.
TEST(PortalEnrolment, EnrolledApplicationCallsAnApiUntilDecommissioned) {
  TestSimulator t;
  ASSERT_TRUE(enrol(t, kDihalAdmin, "service-dihal", {kDemo}).ok());
  const Application* sbx = app_named(t, kSbxName);
  const std::string id = sbx->id;
  const std::string client = sbx->oauth_clients[0].client_id;
  const std::string secret = sbx->oauth_clients[0].client_secret;

  std::string token = t.token(Channel::Sandbox, client, secret);
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kMenage, token).status, 403);  // not subscribed yet
  ASSERT_EQ(t.control("PUT", "/applications/" + id + "/subscriptions/sisiao-menage",
                      R"({"status":"approved","scopes":["dihal.sisiaoapimenage"]})")
                .status,
            200);
  token = t.token(Channel::Sandbox, client, secret);
  Response ok = t.call(Channel::Sandbox, "GET", kMenage, token);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find("MEN-75-000123"), std::string::npos);

  ASSERT_TRUE(decommission(t, kDihalAdmin, "service-dihal", {kDemo}).ok());
  Response refused =
      t.token_request(Channel::Sandbox, "grant_type=client_credentials&client_id=" + client +
                                            "&client_secret=" + secret + "&scope=openid");
  EXPECT_EQ(refused.status, 400) << refused.body;  // credentials in the body: PISTE's 400
  EXPECT_NE(refused.body.find("invalid_client"), std::string::npos) << refused.body;
  Response after = t.call(Channel::Sandbox, "GET", kMenage, token);
  EXPECT_EQ(after.status, 401);
  EXPECT_NE(after.headers.get("WWW-Authenticate").find("invalid_token"), std::string::npos);
}

// --- Control API ----------------------------------------------------------------------------

TEST(PortalEnrolment, ControlRoutesReportPerUserAndChannel) {
  TestSimulator t;
  Response r = t.control_as(kDihalAdmin, "POST", "/portal/admin/enrolments",
                            R"({"organisation":"service-dihal",
                                "emails":["demo@pistesim.test","inconnu@exemple.fr"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["title"], "Résultat de l'ajout des utilisateurs à l'organisation \"SERVICE-DIHAL\"");
  EXPECT_EQ(j["succeeded"], 1);
  EXPECT_EQ(j["failed"], 1);
  ASSERT_EQ(j["users"].size(), 2u);
  EXPECT_EQ(j["users"][0]["email"], kDemo);
  EXPECT_EQ(j["users"][0]["organisation"], "SERVICE-DIHAL");
  EXPECT_EQ(j["users"][0]["result"], "✓");
  EXPECT_EQ(j["users"][0]["messages"], json({"PRODUCTION: L'utilisateur a été ajouté avec succès.",
                                             "SANDBOX: L'utilisateur a été ajouté avec succès."}));
  EXPECT_EQ(j["users"][0]["channels"][1]["application_name"], kSbxName);
  EXPECT_EQ(j["users"][1]["result"], "✗");
  EXPECT_EQ(j["users"][1]["code"], "UNKNOWN_USER");

  // The form's textarea: one string, one address a line.
  r = t.control_as(kDihalAdmin, "POST", "/portal/admin/decommissions",
                   R"({"organisation":"service-dihal","emails":"demo@pistesim.test\n"})");
  ASSERT_EQ(r.status, 200) << r.body;
  j = json::parse(r.body);
  EXPECT_EQ(j["title"],
            "Résultat du décommissionnement des utilisateurs à l'organisation "
            "\"SERVICE-DIHAL\"");
  EXPECT_EQ(j["users"][0]["messages"][0],
            "PRODUCTION: L'utilisateur a été décommissionné avec succès.");
  EXPECT_EQ(j["users"][0]["removed_applications"].size(), 2u);
}

TEST(PortalEnrolment, ControlRoutesRefuseBadInput) {
  TestSimulator t;
  auto outcome = [&](const std::string& actor, const std::string& path, const std::string& body) {
    Response r =
        actor.empty() ? t.control("POST", path, body) : t.control_as(actor, "POST", path, body);
    json j = json::parse(r.body, nullptr, false);
    return std::to_string(r.status) + " " + j.value("code", "") + " " + j.value("field", "");
  };
  for (const std::string path : {"/portal/admin/enrolments", "/portal/admin/decommissions"}) {
    EXPECT_EQ(outcome("", path, R"({"organisation":"service-dihal","emails":["a@b.fr"]})"),
              "401 NOT_LOGGED_IN ");
    EXPECT_EQ(outcome(kDihalAdmin, path, R"({"organisation":7,"emails":["a@b.fr"]})"),
              "400 INVALID_FIELD organisation");
    EXPECT_EQ(outcome(kDihalAdmin, path, R"({"organisation":"service-dihal","emails":[1]})"),
              "400 INVALID_FIELD emails");
    EXPECT_EQ(outcome(kDihalAdmin, path, R"({"organisation":"service-dihal"})"),
              "400 MISSING_FIELD emails");
    EXPECT_EQ(outcome(kMtesAdmin, path, R"({"organisation":"service-dihal","emails":["a@b.fr"]})"),
              "403 NOT_ORGADMIN organisation");
    EXPECT_EQ(outcome(kDihalAdmin, path, R"({"organisation":"nope","emails":["a@b.fr"]})"),
              "404 UNKNOWN_ORGANISATION organisation");
  }
  EXPECT_TRUE(t.sim->mailbox().list().empty());
}

}  // namespace
}  // namespace pistesim::test
