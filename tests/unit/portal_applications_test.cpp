// A user's applications on the portal: list and visibility (ADM-5), production creation and its
// field rules (APP-3), what cannot change (APP-2, APP-4), deactivation (APP-8), deletion, and
// subscription to APIs that need no approval (APP-5, CGU-2) — down to the wire: tokens on the
// right channel only (OAU-4), calls answered once subscribed, refused once withdrawn.
#include <algorithm>

#include "portal/applications.h"
#include "support/portal_forms.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kDemo = "demo@pistesim.test";
const std::string kAdminMtes = "admin-mtes@pistesim.test";
const std::string kPing = "/dila/legifrance/lf-engine-app/consult/ping";

// A valid creation form; tests change one field at a time.
json form(const std::string& name = "mon-application_2024") {
  return application_form(name);
}

class PortalApplications : public ::testing::Test {
 protected:
  const World& world() { return t.sim->snapshot()->world; }

  // Creates a production application as demo; returns its view.
  json create(const json& body = form()) {
    Response r = t.control_as(kDemo, "POST", "/portal/applications", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return body_of(r);
  }
  std::string secret_of(const std::string& app, const std::string& client,
                        const std::string& as = kDemo) {
    Response r = t.control_as(
        as, "GET", "/portal/applications/" + app + "/oauth-clients/" + client + "/secret");
    EXPECT_EQ(r.status, 200) << r.body;
    return body_of(r).value("client_secret", "");
  }
  Response token_response(Channel c, const std::string& id, const std::string& secret) {
    return t.token_request(c, "grant_type=client_credentials&client_id=" + form_encode(id) +
                                  "&client_secret=" + form_encode(secret));
  }
  // A new production application subscribed to legifrance, and its client's credentials.
  struct Created {
    std::string id, client_id, secret;
  };
  Created create_subscribed(const std::string& name = "appli-legifrance") {
    json app = create(form(name));
    Created c{app["id"], app["oauth_clients"][0]["client_id"], ""};
    c.secret = secret_of(c.id, c.client_id);
    EXPECT_EQ(
        t.control_as(kDemo, "PUT", "/portal/applications/" + c.id + "/subscriptions/legifrance")
            .status,
        200);
    return c;
  }
  void expect_unchanged(const World& before) {
    EXPECT_EQ(world(), before);
    EXPECT_TRUE(t.sim->mailbox().list().empty());
  }

  TestSimulator t;
};

std::vector<std::string> ids_of(const json& list) {
  std::vector<std::string> out;
  for (const auto& a : list["applications"]) out.push_back(a["id"]);
  return out;
}

// --- List and view -------------------------------------------------------------------------

TEST_F(PortalApplications, UserListsTheirOwnApplications) {
  json list = body_of(t.control_as(kDemo, "GET", "/portal/applications"));
  EXPECT_EQ(ids_of(list), (std::vector<std::string>{"demo-sandbox", "demo-production"}));
  EXPECT_EQ(list["count"], 2);
  // The owner sees the API key values (never the client secrets).
  json sandbox = list["applications"][0];
  EXPECT_EQ(sandbox["api_keys"][0]["key"], kSandboxApiKey);
  EXPECT_FALSE(sandbox["oauth_clients"][0].contains("client_secret"));
}

TEST_F(PortalApplications, OrgAdminAlsoSeesTheApplicationsOfTheirOrganisation) {
  auto ids = ids_of(body_of(t.control_as(kAdminMtes, "GET", "/portal/applications")));
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"demo-production", "mtes-admin-sandbox"}));
  EXPECT_EQ(t.control_as(kAdminMtes, "GET", "/portal/applications/demo-production").status, 200);
  // demo-sandbox belongs to « Universelle », which admin-mtes does not administer.
  EXPECT_EQ(outcome_of(t.control_as(kAdminMtes, "GET", "/portal/applications/demo-sandbox")),
            "404 UNKNOWN_APPLICATION");
}

