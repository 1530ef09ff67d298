// The oracle catches a simulator whose daily window turns an hour early. The answer streams below
// are what such a simulator gives: its day counter resets at 23:00 Paris time (its days are the
// true ones shifted an hour), or it keeps summer time all year and so resets at 23:00 in winter.
// The oracle counts windows itself (loadgen/quota_windows.h), so it sees the excess admissions
// before the true midnight and the refusals after it; judged with the simulator's own windows, the
// same streams look perfect (the control at the end of each test), which is why an oracle that
// called the simulator's arithmetic could not catch the bug.
#include <gtest/gtest.h>

#include <map>

#include "clock/clock.h"
#include "loadgen/quota_ledger.h"

namespace pistesim::loadgen {
namespace {

constexpr int64_t kHour = 3600000;
const QuotaSpec kDaily{3, QuotaWindow::Day};

// A daily quota whose windows come from `day_of`: admits `limit` calls a window.
template <class DayOf>
struct FaultyDailyQuota {
  DayOf day_of;
  std::map<int64_t, int64_t> used;
  bool decide(Millis t) { return used[day_of(t)]++ < kDaily.limit; }
};

// Plays `calls` (instants, decided at once) against `sim`; returns the ledger of its answers and
// the counts per window as the simulator itself sees them.
template <class Sim>
QuotaLedger play(Sim& sim, const std::vector<Millis>& calls, QuotaLedger* as_sim_sees_it) {
  QuotaLedger ledger("early-day", kDaily);
  *as_sim_sees_it = QuotaLedger("early-day", kDaily);
  for (Millis t : calls) {
    const bool admitted = sim.decide(t);
    ledger.record(admitted ? QuotaOutcome::Admitted : QuotaOutcome::Refused, t, t + 2);
    WindowCounts c;
    (admitted ? c.admitted : c.refused) = 1;
    as_sim_sees_it->add_window(static_cast<uint64_t>(sim.day_of(t)), c);
  }
  return ledger;
}

size_t count(const std::vector<QuotaViolation>& v, QuotaViolation::Kind kind) {
  size_t n = 0;
  for (const auto& x : v) n += x.kind == kind;
  return n;
}

TEST(EarlyDailyWindow, CaughtWhenTheDayTurnsAt23HoursParis) {
  // The simulator's Paris day, shifted an hour: its day begins at 23:00 Paris time.
  auto early = [](Millis t) { return paris_day_index(t + kHour); };
  FaultyDailyQuota<decltype(early)> sim{early, {}};
  // Monday 23 November 2026, CET (UTC+1): 21:00, 23:30 (the faulty new day), 00:30 (true new day).
  const Millis nine_pm = 1795464000000;  // 2026-11-23T20:00Z
  const std::vector<Millis> calls = {nine_pm,
                                     nine_pm + 1000,
                                     nine_pm + 2000,
                                     nine_pm + 150 * 60000,  // 23:30 Paris: admitted anew
                                     nine_pm + 150 * 60000 + 1000,
                                     nine_pm + 150 * 60000 + 2000,
                                     nine_pm + 210 * 60000};  // 00:30 Paris: refused
  QuotaLedger sim_view;
  QuotaLedger ledger = play(sim, calls, &sim_view);
  auto v = check_quota(ledger, 0.02);
  ASSERT_EQ(count(v, QuotaViolation::Kind::OverAdmission), 1u);
  ASSERT_EQ(count(v, QuotaViolation::Kind::UnderAdmission), 1u);
  for (const auto& x : v) {
    if (x.kind == QuotaViolation::Kind::OverAdmission) {
      EXPECT_EQ(x.admitted, 6u);
      EXPECT_EQ(x.window_start_ms, 1795388400000);  // 2026-11-22T23:00Z, Paris midnight
    } else {
      EXPECT_EQ(x.admitted, 0u);
      EXPECT_EQ(x.window_start_ms, 1795474800000);  // 2026-11-23T23:00Z
    }
  }
  // Control: with the simulator's own (faulty) windows nothing looks wrong.
  EXPECT_TRUE(check_quota(sim_view, 0.02).empty());
}

TEST(EarlyDailyWindow, CaughtWhenSummerTimeIsKeptAllYear) {
  // Days reckoned in CEST all year: in winter the day begins at 23:00 Paris time.
  auto cest_only = [](Millis t) { return (t + 2 * kHour) / 86400000; };
  FaultyDailyQuota<decltype(cest_only)> sim{cest_only, {}};
  // Thursday 15 January 2026 (CET, UTC+1): 21:00 and 23:30 Paris, then 00:30 on the 16th.
  const Millis nine_pm = 1768507200000;  // 2026-01-15T20:00Z
  const Millis late = nine_pm + 150 * 60000;
  const std::vector<Millis> calls = {nine_pm,  nine_pm + 1, nine_pm + 2,          late,
                                     late + 1, late + 2,    nine_pm + 210 * 60000};
  QuotaLedger sim_view;
  QuotaLedger ledger = play(sim, calls, &sim_view);
  auto v = check_quota(ledger, 0.02);
  EXPECT_EQ(count(v, QuotaViolation::Kind::OverAdmission), 1u);
  EXPECT_EQ(count(v, QuotaViolation::Kind::UnderAdmission), 1u);
  EXPECT_TRUE(check_quota(sim_view, 0.02).empty());
  // A correct simulator (the true Paris day) refuses at 23:30 and admits at 00:30: accepted.
  auto paris = [](Millis t) { return paris_day_index(t); };
  FaultyDailyQuota<decltype(paris)> right{paris, {}};
  QuotaLedger right_view;
  EXPECT_TRUE(check_quota(play(right, calls, &right_view), 0.02).empty());
}

}  // namespace
}  // namespace pistesim::loadgen
