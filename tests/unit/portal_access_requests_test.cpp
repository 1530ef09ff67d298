// Access requests, approvals, rejections and revocations (REQ-1..7) and their e-mails (NOT-1,
// NOT-2), through the control API and down to the wire: the gateway answers 403 while a request
// is pending, a token issued after the approval carries the new scope, a revocation makes the
// next call 403.
#include "mail/access_request_mails.h"
#include "portal/access_requests.h"
#include "portal/actor.h"
#include "support/test_simulator.h"
#include "world/world_loader.h"
#include "world/world_writer.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

constexpr const char* kDemo = "demo@pistesim.test";
constexpr const char* kAdminMtes = "admin-mtes@pistesim.test";
constexpr const char* kCarteApprover = "approbateur.carteachat@pistesim.test";
constexpr const char* kSneApprover = "api-platau-administration@developpement-durable.gouv.fr";
const std::string kCartes = "/chorus/v1/carteachat/cartes";

json request_body(const std::string& api, const std::string& app, const std::string& motif,
                  const std::vector<std::string>& scopes) {
  return {{"api", api}, {"application", app}, {"motif", motif}, {"scopes", scopes}};
}

class PortalAccessRequests : public ::testing::Test {
 protected:
  Response submit(const std::string& user, const json& body) {
    return t.control_as(user, "POST", "/portal/access-requests", body.dump());
  }
  // A pending (or at once approved) request; fails the test otherwise. Returns its id.
  std::string submitted(const std::string& user, const std::string& api, const std::string& app,
                        const std::vector<std::string>& scopes,
                        const std::string& motif = "Projet de test de l'API") {
    Response r = submit(user, request_body(api, app, motif, scopes));
    EXPECT_EQ(r.status, 201) << r.body;
    return body_of(r).value("id", "");
  }
  Response decide(const std::string& user, const std::string& verb,
                  const std::vector<std::string>& ids, const std::string& motif) {
    return t.control_as(user, "POST", "/portal/admin/access-requests/" + verb,
                        json{{"ids", ids}, {"motif", motif}}.dump());
  }
  Response revoke(const std::string& user, const std::string& api,
                  const std::vector<std::string>& apps, const std::string& motif) {
    return t.control_as(user, "POST", "/portal/admin/revocations",
                        json{{"api", api}, {"applications", apps}, {"motif", motif}}.dump());
  }
  const Subscription* subscription(const std::string& app, const std::string& api) {
    snap = t.sim->snapshot();
    const Application* a = snap->index.application(app);
    return a ? a->subscription(api) : nullptr;
  }
  const AccessRequest* request(const std::string& id) {
    snap = t.sim->snapshot();
    for (const auto& r : snap->world.access_requests)
      if (r.id == id) return &r;
    return nullptr;
  }
  // A request refused: the answer, and nothing changed (world, mailbox).
  void expect_refused(const Response& r, const std::string& expected, const World& before,
                      size_t mails_before, const std::string& field = {}) {
    EXPECT_EQ(outcome_of(r), expected) << r.body;
    if (!field.empty()) {
      EXPECT_EQ(body_of(r).value("field", ""), field) << r.body;
    }
    EXPECT_TRUE(t.sim->snapshot()->world == before) << "a refused operation changed the world";
    EXPECT_EQ(t.sim->mailbox().list().size(), mails_before) << "a refused operation sent mail";
  }
  std::string sandbox_token() { return t.token(); }
  std::string production_token() {
    return t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  }
  static std::string scope_of_token(TestSimulator& t, Channel c, const std::string& id,
                                    const std::string& secret) {
    Response r = t.token_request(c, "grant_type=client_credentials&client_id=" + id +
                                        "&client_secret=" + secret + "&scope=openid");
    return body_of(r).value("scope", "");
  }

  // These tests count the requests they make: they start without the default world's own
  // (demo-sandbox's pending Carte Achat request), whose access they submit again.
  void SetUp() override {
    t.sim->mutate([](World& w) { w.access_requests.clear(); });
  }

  TestSimulator t;
  std::shared_ptr<const WorldSnapshot> snap;
};

// --- REQ-1..3: submission ------------------------------------------------------------------