TEST_F(PortalApplications, OthersAreToldTheApplicationDoesNotExist) {
  EXPECT_EQ(outcome_of(t.control_as(kDemo, "GET", "/portal/applications/mtes-admin-sandbox")),
            "404 UNKNOWN_APPLICATION");
  EXPECT_EQ(outcome_of(t.control_as(kDemo, "GET", "/portal/applications/nope")),
            "404 UNKNOWN_APPLICATION");
  EXPECT_EQ(outcome_of(t.control("GET", "/portal/applications")), "401 NOT_LOGGED_IN");
  EXPECT_EQ(outcome_of(t.control_as("inactive@pistesim.test", "GET", "/portal/applications")),
            "401 NOT_LOGGED_IN");
}

TEST_F(PortalApplications, ViewShowsTheApplicationSheet) {
  json app = body_of(t.control_as(kDemo, "GET", "/portal/applications/demo-sandbox"));
  EXPECT_EQ(app["name"], "APP_SANDBOX_demo@pistesim.test");
  EXPECT_EQ(app["channel"], "SANDBOX");
  EXPECT_EQ(app["status"], "Approved");
  EXPECT_EQ(app["active"], true);
  EXPECT_EQ(app["api_keys"][0]["key"], kSandboxApiKey);
}

// --- APP-3: creation -----------------------------------------------------------------------

TEST_F(PortalApplications, CreatesAProductionApplicationWithCredentials) {
  json app = create();
  EXPECT_EQ(app["name"], "mon-application_2024");
  EXPECT_EQ(app["channel"], "PRODUCTION");
  EXPECT_EQ(app["organisation"], "mtes");
  EXPECT_EQ(app["owner"], kDemo);
  EXPECT_EQ(app["origin"], "created");
  EXPECT_EQ(app["created_by"], kDemo);
  EXPECT_EQ(app["phone"], "+33 1 23 45 67 89");
  EXPECT_EQ(app["email"], "contact@example.fr");
  EXPECT_EQ(app["structure_info"], "SIRET 13001070900025");
  EXPECT_EQ(app["responsible"], "Camille Martin");
  EXPECT_EQ(app["active"], true);
  EXPECT_EQ(app["created_at"], "2026-11-23T10:00:00.000Z");
  ASSERT_EQ(app["api_keys"].size(), 1u);
  ASSERT_EQ(app["oauth_clients"].size(), 1u);
  EXPECT_EQ(app["oauth_clients"][0]["type"], "confidential");
  EXPECT_EQ(app["api_keys"][0]["key"].get<std::string>().size(), 36u);
  EXPECT_TRUE(app["subscriptions"].empty());
  EXPECT_TRUE(t.sim->mailbox().list().empty());
  // It is in the list now.
  auto ids = ids_of(body_of(t.control_as(kDemo, "GET", "/portal/applications")));
  EXPECT_NE(std::find(ids.begin(), ids.end(), app["id"]), ids.end());
}

TEST_F(PortalApplications, NewApplicationGetsTokensOnProductionOnlyAndCallsOnceSubscribed) {
  json app = create();
  const std::string id = app["id"], client = app["oauth_clients"][0]["client_id"];
  const std::string secret = secret_of(id, client);
  ASSERT_EQ(secret.size(), 36u);
  // OAU-4: a PRODUCTION credential is unknown to the SANDBOX OAuth server.
  Response sandbox = token_response(Channel::Sandbox, client, secret);
  EXPECT_EQ(sandbox.status, 400);
  EXPECT_NE(sandbox.body.find("invalid_client"), std::string::npos);
  // Not subscribed yet: 403.
  std::string token = t.token(Channel::Production, client, secret, "");
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, token).status, 403);
  ASSERT_EQ(
      t.control_as(kDemo, "PUT", "/portal/applications/" + id + "/subscriptions/legifrance").status,
      200);
  Response ping =
      t.call(Channel::Production, "GET", kPing, t.token(Channel::Production, client, secret, ""));
  EXPECT_EQ(ping.status, 200);
  EXPECT_EQ(ping.body, "pong");
}

