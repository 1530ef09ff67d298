// Quota decisions shared by the nodes of a cluster (docs/cluster.md, "Quotas: exact across
// nodes"): each window of each quota is one counter in Redis. By default a call counts itself
// there (`INCR`) and is admitted when the count, the call included, is at most the limit: Redis
// runs commands one at a time, so no interleaving of nodes admits more than the limit. With a
// lease of N permits, a node takes up to N at once (`INCRBY`) and spends them itself: fewer
// round trips, and never an over-admission either, but the permits a node took and did not spend
// before the window ended are lost (the under-admission docs/cluster.md bounds).
// Safe for concurrent use; never holds a lock across a round trip (which may suspend a fiber).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "cluster/redis_client.h"
#include "quota/quota_core.h"

namespace pistesim {

class ClusterQuotas final : public SharedQuotas {
 public:
  // Counters are named PREFIX q:GENERATION:NAME:WINDOW, `generation` read at each decision.
  ClusterQuotas(RedisClient& redis, std::string prefix, const std::atomic<long long>& generation)
      : redis_(redis), prefix_(std::move(prefix)), generation_(generation) {}

  // The most permits a node takes at once (1, the default: every call counted in Redis).
  void set_lease(int64_t permits) { lease_ = permits < 1 ? 1 : permits; }
  int64_t lease() const { return lease_; }

  QuotaDecision decide(const std::string& name, const QuotaSpec& spec, Millis now) override;

 private:
  // What this node knows of a quota's counter in its current window.
  struct Counter {
    long long generation = -1;  // the quota generation and window index it counts in
    uint64_t window = 0;
    bool created = false;    // this node sent its SET NX PX
    bool exhausted = false;  // its count reached the limit: it only grows until the window ends
    int64_t count = 0;       // the count Redis last answered this node
    int64_t permits = 0;     // taken by this node and not spent yet
    std::string key;         // its name in Redis, once a call has asked for it
  };
  // The counter of `name` in `window` of `generation` (one per quota name: the latest window's),
  // or nullptr when it already counts a later window: a call that read the clock just before
  // another began the next window must not take the counter back to its own.
  Counter* counter(const std::string& name, long long generation, uint64_t window);
  // The name in Redis of `name`'s counter in `window` of `generation`.
  std::string counter_key(const std::string& name, const QuotaSpec& spec, long long generation,
                          uint64_t window) const;
  // How many permits to ask for next: fewer as the window fills, so that fewer are left over.
  int64_t next_take(const Counter& c, int64_t limit) const;

  RedisClient& redis_;
  const std::string prefix_;
  const std::atomic<long long>& generation_;
  std::atomic<int64_t> lease_{1};
  std::mutex mutex_;
  std::unordered_map<std::string, Counter> counters_;
};

}  // namespace pistesim
