// Two or more in-process simulators sharing one real Redis (`serve --cluster`, docs/cluster.md):
// tokens, world changes, registrations and quotas are one PISTE whichever node is asked, and a
// Redis that goes away is a 503 (never an admission) until it comes back.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <sstream>
#include <thread>

#include "cluster/cluster_scripts.h"
#include "cluster/cluster_shared.h"
#include "cluster/cluster_simulator.h"
#include "support/cluster_node.h"
#include "support/portal_forms.h"
#include "support/redis_server.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

const std::string kPing = "/dila/legifrance/lf-engine-app/consult/ping";

// One node, with a world and journal capacity of the test's choosing.
struct Node : ClusterNode {
  Node(const RedisServer& redis, std::shared_ptr<ManualClock> clock, World world = default_world(),
       size_t journal_capacity = 10000)
      : ClusterNode(redis, std::move(clock),
                    {.world = std::move(world), .journal_capacity = journal_capacity}) {}
};

class ClusterStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis.started()) << redis.log(); }
  RedisServer redis;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
};

TEST(RedisUrl, ParsesHostPortAndDatabase) {
  auto a = parse_redis_url("redis://10.0.0.5:6380/3");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->host, "10.0.0.5");
  EXPECT_EQ(a->port, 6380);
  EXPECT_EQ(a->db, 3);
  EXPECT_EQ(parse_redis_url("redis://localhost")->port, 6379);
  for (const char* bad : {"http://x:1/0", "redis://:6379/0", "redis://h:0/0", "redis://h:x/0",
                          "redis://h:1/-1", "redis://user:pw@h:1/0"}) {
    auto parsed = parse_redis_url(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find("redis://HOST[:PORT][/DB]"), std::string::npos)
        << parsed.error().message;
  }
}

TEST_F(ClusterStoreTest, AFirstNodeStartsTheClusterAndALaterOneJoinsItsWorld) {
  Node a(redis, clock);
  EXPECT_TRUE(a.node.created);
  World other = default_world();
  other.applications.clear();
  Node b(redis, clock, std::move(other));
  EXPECT_FALSE(b.node.created);
  // B took the cluster's world, not the one it was given.
  EXPECT_EQ(b.t.sim->snapshot()->world.applications.size(),
            a.t.sim->snapshot()->world.applications.size());
  EXPECT_EQ(a.store.applied_version(), b.store.applied_version());
}

TEST_F(ClusterStoreTest, ATokenFromOneNodeWorksOnTheOthersAndItsRevocationReachesThemAll) {
  Node a(redis, clock), b(redis, clock), c(redis, clock);
  const std::string token = a.t.token();
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  EXPECT_EQ(c.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  EXPECT_EQ(b.t.control("POST", "/tokens/revoke", R"({"token":")" + token + "\"}").status, 200);
  EXPECT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, token).status, 401);
  EXPECT_EQ(c.t.call(Channel::Sandbox, "GET", kPing, token).status, 401);
  // An application's tokens, revoked on C, whichever node issued them.
  const std::string second = b.t.token();
  EXPECT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, second).status, 200);
  EXPECT_EQ(c.t.control("POST", "/tokens/revoke", R"({"application":"demo-sandbox"})").status, 200);
  EXPECT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, second).status, 401);
}

TEST_F(ClusterStoreTest, AWorldChangeOnOneNodeIsSeenByTheNextRequestOnAnother) {
  Node a(redis, clock), b(redis, clock);
  const std::string token = a.t.token();
  ASSERT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  ASSERT_EQ(a.t.control("PATCH", "/applications/demo-sandbox", R"({"active":false})").status, 200);
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 403);
  ASSERT_EQ(b.t.control("PATCH", "/applications/demo-sandbox", R"({"active":true})").status, 200);
  EXPECT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
}