TEST_F(PortalApplications, CreationAcceptsTheLimits) {
  json j = form(std::string(100, 'a'));
  j["description"] = "";
  j["phone"] = "";
  j.erase("description");
  json app = create(j);
  EXPECT_EQ(app["name"], std::string(100, 'a'));
  EXPECT_EQ(app["phone"], "");
  // Trimmed fields; active flag honoured.
  json k = form("  trimmed-name  ");
  k["responsible"] = "  Jo  ";
  k["active"] = false;
  json inactive = create(k);
  EXPECT_EQ(inactive["name"], "trimmed-name");
  EXPECT_EQ(inactive["responsible"], "Jo");
  EXPECT_EQ(inactive["active"], false);
  // An inactive application gets invalid_client.
  std::string id = inactive["id"], client = inactive["oauth_clients"][0]["client_id"];
  Response r = token_response(Channel::Production, client, secret_of(id, client));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid_client"), std::string::npos);
}

TEST_F(PortalApplications, CreationRefusesEveryFieldRule) {
  struct Case {
    std::string field;
    json value;  // null: remove the field
    std::string outcome;
  };
  const std::vector<Case> cases = {
      {"organisation", nullptr, "400 MISSING_FIELD organisation"},
      {"organisation", "service-dihal", "400 INVALID_ORGANISATION organisation"},
      {"organisation", "nope", "400 INVALID_ORGANISATION organisation"},
      {"name", nullptr, "400 MISSING_FIELD name"},
      {"name", "   ", "400 MISSING_FIELD name"},
      {"name", "mon application", "400 INVALID_NAME name"},
      {"name", "appli.test", "400 INVALID_NAME name"},
      {"name", "éléphant", "400 INVALID_NAME name"},
      {"name", "app@x", "400 INVALID_NAME name"},
      {"name", std::string(101, 'a'), "400 INVALID_NAME name"},
      {"name", "demo-production-app", "409 NAME_TAKEN name"},
      {"name", "DEMO-PRODUCTION-APP", "409 NAME_TAKEN name"},
      {"description", std::string(1001, 'd'), "400 FIELD_TOO_LONG description"},
      {"phone", "01 23 45 67 8x", "400 INVALID_PHONE phone"},
      {"phone", "+ - .", "400 INVALID_PHONE phone"},
      {"phone", std::string(31, '1'), "400 FIELD_TOO_LONG phone"},
      {"email", nullptr, "400 MISSING_FIELD email"},
      {"email", "not-an-email", "400 INVALID_EMAIL email"},
      {"email", "a@b", "400 INVALID_EMAIL email"},
      {"structure_info", nullptr, "400 MISSING_FIELD structure_info"},
      {"structure_info", " \t", "400 MISSING_FIELD structure_info"},
      {"responsible", nullptr, "400 MISSING_FIELD responsible"},
      {"responsible", std::string(256, 'r'), "400 FIELD_TOO_LONG responsible"},
      {"channel", "SANDBOX", "403 SANDBOX_CREATION_FORBIDDEN channel"},
      {"channel", "TEST", "400 INVALID_FIELD channel"},
      {"name", 42, "400 INVALID_FIELD name"},
      {"active", "yes", "400 INVALID_FIELD active"},
      {"email", json::array(), "400 INVALID_FIELD email"},
  };
  World before = world();
  for (const auto& c : cases) {
    json body = form();
    if (c.value.is_null())
      body.erase(c.field);
    else
      body[c.field] = c.value;
    Response r = t.control_as(kDemo, "POST", "/portal/applications", body.dump());
    json j = body_of(r);
    EXPECT_EQ(outcome_of(r) + " " + j.value("field", ""), c.outcome) << c.field << ": " << r.body;
    EXPECT_FALSE(j.value("message", "").empty());
    expect_unchanged(before);
  }
}

