// Injected provider failures (ARCHITECTURE.md "faults"): the next N calls to an API — or of one
// application — answer a chosen status (503, 500, a provider's own error body) and/or after
// added latency, as if the provider behind the gateway failed. Armed through the control API.
// Safe for concurrent use; when nothing is armed a call costs one atomic load.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "clock/clock.h"

namespace pistesim {

struct Fault {
  uint64_t id = 0;
  std::string api;          // empty: any API
  std::string application;  // empty: any application
  int status = 0;           // 0: no status change (latency only)
  std::string content_type = "application/json";
  std::string body;
  Millis latency_ms = 0;
  int64_t remaining = 1;  // calls still to affect; -1: until cleared
};

class FaultInjector {
 public:
  // Arms a fault; returns its id.
  uint64_t arm(Fault fault);
  // The first armed fault matching the call, with its count taken (exactly `remaining` calls
  // get it, whatever the concurrency). nullopt when none matches.
  std::optional<Fault> take(const std::string& api, const std::string& application);
  std::vector<Fault> list() const;
  bool disarm(uint64_t id);
  void clear();

 private:
  mutable std::mutex mutex_;
  std::vector<Fault> faults_;
  uint64_t next_id_ = 1;
  std::atomic<size_t> armed_{0};  // faults_.size(), read without the lock on the hot path
};

}  // namespace pistesim