TEST_F(PortalAccessRequests, SubmitReplacesAccessAndMailsRequesterAndApprovers) {
  Response r = submit(kDemo, request_body("carte-achat", kSandboxApp, "  Besoin de la carte  ",
                                          {"chorus.carteachat"}));
  ASSERT_EQ(r.status, 201) << r.body;
  json j = body_of(r);
  EXPECT_EQ(j["status"], "pending");
  EXPECT_EQ(j["requester"], kDemo);
  EXPECT_EQ(j["motif"], "Besoin de la carte");  // trimmed
  EXPECT_EQ(j["scopes"], json::array({"chorus.carteachat"}));
  EXPECT_EQ(j["api_name"], "Carte Achat");
  EXPECT_EQ(j["environment"], "SANDBOX");
  EXPECT_FALSE(j["id"].get<std::string>().empty());

  // REQ-2: the application's access is the request now.
  const Subscription* sub = subscription(kSandboxApp, "carte-achat");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->status, SubscriptionStatus::Pending);
  EXPECT_EQ(strings_of(sub->scopes), std::vector<std::string>{"chorus.carteachat"});
  ASSERT_EQ(t.sim->snapshot()->world.access_requests.size(), 1u);

  // REQ-3 / 002 §6: the confirmation, as quoted.
  auto confirmations = t.sim->mailbox().list(kDemo, "access_request_confirmation");
  ASSERT_EQ(confirmations.size(), 1u);
  const Email& c = confirmations[0];
  EXPECT_EQ(c.subject, "Confirmation de la demande de souscription à l'API Carte Achat");
  for (const char* line :
       {"Bonjour,",
        "La demande de souscription à l'API Carte Achat a bien été prise en compte "
        "pour l'application APP_SANDBOX_demo@pistesim.test",
        "Nom de l'API : Carte Achat", "Nom de l'application : APP_SANDBOX_demo@pistesim.test",
        "Organisation : Universelle", "Motif de la demande d'accès : Besoin de la carte",
        "Scopes demandés : chorus.carteachat",
        "Date de la demande : 23/11/2026 11:00",  // kStart, 10:00 UTC = 11:00 in Paris
        "Une fois que votre demande aura été acceptée ou rejetée, vous serez informé.",
        "Ce courriel a été généré automatiquement par PISTE."})
    EXPECT_NE(c.body.find(line), std::string::npos) << line << "\n" << c.body;
  // 000 §10.3: the API's approver is invited to process it; nobody else gets mail.
  auto notices = t.sim->mailbox().list(kCarteApprover, "access_request_to_review");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].subject.find("Carte Achat"), std::string::npos);
  EXPECT_NE(notices[0].body.find(kDemo), std::string::npos);
  EXPECT_EQ(t.sim->mailbox().list().size(), 2u);
}

TEST_F(PortalAccessRequests, PendingRequestMakesTheApiAnswer403) {
  // REQ-2 on the wire: SNE-Cotation is approved for demo-production; a new request suspends it.
  std::string token = production_token();
  EXPECT_EQ(t.call(Channel::Production, "GET", "/mtes/sne-cotation/v1.0/healthcheck", token).status,
            200);
  submitted(kDemo, "sne-cotation", kProductionApp, {"resource.READ"});
  EXPECT_EQ(subscription(kProductionApp, "sne-cotation")->status, SubscriptionStatus::Pending);
  EXPECT_EQ(t.call(Channel::Production, "GET", "/mtes/sne-cotation/v1.0/healthcheck", token).status,
            403);
  EXPECT_EQ(
      t.call(Channel::Production, "GET", "/mtes/sne-cotation/v1.0/healthcheck", production_token())
          .status,
      403);
}

TEST_F(PortalAccessRequests, MotifOfTwoHundredAccentedCharactersIsAccepted) {
  std::string motif;
  for (int i = 0; i < 200; ++i) motif += "é";  // 400 bytes, 200 characters
  EXPECT_EQ(submit(kDemo, request_body("carte-achat", kSandboxApp, motif, {"cnf"})).status, 201);
  EXPECT_EQ(submit(kDemo, request_body("carte-achat", kSandboxApp, "abc", {"cnf"})).status, 201);
}

