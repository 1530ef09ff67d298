// Injected failures (ARCHITECTURE.md "faults"): the next N calls to an API — or of one
// application — answer a chosen status (503, 500, a provider's own error body) and/or after
// added latency, as if the provider behind the gateway failed; or lose their connection; or find
// their access token expired (the mid-run expiry a client must survive). Armed through the
// control API.
// Safe for concurrent use; when nothing is armed a call costs one atomic load.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clock/clock.h"

namespace pistesim {

enum class FaultKind {
  Respond,         // the provider answers `status` (0: unchanged) after `latency_ms`
  DropConnection,  // the connection is cut before a complete answer is sent
  ExpireToken,     // the bearer token presented expires now: this call and every later one
                   // with it get 401 invalid_token, until the client fetches a new token
};
std::string_view to_string(FaultKind k);
std::optional<FaultKind> fault_kind_from_string(std::string_view s);

struct Fault {
  uint64_t id = 0;
  FaultKind kind = FaultKind::Respond;
  std::string api;          // empty: any API
  std::string application;  // empty: any application
  int status = 0;           // 0: no status change (latency only)
  std::string content_type = "application/json";
  std::string body;
  Millis latency_ms = 0;
  int64_t after = 0;      // matching calls still to let through before the fault applies
  int64_t remaining = 1;  // calls still to affect; -1: until cleared
};

// Faults shared by the nodes of a cluster (cluster/cluster_faults.h): when set, every operation
// below goes to it. any() must stay cheap (the hot path's guard); the others may throw
// StoreError (the request is answered 503).
class SharedFaults {
 public:
  virtual ~SharedFaults() = default;
  virtual uint64_t arm(Fault fault) = 0;
  virtual std::optional<Fault> take(const std::string& api, const std::string& application,
                                    std::initializer_list<FaultKind> kinds) = 0;
  virtual bool any() const = 0;
  virtual std::vector<Fault> list() const = 0;
  virtual bool disarm(uint64_t id) = 0;
  virtual void clear() = 0;
};

class FaultInjector {
 public:
  // Arms a fault; returns its id.
  uint64_t arm(Fault fault);
  // The first armed fault of one of `kinds` matching the call, with its count taken (exactly
  // `remaining` calls get it, whatever the concurrency). nullopt when none matches.
  std::optional<Fault> take(const std::string& api, const std::string& application,
                            std::initializer_list<FaultKind> kinds);
  // True when something is armed (one atomic load: the hot path's guard).
  bool any() const {
    return shared_ ? shared_->any() : armed_.load(std::memory_order_acquire) != 0;
  }
  std::vector<Fault> list() const;
  bool disarm(uint64_t id);
  void clear();
  // REQUIRES: no request in flight (set before serving). nullptr: this node's own faults.
  void set_shared(SharedFaults* shared) { shared_ = shared; }

 private:
  SharedFaults* shared_ = nullptr;
  mutable std::mutex mutex_;
  std::vector<Fault> faults_;
  uint64_t next_id_ = 1;
  std::atomic<size_t> armed_{0};  // faults_.size(), read without the lock on the hot path
};

}  // namespace pistesim
