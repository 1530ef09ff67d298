// One in-process node of a cluster for tests: its own ClusterStore (its own connections to the
// test's real Redis) and simulator, on the test's clock. Tests that need more derive from it.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "cluster/cluster_simulator.h"
#include "support/redis_server.h"
#include "support/test_simulator.h"

namespace pistesim::test {

struct ClusterNodeOptions {
  World world = default_world();
  size_t journal_capacity = 10000;  // 0: no journal (nor its writer's scripts)
  ClusterWorldLog::Limits log_limits{};
  int64_t quota_lease = 1;
  int command_timeout_ms = 1000;
  size_t max_live_tokens_per_client = TokenStore::kDefaultMaxLivePerClient;
};

struct ClusterNode {
  ClusterNode(const RedisServer& redis, std::shared_ptr<ManualClock> clock,
              ClusterNodeOptions options = {})
      : store(*parse_redis_url(redis.url()),
              {.connect_timeout_ms = 300, .command_timeout_ms = options.command_timeout_ms}) {
    store.set_log_limits(options.log_limits);
    store.set_quota_lease(options.quota_lease);
    SimulatorOptions sim{Profile::Piste, "test-admin-token"};
    sim.journal_capacity = options.journal_capacity;
    sim.max_live_tokens_per_client = options.max_live_tokens_per_client;
    node = open_cluster_simulator(store, std::move(options.world), sim, clock);
    t.clock = clock;
    t.sim = std::move(node.simulator);
  }
  ~ClusterNode() { t.sim->attach_store(nullptr); }
  // The quota of demo-sandbox, set through this node's control API: `limit` per `window`.
  int set_demo_quota(int limit, const std::string& window) {
    return t
        .control("PUT", "/applications/demo-sandbox/quota",
                 R"({"limit": )" + std::to_string(limit) + R"(, "window": ")" + window + "\"}")
        .status;
  }
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  ClusterStore store;
  ClusterSimulator node;
  TestSimulator t{};
};

}  // namespace pistesim::test
