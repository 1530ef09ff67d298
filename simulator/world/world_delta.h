// What changed between two worlds, entity by entity, in the world format (docs/world-format.md):
// a cluster's log entries (docs/cluster.md) carry it instead of the whole world, so that a change
// costs the size of the change on the wire and in the other nodes' parsers.
//
// A delta is a world file holding the new [world] settings and every entity added or changed
// (organisations, cgu, apis, users, applications, access_requests, chorus_pro_structures: each
// keyed by its id, users by e-mail, structures by SIRET), plus a [removed] table naming the
// entities removed, per collection:
//
//   [removed]
//   applications = ["app-3"]
//
// Applied to the world it was computed from, it gives the new world field for field: a changed
// entity is replaced where it stands, added ones go at the end of their collection, in order.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "world/world.h"
#include "world/world_loader.h"

namespace pistesim {

// The delta from `before` to `after`; nullopt when no delta can say it (an entity moved within its
// collection, an added one not at the end, two entities sharing an id): the whole world must be
// sent then. Costs a comparison of every entity (no serialisation but of what changed).
std::optional<std::string> write_world_delta(const World& before, const World& after);

// Applies a delta to `world` in place. On a delta that does not load, or that removes or replaces
// nothing it should, returns its mistakes and leaves `world` unspecified. Quota counters
// (quota_slot) of a replaced application and of its subscriptions to the same APIs are kept.
// `source` names the delta in errors.
std::vector<WorldError> apply_world_delta(World& world, std::string_view delta,
                                          const std::string& source);

}  // namespace pistesim
