#include "cluster/cluster_usage.h"

#include <algorithm>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "crypto/secrets.h"

namespace pistesim {

namespace {

using nlohmann::json;

json counts_json(const UsageCounts& c) {
  return json::array({c.total, c.success, c.client_error, c.throttled, c.server_error});
}

UsageCounts counts_from(const json& j) {
  UsageCounts c;
  if (!j.is_array() || j.size() != 5) return c;
  c.total = j[0].get<uint64_t>();
  c.success = j[1].get<uint64_t>();
  c.client_error = j[2].get<uint64_t>();
  c.throttled = j[3].get<uint64_t>();
  c.server_error = j[4].get<uint64_t>();
  return c;
}

// A node's counts as Redis keeps them: [[application, api, provider status, provider at,
// [[hour start, counts], …]], …].
std::string series_json(const std::vector<UsageSeries>& all) {
  json out = json::array();
  for (const auto& s : all) {
    json hours = json::array();
    for (const auto& h : s.hours) hours.push_back(json::array({h.start, counts_json(h.counts)}));
    out.push_back(
        json::array({s.application, s.api, s.last_provider.status, s.last_provider.at, hours}));
  }
  return out.dump();
}

// KEYS: the set of nodes' values. ARGV: prefix. Every node's value dropped.
const RedisScript& clear_script() {
  static const RedisScript s(R"(
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', k) end
redis.call('DEL', KEYS[1])
return 1
)");
  return s;
}

// KEYS: quota generation. ARGV: prefix, counter name, window. The count so far (the gateway's
// quota decision, ClusterStore::Quotas, names counters the same way).
const RedisScript& peek_script() {
  static const RedisScript s(R"(
local g = redis.call('GET', KEYS[1]) or '0'
return tonumber(redis.call('GET', ARGV[1] .. 'q:' .. g .. ':' .. ARGV[2] .. ':' .. ARGV[3]) or '0')
)");
  return s;
}

}  // namespace

ClusterUsage::ClusterUsage(RedisClient& redis, ClusterSignals& signals, std::string prefix)
    : redis_(redis),
      signals_(signals),
      prefix_(std::move(prefix)),
      node_(prefix_ + "usage:n:" + random_alphanumeric(12)) {}

void ClusterUsage::attach(UsageRecorder& local) {
  local_ = &local;
  signals_.on("usage", [this] { publish(); });
  signals_.on("usage-clear", [this] {
    std::lock_guard lock(local_mutex_);
    if (local_) local_->clear_local();
  });
}

void ClusterUsage::recorder_gone() {
  std::lock_guard lock(local_mutex_);
  local_ = nullptr;
}

void ClusterUsage::publish() {
  std::string value;
  {
    std::lock_guard lock(local_mutex_);
    if (!local_) return;
    value = series_json(local_->query_local(std::numeric_limits<Millis>::min() / 2,
                                            std::numeric_limits<Millis>::max() / 2, {}, true));
  }
  redis_.pipeline({{"SET", node_, value}, {"SADD", key("usage:nodes"), node_}});
}

std::vector<UsageSeries> ClusterUsage::merged() {
  publish();
  signals_.broadcast("usage");
  RedisReply nodes = redis_.command({"SMEMBERS", key("usage:nodes")});
  std::vector<std::vector<std::string>> reads;
  for (const auto& n : nodes.elements) reads.push_back({"GET", n.text});
  std::vector<RedisReply> values =
      reads.empty() ? std::vector<RedisReply>{} : redis_.pipeline(reads);
  struct Pair {
    std::map<Millis, UsageCounts> hours;
    ProviderStatus last;
  };
  std::map<std::pair<std::string, std::string>, Pair> pairs;
  for (const auto& v : values) {
    json all = json::parse(v.text, nullptr, false);
    if (!all.is_array()) continue;
    for (const auto& s : all) {
      if (!s.is_array() || s.size() != 5) continue;
      Pair& p = pairs[{s[0].get<std::string>(), s[1].get<std::string>()}];
      const ProviderStatus last{s[2].get<int>(), s[3].get<Millis>()};
      if (last.status != 0 && last.at >= p.last.at) p.last = last;
      for (const auto& h : s[4]) p.hours[h[0].get<Millis>()].add(counts_from(h[1]));
    }
  }
  std::vector<UsageSeries> out;
  for (auto& [names, p] : pairs) {
    UsageSeries s;
    s.application = names.first;
    s.api = names.second;
    s.last_provider = p.last;
    for (const auto& [start, counts] : p.hours) s.hours.push_back({start, counts});
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<UsageSeries> ClusterUsage::query(
    Millis from, Millis to, const std::function<bool(std::string_view, std::string_view)>& select,
    bool include_idle) {
  std::vector<UsageSeries> out;
  for (auto& s : merged()) {
    if (select && !select(s.application, s.api)) continue;
    // As UsageRecorder::query: an hour counts if it overlaps [from, to).
    std::erase_if(s.hours, [&](const UsageBucket& h) {
      return !(h.start < to && h.start + kHourMs > from) || h.counts.total == 0;
    });
    if (s.hours.empty() && !include_idle) continue;
    for (const auto& h : s.hours) s.totals.add(h.counts);
    out.push_back(std::move(s));
  }
  return out;  // sorted by (application, API): the map's order
}

ProviderStatus ClusterUsage::last_provider_status(std::string_view api) {
  ProviderStatus best;
  for (const auto& s : merged())
    if (s.api == api && s.last_provider.status != 0 && s.last_provider.at >= best.at)
      best = s.last_provider;
  return best;
}

void ClusterUsage::clear() {
  signals_.broadcast("usage-clear");
  {
    std::lock_guard lock(local_mutex_);
    if (local_) local_->clear_local();
  }
  redis_.eval(clear_script(), {key("usage:nodes")}, {prefix_});
}

ClusterQuotaCounts::ClusterQuotaCounts(RedisClient& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)) {}

QuotaDecision ClusterQuotaCounts::peek(const std::string& key, const QuotaSpec& spec, Millis now) {
  const uint64_t index = QuotaCore::window_index(spec.window, now);
  const char* kind = spec.window == QuotaWindow::Second ? "s" : "d";
  const int64_t count = redis_
                            .eval(peek_script(), {prefix_ + "quotas:gen"},
                                  {prefix_, key, std::string(kind) + std::to_string(index)})
                            .as_integer(0);
  QuotaDecision d;
  d.limit = spec.limit;
  d.admitted = count < spec.limit;
  d.remaining = std::max<int64_t>(0, spec.limit - count);
  d.window_end_ms = QuotaCore::window_end(spec.window, index);
  return d;
}

}  // namespace pistesim
