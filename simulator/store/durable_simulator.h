// A simulator on durable state: restores what a StateStore held (world, tokens, mailbox, clock
// advance) and attaches the store so that every later change is saved before it is answered.
#pragma once

#include <memory>
#include <mutex>

#include "clock/clock.h"
#include "core/simulator.h"
#include "store/sqlite_store.h"

namespace pistesim {

// A clock whose advances (POST /clock/advance, /clock/reset) survive restarts: each new offset
// is saved before it takes effect. Reads are the wrapped clock's.
class DurableClock final : public Clock {
 public:
  // `inner` already carries the offset restored from the store.
  DurableClock(std::shared_ptr<Clock> inner, StateStore& store)
      : inner_(std::move(inner)), store_(store) {}
  Millis now_ms() const override { return inner_->now_ms(); }
  // Both throw StoreError (and leave the clock as it was) when the new offset cannot be saved.
  void advance(Millis delta_ms) override;
  void set_offset(Millis offset_ms) override;
  Millis offset_ms() const override { return inner_->offset_ms(); }

 private:
  std::shared_ptr<Clock> inner_;
  StateStore& store_;
  std::mutex mutex_;  // a save and the change it records go together
};

struct DurableSimulator {
  std::unique_ptr<Simulator> simulator;
  // True when the store was empty and now holds `initial_world` (a first start).
  bool created = false;
};

// Builds a simulator on `store`: its saved worlds, live tokens, mailbox and clock advance, or,
// for an empty store, `initial_world` (then saved as both the initial and the current world).
// `clock` is advanced by the saved offset and wrapped in a DurableClock. Throws StoreError.
// REQUIRES: `store` outlives the simulator.
DurableSimulator open_durable_simulator(SqliteStore& store, World initial_world,
                                        SimulatorOptions options, std::shared_ptr<Clock> clock);

}  // namespace pistesim
