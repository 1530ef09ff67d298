// What cluster nodes share beyond the world, tokens and quotas (docs/cluster.md), against a real
// Redis: the mailbox, armed faults (a count-limited one fires exactly its count across nodes),
// the journal (per-node lists, merged read in arrival order) and portal sessions; and a Redis
// that goes away makes them 503, never a crash.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "cluster/cluster_shared.h"
#include "cluster/cluster_simulator.h"
#include "control/control_api.h"
#include "support/cluster_node.h"
#include "support/portal_forms.h"
#include "support/redis_server.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kPing = "/dila/legifrance/lf-engine-app/consult/ping";
const std::string kApprover = "api-platau-administration@developpement-durable.gouv.fr";
const std::string kApproverPassword = "Approb-Piste-2024!";

struct Node : ClusterNode {
  Node(const RedisServer& redis, std::shared_ptr<ManualClock> clock)
      : ClusterNode(redis, std::move(clock)) {}
  // A control call with extra headers (a portal session).
  Response control(const std::string& method, const std::string& target,
                   std::vector<Header> headers, const std::string& body = {}) {
    Request r = Request::make(method, target, body);
    r.headers.add("Authorization", "Bearer test-admin-token");
    if (!body.empty()) r.headers.add("Content-Type", "application/json");
    for (auto& h : headers) r.headers.add(h.name, h.value);
    return serve_request(*t.sim, Endpoint::Control, r);
  }
};

json body_of(const Response& r) {
  return json::parse(r.body, nullptr, false);
}

class ClusterSharedTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis.started()) << redis.log(); }
  RedisServer redis;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
};

TEST_F(ClusterSharedTest, AnActivationMailSentOnOneNodeIsReadAndFollowedOnTheOthers) {
  Node a(redis, clock), b(redis, clock), c(redis, clock);
  ASSERT_EQ(
      a.t.control("POST", "/portal/register", registration_form("mail@example.fr").dump()).status,
      201);
  ASSERT_EQ(
      c.t.control("POST", "/portal/register", registration_form("other@example.fr").dump()).status,
      201);
  json mails = body_of(b.t.control("GET", "/mail?to=mail@example.fr"));
  ASSERT_TRUE(mails.is_array()) << mails;
  ASSERT_EQ(mails.size(), 1u) << mails;
  EXPECT_EQ(mails[0]["kind"], "activation");
  // Ids are the cluster's: two nodes' messages never share one.
  json all = body_of(c.t.control("GET", "/mail"));
  ASSERT_EQ(all.size(), 2u) << all;
  EXPECT_NE(all[0]["id"], all[1]["id"]);
  EXPECT_EQ(b.t.control("GET", "/mail/" + std::to_string(all[1]["id"].get<uint64_t>())).status,
            200);
  // The link works on a third node.
  const std::string url = mails[0]["links"][0]["url"];
  const std::string path = url.substr(url.find("/portal/"));
  EXPECT_EQ(c.t.control("GET", path).status, 200) << path;
  // Emptied on one node, empty on all.
  EXPECT_EQ(body_of(a.t.control("DELETE", "/mail"))["deleted"], 2);
  EXPECT_EQ(body_of(b.t.control("GET", "/mail")).size(), 0u);
}

TEST_F(ClusterSharedTest, AFaultArmedOnOneNodeHitsTheNextCallOnAnotherAndThenIsGone) {
  Node a(redis, clock), b(redis, clock), c(redis, clock);
  const std::string token = a.t.token();
  ASSERT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  ASSERT_EQ(a.t.control("POST", "/faults", R"({"api":"legifrance","status":503})").status, 201);
  EXPECT_EQ(body_of(c.t.control("GET", "/faults")).size(), 1u);
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 503);
  // One call only: gone from every node.
  EXPECT_EQ(c.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  EXPECT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  EXPECT_EQ(body_of(a.t.control("GET", "/faults")).size(), 0u);
  // Until cleared: disarmed on B, gone on C.
  ASSERT_EQ(
      a.t.control("POST", "/faults", R"({"api":"legifrance","status":500,"count":-1})").status,
      201);
  EXPECT_EQ(c.t.call(Channel::Sandbox, "GET", kPing, token).status, 500);
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 500);
  ASSERT_EQ(b.t.control("DELETE", "/faults").status, 200);
  EXPECT_EQ(c.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
}

