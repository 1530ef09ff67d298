// The served simulator answers a token request and an API call over a real socket.
#include <gtest/gtest.h>

#include "e2e/served_simulator.h"

namespace pistesim::test {

TEST(ServedSimulator, IssuesATokenAndServesLegifrancePingOverHttp) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  const auto& demo = server.info()["demo"]["sandbox"];
  auto client_holder = std::make_unique<HttpClient>(server.base_url());
  HttpClient& client = *client_holder;
  Request token = Request::make(
      "POST", "/sandbox/oauth/api/oauth/token",
      "grant_type=client_credentials&client_id=" + demo["client_id"].get<std::string>() +
          "&client_secret=" + demo["client_secret"].get<std::string>());
  token.headers.add("Content-Type", "application/x-www-form-urlencoded");
  auto r = client.send(token);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->status, 200) << r->body;
  auto access = nlohmann::json::parse(r->body)["access_token"].get<std::string>();

  Request ping = Request::make("GET", "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping");
  ping.headers.add("Authorization", "Bearer " + access);
  r = client.send(ping);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "pong");
  client_holder
      .reset();  // an open keep-alive connection would hold the shutdown for its idle timeout
  EXPECT_EQ(server.stop(), 0) << "SIGTERM must stop the server cleanly";
}

}  // namespace pistesim::test
