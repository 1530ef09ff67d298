// Many clients at once over real sockets: every token request answered and every token
// distinct (D6); a quota never admits more than its limit per window, whatever the
// concurrency, and its 429s carry PISTE's headers (G1, G3, WIRE-8).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "e2e/served_simulator.h"

namespace pistesim::test {

namespace {

using nlohmann::json;

// The server's clock, in whole seconds (the quota's 1 s windows are aligned on them).
int64_t server_second(HttpClient& client, const ServedSimulator& server) {
  auto r = client.send(control_request(server, "GET", "/clock"));
  if (!r || r->status != 200) {
    ADD_FAILURE() << "GET /__pistesim/clock failed";
    return 0;
  }
  return json::parse(r->body)["now_ms"].get<int64_t>() / 1000;
}

// The accept backlog of the socket listening on `port`, as `ss` reports it (Send-Q of a
// LISTEN socket); nullopt when ss is not available.
std::optional<int> listen_backlog(int port) {
  std::string cmd = "ss -Hltn 'sport = :" + std::to_string(port) + "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  char line[512] = {};
  bool got = std::fgets(line, sizeof(line), p) != nullptr;
  ::pclose(p);
  if (!got) return std::nullopt;
  std::istringstream fields(line);
  std::string state;
  int recv_q = 0, send_q = 0;
  if (!(fields >> state >> recv_q >> send_q) || state != "LISTEN") return std::nullopt;
  return send_q;
}

}  // namespace

TEST(Concurrency, ListenBacklogTakesABurstOfConnections) {
  // With a backlog of 5 (cpp-httplib's default), the sixth of a burst of simultaneous connects
  // has its SYN dropped and waits a retransmission: a second or more, per connection.
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  auto backlog = listen_backlog(server.port());
  if (!backlog) GTEST_SKIP() << "ss (iproute2) is needed to read the listen backlog";
  EXPECT_GE(*backlog, 128);
}

TEST(Concurrency, TokenRequestsFromManyKeepAliveClientsAllSucceedWithDistinctTokens) {
  constexpr int kThreads = 8, kPerThread = 200;
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  const auto& creds = server.demo("sandbox");
  const Request request =
      token_request("/sandbox/oauth/api/oauth/token", creds["client_id"], creds["client_secret"]);

  std::vector<std::vector<std::string>> tokens(kThreads);
  std::vector<std::vector<std::string>> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto client = server.client();  // one keep-alive connection per thread
      for (int i = 0; i < kPerThread; ++i) {
        auto r = client->send(request);
        if (!r)
          failures[t].push_back("no answer: " + r.error().message);
        else if (r->status != 200)
          failures[t].push_back(std::to_string(r->status) + " " + r->body);
        else
          tokens[t].push_back(json::parse(r->body)["access_token"].get<std::string>());
      }
    });
  }
  for (auto& th : threads) th.join();

  std::set<std::string> distinct;
  size_t issued = 0;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(failures[t].empty())
        << failures[t].size() << " failures in thread " << t << ", first: " << failures[t].front();
    issued += tokens[t].size();
    distinct.insert(tokens[t].begin(), tokens[t].end());
  }
  EXPECT_EQ(issued, size_t{kThreads * kPerThread});
  EXPECT_EQ(distinct.size(), issued) << "a token was issued twice";
  EXPECT_EQ(server.stop(), 0);
}

TEST(Concurrency, QuotaAdmitsAtMostItsLimitPerServerSecond) {
  constexpr int kLimit = 5, kThreads = 5, kCallsPerRound = 50, kMaxRounds = 20;
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  auto control = server.client();
  const std::string app = server.demo("production")["application"];
  auto r = control->send(control_request(server, "PUT", "/applications/" + app + "/quota",
                                         {{"limit", kLimit}, {"window", "1s"}}));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->status, 200) << r->body;
  std::string token = fetch_token(*control, server, "production");
  ASSERT_FALSE(token.empty());
  const Request call =
      bearer_get("/production/api/dila/legifrance/lf-engine-app/consult/ping", token);

  std::mutex mutex;
  std::vector<Response> answers;
  std::vector<std::string> failures;
  int64_t first_second = server_second(*control, server);
  int throttled = 0;
  // Rounds of 50 concurrent calls until one is throttled: on any machine that is the first
  // round (50 calls > 5 per second), but the check does not rest on how fast the calls go.
  for (int round = 0; round < kMaxRounds && throttled == 0; ++round) {
    std::atomic<int> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        auto client = server.client();
        while (next.fetch_add(1) < kCallsPerRound) {
          auto a = client->send(call);
          std::lock_guard lock(mutex);
          if (a)
            answers.push_back(std::move(*a));
          else
            failures.push_back(a.error().message);
        }
      });
    }
    for (auto& th : threads) th.join();
    throttled = static_cast<int>(std::count_if(answers.begin(), answers.end(),
                                               [](const Response& a) { return a.status == 429; }));
  }
  int64_t last_second = server_second(*control, server);
  ASSERT_TRUE(failures.empty()) << failures.size()
                                << " calls got no answer, first: " << failures.front();

  // Every call was decided by the server between first_second and last_second: at most that
  // many 1 s windows, each admitting at most kLimit.
  const int64_t windows = last_second - first_second + 1;
  int admitted = 0;
  std::set<std::string> correlation_ids;
  for (const Response& a : answers) {
    ASSERT_TRUE(a.status == 200 || a.status == 429) << a.status << " " << a.body;
    if (a.status == 200) ++admitted;
    // WIRE-8: x-rate-limit and x-correlation-id on every answer, 429 included.
    std::string rate = a.headers.get("x-rate-limit");
    json windows_json = json::parse(rate, nullptr, false);
    ASSERT_TRUE(windows_json.is_array() && !windows_json.empty()) << "x-rate-limit: " << rate;
    EXPECT_EQ(windows_json[0].value("window", 0), 1) << rate;
    EXPECT_EQ(windows_json[0].value("type", ""), "throttle") << rate;
    if (a.status == 429) {
      EXPECT_EQ(windows_json[0].value("remaining", -1), 0) << rate;
    }
    std::string id = a.headers.get("x-correlation-id");
    EXPECT_FALSE(id.empty()) << "status " << a.status;
    correlation_ids.insert(id);
  }
  EXPECT_GT(throttled, 0) << "no call was ever refused: the quota of " << kLimit
                          << "/s is not enforced";
  EXPECT_GE(admitted, 1);
  EXPECT_LE(admitted, kLimit * windows)
      << admitted << " calls admitted over " << windows << " one-second windows";
  EXPECT_EQ(correlation_ids.size(), answers.size()) << "correlation ids must be unique";

  control.reset();
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace pistesim::test
