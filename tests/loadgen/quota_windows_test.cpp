// The oracle's own windows (loadgen/quota_windows.h). Every expected instant was worked out by
// hand from the EU rule and cross-checked with `TZ=Europe/Paris date -d @SECONDS`.
#include <gtest/gtest.h>

#include "loadgen/quota_windows.h"

namespace pistesim::loadgen {
namespace {

constexpr int64_t kHour = 3600000;
constexpr int64_t kDay = 86400000;

// 2026-01-01T00:00Z: 56 years since 1970, 14 of them leap (1972 … 2024): 20 454 days.
constexpr int64_t kJan1st2026 = 1767225600000;
constexpr int64_t kDayJan1st2026 = 20454;

TEST(OracleCalendar, CountsDaysLikeTheCivilCalendar) {
  EXPECT_EQ(days_from_date(1970, 1, 1), 0);
  EXPECT_EQ(days_from_date(2026, 1, 1), kDayJan1st2026);
  EXPECT_EQ(days_from_date(2026, 1, 1) * kDay, kJan1st2026);
  EXPECT_EQ(days_from_date(2000, 3, 1) - days_from_date(2000, 2, 28), 2);  // 2000 is leap
  EXPECT_EQ(days_from_date(2100, 3, 1) - days_from_date(2100, 2, 28), 1);  // 2100 is not
  EXPECT_EQ(days_from_date(1969, 12, 31), -1);
  for (int64_t d = -800; d < 60000; d += 7) {
    int64_t y = 0;
    int m = 0, dd = 0;
    date_from_days(d, &y, &m, &dd);
    ASSERT_EQ(days_from_date(y, m, dd), d) << y << "-" << m << "-" << dd;
  }
}

TEST(OracleCalendar, SummerTimeFollowsTheEuRule) {
  // 2026: last Sundays are 29 March and 25 October; 2024: 31 March and 27 October.
  EXPECT_EQ(paris_summer_start_ms(2026), 1774746000000);  // 2026-03-29T01:00Z
  EXPECT_EQ(paris_summer_end_ms(2026), 1792890000000);    // 2026-10-25T01:00Z
  EXPECT_EQ(paris_summer_start_ms(2024), 1711846800000);  // 2024-03-31T01:00Z
  EXPECT_EQ(paris_summer_end_ms(2024), 1729990800000);    // 2024-10-27T01:00Z
  EXPECT_EQ(paris_offset_ms(1774746000000 - 1), kHour);
  EXPECT_EQ(paris_offset_ms(1774746000000), 2 * kHour);
  EXPECT_EQ(paris_offset_ms(1792890000000 - 1), 2 * kHour);
  EXPECT_EQ(paris_offset_ms(1792890000000), kHour);
  EXPECT_EQ(paris_offset_ms(kJan1st2026), kHour);
}

TEST(OracleWindows, TheParisDayTurnsAtLocalMidnight) {
  // Winter: 15 January 2026 begins at 2026-01-14T23:00Z.
  const int64_t jan15 = 1768431600000;
  EXPECT_EQ(paris_midnight_ms(kDayJan1st2026 + 14), jan15);
  EXPECT_EQ(paris_day_of(jan15 - 1), kDayJan1st2026 + 13);
  EXPECT_EQ(paris_day_of(jan15), kDayJan1st2026 + 14);
  // New Year in Paris comes an hour before it does in UTC.
  EXPECT_EQ(paris_day_of(kJan1st2026 - kHour - 1), kDayJan1st2026 - 1);
  EXPECT_EQ(paris_day_of(kJan1st2026 - kHour), kDayJan1st2026);
  // Summer: 1 July 2026 (day 20 635) begins at 2026-06-30T22:00Z.
  const int64_t jul1 = 1782856800000;
  EXPECT_EQ(paris_midnight_ms(20635), jul1);
  EXPECT_EQ(paris_day_of(jul1 - 1), 20634);
  EXPECT_EQ(paris_day_of(jul1), 20635);
}

TEST(OracleWindows, TheMarchDayHas23Hours) {
  // 29 March 2026 is day 20 541: from 2026-03-28T23:00Z (CET) to 2026-03-29T22:00Z (CEST).
  const uint64_t day = 20541;
  EXPECT_EQ(oracle_window_start(QuotaWindow::Day, day), 1774738800000);
  EXPECT_EQ(oracle_window_end(QuotaWindow::Day, day), 1774821600000);
  EXPECT_EQ(oracle_window_end(QuotaWindow::Day, day) - oracle_window_start(QuotaWindow::Day, day),
            23 * kHour);
  // 00:59:59.999Z is 01:59:59.999 CET, 01:00Z is 03:00 CEST: the same day.
  EXPECT_EQ(oracle_window_index(QuotaWindow::Day, 1774746000000 - 1), day);
  EXPECT_EQ(oracle_window_index(QuotaWindow::Day, 1774746000000), day);
  EXPECT_EQ(oracle_window_index(QuotaWindow::Day, 1774821600000 - 1), day);
  EXPECT_EQ(oracle_window_index(QuotaWindow::Day, 1774821600000), day + 1);
  EXPECT_EQ(oracle_window_index(QuotaWindow::Day, 1774738800000 - 1), day - 1);
}

TEST(OracleWindows, TheOctoberDayHas25Hours) {
  // 25 October 2026 is day 20 751: from 2026-10-24T22:00Z (CEST) to 2026-10-25T23:00Z (CET).
  const uint64_t day = 20751;
  EXPECT_EQ(oracle_window_start(QuotaWindow::Day, day), 1792879200000);
  EXPECT_EQ(oracle_window_end(QuotaWindow::Day, day), 1792969200000);
  EXPECT_EQ(oracle_window_end(QuotaWindow::Day, day) - oracle_window_start(QuotaWindow::Day, day),
            25 * kHour);
  // 02:30 happens twice that night (00:30Z in CEST, 01:30Z in CET): both on the 25th.
  EXPECT_EQ(oracle_window_index(QuotaWindow::Day, 1792890000000 - 30 * 60000), day);
  EXPECT_EQ(oracle_window_index(QuotaWindow::Day, 1792890000000 + 30 * 60000), day);
  // 22:30Z is 23:30 CET: still the 25th (a CEST-only reckoning would say the 26th).
  EXPECT_EQ(oracle_window_index(QuotaWindow::Day, 1792969200000 - 30 * 60000), day);
  EXPECT_EQ(oracle_window_index(QuotaWindow::Day, 1792969200000), day + 1);
  EXPECT_EQ(oracle_window_index(QuotaWindow::Day, 1792879200000 - 1), day - 1);
}

TEST(OracleWindows, DaysLast23Or25HoursOnlyOnTheTransitionSundays) {
  for (int64_t d = days_from_date(2020, 1, 1); d < days_from_date(2032, 1, 1); ++d) {
    const int64_t length = paris_midnight_ms(d + 1) - paris_midnight_ms(d);
    int64_t y = 0;
    int m = 0, dd = 0;
    date_from_days(d, &y, &m, &dd);
    const bool sunday = (d % 7 + 7 + 4) % 7 == 0;
    const bool last_week = dd > 31 - 7;
    int64_t expected = 24 * kHour;
    if (sunday && last_week && m == 3) expected = 23 * kHour;
    if (sunday && last_week && m == 10) expected = 25 * kHour;
    ASSERT_EQ(length, expected) << y << "-" << m << "-" << dd;
    ASSERT_EQ(paris_day_of(paris_midnight_ms(d)), d);
    ASSERT_EQ(paris_day_of(paris_midnight_ms(d) - 1), d - 1);
  }
}

TEST(OracleWindows, SecondsAreAlignedOnTheClock) {
  EXPECT_EQ(oracle_window_index(QuotaWindow::Second, kJan1st2026), 1767225600u);
  EXPECT_EQ(oracle_window_index(QuotaWindow::Second, kJan1st2026 + 999), 1767225600u);
  EXPECT_EQ(oracle_window_index(QuotaWindow::Second, kJan1st2026 + 1000), 1767225601u);
  EXPECT_EQ(oracle_window_start(QuotaWindow::Second, 1767225601u), kJan1st2026 + 1000);
  EXPECT_EQ(oracle_window_end(QuotaWindow::Second, 1767225601u), kJan1st2026 + 2000);
}

}  // namespace
}  // namespace pistesim::loadgen