TEST_F(PortalAccessRequests, SubmitRefusesEveryBrokenRule) {
  // An application of the universal organisation owned by someone else: demo may not target it.
  t.sim->mutate([](World& w) {
    Application other = w.applications.front();
    other.id = "other-sandbox";
    other.name = "APP_SANDBOX_other@pistesim.test";
    other.owner = "inactive@pistesim.test";
    other.oauth_clients.clear();
    other.api_keys.clear();
    w.applications.push_back(other);
  });
  const std::string long_motif(201, 'x');
  struct Case {
    const char* name;
    std::string user;
    json body;
    std::string expected;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"empty motif", kDemo, request_body("carte-achat", kSandboxApp, "", {"cnf"}),
       "400 MOTIF_REQUIRED", "motif"},
      {"three spaces", kDemo, request_body("carte-achat", kSandboxApp, "   ", {"cnf"}),
       "400 MOTIF_BLANK", "motif"},
      {"two characters", kDemo, request_body("carte-achat", kSandboxApp, "  ab  ", {"cnf"}),
       "400 MOTIF_TOO_SHORT", "motif"},
      {"201 characters", kDemo, request_body("carte-achat", kSandboxApp, long_motif, {"cnf"}),
       "400 MOTIF_TOO_LONG", "motif"},
      {"no application", kDemo, request_body("carte-achat", "", "Projet", {"cnf"}),
       "400 APPLICATION_REQUIRED", "application"},
      {"unknown application", kDemo, request_body("carte-achat", "nope", "Projet", {"cnf"}),
       "404 UNKNOWN_APPLICATION", "application"},
      {"someone else's sandbox", kDemo,
       request_body("carte-achat", "other-sandbox", "Projet", {"cnf"}),
       "403 APPLICATION_NOT_ALLOWED", "application"},
      {"outside the organisation", kAdminMtes,
       request_body("carte-achat", kSandboxApp, "Projet", {"cnf"}), "403 APPLICATION_NOT_ALLOWED",
       "application"},
      {"no api", kDemo, request_body("", kSandboxApp, "Projet", {"cnf"}), "400 API_REQUIRED",
       "api"},
      {"unknown api", kDemo, request_body("nope", kSandboxApp, "Projet", {"cnf"}),
       "404 UNKNOWN_API", "api"},
      {"api reserved to SERVICE-DIHAL", kDemo,
       request_body("sisiao-menage", kSandboxApp, "Projet", {"dihal.sisiaoapimenage"}),
       "404 UNKNOWN_API", "api"},
      {"no scope", kDemo, request_body("carte-achat", kSandboxApp, "Projet", {}),
       "400 SCOPES_REQUIRED", "scopes"},
      {"unknown scope", kDemo,
       request_body("carte-achat", kSandboxApp, "Projet", {"cnf", "resource.READ"}),
       "400 UNKNOWN_SCOPE", "scopes"},
      {"scope of an API without scopes", kDemo,
       request_body("dume-donnees", kSandboxApp, "Projet", {"x"}), "400 UNKNOWN_SCOPE", "scopes"},
      {"api not on the application's channel", kDemo,
       request_body("api-test-try-it", kProductionApp, "Projet", {}), "409 WRONG_CHANNEL",
       "application"},
      {"CGU not accepted (CGU-2)", kDemo,
       request_body("ingres-noyau", kSandboxApp, "Projet", {"ingres.noyau"}),
       "409 CGU_NOT_ACCEPTED", "api"},
      {"inactive account", "inactive@pistesim.test",
       request_body("carte-achat", kSandboxApp, "Projet", {"cnf"}), "401 NOT_LOGGED_IN", ""},
      {"unknown account", "nobody@pistesim.test",
       request_body("carte-achat", kSandboxApp, "Projet", {"cnf"}), "401 NOT_LOGGED_IN", ""},
      {"scopes not a list", kDemo,
       json{{"api", "carte-achat"},
            {"application", kSandboxApp},
            {"motif", "abc"},
            {"scopes", "cnf"}},
       "400 INVALID_FIELD", "scopes"},
      {"motif not a string", kDemo,
       json{{"api", "carte-achat"},
            {"application", kSandboxApp},
            {"motif", 42},
            {"scopes", {"cnf"}}},
       "400 INVALID_FIELD", "motif"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    World before = t.sim->snapshot()->world;
    expect_refused(submit(c.user, c.body), c.expected, before, 0, c.field);
  }
  // Without a session or a user header.
  World before = t.sim->snapshot()->world;
  expect_refused(t.control("POST", "/portal/access-requests",
                           request_body("carte-achat", kSandboxApp, "Projet", {"cnf"}).dump()),
                 "401 NOT_LOGGED_IN", before, 0);
}

TEST_F(PortalAccessRequests, CguAcceptedForTheChannelLetsTheRequestThrough) {
  t.sim->mutate([](World& w) {
    for (auto& u : w.users)
      if (u.email == kDemo) u.accepted_cgu.push_back({"ingres-noyau", Channel::Production});
  });
  // Accepted for PRODUCTION only: the sandbox application still may not ask.
  EXPECT_EQ(outcome_of(submit(
                kDemo, request_body("ingres-noyau", kSandboxApp, "Projet", {"ingres.noyau"}))),
            "409 CGU_NOT_ACCEPTED");
  EXPECT_EQ(submit(kDemo, request_body("ingres-noyau", kProductionApp, "Projet", {"ingres.noyau"}))
                .status,
            201);
}

TEST_F(PortalAccessRequests, MemberOfANonUniversalOrganisationMayTargetItsApplications) {
  // demo is a developer of MTES: admin-mtes's MTES application is in their list (000 §10.1.2).
  Response r = submit(kDemo, request_body("carte-achat", "mtes-admin-sandbox", "Projet", {"cnf"}));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body_of(r)["status"], "pending");  // a developer: no auto-approval
}

TEST_F(PortalAccessRequests, NewRequestSupersedesThePendingOne) {
  std::string first = submitted(kDemo, "carte-achat", kSandboxApp, {"cnf"});
  std::string second = submitted(kDemo, "carte-achat", kSandboxApp, {"chorus.carteachat", "cnf"});
  ASSERT_NE(first, second);
  EXPECT_EQ(request(first)->status, RequestStatus::Rejected);
  EXPECT_EQ(request(first)->decision_message, kRequestSupersededMessage);
  EXPECT_EQ(request(second)->status, RequestStatus::Pending);
  EXPECT_EQ(strings_of(subscription(kSandboxApp, "carte-achat")->scopes),
            (std::vector<std::string>{"chorus.carteachat", "cnf"}));
  json todo = body_of(t.control_as(kCarteApprover, "GET", "/portal/admin/access-requests"));
  ASSERT_EQ(todo.size(), 1u);
  EXPECT_EQ(todo[0]["id"], second);
  // The superseded request is closed silently: no decision e-mail.
  EXPECT_TRUE(t.sim->mailbox().list(kDemo, "access_request_rejected").empty());
}