TEST_F(ClusterStoreTest, TwoNodesRegisteringOneAddressAtOnceExactlyOneWins) {
  Node a(redis, clock), b(redis, clock);
  for (int round = 0; round < 5; ++round) {
    const std::string email = "race" + std::to_string(round) + "@example.fr";
    Response ra, rb;
    std::thread ta(
        [&] { ra = a.t.control("POST", "/portal/register", registration_form(email).dump()); });
    std::thread tb(
        [&] { rb = b.t.control("POST", "/portal/register", registration_form(email).dump()); });
    ta.join();
    tb.join();
    const int wins = (ra.status == 201) + (rb.status == 201);
    EXPECT_EQ(wins, 1) << ra.status << " " << ra.body << "\n" << rb.status << " " << rb.body;
    const Response& loser = ra.status == 201 ? rb : ra;
    EXPECT_EQ(outcome_of(loser).substr(0, 3), "409") << loser.body;
    EXPECT_NE(loser.body.find("EMAIL_TAKEN"), std::string::npos) << loser.body;
  }
}

TEST_F(ClusterStoreTest, AQuotaAdmitsExactlyItsLimitAcrossNodesAndThreads) {
  Node a(redis, clock), b(redis, clock), c(redis, clock);
  Node* nodes[] = {&a, &b, &c};
  ASSERT_EQ(a.set_demo_quota(25, "1s"), 200);
  const std::string token = a.t.token();
  std::atomic<int> admitted{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&, i] {
      for (int k = 0; k < 20; ++k) {
        const int s = nodes[i % 3]->t.call(Channel::Sandbox, "GET", kPing, token).status;
        (s == 200 ? admitted : s == 429 ? refused : other)++;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 25);
  EXPECT_EQ(refused.load(), 120 - 25);
  EXPECT_EQ(other.load(), 0);
  // The next second (through the cluster, which every node follows): a fresh window.
  ASSERT_EQ(b.t.control("POST", "/clock/advance", R"({"seconds": 1})").status, 200);
  EXPECT_EQ(c.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
}

// Calls of each Redis command since the last CONFIG RESETSTAT (INFO commandstats).
std::map<std::string, long long> command_calls(RedisClient& redis) {
  std::map<std::string, long long> calls;
  std::istringstream info(redis.command({"INFO", "commandstats"}).text);
  for (std::string line; std::getline(info, line);) {
    // cmdstat_mget:calls=12,usec=...
    const size_t colon = line.find(':'), equals = line.find("calls=");
    if (line.rfind("cmdstat_", 0) != 0 || colon == std::string::npos || equals == std::string::npos)
      continue;
    calls[line.substr(8, colon - 8)] = std::stoll(line.substr(equals + 6));
  }
  return calls;
}

// Until the node hears its signals (the first PONG of its subscription).
void wait_until_fresh(ClusterStore& store) {
  for (int i = 0; i < 200 && !store.shared().signals().fresh(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(store.shared().signals().fresh());
}

TEST_F(ClusterStoreTest, AGatewayCallWithAKnownTokenIsOneIncrAndNothingElse) {
  // Without journals: their writers send a script every 20 ms while calls come, which a slow
  // build (TSan) would count among the calls' commands.
  Node a(redis, clock, default_world(), 0), b(redis, clock, default_world(), 0);
  const std::string token = a.t.token();
  ASSERT_FALSE(token.empty());
  wait_until_fresh(b.store);
  ASSERT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  b.store.redis().command({"CONFIG", "RESETSTAT"});
  constexpr int kCalls = 10;
  for (int i = 0; i < kCalls; ++i)
    ASSERT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  auto calls = command_calls(b.store.redis());
  // B read the token with its first call (above) and keeps it; nothing was announced since,
  // and B hears its signals: no catch-up, no token read, only the quota counter's INCR (its
  // SET NX PX went with B's first call in this window). No Lua on the gateway's path. At most
  // one catch-up: a node that hears everything still makes one every second.
  EXPECT_LE(calls["mget"], 1);
  EXPECT_LE(calls["hmget"], 1);
  EXPECT_EQ(calls["set"], 0);
  EXPECT_EQ(calls["incr"], kCalls);
  EXPECT_EQ(calls["evalsha"] + calls["eval"], 0);  // nor a fault's, while none is armed
  // A revocation elsewhere is still seen by the very next call: A announces it, and returns
  // once B has taken note.
  ASSERT_EQ(a.t.control("POST", "/tokens/revoke", R"({"token":")" + token + "\"}").status, 200);
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 401);
  // And after a reset (a new token generation) a token issued since is found at once.
  ASSERT_EQ(a.t.control("POST", "/world/reset").status, 200);
  const std::string fresh = a.t.token();
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, fresh).status, 200);
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 401);
}

