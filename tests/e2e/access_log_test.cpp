// `serve --access-log`: one line per request on stderr that says why each refusal happened
// (PISTE's 403 and 404 have empty bodies), and never a secret.
#include <gtest/gtest.h>

#include "e2e/raw_socket.h"
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
    ASSERT_EQ(status_of(r), 200) << outcome(r);
    token = nlohmann::json::parse(r->body)["access_token"].get<std::string>();

    auto call = [&](const std::string& method, const std::string& target) {
      Request req = Request::make(method, target);
      req.headers.add("Authorization", "Bearer " + token);
      auto answer = client->send(req);
      ASSERT_TRUE(answer) << answer.error().message;
    };
    call("GET", "/sandbox/api/chorus/v1/carteachat/healthcheck");           // pending request: 403
    call("GET", "/sandbox/api/dila/legifranc/lf-engine-app/consult/ping");  // typo: 404
    call("GET",
         "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping?access_token=" + token);  // 400
    Request bad = Request::make("POST", "/sandbox/oauth/api/oauth/token?client_secret=" + secret,
                                "grant_type=client_credentials");
    bad.headers.add("Content-Type", "application/x-www-form-urlencoded");
    auto refused = client->send(bad);
    ASSERT_TRUE(refused) << refused.error().message;
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

TEST(AccessLog, NeverPrintsUserinfoOrQueryOfAnyTarget) {
  ServedSimulator server({"--access-log"});
  ASSERT_TRUE(server.started()) << server.output();
  struct Case {
    std::string request;
    int status;
  };
  // Absolute form with userinfo (RFC 9110 §4.2.4: an error) and with a query; origin form with
  // a query; a request refused before the core saw it, its target carrying a query.
  const Case cases[] = {
      {"GET http://user:Secret1@127.0.0.1/__pistesim/health HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET http://127.0.0.1/__pistesim/health?client_secret=Secret2 HTTP/1.1\r\nHost: x\r\n"
       "Connection: close\r\n\r\n",
       200},
      {"GET /__pistesim/health?client_secret=Secret3 HTTP/1.1\r\nHost: x\r\n"
       "Connection: close\r\n\r\n",
       200},
      {"GET /__pistesim/health?client_secret=Secret4 HTTP/1.1\r\n\r\n", 400},  // no Host
  };
  for (const Case& c : cases) EXPECT_EQ(exchange_once(server.port(), c.request).status(), c.status);
  ASSERT_EQ(server.stop(), 0);
  const std::string log = server.output();
  for (const char* secret : {"Secret1", "Secret2", "Secret3", "Secret4"})
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << " was logged:\n" << log;
  EXPECT_NE(log.find(" 400 userinfo in the request target"), std::string::npos) << log;
  EXPECT_NE(log.find(" 400 missing Host field"), std::string::npos) << log;
  EXPECT_NE(log.find("GET /__pistesim/health 200"), std::string::npos) << log;
}

TEST(AccessLog, IsOffByDefault) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  {
    auto client = server.client();
    auto r = client->send(
        Request::make("GET", "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping"));
    ASSERT_TRUE(r) << r.error().message;
  }
  ASSERT_EQ(server.stop(), 0);
  EXPECT_EQ(server.output().find("consult/ping 400"), std::string::npos) << server.output();
}

}  // namespace pistesim::test
