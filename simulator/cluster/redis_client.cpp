#include "cluster/redis_client.h"

#include "cluster/redis_glue.h"
#include "cluster/redis_link.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <poll.h>

#include <atomic>
#include <charconv>
#include <cstdio>

namespace pistesim {

std::string RedisAddress::url() const {
  return "redis://" + host + ":" + std::to_string(port) + "/" + std::to_string(db);
}

Result<RedisAddress> parse_redis_url(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Error{"--cluster " + std::string(text) + ": " + why +
                 " (expected redis://HOST[:PORT][/DB], e.g. redis://127.0.0.1:6379/0)"};
  };
  constexpr std::string_view kScheme = "redis://";
  if (!text.starts_with(kScheme)) return bad("not a redis:// URL");
  std::string_view rest = text.substr(kScheme.size());
  RedisAddress a;
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.find('@') != std::string_view::npos)
    return bad("credentials in the URL are not supported");
  size_t colon = authority.rfind(':');
  a.host = std::string(authority.substr(0, colon));
  if (a.host.empty()) return bad("no host");
  auto number = [](std::string_view s, int* out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  if (colon != std::string_view::npos &&
      (!number(authority.substr(colon + 1), &a.port) || a.port < 1 || a.port > 65535))
    return bad("the port is not a number from 1 to 65535");
  if (rest.size() > authority.size() + 1) {
    std::string_view db = rest.substr(authority.size() + 1);
    if (!number(db, &a.db) || a.db < 0) return bad("the database is not a number");
  }
  return a;
}

long long RedisReply::as_integer(long long fallback) const {
  if (type == Type::Integer) return integer;
  if (type != Type::String) return fallback;
  long long v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc() && p == text.data() + text.size() ? v : fallback;
}

RedisScript::RedisScript(std::string text) : source(std::move(text)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(source.data()), source.size(), digest);
  char hex[3];
  for (unsigned char b : digest) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    sha1 += hex;
  }
}

struct RedisClient::Connection {
  redisContext* context = nullptr;
  ~Connection() {
    if (context) redisFree(context);
  }
};

// A connection taken from the pool; back to it on success, dropped on failure (its stream may
// hold half a reply).
struct RedisClient::Lease {
  RedisClient* client;
  std::unique_ptr<Connection> connection;
  bool healthy = false;
  ~Lease() {
    if (healthy) client->give_back(std::move(connection));
  }
};

namespace {

// An idle connection has nothing to read: readable means the peer closed it (or sent an error).
bool still_open(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

// Appends one command to the connection's output buffer; false on failure.
bool append(redisContext* c, const std::vector<std::string>& args) {
  redis_glue::Argv argv(args);
  return redisAppendCommandArgv(c, argv.count(), argv.values(), argv.lengths()) == REDIS_OK;
}

}  // namespace

namespace {
std::atomic<uint64_t> next_client_id{1};
}

RedisClient::RedisClient(RedisAddress address, Options options)
    : address_(std::move(address)), options_(options), id_(next_client_id++) {}

RedisClient::~RedisClient() = default;

void RedisClient::fail(const std::string& what) const {
  redis_glue::fail(address_, what);
}

std::unique_ptr<RedisClient::Connection> RedisClient::connect() {
  auto c = std::make_unique<Connection>();
  c->context = redis_glue::connect(address_, options_);
  return c;
}

std::unique_ptr<RedisClient::Connection> RedisClient::take() {
  for (;;) {
    std::unique_ptr<Connection> c;
    {
      std::lock_guard lock(pool_mutex_);
      if (idle_.empty()) break;
      c = std::move(idle_.back());
      idle_.pop_back();
    }
    if (still_open(c->context->fd)) return c;
    // Closed while idle (Redis restarted): dropped before anything is sent on it, so that no
    // command is ever sent twice.
  }
  return connect();
}

void RedisClient::give_back(std::unique_ptr<Connection> c) {
  std::lock_guard lock(pool_mutex_);
  idle_.push_back(std::move(c));
}

std::vector<RedisReply> RedisClient::pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  Lease lease{this, take()};
  redisContext* c = lease.connection->context;
  for (const auto& args : commands)
    if (!append(c, args)) fail(c->errstr);
  std::vector<RedisReply> replies;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(c, &raw) != REDIS_OK || !raw)
      fail(c->err ? std::string(c->errstr) : "no reply");
    replies.push_back(redis_glue::copy_reply(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  lease.healthy = true;
  for (const auto& r : replies)
    if (r.type == RedisReply::Type::Error) fail(r.text);
  return replies;
}

std::vector<RedisReply> RedisClient::round_trip(
    const std::vector<std::vector<std::string>>& commands) {
  Fiber* fiber = Fiber::suspendable();
  LoopDriver* loop = fiber ? LoopDriver::current() : nullptr;
  if (!loop) return pipeline(commands);
  auto* link = static_cast<RedisLink*>(loop->attachment(id_));
  if (!link)
    link = &static_cast<RedisLink&>(
        loop->attach(id_, std::make_unique<RedisLink>(address_, options_, *loop)));
  return link->round_trip(*fiber, commands);
}

RedisReply RedisClient::command(const std::vector<std::string>& args) {
  return std::move(pipeline({args}).front());
}

RedisReply RedisClient::eval(const RedisScript& script, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args) {
  return eval_with(script, keys, args, /*may_suspend=*/false);
}

RedisReply RedisClient::eval_round_trip(const RedisScript& script,
                                        const std::vector<std::string>& keys,
                                        const std::vector<std::string>& args) {
  return eval_with(script, keys, args, /*may_suspend=*/true);
}

RedisReply RedisClient::eval_with(const RedisScript& script, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args, bool may_suspend) {
  std::vector<std::vector<std::string>> call{{"EVALSHA", script.sha1, std::to_string(keys.size())}};
  call[0].insert(call[0].end(), keys.begin(), keys.end());
  call[0].insert(call[0].end(), args.begin(), args.end());
  auto send = [&] { return std::move((may_suspend ? round_trip(call) : pipeline(call)).front()); };
  try {
    return send();
  } catch (const StoreUnavailable& e) {
    // Redis forgets scripts when it restarts: send it in full, once.
    if (std::string_view(e.what()).find("NOSCRIPT") == std::string_view::npos) throw;
  }
  call[0][0] = "EVAL";
  call[0][1] = script.source;
  return send();
}

}  // namespace pistesim