// --- REQ-4: OrgAdmin ------------------------------------------------------------------------

TEST_F(PortalAccessRequests, OrgAdminRequestOnBehalfIsApprovedAtOnce) {
  std::string before_scope =
      scope_of_token(t, Channel::Production, kProductionClientId, kProductionClientSecret);
  EXPECT_EQ(before_scope.find("chorus.carteachat"), std::string::npos);
  // admin-mtes administers MTES; demo-production is demo's, in MTES (000 §11.7).
  Response r = submit(kAdminMtes, request_body("carte-achat", kProductionApp, "Pour le compte de",
                                               {"chorus.carteachat"}));
  ASSERT_EQ(r.status, 201) << r.body;
  json j = body_of(r);
  EXPECT_EQ(j["status"], "approved");
  EXPECT_EQ(j["requester"], kAdminMtes);
  EXPECT_EQ(j["decided_by"], kAdminMtes);
  EXPECT_EQ(subscription(kProductionApp, "carte-achat")->status, SubscriptionStatus::Approved);

  // Mail: the requester's confirmation; the decision to the opted-in owner only (admin-mtes did
  // not opt in, NOT-2); no approver notice.
  EXPECT_EQ(t.sim->mailbox().list(kAdminMtes, "access_request_confirmation").size(), 1u);
  EXPECT_EQ(t.sim->mailbox().list(kDemo, "access_request_approved").size(), 1u);
  EXPECT_TRUE(t.sim->mailbox().list(kAdminMtes, "access_request_approved").empty());
  EXPECT_TRUE(t.sim->mailbox().list({}, "access_request_to_review").empty());

  std::string token = production_token();
  EXPECT_EQ(t.call(Channel::Production, "GET", kCartes, token).status, 200);
}

TEST_F(PortalAccessRequests, ApiWithoutValidationIsGrantedAtOnce) {
  Response r = submit(kDemo, request_body("dume-donnees", kSandboxApp, "Projet", {}));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body_of(r)["status"], "approved");
  EXPECT_EQ(body_of(r)["decided_by"], "");
  EXPECT_EQ(body_of(r)["decision_message"], kGrantedWithoutValidationMessage);
  EXPECT_EQ(subscription(kSandboxApp, "dume-donnees")->status, SubscriptionStatus::Approved);
}

// --- REQ-5/6: approval and rejection --------------------------------------------------------

TEST_F(PortalAccessRequests, ApproversListTheirPendingRequests) {
  std::string id = submitted(kDemo, "carte-achat", kSandboxApp, {"chorus.carteachat"});
  submitted(kDemo, "sne-cotation", kProductionApp, {"resource.READ"});

  json todo = body_of(t.control_as(kCarteApprover, "GET", "/portal/admin/access-requests"));
  ASSERT_EQ(todo.size(), 1u);
  // 000 §11.3's columns.
  EXPECT_EQ(todo[0]["id"], id);
  EXPECT_EQ(todo[0]["api_name"], "Carte Achat");
  EXPECT_EQ(todo[0]["scopes"], json::array({"chorus.carteachat"}));
  EXPECT_EQ(todo[0]["application_name"], "APP_SANDBOX_demo@pistesim.test");
  EXPECT_EQ(todo[0]["organisation"], "Universelle");
  EXPECT_EQ(todo[0]["application_information"], "SandBox Application");
  EXPECT_EQ(todo[0]["motif"], "Projet de test de l'API");
  EXPECT_EQ(todo[0]["environment"], "SANDBOX");
  EXPECT_EQ(todo[0]["requested_at"], "2026-11-23T10:00:00.000Z");

  json sne = body_of(t.control_as(kSneApprover, "GET", "/portal/admin/access-requests"));
  ASSERT_EQ(sne.size(), 1u);
  EXPECT_EQ(sne[0]["api"], "sne-cotation");
  EXPECT_EQ(body_of(t.control_as(kDemo, "GET", "/portal/admin/access-requests")).size(), 0u);

  ASSERT_EQ(decide(kCarteApprover, "approve", {id}, "").status, 200);
  EXPECT_EQ(body_of(t.control_as(kCarteApprover, "GET", "/portal/admin/access-requests")).size(),
            0u);
  EXPECT_EQ(
      body_of(t.control_as(kCarteApprover, "GET", "/portal/admin/access-requests?status=approved"))
          .size(),
      1u);
  EXPECT_EQ(body_of(t.control_as(kCarteApprover, "GET", "/portal/admin/access-requests?status=all"))
                .size(),
            1u);
  EXPECT_EQ(
      outcome_of(t.control_as(kCarteApprover, "GET", "/portal/admin/access-requests?status=bogus")),
      "400 INVALID_FIELD");
}

