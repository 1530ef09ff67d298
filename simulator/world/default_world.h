// The seeded PISTE world (fixtures/piste-default.toml), compiled into the binary so that
// pistesim runs from any directory without its source tree.
#pragma once

#include <string_view>

#include "world/world_loader.h"

namespace pistesim {

// The text of fixtures/piste-default.toml as it was at build time.
std::string_view default_world_text();
// Name used in errors and reports for the embedded world.
inline constexpr std::string_view kDefaultWorldName = "fixtures/piste-default.toml";
// Loads the embedded world; it is validated by the build's tests, so errors mean a broken build.
WorldLoadResult load_default_world();
// load_default_world() for an empty path, load_world_file(path) otherwise.
WorldLoadResult load_world(const std::string& path);

}  // namespace pistesim
