// RFC 9112 §3.2.2: a request target in absolute form ("GET http://host/path", as sent to a
// proxy) is accepted, and its host takes part in PISTE host routing.
#include <gtest/gtest.h>

#include "e2e/served_simulator.h"

namespace pistesim::test {

TEST(AbsoluteForm, TargetsWithSchemeAndHostAreServed) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  const std::string port = std::to_string(server.port());
  {
    auto client = server.client();
    auto health =
        client->send(Request::make("GET", "http://127.0.0.1:" + port + "/__pistesim/health"));
    ASSERT_TRUE(health) << health.error().message;
    EXPECT_EQ(health->status, 200) << health->body;

    // The authority names a PISTE host: no path prefix needed, as through a proxy.
    const auto& demo = server.demo("sandbox");
    Request token = Request::make(
        "POST", "http://sandbox-oauth.piste.gouv.fr/api/oauth/token",
        "grant_type=client_credentials&client_id=" + demo["client_id"].get<std::string>() +
            "&client_secret=" + demo["client_secret"].get<std::string>());
    token.headers.add("Content-Type", "application/x-www-form-urlencoded");
    auto issued = client->send(token);
    ASSERT_TRUE(issued) << issued.error().message;
    ASSERT_EQ(issued->status, 200) << issued->body;
    Request ping = Request::make(
        "GET", "http://sandbox-api.piste.gouv.fr/dila/legifrance/lf-engine-app/consult/ping");
    ping.headers.add(
        "Authorization",
        "Bearer " + nlohmann::json::parse(issued->body)["access_token"].get<std::string>());
    auto pong = client->send(ping);
    ASSERT_TRUE(pong) << pong.error().message;
    EXPECT_EQ(pong->status, 200);
    EXPECT_EQ(pong->body, "pong");
  }
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace pistesim::test
