// Targets: the embedded simulator (in-process, its own world and manual clock) and a remote one
// reached over HTTP, which must look the same to the runner.
#include "scenario_engine/target.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <memory>
#include <string>

#include "clock/clock.h"
#include "core/simulator.h"
#include "http/http_client.h"
#include "http/http_server.h"
#include "support/demo_credentials.h"
#include "wire/encoding.h"
#include "world/default_world.h"

namespace pistesim::scenario {
namespace {

using nlohmann::json;

HttpServerOptions loopback() {
  HttpServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  return o;
}

TargetOptions remote(const std::string& url, const std::string& admin_token) {
  TargetOptions o;
  o.url = url;
  o.admin_token = admin_token;
  return o;
}

TargetOptions with_world(const std::string& world) {
  TargetOptions o;
  o.world = world;
  return o;
}

TargetOptions with_start(int64_t start_ms) {
  TargetOptions o;
  o.start_ms = start_ms;
  return o;
}

std::unique_ptr<Target> embedded(TargetOptions options = {}) {
  std::string error;
  auto t = make_target(options, &error);
  EXPECT_TRUE(t) << error;
  return t;
}

Request form(const std::string& body) {
  Request r;
  r.body = body;
  r.headers.add("Content-Type", "application/x-www-form-urlencoded");
  return r;
}

std::string demo_token_form() {
  return "grant_type=client_credentials&client_id=" + std::string(test::kSandboxClientId) +
         "&client_secret=" + test::kSandboxClientSecret + "&scope=openid";
}

// A simulator served on a loopback port in this process, and a remote target pointed at it.
struct Served {
  Served()
      : sim(load_default_world().world, SimulatorOptions{Profile::Piste, "served-admin-token"},
            std::make_shared<ManualClock>(test::kStart)),
        server(sim, loopback()) {
    std::string error;
    EXPECT_TRUE(server.bind(&error)) << error;
    server.start();
    sim.set_public_url(server.base_url());
  }
  ~Served() { server.stop(); }
  std::unique_ptr<Target> target() {
    std::string error;
    auto t = make_target(remote(server.base_url(), "served-admin-token"), &error);
    EXPECT_TRUE(t) << error;
    return t;
  }
  Simulator sim;
  HttpServer server;
};

TEST(EmbeddedTarget, NamesInProcessUrlsAndStartsAtTheFixedInstant) {
  auto t = embedded();
  EXPECT_EQ(t->description(), "embedded");
  BaseUrls u = t->base_urls();
  EXPECT_EQ(u.sandbox_oauth, "http://pistesim.embedded/sandbox/oauth");
  EXPECT_EQ(u.production_api, "http://pistesim.embedded/production/api");
  EXPECT_EQ(u.control, "http://pistesim.embedded/__pistesim");
  std::string error;
  auto r = t->send("GET", u.control + "/clock", {}, &error);
  ASSERT_TRUE(r) << error;
  ASSERT_EQ(r->status, 200) << r->body;  // the admin token was added
  EXPECT_EQ(json::parse(r->body)["now_ms"], 1795424400000);
}

TEST(EmbeddedTarget, HonoursAGivenStartTime) {
  auto t = embedded(with_start(test::kStart));
  std::string error;
  auto r = t->send("GET", t->base_urls().control + "/clock", {}, &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(json::parse(r->body)["now_ms"], test::kStart);
}

TEST(EmbeddedTarget, IssuesTokensAndJournalsThem) {
  auto t = embedded();
  std::string error;
  auto before = t->journal_position(&error);
  ASSERT_TRUE(before);
  auto r = t->send("POST", t->base_urls().sandbox_oauth + "/api/oauth/token",
                   form(demo_token_form()), &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->status, 200) << r->body;
  auto entries = t->journal(*before, &error);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].kind, JournalKind::Token);
  EXPECT_EQ(entries[0].client_id, test::kSandboxClientId);
  EXPECT_EQ(entries[0].application, test::kSandboxApp);
  EXPECT_EQ(t->journal_position(&error), entries[0].seq);
}

TEST(EmbeddedTarget, RoutesPisteHostNames) {
  auto t = embedded();
  std::string error;
  auto r = t->send("POST", "https://sandbox-oauth.piste.gouv.fr/api/oauth/token",
                   form(demo_token_form()), &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST(EmbeddedTarget, RefusesOtherHostsAndMalformedUrls) {
  auto t = embedded();
  std::string error;
  EXPECT_FALSE(t->send("GET", "http://example.com/sandbox/api/x", {}, &error));
  EXPECT_NE(error.find("not on the embedded simulator"), std::string::npos) << error;
  EXPECT_FALSE(t->send("GET", "/sandbox/api/x", {}, &error));
  EXPECT_NE(error.find("malformed URL"), std::string::npos) << error;
  EXPECT_FALSE(t->send("GET", "ftp://pistesim.embedded/x", {}, &error));
  EXPECT_NE(error.find("http or https"), std::string::npos) << error;
}

TEST(EmbeddedTarget, AnInjectedDroppedConnectionIsATransportError) {
  auto t = embedded();
  std::string error;
  Request arm;
  arm.body = R"({"kind":"drop_connection","api":"legifrance"})";
  arm.headers.add("Content-Type", "application/json");
  auto armed = t->send("POST", t->base_urls().control + "/faults", arm, &error);
  ASSERT_TRUE(armed) << error;
  ASSERT_EQ(armed->status, 201) << armed->body;
  auto token = t->send("POST", t->base_urls().sandbox_oauth + "/api/oauth/token",
                       form(demo_token_form()), &error);
  ASSERT_TRUE(token && token->status == 200);
  Request call;
  call.headers.add("Authorization",
                   "Bearer " + json::parse(token->body)["access_token"].get<std::string>());
  auto r =
      t->send("GET", t->base_urls().sandbox_api + "/dila/legifrance/lf-engine-app/consult/ping",
              call, &error);
  EXPECT_FALSE(r);
  EXPECT_EQ(error, "connection dropped (injected fault)");
}

TEST(EmbeddedTarget, ResetForgetsTokensAndTheJournal) {
  auto t = embedded();
  std::string error;
  auto token = t->send("POST", t->base_urls().sandbox_oauth + "/api/oauth/token",
                       form(demo_token_form()), &error);
  ASSERT_TRUE(token && token->status == 200);
  ASSERT_TRUE(t->reset(&error)) << error;
  EXPECT_EQ(t->journal(0, &error).size(), 0u);
  Request call;
  call.headers.add("Authorization",
                   "Bearer " + json::parse(token->body)["access_token"].get<std::string>());
  auto r =
      t->send("GET", t->base_urls().sandbox_api + "/dila/legifrance/lf-engine-app/consult/ping",
              call, &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->status, 401);
}

TEST(EmbeddedTarget, StartsALoopbackServerForChildProcesses) {
  auto t = embedded();
  std::string error;
  BaseUrls s = t->socket_urls(&error);
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_EQ(s.sandbox_oauth.rfind("http://127.0.0.1:", 0), 0u) << s.sandbox_oauth;
  EXPECT_EQ(t->socket_urls(&error).sandbox_oauth, s.sandbox_oauth);  // started once
  // Over a real socket, on the same simulator: the journal sees it.
  std::string origin = s.sandbox_oauth.substr(0, s.sandbox_oauth.find("/sandbox"));
  HttpClient client(origin);
  Request r = Request::make("POST", "/sandbox/oauth/api/oauth/token", demo_token_form());
  r.headers.add("Content-Type", "application/x-www-form-urlencoded");
  auto answer = client.send(r, &error);
  ASSERT_TRUE(answer) << error;
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(t->journal(0, &error).size(), 1u);
  // The runner may also address the loopback URLs themselves.
  auto direct = t->send("GET", s.control + "/clock", {}, &error);
  ASSERT_TRUE(direct) << error;
  EXPECT_EQ(direct->status, 200);
}

TEST(MakeTarget, ReportsAWorldThatDoesNotLoad) {
  std::string error;
  EXPECT_FALSE(make_target(
      with_world(std::string(PISTESIM_SOURCE_DIR) + "/tests/data/bad-world.toml"), &error));
  EXPECT_NE(error.find("bad-world.toml:"), std::string::npos) << error;
  EXPECT_FALSE(make_target(with_world("/nonexistent/world.toml"), &error));
  EXPECT_FALSE(error.empty());
}

TEST(MakeTarget, LoadsAWorldFile) {
  std::string error;
  auto t = make_target(
      with_world(std::string(PISTESIM_SOURCE_DIR) + "/fixtures/piste-default.toml"), &error);
  ASSERT_TRUE(t) << error;
}

TEST(MakeTarget, RejectsMalformedRemoteUrls) {
  std::string error;
  for (std::string url :
       {"localhost:8080", "ftp://x", "http://", "http://h:port", "http://h?x=1"}) {
    EXPECT_FALSE(make_target(remote(url, "t"), &error)) << url;
    EXPECT_NE(error.find(url), std::string::npos) << error;
  }
  // Credentials in the URL are refused without being repeated.
  EXPECT_FALSE(make_target(remote("http://user:pw-123456@h:8080", "t"), &error));
  EXPECT_NE(error.find("credentials"), std::string::npos) << error;
  EXPECT_EQ(error.find("pw-123456"), std::string::npos) << error;
}

TEST(MakeTarget, ARemoteTargetNeedsTheAdminToken) {
  const char* saved = std::getenv("PISTESIM_ADMIN_TOKEN");
  std::string keep = saved ? saved : "";
  unsetenv("PISTESIM_ADMIN_TOKEN");
  std::string error;
  EXPECT_FALSE(make_target(remote("http://127.0.0.1:1", ""), &error));
  EXPECT_NE(error.find("--admin-token"), std::string::npos) << error;
  setenv("PISTESIM_ADMIN_TOKEN", "from-env", 1);
  auto t = make_target(remote("http://127.0.0.1:1", ""), &error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->admin_token(), "from-env");
  if (saved)
    setenv("PISTESIM_ADMIN_TOKEN", keep.c_str(), 1);
  else
    unsetenv("PISTESIM_ADMIN_TOKEN");
}

TEST(RemoteTarget, SpeaksToAServedSimulatorLikeTheEmbeddedOne) {
  Served served;
  auto t = served.target();
  EXPECT_EQ(t->description(), served.server.base_url());
  EXPECT_EQ(t->base_urls().sandbox_api, served.server.base_url() + "/sandbox/api");
  EXPECT_EQ(t->socket_urls(nullptr).control, served.server.base_url() + "/__pistesim");
  std::string error;
  auto before = t->journal_position(&error);
  ASSERT_TRUE(before) << error;
  auto r = t->send("POST", t->base_urls().sandbox_oauth + "/api/oauth/token",
                   form(demo_token_form()), &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->status, 200) << r->body;
  auto entries = t->journal(*before, &error);
  ASSERT_EQ(entries.size(), 1u) << error;
  EXPECT_EQ(entries[0].client_id, test::kSandboxClientId);
  EXPECT_EQ(t->journal_position(&error), entries[0].seq);
  ASSERT_TRUE(t->reset(&error)) << error;
  EXPECT_EQ(t->journal(0, &error).size(), 0u);
}

TEST(RemoteTarget, FollowsLinksThatNameTheServerDifferently) {
  Served served;
  auto t = served.target();
  std::string port = served.server.base_url().substr(served.server.base_url().rfind(':'));
  std::string error;
  auto r = t->send("GET", "http://localhost" + port + "/__pistesim/clock", {}, &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(t->send("GET", "http://example.com/elsewhere", {}, &error));
  EXPECT_NE(error.find("not on the target"), std::string::npos) << error;
}

TEST(RemoteTarget, AWrongAdminTokenIsReported) {
  Served served;
  std::string error;
  auto t = make_target(remote(served.server.base_url(), "wrong"), &error);
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->reset(&error));
  EXPECT_NE(error.find("admin token"), std::string::npos) << error;
}

TEST(RemoteTarget, NoServerIsATransportError) {
  std::string error;
  auto t = make_target(remote("http://127.0.0.1:1", "x"), &error);
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->send("GET", "http://127.0.0.1:1/__pistesim/health", {}, &error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(t->journal_position(&error));
}

}  // namespace
}  // namespace pistesim::scenario
