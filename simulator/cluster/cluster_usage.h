// Usage statistics and quota counts as a cluster sees them (docs/cluster.md). Each node counts
// its own gateway calls in memory, as alone (nothing added to the hot path); a read asks every
// node (ClusterSignals) to write its counts to Redis, one value per node, and merges them, so
// every node answers the same figures. The `remaining` of an application's view reads the
// quota counter the gateway's script counts in (QuotaCore's shared counts).
#pragma once

#include <mutex>

#include "cluster/cluster_signals.h"
#include "quota/quota_core.h"
#include "usage/usage_recorder.h"

namespace pistesim {

class ClusterUsage final : public SharedUsage {
 public:
  ClusterUsage(RedisClient& redis, ClusterSignals& signals, std::string prefix);
  // Before serving (the signal handlers need it).
  void attach(UsageRecorder& local);

  std::vector<UsageSeries> query(
      Millis from, Millis to, const std::function<bool(std::string_view, std::string_view)>& select,
      bool include_idle) override;
  ProviderStatus last_provider_status(std::string_view api) override;
  void clear() override;
  void recorder_gone() override;

  // Writes this node's counts to Redis now.
  void publish();

 private:
  // Every node's counts, merged per (application, API); every hour, none idle left out.
  std::vector<UsageSeries> merged();
  std::string key(const std::string& name) const { return prefix_ + name; }

  RedisClient& redis_;
  ClusterSignals& signals_;
  const std::string prefix_;
  const std::string node_;  // usage:n:NODE
  std::mutex local_mutex_;  // signal handlers may run while the simulator goes
  UsageRecorder* local_ = nullptr;
};

class ClusterQuotaCounts final : public SharedQuotaCounts {
 public:
  ClusterQuotaCounts(RedisClient& redis, std::string prefix);
  QuotaDecision peek(const std::string& key, const QuotaSpec& spec, Millis now) override;

 private:
  RedisClient& redis_;
  const std::string prefix_;
};

}  // namespace pistesim
