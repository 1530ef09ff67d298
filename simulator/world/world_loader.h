// Loads and validates world files (docs/world-format.md). Every problem found is reported,
// not only the first, each with file:line:column and what was expected.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "toml/toml_reader.h"
#include "world/world.h"
#include "world/world_timestamps.h"  // parse_world_timestamp, for the readers of instants

namespace pistesim {

// "file:line:column: message"; a file that cannot be read has no position ("file: message").
using WorldError = InputError;

struct WorldLoadResult {
  World world;
  std::vector<WorldError> errors;  // empty on success
  bool ok() const { return errors.empty(); }
};

// The largest world file read: worlds are the one input that grows with the fleet simulated
// (PISTE's 14 000 applications take about 7 MB; a million about 520 MB), where scenarios and
// profiles stay under toml_reader.h's 4 MiB.
constexpr uintmax_t kMaxWorldFileBytes = uintmax_t{1} << 30;

// What a load checks besides each entity and the references between them. Written: also the
// consistency rules of check_world_consistency() (world/world_references.h), for files people
// write (`world check`, `serve --world`). Saved: not those, for states a simulator saved itself
// (durable state), which the operator's levers may have left inconsistent. Entities: none of the
// checks across entities, for the part of a world a delta carries (world/world_delta.h), whose
// references lie in the world it applies to.
enum class WorldChecks { Written, Saved, Entities };

WorldLoadResult load_world_file(const std::string& path);

// source_name is what errors call the text (a path, or "<string>").
WorldLoadResult load_world_string(std::string_view toml_text, std::string source_name,
                                  WorldChecks checks = WorldChecks::Written);
// The same from a parsed document (a world delta reads its own tables first).
WorldLoadResult load_world_table(const toml::table& root, std::string source_name,
                                 WorldChecks checks);

}  // namespace pistesim
