// `serve --access-log`: one line per request on stderr that says why each refusal happened
// (PISTE's 403 and 404 have empty bodies), and never a secret.
#include <gtest/gtest.h>

#include "e2e/served_simulator.h"

namespace pistesim::test {

TEST(AccessLog, SaysWhyEachRequestWasRefusedWithoutLoggingSecrets) {
  ServedSimulator server({"--access-log"});
  ASSERT_TRUE(server.started()) << server.output();
  const auto& demo = server.info()["demo"]["sandbox"];
  const std::string secret = demo["client_secret"].get<std::string>();
  std::string token;
  {
    auto client = server.client();
    Request t = Request::make(
        "POST", "/sandbox/oauth/api/oauth/token",
        "grant_type=client_credentials&client_id=" + demo["client_id"].get<std::string>() +
            "&client_secret=" + secret);
    t.headers.add("Content-Type", "application/x-www-form-urlencoded");
    auto r = client->send(t);
    ASSERT_TRUE(r && r->status == 200);
    token = nlohmann::json::parse(r->body)["access_token"].get<std::string>();

    auto call = [&](const std::string& method, const std::string& target) {
      Request req = Request::make(method, target);
      req.headers.add("Authorization", "Bearer " + token);
      auto answer = client->send(req);
      ASSERT_TRUE(answer);
    };
    call("GET", "/sandbox/api/chorus/v1/carteachat/healthcheck");           // pending request: 403
    call("GET", "/sandbox/api/dila/legifranc/lf-engine-app/consult/ping");  // typo: 404
    call("GET",
         "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping?access_token=" + token);  // 400
    Request bad = Request::make("POST", "/sandbox/oauth/api/oauth/token?client_secret=" + secret,
                                "grant_type=client_credentials");
    bad.headers.add("Content-Type", "application/x-www-form-urlencoded");
    ASSERT_TRUE(client->send(bad));
  }
  ASSERT_EQ(server.stop(), 0);
  // The banner prints the demo credentials on purpose; the access log comes after it.
  const std::string output = server.output();
  const size_t banner_end = output.find("Ctrl-C stops the server.");
  ASSERT_NE(banner_end, std::string::npos) << output;
  const std::string log = output.substr(banner_end);
  EXPECT_NE(log.find("GET /sandbox/api/chorus/v1/carteachat/healthcheck 403 The application "
                     "demo-sandbox has no "
                     "approved access to API carte-achat (request pending)"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("404 no API of SANDBOX has a base path matching "
                     "/dila/legifranc/lf-engine-app/consult/ping"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("POST /sandbox/oauth/api/oauth/token 200"), std::string::npos) << log;
  EXPECT_EQ(log.find(secret), std::string::npos) << "the client secret was logged:\n" << log;
  EXPECT_EQ(log.find(token), std::string::npos) << "an access token was logged:\n" << log;
  EXPECT_EQ(log.find("X-Pistesim-"), std::string::npos) << log;
}

TEST(AccessLog, IsOffByDefault) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  {
    auto client = server.client();
    ASSERT_TRUE(client->send(
        Request::make("GET", "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping")));
  }
  ASSERT_EQ(server.stop(), 0);
  EXPECT_EQ(server.output().find("consult/ping 400"), std::string::npos) << server.output();
}

}  // namespace pistesim::test