TEST_F(PortalAccessRequests, ApprovalGrantsTheScopeToTokensIssuedAfterIt) {
  // Before: carte-achat is pending in the fixture; the token has no Carte Achat scope.
  std::string old_token = sandbox_token();
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kCartes, old_token).status, 403);
  std::string id = submitted(kDemo, "carte-achat", kSandboxApp, {"chorus.carteachat"});
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kCartes, old_token).status, 403);
  EXPECT_EQ(scope_of_token(t, Channel::Sandbox, kSandboxClientId, kSandboxClientSecret)
                .find("chorus.carteachat"),
            std::string::npos);

  Response r = decide(kCarteApprover, "approve", {id}, "Votre demande est validée");
  ASSERT_EQ(r.status, 200) << r.body;
  json decided = body_of(r);
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0]["status"], "approved");
  EXPECT_EQ(decided[0]["decided_by"], kCarteApprover);
  EXPECT_EQ(decided[0]["decision_message"], "Votre demande est validée");
  const Subscription* sub = subscription(kSandboxApp, "carte-achat");
  EXPECT_EQ(sub->status, SubscriptionStatus::Approved);
  EXPECT_EQ(strings_of(sub->scopes), std::vector<std::string>{"chorus.carteachat"});

  // REQ-6: the token issued before keeps its scopes; a new one carries the new scope.
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kCartes, old_token).status, 403);
  std::string scope = scope_of_token(t, Channel::Sandbox, kSandboxClientId, kSandboxClientSecret);
  EXPECT_NE(scope.find("chorus.carteachat"), std::string::npos) << scope;
  EXPECT_EQ(scope.find(" cnf"), std::string::npos) << scope;  // only the requested scope
  std::string new_token = sandbox_token();
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kCartes, new_token).status, 200);

  // 002 §6: the acceptance e-mail, with the approver's message.
  auto mails = t.sim->mailbox().list(kDemo, "access_request_approved");
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].subject, "Statut de la demande de souscription à l'API Carte Achat");
  for (const char* line :
       {"Votre demande d'accès à l'API Carte Achat a été acceptée avec les éléments suivants :",
        "Nom de l'application : APP_SANDBOX_demo@pistesim.test", "Organisation : Universelle",
        "Scopes demandés : chorus.carteachat", "Date de la demande : 23/11/2026 11:00",
        "Message de l'approbateur :\n\nVotre demande est validée"})
    EXPECT_NE(mails[0].body.find(line), std::string::npos) << line << "\n" << mails[0].body;
}

TEST_F(PortalAccessRequests, BatchApprovalWithOneMotif) {
  std::string a = submitted(kDemo, "carte-achat", kSandboxApp, {"cnf"});
  std::string b = submitted(kDemo, "carte-achat", kProductionApp, {"chorus.carteachat"});
  Response r = decide(kCarteApprover, "approve", {a, b, a}, "Lot validé");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r).size(), 2u);
  EXPECT_EQ(request(a)->status, RequestStatus::Approved);
  EXPECT_EQ(request(b)->status, RequestStatus::Approved);
  EXPECT_EQ(request(b)->decision_message, "Lot validé");
  // Requester and owner are the same user: one e-mail per request.
  EXPECT_EQ(t.sim->mailbox().list(kDemo, "access_request_approved").size(), 2u);
}

TEST_F(PortalAccessRequests, RejectionNeedsAMotifAndLeavesNoAccess) {
  std::string id = submitted(kDemo, "sne-cotation", kProductionApp, {"resource.READ"});
  World before = t.sim->snapshot()->world;
  size_t mails = t.sim->mailbox().list().size();
  expect_refused(decide(kSneApprover, "reject", {id}, ""), "400 MOTIF_REQUIRED", before, mails,
                 "motif");
  expect_refused(decide(kSneApprover, "reject", {id}, "   "), "400 MOTIF_BLANK", before, mails);

  Response r = decide(kSneApprover, "reject", {id}, "Projet non éligible");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(request(id)->status, RequestStatus::Rejected);
  EXPECT_EQ(request(id)->decision_message, "Projet non éligible");
  EXPECT_EQ(subscription(kProductionApp, "sne-cotation")->status, SubscriptionStatus::Rejected);
  EXPECT_EQ(
      t.call(Channel::Production, "GET", "/mtes/sne-cotation/v1.0/healthcheck", production_token())
          .status,
      403);
  auto mails_to_demo = t.sim->mailbox().list(kDemo, "access_request_rejected");
  ASSERT_EQ(mails_to_demo.size(), 1u);
  EXPECT_EQ(mails_to_demo[0].subject,
            "Statut de la demande de souscription à l'API SNE-Cotation site-ecole");
  EXPECT_NE(mails_to_demo[0].body.find("a été rejetée"), std::string::npos);
  EXPECT_NE(mails_to_demo[0].body.find("Projet non éligible"), std::string::npos);
}

