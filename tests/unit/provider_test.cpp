// The mock providers behind the gateway (docs/behaviours.md GW-6, WIRE-10, WIRE-11): through the
// in-process gateway with the default world, and match_route() on hand-made APIs.
#include "providers/provider.h"

#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

const std::string kSne = "/mtes/sne-cotation/v1.0/healthcheck";
const std::string kStructures = "/cpro/structures/v1/rechercher";
const std::string kLegifrance = "/dila/legifrance/lf-engine-app";
const std::string kJudilibre = "/cassation/judilibre/v1.0";

nlohmann::json json_of(const Response& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

class ProviderTest : public ::testing::Test {
 protected:
  Response get(const std::string& target) { return t.call(Channel::Sandbox, "GET", target, token); }

  // A Chorus Pro call: POST JSON with an optional cpro-account header.
  Response chorus(const std::string& body, const std::string* account) {
    Request r = Request::make("POST", kStructures, body);
    r.headers.add("Authorization", "Bearer " + token);
    r.headers.add("Content-Type", "application/json");
    if (account) r.headers.add("cpro-account", *account);
    return t.sim->handle(Endpoint::SandboxApi, r);
  }

  TestSimulator t;
  std::string token = t.token();
};

// --- GW-6: SNE-Cotation's business profile ---------------------------------------------------

TEST_F(ProviderTest, SneCotationRefusesAnApplicationWithoutABusinessProfile) {
  Response r = get(kSne);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type(), "application/json");
  auto j = json_of(r);
  EXPECT_EQ(j["code"], "ERRAUTUSR0001");
  EXPECT_TRUE(j["message"].get<std::string>().starts_with(
      "Aucun profil métier n'est attribué à cette application cliente."));
}

TEST_F(ProviderTest, SneCotationAnswersOnceTheProfileIsGrantedAndStopsWhenWithdrawn) {
  ASSERT_EQ(
      t.control("POST", "/applications/demo-sandbox/business-profiles", R"({"api":"sne-cotation"})")
          .status,
      200);
  Response r = get(kSne);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json_of(r), nlohmann::json({{"version", "1.0"}, {"etat", "OK"}}));
  // The same token keeps working: the profile is the provider's, not a scope.
  ASSERT_EQ(t.control("DELETE", "/applications/demo-sandbox/business-profiles/sne-cotation").status,
            200);
  EXPECT_EQ(json_of(get(kSne))["code"], "ERRAUTUSR0001");
}

TEST_F(ProviderTest, TheBusinessProfileIsPerApplication) {
  ASSERT_EQ(t.control("POST", "/applications/demo-production/business-profiles",
                      R"({"api":"sne-cotation"})")
                .status,
            200);
  EXPECT_EQ(json_of(get(kSne))["code"], "ERRAUTUSR0001");
  std::string prod = t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  EXPECT_EQ(json_of(t.call(Channel::Production, "GET", kSne, prod))["etat"], "OK");
}

// --- WIRE-10: Chorus Pro cpro-account --------------------------------------------------------

TEST_F(ProviderTest, ChorusWithoutTheTechnicalAccountIs401) {
  Response r = chorus(R"({"parametres":{}})", nullptr);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json_of(r)["codeRetour"], 401);
  std::string empty;
  EXPECT_EQ(chorus(R"({"parametres":{}})", &empty).status, 401);
}

TEST_F(ProviderTest, ChorusWithAWrongTechnicalAccountIs403) {
  for (const std::string& account :
       {base64_encode("TECH_1_pistesim@cpro.fr:wrong"), std::string("not base64!"),
        std::string("TECH_1_pistesim@cpro.fr:Chorus-Tech-2024!")}) {
    SCOPED_TRACE(account);
    Response r = chorus(R"({"parametres":{}})", &account);
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(json_of(r)["codeRetour"], 403);
  }
}

TEST_F(ProviderTest, ChorusWithTheRightAccountAnswersCodeRetour0) {
  std::string account = cpro_account();
  Response r = chorus(R"({"parametres":{}})", &account);
  EXPECT_EQ(r.status, 200);
  auto j = json_of(r);
  EXPECT_EQ(j["codeRetour"], 0);
  EXPECT_EQ(j["libelle"], "GCU_MSG_01_000");
  EXPECT_TRUE(j["listeStructures"].is_array());
}

