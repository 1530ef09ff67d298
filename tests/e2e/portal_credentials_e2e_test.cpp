// Applications and credentials over a real socket: a user creates a production application,
// reads its secret, subscribes it to an open API and calls it through the URLs the API sheet
// gives; regenerating the secret kills the old one at once (APP-3, APP-5, APP-7, CAT-2, OAU-4).
#include <gtest/gtest.h>

#include "e2e/served_simulator.h"

namespace pistesim::test {

namespace {

using nlohmann::json;

const std::string kDemo = "demo@pistesim.test";

json parse(const Result<Response>& r) {
  if (!r) {
    ADD_FAILURE() << r.error().message;
    return nullptr;
  }
  return json::parse(r->body, nullptr, false);
}

}  // namespace

TEST(PortalCredentialsOverHttp, CreateSubscribeCallAndRegenerate) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  {
    auto client = server.client();
    auto as_demo = [&](const std::string& method, const std::string& path,
                       const json& body = nullptr) {
      Request r = control_request(server, method, path, body);
      r.headers.add("X-Pistesim-User", kDemo);
      auto answer = client->send(r);
      EXPECT_TRUE(answer) << method << " " << path << ": " << answer.error().message;
      return answer;
    };

    // The API sheet says where this simulator serves judilibre.
    auto sheet = parse(as_demo("GET", "/portal/catalogue/judilibre?environment=PRODUCTION"));
    ASSERT_TRUE(sheet.is_object());
    const std::string base = server.base_url();
    const std::string token_url = sheet["pistesim"]["token_url_environment"];
    const std::string api_url = sheet["pistesim"]["base_url"];
    ASSERT_EQ(token_url.rfind(base, 0), 0u) << token_url;
    ASSERT_EQ(api_url.rfind(base, 0), 0u) << api_url;
    const std::string token_path = token_url.substr(base.size());
    const std::string health = api_url.substr(base.size()) + "/healthcheck";

    // Its Swagger downloads from the URL the sheet gives.
    const std::string swagger_url = sheet["swagger_url"];
    Request swagger = Request::make("GET", swagger_url.substr(base.size()));
    swagger.headers.add("Authorization", "Bearer " + server.admin_token());
    auto doc = parse(client->send(swagger));
    ASSERT_TRUE(doc.is_object());
    EXPECT_EQ(doc["swagger"], "2.0");

    // APP-3: a production application with its generated client.
    auto created = as_demo("POST", "/portal/applications",
                           {{"organisation", "mtes"},
                            {"name", "e2e-judilibre"},
                            {"email", "e2e@example.fr"},
                            {"structure_info", "Autre"},
                            {"responsible", "E2E"}});
    ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "");
    json app = parse(created);
    const std::string id = app["id"], client_id = app["oauth_clients"][0]["client_id"];
    const std::string secret_path =
        "/portal/applications/" + id + "/oauth-clients/" + client_id + "/secret";
    const std::string secret = parse(as_demo("GET", secret_path))["client_secret"];

    // APP-5, then a call with a token from the production OAuth server.
    auto sub = as_demo("PUT", "/portal/applications/" + id + "/subscriptions/judilibre");
    ASSERT_TRUE(sub && sub->status == 200) << (sub ? sub->body : "");
    auto issued = client->send(token_request(token_path, client_id, secret));
    ASSERT_TRUE(issued && issued->status == 200) << (issued ? issued->body : "");
    std::string token = parse(issued)["access_token"];
    auto called = client->send(bearer_get(health, token));
    ASSERT_TRUE(called) << called.error().message;
    EXPECT_EQ(called->status, 200) << called->body;
    // OAU-4: unknown to the sandbox OAuth server.
    auto sandbox = client->send(token_request("/sandbox/oauth/api/oauth/token", client_id, secret));
    ASSERT_TRUE(sandbox) << sandbox.error().message;
    EXPECT_EQ(parse(sandbox)["error"], "invalid_client");

    // APP-7: the old secret is refused at once, the new one works.
    std::string fresh = parse(as_demo("POST", secret_path))["client_secret"];
    ASSERT_FALSE(fresh.empty());
    auto old = client->send(token_request(token_path, client_id, secret));
    ASSERT_TRUE(old) << old.error().message;
    EXPECT_EQ(parse(old)["error"], "invalid_client");
    auto renewed = client->send(token_request(token_path, client_id, fresh));
    ASSERT_TRUE(renewed) << renewed.error().message;
    EXPECT_EQ(renewed->status, 200) << renewed->body;
  }
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace pistesim::test