TEST_F(PortalAccessRequests, BatchIsAllOrNothing) {
  std::string carte = submitted(kDemo, "carte-achat", kSandboxApp, {"cnf"});
  std::string sne = submitted(kDemo, "sne-cotation", kProductionApp, {"resource.READ"});
  std::string done = submitted(kDemo, "carte-achat", kProductionApp, {"cnf"});
  ASSERT_EQ(decide(kCarteApprover, "approve", {done}, "").status, 200);

  World before = t.sim->snapshot()->world;
  size_t mails = t.sim->mailbox().list().size();
  for (const char* verb : {"approve", "reject"}) {
    SCOPED_TRACE(verb);
    Response unknown = decide(kCarteApprover, verb, {carte, "nope"}, "Motif commun");
    expect_refused(unknown, "404 UNKNOWN_ACCESS_REQUEST", before, mails, "ids");
    EXPECT_EQ(body_of(unknown)["details"], json::array({"nope"}));
    expect_refused(decide(kCarteApprover, verb, {carte, done}, "Motif commun"),
                   "409 REQUEST_ALREADY_DECIDED", before, mails, "ids");
    expect_refused(decide(kCarteApprover, verb, {carte, sne}, "Motif commun"), "403 NOT_APPROVER",
                   before, mails, "ids");
    expect_refused(decide(kCarteApprover, verb, {}, "Motif commun"), "400 IDS_REQUIRED", before,
                   mails, "ids");
    expect_refused(decide("inactive@pistesim.test", verb, {carte}, "Motif commun"),
                   "401 NOT_LOGGED_IN", before, mails);
    expect_refused(
        t.control_as(kCarteApprover, "POST", std::string("/portal/admin/access-requests/") + verb,
                     R"({"ids":"x"})"),
        "400 INVALID_FIELD", before, mails, "ids");
  }
  expect_refused(decide(kCarteApprover, "approve", {carte}, "ab"), "400 MOTIF_TOO_SHORT", before,
                 mails, "motif");
}

TEST_F(PortalAccessRequests, ApproverAddressesCompareCaseInsensitively) {
  std::string id = submitted(kDemo, "carte-achat", kSandboxApp, {"cnf"});
  t.sim->mutate([](World& w) {
    for (auto& a : w.apis)
      if (a.id == "carte-achat") a.approvers = {"Approbateur.CarteAchat@PisteSim.test"};
  });
  EXPECT_EQ(decide(kCarteApprover, "approve", {id}, "").status, 200);
}

// --- NOT-2 -------------------------------------------------------------------------------------

TEST_F(PortalAccessRequests, DecisionMailsOnlyToOptedInRequesterAndOwner) {
  // admin-mtes asks on behalf of demo-production... as a developer here, so it stays pending.
  t.sim->mutate([](World& w) {
    for (auto& u : w.users)
      if (u.email == kAdminMtes) u.memberships = {{"mtes", Role::Developer}};
  });
  std::string on_behalf = submitted(kAdminMtes, "carte-achat", kProductionApp, {"cnf"});
  ASSERT_EQ(request(on_behalf)->status, RequestStatus::Pending);
  ASSERT_EQ(decide(kCarteApprover, "approve", {on_behalf}, "OK pour moi").status, 200);
  // The owner opted in, the requester did not.
  EXPECT_EQ(t.sim->mailbox().list(kDemo, "access_request_approved").size(), 1u);
  EXPECT_TRUE(t.sim->mailbox().list(kAdminMtes, "access_request_approved").empty());
  // The confirmation does not depend on the opt-in.
  EXPECT_EQ(t.sim->mailbox().list(kAdminMtes, "access_request_confirmation").size(), 1u);

  // Both opted in: each gets one.
  t.sim->mutate([](World& w) {
    for (auto& u : w.users)
      if (u.email == kAdminMtes) u.opt_in_news = true;
  });
  std::string second = submitted(kAdminMtes, "carte-achat", kProductionApp, {"chorus.carteachat"});
  ASSERT_EQ(decide(kCarteApprover, "reject", {second}, "Non, merci").status, 200);
  EXPECT_EQ(t.sim->mailbox().list(kDemo, "access_request_rejected").size(), 1u);
  EXPECT_EQ(t.sim->mailbox().list(kAdminMtes, "access_request_rejected").size(), 1u);

  // Nobody opted in: no decision e-mail at all.
  t.sim->mutate([](World& w) {
    for (auto& u : w.users) u.opt_in_news = false;
  });
  std::string third = submitted(kDemo, "carte-achat", kSandboxApp, {"cnf"});
  size_t before = t.sim->mailbox().list().size();
  ASSERT_EQ(decide(kCarteApprover, "approve", {third}, "").status, 200);
  EXPECT_EQ(t.sim->mailbox().list().size(), before);
}