TEST_F(ClusterSharedTest, ACountLimitedFaultFiresExactlyItsCountAcrossNodesAndThreads) {
  Node a(redis, clock), b(redis, clock), c(redis, clock);
  Node* nodes[] = {&a, &b, &c};
  const std::string token = a.t.token();
  ASSERT_EQ(
      b.t.control("POST", "/faults", R"({"api":"legifrance","status":502,"count":40,"after":4})")
          .status,
      201);
  std::atomic<int> failed{0}, passed{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&, i] {
      for (int k = 0; k < 15; ++k) {
        const int s = nodes[i % 3]->t.call(Channel::Sandbox, "GET", kPing, token).status;
        (s == 502 ? failed : s == 200 ? passed : other)++;
      }
    });
  for (auto& t : threads) t.join();
  // More than any one node's 30 calls: only a fault counted across nodes fires 40 times.
  EXPECT_EQ(failed.load(), 40);
  EXPECT_EQ(passed.load(), 90 - 40);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(body_of(c.t.control("GET", "/faults")).size(), 0u);
}

TEST_F(ClusterSharedTest, TheJournalReadOnAnyNodeMergesEveryNodesExchangesInArrivalOrder) {
  Node a(redis, clock), b(redis, clock), c(redis, clock);
  const std::string token = a.t.token();
  const uint64_t mark = body_of(c.t.control("GET", "/journal"))["last_seq"].get<uint64_t>();
  // Each node's call is told apart by the name of its query parameter.
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(a.t.call(Channel::Sandbox, "GET", kPing + "?on_a=1", token).status, 200);
    ASSERT_EQ(b.t.call(Channel::Sandbox, "GET", kPing + "?on_b=1", token).status, 200);
    ASSERT_EQ(c.t.call(Channel::Sandbox, "GET", kPing + "?on_c=1", token).status, 200);
  }
  json read = body_of(b.t.control("GET", "/journal?after=" + std::to_string(mark)));
  const json& entries = read["entries"];
  ASSERT_EQ(entries.size(), 9u) << read.dump(1);
  const char* expected[] = {"on_a", "on_b", "on_c"};
  uint64_t previous = mark;
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i]["query_names"][0], expected[i % 3]) << i;
    EXPECT_GT(entries[i]["seq"].get<uint64_t>(), previous) << i;
    previous = entries[i]["seq"];
  }
  EXPECT_EQ(read["last_seq"], previous);
  // A cursor read on another node: only what came after.
  ASSERT_EQ(c.t.call(Channel::Sandbox, "GET", kPing + "?later=1", token).status, 200);
  json later = body_of(a.t.control("GET", "/journal?after=" + std::to_string(previous)));
  ASSERT_EQ(later["entries"].size(), 1u) << later.dump(1);
  EXPECT_EQ(later["entries"][0]["query_names"][0], "later");
  // Cleared on one node: empty on all, and seqs keep counting.
  ASSERT_EQ(c.t.control("DELETE", "/journal").status, 200);
  EXPECT_EQ(body_of(a.t.control("GET", "/journal"))["entries"].size(), 0u);
  EXPECT_GE(body_of(b.t.control("GET", "/journal"))["last_seq"].get<uint64_t>(),
            later["entries"][0]["seq"].get<uint64_t>());
}

TEST_F(ClusterSharedTest, APortalSessionOpenedOnOneNodeWorksOnTheOthersUntilLogout) {
  Node a(redis, clock), b(redis, clock), c(redis, clock);
  Response login = a.t.control("POST", "/portal/login",
                               json{{"email", kApprover}, {"password", kApproverPassword}}.dump());
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string session = body_of(login)["session"];
  Response profile = b.control("GET", "/portal/profile", {{"X-Pistesim-Session", session}});
  EXPECT_EQ(profile.status, 200) << profile.body;
  EXPECT_EQ(body_of(profile)["email"], kApprover) << profile.body;
  ASSERT_EQ(c.control("POST", "/portal/logout", {{"X-Pistesim-Session", session}}).status, 200);
  EXPECT_EQ(b.control("GET", "/portal/profile", {{"X-Pistesim-Session", session}}).status, 401);
  // Sessions end on the simulated clock, whichever node looks.
  const std::string second = body_of(
      b.t.control("POST", "/portal/login",
                  json{{"email", kApprover}, {"password", kApproverPassword}}.dump()))["session"];
  EXPECT_EQ(a.control("GET", "/portal/profile", {{"X-Pistesim-Session", second}}).status, 200);
  ASSERT_EQ(c.t.control("POST", "/clock/advance", R"({"seconds": 90000})").status, 200);
  EXPECT_EQ(a.control("GET", "/portal/profile", {{"X-Pistesim-Session", second}}).status, 401);
}

