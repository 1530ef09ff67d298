// What PISTE clients do, over real sockets: the SNE-Cotation business-profile journey, Chorus
// Pro with a technical account, Judilibre with an API key, the production channel, and the
// wall between channels (OAU-4, G5).
#include <gtest/gtest.h>

#include "e2e/served_simulator.h"
#include "wire/encoding.h"

namespace pistesim::test {

namespace {

using nlohmann::json;

constexpr const char* kSneHealth = "/mtes/sne-cotation/v1.0/healthcheck";
constexpr const char* kPing = "/dila/legifrance/lf-engine-app/consult/ping";
constexpr const char* kChorusAccount = "TECH_1_pistesim@cpro.fr:Chorus-Tech-2024!";

class Journeys : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started()) << server_.output();
    client_ = server_.client();
  }
  void TearDown() override { client_.reset(); }  // before the server stops

  Response send(const Request& r) {
    auto answer = client_->send(r);
    if (!answer) {
      ADD_FAILURE() << r.method << " " << r.path << ": " << answer.error().message;
      Response none;
      none.status = 0;
      return none;
    }
    return *answer;
  }
  Request chorus_search(const std::string& channel, const std::string& token,
                        const std::string* account) {
    Request r = Request::make(
        "POST", "/" + channel + "/api/cpro/structures/v1/rechercher",
        R"({"parametres":{"nbResultatsParPage":10,"pageResultatDemandee":1},"structure":{"identifiantStructure":"13001070900025"}})");
    r.headers.add("Authorization", "Bearer " + token);
    r.headers.add("Content-Type", "application/json;charset=utf-8");
    if (account) r.headers.add("cpro-account", *account);
    return r;
  }

  ServedSimulator server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace

TEST_F(Journeys, SneCotationAnswersOkOnceTheAdministratorsGiveAProfile) {
  std::string token = fetch_token(*client_, server_, "sandbox");
  ASSERT_FALSE(token.empty());

  // GW-6: the application is approved but has no business profile yet.
  Response r = send(bearer_get(std::string("/sandbox/api") + kSneHealth, token));
  EXPECT_EQ(r.status, 200);
  json body = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body.value("code", ""), "ERRAUTUSR0001") << r.body;
  EXPECT_NE(body.value("message", "").find("Aucun profil métier"), std::string::npos) << r.body;

  // The API's administrators grant the profile (control API).
  std::string app = server_.demo("sandbox")["application"];
  r = send(control_request(server_, "POST", "/applications/" + app + "/business-profiles",
                           {{"api", "sne-cotation"}}));
  ASSERT_EQ(r.status, 200) << r.body;

  // Same token: the profile is the application's state, not the token's.
  r = send(bearer_get(std::string("/sandbox/api") + kSneHealth, token));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body, nullptr, false), json({{"version", "1.0"}, {"etat", "OK"}}))
      << r.body;
}

TEST_F(Journeys, ChorusProStructuresSearchNeedsTheTechnicalAccount) {
  std::string token = fetch_token(*client_, server_, "sandbox");
  ASSERT_FALSE(token.empty());
  std::string account = base64_encode(kChorusAccount);

  Response r = send(chorus_search("sandbox", token, &account));
  EXPECT_EQ(r.status, 200) << r.body;
  json body = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body.value("codeRetour", -1), 0) << r.body;
  EXPECT_EQ(body.value("libelle", ""), "GCU_MSG_01_000");
  ASSERT_TRUE(body.contains("listeStructures")) << r.body;
  EXPECT_FALSE(body["listeStructures"].empty());
  EXPECT_FALSE(r.headers.get("x-correlation-id").empty());

  // WIRE-10: no cpro-account → 401, an unknown account → 403, both with a Chorus business body.
  r = send(chorus_search("sandbox", token, nullptr));
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_NE(json::parse(r.body, nullptr, false).value("codeRetour", 0), 0) << r.body;
  std::string wrong = base64_encode("TECH_1_pistesim@cpro.fr:wrong-password");
  r = send(chorus_search("sandbox", token, &wrong));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(json::parse(r.body, nullptr, false).value("codeRetour", 0), 0) << r.body;
}

TEST_F(Journeys, JudilibreAcceptsTheApplicationKeyInKeyId) {
  const std::string search =
      "/sandbox/api/cassation/judilibre/v1.0/search?query=responsabilit%C3%A9";
  Request r = Request::make("GET", search);
  r.headers.add("KeyId", server_.demo("sandbox")["api_key"].get<std::string>());
  Response a = send(r);
  EXPECT_EQ(a.status, 200) << a.body;
  json body = json::parse(a.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << a.body;
  EXPECT_FALSE(body["results"].empty()) << a.body;

  // WIRE-9: no key at all answers 400; a key that is nobody's 401.
  a = send(Request::make("GET", search));
  EXPECT_EQ(a.status, 400);
  r.headers.set("KeyId", "00000000-0000-0000-0000-000000000000");
  a = send(r);
  EXPECT_EQ(a.status, 401);
  EXPECT_NE(a.headers.get("WWW-Authenticate").find("invalid_token"), std::string::npos);
}

TEST_F(Journeys, ProductionCredentialsWorkOnTheProductionChannel) {
  std::string token = fetch_token(*client_, server_, "production");
  ASSERT_FALSE(token.empty());
  Response r = send(bearer_get(std::string("/production/api") + kPing, token));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "pong");
  // The production application has a per-second quota: x-rate-limit says so.
  EXPECT_NE(r.headers.get("x-rate-limit").find("\"window\": 1,"), std::string::npos)
      << r.headers.get("x-rate-limit");

  std::string account = base64_encode(kChorusAccount);
  r = send(chorus_search("production", token, &account));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(Journeys, ChannelsAreIsolatedOverTheWire) {
  std::string sandbox = fetch_token(*client_, server_, "sandbox");
  std::string production = fetch_token(*client_, server_, "production");
  ASSERT_FALSE(sandbox.empty());
  ASSERT_FALSE(production.empty());

  // Tokens: each works on its own channel only.
  EXPECT_EQ(send(bearer_get(std::string("/sandbox/api") + kPing, sandbox)).status, 200);
  Response r = send(bearer_get(std::string("/production/api") + kPing, sandbox));
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.headers.get("WWW-Authenticate").find("error=\"invalid_token\""), std::string::npos);
  r = send(bearer_get(std::string("/sandbox/api") + kPing, production));
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.headers.get("WWW-Authenticate").find("error=\"invalid_token\""), std::string::npos);

  // Credentials: the sandbox client is unknown to the production token endpoint and the reverse.
  const auto& sb = server_.demo("sandbox");
  const auto& prod = server_.demo("production");
  r = send(
      token_request("/production/oauth/api/oauth/token", sb["client_id"], sb["client_secret"]));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body, nullptr, false).value("error", ""), "invalid_client") << r.body;
  r = send(
      token_request("/sandbox/oauth/api/oauth/token", prod["client_id"], prod["client_secret"]));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body, nullptr, false).value("error", ""), "invalid_client") << r.body;

  // API keys too.
  Request keyed = Request::make("GET", "/production/api/cassation/judilibre/v1.0/healthcheck");
  keyed.headers.add("KeyId", sb["api_key"].get<std::string>());
  EXPECT_EQ(send(keyed).status, 401);
  keyed.headers.set("KeyId", prod["api_key"].get<std::string>());
  EXPECT_EQ(send(keyed).status, 200);
}

}  // namespace pistesim::test