TEST_F(PortalApplications, NameRuleMessageIsPistes) {
  Response r = t.control_as(kDemo, "POST", "/portal/applications", form("a b").dump());
  EXPECT_EQ(body_of(r)["message"], std::string(kNameRuleMessage));
}

TEST_F(PortalApplications, SandboxCreationIsRefusedWithTheGuidesWords) {
  json body = form();
  body["channel"] = "SANDBOX";
  Response r = t.control_as(kDemo, "POST", "/portal/applications", body.dump());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(body_of(r)["message"], std::string(kNoSandboxCreationMessage));
}

TEST_F(PortalApplications, TwoApplicationsCannotShareAName) {
  create(form("unique-name"));
  World before = world();
  EXPECT_EQ(outcome_of(t.control_as(kAdminMtes, "POST", "/portal/applications",
                                    form("Unique-Name").dump())),
            "409 NAME_TAKEN");
  expect_unchanged(before);
}

// --- APP-4, APP-2: modification ------------------------------------------------------------

TEST_F(PortalApplications, DetailsChangeButNotTheName) {
  json app = create();
  const std::string path = "/portal/applications/" + app["id"].get<std::string>();
  Response r = t.control_as(kDemo, "PATCH", path,
                            R"({"name":"mon-application_2024","description":"Nouvelle",
                                "phone":"0600000000","email":"autre@example.fr",
                                "structure_info":"Autre","responsible":"MGA"})");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = body_of(r);
  EXPECT_EQ(j["description"], "Nouvelle");
  EXPECT_EQ(j["phone"], "0600000000");
  EXPECT_EQ(j["email"], "autre@example.fr");
  EXPECT_EQ(j["structure_info"], "Autre");
  EXPECT_EQ(j["responsible"], "MGA");
  EXPECT_EQ(j["name"], "mon-application_2024");

  World before = world();
  r = t.control_as(kDemo, "PATCH", path, R"({"name":"renamed","description":"x"})");
  EXPECT_EQ(outcome_of(r), "400 NAME_IMMUTABLE");
  EXPECT_EQ(body_of(r)["field"], "name");
  EXPECT_EQ(body_of(r)["message"], std::string(kNameFixedMessage));
  expect_unchanged(before);
}

TEST_F(PortalApplications, AutoCreatedApplicationKeepsItsNameButDetailsChange) {
  Response r = t.control_as(kDemo, "PATCH", "/portal/applications/demo-sandbox",
                            R"({"name":"APP_SANDBOX_other"})");
  EXPECT_EQ(outcome_of(r), "400 NAME_IMMUTABLE");
  EXPECT_EQ(body_of(r)["message"], std::string(kSandboxNameFixedMessage));
  r = t.control_as(kDemo, "PATCH", "/portal/applications/demo-sandbox",
                   R"({"responsible":"CHET","phone":"01.02.03.04.05"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["responsible"], "CHET");
}

TEST_F(PortalApplications, ModificationRefusals) {
  struct Case {
    std::string body;
    std::string outcome;
  };
  const std::vector<Case> cases = {
      {R"({"organisation":"universelle"})", "400 ORGANISATION_IMMUTABLE"},
      {R"({"email":""})", "400 MISSING_FIELD"},
      {R"({"email":"x@y"})", "400 INVALID_EMAIL"},
      {R"({"phone":"abc"})", "400 INVALID_PHONE"},
      {R"({"structure_info":"  "})", "400 MISSING_FIELD"},
      {R"({"responsible":""})", "400 MISSING_FIELD"},
      {R"({"description":"ok","email":"bad"})", "400 INVALID_EMAIL"},
      {R"({"active":"no"})", "400 INVALID_FIELD"},
      {R"({"description":5})", "400 INVALID_FIELD"},
  };
  World before = world();
  for (const auto& c : cases) {
    EXPECT_EQ(
        outcome_of(t.control_as(kDemo, "PATCH", "/portal/applications/demo-production", c.body)),
        c.outcome)
        << c.body;
    expect_unchanged(before);
  }
  EXPECT_EQ(outcome_of(t.control_as(kDemo, "PATCH", "/portal/applications/mtes-admin-sandbox",
                                    R"({"description":"x"})")),
            "404 UNKNOWN_APPLICATION");
  expect_unchanged(before);
}

// --- APP-8: deactivation -------------------------------------------------------------------

TEST_F(PortalApplications, DeactivatedApplicationGetsInvalidClientUntilReactivated) {
  std::string before_token =
      t.token(Channel::Production, kProductionClientId, kProductionClientSecret, "");
  Response r =
      t.control_as(kDemo, "PATCH", "/portal/applications/demo-production", R"({"active":false})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["active"], false);
  Response tok = token_response(Channel::Production, kProductionClientId, kProductionClientSecret);
  EXPECT_EQ(tok.status, 400);
  EXPECT_NE(tok.body.find("invalid_client"), std::string::npos);
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, before_token).status, 403);

  ASSERT_EQ(
      t.control_as(kDemo, "PATCH", "/portal/applications/demo-production", R"({"active":true})")
          .status,
      200);
  EXPECT_EQ(
      token_response(Channel::Production, kProductionClientId, kProductionClientSecret).status,
      200);
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, before_token).status, 200);
}

