#include "cluster/cluster_quotas.h"

#include <algorithm>

#include "core/state_store.h"

namespace pistesim {

namespace {

// Counters outlive their window by this much: nodes' clocks may differ a little.
constexpr Millis kKeepQuotaWindowMs = 60 * 1000;
// A lease asks for at most this share of what the window has left.
constexpr int64_t kLeaseShare = 4;

}  // namespace

ClusterQuotas::Counter* ClusterQuotas::counter(const std::string& name, long long generation,
                                               uint64_t window) {
  auto it = counters_.find(name);
  if (it == counters_.end()) it = counters_.try_emplace(name).first;
  Counter& c = it->second;
  if (c.generation > generation || (c.generation == generation && c.window > window))
    return nullptr;  // a later window has begun: this call read the clock just before it did
  if (c.generation != generation || c.window != window) {
    c = Counter{};
    c.generation = generation;
    c.window = window;
  }
  return &c;
}

std::string ClusterQuotas::counter_key(const std::string& name, const QuotaSpec& spec,
                                       long long generation, uint64_t window) const {
  // Named by the generation (a clock moved back starts every counter afresh) and the window.
  const char* kind = spec.window == QuotaWindow::Second ? "s" : "d";
  return prefix_ + "q:" + std::to_string(generation) + ":" + name + ":" + kind +
         std::to_string(window);
}

int64_t ClusterQuotas::next_take(const Counter& c, int64_t limit) const {
  const int64_t lease = lease_;
  if (lease == 1) return 1;
  return std::clamp((limit - c.count) / kLeaseShare, int64_t{1}, lease);
}

QuotaDecision ClusterQuotas::decide(const std::string& name, const QuotaSpec& spec, Millis now) {
  const uint64_t index = QuotaCore::window_index(spec.window, now);
  const Millis end = QuotaCore::window_end(spec.window, index);
  const long long generation = generation_.load();
  const int64_t limit = spec.limit;
  QuotaDecision d;
  d.limit = spec.limit;
  d.window_end_ms = end;
  int64_t take = 1;
  bool created = false;
  // The round trip's commands, reused by the calls of this thread: framed before its fiber
  // suspends, so that another fiber of the thread may fill them again (no allocation per call).
  thread_local std::vector<std::vector<std::string>> counting{{"INCR", ""}},
      creating{{"SET", "", "0", "NX", "PX", ""}, {"INCR", ""}};
  {
    std::lock_guard lock(mutex_);
    Counter* c = counter(name, generation, index);
    if (c == nullptr) {
      // A late call of a window that has ended here: counted in Redis on its own (one permit,
      // the counter created if need be), as exact as any other, and nothing kept of it.
      counting[0][1] = counter_key(name, spec, generation, index);
    } else {
      if (c->permits > 0) {
        --c->permits;
        d.admitted = true;
        d.remaining = std::max<int64_t>(0, limit - c->count) + c->permits;
        return d;
      }
      if (c->exhausted) return d;  // refused: remaining 0
      take = next_take(*c, limit);
      created = c->created;
      if (c->key.empty()) c->key = counter_key(name, spec, generation, index);
      counting[0][1] = c->key;
    }
  }
  std::vector<std::string>& count_command = counting[0];
  count_command.resize(take == 1 ? 2 : 3);
  count_command[0] = take == 1 ? "INCR" : "INCRBY";
  if (take != 1) count_command[2] = std::to_string(take);
  const std::string lifetime =
      std::to_string(std::max<Millis>(1000, end - now + kKeepQuotaWindowMs));
  if (!created) {
    creating[0][1] = count_command[1];
    creating[0][5] = lifetime;
    creating[1] = count_command;
  }
  std::vector<RedisReply> r = redis_.round_trip(created ? counting : creating);
  // From here on, `counting` and `creating` may hold another call's commands.
  const int64_t count = r.size() == (created ? 1u : 2u) ? r.back().as_integer(-1) : -1;
  if (count < take) throw StoreUnavailable("cluster store: unexpected quota count reply");
  if (created && count == take) {
    // The counter was gone (a Redis that restarted empty): the count made it without a
    // lifetime, which it is given now, lest it stay in Redis for good.
    redis_.round_trip({{"PEXPIRE", counter_key(name, spec, generation, index), lifetime}});
  }
  // The counter's positions count - take + 1 … count are this node's: those within the limit
  // are permits. Redis hands each position to one node only, so no window admits more.
  const int64_t granted = std::clamp(limit - (count - take), int64_t{0}, take);
  std::lock_guard lock(mutex_);
  Counter* c = counter(name, generation, index);
  if (c == nullptr) {
    // The window ended during the round trip (a later call began the next one, whose counter
    // must not be reset): this call keeps its permit, the others of its take are lost with
    // their window, as the permits a node holds when a window ends are.
    if (granted == 0) return d;
    d.admitted = true;
    d.remaining = std::max<int64_t>(0, limit - count);
    return d;
  }
  c->created = true;
  c->count = std::max(c->count, count);
  c->exhausted = c->exhausted || count >= limit;
  if (granted == 0) return d;
  c->permits += granted - 1;
  d.admitted = true;
  d.remaining = std::max<int64_t>(0, limit - c->count) + c->permits;
  return d;
}

}  // namespace pistesim