TEST_F(ProviderTest, ChorusWithoutParametresAnswersItsCodeRetourError) {
  std::string account = cpro_account();
  for (const char* body : {R"({"autre":1})", "", "not json", R"(["parametres"])"}) {
    SCOPED_TRACE(body);
    Response r = chorus(body, &account);
    EXPECT_EQ(r.status, 400);
    auto j = json_of(r);
    EXPECT_NE(j["codeRetour"], 0);
    EXPECT_EQ(j["codeRetour"], 20001);
  }
}

// --- WIRE-11: Légifrance, Judilibre ----------------------------------------------------------

TEST_F(ProviderTest, LegifrancePingAnswersPongAsPlainText) {
  Response r = get(kLegifrance + "/consult/ping");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "pong");
  EXPECT_EQ(r.content_type(), "text/plain;charset=ISO-8859-1");  // 000 §8
}

TEST_F(ProviderTest, LegifranceSearchIsPostJson) {
  Response ok = t.call(Channel::Sandbox, "POST", kLegifrance + "/search", token,
                       R"({"recherche":{"champs":[]},"fond":"CODE_DATE"})", "application/json");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(json_of(ok)["totalResultNumber"], 1);
  EXPECT_EQ(t.call(Channel::Sandbox, "POST", kLegifrance + "/search", token,
                   R"({"fond":"CODE_DATE"})", "application/json")
                .status,
            400);
  // GET on a POST resource matches no route.
  EXPECT_EQ(get(kLegifrance + "/search").status, 404);
}

// What @socialgouv/dila-api-client fetches besides getArticle and search: the list of codes (its
// README posts no body) and a code's table of contents, sections nesting articles.
TEST_F(ProviderTest, LegifranceListsCodesAndATableOfContents) {
  Response codes =
      t.call(Channel::Sandbox, "POST", kLegifrance + "/list/code", token, "", "application/json");
  ASSERT_EQ(codes.status, 200) << codes.body;
  auto list = json_of(codes);
  ASSERT_TRUE(list["results"].is_array());
  EXPECT_EQ(list["totalResultNumber"], list["results"].size());
  for (const auto& code : list["results"]) {
    EXPECT_EQ(code["id"].get<std::string>().rfind("LEGITEXT", 0), 0u) << code.dump();
    EXPECT_TRUE(code["titre"].is_string()) << code.dump();
  }

  Response toc = t.call(
      Channel::Sandbox, "POST", kLegifrance + "/consult/code/tableMatieres", token,
      R"({"textId":"LEGITEXT000006072050","date":1704067200000,"sctId":""})", "application/json");
  ASSERT_EQ(toc.status, 200) << toc.body;
  auto j = json_of(toc);
  EXPECT_EQ(j["title"], "Code du travail");
  const auto& chapter = j["sections"][0]["sections"][0];
  ASSERT_TRUE(chapter["articles"].is_array()) << toc.body;
  EXPECT_EQ(chapter["articles"][0]["num"], "L1");
  EXPECT_EQ(chapter["articles"][0]["id"].get<std::string>().rfind("LEGIARTI", 0), 0u);

  // Without textId and date, the real API's 400.
  Response bad = t.call(Channel::Sandbox, "POST", kLegifrance + "/consult/code/tableMatieres",
                        token, R"({"sctId":""})", "application/json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json_of(bad)["error"], "Bad Request");
}

TEST_F(ProviderTest, JudilibreSearchRequiresAQuery) {
  struct Case {
    std::string query;
    int status;
  };
  for (const auto& c : {Case{"", 400}, Case{"?query=", 400}, Case{"?q=responsabilite", 400},
                        Case{"?query=responsabilit%C3%A9", 200}, Case{"?page=0&query=x", 200}}) {
    SCOPED_TRACE(c.query);
    Response r = get(kJudilibre + "/search" + c.query);
    EXPECT_EQ(r.status, c.status) << r.body;
    if (c.status == 200) {
      EXPECT_EQ(json_of(r)["total"], 2);
    }
  }
}

TEST_F(ProviderTest, AnUnknownResourceIs404FromTheProvider) {
  Response r = get(kLegifrance + "/no/such/resource");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type(), "application/json");
  EXPECT_EQ(json_of(r)["message"], "Ressource introuvable");
  // The call was counted: it passed the gateway.
  EXPECT_NE(r.headers.get("x-rate-limit"), "[]");
  // The bare base path is no resource either.
  EXPECT_EQ(get(kLegifrance).status, 404);
}