TEST_F(ClusterSharedTest, UsageAndTheRemainingQuotaAreTheClustersOnEveryNode) {
  Node a(redis, clock), b(redis, clock), c(redis, clock);
  Node* nodes[] = {&a, &b, &c};
  ASSERT_EQ(a.set_demo_quota(50, "1d"), 200);
  const std::string token = a.t.token();
  for (int i = 0; i < 12; ++i)
    ASSERT_EQ(nodes[i % 3]->t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  for (Node* n : nodes) {
    json usage = body_of(n->t.control("GET", "/usage?application=demo-sandbox"));
    EXPECT_EQ(usage["totals"]["total"], 12) << usage.dump(1);
    EXPECT_EQ(usage["totals"]["2xx"], 12) << usage.dump(1);
    json view = body_of(n->t.control("GET", "/applications/demo-sandbox"));
    EXPECT_EQ(view["subscriptions"][0]["quota"]["remaining"], 50 - 12) << view.dump(1);
  }
  // A reset on one node empties every node's figures.
  ASSERT_EQ(b.t.control("POST", "/world/reset").status, 200);
  EXPECT_EQ(body_of(c.t.control("GET", "/usage"))["totals"]["total"], 0);
}

TEST_F(ClusterSharedTest, WithoutRedisTheSharedStateAnswers503ThenRecovers) {
  RedisServer durable({.append_only = true});
  ASSERT_TRUE(durable.started()) << durable.log();
  Node a(durable, clock), b(durable, clock);
  const std::string token = a.t.token();
  ASSERT_EQ(a.t.control("POST", "/faults", R"({"api":"legifrance","status":504})").status, 201);
  durable.stop();
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/mail"}, {"GET", "/faults"}, {"GET", "/journal"}, {"DELETE", "/mail"}})
    EXPECT_EQ(b.t.control(method, path).status, 503) << method << " " << path;
  EXPECT_EQ(b.t.control("POST", "/faults", R"({"api":"legifrance","status":500})").status, 503);
  EXPECT_EQ(b.control("GET", "/portal/profile", {{"X-Pistesim-Session", "x"}}).status, 503);
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 503);
  ASSERT_TRUE(durable.start()) << durable.log();
  // The fault armed before the outage is still armed (AOF), and nodes find it again.
  EXPECT_EQ(b.t.call(Channel::Sandbox, "GET", kPing, token).status, 504);
  EXPECT_EQ(a.t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  // Every exchange answered by a node is in the merged journal once the nodes listen again (a
  // node reconnecting is not waited for: its writer catches up within moments).
  json read;
  for (int i = 0; i < 100; ++i) {
    read = body_of(a.t.control("GET", "/journal"));
    if (read["entries"].size() >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  EXPECT_EQ(read["entries"].size(), 3u) << read.dump(1);
}

// NOT-1 « quota exceeded » goes out once per window, as from one node: the first node to refuse
// a call in the window sends it, the others do not; the next window has its own; a reset starts
// afresh.
TEST_F(ClusterSharedTest, AQuotaExceededMailGoesOutOncePerWindowWhicheverNodesRefuse) {
  Node a(redis, clock), b(redis, clock), c(redis, clock);
  Node* nodes[] = {&a, &b, &c};
  ASSERT_EQ(a.set_demo_quota(2, "1s"), 200);
  const std::string token = a.t.token();
  auto quota_mails = [&] {
    json mails = body_of(c.t.control("GET", "/mail"));
    int n = 0;
    for (const auto& m : mails)
      if (m["kind"] == "quota_exceeded") ++n;
    return n;
  };
  auto refuse_on_every_node = [&] {
    int refused = 0;
    for (int round = 0; round < 3; ++round)
      for (Node* n : nodes)
        refused += n->t.call(Channel::Sandbox, "GET", kPing, token).status == 429;
    return refused;
  };
  EXPECT_EQ(refuse_on_every_node(), 9 - 2);  // each node refused some calls
  EXPECT_EQ(quota_mails(), 1);
  // The next window, through the cluster (which every node's clock follows).
  ASSERT_EQ(b.t.control("POST", "/clock/advance", R"({"seconds": 1})").status, 200);
  EXPECT_EQ(refuse_on_every_node(), 9 - 2);
  EXPECT_EQ(quota_mails(), 2);
  // After a reset (mailbox emptied), the same window's first refusal is e-mailed again.
  ASSERT_EQ(b.t.control("POST", "/world/reset").status, 200);
  ASSERT_EQ(a.set_demo_quota(2, "1s"), 200);
  const std::string fresh = a.t.token();
  int refused = 0;
  for (int round = 0; round < 3; ++round)
    for (Node* n : nodes) refused += n->t.call(Channel::Sandbox, "GET", kPing, fresh).status == 429;
  EXPECT_GE(refused, 9 - 2);
  EXPECT_EQ(quota_mails(), 1);
}

}  // namespace
}  // namespace pistesim::test
