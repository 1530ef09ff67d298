#include "store/durable_simulator.h"

namespace pistesim {

void DurableClock::advance(Millis delta_ms) {
  std::lock_guard lock(mutex_);
  store_.save_clock_offset(inner_->offset_ms() + delta_ms);
  inner_->advance(delta_ms);
}

void DurableClock::set_offset(Millis offset_ms) {
  std::lock_guard lock(mutex_);
  store_.save_clock_offset(offset_ms);
  inner_->set_offset(offset_ms);
}

DurableSimulator open_durable_simulator(SqliteStore& store, World initial_world,
                                        SimulatorOptions options, std::shared_ptr<Clock> clock) {
  const StoredState& saved = store.restored();
  DurableSimulator out;
  out.created = !saved.initial_world.has_value();
  if (saved.clock_offset_ms > 0) clock->advance(saved.clock_offset_ms);
  auto durable_clock = std::make_shared<DurableClock>(clock, store);
  out.simulator =
      std::make_unique<Simulator>(out.created ? std::move(initial_world) : *saved.initial_world,
                                  std::move(options), durable_clock);
  Simulator& sim = *out.simulator;
  if (out.created) {
    StateChange first;
    first.initial_world = &sim.initial_world();
    first.world = &sim.initial_world();
    first.clear_tokens = true;
    first.clear_mailbox = true;
    store.commit(first);
  } else {
    sim.install(*saved.world);  // no store attached yet: nothing is written back
    const Millis now = sim.clock().now_ms();
    for (const auto& t : saved.tokens) {
      if (t.expires_ms <= now) continue;  // expired while the simulator was down
      TokenRecord r{t.application_id, t.client_id, t.scope, t.issued_ms,
                    t.expires_ms,     t.revoked,   {}};
      sim.tokens(t.channel).insert(t.token, r, now);
    }
    sim.mailbox().restore(saved.mails, saved.next_mail_id, saved.mails_dropped);
  }
  sim.attach_store(&store);
  return out;
}

}  // namespace pistesim