// A change whose announcement was lost (its node failed between the change and the signal) is
// still found: a node catches up at least every second, and sees `tokens:changes` moved.
TEST_F(ClusterStoreTest, ARevocationNobodyAnnouncedIsSeenWithinASecond) {
  Node a(redis, clock, default_world(), 0), b(redis, clock, default_world(), 0);
  const std::string token = a.t.token();
  wait_until_fresh(b.store);
  ASSERT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  // What A's revocation does in Redis, without its signal.
  RedisReply r = a.store.redis().eval(cluster_scripts::change_token(), {"pistesim:tokens:gen"},
                                      {"pistesim:", "sandbox", token, "revoke"});
  ASSERT_EQ(r.as_integer(), 1);
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  int status = 200;
  while (status == 200 && std::chrono::steady_clock::now() < until) {
    status = b.t.call(Channel::Sandbox, "GET", kPing, token).status;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 401);
}

// A node that stops hearing its signals (here: Redis hangs) is not fresh within
// kFreshForMs, so it catches up on every request again; and fresh again once Redis answers.
TEST_F(ClusterStoreTest, ANodeThatHearsNothingStopsTrustingWhatItKeeps) {
  Node a(redis, clock, default_world(), 0);
  wait_until_fresh(a.store);
  redis.pause();
  std::this_thread::sleep_for(std::chrono::milliseconds(ClusterSignals::kFreshForMs + 200));
  const bool fresh_while_hung = a.store.shared().signals().fresh();
  redis.resume();
  EXPECT_FALSE(fresh_while_hung);
  wait_until_fresh(a.store);
}

// A node creates a quota counter with its lifetime once per window (SET NX PX), then only
// counts. A counter Redis lost meanwhile is made again by the INCR, without a lifetime: the node
// gives it one, lest it stay in Redis for good.
TEST_F(ClusterStoreTest, AQuotaCounterIsCreatedOncePerWindowAndNeverLeftWithoutALifetime) {
  Node a(redis, clock), b(redis, clock);
  const std::string token = a.t.token();
  auto counters = [&] {
    std::vector<std::string> keys;
    for (const auto& k : b.store.redis().command({"KEYS", "pistesim:q:*"}).elements)
      keys.push_back(k.text);
    return keys;
  };
  ASSERT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  const auto created = counters();
  ASSERT_FALSE(created.empty());
  b.store.redis().command({"CONFIG", "RESETSTAT"});
  ASSERT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  EXPECT_EQ(command_calls(b.store.redis())["set"], 0);
  // A (which has not counted in this window yet) sends its own SET NX, which keeps the count.
  ASSERT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  EXPECT_EQ(command_calls(b.store.redis())["set"], static_cast<long long>(created.size()));
  for (const auto& key : created) {
    EXPECT_EQ(b.store.redis().command({"GET", key}).as_integer(), 3) << key;
    b.store.redis().command({"DEL", key});
  }
  ASSERT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  for (const auto& key : created) {
    EXPECT_EQ(b.store.redis().command({"GET", key}).as_integer(), 1) << key;
    const long long ttl = b.store.redis().command({"PTTL", key}).as_integer(-9);
    EXPECT_GT(ttl, 0) << key;
  }
  // A new window: created afresh, with its lifetime.
  clock->advance(25 * 3600 * 1000);
  b.store.redis().command({"CONFIG", "RESETSTAT"});
  ASSERT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, b.t.token()).status, 200);
  EXPECT_EQ(command_calls(b.store.redis())["set"], static_cast<long long>(created.size()));
}

