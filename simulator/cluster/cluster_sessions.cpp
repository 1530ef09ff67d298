#include "cluster/cluster_sessions.h"

namespace pistesim {

namespace {

// Shared by the session scripts: where a session and its user's set live in generation g.
constexpr const char* kSessionKeys = R"(
local p = ARGV[1]
local g = redis.call('GET', p .. 'sessions:gen') or '0'
local function session_key(id) return p .. 's:' .. g .. ':' .. id end
local function user_key(email) return p .. 'su:' .. g .. ':' .. email end
)";

// ARGV: prefix, id, email, now, keep (ms, real time: only how long Redis keeps it).
const RedisScript& open_script() {
  static const RedisScript s(std::string(kSessionKeys) + R"(
local k, u = session_key(ARGV[2]), user_key(ARGV[3])
redis.call('HSET', k, 'email', ARGV[3], 'seen', ARGV[4])
redis.call('PEXPIRE', k, ARGV[5])
redis.call('SADD', u, ARGV[2])
redis.call('PEXPIRE', u, ARGV[5])
return 1
)");
  return s;
}

// ARGV: prefix, id, now, lifetime, keep. The user, the session's life extended; nil when it is
// unknown or idle longer than its lifetime (then it ends).
const RedisScript& user_script() {
  static const RedisScript s(std::string(kSessionKeys) + R"(
local k = session_key(ARGV[2])
local f = redis.call('HMGET', k, 'email', 'seen')
if not f[1] then return false end
local now, seen = tonumber(ARGV[3]), tonumber(f[2])
if now - seen > tonumber(ARGV[4]) then
  redis.call('DEL', k)
  redis.call('SREM', user_key(f[1]), ARGV[2])
  return false
end
if now > seen then redis.call('HSET', k, 'seen', ARGV[3]) end
redis.call('PEXPIRE', k, ARGV[5])
return f[1]
)");
  return s;
}

// ARGV: prefix, id. 1 if it was open.
const RedisScript& close_script() {
  static const RedisScript s(std::string(kSessionKeys) + R"(
local k = session_key(ARGV[2])
local email = redis.call('HGET', k, 'email')
if not email then return 0 end
redis.call('DEL', k)
redis.call('SREM', user_key(email), ARGV[2])
return 1
)");
  return s;
}

// ARGV: prefix, email. How many were open.
const RedisScript& close_all_script() {
  static const RedisScript s(std::string(kSessionKeys) + R"(
local u = user_key(ARGV[2])
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', u)) do n = n + redis.call('DEL', session_key(id)) end
redis.call('DEL', u)
return n
)");
  return s;
}

// Redis forgets an idle session a little after it would have expired on the real clock (the
// simulated clock decides; this only bounds memory).
std::string keep_ms() {
  return std::to_string(SessionStore::kLifetime + 3600 * 1000);
}

}  // namespace

ClusterSessions::ClusterSessions(RedisClient& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)) {}

void ClusterSessions::open(const std::string& id, const std::string& email, Millis now) {
  redis_.eval(open_script(), {}, {prefix_, id, email, std::to_string(now), keep_ms()});
}

std::optional<std::string> ClusterSessions::user(std::string_view session, Millis now) {
  RedisReply r = redis_.eval(user_script(), {},
                             {prefix_, std::string(session), std::to_string(now),
                              std::to_string(SessionStore::kLifetime), keep_ms()});
  if (r.type != RedisReply::Type::String) return std::nullopt;
  return std::move(r.text);
}

bool ClusterSessions::close(std::string_view session) {
  return redis_.eval(close_script(), {}, {prefix_, std::string(session)}).as_integer() == 1;
}

size_t ClusterSessions::close_all(const std::string& email) {
  return static_cast<size_t>(redis_.eval(close_all_script(), {}, {prefix_, email}).as_integer());
}

void ClusterSessions::clear() {
  redis_.command({"INCR", prefix_ + "sessions:gen"});
}

}  // namespace pistesim
