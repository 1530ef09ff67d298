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

// Why `r` failed, for a test's message ("" when it did not).
template <class R>
std::string why(const R& r) {
  return r ? std::string() : r.error().message;
}

std::unique_ptr<Target> embedded(TargetOptions options = {}) {
  auto t = make_target(options);
  EXPECT_TRUE(t) << why(t);
  return t ? std::move(t).value() : nullptr;
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
    Result<void> bound = server.bind();
    EXPECT_TRUE(bound) << (bound ? "" : bound.error().message);
    server.start();
    sim.set_public_url(server.base_url());
  }
  ~Served() { server.stop(); }
  std::unique_ptr<Target> target() {
    auto t = make_target(remote(server.base_url(), "served-admin-token"));
    EXPECT_TRUE(t) << why(t);
    return t ? std::move(t).value() : nullptr;
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
  auto r = t->send("GET", u.control + "/clock", {});
  ASSERT_TRUE(r) << why(r);
  ASSERT_EQ(r->status, 200) << r->body;  // the admin token was added
  EXPECT_EQ(json::parse(r->body)["now_ms"], 1795424400000);
}

TEST(EmbeddedTarget, HonoursAGivenStartTime) {
  auto t = embedded(with_start(test::kStart));
  auto r = t->send("GET", t->base_urls().control + "/clock", {});
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(json::parse(r->body)["now_ms"], test::kStart);
}

TEST(EmbeddedTarget, IssuesTokensAndJournalsThem) {
  auto t = embedded();
  auto before = t->journal_position();
  ASSERT_TRUE(before);
  auto r =
      t->send("POST", t->base_urls().sandbox_oauth + "/api/oauth/token", form(demo_token_form()));
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, 200) << r->body;
  auto entries = t->journal(*before);
  ASSERT_TRUE(entries) << why(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].kind, JournalKind::Token);
  EXPECT_EQ((*entries)[0].client_id, test::kSandboxClientId);
  EXPECT_EQ((*entries)[0].application, test::kSandboxApp);
  EXPECT_EQ(*t->journal_position(), (*entries)[0].seq);
}

TEST(EmbeddedTarget, RoutesPisteHostNames) {
  auto t = embedded();
  auto r = t->send("POST", "https://sandbox-oauth.piste.gouv.fr/api/oauth/token",
                   form(demo_token_form()));
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST(EmbeddedTarget, RefusesOtherHostsAndMalformedUrls) {
  auto t = embedded();
  auto elsewhere = t->send("GET", "http://example.com/sandbox/api/x", {});
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(why(elsewhere),
            "« http://example.com/sandbox/api/x » is not on the embedded simulator "
            "(http://pistesim.embedded)");
  auto relative = t->send("GET", "/sandbox/api/x", {});
  ASSERT_FALSE(relative);
  EXPECT_NE(why(relative).find("malformed URL"), std::string::npos) << why(relative);
  auto ftp = t->send("GET", "ftp://pistesim.embedded/x", {});
  ASSERT_FALSE(ftp);
  EXPECT_NE(why(ftp).find("http or https"), std::string::npos) << why(ftp);
}

TEST(EmbeddedTarget, AnInjectedDroppedConnectionIsATransportError) {
  auto t = embedded();
  Request arm;
  arm.body = R"({"kind":"drop_connection","api":"legifrance"})";
  arm.headers.add("Content-Type", "application/json");
  auto armed = t->send("POST", t->base_urls().control + "/faults", arm);
  ASSERT_TRUE(armed) << why(armed);
  ASSERT_EQ(armed->status, 201) << armed->body;
  auto token =
      t->send("POST", t->base_urls().sandbox_oauth + "/api/oauth/token", form(demo_token_form()));
  ASSERT_TRUE(token && token->status == 200);
  Request call;
  call.headers.add("Authorization",
                   "Bearer " + json::parse(token->body)["access_token"].get<std::string>());
  auto r = t->send(
      "GET", t->base_urls().sandbox_api + "/dila/legifrance/lf-engine-app/consult/ping", call);
  ASSERT_FALSE(r);
  EXPECT_EQ(why(r), "connection dropped (injected fault)");
}

TEST(EmbeddedTarget, ResetForgetsTokensAndTheJournal) {
  auto t = embedded();
  auto token =
      t->send("POST", t->base_urls().sandbox_oauth + "/api/oauth/token", form(demo_token_form()));
  ASSERT_TRUE(token && token->status == 200);
  auto reset = t->reset();
  ASSERT_TRUE(reset) << why(reset);
  EXPECT_EQ(t->journal(0)->size(), 0u);
  Request call;
  call.headers.add("Authorization",
                   "Bearer " + json::parse(token->body)["access_token"].get<std::string>());
  auto r = t->send(
      "GET", t->base_urls().sandbox_api + "/dila/legifrance/lf-engine-app/consult/ping", call);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, 401);
}

TEST(EmbeddedTarget, StartsALoopbackServerForChildProcesses) {
  auto t = embedded();
  auto sockets = t->socket_urls();
  ASSERT_TRUE(sockets) << why(sockets);
  const BaseUrls& s = *sockets;
  ASSERT_EQ(s.sandbox_oauth.rfind("http://127.0.0.1:", 0), 0u) << s.sandbox_oauth;
  EXPECT_EQ(t->socket_urls()->sandbox_oauth, s.sandbox_oauth);  // started once
  // Over a real socket, on the same simulator: the journal sees it.
  std::string origin = s.sandbox_oauth.substr(0, s.sandbox_oauth.find("/sandbox"));
  HttpClient client(origin);
  Request r = Request::make("POST", "/sandbox/oauth/api/oauth/token", demo_token_form());
  r.headers.add("Content-Type", "application/x-www-form-urlencoded");
  auto answer = client.send(r);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(t->journal(0)->size(), 1u);
  // The runner may also address the loopback URLs themselves.
  auto direct = t->send("GET", s.control + "/clock", {});
  ASSERT_TRUE(direct) << why(direct);
  EXPECT_EQ(direct->status, 200);
}

