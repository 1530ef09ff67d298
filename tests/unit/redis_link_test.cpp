// A loop's shared Redis connection (cluster/redis_link.h), on the server's real event loop with a
// real Redis: the round trips of a loop's fibers are in flight together on one connection, and a
// silent or restarted Redis fails them cleanly and is found again.
#include "cluster/redis_link.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "http/event_loop.h"
#include "support/redis_server.h"

namespace pistesim {
namespace {

using test::RedisServer;

long long info_field(RedisClient& probe, const std::string& section, const std::string& field) {
  const std::string text = probe.command({"INFO", section}).text;
  const size_t at = text.find(field + ":");
  return at == std::string::npos ? -1 : std::stoll(text.substr(at + field.size() + 1));
}

// One loop of the server, run on this thread until it has nothing left to do.
struct OneLoop {
  HttpServerOptions options;
  http::ServerContext context{.options = options, .limits = {}, .answer = {}, .clients = {}};
  http::Loop loop{context};
  // Runs what was posted, and what it starts, to the end.
  void run() {
    loop.io().restart();
    loop.run();
  }
};

// Starts, on the loop, a fiber that makes one round trip of `commands` and records the outcome.
struct Outcome {
  std::vector<RedisReply> replies;
  std::string error;
};
void begin_round_trip(OneLoop& l, RedisClient& client,
                      std::vector<std::vector<std::string>> commands, Outcome* out,
                      int* in_flight = nullptr, int* most = nullptr) {
  l.loop.post([&client, commands = std::move(commands), out, in_flight, most] {
    Fiber::start([&client, commands, out, in_flight, most] {
      Fiber::Suspendable no_lock_held;
      if (in_flight) *most = std::max(*most, ++*in_flight);
      try {
        out->replies = client.round_trip(commands);
      } catch (const StoreUnavailable& e) {
        out->error = e.what();
      }
      if (in_flight) --*in_flight;
    });
  });
}

TEST(RedisLink, TheFibersOfALoopAreAllInFlightAtOnceOnOneConnection) {
  RedisServer redis;
  ASSERT_TRUE(redis.started()) << redis.log();
  RedisClient client(*parse_redis_url(redis.url()));
  RedisClient probe(*parse_redis_url(redis.url()));
  const long long connections_before = info_field(probe, "stats", "total_connections_received");
  OneLoop l;
  constexpr int kFibers = 200;
  std::vector<Outcome> outcomes(kFibers);
  int in_flight = 0, most = 0;
  for (auto& o : outcomes)
    begin_round_trip(l, client, {{"INCR", "n"}, {"GET", "n"}}, &o, &in_flight, &most);
  l.run();
  // Blocking round trips would have had one in flight at a time on this one thread.
  EXPECT_EQ(most, kFibers);
  std::vector<long long> counts;
  for (const auto& o : outcomes) {
    ASSERT_EQ(o.error, "");
    ASSERT_EQ(o.replies.size(), 2u);
    EXPECT_EQ(o.replies[0].as_integer(), o.replies[1].as_integer());  // in order, back to back
    counts.push_back(o.replies[0].as_integer());
  }
  std::sort(counts.begin(), counts.end());
  for (int i = 0; i < kFibers; ++i) EXPECT_EQ(counts[static_cast<size_t>(i)], i + 1);
  EXPECT_EQ(info_field(probe, "stats", "total_connections_received") - connections_before, 1);
}

TEST(RedisLink, ASilentRedisFailsTheRoundTripsInFlightAndIsFoundAgain) {
  RedisServer redis;
  ASSERT_TRUE(redis.started()) << redis.log();
  RedisClient::Options options;
  options.command_timeout_ms = 300;
  RedisClient client(*parse_redis_url(redis.url()), options);
  OneLoop l;
  Outcome first;
  begin_round_trip(l, client, {{"SET", "k", "1"}}, &first);
  l.run();  // connected, and served
  ASSERT_EQ(first.error, "");
  redis.pause();
  std::vector<Outcome> stuck(5);
  for (auto& o : stuck) begin_round_trip(l, client, {{"INCR", "k"}}, &o);
  l.run();  // returns once the command timeout failed them
  for (const auto& o : stuck)
    EXPECT_NE(o.error.find("unavailable: no reply within 300 ms"), std::string::npos) << o.error;
  redis.resume();
  Outcome after;
  begin_round_trip(l, client, {{"GET", "k"}}, &after);
  l.run();
  ASSERT_EQ(after.error, "");
  // Each INCR was sent once: Redis may run those it had received, never more.
  EXPECT_GE(after.replies.at(0).as_integer(), 1);
  EXPECT_LE(after.replies.at(0).as_integer(), 6);
}

TEST(RedisLink, ARedisRestartedWhileTheConnectionWasIdleIsFoundAgainWithoutAFailure) {
  RedisServer redis;
  ASSERT_TRUE(redis.started()) << redis.log();
  RedisClient client(*parse_redis_url(redis.url()));
  OneLoop l;
  Outcome before;
  begin_round_trip(l, client, {{"SET", "k", "1"}}, &before);
  l.run();
  ASSERT_EQ(before.error, "");
  ASSERT_TRUE(redis.restart()) << redis.log();
  Outcome after;
  begin_round_trip(l, client, {{"INCR", "k"}}, &after);
  l.run();
  EXPECT_EQ(after.error, "");
  EXPECT_EQ(after.replies.at(0).as_integer(), 1);  // no persistence: a fresh Redis
}

TEST(RedisLink, AnUnreachableRedisIsAClearFailureOfTheRoundTrip) {
  RedisServer redis;
  ASSERT_TRUE(redis.started()) << redis.log();
  const std::string url = redis.url();
  redis.stop();
  RedisClient client(*parse_redis_url(url));
  OneLoop l;
  Outcome o;
  begin_round_trip(l, client, {{"PING"}}, &o);
  l.run();
  EXPECT_NE(o.error.find("cluster store " + url + " unavailable"), std::string::npos) << o.error;
}

}  // namespace
}  // namespace pistesim
