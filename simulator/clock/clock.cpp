#include "clock/clock.h"

#include <cctype>
#include <chrono>
#include <cstdio>

namespace pistesim {

namespace {
constexpr Millis kHour = 3600 * 1000;
constexpr Millis kDay = 24 * kHour;

// Day (since epoch) of the last Sunday of a month.
int64_t last_sunday(int64_t year, unsigned month) {
  unsigned next_month = month == 12 ? 1 : month + 1;
  int64_t next_year = month == 12 ? year + 1 : year;
  int64_t last = days_from_civil(next_year, next_month, 1) - 1;
  // 1970-01-01 was a Thursday: weekday 0 = Sunday => (days + 4) % 7.
  int64_t wd = ((last + 4) % 7 + 7) % 7;
  return last - wd;
}

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
}  // namespace

// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

Millis SystemClock::now_ms() const {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return now + offset_ms_.load(std::memory_order_relaxed);
}

Millis paris_utc_offset_ms(Millis utc_ms) {
  int64_t day = floor_div(utc_ms, kDay);
  int64_t y;
  unsigned m, d;
  civil_from_days(day, y, m, d);
  Millis summer_start = last_sunday(y, 3) * kDay + kHour;  // 01:00 UTC
  Millis summer_end = last_sunday(y, 10) * kDay + kHour;   // 01:00 UTC
  return (utc_ms >= summer_start && utc_ms < summer_end) ? 2 * kHour : kHour;
}

int64_t paris_day_index(Millis utc_ms) {
  return floor_div(utc_ms + paris_utc_offset_ms(utc_ms), kDay);
}

Millis paris_day_start_ms(int64_t day_index) {
  // Local midnight never falls in a DST transition in Paris (they happen at 02:00/03:00 local).
  Millis guess = day_index * kDay - kHour;
  return day_index * kDay - paris_utc_offset_ms(guess);
}

Millis parse_time_of_day_ms(const std::string& text) {
  auto two_digits = [&](size_t at, int max) -> int {
    if (at + 2 > text.size() || !std::isdigit(static_cast<unsigned char>(text[at])) ||
        !std::isdigit(static_cast<unsigned char>(text[at + 1])))
      return -1;
    int v = (text[at] - '0') * 10 + (text[at + 1] - '0');
    return v <= max ? v : -1;
  };
  if (text.size() != 5 && text.size() != 8) return -1;
  int h = two_digits(0, 23), m = two_digits(3, 59), s = text.size() == 8 ? two_digits(6, 59) : 0;
  if (h < 0 || m < 0 || s < 0 || text[2] != ':' || (text.size() == 8 && text[5] != ':')) return -1;
  return (Millis{h} * 3600 + m * 60 + s) * 1000;
}

Millis next_paris_time_ms(Millis now, Millis time_of_day_ms) {
  for (int64_t day = paris_day_index(now);; ++day) {
    const Millis local = day * kDay + time_of_day_ms;  // the wall clock's reading, as if UTC
    bool shown = false;
    for (Millis offset : {2 * kHour, kHour}) {  // summer time first: the earlier of a repeated hour
      const Millis utc = local - offset;
      if (paris_utc_offset_ms(utc) != offset) continue;
      shown = true;
      if (utc > now) return utc;
    }
    // The spring gap: the clock never showed it that day; an hour later, in summer time, it did.
    if (!shown && local - kHour > now) return local - kHour;
  }
}

std::string format_iso8601(Millis utc_ms) {
  int64_t day = floor_div(utc_ms, kDay);
  Millis in_day = utc_ms - day * kDay;
  int64_t y;
  unsigned m, d;
  civil_from_days(day, y, m, d);
  if (y < 0 || y > 9999) {  // beyond four digits: the general form
    char buf[48];
    std::snprintf(
        buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y),
        m, d, static_cast<long long>(in_day / kHour), static_cast<long long>(in_day / 60000 % 60),
        static_cast<long long>(in_day / 1000 % 60), static_cast<long long>(in_day % 1000));
    return buf;
  }
  // Digit by digit: every journal line and answer carries one (snprintf was a tenth of a
  // cluster node's journal writing).
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](size_t at, int64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10)
      out[at + static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  put(0, y, 4);
  put(5, m, 2);
  put(8, d, 2);
  put(11, in_day / kHour, 2);
  put(14, in_day / 60000 % 60, 2);
  put(17, in_day / 1000 % 60, 2);
  put(20, in_day % 1000, 3);
  return out;
}

Millis parse_duration_ms(const std::string& text) {
  constexpr Millis kMaxDuration = Millis{1}
                                  << 53;  // about 285 000 years: never overflows "now + d"
  if (text.empty()) return -1;
  Millis total = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] < '0' || text[i] > '9') return -1;
    Millis n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + (text[i] - '0');
      if (n > (int64_t{1} << 40)) return -1;
      ++i;
    }
    std::string unit;
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z') unit.push_back(text[i++]);
    Millis scale;
    if (unit == "ms")
      scale = 1;
    else if (unit == "s")
      scale = 1000;
    else if (unit == "m" || unit == "min")
      scale = 60 * 1000;
    else if (unit == "h")
      scale = kHour;
    else if (unit == "d")
      scale = kDay;
    else
      return -1;
    if (n > (kMaxDuration - total) / scale) return -1;  // checked before multiplying: no overflow
    total += n * scale;
  }
  return total;
}

}  // namespace pistesim
