#include "cluster/redis_glue.h"

#include <charconv>

#include <hiredis/hiredis.h>

namespace pistesim::redis_glue {

namespace {

timeval to_timeval(int ms) {
  return {ms / 1000, static_cast<suseconds_t>((ms % 1000) * 1000)};
}

}  // namespace

void fail(const RedisAddress& address, const std::string& what) {
  throw StoreUnavailable("cluster store " + address.url() + " unavailable: " + what);
}

redisContext* connect(const RedisAddress& address, const RedisClient::Options& options) {
  redisContext* c = redisConnectWithTimeout(address.host.c_str(), address.port,
                                            to_timeval(options.connect_timeout_ms));
  if (!c) fail(address, "cannot allocate a connection");
  auto give_up = [&](const std::string& why) {
    redisFree(c);
    fail(address, why);
  };
  if (c->err) give_up(c->errstr);
  redisSetTimeout(c, to_timeval(options.command_timeout_ms));
  if (address.db != 0) {
    auto* r =
        static_cast<redisReply*>(redisCommand(c, "SELECT %d", address.db));  // NOLINT: vararg C API
    if (!r) give_up(c->errstr);
    RedisReply reply = copy_reply(r);
    freeReplyObject(r);
    if (reply.type == RedisReply::Type::Error)
      give_up("SELECT " + std::to_string(address.db) + ": " + reply.text);
  }
  return c;
}

RedisReply copy_reply(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::Integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::String;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::Status;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::Error;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::Array;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(copy_reply(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::Nil;
  }
  return out;
}

void append_command(std::string& out, const std::vector<std::string>& args) {
  auto number = [&out](size_t n) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, end);
    out.append("\r\n");
  };
  out.push_back('*');
  number(args.size());
  for (const auto& a : args) {
    out.push_back('$');
    number(a.size());
    out.append(a);
    out.append("\r\n");
  }
}

Argv::Argv(const std::vector<std::string>& args) {
  values_.reserve(args.size());
  lengths_.reserve(args.size());
  for (const auto& a : args) {
    values_.push_back(a.data());
    lengths_.push_back(a.size());
  }
}

}  // namespace pistesim::redis_glue
