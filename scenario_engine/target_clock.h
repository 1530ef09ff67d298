// A run against a shared pistesim (`run --target`, `conform --target`) moves the server's clock
// (advance steps, expiry and daily-quota checks), and the server outlives the run. TargetClock
// notes how far the clock was from real time when the run began and puts it back when the run
// ends, whatever its outcome.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "scenario_engine/target.h"

namespace pistesim::scenario {

// The target clock's offset from real time (GET /__pistesim/clock → offset_ms); an error when
// the target has no control API or does not say.
Result<int64_t> clock_offset(Target& target);
// POST /__pistesim/clock/reset {"offset_ms": offset_ms}.
Result<void> set_clock_offset(Target& target, int64_t offset_ms);

class TargetClock {
 public:
  // Reads the offset through its own connection to `options`' server (nothing to do for an
  // embedded target or one without control API).
  explicit TargetClock(const TargetOptions& options);
  // Why the offset could not be read (the run goes on; restore() then does nothing), or empty.
  const std::string& note() const { return note_; }
  // Puts the offset back if the run moved it. The sentence to print: what was put back, or why it
  // could not be (empty when the clock had not moved).
  std::string restore();

 private:
  std::unique_ptr<Target> target_;
  std::optional<int64_t> before_;
  std::string note_;
};

}  // namespace pistesim::scenario
