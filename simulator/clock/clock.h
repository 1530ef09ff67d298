// The one seam to time: every read of "now" in the simulator goes through a Clock, so that
// scenarios can advance time (token expiry, daily quotas) instantly.
// All implementations are safe for concurrent use.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace pistesim {

// Milliseconds since the Unix epoch (UTC).
using Millis = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis now_ms() const = 0;
  // Moves this clock's "now" forward. REQUIRES: delta_ms >= 0.
  virtual void advance(Millis delta_ms) = 0;
  // How far advance() has moved it from where it started (real time, for a SystemClock).
  virtual Millis offset_ms() const = 0;
  // Puts it that far from where it started: 0 is back to real time, and may move it backwards.
  // REQUIRES: offset_ms >= 0.
  virtual void set_offset(Millis offset_ms) = 0;
};

// Real time plus an offset that advance() grows: what `pistesim serve` uses, so that a
// running simulator can be moved forward by the control API while still ticking.
class SystemClock final : public Clock {
 public:
  Millis now_ms() const override;
  void advance(Millis delta_ms) override {
    offset_ms_.fetch_add(delta_ms, std::memory_order_relaxed);
  }
  Millis offset_ms() const override { return offset_ms_.load(std::memory_order_relaxed); }
  void set_offset(Millis offset_ms) override {
    offset_ms_.store(offset_ms, std::memory_order_relaxed);
  }

 private:
  std::atomic<Millis> offset_ms_{0};
};

// Time that moves only when told: unit tests and embedded scenario runs.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis start_ms) : start_ms_(start_ms), now_ms_(start_ms) {}
  Millis now_ms() const override { return now_ms_.load(std::memory_order_relaxed); }
  void advance(Millis delta_ms) override { now_ms_.fetch_add(delta_ms, std::memory_order_relaxed); }
  // From the start time given at construction.
  Millis offset_ms() const override { return now_ms() - start_ms_; }
  void set_offset(Millis offset_ms) override { set(start_ms_ + offset_ms); }
  void set(Millis ms) { now_ms_.store(ms, std::memory_order_relaxed); }

 private:
  const Millis start_ms_;
  std::atomic<Millis> now_ms_;
};

// Proleptic Gregorian calendar (H. Hinnant's algorithms): days since 1970-01-01 of a civil date,
// and back.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t days, int64_t& y, unsigned& m, unsigned& d);

// UTC offset of Europe/Paris at that instant, in milliseconds (CET +1h, CEST +2h; EU rule:
// summer time from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC).
Millis paris_utc_offset_ms(Millis utc_ms);

// Index of the Europe/Paris calendar day containing that instant (days since 1970-01-01 local).
int64_t paris_day_index(Millis utc_ms);
// The instant (UTC ms) at which Paris local day `day_index` begins.
Millis paris_day_start_ms(int64_t day_index);

// Parses a Europe/Paris wall-clock time "HH:MM" or "HH:MM:SS" (24-hour) into milliseconds
// since local midnight. -1 on error.
Millis parse_time_of_day_ms(const std::string& text);
// The first instant strictly after `now` at which the Europe/Paris wall clock reads
// `time_of_day_ms` (from parse_time_of_day_ms): within the next 25 hours. When clocks go back,
// the earlier of the two such instants; a time skipped when clocks go forward (02:00-02:59 on the
// last Sunday of March) is taken as an hour later, which the clocks did show.
Millis next_paris_time_ms(Millis now, Millis time_of_day_ms);

// RFC 3339 UTC rendering, e.g. "2026-11-23T19:45:03.120Z".
std::string format_iso8601(Millis utc_ms);

// Parses "3601s", "250ms", "5m", "2h", "1d" (and combinations like "1h30m"). -1 on error,
// including a total above 2^53 ms.
Millis parse_duration_ms(const std::string& text);

}  // namespace pistesim
