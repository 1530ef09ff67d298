// Live tokens across the nodes of a cluster (docs/cluster.md, "Tokens"): `GET /tokens` counts
// every node's, and a client's limit of live tokens (`serve --max-tokens-per-client`) holds over
// the cluster, not per node.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "support/cluster_node.h"

namespace pistesim::test {
namespace {

const std::string kPing = "/dila/legifrance/lf-engine-app/consult/ping";

class ClusterTokensTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis.started()) << redis.log(); }
  static long long live(ClusterNode& n, const char* channel = "sandbox_live") {
    Response r = n.t.control("GET", "/tokens");
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body).value(channel, -1LL);
  }
  // POST /tokens/revoke or /tokens/expire on `n` with {field: value}: the count it answers.
  static long long change(ClusterNode& n, const std::string& what, const std::string& field,
                          const std::string& value) {
    Response r = n.t.control("POST", "/tokens/" + what, nlohmann::json{{field, value}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body).value(what == "revoke" ? "revoked" : "expired", -1LL);
  }
  static std::string challenge(const Response& r) {
    const std::string* c = r.headers.find("WWW-Authenticate");
    return c ? *c : std::string();
  }
  RedisServer redis;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
};

TEST_F(ClusterTokensTest, EveryNodeCountsTheLiveTokensOfTheWholeCluster) {
  ClusterNode a(redis, clock), b(redis, clock), c(redis, clock);
  ClusterNode* nodes[] = {&a, &b, &c};
  const std::string first = a.t.token();
  a.t.token();
  b.t.token();
  for (ClusterNode* n : nodes) {
    EXPECT_EQ(live(*n), 3);
    EXPECT_EQ(live(*n, "production_live"), 0);
  }
  // A revocation on C of a token A issued (once: the second finds it revoked), then one token
  // made to expire on B; the answers count what changed, as on one node.
  EXPECT_EQ(change(c, "revoke", "token", first), 1);
  EXPECT_EQ(change(b, "revoke", "token", first), 0);
  EXPECT_EQ(change(a, "revoke", "token", "no-such-token"), 0);
  EXPECT_EQ(change(a, "expire", "token", "no-such-token"), 0);
  for (ClusterNode* n : nodes) EXPECT_EQ(live(*n), 2);
  const std::string fourth = c.t.token();
  EXPECT_EQ(change(b, "expire", "token", fourth), 1);
  for (ClusterNode* n : nodes) EXPECT_EQ(live(*n), 2);
  // Tokens that lived their hour are no longer counted, on any node.
  clock->advance(3'600'000);
  for (ClusterNode* n : nodes) EXPECT_EQ(live(*n), 0);
  // An application's tokens, revoked at once; a world reset forgets every token.
  a.t.token();
  b.t.token();
  for (ClusterNode* n : nodes) EXPECT_EQ(live(*n), 2);
  // The application's live tokens of every node, counted, not this node's nor the dead ones.
  EXPECT_EQ(change(b, "revoke", "application", "demo-sandbox"), 2);
  for (ClusterNode* n : nodes) EXPECT_EQ(live(*n), 0);
  c.t.token();
  a.t.token();
  EXPECT_EQ(change(c, "expire", "application", "demo-sandbox"), 2);
  EXPECT_EQ(change(a, "expire", "application", "demo-sandbox"), 0);
  c.t.token();
  ASSERT_EQ(a.t.control("POST", "/world/reset").status, 200);
  for (ClusterNode* n : nodes) EXPECT_EQ(live(*n), 0);
}