TEST_F(PortalApplications, OrgAdminDeactivatesAnApplicationOfTheirOrganisation) {
  Response r = t.control_as(kAdminMtes, "PATCH", "/portal/applications/demo-production",
                            R"({"active":false})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(t.sim->snapshot()->index.application("demo-production")->active);
  EXPECT_EQ(outcome_of(t.control_as(kAdminMtes, "PATCH", "/portal/applications/demo-sandbox",
                                    R"({"active":false})")),
            "404 UNKNOWN_APPLICATION");
}

// --- Deletion ------------------------------------------------------------------------------

TEST_F(PortalApplications, DeletingACreatedApplicationRevokesItsTokens) {
  Created c = create_subscribed();
  std::string token = t.token(Channel::Production, c.client_id, c.secret, "");
  ASSERT_EQ(t.call(Channel::Production, "GET", kPing, token).status, 200);
  Response r = t.control_as(kDemo, "DELETE", "/portal/applications/" + c.id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["deleted"], c.id);
  EXPECT_EQ(t.sim->snapshot()->index.application(c.id), nullptr);
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, token).status, 401);
  EXPECT_EQ(token_response(Channel::Production, c.client_id, c.secret).status, 400);
  EXPECT_EQ(outcome_of(t.control_as(kDemo, "GET", "/portal/applications/" + c.id)),
            "404 UNKNOWN_APPLICATION");
}

TEST_F(PortalApplications, ApplicationsPisteMadeCannotBeDeleted) {
  t.sim->mutate([](World& w) {
    for (auto& a : w.applications)
      if (a.id == "demo-production") a.origin = ApplicationOrigin::Enrolment;
  });
  World before = world();
  for (const char* id : {"demo-sandbox", "demo-production"}) {
    Response r = t.control_as(kDemo, "DELETE", std::string("/portal/applications/") + id);
    EXPECT_EQ(outcome_of(r), "403 APPLICATION_UNDELETABLE") << id;
    EXPECT_EQ(body_of(r)["message"], std::string(kDeleteThroughSupportMessage));
    expect_unchanged(before);
  }
  EXPECT_EQ(outcome_of(t.control_as(kDemo, "DELETE", "/portal/applications/mtes-admin-sandbox")),
            "404 UNKNOWN_APPLICATION");
  expect_unchanged(before);
}

