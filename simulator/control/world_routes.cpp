// Control API routes: world reset and snapshot.
#include "control/router.h"
#include "core/simulator.h"
#include "world/world_writer.h"

namespace pistesim {

namespace {

// POST /world/reset {"clock": true?}: back to the world the simulator started with. Tokens,
// portal sessions, the mailbox and armed faults are emptied and quota counters start afresh. The
// clock keeps its time unless "clock" is true (choice: a scenario that advanced it keeps its
// timeline; a shared server is put back to real time on purpose, or by POST /clock/reset).
Response reset_world(ControlCall& c) {
  Response bad;
  auto clock = bool_field(c.body, "clock", false, &bad);
  if (!clock) return bad;
  if (*clock) c.sim.set_clock_offset(0);
  c.sim.reset();
  auto snap = c.sim.snapshot();
  const World& w = snap->world;
  Millis now = c.sim.clock().now_ms();
  return json_response(200, {{"reset", true},
                             {"name", w.settings.name},
                             {"organisations", w.organisations.size()},
                             {"apis", w.apis.size()},
                             {"users", w.users.size()},
                             {"applications", w.applications.size()},
                             {"access_requests", w.access_requests.size()},
                             {"now_ms", now},
                             {"now", format_iso8601(now)},
                             {"offset_ms", c.sim.clock().offset_ms()}});
}

// GET /world/snapshot: the current world as a world file that loads back identically.
Response snapshot_world(ControlCall& c) {
  Response r;
  r.status = 200;
  r.headers.set("Content-Type", "application/toml; charset=utf-8");
  r.headers.set("Cache-Control", "no-store");
  r.body = write_world_toml(c.sim.snapshot()->world,
                            SnapshotHeader{c.sim.clock().now_ms(), "a running simulator"});
  return r;
}

}  // namespace

void register_world_routes(Router& r) {
  r.add("POST", "/world/reset", reset_world, {.fields = {"clock"}});
  r.add("GET", "/world/snapshot", snapshot_world);
}

}  // namespace pistesim
