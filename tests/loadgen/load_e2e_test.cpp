// Load runs over real loopback sockets: against the embedded simulator (quotas must hold), and
// against a deliberately leaky fake target that the verifier must flag.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "core/simulator.h"
#include "http/http_server.h"
#include "loadgen/reports.h"
#include "loadgen/runner.h"
#include "loadgen/target.h"
#include "world/default_world.h"

namespace pistesim::loadgen {
namespace {

constexpr Nanos kMs = 1000000;

const Check* find_check(const Verdict& v, const std::string& name) {
  for (const auto& c : v.checks)
    if (c.name == name) return &c;
  return nullptr;
}

Workload flood(size_t apps, double rate_per_app, int64_t limit, Nanos duration) {
  Workload w;
  w.name = "flood";
  ApplicationGroup g;
  g.name = "flood";
  g.count = apps;
  g.rate = rate_per_app;
  g.quota = QuotaSpec{limit, QuotaWindow::Second};
  w.groups = {g};
  w.mix = default_mix();
  w.duration = duration;
  w.connections = 8;
  w.threads = 1;
  return w;
}

// The issue's acceptance test: an application's quota lowered to 5/s, offered 10x that for
// about 2 s through the embedded simulator; the report must flag no over-admission.
TEST(LoadE2E, EmbeddedSimulatorHoldsALoweredQuotaUnderTenTimesTheLoad) {
  Workload w = flood(2, 50, 5, 2000 * kMs);
  auto target = start_embedded_target(w, EmbeddedOptions{});
  LoadResult r = run_load(w, target->info(), RunOptions{});
  Verdict v = verify(r, Thresholds{});
  SCOPED_TRACE(text_summary(r, v));
  EXPECT_TRUE(v.ok());
  const Check* over = find_check(v, "no over-admission");
  ASSERT_NE(over, nullptr);
  EXPECT_TRUE(over->ok);
  EXPECT_TRUE(v.violations.empty());
  EXPECT_GT(r.refusals, 100u) << "10x the quota must be refused most of the time";
  EXPECT_EQ(r.tokens_issued, 2u) << "one token per application, reused";
  ASSERT_EQ(r.ledgers.size(), 2u);
  uint64_t admitted = 0;
  for (const auto& [app, l] : r.ledgers)
    for (const auto& [i, c] : l.windows()) {
      EXPECT_LE(c.admitted, 5u);
      admitted += c.admitted + c.admitted_straddle;
    }
  // About 2 s (2 or 3 windows) of 5 per application.
  EXPECT_GE(admitted, 2u * 5u * 2u);
  EXPECT_LE(admitted, 2u * 5u * 3u);
  EXPECT_TRUE(r.errors.empty()) << r.to_json()["errors"].dump();
}

// A target that issues the same token to everyone and admits every call, whatever the quota.
class LeakyTarget {
 public:
  LeakyTarget() {
    server_.Post(".*/api/oauth/token", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_header("Pragma", "no-cache");
      res.set_content(
          R"({"access_token":"same-for-everyone","token_type":"Bearer","expires_in":3600})",
          "application/json");
    });
    server_.Get(".*", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("pong", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LeakyTarget() {
    server_.stop();
    thread_.join();
  }
  TargetInfo info(size_t apps, int64_t limit) const {
    TargetInfo t;
    t.label = "leaky";
    t.host = "127.0.0.1";
    t.port = port_;
    t.host_header = "127.0.0.1:" + std::to_string(port_);
    for (int c = 0; c < 2; ++c) {
      t.oauth_prefix[c] = c ? "/production/oauth" : "/sandbox/oauth";
      t.api_prefix[c] = c ? "/production/api" : "/sandbox/api";
    }
    for (size_t i = 0; i < apps; ++i) {
      AppCredentials a;
      a.id = "leaky-" + std::to_string(i);
      a.client_id = "id";
      a.client_secret = "secret";
      a.quota = {limit, QuotaWindow::Second};
      t.apps.push_back(a);
    }
    return t;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

TEST(LoadE2E, VerifierFlagsALeakyTarget) {
  LeakyTarget leaky;
  Workload w = flood(2, 50, 5, 1500 * kMs);
  LoadResult r = run_load(w, leaky.info(2, 5), RunOptions{});
  Verdict v = verify(r, Thresholds{});
  SCOPED_TRACE(text_summary(r, v));
  EXPECT_FALSE(v.ok());
  const Check* over = find_check(v, "no over-admission");
  ASSERT_NE(over, nullptr);
  EXPECT_FALSE(over->ok);
  ASSERT_FALSE(v.violations.empty());
  EXPECT_EQ(v.violations.front().kind, QuotaViolation::Kind::OverAdmission);
  const Check* unique = find_check(v, "tokens unique");
  ASSERT_NE(unique, nullptr);
  EXPECT_FALSE(unique->ok) << "two applications got the same token";
  EXPECT_EQ(r.refusals, 0u);
}

// --plain with --method/--body: any server receives the method, body and Content-Type asked
// for (the yardstick a token endpoint is compared with: a bare handler given the same POST).
TEST(LoadE2E, PlainTargetSendsTheMethodBodyAndContentTypeAskedFor) {
  httplib::Server server;
  std::atomic<int> matching{0}, other{0};
  const std::string form = "grant_type=client_credentials&client_id=a&client_secret=b";
  server.Post("/token", [&](const httplib::Request& req, httplib::Response& res) {
    bool ok = req.body == form &&
              req.get_header_value("Content-Type") == "application/x-www-form-urlencoded";
    ++(ok ? matching : other);
    res.status = ok ? 200 : 400;
    res.set_content("{}", "application/json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread listener([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  Workload w;
  ApplicationGroup g;
  g.name = "plain";
  g.count = 2;
  g.rate = 100;
  w.groups = {g};
  MixEntry m;
  m.kind = RequestKind::Plain;
  m.method = "POST";
  m.path = "/token";
  m.body = form;
  m.content_type = "application/x-www-form-urlencoded";
  w.mix = {m};
  w.duration = 500 * kMs;
  w.connections = 2;
  w.threads = 1;
  auto target = plain_target(w, "http://127.0.0.1:" + std::to_string(port), TlsClientOptions{});
  LoadResult r = run_load(w, target->info(), RunOptions{});
  server.stop();
  listener.join();
  Verdict v = verify(r, Thresholds{});
  SCOPED_TRACE(text_summary(r, v));
  EXPECT_TRUE(v.ok());
  EXPECT_GT(r.completed, 50u);
  EXPECT_EQ(other.load(), 0) << "a request arrived without the body or Content-Type asked for";
  EXPECT_EQ(static_cast<uint64_t>(matching.load()), r.completed);
}

TEST(LoadE2E, ResultsRoundTripThroughJsonAndShardsMerge) {
  Workload w = flood(4, 20, 10, 800 * kMs);
  auto target = start_embedded_target(w, EmbeddedOptions{});
  Workload first = w, second = w;
  first.shard_count = second.shard_count = 2;
  first.shard_index = 0;
  second.shard_index = 1;
  // One target, two "processes" each playing half the applications (the shard of its own).
  TargetInfo a = target->info(), b = target->info();
  a.apps = {target->info().apps[0], target->info().apps[2]};
  b.apps = {target->info().apps[1], target->info().apps[3]};
  LoadResult ra = run_load(first, a, RunOptions{});
  LoadResult rb = run_load(second, b, RunOptions{});
  LoadResult back = LoadResult::from_json(nlohmann::json::parse(ra.to_json().dump()));
  EXPECT_EQ(back.to_json(), ra.to_json());

  LoadResult merged;
  merged.merge(back);
  merged.merge(LoadResult::from_json(rb.to_json()));
  EXPECT_EQ(merged.processes, 2u);
  EXPECT_EQ(merged.completed, ra.completed + rb.completed);
  EXPECT_EQ(merged.ledgers.size(), 4u);
  EXPECT_EQ(merged.tokens_issued, 4u);
  EXPECT_EQ(merged.duplicate_tokens, 0u);
  Verdict v = verify(merged, Thresholds{});
  EXPECT_TRUE(v.ok()) << text_summary(merged, v);
  // The reports render the merged whole.
  std::string html = html_report(merged, v);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("PASSED"), std::string::npos);
  EXPECT_EQ(html.find("secret"), std::string::npos);
}

// Two nodes of one PISTE (here the same simulator reached as two nodes): each application's calls
// alternate between them, one token serves both, quotas hold over the union, and the answers by
// node survive JSON and a merge of shards.
TEST(LoadE2E, SeveralNodesShareTheCallsOfEachApplication) {
  Workload w = flood(2, 40, 5, 1500 * kMs);
  w.connections = 4;
  auto target = start_embedded_target(w, EmbeddedOptions{});
  TargetInfo t = target->info();
  for (const char* label : {"node-a", "node-b"}) {
    TargetNode n{label, t.host, t.port, t.host_header, 0, 1};
    t.nodes.push_back(n);
  }
  LoadResult r = run_load(w, t, RunOptions{});
  Verdict v = verify(r, Thresholds{});
  EXPECT_TRUE(v.ok()) << text_summary(r, v);
  EXPECT_EQ(r.tokens_issued, 2u) << "one token per application, used on both nodes";
  EXPECT_GT(r.refusals, 50u);
  ASSERT_EQ(r.answers_by_node.size(), 2u);
  const uint64_t a = r.answers_by_node["node-a"], b = r.answers_by_node["node-b"];
  EXPECT_LE(a > b ? a - b : b - a, 2u) << a << " / " << b << ": calls alternate";
  LoadResult back = LoadResult::from_json(nlohmann::json::parse(r.to_json().dump()));
  EXPECT_EQ(back.answers_by_node, r.answers_by_node);
  back.merge(r);
  EXPECT_EQ(back.answers_by_node["node-a"], 2 * a);
  EXPECT_NE(text_summary(r, v).find("node-a"), std::string::npos);
  EXPECT_NE(html_report(r, v).find("Answers by node: node-a"), std::string::npos);
}

TEST(LoadE2E, ThresholdsSetTheVerdict) {
  Workload w = flood(1, 20, 100, 500 * kMs);
  auto target = start_embedded_target(w, EmbeddedOptions{});
  LoadResult r = run_load(w, target->info(), RunOptions{});
  Thresholds impossible;
  impossible.max_p99_ns = 0;
  impossible.min_rate = 1e9;
  Verdict v = verify(r, impossible);
  EXPECT_FALSE(v.ok());
  EXPECT_FALSE(find_check(v, "p99 <= 0.000 ms")->ok);
  Thresholds easy;
  easy.max_p99_ns = 10000 * kMs;
  easy.min_rate = 1;
  EXPECT_TRUE(verify(r, easy).ok()) << text_summary(r, verify(r, easy));
}

// A running simulator reached over HTTP only: the load generator creates its applications through
// the portal API, subscribes them, sets their quotas and reads the target's clock.
// The default world served over loopback by `pistesim serve`'s server, admin token
// "load-test-admin", on `clock`.
class ServedWorld {
 public:
  explicit ServedWorld(std::shared_ptr<Clock> clock) {
    WorldLoadResult world = load_default_world();
    if (!world.ok()) throw std::runtime_error(world.errors.front().to_string());
    SimulatorOptions so;
    so.admin_token = "load-test-admin";
    sim_ = std::make_unique<Simulator>(std::move(world.world), so, std::move(clock));
    HttpServerOptions ho;
    ho.port = 0;
    server_ = std::make_unique<HttpServer>(*sim_, ho);
    if (Result<void> bound = server_->bind(); !bound)
      throw std::runtime_error(bound.error().message);
    server_->start();
  }
  ~ServedWorld() { server_->stop(); }
  Simulator& sim() { return *sim_; }
  std::string url() const { return server_->base_url(); }

 private:
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<HttpServer> server_;
};

TEST(LoadE2E, RemoteTargetIsProvisionedThroughTheControlApi) {
  auto clock = std::make_shared<SystemClock>();
  clock->advance(3600 * 1000);  // the target's clock is an hour ahead: windows follow it
  ServedWorld served(clock);
  Workload w = flood(2, 40, 4, 1500 * kMs);
  auto target = connect_remote_target(w, served.url(), "load-test-admin", "t1");
  ASSERT_EQ(target->info().apps.size(), 2u);
  EXPECT_EQ(target->info().apps[0].quota, (QuotaSpec{4, QuotaWindow::Second}));
  EXPECT_NEAR(static_cast<double>(target->info().clock_offset_ms), 3600000.0, 1000.0);
  LoadResult r = run_load(w, target->info(), RunOptions{});
  Verdict v = verify(r, Thresholds{});
  EXPECT_TRUE(v.ok()) << text_summary(r, v);
  EXPECT_GT(r.refusals, 50u);
}

// SANDBOX applications on a remote target: each is an account registered and activated
// through the portal (its APP_SANDBOX_<email>), subscribed by its owner; quotas hold as well.
TEST(LoadE2E, RemoteTargetGetsSandboxApplicationsThroughAccounts) {
  ServedWorld served(std::make_shared<SystemClock>());
  Workload w = flood(2, 40, 4, 1500 * kMs);
  ApplicationGroup sandbox = w.groups.front();
  sandbox.name = "sbx";
  sandbox.channel = Channel::Sandbox;
  w.groups.push_back(sandbox);
  auto target = connect_remote_target(w, served.url(), "load-test-admin", "t2");
  ASSERT_EQ(target->info().apps.size(), 4u);
  auto snap = served.sim().snapshot();
  for (const AppCredentials& a : target->info().apps) {
    SCOPED_TRACE(a.id);
    const Application* app = snap->index.application(a.id);
    ASSERT_NE(app, nullptr);
    EXPECT_EQ(a.quota, (QuotaSpec{4, QuotaWindow::Second}));
    EXPECT_EQ(app->channel, a.channel);
    if (a.channel == Channel::Sandbox) {
      EXPECT_EQ(app->name, "APP_SANDBOX_" + app->owner);
      EXPECT_EQ(app->owner, "load-t2-sbx-" + std::to_string(&a - &target->info().apps[2] + 1) +
                                "@pistesim.test");
    }
  }
  LoadResult r = run_load(w, target->info(), RunOptions{});
  Verdict v = verify(r, Thresholds{});
  EXPECT_TRUE(v.ok()) << text_summary(r, v);
  EXPECT_EQ(r.ledgers.size(), 4u);
  EXPECT_EQ(r.tokens_issued, 4u);
  EXPECT_GT(r.refusals, 100u);
}

TEST(LoadE2E, RemoteTargetNeedsTheAdminToken) {
  Workload w = flood(1, 10, 4, 100 * kMs);
  EXPECT_THROW(connect_remote_target(w, "http://127.0.0.1:9", "", "x"), std::runtime_error);
  EXPECT_THROW(connect_remote_target(w, "ftp://127.0.0.1:9", "t", "x"), std::runtime_error);
}

// Faults armed through the workload: their 5xx are reported, and do not fail the run.
TEST(LoadE2E, FaultsAskedForAreReportedButDoNotFail) {
  Workload w = flood(1, 40, 100, 600 * kMs);
  w.faults.push_back({{"status", 503}, {"count", 5}});
  auto target = start_embedded_target(w, EmbeddedOptions{});
  LoadResult r = run_load(w, target->info(), RunOptions{});
  EXPECT_EQ(r.errors["status 503"], 5u);
  EXPECT_TRUE(r.faults_expected);
  Verdict v = verify(r, Thresholds{});
  EXPECT_TRUE(v.ok()) << text_summary(r, v);
  // The same errors without faults asked for fail the run.
  r.faults_expected = false;
  EXPECT_FALSE(verify(r, Thresholds{}).ok());
}

// The RFC profile adds Retry-After to 429s and answers 401 to a call without a token: the
// verifier expects exactly that of it.
TEST(LoadE2E, EmbeddedRfcProfileIsVerifiedWithItsOwnRules) {
  Workload w = flood(1, 40, 4, 1200 * kMs);
  MixEntry missing;
  missing.kind = RequestKind::MissingToken;
  missing.path = w.mix.front().path;
  missing.weight = 0.2;
  w.mix.push_back(missing);
  EmbeddedOptions o;
  o.profile = Profile::Rfc;
  auto target = start_embedded_target(w, o);
  EXPECT_TRUE(target->info().refusal_rules.require_retry_after);
  LoadResult r = run_load(w, target->info(), RunOptions{});
  Verdict v = verify(r, Thresholds{});
  EXPECT_TRUE(v.ok()) << text_summary(r, v);
  EXPECT_GT(r.refusals, 10u);
  EXPECT_GT(r.kinds["missing_token"].statuses[401], 0u);
}

}  // namespace
}  // namespace pistesim::loadgen
