#include "cluster/cluster_simulator.h"

#include "cluster/cluster_shared.h"
#include "store/durable_simulator.h"

namespace pistesim {

ClusterSimulator open_cluster_simulator(ClusterStore& store, World world, SimulatorOptions options,
                                        std::shared_ptr<Clock> clock) {
  store.set_max_live_tokens_per_client(options.max_live_tokens_per_client);
  ClusterJoin joined = store.join(world);
  ClusterSimulator out;
  out.created = joined.created;
  if (joined.clock_offset_ms > 0) clock->set_offset(joined.clock_offset_ms);
  store.follow_clock(clock);
  // Advances and resets are saved in Redis before they take effect (DurableClock).
  auto shared_clock = std::make_shared<DurableClock>(clock, store);
  const size_t journal_capacity = options.journal_capacity;
  out.simulator = std::make_unique<Simulator>(std::move(joined.initial_world), std::move(options),
                                              shared_clock);
  Simulator& sim = *out.simulator;
  sim.install(std::move(joined.world));  // no store attached yet: nothing is written back
  for (Channel c : kChannels) sim.tokens(c).set_source(&store.token_source(c));
  sim.quotas().set_shared(&store.quotas());
  sim.attach_store(&store);
  store.shared().attach(sim, journal_capacity);
  return out;
}

}  // namespace pistesim