TEST_F(PortalApplications, DeletionDropsTheApplicationsAccessRequests) {
  json app = create();
  const std::string id = app["id"];
  t.sim->mutate([&](World& w) {
    AccessRequest r;
    r.id = "req-1";
    r.api = "carte-achat";
    r.application = id;
    r.requester = kDemo;
    w.access_requests.push_back(r);
  });
  ASSERT_EQ(t.control_as(kDemo, "DELETE", "/portal/applications/" + id).status, 200);
  for (const auto& q : world().access_requests) EXPECT_NE(q.application, id);
  EXPECT_EQ(world().access_requests.size(), 1u);  // the default world's own request stays
}

// --- APP-5: subscription to open APIs ------------------------------------------------------

TEST_F(PortalApplications, SubscribingToAnOpenApiIsImmediateWithItsScopes) {
  json app = create();
  const std::string id = app["id"];
  Response r =
      t.control_as(kDemo, "PUT", "/portal/applications/" + id + "/subscriptions/judilibre");
  ASSERT_EQ(r.status, 200) << r.body;
  json subs = body_of(r)["subscriptions"];
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(subs[0]["api"], "judilibre");
  EXPECT_EQ(subs[0]["status"], "approved");
  // Again: a no-op.
  World before = world();
  EXPECT_EQ(
      t.control_as(kDemo, "PUT", "/portal/applications/" + id + "/subscriptions/judilibre").status,
      200);
  EXPECT_EQ(world(), before);
}

TEST_F(PortalApplications, SubscriptionGrantsEveryScopeOfTheApi) {
  t.sim->mutate([](World& w) {
    for (auto& a : w.apis)
      if (a.id == "e-signature") a.scopes = {"esign.sign", "esign.read"};
  });
  auto r = t.sim->transact([](Transaction& tx) -> PortalResult<Subscription> {
    // e-signature has CGU: accept them first, then subscribe within one operation.
    tx.user(kDemo)->accepted_cgu.push_back({"e-signature", Channel::Production});
    return subscribe_application(tx, kDemo, "demo-production", "e-signature");
  });
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(strings_of(r->scopes), (std::vector<std::string>{"esign.sign", "esign.read"}));
  EXPECT_EQ(r->status, SubscriptionStatus::Approved);
  // APP-8: the application lists its scopes; a token issued now carries them.
  json app = body_of(t.control_as(kDemo, "GET", "/portal/applications/demo-production"));
  // demo-production's SNE-Cotation access lists no scopes: it grants all of the API's.
  EXPECT_EQ(app["scopes"], json({"esign.read", "esign.sign", "resource.READ"}));
  Response tok = token_response(Channel::Production, kProductionClientId, kProductionClientSecret);
  ASSERT_EQ(tok.status, 200) << tok.body;
  EXPECT_NE(body_of(tok)["scope"].get<std::string>().find("esign.sign"), std::string::npos);
}

TEST_F(PortalApplications, SelectingAnApiAlreadyApprovedIsANoOp) {
  // sne-cotation needs approval; demo-production already has it approved.
  World before = world();
  EXPECT_EQ(
      t.control_as(kDemo, "PUT", "/portal/applications/demo-production/subscriptions/sne-cotation")
          .status,
      200);
  expect_unchanged(before);
}

TEST_F(PortalApplications, RevokedAccessCanNeitherBeSelectedAgainNorWithdrawn) {
  t.sim->mutate([](World& w) {
    for (auto& a : w.applications)
      if (a.id == "demo-production")
        a.subscription("legifrance")->status = SubscriptionStatus::Revoked;
  });
  World before = world();
  const std::string path = "/portal/applications/demo-production/subscriptions/legifrance";
  EXPECT_EQ(outcome_of(t.control_as(kDemo, "PUT", path)), "409 ACCESS_REVOKED");
  EXPECT_EQ(outcome_of(t.control_as(kDemo, "DELETE", path)), "409 ACCESS_REVOKED");
  expect_unchanged(before);
}

