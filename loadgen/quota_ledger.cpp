#include "loadgen/quota_ledger.h"

#include <cmath>

#include "loadgen/quota_windows.h"

namespace pistesim::loadgen {

WindowCounts& WindowCounts::operator+=(const WindowCounts& o) {
  admitted += o.admitted;
  admitted_straddle += o.admitted_straddle;
  refused += o.refused;
  refused_straddle += o.refused_straddle;
  lost += o.lost;
  return *this;
}

WindowCounts& QuotaLedger::at(uint64_t index) {
  if (!last_ || last_index_ != index) {
    last_ = &windows_[index];
    last_index_ = index;
  }
  return *last_;
}

void QuotaLedger::record(QuotaOutcome outcome, Millis from_ms, Millis to_ms) {
  if (to_ms < from_ms) std::swap(from_ms, to_ms);
  uint64_t first = oracle_window_index(quota_.window, from_ms);
  uint64_t last = oracle_window_index(quota_.window, to_ms);
  if (outcome == QuotaOutcome::Lost) {
    // The call may have been counted anywhere from its send on; charge both ends.
    at(first).lost++;
    if (last != first) at(last).lost++;
    return;
  }
  if (last == first) {
    WindowCounts& c = at(first);
    (outcome == QuotaOutcome::Admitted ? c.admitted : c.refused)++;
  } else if (last == first + 1) {
    WindowCounts& c = at(first);
    (outcome == QuotaOutcome::Admitted ? c.admitted_straddle : c.refused_straddle)++;
  } else {
    unattributed_++;
  }
}

void QuotaLedger::merge(const QuotaLedger& other) {
  if (application_.empty()) {
    application_ = other.application_;
    quota_ = other.quota_;
  }
  for (const auto& [i, c] : other.windows_) windows_[i] += c;
  unattributed_ += other.unattributed_;
}

std::string QuotaViolation::describe() const {
  std::string when = format_iso8601(window_start_ms);
  if (kind == Kind::OverAdmission) {
    if (windows == 1)
      return application + ": at least " + std::to_string(admitted) + " calls admitted in the " +
             "window starting " + when + " (limit " + std::to_string(limit) + ")";
    return application + ": at least " + std::to_string(admitted) + " calls admitted in the two " +
           "windows starting " + when + " (limit " + std::to_string(limit) + " each)";
  }
  return application + ": a call was refused in the window starting " + when + " after at most " +
         std::to_string(admitted) + " admitted (limit " + std::to_string(limit) + ")";
}

std::vector<QuotaViolation> check_quota(const QuotaLedger& ledger, double tolerance) {
  std::vector<QuotaViolation> out;
  const QuotaSpec& q = ledger.quota();
  const uint64_t limit = static_cast<uint64_t>(q.limit);
  const uint64_t slack =
      static_cast<uint64_t>(std::floor(static_cast<double>(q.limit) * tolerance));
  const auto& w = ledger.windows();
  auto at = [&](uint64_t i) -> const WindowCounts* {
    auto it = w.find(i);
    return it == w.end() ? nullptr : &it->second;
  };
  auto start_of = [&](uint64_t i) { return oracle_window_start(q.window, i); };
  for (const auto& [i, c] : w) {
    if (c.admitted > limit) {
      out.push_back({QuotaViolation::Kind::OverAdmission, ledger.application(), i, start_of(i),
                     q.limit, c.admitted, 1});
    } else if (const WindowCounts* next = at(i + 1)) {
      uint64_t pair = c.admitted + c.admitted_straddle + next->admitted;
      if (pair > 2 * limit && next->admitted <= limit)
        out.push_back({QuotaViolation::Kind::OverAdmission, ledger.application(), i, start_of(i),
                       q.limit, pair, 2});
    }
    if (c.refused > 0) {
      const WindowCounts* prev = i > 0 ? at(i - 1) : nullptr;
      uint64_t most =
          c.admitted + c.admitted_straddle + c.lost + (prev ? prev->admitted_straddle : 0);
      if (most + slack < limit)
        out.push_back({QuotaViolation::Kind::UnderAdmission, ledger.application(), i, start_of(i),
                       q.limit, most, 1});
    }
  }
  return out;
}

}  // namespace pistesim::loadgen
