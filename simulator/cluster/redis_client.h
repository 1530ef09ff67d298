// A small Redis client over hiredis (Debian's libhiredis-dev): a pool of blocking connections,
// each used by one thread at a time; and, for requests answered on fibers of an event loop, one
// shared non-blocking connection per loop (round_trip(), cluster/redis_link.h). A failed
// connection is dropped and a later call reconnects: a Redis that restarts is found again
// without anyone's help. Safe for concurrent use.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/state_store.h"

namespace pistesim {

// Where the cluster's Redis is: redis://HOST[:PORT][/DB].
struct RedisAddress {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string url() const;
};
// The address, or what is wrong with `text`.
Result<RedisAddress> parse_redis_url(std::string_view text);

// One reply, copied out of hiredis's (no hiredis type leaks out of the client).
struct RedisReply {
  enum class Type { Nil, Integer, String, Status, Error, Array };
  Type type = Type::Nil;
  long long integer = 0;
  std::string text;  // String, Status, Error
  std::vector<RedisReply> elements;

  bool nil() const { return type == Type::Nil; }
  // The integer of an Integer reply, or of a String holding one; `fallback` otherwise.
  long long as_integer(long long fallback = 0) const;
};

// A Lua script, sent by its SHA-1 (EVALSHA) and in full only when Redis does not know it yet
// (first use, or after a restart).
struct RedisScript {
  explicit RedisScript(std::string source);
  std::string source;
  std::string sha1;
};

class RedisClient {
 public:
  struct Options {
    int connect_timeout_ms = 1000;
    int command_timeout_ms = 2000;  // a Redis that hangs is a 503, not a stuck event loop
  };
  RedisClient(RedisAddress address, Options options);
  explicit RedisClient(RedisAddress address) : RedisClient(std::move(address), Options{}) {}
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Each throws StoreUnavailable when Redis cannot be reached or answers an error (the message
  // names the address and the reason).
  RedisReply command(const std::vector<std::string>& args);
  // Several commands in one round trip; their replies in order.
  std::vector<RedisReply> pipeline(const std::vector<std::vector<std::string>>& commands);
  RedisReply eval(const RedisScript& script, const std::vector<std::string>& keys,
                  const std::vector<std::string>& args);
  // eval() as round_trip() sends: in a fiber that may suspend, on the loop's shared connection.
  // REQUIRES: the caller holds no lock (a fiber suspended holding one could deadlock its thread).
  RedisReply eval_round_trip(const RedisScript& script, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args);
  // pipeline(), except in a fiber that may suspend (base/fiber.h) on an event loop: there the
  // commands travel on the loop's shared connection (cluster/redis_link.h), and the fiber is
  // suspended, not the thread, until the replies are in.
  std::vector<RedisReply> round_trip(const std::vector<std::vector<std::string>>& commands);

  const RedisAddress& address() const { return address_; }

 private:
  struct Connection;
  struct Lease;
  std::unique_ptr<Connection> connect();
  RedisReply eval_with(const RedisScript& script, const std::vector<std::string>& keys,
                       const std::vector<std::string>& args, bool may_suspend);
  std::unique_ptr<Connection> take();
  void give_back(std::unique_ptr<Connection> c);
  [[noreturn]] void fail(const std::string& what) const;

  RedisAddress address_;
  Options options_;
  uint64_t id_;  // names this client's connection on each loop (LoopDriver::attachment)
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace pistesim
