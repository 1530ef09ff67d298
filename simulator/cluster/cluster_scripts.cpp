#include "cluster/cluster_scripts.h"

namespace pistesim::cluster_scripts {

namespace {

// Shared by the token scripts: where a token and its application's set live in generation g,
// and the live tokens of a channel (a sorted set scored by expiry: what has expired falls below
// the clock, which a count or a trim then leaves out) and of a client (scored in issue order).
constexpr const char* kTokenKeys = R"(
local function token_key(p, g, ch, t) return p .. 't:' .. g .. ':' .. ch .. ':' .. t end
local function app_key(p, g, ch, a) return p .. 'a:' .. g .. ':' .. ch .. ':' .. a end
local function apps_key(p, g, ch) return p .. 'apps:' .. g .. ':' .. ch end
local function live_key(p, g, ch) return p .. 'live:' .. g .. ':' .. ch end
local function client_key(p, g, ch, c) return p .. 'c:' .. g .. ':' .. ch .. ':' .. c end
-- Applies f(key, token) to every live token of application a (and forgets the set's dead members).
local function each_token(p, g, ch, a, f)
  local set = app_key(p, g, ch, a)
  for _, t in ipairs(redis.call('SMEMBERS', set)) do
    local k = token_key(p, g, ch, t)
    if redis.call('EXISTS', k) == 1 then f(k, t) else redis.call('SREM', set, t) end
  end
end
-- A key of token sets lives at least as long as the token just added to it.
local function outlive(set, keep)
  if redis.call('PTTL', set) < keep then redis.call('PEXPIRE', set, keep) end
end
-- Every change of a token moves this count: nodes that cache tokens read it on catch-up.
local function tokens_changed(p) redis.call('INCR', p .. 'tokens:changes') end
-- The token stored at k was revoked (expires nil) or made to expire at `expires` (never later
-- than now): no longer its client's, and gone from (or moved in) its channel's live tokens.
local function relive(p, g, ch, k, t, expires)
  redis.call('ZREM', client_key(p, g, ch, redis.call('HGET', k, 'client')), t)
  local live = live_key(p, g, ch)
  if expires then redis.call('ZADD', live, 'XX', expires, t) else redis.call('ZREM', live, t) end
end
local function revoker(p, g, ch)
  return function(k, t)
    redis.call('HSET', k, 'revoked', '1')
    relive(p, g, ch, k, t, nil)
  end
end
local function expirer(p, g, ch, at)
  return function(k, t)
    if tonumber(redis.call('HGET', k, 'expires')) > at then
      redis.call('HSET', k, 'expires', at)
      relive(p, g, ch, k, t, at)
    end
  end
end
)";

std::string with_token_keys(const char* body) {
  return std::string(kTokenKeys) + body;
}

}  // namespace

const RedisScript& join() {
  static const RedisScript s(R"(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], ARGV[2])
redis.call('SET', KEYS[4], ARGV[3])
redis.call('DEL', KEYS[5], KEYS[6])
redis.call('SET', KEYS[7], ARGV[4])
redis.call('SET', KEYS[1], ARGV[3])
return 1
)");
  return s;
}

const RedisScript& commit() {
  static const RedisScript s(with_token_keys(R"(
local p = ARGV[1]
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
if head ~= tonumber(ARGV[2]) or (redis.call('GET', KEYS[8]) or '') ~= ARGV[9] then
  return {0, head, 0}
end
if ARGV[3] == 'world' then
  redis.call('SET', KEYS[2], ARGV[4])
  redis.call('SET', KEYS[5], head + 1)
  redis.call('DEL', KEYS[6], KEYS[7])
elseif ARGV[3] == 'delta' then
  redis.call('RPUSH', KEYS[6], ARGV[4])
  redis.call('INCRBY', KEYS[7], #ARGV[4])
end
if ARGV[5] ~= '' then redis.call('SET', KEYS[3], ARGV[5]) end
if ARGV[6] == '1' then redis.call('INCR', KEYS[4]) end
if ARGV[6] == '1' or tonumber(ARGV[10]) > 0 then tokens_changed(p) end
local g = redis.call('GET', KEYS[4]) or '0'
for i = 11, 10 + tonumber(ARGV[10]) do
  for _, ch in ipairs({'sandbox', 'production'}) do
    each_token(p, g, ch, ARGV[i], revoker(p, g, ch))
  end
end
local entries = redis.call('LLEN', KEYS[6])
local bytes = tonumber(redis.call('GET', KEYS[7]) or '0')
local due = 0
if entries >= tonumber(ARGV[7]) or
   (entries > 0 and bytes >= math.max(tonumber(ARGV[8]), redis.call('STRLEN', KEYS[2]))) then
  due = 1
end
return {1, redis.call('INCR', KEYS[1]), due}
)"));
  return s;
}

const RedisScript& read_world() {
  static const RedisScript s(R"(
local head = redis.call('GET', KEYS[1])
if not head then return {} end
head = tonumber(head)
local base = tonumber(redis.call('GET', KEYS[3]) or '0')
local epoch = redis.call('GET', KEYS[5]) or ''
local from = tonumber(ARGV[1])
local out, first = {head, base, epoch}, 0
if from >= base and from <= head and epoch == ARGV[2] then
  table.insert(out, 0)
  first = from - base
else
  table.insert(out, 1)
  table.insert(out, redis.call('GET', KEYS[2]))
end
for _, e in ipairs(redis.call('LRANGE', KEYS[4], first, -1)) do table.insert(out, e) end
return out
)");
  return s;
}

const RedisScript& compact_world() {
  static const RedisScript s(R"(
local v = tonumber(ARGV[1])
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
local base = tonumber(redis.call('GET', KEYS[3]) or '0')
if v <= base or v > head then return 0 end
local n = v - base
local dropped = 0
for _, e in ipairs(redis.call('LRANGE', KEYS[4], 0, n - 1)) do dropped = dropped + #e end
redis.call('LTRIM', KEYS[4], n, -1)
redis.call('DECRBY', KEYS[5], dropped)
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], v)
return 1
)");
  return s;
}

const RedisScript& issue() {
  static const RedisScript s(with_token_keys(R"(
local p, ch, t, a, client = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local expires, keep, now, most = tonumber(ARGV[8]), tonumber(ARGV[9]), ARGV[10], tonumber(ARGV[11])
local g = redis.call('GET', KEYS[1]) or '0'
local k = token_key(p, g, ch, t)
if redis.call('EXISTS', k) == 1 then return 0 end
redis.call('HSET', k, 'app', a, 'client', client, 'scope', ARGV[6], 'issued', ARGV[7],
           'expires', expires, 'revoked', '0')
redis.call('PEXPIRE', k, keep)
local set = app_key(p, g, ch, a)
redis.call('SADD', set, t)
outlive(set, keep)
redis.call('SADD', apps_key(p, g, ch), a)
local live = live_key(p, g, ch)
redis.call('ZREMRANGEBYSCORE', live, '-inf', now)
redis.call('ZADD', live, expires, t)
outlive(live, keep)
if most == 0 then return 1 end
-- The client's live tokens, oldest first, whichever node issued them: those that lived their
-- time leave from the front (revoked or expired ones left as they changed), then the oldest
-- beyond the limit expire now (never the one just issued: it is the newest).
local mine = client_key(p, g, ch, client)
while true do
  local first = redis.call('ZRANGE', mine, 0, 0)[1]
  if not first then break end
  local until_ = redis.call('HGET', token_key(p, g, ch, first), 'expires')
  if until_ and tonumber(until_) > tonumber(now) then break end
  redis.call('ZREM', mine, first)
end
redis.call('ZADD', mine, redis.call('INCR', p .. 'tokens:issued'), t)
outlive(mine, keep)
local over = redis.call('ZCARD', mine) - most
if over <= 0 then return 1 end
local expire_now = expirer(p, g, ch, tonumber(now))
for _, old in ipairs(redis.call('ZRANGE', mine, 0, over - 1)) do
  expire_now(token_key(p, g, ch, old), old)
end
tokens_changed(p)
return 2
)"));
  return s;
}

const RedisScript& change_token() {
  static const RedisScript s(with_token_keys(R"(
local p, ch, t = ARGV[1], ARGV[2], ARGV[3]
local g = redis.call('GET', KEYS[1]) or '0'
local k = token_key(p, g, ch, t)
if redis.call('EXISTS', k) == 0 then return 0 end
if ARGV[4] == 'revoke' then revoker(p, g, ch)(k, t) else expirer(p, g, ch, tonumber(ARGV[4]))(k, t) end
tokens_changed(p)
return 1
)"));
  return s;
}

const RedisScript& change_application() {
  static const RedisScript s(with_token_keys(R"(
local p, ch = ARGV[1], ARGV[2]
local g = redis.call('GET', KEYS[1]) or '0'
local f = ARGV[4] == 'revoke' and revoker(p, g, ch) or expirer(p, g, ch, tonumber(ARGV[4]))
each_token(p, g, ch, ARGV[3], f)
tokens_changed(p)
return 1
)"));
  return s;
}

const RedisScript& rewind() {
  static const RedisScript s(with_token_keys(R"(
local p, ch = ARGV[1], ARGV[2]
local old_now, new_now = tonumber(ARGV[3]), tonumber(ARGV[4])
local g = redis.call('GET', KEYS[1]) or '0'
for _, a in ipairs(redis.call('SMEMBERS', apps_key(p, g, ch))) do
  each_token(p, g, ch, a, function(k, t)
    local issued = tonumber(redis.call('HGET', k, 'issued'))
    local expires = tonumber(redis.call('HGET', k, 'expires'))
    if expires > new_now and (issued > new_now or expires <= old_now) then
      redis.call('HSET', k, 'expires', new_now)
      relive(p, g, ch, k, t, new_now)
    end
  end)
end
tokens_changed(p)
return 1
)"));
  return s;
}

const RedisScript& live_tokens() {
  static const RedisScript s(with_token_keys(R"(
local p, ch, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local g = redis.call('GET', KEYS[1]) or '0'
if not ARGV[4] then return redis.call('ZCOUNT', live_key(p, g, ch), '(' .. ARGV[3], '+inf') end
local n = 0
each_token(p, g, ch, ARGV[4], function(k)
  local token = redis.call('HMGET', k, 'revoked', 'expires')
  if token[1] == '0' and tonumber(token[2]) > now then n = n + 1 end
end)
return n
)"));
  return s;
}

const RedisScript& set_clock_offset() {
  static const RedisScript s(R"(
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
redis.call('SET', KEYS[1], ARGV[1])
if tonumber(ARGV[1]) < old then redis.call('INCR', KEYS[2]) end
return 1
)");
  return s;
}

}  // namespace pistesim::cluster_scripts
