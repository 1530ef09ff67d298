// A client pointed at http://sandbox-oauth.localhost:PORT (PISTE's host names, no path prefix)
// reaches the same endpoints as one using the path prefixes: the Host header routes.
#include <gtest/gtest.h>

#include "e2e/served_simulator.h"

namespace pistesim::test {

namespace {

Request with_host(Request r, const std::string& host) {
  r.headers.set("Host", host);
  return r;
}

}  // namespace

TEST(HostRouting, PisteHostNamesNeedNoPathPrefix) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  auto client = server.client();
  const std::string port = std::to_string(server.port());

  for (std::string channel : {"sandbox", "production"}) {
    SCOPED_TRACE(channel);
    const std::string oauth_host = channel == "sandbox" ? "sandbox-oauth" : "oauth";
    const std::string api_host = channel == "sandbox" ? "sandbox-api" : "api";
    const auto& creds = server.demo(channel);

    auto r = client->send(
        with_host(token_request("/api/oauth/token", creds["client_id"], creds["client_secret"]),
                  oauth_host + ".localhost:" + port));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->status, 200) << r->body;
    std::string token = nlohmann::json::parse(r->body)["access_token"];

    // Without a port, as a client behind a proxy on :80 would send it.
    r = client->send(with_host(bearer_get("/dila/legifrance/lf-engine-app/consult/ping", token),
                               api_host + ".localhost"));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->body, "pong");

    // The host names the channel: the token is refused on the other channel's API host.
    const std::string other_api = channel == "sandbox" ? "api" : "sandbox-api";
    r = client->send(with_host(bearer_get("/dila/legifrance/lf-engine-app/consult/ping", token),
                               other_api + ".localhost:" + port));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 401);
  }

  // The same unprefixed path on the plain address reaches no endpoint: the host did the routing.
  auto r = client->send(token_request("/api/oauth/token", server.demo("sandbox")["client_id"],
                                      server.demo("sandbox")["client_secret"]));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 404) << r->body;
  client.reset();
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace pistesim::test