// --- REQ-7: revocation -----------------------------------------------------------------------

TEST_F(PortalAccessRequests, RevocationMakesTheNextCall403AndMailsTheOwner) {
  std::string id = submitted(kDemo, "carte-achat", kSandboxApp, {"chorus.carteachat"});
  ASSERT_EQ(decide(kCarteApprover, "approve", {id}, "").status, 200);
  std::string token = sandbox_token();
  ASSERT_EQ(t.call(Channel::Sandbox, "GET", kCartes, token).status, 200);

  json accesses =
      body_of(t.control_as(kCarteApprover, "GET", "/portal/admin/accesses?api=carte-achat"));
  ASSERT_EQ(accesses.size(), 1u);
  EXPECT_EQ(accesses[0]["application"], kSandboxApp);
  EXPECT_EQ(accesses[0]["api_name"], "Carte Achat");
  EXPECT_EQ(accesses[0]["owner"], kDemo);
  EXPECT_EQ(body_of(t.control_as(kCarteApprover, "GET", "/portal/admin/accesses")).size(), 1u);

  Response r = revoke(kCarteApprover, "carte-achat", {kSandboxApp}, "Fin de l'expérimentation");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["revoked"], json::array({kSandboxApp}));
  EXPECT_EQ(subscription(kSandboxApp, "carte-achat")->status, SubscriptionStatus::Revoked);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kCartes, token).status, 403);
  // The token still serves the application's other APIs.
  EXPECT_EQ(
      t.call(Channel::Sandbox, "GET", "/dila/legifrance/lf-engine-app/consult/ping", token).status,
      200);

  auto mails = t.sim->mailbox().list(kDemo, "access_revoked");
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_NE(mails[0].subject.find("Carte Achat"), std::string::npos);
  EXPECT_NE(mails[0].body.find("Fin de l'expérimentation"), std::string::npos);
  EXPECT_NE(mails[0].body.find("APP_SANDBOX_demo@pistesim.test"), std::string::npos);
  EXPECT_TRUE(body_of(t.control_as(kCarteApprover, "GET", "/portal/admin/accesses?api=carte-achat"))
                  .empty());
}

TEST_F(PortalAccessRequests, RevocationRefusals) {
  // sne-cotation is approved for demo-sandbox and demo-production in the fixture.
  World before = t.sim->snapshot()->world;
  struct Case {
    const char* name;
    std::string user, api;
    std::vector<std::string> apps;
    std::string motif, expected, field;
  };
  const std::vector<Case> cases = {
      {"no motif", kSneApprover, "sne-cotation", {kSandboxApp}, "", "400 MOTIF_REQUIRED", "motif"},
      {"blank motif",
       kSneApprover,
       "sne-cotation",
       {kSandboxApp},
       "    ",
       "400 MOTIF_BLANK",
       "motif"},
      {"no application",
       kSneApprover,
       "sne-cotation",
       {},
       "Fin du projet",
       "400 APPLICATIONS_REQUIRED",
       "applications"},
      {"no api", kSneApprover, "", {kSandboxApp}, "Fin du projet", "400 API_REQUIRED", "api"},
      {"unknown api",
       kSneApprover,
       "nope",
       {kSandboxApp},
       "Fin du projet",
       "404 UNKNOWN_API",
       "api"},
      {"not their api",
       kCarteApprover,
       "sne-cotation",
       {kSandboxApp},
       "Fin du projet",
       "403 NOT_APPROVER",
       "api"},
      {"unknown application (all or nothing)",
       kSneApprover,
       "sne-cotation",
       {kSandboxApp, "nope"},
       "Fin du projet",
       "404 UNKNOWN_APPLICATION",
       "applications"},
      {"no approved access (all or nothing)",
       kSneApprover,
       "sne-cotation",
       {kProductionApp, "mtes-admin-sandbox"},
       "Fin du projet",
       "409 NO_APPROVED_ACCESS",
       "applications"},
      {"inactive account",
       "inactive@pistesim.test",
       "sne-cotation",
       {kSandboxApp},
       "Fin du projet",
       "401 NOT_LOGGED_IN",
       ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_refused(revoke(c.user, c.api, c.apps, c.motif), c.expected, before, 0, c.field);
  }
  EXPECT_EQ(
      outcome_of(t.control_as(kCarteApprover, "GET", "/portal/admin/accesses?api=sne-cotation")),
      "403 NOT_APPROVER");
  EXPECT_EQ(outcome_of(t.control_as(kCarteApprover, "GET", "/portal/admin/accesses?api=nope")),
            "404 UNKNOWN_API");
  // Both at once is fine.
  ASSERT_EQ(
      revoke(kSneApprover, "sne-cotation", {kSandboxApp, kProductionApp}, "Fin du projet").status,
      200);
  EXPECT_EQ(subscription(kSandboxApp, "sne-cotation")->status, SubscriptionStatus::Revoked);
  EXPECT_EQ(subscription(kProductionApp, "sne-cotation")->status, SubscriptionStatus::Revoked);
  EXPECT_EQ(t.sim->mailbox().list(kDemo, "access_revoked").size(), 2u);
}

// --- Views ------------------------------------------------------------------------------------

TEST_F(PortalAccessRequests, RequesterAndOwnerSeeTheirRequests) {
  std::string own = submitted(kDemo, "carte-achat", kSandboxApp, {"cnf"});
  std::string on_behalf = submitted(kAdminMtes, "carte-achat", kProductionApp, {"cnf"});
  json mine = body_of(t.control_as(kDemo, "GET", "/portal/access-requests"));
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0]["id"], own);
  EXPECT_EQ(mine[0]["status"], "pending");
  EXPECT_EQ(mine[1]["id"], on_behalf);
  EXPECT_EQ(mine[1]["status"], "approved");
  json admins = body_of(t.control_as(kAdminMtes, "GET", "/portal/access-requests"));
  ASSERT_EQ(admins.size(), 1u);
  EXPECT_EQ(admins[0]["id"], on_behalf);
  EXPECT_EQ(outcome_of(t.control("GET", "/portal/access-requests")), "401 NOT_LOGGED_IN");
}

