// Faults armed through any node, applied by every node (docs/cluster.md): the armed faults live
// in Redis, and taking one (a gateway call it matches) is one Lua script, so a fault armed for N
// calls hits exactly N calls across the cluster. The hot path pays nothing while nothing is
// armed: each node caches how many faults are armed, refreshed by a signal (ClusterSignals)
// that arming, disarming and exhausting a fault send — arming waits until every node has it.
#pragma once

#include <atomic>

#include "cluster/cluster_signals.h"
#include "faults/fault_injector.h"

namespace pistesim {

class ClusterFaults final : public SharedFaults {
 public:
  ClusterFaults(RedisClient& redis, ClusterSignals& signals, std::string prefix);

  uint64_t arm(Fault fault) override;
  std::optional<Fault> take(const std::string& api, const std::string& application,
                            std::initializer_list<FaultKind> kinds) override;
  // The cached count; true while it is unknown (no subscription): asking Redis is then the
  // safe answer.
  bool any() const override { return armed_.load(std::memory_order_acquire) != 0; }
  std::vector<Fault> list() const override;
  bool disarm(uint64_t id) override;
  void clear() override;

 private:
  // Re-reads how many faults are armed (a signal, a new subscription).
  void refresh();
  std::string key(const char* name) const { return prefix_ + name; }

  RedisClient& redis_;
  ClusterSignals& signals_;
  const std::string prefix_;
  std::atomic<int64_t> armed_{-1};  // -1: unknown
};

}  // namespace pistesim
