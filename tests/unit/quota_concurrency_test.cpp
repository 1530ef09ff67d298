// docs/conformance-checklist.md G3: no window ever admits more than its quota, whatever the
// concurrency, and offered load above the quota gets exactly the quota admitted per window. The
// clock is a ManualClock held inside one window while threads race; assertions are on counts only.
#include <atomic>
#include <latch>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "quota/quota_core.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

constexpr int kThreads = 8;

// Runs `calls_per_thread` calls of `one_call` on each of kThreads threads released together;
// returns how many returned true.
template <class F>
int64_t race(int calls_per_thread, F one_call) {
  std::atomic<int64_t> admitted{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      start.arrive_and_wait();
      int64_t mine = 0;
      for (int i = 0; i < calls_per_thread; ++i) mine += one_call() ? 1 : 0;
      admitted += mine;
    });
  for (auto& th : threads) th.join();
  return admitted.load();
}

// Ten times the limit, spread over the threads.
int tenfold(int64_t limit) {
  return static_cast<int>((10 * limit + kThreads - 1) / kThreads);
}

struct CoreCase {
  const char* name;
  QuotaSpec spec;
};

// Named in failure messages instead of a byte dump.
void PrintTo(const CoreCase& c, std::ostream* os) {
  *os << c.name;
}

class QuotaConcurrencyCore : public ::testing::TestWithParam<CoreCase> {};

TEST_P(QuotaConcurrencyCore, ThreadsOnOneSlotGetExactlyTheLimitPerWindow) {
  const QuotaSpec spec = GetParam().spec;
  QuotaCore q;
  uint32_t slot = q.allocate();
  ManualClock clock(kStart + 250);
  const Millis window = spec.window == QuotaWindow::Second ? 1000 : 24 * 3600 * 1000;
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE(round);
    int64_t admitted =
        race(tenfold(spec.limit), [&] { return q.decide(slot, spec, clock.now_ms()).admitted; });
    EXPECT_EQ(admitted, spec.limit);
    EXPECT_EQ(q.peek(slot, spec, clock.now_ms()).remaining, 0);
    clock.advance(window);
  }
}

INSTANTIATE_TEST_SUITE_P(Quota, QuotaConcurrencyCore,
                         ::testing::Values(CoreCase{"One", {1, QuotaWindow::Second}},
                                           CoreCase{"Seven", {7, QuotaWindow::Second}},
                                           CoreCase{"Twenty", {20, QuotaWindow::Second}},
                                           CoreCase{"FiveThousand", {5000, QuotaWindow::Second}},
                                           CoreCase{"DayWindow", {3000, QuotaWindow::Day}}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(QuotaConcurrency, ThreadsOnDifferentSlotsDoNotInterfere) {
  QuotaCore q;
  const QuotaSpec spec{100, QuotaWindow::Second};
  std::vector<uint32_t> slots;
  for (int i = 0; i < kThreads; ++i) slots.push_back(q.allocate());
  std::atomic<int> next{0};
  std::vector<std::atomic<int64_t>> per_slot(kThreads);
  race(1, [&] {
    int mine = next++;
    for (int i = 0; i < 1000; ++i)
      per_slot[mine] += q.decide(slots[mine], spec, kStart).admitted ? 1 : 0;
    return true;
  });
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(per_slot[i].load(), 100) << i;
}

TEST(QuotaConcurrency, SlotsAllocatedConcurrentlyAreDistinct) {
  QuotaCore q;
  std::mutex m;
  std::set<uint32_t> seen;
  race(3000, [&] {
    uint32_t s = q.allocate();
    std::lock_guard lock(m);
    return seen.insert(s).second;
  });
  EXPECT_EQ(seen.size(), size_t{kThreads} * 3000);
}

// The whole gateway: many threads calling one application with one token.
TEST(QuotaConcurrency, ThroughTheGatewayManyThreadsOnOneApplicationGetExactlyTheQuota) {
  TestSimulator t;
  const int64_t limit = 40;
  ASSERT_EQ(t.control("PUT", "/applications/demo-production/quota", R"({"limit":40,"window":"1s"})")
                .status,
            200);
  std::string token = t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  const std::string targets[] = {"/dila/legifrance/lf-engine-app/consult/ping",
                                 "/cassation/judilibre/v1.0/healthcheck"};
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    std::atomic<int64_t> too_many{0}, other{0}, calls{0};
    int64_t ok = race(tenfold(limit), [&] {
      Response r = t.call(Channel::Production, "GET", targets[calls++ % 2], token);
      if (r.status == 429)
        ++too_many;
      else if (r.status != 200)
        ++other;
      return r.status == 200;
    });
    EXPECT_EQ(ok, limit);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(ok + too_many.load(), kThreads * tenfold(limit));
    t.clock->advance(1000);
  }
}

TEST(QuotaConcurrency, ThroughTheGatewayEachApplicationHasItsOwnCounter) {
  TestSimulator t;
  ASSERT_EQ(t.control("PUT", "/applications/demo-production/quota", R"({"limit":25})").status, 200);
  ASSERT_EQ(t.control("PUT", "/applications/demo-sandbox/quota", R"({"limit":15})").status, 200);
  std::string production =
      t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  std::string sandbox = t.token();
  const std::string ping = "/dila/legifrance/lf-engine-app/consult/ping";
  std::atomic<int64_t> prod_ok{0}, sandbox_ok{0};
  std::atomic<int> calls{0};
  race(40, [&] {
    bool prod = calls++ % 2 == 0;
    Response r = t.call(prod ? Channel::Production : Channel::Sandbox, "GET", ping,
                        prod ? production : sandbox);
    if (r.status == 200) ++(prod ? prod_ok : sandbox_ok);
    return true;
  });
  EXPECT_EQ(prod_ok.load(), 25);
  EXPECT_EQ(sandbox_ok.load(), 15);
}

}  // namespace
}  // namespace pistesim::test
