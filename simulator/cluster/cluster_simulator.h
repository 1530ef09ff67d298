// A simulator that is one node of a cluster (docs/cluster.md): it joins the cluster's Redis,
// starts from the cluster's world (or gives an empty cluster its own), and from then on shares
// world changes, tokens, quota counters and the clock offset with every other node.
#pragma once

#include <memory>

#include "cluster/cluster_store.h"
#include "core/simulator.h"

namespace pistesim {

struct ClusterSimulator {
  std::unique_ptr<Simulator> simulator;
  bool created = false;  // this node's world started the cluster
};

// Throws StoreError (Redis unreachable, a cluster world that does not load). REQUIRES: `store`
// outlives the simulator, or is detached first (attach_store(nullptr)).
ClusterSimulator open_cluster_simulator(ClusterStore& store, World world, SimulatorOptions options,
                                        std::shared_ptr<Clock> clock);

}  // namespace pistesim
