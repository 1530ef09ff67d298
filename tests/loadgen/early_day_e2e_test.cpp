// The oracle against a live target whose daily quota turns an hour early: a purpose-built HTTP
// server (not the simulator, which has no such knob) on a clock set just before 23:00 Paris time,
// a day limit of 3, driven by the runner over loopback. Its day counter resets at 23:00 (the
// true Paris day shifted an hour), so it admits 3 before 23:00 and 3 more after, all on one Paris
// day: the oracle, reckoning the day itself, must report the over-admission. The same server with
// the true Paris day passes.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "clock/clock.h"
#include "loadgen/reports.h"
#include "loadgen/runner.h"

namespace pistesim::loadgen {
namespace {

constexpr Nanos kMs = 1000000;
constexpr Millis kHour = 3600000;
// 2026-11-23T22:00:00Z: 23:00 in Paris (CET), where the faulty day turns.
constexpr Millis kElevenPmParis = 1795471200000;
// The Paris day of 23 November 2026 begins at 2026-11-22T23:00Z.
constexpr Millis kNov23Paris = 1795388400000;
const QuotaSpec kDaily{3, QuotaWindow::Day};

Millis wall_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A gateway with one daily quota per token, on a clock `offset_ms` ahead of ours, whose day is
// the Paris day of (its time + shift_ms).
class DailyQuotaTarget {
 public:
  DailyQuotaTarget(Millis offset_ms, Millis shift_ms) : offset_(offset_ms), shift_(shift_ms) {
    server_.Post(".*/api/oauth/token", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_header("Pragma", "no-cache");
      res.set_content(R"({"access_token":"t)" + std::to_string(++tokens_) +
                          R"(","token_type":"Bearer","expires_in":3600})",
                      "application/json");
    });
    server_.Get(".*", [this](const httplib::Request&, httplib::Response& res) {
      const int64_t day = paris_day_index(wall_now() + offset_ + shift_);
      std::lock_guard<std::mutex> lock(mutex_);
      if (used_[day]++ < kDaily.limit) {
        res.set_content("pong", "text/plain");
        return;
      }
      res.status = 429;
      res.set_header("x-rate-limit", R"([{"window": 86400, "type": "quota", "remaining": 0}])");
      res.set_header("x-correlation-id", "c" + std::to_string(used_[day]));
      res.set_content(R"({"error":"quota"})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~DailyQuotaTarget() {
    server_.stop();
    thread_.join();
  }
  TargetInfo info() const {
    TargetInfo t;
    t.label = "daily-quota";
    t.host = "127.0.0.1";
    t.port = port_;
    t.host_header = "127.0.0.1:" + std::to_string(port_);
    t.clock_offset_ms = offset_;
    t.clock_uncertainty_ms = 1;
    for (int c = 0; c < 2; ++c) {
      t.oauth_prefix[c] = c ? "/production/oauth" : "/sandbox/oauth";
      t.api_prefix[c] = c ? "/production/api" : "/sandbox/api";
    }
    AppCredentials a;
    a.id = "daily";
    a.client_id = "id";
    a.client_secret = "secret";
    a.quota = kDaily;
    t.apps.push_back(a);
    return t;
  }

 private:
  Millis offset_, shift_;
  std::atomic<int> tokens_{0};
  std::mutex mutex_;
  std::map<int64_t, int64_t> used_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// 20 calls/s for 2 s from about 0.6 s before 23:00 Paris on the target's clock.
LoadResult run_across_eleven_pm(Millis shift_ms) {
  const Millis offset = kElevenPmParis - 800 - wall_now();  // the run starts 200 ms later
  DailyQuotaTarget target(offset, shift_ms);
  Workload w;
  w.name = "daily";
  ApplicationGroup g;
  g.name = "daily";
  g.rate = 20;
  g.quota = kDaily;
  w.groups = {g};
  w.mix = default_mix();
  w.duration = 2000 * kMs;
  w.connections = 2;
  w.threads = 1;
  return run_load(w, target.info(), RunOptions{});
}

TEST(LoadE2E, OracleCatchesADailyWindowThatTurnsAnHourEarly) {
  LoadResult r = run_across_eleven_pm(kHour);
  Verdict v = verify(r, Thresholds{});
  SCOPED_TRACE(text_summary(r, v));
  EXPECT_FALSE(v.ok());
  bool over = false;
  for (const auto& x : v.violations)
    if (x.kind == QuotaViolation::Kind::OverAdmission) {
      over = true;
      EXPECT_EQ(x.window_start_ms, kNov23Paris) << "the true Paris day, not the faulty one";
      EXPECT_EQ(x.admitted, 6u) << "3 before 23:00 and 3 after, on one Paris day";
    }
  EXPECT_TRUE(over);
}

TEST(LoadE2E, OracleAcceptsADailyWindowOnTheParisDay) {
  LoadResult r = run_across_eleven_pm(0);
  Verdict v = verify(r, Thresholds{});
  EXPECT_TRUE(v.ok()) << text_summary(r, v);
  EXPECT_GT(r.refusals, 20u);
}

}  // namespace
}  // namespace pistesim::loadgen
