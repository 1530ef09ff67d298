// `pistesim serve --profile rfc` answers strictly per RFC 6749/6750 over the wire, where the
// default profile answers as PISTE does (docs/conformance-checklist.md A1, F2; WIRE-4).
#include <gtest/gtest.h>

#include "e2e/served_simulator.h"

namespace pistesim::test {

namespace {
constexpr const char* kPing = "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping";
constexpr const char* kTokenPath = "/sandbox/oauth/api/oauth/token";
}  // namespace

TEST(RfcProfile, BareChallengeWithoutTokenAnd405OnGetToken) {
  ServedSimulator server({"--profile", "rfc"});
  ASSERT_TRUE(server.started()) << server.output();
  EXPECT_EQ(server.info().value("profile", ""), "rfc");
  auto client = server.client();

  // RFC 6750 §3.1: no credentials → 401 and a challenge without an error code.
  auto r = client->send(Request::make("GET", kPing));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->headers.get("WWW-Authenticate"), "Bearer realm=\"PISTE\"");

  // RFC 9110 §15.5.6: 405 names the allowed method.
  r = client->send(Request::make("GET", kTokenPath));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 405) << r->body;
  EXPECT_EQ(r->headers.get("Allow"), "POST");
  EXPECT_EQ(nlohmann::json::parse(r->body, nullptr, false).value("error", ""), "invalid_request")
      << r->body;
  EXPECT_EQ(r->headers.get("Cache-Control"), "no-store");

  // A token still works.
  std::string token = fetch_token(*client, server, "sandbox");
  r = client->send(bearer_get(kPing, token));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  client.reset();
  EXPECT_EQ(server.stop(), 0);
}

TEST(RfcProfile, PisteProfileAnswersAsPisteInstead) {
  ServedSimulator server;  // default profile
  ASSERT_TRUE(server.started()) << server.output();
  auto client = server.client();
  auto r = client->send(Request::make("GET", kPing));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->headers.get("WWW-Authenticate"),
            "Bearer realm=\"PISTE\",error=\"invalid_request\",error_description=\"Unable to find "
            "token in the message\"");
  r = client->send(Request::make("GET", kTokenPath));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 400);
  client.reset();
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace pistesim::test
