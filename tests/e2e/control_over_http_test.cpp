// The control API over a real socket: arming a fault, the failure a client sees, and DELETE
// requests with and without a body.
#include <gtest/gtest.h>

#include "e2e/served_simulator.h"

namespace pistesim::test {

TEST(ControlOverHttp, AnArmedFaultReachesTheClientAndDeleteDisarmsIt) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  {
    auto client = server.client();
    auto control = [&](const std::string& method, const std::string& path,
                       const std::string& body = {}) {
      Request r = Request::make(method, "/__pistesim" + path, body);
      r.headers.add("Authorization", "Bearer " + server.admin_token());
      if (!body.empty()) r.headers.add("Content-Type", "application/json");
      auto answer = client->send(r);
      EXPECT_TRUE(answer) << method << " " << path;
      return answer ? answer->status : 0;
    };
    const auto& demo = server.demo("sandbox");
    Request t = Request::make(
        "POST", "/sandbox/oauth/api/oauth/token",
        "grant_type=client_credentials&client_id=" + demo["client_id"].get<std::string>() +
            "&client_secret=" + demo["client_secret"].get<std::string>());
    t.headers.add("Content-Type", "application/x-www-form-urlencoded");
    auto issued = client->send(t);
    ASSERT_TRUE(issued && issued->status == 200);
    Request ping = Request::make("GET", "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping");
    ping.headers.add(
        "Authorization",
        "Bearer " + nlohmann::json::parse(issued->body)["access_token"].get<std::string>());

    ASSERT_EQ(control("POST", "/faults", R"({"api":"legifrance","status":502,"count":-1})"), 201);
    auto failed = client->send(ping);
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->status, 502);
    EXPECT_NE(failed->headers.find("x-correlation-id"), nullptr);

    EXPECT_EQ(control("DELETE", "/faults"), 200);  // no body
    auto served = client->send(ping);
    ASSERT_TRUE(served);
    EXPECT_EQ(served->status, 200);
    EXPECT_EQ(served->body, "pong");

    ASSERT_EQ(
        control("PUT", "/applications/demo-sandbox/quota", R"({"api":"legifrance","limit":1})"),
        200);
    EXPECT_EQ(control("DELETE", "/applications/demo-sandbox/quota", R"({"api":"legifrance"})"),
              200);  // a body
  }
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace pistesim::test