TEST_F(PortalAccessRequests, OperatorSeesEveryRequest) {
  std::string a = submitted(kDemo, "carte-achat", kSandboxApp, {"cnf"});
  submitted(kAdminMtes, "carte-achat", kProductionApp, {"cnf"});
  EXPECT_EQ(body_of(t.control("GET", "/access-requests")).size(), 2u);
  EXPECT_EQ(body_of(t.control("GET", "/access-requests?status=pending")).size(), 1u);
  EXPECT_EQ(body_of(t.control("GET", "/access-requests/" + a))["id"], a);
  EXPECT_EQ(outcome_of(t.control("GET", "/access-requests/nope")), "404 UNKNOWN_ACCESS_REQUEST");
  EXPECT_EQ(outcome_of(t.control("GET", "/access-requests?status=x")), "400 INVALID_FIELD");
}

// --- Fixture and formatting -------------------------------------------------------------------

TEST_F(PortalAccessRequests, SeededApproversCanActOnTheirApis) {
  auto s = t.sim->snapshot();
  struct Expect {
    const char* email;
    const char* api;
    const char* organisation;
  };
  for (const auto& e :
       {Expect{kSneApprover, "sne-cotation", "mtes"},
        Expect{"api.externe.sisiao@dihal.gouv.fr", "sisiao-menage", "service-dihal"},
        Expect{kCarteApprover, "carte-achat", "service-chorus"}}) {
    SCOPED_TRACE(e.email);
    const User* u = s->index.user(e.email);
    ASSERT_NE(u, nullptr);
    EXPECT_TRUE(u->active);
    EXPECT_TRUE(u->opt_in_news);
    EXPECT_TRUE(u->is_orgadmin_of(e.organisation));
    EXPECT_TRUE(is_approver(*s->index.api(e.api), e.email));
    EXPECT_TRUE(acting_user(s->world, e.email).ok());
  }
}

TEST_F(PortalAccessRequests, RequestsSurviveAWorldSnapshot) {
  // Every kind of decision the portal records loads back from a snapshot (world_writer.h).
  std::string pending = submitted(kDemo, "carte-achat", kSandboxApp, {"cnf"});
  std::string rejected = submitted(kDemo, "sne-cotation", kProductionApp, {"resource.READ"});
  ASSERT_EQ(decide(kSneApprover, "reject", {rejected}, "Motif « accentué »").status, 200);
  submitted(kAdminMtes, "carte-achat", kProductionApp, {"cnf"});  // OrgAdmin: approved at once
  submitted(kDemo, "dume-donnees", kSandboxApp, {});              // no validation: at once
  const World& now = t.sim->snapshot()->world;
  WorldLoadResult back = load_world_string(write_world_toml(now), "snapshot");
  ASSERT_TRUE(back.ok()) << (back.errors.empty() ? "" : back.errors.front().to_string());
  EXPECT_EQ(back.world.access_requests, now.access_requests);
  EXPECT_EQ(back.world.access_requests.size(), 4u);
  EXPECT_FALSE(pending.empty());
}

TEST(PortalAccessRequestMails, DatesAreParisWallClock) {
  // 002 §6: « 17/06/2025 13:35 » (summer time, UTC+2); winter is UTC+1.
  EXPECT_EQ(format_paris_datetime(1750160100000), "17/06/2025 13:35");
  EXPECT_EQ(format_paris_datetime(kStart), "23/11/2026 11:00");
  EXPECT_EQ(format_paris_datetime(1767225540000), "01/01/2026 00:59");  // 2025-12-31T23:59Z
}

}  // namespace
}  // namespace pistesim::test
