#include "world/default_world.h"

namespace pistesim {

extern const std::string_view kEmbeddedDefaultWorld;

std::string_view default_world_text() {
  return kEmbeddedDefaultWorld;
}

WorldLoadResult load_default_world() {
  return load_world_string(kEmbeddedDefaultWorld, std::string(kDefaultWorldName));
}

WorldLoadResult load_world(const std::string& path) {
  return path.empty() ? load_default_world() : load_world_file(path);
}

}  // namespace pistesim