TEST_F(PortalApplications, ApiNeedingApprovalGoesThroughAnAccessRequest) {
  World before = world();
  Response r =
      t.control_as(kDemo, "PUT", "/portal/applications/demo-production/subscriptions/carte-achat");
  EXPECT_EQ(outcome_of(r), "409 APPROVAL_REQUIRED");
  EXPECT_NE(body_of(r)["message"].get<std::string>().find("Demander l'accès"), std::string::npos);
  expect_unchanged(before);
}

TEST_F(PortalApplications, ApiWithCguNeedsTheActingUsersConsentForTheChannel) {
  const std::string path = "/portal/applications/mtes-admin-sandbox/subscriptions/e-signature";
  World before = world();
  EXPECT_EQ(outcome_of(t.control_as(kAdminMtes, "PUT", path)), "409 CGU_NOT_ACCEPTED");
  expect_unchanged(before);
  // Consent on the other channel does not count.
  ASSERT_EQ(t.control_as(kAdminMtes, "POST", "/portal/api-cgu",
                         R"({"accept":[{"api":"e-signature","channel":"PRODUCTION"}]})")
                .status,
            200);
  EXPECT_EQ(outcome_of(t.control_as(kAdminMtes, "PUT", path)), "409 CGU_NOT_ACCEPTED");
  ASSERT_EQ(t.control_as(kAdminMtes, "POST", "/portal/api-cgu",
                         R"({"accept":[{"api":"e-signature","channel":"SANDBOX"}]})")
                .status,
            200);
  EXPECT_EQ(t.control_as(kAdminMtes, "PUT", path).status, 200);
}

TEST_F(PortalApplications, CguConsentIsTheActingUsersNotTheOwners) {
  // demo accepted the CGU of cpro-factures; admin-mtes (OrgAdmin acting on demo's application)
  // did not.
  const std::string path = "/portal/applications/demo-production/subscriptions/cpro-factures";
  EXPECT_EQ(outcome_of(t.control_as(kAdminMtes, "PUT", path)), "409 CGU_NOT_ACCEPTED");
  EXPECT_EQ(t.control_as(kDemo, "PUT", path).status, 200);
}

TEST_F(PortalApplications, SubscriptionRefusals) {
  t.sim->mutate([](World& w) {
    for (auto& a : w.applications)
      if (a.id == "demo-production") {
        Subscription s;
        s.api = "dume-acheteurs";
        s.status = SubscriptionStatus::Revoked;
        a.subscriptions.push_back(s);
      }
  });
  struct Case {
    std::string app, api, outcome;
  };
  const std::vector<Case> cases = {
      {"demo-production", "nope", "404 UNKNOWN_API"},
      {"demo-production", "sisiao-menage", "404 UNKNOWN_API"},  // not in demo's catalogue
      {"demo-production", "api-test-try-it", "409 WRONG_CHANNEL"},
      {"demo-production", "dume-acheteurs", "409 ACCESS_REVOKED"},
      {"mtes-admin-sandbox", "legifrance", "404 UNKNOWN_APPLICATION"},
      {"nope", "legifrance", "404 UNKNOWN_APPLICATION"},
  };
  World before = world();
  for (const auto& c : cases) {
    EXPECT_EQ(outcome_of(t.control_as(kDemo, "PUT",
                                      "/portal/applications/" + c.app + "/subscriptions/" + c.api)),
              c.outcome)
        << c.app << " " << c.api;
    expect_unchanged(before);
  }
}

