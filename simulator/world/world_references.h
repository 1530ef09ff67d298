// The checks of a world file that speak of two places in it: references between entities (an
// application's organisation, a subscription's API) and what must be unique (ids, base paths).
// They run once every entity is read, and report at the field that refers or repeats.
#pragma once

#include <string_view>

#include <toml++/toml.h>

#include "toml/toml_reader.h"
#include "world/world.h"

namespace pistesim {

// The element of array t[key] equal to `value` (what an error about that value points at), or
// the array itself.
const toml::node& array_element(const toml::table& t, std::string_view key, std::string_view value);

// `root` is the file `w` was read from; positions are found again in it by index.
void check_world_references(TomlReader& r, const toml::table& root, const World& w);

// Rules a world written by hand must keep for its journeys to be possible, which a saved state
// may break through the operator's levers (a pending access set without its request, an
// approver's account deleted): every approver has an account, every pending access its pending
// access request.
void check_world_consistency(TomlReader& r, const toml::table& root, const World& w);

}  // namespace pistesim
