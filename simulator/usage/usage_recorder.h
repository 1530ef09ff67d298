// Gateway traffic statistics (APP-9, ADM-3, ADM-4): every call that reached an API and identified
// an application is counted per application, per API and per hour, by outcome. Also keeps, per
// (application, API), the provider's last answer (ADM-4's « Healthcheck Consommation »), and
// which quota windows already had their « quota exceeded » e-mail (NOT-1).
//
// Buckets are whole UTC hours, which are also whole Europe/Paris hours (Paris is UTC+1 or +2), so
// days are summed as Paris calendar days. Retention: kRetentionHours (31 days); older hours are
// pruned, so memory is bounded by the pairs called in the last 31 days (≤ 744 hours × 24 bytes
// each, plus ~450 bytes per pair).
//
// Safe for concurrent use. record() is the gateway's hot path: a shared (reader) lock on one of
// 64 shards and relaxed atomic increments; a lock is taken only for a pair's first call, and once
// an hour per pair to file the hour that ended.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "clock/clock.h"

namespace pistesim {

inline constexpr Millis kHourMs = 3'600'000;

// Calls by outcome. `total` counts every call; the other counters partition it except for the
// rare 1xx/3xx answers: 2xx, 4xx other than 429, 429, 5xx.
struct UsageCounts {
  uint64_t total = 0;
  uint64_t success = 0;       // 2xx
  uint64_t client_error = 0;  // 4xx, 429 excepted (401 token refused, 403, 404 …)
  uint64_t throttled = 0;     // 429 (GW-5)
  uint64_t server_error = 0;  // 5xx (the provider failed, or an injected fault)

  void add(const UsageCounts& o);
  bool operator==(const UsageCounts&) const = default;
};

struct UsageBucket {
  Millis start = 0;  // UTC ms of the hour's (or day's, once summed) start
  UsageCounts counts;
};

// The provider's latest answer to a call admitted by the gateway.
struct ProviderStatus {
  int status = 0;  // 0: the provider never answered
  Millis at = 0;
};

// One (application, API) pair's hours within a period, oldest first.
struct UsageSeries {
  std::string application;
  std::string api;
  std::vector<UsageBucket> hours;  // only hours with calls
  UsageCounts totals;
  ProviderStatus last_provider;  // whenever it was, even outside the period
};

// Usage statistics of a cluster (cluster/cluster_usage.h): each node counts its own calls here;
// when set, reads merge every node's counts, and clear() empties every node's.
// May throw StoreError (the read is answered 503).
class SharedUsage {
 public:
  virtual ~SharedUsage() = default;
  virtual std::vector<UsageSeries> query(
      Millis from, Millis to, const std::function<bool(std::string_view, std::string_view)>& select,
      bool include_idle) = 0;
  virtual ProviderStatus last_provider_status(std::string_view api) = 0;
  virtual void clear() = 0;
  // The recorder it was set on is being destroyed: read it no more.
  virtual void recorder_gone() = 0;
};

class UsageRecorder {
 public:
  static constexpr int64_t kRetentionHours = 31 * 24;

  UsageRecorder();
  ~UsageRecorder();
  UsageRecorder(const UsageRecorder&) = delete;
  UsageRecorder& operator=(const UsageRecorder&) = delete;

  // Counts one call of `application` to `api` answered `status` at `now`. `reached_provider`:
  // the gateway admitted it and the provider (or an injected fault standing for it) answered.
  void record(std::string_view application, std::string_view api, int status, bool reached_provider,
              Millis now);

  // The pairs `select` keeps, with their hours overlapping [from, to) (whole hours: an hour
  // counts if it starts before `to` and ends after `from`). Pairs without calls in the period
  // are included only if `include_idle`.
  using Selector = std::function<bool(std::string_view application, std::string_view api)>;
  std::vector<UsageSeries> query(Millis from, Millis to, const Selector& select = {},
                                 bool include_idle = false) const;

  // The provider's latest answer to any application's call to `api`.
  ProviderStatus last_provider_status(std::string_view api) const;

  // True the first time it is asked for this quota counter (QuotaCore slot) and window, so that
  // an application over its quota gets one e-mail per window, not one per 429 (NOT-1). Windows
  // are remembered per counter until a later one replaces them.
  bool first_refusal_in_window(uint32_t quota_slot, Millis window_end);

  // Drops hours older than the retention and pairs left without any (also done by record(), at
  // most once an hour).
  void prune(Millis now);
  // Forgets everything (world reset).
  void clear();

  // REQUIRES: set before serving. nullptr: this node's counts only.
  void set_shared(SharedUsage* shared) { shared_ = shared; }
  // This node's own counts, whatever is shared (what a cluster merges).
  std::vector<UsageSeries> query_local(Millis from, Millis to, const Selector& select = {},
                                       bool include_idle = false) const;
  ProviderStatus last_provider_status_local(std::string_view api) const;
  void clear_local();

  struct Stats {
    size_t pairs = 0;
    size_t filed_hours = 0;  // hours moved out of the live ring
    size_t bytes = 0;        // approximate heap use
  };
  Stats stats() const;

 private:
  struct Series;
  // Keys carry their hash: record() computes it once, for the shard and the map.
  struct Key {
    std::string application;
    std::string api;
    size_t hash;
  };
  struct KeyView {
    std::string_view application;
    std::string_view api;
    size_t hash;
  };
  static size_t hash_of(std::string_view application, std::string_view api);
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(const Key& k) const { return k.hash; }
    size_t operator()(const KeyView& k) const { return k.hash; }
  };
  struct KeyEq {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return a.hash == b.hash &&
             std::string_view(a.application) == std::string_view(b.application) &&
             std::string_view(a.api) == std::string_view(b.api);
    }
  };
  static constexpr size_t kShards = 64;
  struct alignas(64) Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<Key, std::unique_ptr<Series>, KeyHash, KeyEq> series;
  };
  struct alignas(64) AlertShard {
    std::mutex mutex;
    std::unordered_map<uint32_t, Millis> notified;  // quota slot -> window end e-mailed
  };

  // REQUIRES: the shard's lock is held (shared is enough).
  static void count(Series& s, int64_t hour, int status, bool reached_provider, Millis now);

  std::array<Shard, kShards> shards_;
  std::array<AlertShard, 16> alerts_;
  std::atomic<int64_t> last_prune_hour_{0};
  SharedUsage* shared_ = nullptr;
};

}  // namespace pistesim
