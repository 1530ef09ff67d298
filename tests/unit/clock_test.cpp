// Time (clock/clock.h): the Europe/Paris calendar used by daily quotas
// (docs/conformance-checklist.md G4), ISO 8601 rendering, duration parsing for the control API, and
// the manual clock.
#include "clock/clock.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace pistesim {
namespace {

constexpr Millis kSecond = 1000;
constexpr Millis kHour = 3600 * kSecond;
constexpr Millis kDay = 24 * kHour;

// 1970-01-01 + days, at hh:mm UTC; days computed by hand in each case.
Millis at(int64_t days, int hh = 0, int mm = 0) {
  return days * kDay + hh * kHour + mm * 60 * kSecond;
}

// Days since the epoch of some dates (checked against `date -u -d … +%s`).
constexpr int64_t k2024_03_31 = 19813;  // last Sunday of March 2024 (leap year)
constexpr int64_t k2024_10_27 = 20023;
constexpr int64_t k2026_01_15 = 20468;
constexpr int64_t k2026_03_29 = 20541;  // last Sunday of March 2026
constexpr int64_t k2026_07_14 = 20648;
constexpr int64_t k2026_10_25 = 20751;  // last Sunday of October 2026
constexpr int64_t k2026_11_23 = 20780;

struct OffsetCase {
  const char* name;
  Millis utc;
  Millis offset;
};

// Named in failure messages instead of a byte dump.
void PrintTo(const OffsetCase& c, std::ostream* os) {
  *os << c.name;
}

class ClockParisOffset : public ::testing::TestWithParam<OffsetCase> {};

TEST_P(ClockParisOffset, FollowsTheEuRule) {
  EXPECT_EQ(paris_utc_offset_ms(GetParam().utc), GetParam().offset);
}

INSTANTIATE_TEST_SUITE_P(
    Clock, ClockParisOffset,
    ::testing::Values(OffsetCase{"Winter", at(k2026_01_15, 12), kHour},
                      OffsetCase{"Summer", at(k2026_07_14, 12), 2 * kHour},
                      OffsetCase{"Epoch", 0, kHour}, OffsetCase{"BeforeEpoch", -kDay, kHour},
                      OffsetCase{"SpringJustBefore", at(k2026_03_29, 1) - 1, kHour},
                      OffsetCase{"SpringAt0100Utc", at(k2026_03_29, 1), 2 * kHour},
                      OffsetCase{"SpringDayBefore", at(k2026_03_29 - 7, 1), kHour},
                      OffsetCase{"FallJustBefore", at(k2026_10_25, 1) - 1, 2 * kHour},
                      OffsetCase{"FallAt0100Utc", at(k2026_10_25, 1), kHour},
                      OffsetCase{"FallWeekBefore", at(k2026_10_25 - 7, 1), 2 * kHour},
                      OffsetCase{"LeapYearSpringBefore", at(k2024_03_31, 1) - 1, kHour},
                      OffsetCase{"LeapYearSpring", at(k2024_03_31, 1), 2 * kHour},
                      OffsetCase{"LeapYearFall", at(k2024_10_27, 1), kHour},
                      OffsetCase{"NewYearsEve", at(k2026_11_23 + 38, 23, 59), kHour}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Clock, ParisDayStartIsLocalMidnight) {
  // 2026-11-23 (CET): 2026-11-22T23:00Z; 2026-07-14 (CEST): 2026-07-13T22:00Z.
  EXPECT_EQ(paris_day_start_ms(k2026_11_23), at(k2026_11_23) - kHour);
  EXPECT_EQ(paris_day_start_ms(k2026_07_14), at(k2026_07_14) - 2 * kHour);
  EXPECT_EQ(paris_day_index(at(k2026_11_23) - kHour), k2026_11_23);
  EXPECT_EQ(paris_day_index(at(k2026_11_23) - kHour - 1), k2026_11_23 - 1);
  EXPECT_EQ(paris_day_index(at(k2026_11_23, 22, 59)), k2026_11_23);
  EXPECT_EQ(paris_day_index(at(k2026_11_23, 23)), k2026_11_23 + 1);
  EXPECT_EQ(paris_day_index(at(k2026_07_14, 22)), k2026_07_14 + 1);
  EXPECT_EQ(paris_day_index(at(k2026_07_14, 21, 59)), k2026_07_14);
  EXPECT_EQ(paris_day_index(-1), 0);  // 1969-12-31T23:59:59.999Z is 00:59 on 1970-01-01 in Paris
  EXPECT_EQ(paris_day_index(-kHour - 1), -1);
}

TEST(Clock, EveryParisDayIs24HoursExceptOnTheDstChanges) {
  // Last Sundays of March (23 hours) and October (25 hours) of 2024, 2025 and 2026.
  const std::set<int64_t> march = {k2024_03_31, 20177, k2026_03_29},
                          october = {k2024_10_27, 20387, k2026_10_25};
  constexpr int64_t k2024_01_01 = 19723, k2027_01_01 = 20819;
  for (int64_t day = k2024_01_01; day < k2027_01_01; ++day) {
    Millis start = paris_day_start_ms(day), next = paris_day_start_ms(day + 1);
    ASSERT_EQ(paris_day_index(start), day);
    ASSERT_EQ(paris_day_index(next - 1), day);
    Millis expected = march.count(day) ? 23 * kHour : october.count(day) ? 25 * kHour : kDay;
    ASSERT_EQ(next - start, expected) << "day " << day;
  }
}

TEST(Clock, ParseTimeOfDay) {
  EXPECT_EQ(parse_time_of_day_ms("00:00"), 0);
  EXPECT_EQ(parse_time_of_day_ms("23:59:59"), kDay - kSecond);
  EXPECT_EQ(parse_time_of_day_ms("09:30"), 9 * kHour + 30 * 60 * kSecond);
  for (const char* bad : {"", "24:00", "9:30", "09:60", "09:30:60", "09-30", "09:30:", "09:30:5",
                          "0a:00", "09:30:00Z", " 09:30"})
    EXPECT_EQ(parse_time_of_day_ms(bad), -1) << bad;
}

TEST(Clock, NextParisTimeIsTheFirstShowingOfThatWallClockTime) {
  const Millis t23_59_59 = kDay - kSecond, t12 = 12 * kHour, t02_30 = 2 * kHour + 30 * 60 * kSecond;
  // Winter (CET): 23:59:59 Paris is 22:59:59Z the same day.
  EXPECT_EQ(next_paris_time_ms(at(k2026_11_23, 9), t23_59_59),
            at(k2026_11_23, 22, 59) + 59 * kSecond);
  // Strictly after now: at that very instant, the next day's.
  Millis exact = at(k2026_11_23, 22, 59) + 59 * kSecond;
  EXPECT_EQ(next_paris_time_ms(exact, t23_59_59), exact + kDay);
  EXPECT_EQ(next_paris_time_ms(exact - 1, t23_59_59), exact);
  // Summer (CEST): noon Paris is 10:00Z; past it, tomorrow's.
  EXPECT_EQ(next_paris_time_ms(at(k2026_07_14, 9), t12), at(k2026_07_14, 10));
  EXPECT_EQ(next_paris_time_ms(at(k2026_07_14, 10, 30), t12), at(k2026_07_14 + 1, 10));
  // After 23:00Z in winter it is already tomorrow in Paris.
  EXPECT_EQ(next_paris_time_ms(at(k2026_11_23, 23, 30), t12), at(k2026_11_23 + 1, 11));
  // October: 02:30 is shown twice (CEST, then CET an hour later): the first, then the second.
  Millis first = at(k2026_10_25, 0, 30), second = at(k2026_10_25, 1, 30);
  EXPECT_EQ(next_paris_time_ms(at(k2026_10_25 - 1, 12), t02_30), first);
  EXPECT_EQ(next_paris_time_ms(first, t02_30), second);
  // March: 02:30 is never shown; 03:30 CEST (01:30Z) is, an hour later.
  EXPECT_EQ(next_paris_time_ms(at(k2026_03_29 - 1, 12), t02_30), at(k2026_03_29, 1, 30));
  // Whatever the start, the answer is in the future, within 25 hours, and shows that time.
  for (Millis now = at(k2026_03_29 - 2); now < at(k2026_03_29 + 2); now += 17 * 60 * kSecond) {
    Millis next = next_paris_time_ms(now, t12);
    ASSERT_GT(next, now);
    ASSERT_LE(next - now, 25 * kHour);
    ASSERT_EQ((next + paris_utc_offset_ms(next)) % kDay, t12);
  }
}

TEST(Clock, FormatIso8601) {
  struct Case {
    Millis utc;
    const char* text;
  };
  for (const auto& c : {Case{0, "1970-01-01T00:00:00.000Z"}, Case{-1, "1969-12-31T23:59:59.999Z"},
                        Case{1795428000000, "2026-11-23T10:00:00.000Z"},
                        Case{at(k2026_11_23, 19, 45) + 3120, "2026-11-23T19:45:03.120Z"},
                        Case{at(k2024_03_31 - 31, 23, 59) + 59999, "2024-02-29T23:59:59.999Z"},
                        Case{at(k2026_11_23 + 38), "2026-12-31T00:00:00.000Z"},
                        Case{253402300799999, "9999-12-31T23:59:59.999Z"},
                        Case{253402300800000, "10000-01-01T00:00:00.000Z"}}) {
    EXPECT_EQ(format_iso8601(c.utc), c.text);
  }
}

TEST(Clock, ParseDurationAcceptsUnitsAndCombinations) {
  struct Case {
    const char* text;
    Millis ms;
  };
  for (const auto& c :
       {Case{"3601s", 3601 * kSecond}, Case{"250ms", 250}, Case{"5m", 5 * 60 * kSecond},
        Case{"5min", 5 * 60 * kSecond}, Case{"2h", 2 * kHour}, Case{"1d", kDay}, Case{"0s", 0},
        Case{"1h30m", kHour + 30 * 60 * kSecond},
        Case{"1d2h3m4s5ms", kDay + 2 * kHour + 184 * kSecond + 5}, Case{"007s", 7 * kSecond}}) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(parse_duration_ms(c.text), c.ms);
  }
}

TEST(Clock, ParseDurationRejectsAnythingElse) {
  for (const char* text : {"",
                           "s",
                           "10",
                           "-5s",
                           "+5s",
                           "1.5s",
                           "5x",
                           "1h 30m",
                           " 1s",
                           "1s ",
                           "1S",
                           "1H",
                           "1hh",
                           "ms",
                           "1s2",
                           "99999999999999999999s",
                           "1099511627777s",
                           "1000000000000d",
                           "1099511627776d",
                           "1099511627776h1099511627776h"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_duration_ms(text), -1);
  }
}

TEST(Clock, ParseDurationNeverOverflows) {
  // The largest accepted values still fit: the sum of components stays positive.
  for (const char* text : {"1099511627776ms", "1099511627776s", "100000000d"}) {
    SCOPED_TRACE(text);
    EXPECT_GT(parse_duration_ms(text), 0);
  }
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock c(1000);
  EXPECT_EQ(c.now_ms(), 1000);
  EXPECT_EQ(c.now_ms(), 1000);
  c.advance(3601 * kSecond);
  EXPECT_EQ(c.now_ms(), 1000 + 3601 * kSecond);
  c.advance(0);
  EXPECT_EQ(c.now_ms(), 1000 + 3601 * kSecond);
  c.set(5);
  EXPECT_EQ(c.now_ms(), 5);
}

}  // namespace
}  // namespace pistesim
