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

namespace pistesim {

// "file:line:column: message"; a file that cannot be read has no position ("file: message").
using WorldError = InputError;

struct WorldLoadResult {
  World world;
  std::vector<WorldError> errors;  // empty on success
  bool ok() const { return errors.empty(); }
};

WorldLoadResult load_world_file(const std::string& path);

// The instants of a world file: "2022-10-18T17:41:00Z", with optional milliseconds
// ("…:00.250Z") and an offset instead of Z ("…T19:41:00+02:00"), or a date "2022-10-18"
// (midnight UTC). Strict: anything else (no seconds, a lower-case 't', an invalid day) is nullopt.
std::optional<Millis> parse_world_timestamp(std::string_view text);
// source_name is what errors call the text (a path, or "<string>").
WorldLoadResult load_world_string(std::string_view toml_text, std::string source_name);

}  // namespace pistesim
