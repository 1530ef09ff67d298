#include "loadgen/quota_windows.h"

namespace pistesim::loadgen {

namespace {

constexpr int64_t kDayMs = 86400000;
constexpr int64_t kHourMs = 3600000;

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Day of the week of a day count: 0 Sunday … 6 Saturday (1970-01-01 was a Thursday).
int weekday(int64_t days) {
  return static_cast<int>(((days % 7) + 7 + 4) % 7);
}

// 01:00 UTC on the last Sunday of a 31-day month (March and October are).
int64_t last_sunday_one_utc(int64_t year, int month) {
  int64_t last = days_from_date(year, month, 31);
  return (last - weekday(last)) * kDayMs + kHourMs;
}

}  // namespace

// The civil calendar counted in 400-year eras of 146 097 days, from a year that starts in March
// so that the leap day falls last.
int64_t days_from_date(int64_t year, int month, int day) {
  const int64_t y = month <= 2 ? year - 1 : year;
  const int64_t era = floor_div(y, 400);
  const int64_t year_of_era = y - era * 400;                           // [0, 399]
  const int64_t month_from_march = month > 2 ? month - 3 : month + 9;  // [0, 11]
  const int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
  const int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;  // [0, 146096]
  return era * 146097 + day_of_era - 719468;  // 719 468 days from 0000-03-01 to 1970-01-01
}

void date_from_days(int64_t days, int64_t* year, int* month, int* day) {
  const int64_t z = days + 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t day_of_era = z - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;
  *day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  *month = static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  *year = year_of_era + era * 400 + (*month <= 2 ? 1 : 0);
}

int64_t paris_summer_start_ms(int64_t year) {
  return last_sunday_one_utc(year, 3);
}

int64_t paris_summer_end_ms(int64_t year) {
  return last_sunday_one_utc(year, 10);
}

int64_t paris_offset_ms(int64_t utc_ms) {
  int64_t year = 0;
  int month = 0, day = 0;
  date_from_days(floor_div(utc_ms, kDayMs), &year, &month, &day);
  const bool summer = utc_ms >= paris_summer_start_ms(year) && utc_ms < paris_summer_end_ms(year);
  return summer ? 2 * kHourMs : kHourMs;
}

int64_t paris_day_of(int64_t utc_ms) {
  return floor_div(utc_ms + paris_offset_ms(utc_ms), kDayMs);
}

int64_t paris_midnight_ms(int64_t day) {
  // The clocks change at 02:00 or 03:00 local time, never at midnight: midnight has one offset,
  // the one that maps it back to itself.
  const int64_t local = day * kDayMs;
  const int64_t winter = local - kHourMs;
  return paris_offset_ms(winter) == kHourMs ? winter : local - 2 * kHourMs;
}

uint64_t oracle_window_index(QuotaWindow w, int64_t utc_ms) {
  if (w == QuotaWindow::Second) return static_cast<uint64_t>(floor_div(utc_ms, 1000));
  return static_cast<uint64_t>(paris_day_of(utc_ms));
}

int64_t oracle_window_start(QuotaWindow w, uint64_t index) {
  if (w == QuotaWindow::Second) return static_cast<int64_t>(index) * 1000;
  return paris_midnight_ms(static_cast<int64_t>(index));
}

int64_t oracle_window_end(QuotaWindow w, uint64_t index) {
  return oracle_window_start(w, index + 1);
}

}  // namespace pistesim::loadgen
