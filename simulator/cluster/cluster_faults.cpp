#include "cluster/cluster_faults.h"

#include <nlohmann/json.hpp>

namespace pistesim {

namespace {

using nlohmann::json;

// A fault's fixed part (what it does and to whom), as Redis keeps it; `after` and `remaining`
// are fields of their own that scripts count down.
std::string fixed_part(const Fault& f) {
  return json{{"kind", to_string(f.kind)},      {"api", f.api},
              {"application", f.application},   {"status", f.status},
              {"content_type", f.content_type}, {"body", f.body},
              {"latency_ms", f.latency_ms}}
      .dump();
}

Fault from_redis(const RedisReply& id, const RedisReply& fixed, const RedisReply& after,
                 const RedisReply& remaining) {
  Fault f;
  f.id = static_cast<uint64_t>(id.as_integer());
  json j = json::parse(fixed.text, nullptr, false);
  if (j.is_object()) {
    f.kind = fault_kind_from_string(j.value("kind", "respond")).value_or(FaultKind::Respond);
    f.api = j.value("api", "");
    f.application = j.value("application", "");
    f.status = j.value("status", 0);
    f.content_type = j.value("content_type", "application/json");
    f.body = j.value("body", "");
    f.latency_ms = j.value("latency_ms", Millis{0});
  }
  f.after = after.as_integer();
  f.remaining = remaining.as_integer();
  return f;
}

// KEYS: next id, armed ids (sorted set). ARGV: prefix, fixed part, after, remaining.
const RedisScript& arm_script() {
  static const RedisScript s(R"(
local id = redis.call('INCR', KEYS[1])
redis.call('HSET', ARGV[1] .. 'fault:' .. id, 'fixed', ARGV[2], 'after', ARGV[3],
           'remaining', ARGV[4])
redis.call('ZADD', KEYS[2], id, id)
return id
)");
  return s;
}

// KEYS: armed ids. ARGV: prefix, ",kind,kind,", api, application, signal channel. The first
// armed fault of one of the kinds matching the call, its count taken in the same step:
// {id, fixed, after, remaining} as they were, or nil.
const RedisScript& take_script() {
  static const RedisScript s(R"(
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local k = ARGV[1] .. 'fault:' .. id
  local f = redis.call('HMGET', k, 'fixed', 'after', 'remaining')
  if not f[1] then
    redis.call('ZREM', KEYS[1], id)
  else
    local d = cjson.decode(f[1])
    if string.find(ARGV[2], ',' .. d.kind .. ',', 1, true) and
       (d.api == '' or d.api == ARGV[3]) and
       (d.application == '' or d.application == ARGV[4]) then
      if tonumber(f[2]) > 0 then
        redis.call('HINCRBY', k, 'after', -1)
      else
        local remaining = tonumber(f[3])
        if remaining == 1 then
          redis.call('DEL', k)
          redis.call('ZREM', KEYS[1], id)
          redis.call('PUBLISH', ARGV[5], 'faults 0')
        elseif remaining > 1 then
          redis.call('HINCRBY', k, 'remaining', -1)
        end
        return {id, f[1], f[2], f[3]}
      end
    end
  end
end
return false
)");
  return s;
}

// KEYS: armed ids. ARGV: prefix. {id, fixed, after, remaining, …} in arming order.
const RedisScript& list_script() {
  static const RedisScript s(R"(
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local f = redis.call('HMGET', ARGV[1] .. 'fault:' .. id, 'fixed', 'after', 'remaining')
  if f[1] then
    table.insert(out, id); table.insert(out, f[1]); table.insert(out, f[2])
    table.insert(out, f[3])
  end
end
return out
)");
  return s;
}

// KEYS: armed ids. ARGV: prefix, id ("" for all). How many were disarmed.
const RedisScript& disarm_script() {
  static const RedisScript s(R"(
local ids = ARGV[2] == '' and redis.call('ZRANGE', KEYS[1], 0, -1) or {ARGV[2]}
local n = 0
for _, id in ipairs(ids) do
  n = n + redis.call('ZREM', KEYS[1], id)
  redis.call('DEL', ARGV[1] .. 'fault:' .. id)
end
return n
)");
  return s;
}

}  // namespace

ClusterFaults::ClusterFaults(RedisClient& redis, ClusterSignals& signals, std::string prefix)
    : redis_(redis), signals_(signals), prefix_(std::move(prefix)) {
  signals_.on("faults", [this] { refresh(); });
  signals_.on_subscribed([this] { refresh(); });
  signals_.on_lost([this] { armed_.store(-1, std::memory_order_release); });
}

void ClusterFaults::refresh() {
  armed_.store(redis_.command({"ZCARD", key("faults")}).as_integer(-1), std::memory_order_release);
}

uint64_t ClusterFaults::arm(Fault fault) {
  const auto id =
      static_cast<uint64_t>(redis_
                                .eval(arm_script(), {key("faults:next"), key("faults")},
                                      {prefix_, fixed_part(fault), std::to_string(fault.after),
                                       std::to_string(fault.remaining)})
                                .as_integer());
  // Armed everywhere before the answer: the next call on any node may meet it.
  signals_.broadcast("faults");
  return id;
}

std::optional<Fault> ClusterFaults::take(const std::string& api, const std::string& application,
                                         std::initializer_list<FaultKind> kinds) {
  std::string wanted = ",";
  for (FaultKind k : kinds) wanted += std::string(to_string(k)) + ",";
  RedisReply r = redis_.eval(take_script(), {key("faults")},
                             {prefix_, wanted, api, application, signals_.channel()});
  if (r.type != RedisReply::Type::Array || r.elements.size() != 4) return std::nullopt;
  return from_redis(r.elements[0], r.elements[1], r.elements[2], r.elements[3]);
}

std::vector<Fault> ClusterFaults::list() const {
  RedisReply r = redis_.eval(list_script(), {key("faults")}, {prefix_});
  std::vector<Fault> out;
  for (size_t i = 0; i + 3 < r.elements.size(); i += 4)
    out.push_back(
        from_redis(r.elements[i], r.elements[i + 1], r.elements[i + 2], r.elements[i + 3]));
  return out;
}

bool ClusterFaults::disarm(uint64_t id) {
  const bool found =
      redis_.eval(disarm_script(), {key("faults")}, {prefix_, std::to_string(id)}).as_integer() > 0;
  if (found) signals_.broadcast("faults");
  return found;
}

void ClusterFaults::clear() {
  redis_.eval(disarm_script(), {key("faults")}, {prefix_, ""});
  signals_.broadcast("faults");
}

}  // namespace pistesim
