// What the cluster's two ways of talking to Redis share (the blocking pool, cluster/redis_client.h,
// and a loop's shared connection, cluster/redis_link.h): connecting, framing commands for hiredis
// and copying its replies out. Only cluster/*.cpp include it: hiredis's types stay in there.
#pragma once

#include <string>
#include <vector>

#include "cluster/redis_client.h"

struct redisContext;
struct redisReply;

namespace pistesim::redis_glue {

// Throws StoreUnavailable naming the address and `what`.
[[noreturn]] void fail(const RedisAddress& address, const std::string& what);
// A connected context (blocking, its command timeout set, the database selected), or throws.
redisContext* connect(const RedisAddress& address, const RedisClient::Options& options);
RedisReply copy_reply(const redisReply* r);

// Appends `args` to `out` as one command in Redis's protocol (RESP: an array of bulk strings),
// as hiredis frames it, without its allocations (a loop's connection frames every gateway call's).
void append_command(std::string& out, const std::vector<std::string>& args);

// A command's arguments as hiredis's argv form (views of `args`, which must outlive it).
class Argv {
 public:
  explicit Argv(const std::vector<std::string>& args);
  int count() const { return static_cast<int>(values_.size()); }
  const char** values() { return values_.data(); }
  const size_t* lengths() const { return lengths_.data(); }

 private:
  std::vector<const char*> values_;
  std::vector<size_t> lengths_;
};

}  // namespace pistesim::redis_glue