TEST(MakeTarget, ReportsAWorldThatDoesNotLoad) {
  auto bad =
      make_target(with_world(std::string(PISTESIM_SOURCE_DIR) + "/tests/data/bad-world.toml"));
  ASSERT_FALSE(bad);
  EXPECT_NE(why(bad).find("bad-world.toml:"), std::string::npos) << why(bad);
  auto missing = make_target(with_world("/nonexistent/world.toml"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(why(missing).rfind("cannot load the world /nonexistent/world.toml:\n  ", 0), 0u)
      << why(missing);
}

TEST(MakeTarget, LoadsAWorldFile) {
  auto t =
      make_target(with_world(std::string(PISTESIM_SOURCE_DIR) + "/fixtures/piste-default.toml"));
  ASSERT_TRUE(t) << why(t);
}

TEST(MakeTarget, RejectsMalformedRemoteUrls) {
  for (std::string url :
       {"localhost:8080", "ftp://x", "http://", "http://h:port", "http://h?x=1"}) {
    auto t = make_target(remote(url, "t"));
    ASSERT_FALSE(t) << url;
    EXPECT_NE(why(t).find(url), std::string::npos) << why(t);
  }
  // Credentials in the URL are refused without being repeated.
  auto t = make_target(remote("http://user:pw-123456@h:8080", "t"));
  ASSERT_FALSE(t);
  EXPECT_NE(why(t).find("credentials"), std::string::npos) << why(t);
  EXPECT_EQ(why(t).find("pw-123456"), std::string::npos) << why(t);
}

TEST(MakeTarget, ARemoteTargetNeedsTheAdminToken) {
  const char* saved = std::getenv("PISTESIM_ADMIN_TOKEN");
  std::string keep = saved ? saved : "";
  unsetenv("PISTESIM_ADMIN_TOKEN");
  auto without = make_target(remote("http://127.0.0.1:1", ""));
  ASSERT_FALSE(without);
  EXPECT_NE(why(without).find("--admin-token"), std::string::npos) << why(without);
  setenv("PISTESIM_ADMIN_TOKEN", "from-env", 1);
  auto t = make_target(remote("http://127.0.0.1:1", ""));
  ASSERT_TRUE(t) << why(t);
  EXPECT_EQ((*t)->admin_token(), "from-env");
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
  EXPECT_EQ(t->socket_urls()->control, served.server.base_url() + "/__pistesim");
  auto before = t->journal_position();
  ASSERT_TRUE(before) << why(before);
  auto r =
      t->send("POST", t->base_urls().sandbox_oauth + "/api/oauth/token", form(demo_token_form()));
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, 200) << r->body;
  auto entries = t->journal(*before);
  ASSERT_TRUE(entries) << why(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].client_id, test::kSandboxClientId);
  EXPECT_EQ(*t->journal_position(), (*entries)[0].seq);
  auto reset = t->reset();
  ASSERT_TRUE(reset) << why(reset);
  EXPECT_EQ(t->journal(0)->size(), 0u);
}

TEST(RemoteTarget, FollowsLinksThatNameTheServerDifferently) {
  Served served;
  auto t = served.target();
  std::string port = served.server.base_url().substr(served.server.base_url().rfind(':'));
  auto r = t->send("GET", "http://localhost" + port + "/__pistesim/clock", {});
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, 200);
  auto elsewhere = t->send("GET", "http://example.com/elsewhere", {});
  ASSERT_FALSE(elsewhere);
  EXPECT_NE(why(elsewhere).find("not on the target"), std::string::npos) << why(elsewhere);
}

TEST(RemoteTarget, AWrongAdminTokenIsReported) {
  Served served;
  auto t = make_target(remote(served.server.base_url(), "wrong"));
  ASSERT_TRUE(t);
  auto reset = (*t)->reset();
  ASSERT_FALSE(reset);
  EXPECT_EQ(why(reset), "POST /__pistesim/world/reset answered 401 (wrong or missing admin token)");
}

TEST(RemoteTarget, NoServerIsATransportError) {
  auto t = make_target(remote("http://127.0.0.1:1", "x"));
  ASSERT_TRUE(t);
  auto sent = (*t)->send("GET", "http://127.0.0.1:1/__pistesim/health", {});
  ASSERT_FALSE(sent);
  // The whole reason, not cpp-httplib's bare "Connection" (issue 16 #9).
  EXPECT_EQ(why(sent),
            "cannot connect to http://127.0.0.1:1 (refused, unreachable, or nothing "
            "listens there)");
  auto position = (*t)->journal_position();
  ASSERT_FALSE(position);
  EXPECT_EQ(why(position), "GET /__pistesim/journal?limit=0: " + why(sent));
  auto reset = (*t)->reset();
  ASSERT_FALSE(reset);
  EXPECT_EQ(why(reset), "POST /__pistesim/world/reset: " + why(sent));
}

}  // namespace
}  // namespace pistesim::scenario