TEST_F(PortalApplications, SubscribedChorusProApiAnswersOnceItsRaccordementIsDeclared) {
  json app = create();
  const std::string id = app["id"], client = app["oauth_clients"][0]["client_id"];
  ASSERT_EQ(
      t.control_as(kDemo, "PUT", "/portal/applications/" + id + "/subscriptions/cpro-transverses")
          .status,
      200);
  std::string token = t.token(Channel::Production, client, secret_of(id, client), "");
  Request req = Request::make("POST", "/cpro/transverses/v1/recuperer/pays", "{}");
  req.headers.add("Authorization", "Bearer " + token);
  req.headers.add("Content-Type", "application/json");
  req.headers.add("cpro-account", cpro_account());
  // Chorus Pro serves the technical account's structure only to the applications it connected
  // (003 §3.B): none names this new application yet.
  Response r = t.sim->handle(Endpoint::ProductionApi, req);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("raccordement"), std::string::npos) << r.body;
  json raccordement = {{"structure", "13001070900025"},
                       {"environment", "PRODUCTION"},
                       {"application", app["name"]},
                       {"contact_name", "Contact"},
                       {"contact_email", "tech@pistesim.test"}};
  ASSERT_EQ(t.control("POST", "/chorus-pro/raccordements", raccordement.dump()).status, 201);
  r = t.sim->handle(Endpoint::ProductionApi, req);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("GCU_MSG_01_000"), std::string::npos);
}

TEST_F(PortalApplications, WithdrawingAnApiStopsItsCalls) {
  Created c = create_subscribed();
  std::string token = t.token(Channel::Production, c.client_id, c.secret, "");
  ASSERT_EQ(t.call(Channel::Production, "GET", kPing, token).status, 200);
  Response r =
      t.control_as(kDemo, "DELETE", "/portal/applications/" + c.id + "/subscriptions/legifrance");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(body_of(r)["subscriptions"].empty());
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, token).status, 403);
  World before = world();
  EXPECT_EQ(outcome_of(t.control_as(kDemo, "DELETE",
                                    "/portal/applications/" + c.id + "/subscriptions/legifrance")),
            "404 UNKNOWN_SUBSCRIPTION");
  expect_unchanged(before);
}

TEST_F(PortalApplications, WithdrawingAPendingAccessClosesItsRequest) {
  // The default world's pending Carte Achat access has its request (req-demo-carte-achat).
  ASSERT_EQ(
      t.control_as(kDemo, "DELETE", "/portal/applications/demo-sandbox/subscriptions/carte-achat")
          .status,
      200);
  ASSERT_EQ(world().access_requests.size(), 1u);
  EXPECT_EQ(world().access_requests[0].id, "req-demo-carte-achat");
  EXPECT_EQ(world().access_requests[0].status, RequestStatus::Rejected);
  EXPECT_EQ(world().access_requests[0].decided_at, kStart);
}

}  // namespace
}  // namespace pistesim::test

namespace pistesim::test {
namespace {

// 000 §6.2: « Une fois la première demande d'accès validée, la case est cochée et éditable »:
// an approved Carte Achat access unticked can be ticked again, without a new request; an access
// never approved still needs one.
TEST(PortalReticking, AnAccessApprovedOnceCanBeTickedAgain) {
  TestSimulator t;
  const std::string target = "/portal/applications/demo-sandbox/subscriptions/carte-achat";
  EXPECT_EQ(outcome_of(t.control_as(kDemo, "DELETE", target)), "200 ");
  EXPECT_EQ(outcome_of(t.control_as(kDemo, "PUT", target)), "409 APPROVAL_REQUIRED");
  t.sim->mutate([](World& w) {
    AccessRequest r;
    r.id = "req-approved";
    r.api = "carte-achat";
    r.application = "demo-sandbox";
    r.requester = kDemo;
    r.scopes = {"cnf"};
    r.status = RequestStatus::Approved;
    w.access_requests.push_back(r);
  });
  Response r = t.control_as(kDemo, "PUT", target);
  ASSERT_EQ(r.status, 200) << r.body;
  const Subscription* sub =
      t.sim->snapshot()->index.application("demo-sandbox")->subscription("carte-achat");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->status, SubscriptionStatus::Approved);
  EXPECT_EQ(strings_of(sub->scopes), std::vector<std::string>{"cnf"});
}

}  // namespace
}  // namespace pistesim::test
