// The cluster's world as a log of deltas in a real Redis (cluster/cluster_world_log.h,
// docs/cluster.md): each change appends an entry carrying only what changed; a node behind
// applies the entries it missed, in order; a node far behind or joining loads the snapshot and
// the entries after it; the appending node compacts the log; a conflict is refused and retried.
#include <gtest/gtest.h>

#include "cluster/cluster_simulator.h"
#include "support/cluster_node.h"
#include "support/portal_forms.h"
#include "support/redis_server.h"
#include "support/test_simulator.h"
#include "world/world_writer.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

constexpr const char* kDemo = "demo@pistesim.test";

struct Node : ClusterNode {
  Node(const RedisServer& redis, std::shared_ptr<ManualClock> clock, World world = default_world(),
       ClusterWorldLog::Limits limits = {})
      : ClusterNode(redis, std::move(clock),
                    {.world = std::move(world), .log_limits = limits, .command_timeout_ms = 2000}) {
  }
  // A request: the node catches up first if a change was announced (or a second passed).
  void catch_up() { ASSERT_EQ(t.control("GET", "/clock").status, 200); }
  World world() const {
    World w = t.sim->snapshot()->world;
    for (auto& app : w.applications) {  // the node's own quota counters
      app.quota_slot = 0;
      for (auto& sub : app.subscriptions) sub.quota_slot = 0;
    }
    return w;
  }
};

class ClusterWorldLogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis.started()) << redis.log(); }
  RedisReply command(Node& n, const std::vector<std::string>& args) {
    return n.store.redis().command(args);
  }
  long long log_length(Node& n) { return command(n, {"LLEN", "pistesim:world:log"}).as_integer(); }
  long long base(Node& n) { return command(n, {"GET", "pistesim:world:base"}).as_integer(-1); }

  // Five changes of different kinds on `n`.
  void five_changes(Node& n, const std::string& tag) {
    ASSERT_EQ(n.t.control("POST", "/portal/register", registration_form(tag + "@example.fr").dump())
                  .status,
              201);
    Response app = n.t.control_as(kDemo, "POST", "/portal/applications",
                                  json{{"organisation", "mtes"},
                                       {"name", tag + "-app"},
                                       {"description", "Application de test"},
                                       {"phone", "+33 1 23 45 67 89"},
                                       {"email", "contact@example.fr"},
                                       {"structure_info", "SIRET 13001070900025"},
                                       {"responsible", "Camille Martin"}}
                                      .dump());
    ASSERT_EQ(app.status, 201) << app.body;
    const std::string id = body_of(app).value("id", "");
    ASSERT_EQ(n.t.control_as(kDemo, "PATCH", "/portal/applications/" + id, R"({"description":"x"})")
                  .status,
              200);
    ASSERT_EQ(n.t.control("PATCH", "/applications/demo-sandbox", R"({"active":false})").status,
              200);
    ASSERT_EQ(n.t.control_as(kDemo, "DELETE", "/portal/applications/" + id).status, 200);
  }

  RedisServer redis;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
};

TEST_F(ClusterWorldLogTest, ANodeBehindAppliesTheEntriesItMissedInOrder) {
  Node a(redis, clock), b(redis, clock);
  const uint64_t start = b.store.applied_version();
  const long long snapshot_at = base(a);
  five_changes(a, "order");
  // Five entries appended, no new snapshot: each change travelled as a delta.
  EXPECT_EQ(log_length(a), 5);
  EXPECT_EQ(base(a), snapshot_at);
  EXPECT_EQ(b.store.applied_version(), start);  // B has not asked yet
  b.catch_up();
  EXPECT_EQ(b.store.applied_version(), a.store.applied_version());
  EXPECT_TRUE(b.world() == a.world());
  // And the way back: B changes, A applies it.
  ASSERT_EQ(b.t.control("PATCH", "/applications/demo-sandbox", R"({"active":true})").status, 200);
  a.catch_up();
  EXPECT_TRUE(a.world() == b.world());
  EXPECT_TRUE(a.t.sim->snapshot()->index.application("demo-sandbox")->active);
}

TEST_F(ClusterWorldLogTest, ANodeStaysBehindUntilTheWorldItCaughtUpWithIsPublished) {
  Node a(redis, clock), b(redis, clock);
  ASSERT_EQ(a.t.control("PATCH", "/applications/demo-sandbox", R"({"active":false})").status, 200);
  const RequestHint hint{};
  ASSERT_TRUE(b.store.behind(hint));
  // One of B's threads catches up, and has the newer world but has not published it yet.
  const std::optional<World> newer = b.store.newer_world(b.t.sim->snapshot()->world);
  ASSERT_TRUE(newer);
  EXPECT_FALSE(newer->applications.front().active);
  // A request on another thread still reads the older world (demo-sandbox active, its old
  // quota): it must catch up as well (and so wait for the publication), not go on with it.
  // Before the fix, behind() said false here: the change was acknowledged and yet calls ran on
  // the world before it, which let leased quota counters admit 71 calls against a limit of 50.
  EXPECT_TRUE(b.t.sim->snapshot()->index.application("demo-sandbox")->active);
  EXPECT_TRUE(b.store.behind(hint));
  EXPECT_TRUE(b.store.behind(hint));
  b.store.published_newer_world();
  EXPECT_FALSE(b.store.behind(hint));
}

