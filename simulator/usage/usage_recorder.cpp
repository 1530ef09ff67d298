#include "usage/usage_recorder.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <tuple>

namespace pistesim {

void UsageCounts::add(const UsageCounts& o) {
  total += o.total;
  success += o.success;
  client_error += o.client_error;
  throttled += o.throttled;
  server_error += o.server_error;
}

namespace {

enum Outcome { kSuccess, kClientError, kThrottled, kServerError, kOther };

Outcome outcome_of(int status) {
  if (status == 429) return kThrottled;
  if (status >= 200 && status < 300) return kSuccess;
  if (status >= 400 && status < 500) return kClientError;
  if (status >= 500 && status < 600) return kServerError;
  return kOther;
}

// The provider's last answer in one word, so that it is stored without a lock: time in the high
// bits, status in the low 10.
constexpr int kStatusBits = 10;
int64_t pack(int status, Millis at) {
  return (at << kStatusBits) | (status & ((1 << kStatusBits) - 1));
}
ProviderStatus unpack(int64_t word) {
  if (word == 0) return {};
  return {static_cast<int>(word & ((1 << kStatusBits) - 1)), word >> kStatusBits};
}

uint32_t saturate(uint64_t v) {
  return static_cast<uint32_t>(std::min<uint64_t>(v, std::numeric_limits<uint32_t>::max()));
}

}  // namespace

// One (application, API) pair. The hours being counted live in a small ring of atomic buckets
// (the hot path increments them); when a ring position is needed for a new hour, the hour it held
// is filed in `filed`, under `mutex`. Four positions: a call would have to be four hours late to
// hit a bucket already reused, which only a clock moved backwards can do (record() files such
// calls directly).
struct UsageRecorder::Series {
  static constexpr int kLive = 4;
  struct Live {
    std::atomic<int64_t> hour{-1};
    std::atomic<uint64_t> counts[5] = {};  // by Outcome; the total is their sum (one increment)
  };
  struct Filed {         // 24 bytes
    int32_t hour;        // hours since the epoch (enough until the year 246 000)
    uint32_t counts[4];  // success, client_error, throttled, server_error (saturating)
    uint32_t total;
  };

