// Per-application accounting of quota windows, from the client's side. The load generator does
// not see the instant the simulator decided a call, only that it lay between the send and the
// answer: a call whose interval falls inside one window is counted in it; one that straddles a
// boundary is counted as "straddling" the pair, and the checks only draw conclusions that hold
// wherever in its interval the decision was made. Counts add up across threads and processes.
// Windows are the oracle's own (loadgen/quota_windows.h), never the simulator's arithmetic.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "clock/clock.h"
#include "world/world.h"

namespace pistesim::loadgen {

struct WindowCounts {
  uint64_t admitted = 0;           // decided inside this window
  uint64_t admitted_straddle = 0;  // in this window or the next one
  uint64_t refused = 0;
  uint64_t refused_straddle = 0;
  uint64_t lost = 0;  // sent in (or straddling into) this window, no answer: may count

  WindowCounts& operator+=(const WindowCounts& o);
  bool operator==(const WindowCounts&) const = default;
};

enum class QuotaOutcome { Admitted, Refused, Lost };

class QuotaLedger {
 public:
  QuotaLedger() = default;
  QuotaLedger(const QuotaLedger& o)
      : application_(o.application_),
        quota_(o.quota_),
        windows_(o.windows_),
        unattributed_(o.unattributed_) {}
  QuotaLedger& operator=(const QuotaLedger& o) {
    application_ = o.application_;
    quota_ = o.quota_;
    windows_ = o.windows_;
    unattributed_ = o.unattributed_;
    last_ = nullptr;
    return *this;
  }
  QuotaLedger(std::string application, QuotaSpec quota)
      : application_(std::move(application)), quota_(quota) {}

  // A call governed by this quota, decided somewhere in [from_ms, to_ms] on the target's clock.
  void record(QuotaOutcome outcome, Millis from_ms, Millis to_ms);
  void merge(const QuotaLedger& other);

  const std::string& application() const { return application_; }
  const QuotaSpec& quota() const { return quota_; }
  const std::map<uint64_t, WindowCounts>& windows() const { return windows_; }
  // Calls whose interval spans more than two windows: not attributable (latency > window).
  uint64_t unattributed() const { return unattributed_; }
  void add_window(uint64_t index, const WindowCounts& c) { windows_[index] += c; }
  void add_unattributed(uint64_t n) { unattributed_ += n; }

 private:
  std::string application_;
  QuotaSpec quota_;
  WindowCounts& at(uint64_t index);

  std::map<uint64_t, WindowCounts> windows_;
  uint64_t unattributed_ = 0;
  // The window last recorded into (map nodes never move): calls mostly land in the current one.
  uint64_t last_index_ = 0;
  WindowCounts* last_ = nullptr;
};

struct QuotaViolation {
  enum class Kind { OverAdmission, UnderAdmission } kind;
  std::string application;
  uint64_t window = 0;  // window index (oracle_window_index, loadgen/quota_windows.h)
  Millis window_start_ms = 0;
  int64_t limit = 0;
  uint64_t admitted = 0;  // over: at least this many in `windows`; under: at most this many
  int windows = 1;        // over-admission found across 1 or 2 consecutive windows
  std::string describe() const;
};

// Over-admission: more calls certainly admitted in a window (or a pair of consecutive windows)
// than its limit (twice the limit). Under-admission: a call certainly refused in a window while
// at most limit - floor(limit * tolerance) - 1 calls can have been admitted (or lost) in it.
std::vector<QuotaViolation> check_quota(const QuotaLedger& ledger, double tolerance);

}  // namespace pistesim::loadgen
