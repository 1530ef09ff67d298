// Commands framed for Redis by our own code (redis_glue::append_command, used on a loop's shared
// connection for every gateway call) are byte for byte what hiredis frames.
#include "cluster/redis_glue.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <string>
#include <vector>

namespace pistesim {
namespace {

std::string framed_by_hiredis(const std::vector<std::string>& args) {
  redis_glue::Argv argv(args);
  char* framed = nullptr;
  const int length = redisFormatCommandArgv(&framed, argv.count(), argv.values(), argv.lengths());
  std::string out(framed, static_cast<size_t>(length));
  redisFreeCommand(framed);
  return out;
}

TEST(RedisGlue, CommandsAreFramedAsHiredisFramesThem) {
  const std::vector<std::vector<std::string>> cases{
      {"INCR", "pistesim:q:0:demo-sandbox/legifrance/20/s:s1795428000"},
      {"SET", "k", "0", "NX", "PX", "61000"},
      {"PING"},
      {"SET", "", ""},                                   // empty arguments
      {"SET", std::string("a\0b", 3), "line\r\nbreak"},  // bytes Redis must take as they are
      {"RPUSH", "list", std::string(70000, 'x')},        // a length of five digits
  };
  for (const auto& args : cases) {
    std::string ours = "prefix";
    redis_glue::append_command(ours, args);
    EXPECT_EQ(ours, "prefix" + framed_by_hiredis(args)) << args.front();
  }
}

}  // namespace
}  // namespace pistesim