TEST_F(ClusterTokensTest, AClientsLimitOfLiveTokensHoldsAcrossTheNodes) {
  const ClusterNodeOptions two{.journal_capacity = 0, .max_live_tokens_per_client = 2};
  ClusterNode a(redis, clock, two), b(redis, clock, two), c(redis, clock, two);
  ClusterNode* nodes[] = {&a, &b, &c};
  // Three tokens of one client, each from another node, within one millisecond: the first one
  // issued expires, on every node (A, which issued it, included).
  const std::string t1 = a.t.token(), t2 = b.t.token(), t3 = c.t.token();
  for (ClusterNode* n : nodes) {
    Response r = n->t.call(Channel::Sandbox, "GET", kPing, t1);
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_NE(challenge(r).find("The access token expired"), std::string::npos) << challenge(r);
    EXPECT_EQ(n->t.call(Channel::Sandbox, "GET", kPing, t2).status, 200);
    EXPECT_EQ(n->t.call(Channel::Sandbox, "GET", kPing, t3).status, 200);
    EXPECT_EQ(live(*n), 2);
  }
  // A revoked token leaves room: the next one pushes nobody out.
  ASSERT_EQ(b.t.control("POST", "/tokens/revoke", R"({"token":")" + t2 + "\"}").status, 200);
  const std::string t4 = a.t.token();
  EXPECT_EQ(c.t.call(Channel::Sandbox, "GET", kPing, t3).status, 200);
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, t4).status, 200);
  // Then the oldest live one goes again: t3, issued on C, expired by A's issue.
  const std::string t5 = a.t.token();
  EXPECT_EQ(c.t.call(Channel::Sandbox, "GET", kPing, t3).status, 401);
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, t4).status, 200);
  EXPECT_EQ(c.t.call(Channel::Sandbox, "GET", kPing, t5).status, 200);
  // Tokens that lived their hour leave room too.
  clock->advance(3'600'000);
  const std::string t6 = b.t.token(), t7 = c.t.token();
  EXPECT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, t6).status, 200);
  EXPECT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, t7).status, 200);
  EXPECT_EQ(live(a), 2);
  // Another client's tokens are counted apart.
  ASSERT_FALSE(
      a.t.token(Channel::Production, kProductionClientId, kProductionClientSecret).empty());
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, t6).status, 200);
  EXPECT_EQ(live(c, "production_live"), 1);
}

// A node's own limit, over the tokens it holds in memory, bounds its memory only: what it pushes
// out stays live in the cluster. (Tokens issued at once may reach Redis in another order than the
// node's bookkeeping; when its limit made them expire, a client was left a token short.)
TEST_F(ClusterTokensTest, ANodesOwnLimitForgetsTokensWithoutMakingThemExpire) {
  ClusterNode a(redis, clock, {.journal_capacity = 0, .max_live_tokens_per_client = 5});
  ClusterNode b(redis, clock, {.journal_capacity = 0, .max_live_tokens_per_client = 5});
  a.t.sim->tokens(Channel::Sandbox).set_max_live_per_client(1);  // A keeps one in memory
  const std::string t1 = a.t.token(), t2 = a.t.token(), t3 = a.t.token();
  for (const std::string& t : {t1, t2, t3}) {
    EXPECT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, t).status, 200);
    EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, t).status, 200);
  }
  EXPECT_EQ(live(b), 3);
  // Made to expire, or revoked, on A, which forgot them: the cluster's copy is what changes.
  ASSERT_EQ(a.t.control("POST", "/tokens/expire", R"({"token":")" + t1 + "\"}").status, 200);
  ASSERT_EQ(a.t.control("POST", "/tokens/revoke", R"({"token":")" + t2 + "\"}").status, 200);
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, t1).status, 401);
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, t2).status, 401);
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, t3).status, 200);
  EXPECT_EQ(live(b), 1);
}

TEST_F(ClusterTokensTest, TokensIssuedAtOnceLeaveTheClientExactlyItsLimit) {
  const ClusterNodeOptions five{.journal_capacity = 0, .max_live_tokens_per_client = 5};
  ClusterNode a(redis, clock, five), b(redis, clock, five);
  std::vector<std::thread> threads;
  for (ClusterNode* n : {&a, &a, &a, &b, &b})
    threads.emplace_back([n] {
      for (int i = 0; i < 60; ++i) n->t.token();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(live(a), 5);
  EXPECT_EQ(live(b), 5);
}

}  // namespace
}  // namespace pistesim::test