// Once a node has seen a window's count reach the limit, it refuses the window's later calls
// itself (a count only grows within its window); a node that has not seen it asks Redis once.
TEST_F(ClusterStoreTest, ANodeThatSawTheLimitReachedRefusesTheRestOfTheWindowWithoutRedis) {
  Node a(redis, clock, default_world(), 0), b(redis, clock, default_world(), 0);
  ASSERT_EQ(a.set_demo_quota(3, "1d"), 200);
  const std::string token = a.t.token();
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  a.store.redis().command({"CONFIG", "RESETSTAT"});
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, token).status, 429);
  EXPECT_EQ(command_calls(a.store.redis())["incr"], 0);
  // B has not counted in this window: its first call asks Redis, and is refused.
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 429);
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 429);
  EXPECT_EQ(command_calls(a.store.redis())["incr"], 1);
  // The next window (the next Paris day) admits again, on both.
  ASSERT_EQ(b.t.control("POST", "/clock/advance", R"({"seconds": 86400})").status, 200);
  const std::string tomorrow = a.t.token();  // the first one has expired
  EXPECT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, tomorrow).status, 200);
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, tomorrow).status, 200);
}

TEST_F(ClusterStoreTest, AClockAdvanceOnOneNodeMovesEveryNode) {
  Node a(redis, clock), b(redis, clock);
  // Separate clocks here: each node must learn the offset from Redis.
  auto clock_b = std::make_shared<ManualClock>(kStart);
  Node c(redis, clock_b);
  ASSERT_EQ(a.t.control("POST", "/clock/advance", R"({"seconds": 7200})").status, 200);
  EXPECT_EQ(c.t.control("GET", "/clock").status, 200);
  EXPECT_EQ(clock_b->now_ms(), kStart + 7200 * 1000);
}

TEST_F(ClusterStoreTest, WithoutRedisRequestsAre503AndNothingIsAdmittedThenItRecovers) {
  RedisServer durable({.append_only = true});
  ASSERT_TRUE(durable.started()) << durable.log();
  Node a(durable, clock), b(durable, clock);
  const std::string token = a.t.token();
  durable.stop();
  Response r = b.t.call(Channel::Sandbox, "GET", kPing, token);
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.diagnostic.find("unavailable"), std::string::npos) << r.diagnostic;
  EXPECT_NE(r.body.find("temporarily_unavailable"), std::string::npos) << r.body;
  EXPECT_EQ(a.t.token_request(Channel::Sandbox, "grant_type=client_credentials").status, 503);
  ASSERT_TRUE(durable.start()) << durable.log();
  // The token survived in the AOF; the node reconnected by itself.
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
}

TEST_F(ClusterStoreTest, ARedisRestartedEmptyGetsTheWorldBackFromTheNodes) {
  Node a(redis, clock), b(redis, clock);
  ASSERT_EQ(
      a.t.control("POST", "/portal/register", registration_form("kept@example.fr").dump()).status,
      201);
  ASSERT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, a.t.token()).status, 200);  // B caught up
  ASSERT_TRUE(redis.restart()) << redis.log();  // no persistence: Redis comes back empty
  // The account registered before the restart is still there, whichever node is asked.
  Response again =
      b.t.control("POST", "/portal/register", registration_form("kept@example.fr").dump());
  EXPECT_EQ(again.status, 409) << again.body;
  const std::string token = b.t.token();
  EXPECT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  EXPECT_EQ(a.store.applied_version(), b.store.applied_version());
}

}  // namespace
}  // namespace pistesim::test
