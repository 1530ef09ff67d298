#include "world/world_timestamps.h"

namespace pistesim {

namespace {

bool leap_year(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap_year(y) ? 29 : kDays[m - 1];
}

bool valid_date(int64_t y, unsigned m, unsigned d) {
  return y >= 0 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

Millis to_millis(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s,
                 unsigned ms, int offset_minutes) {
  return ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi - offset_minutes) * 60'000 + s * 1000 + ms;
}

}  // namespace

std::optional<Millis> toml_instant(const toml::date& d, const toml::time& t, int offset_minutes) {
  if (!valid_date(d.year, d.month, d.day) || t.hour > 23 || t.minute > 59 || t.second > 59)
    return std::nullopt;
  return to_millis(d.year, d.month, d.day, t.hour, t.minute, t.second, t.nanosecond / 1'000'000,
                   offset_minutes);
}

std::optional<Millis> parse_world_timestamp(std::string_view s) {
  size_t i = 0;
  // `width` digits at i.
  auto digits = [&](size_t width, unsigned& out) {
    if (i + width > s.size()) return false;
    out = 0;
    for (size_t k = 0; k < width; ++k) {
      char c = s[i + k];
      if (c < '0' || c > '9') return false;
      out = out * 10 + static_cast<unsigned>(c - '0');
    }
    i += width;
    return true;
  };
  auto literal = [&](char c) {
    if (i >= s.size() || s[i] != c) return false;
    ++i;
    return true;
  };
  unsigned y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
  if (!digits(4, y) || !literal('-') || !digits(2, mo) || !literal('-') || !digits(2, d) ||
      !valid_date(y, mo, d))
    return std::nullopt;
  if (i == s.size()) return to_millis(y, mo, d, 0, 0, 0, 0, 0);  // a date: midnight UTC
  if (!literal('T') || !digits(2, h) || !literal(':') || !digits(2, mi) || !literal(':') ||
      !digits(2, sec) || h > 23 || mi > 59 || sec > 59)
    return std::nullopt;
  if (literal('.')) {
    // Milliseconds at most: what the world keeps.
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 4) ++i;
    size_t n = i - start;
    if (n == 0 || n > 3) return std::nullopt;
    i = start;
    unsigned frac = 0;
    digits(n, frac);
    ms = frac * (n == 1 ? 100 : n == 2 ? 10 : 1);
  }
  int offset = 0;
  if (literal('Z')) {
    offset = 0;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i++] == '-' ? -1 : 1;
    unsigned oh, om;
    if (!digits(2, oh) || !literal(':') || !digits(2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset = sign * static_cast<int>(oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return to_millis(y, mo, d, h, mi, sec, ms, offset);
}

}  // namespace pistesim