  std::array<Live, kLive> live;
  std::atomic<int64_t> last_provider{0};  // pack()ed
  std::mutex mutex;                       // guards filed and the refiling of a live bucket
  std::vector<Filed> filed;               // unordered, at most one entry per hour
};

namespace {

// v: live counts by Outcome.
void add_to(UsageCounts& c, const uint64_t (&v)[5]) {
  c.total += v[kSuccess] + v[kClientError] + v[kThrottled] + v[kServerError] + v[kOther];
  c.success += v[kSuccess];
  c.client_error += v[kClientError];
  c.throttled += v[kThrottled];
  c.server_error += v[kServerError];
}

}  // namespace

size_t UsageRecorder::hash_of(std::string_view application, std::string_view api) {
  size_t a = std::hash<std::string_view>{}(application);
  size_t b = std::hash<std::string_view>{}(api);
  return a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
}

UsageRecorder::UsageRecorder() = default;
UsageRecorder::~UsageRecorder() {
  if (shared_) shared_->recorder_gone();
}

void UsageRecorder::count(Series& s, int64_t hour, int status, bool reached_provider, Millis now) {
  const Outcome outcome = outcome_of(status);
  Series::Live& b = s.live[static_cast<size_t>(hour % Series::kLive)];
  if (b.hour.load(std::memory_order_acquire) != hour) {
    std::lock_guard lock(s.mutex);
    const int64_t held = b.hour.load(std::memory_order_relaxed);
    auto file = [&](int64_t h, const uint64_t(&v)[5]) {  // v by Outcome
      auto it = std::find_if(s.filed.begin(), s.filed.end(),
                             [&](const Series::Filed& f) { return f.hour == h; });
      if (it == s.filed.end()) {
        s.filed.push_back(Series::Filed{static_cast<int32_t>(h), {0, 0, 0, 0}, 0});
        it = std::prev(s.filed.end());
      }
      uint64_t total = 0;
      for (uint64_t n : v) total += n;
      it->total = saturate(uint64_t{it->total} + total);
      for (int i = 0; i < 4; ++i) it->counts[i] = saturate(uint64_t{it->counts[i]} + v[i]);
    };
    if (held > hour) {
      // A call older than the hour its bucket now counts (the clock went back): file it alone.
      uint64_t one[5] = {0, 0, 0, 0, 0};
      one[outcome] = 1;
      file(hour, one);
      return;
    }
    if (held != hour) {
      if (held >= 0) {
        uint64_t v[5];
        for (int i = 0; i < 5; ++i) v[i] = b.counts[i].load(std::memory_order_relaxed);
        file(held, v);
      }
      for (auto& c : b.counts) c.store(0, std::memory_order_relaxed);
      b.hour.store(hour, std::memory_order_release);
      const int64_t oldest = hour - kRetentionHours;
      std::erase_if(s.filed, [&](const Series::Filed& f) { return f.hour < oldest; });
    }
  }
  b.counts[outcome].fetch_add(1, std::memory_order_relaxed);
  if (reached_provider) {
    // Most calls of a busy pair come in the same millisecond with the same answer: skip the
    // store (and the cache line it would take from other cores) when nothing changes.
    const int64_t word = pack(status, now);
    if (s.last_provider.load(std::memory_order_relaxed) != word)
      s.last_provider.store(word, std::memory_order_relaxed);
  }
}

void UsageRecorder::record(std::string_view application, std::string_view api, int status,
                           bool reached_provider, Millis now) {
  const KeyView key{application, api, hash_of(application, api)};
  // The map uses the hash's low bits for its buckets: the shard takes high ones.
  Shard& shard = shards_[(key.hash >> 32) % kShards];
  const int64_t hour = now / kHourMs;
  bool counted = false;
  {
    std::shared_lock lock(shard.mutex);
    auto it = shard.series.find(key);
    if (it != shard.series.end()) {
      count(*it->second, hour, status, reached_provider, now);
      counted = true;
    }
  }
  if (!counted) {
    std::unique_lock lock(shard.mutex);
    auto [it, inserted] = shard.series.try_emplace(
        Key{std::string(application), std::string(api), key.hash}, nullptr);
    if (inserted) it->second = std::make_unique<Series>();
    count(*it->second, hour, status, reached_provider, now);
  }
  // At most once an hour, whoever gets there first drops what is past the retention.
  int64_t last = last_prune_hour_.load(std::memory_order_relaxed);
  if (hour > last && last_prune_hour_.compare_exchange_strong(last, hour)) prune(now);
}

std::vector<UsageSeries> UsageRecorder::query(Millis from, Millis to, const Selector& select,
                                              bool include_idle) const {
  if (shared_) return shared_->query(from, to, select, include_idle);
  return query_local(from, to, select, include_idle);
}

std::vector<UsageSeries> UsageRecorder::query_local(Millis from, Millis to, const Selector& select,
                                                    bool include_idle) const {
  std::vector<UsageSeries> out;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mutex);
    for (const auto& [key, series] : shard.series) {
      if (select && !select(key.application, key.api)) continue;
      std::map<int64_t, UsageCounts> hours;
      auto keep = [&](int64_t h) { return h * kHourMs < to && (h + 1) * kHourMs > from; };
      {
        std::lock_guard series_lock(series->mutex);
        for (const auto& f : series->filed) {
          if (!keep(f.hour)) continue;
          UsageCounts& c = hours[f.hour];
          c.total += f.total;
          c.success += f.counts[kSuccess];
          c.client_error += f.counts[kClientError];
          c.throttled += f.counts[kThrottled];
          c.server_error += f.counts[kServerError];
        }
        for (const auto& b : series->live) {
          const int64_t h = b.hour.load(std::memory_order_acquire);
          if (h < 0 || !keep(h)) continue;
          uint64_t v[5];
          for (int i = 0; i < 5; ++i) v[i] = b.counts[i].load(std::memory_order_relaxed);
          add_to(hours[h], v);
        }
      }
      UsageSeries s;
      for (const auto& [h, c] : hours) {
        if (c.total == 0) continue;
        s.hours.push_back(UsageBucket{h * kHourMs, c});
        s.totals.add(c);
      }
      if (s.hours.empty() && !include_idle) continue;
      s.application = key.application;
      s.api = key.api;
      s.last_provider = unpack(series->last_provider.load(std::memory_order_relaxed));
      out.push_back(std::move(s));
    }
  }
  std::sort(out.begin(), out.end(), [](const UsageSeries& a, const UsageSeries& b) {
    return std::tie(a.application, a.api) < std::tie(b.application, b.api);
  });
  return out;
}