TEST_F(ClusterWorldLogTest, ANodeCatchesUpAcrossACompactionAndANewNodeJoinsFromTheSnapshot) {
  const ClusterWorldLog::Limits small{.max_entries = 3, .min_bytes = 1 << 30};
  Node a(redis, clock, default_world(), small), b(redis, clock, default_world(), small);
  const uint64_t b_version = b.store.applied_version();
  five_changes(a, "compact");
  five_changes(a, "again");
  // Ten changes, a snapshot every three entries: the log never holds more than three.
  EXPECT_LE(log_length(a), 3);
  EXPECT_GT(base(a), static_cast<long long>(b_version));  // B's version is no longer in the log
  b.catch_up();
  EXPECT_EQ(b.store.applied_version(), a.store.applied_version());
  EXPECT_TRUE(b.world() == a.world());
  Node c(redis, clock, default_world(), small);
  EXPECT_FALSE(c.node.created);
  EXPECT_EQ(c.store.applied_version(), a.store.applied_version());
  EXPECT_TRUE(c.world() == a.world());
}

TEST_F(ClusterWorldLogTest, ACommitOnAnOlderVersionIsRefusedThenSucceedsOnTheNewerWorld) {
  Node a(redis, clock), b(redis, clock);
  ASSERT_EQ(a.t.control("PATCH", "/applications/demo-sandbox", R"({"active":false})").status, 200);
  // B's store commits a change made on the world it holds, now older than the head.
  const World b_world = b.t.sim->snapshot()->world;
  World changed = b_world;
  changed.users.front().name = "From B";
  StateChange change;
  change.previous_world = &b_world;
  change.world = &changed;
  const uint64_t head = a.store.applied_version();
  EXPECT_THROW(b.store.commit(change), WorldConflict);
  EXPECT_EQ(log_length(a), 1);  // nothing appended
  // Catching up applies A's entry; the change made again on that world is appended.
  std::optional<World> newer = b.store.newer_world(b_world);
  ASSERT_TRUE(newer);
  EXPECT_FALSE(newer->applications.front().active);
  World again = *newer;
  again.users.front().name = "From B";
  change.previous_world = &*newer;
  change.world = &again;
  b.store.commit(change);
  EXPECT_EQ(b.store.applied_version(), head + 1);
  a.catch_up();
  EXPECT_EQ(a.t.sim->snapshot()->world.users.front().name, "From B");
  EXPECT_FALSE(a.t.sim->snapshot()->world.applications.front().active);
}

TEST_F(ClusterWorldLogTest, ARegistrationInAWorldOfThousandsOfApplicationsIsASmallEntry) {
  World fleet = default_world();
  const Application model = fleet.applications.front();
  for (int i = 0; i < 4000; ++i) {
    Application app = model;
    app.id = "fleet-" + std::to_string(i);
    app.name = app.id + "-app";
    for (auto& c : app.oauth_clients) c.client_id = app.id + "-" + c.client_id;
    for (auto& k : app.api_keys) k.key = app.id + "-" + k.key;
    fleet.applications.push_back(std::move(app));
  }
  Node a(redis, clock, fleet), b(redis, clock, fleet);
  ASSERT_EQ(
      a.t.control("POST", "/portal/register", registration_form("fleet@example.fr").dump()).status,
      201);
  const long long snapshot_bytes = command(a, {"STRLEN", "pistesim:world:snapshot"}).as_integer();
  const std::string entry = command(a, {"LINDEX", "pistesim:world:log", "-1"}).text;
  EXPECT_GT(snapshot_bytes, 1'500'000);
  EXPECT_LT(entry.size(), 2048u) << entry;
  EXPECT_NE(entry.find("fleet@example.fr"), std::string::npos) << entry;
  b.catch_up();
  EXPECT_TRUE(b.world() == a.world());
}

TEST_F(ClusterWorldLogTest, AfterARedisRestartedEmptyEntriesGoOnFromTheReseededWorld) {
  Node a(redis, clock), b(redis, clock);
  ASSERT_EQ(
      a.t.control("POST", "/portal/register", registration_form("one@example.fr").dump()).status,
      201);
  b.catch_up();
  ASSERT_TRUE(redis.restart()) << redis.log();  // no persistence: Redis comes back empty
  ASSERT_EQ(
      b.t.control("POST", "/portal/register", registration_form("two@example.fr").dump()).status,
      201);
  EXPECT_EQ(log_length(b), 1);  // the reseeded snapshot, then B's change as an entry
  a.catch_up();
  EXPECT_TRUE(a.world() == b.world());
  Node c(redis, clock);
  EXPECT_TRUE(c.world() == b.world());
}

// Redis restarted empty and the node that gave it its world was behind: the cluster's history
// starts again from that node's world (a new epoch), and a node that was ahead, at the same
// version number after one more change, is not fooled by the number: it reloads the world.
TEST_F(ClusterWorldLogTest, ANodeAheadOfTheNodeThatReseededRedisTakesTheReseededWorld) {
  Node a(redis, clock), b(redis, clock);
  ASSERT_EQ(
      a.t.control("POST", "/portal/register", registration_form("lost@example.fr").dump()).status,
      201);  // B does not see it: it asks nothing before Redis restarts
  ASSERT_TRUE(redis.restart()) << redis.log();
  ASSERT_EQ(
      b.t.control("POST", "/portal/register", registration_form("kept@example.fr").dump()).status,
      201);
  ASSERT_EQ(a.store.applied_version(), b.store.applied_version());  // the same number
  a.catch_up();
  EXPECT_TRUE(a.world() == b.world());
  // And A's next change builds on that world.
  ASSERT_EQ(a.t.control("PATCH", "/applications/demo-sandbox", R"({"active":false})").status, 200);
  b.catch_up();
  EXPECT_TRUE(b.world() == a.world());
}

}  // namespace
}  // namespace pistesim::test