TEST_F(ProviderTest, HeadGetsTheHeadersOfGetWithoutTheBody) {
  Response head = t.call(Channel::Sandbox, "HEAD", kLegifrance + "/consult/ping", token);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.content_type(), "text/plain;charset=ISO-8859-1");
}

// --- match_route() on hand-made routes -------------------------------------------------------

ProviderRoute route(std::string method, std::string path, int status, bool prefix = false) {
  ProviderRoute r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.prefix = prefix;
  r.answer.status = status;
  return r;
}

int matched(const Api& api, const std::string& method, const std::string& target,
            const std::string& body = {}) {
  Request req = Request::make(method, target, body);
  const ProviderRoute* r = match_route(api, req.path, req);
  return r ? r->answer.status : 0;
}

TEST(ProviderRoutes, RoutesAreTriedInOrderWithTheirConditions) {
  Api api;
  api.routes = {route("GET", "/docs", 201, true),
                route("*", "/any", 202),
                route("GET", "/q", 203),
                route("GET", "/q", 204),
                route("POST", "/j", 205),
                route("POST", "/j", 206),
                route("GET", "/", 207)};
  api.routes[2].requires_query = {"a", "b"};
  api.routes[4].requires_json = {"k"};
  struct Case {
    const char* method;
    const char* target;
    const char* body;
    int status;
  };
  for (const auto& c :
       {Case{"GET", "/docs", "", 201}, Case{"GET", "/docs/a/b", "", 201},
        Case{"GET", "/docsx", "", 0}, Case{"HEAD", "/docs/a", "", 201},
        Case{"POST", "/docs", "", 0}, Case{"DELETE", "/any", "", 202}, Case{"GET", "/any/x", "", 0},
        Case{"GET", "/q?a=1&b=2", "", 203}, Case{"GET", "/q?a=1", "", 204},
        Case{"GET", "/q?a=1&b=", "", 204}, Case{"POST", "/j", R"({"k":null})", 205},
        Case{"POST", "/j", R"({"x":1})", 206}, Case{"GET", "", "", 207},
        Case{"GET", "/", "", 207}}) {
    SCOPED_TRACE(std::string(c.method) + " " + c.target);
    EXPECT_EQ(matched(api, c.method, c.target, c.body), c.status);
  }
}

TEST(ProviderRoutes, ARouteCanAddHeaders) {
  Api api;
  api.id = "x";
  api.routes = {route("GET", "/h", 200)};
  api.routes[0].answer.headers = {{"X-Provider", "mock"}};
  api.routes[0].answer.body = "{}";
  Application app;
  Request req = Request::make("GET", "/h");
  Response r = provider_answer(World{}, api, app, "/h", req);
  EXPECT_EQ(r.headers.get("X-Provider"), "mock");
  EXPECT_EQ(r.content_type(), "application/json");
}

TEST(ProviderRoutes, TheTechnicalAccountIsCheckedBeforeTheBusinessProfile) {
  Api api;
  api.id = "x";
  TechnicalAccountCheck check;
  check.header = "acct";
  check.accounts = {"l:p"};
  check.missing = ProviderAnswer{401, "application/json", "m", {}};
  check.invalid = ProviderAnswer{403, "application/json", "i", {}};
  api.technical_account = check;
  api.business_profile_gate = ProviderAnswer{200, "application/json", "gate", {}};
  api.routes = {route("GET", "/r", 200)};
  Application app;
  Request req = Request::make("GET", "/r");
  EXPECT_EQ(provider_answer(World{}, api, app, "/r", req).status, 401);
  req.headers.add("acct", base64_encode("l:p"));
  EXPECT_EQ(provider_answer(World{}, api, app, "/r", req).body, "gate");
  app.business_profiles = {"x"};
  EXPECT_EQ(provider_answer(World{}, api, app, "/r", req).status, 200);
}

}  // namespace
}  // namespace pistesim::test