ProviderStatus UsageRecorder::last_provider_status(std::string_view api) const {
  if (shared_) return shared_->last_provider_status(api);
  return last_provider_status_local(api);
}

ProviderStatus UsageRecorder::last_provider_status_local(std::string_view api) const {
  ProviderStatus best;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mutex);
    for (const auto& [key, series] : shard.series) {
      if (key.api != api) continue;
      ProviderStatus p = unpack(series->last_provider.load(std::memory_order_relaxed));
      if (p.status != 0 && p.at >= best.at) best = p;
    }
  }
  return best;
}

bool UsageRecorder::first_refusal_in_window(uint32_t quota_slot, Millis window_end) {
  AlertShard& shard = alerts_[quota_slot % alerts_.size()];
  std::lock_guard lock(shard.mutex);
  Millis& notified = shard.notified[quota_slot];
  if (notified >= window_end) return false;
  notified = window_end;
  return true;
}

void UsageRecorder::prune(Millis now) {
  const int64_t oldest = now / kHourMs - kRetentionHours;
  for (Shard& shard : shards_) {
    // Exclusive: no record() is inside a series of this shard while its live buckets change.
    std::unique_lock lock(shard.mutex);
    std::erase_if(shard.series, [&](auto& entry) {
      Series& s = *entry.second;
      std::lock_guard series_lock(s.mutex);
      std::erase_if(s.filed, [&](const Series::Filed& f) { return f.hour < oldest; });
      bool live = false;
      for (auto& b : s.live) {
        const int64_t h = b.hour.load(std::memory_order_relaxed);
        if (h >= 0 && h < oldest) {
          for (auto& c : b.counts) c.store(0, std::memory_order_relaxed);
          b.hour.store(-1, std::memory_order_relaxed);
        } else if (h >= 0) {
          live = true;
        }
      }
      return !live && s.filed.empty();
    });
  }
  for (AlertShard& shard : alerts_) {
    std::lock_guard lock(shard.mutex);
    std::erase_if(shard.notified, [&](const auto& e) { return e.second < now; });
  }
}

void UsageRecorder::clear() {
  if (shared_) return shared_->clear();
  clear_local();
}

void UsageRecorder::clear_local() {
  for (Shard& shard : shards_) {
    std::unique_lock lock(shard.mutex);
    shard.series.clear();
  }
  for (AlertShard& shard : alerts_) {
    std::lock_guard lock(shard.mutex);
    shard.notified.clear();
  }
  last_prune_hour_.store(0, std::memory_order_relaxed);
}

UsageRecorder::Stats UsageRecorder::stats() const {
  Stats st;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mutex);
    for (const auto& [key, series] : shard.series) {
      std::lock_guard series_lock(series->mutex);
      ++st.pairs;
      st.filed_hours += series->filed.size();
      st.bytes += sizeof(Series) + 64 /* map node, hash bucket */ + key.application.capacity() +
                  key.api.capacity() + series->filed.capacity() * sizeof(Series::Filed);
    }
  }
  return st;
}

}  // namespace pistesim
