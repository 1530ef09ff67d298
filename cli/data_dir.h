// Where the shipped data is found at run time: the scenarios, conformance checks and profiles,
// load profiles, fixtures and docs (docs/design.md, "Install layout"). Nothing here is compiled
// in, so an installed binary never reads the tree it was built from.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace pistesim::cli {

// The name of the file the build writes next to a build-tree binary, holding the source tree's
// path. It is never installed.
inline constexpr std::string_view kSourceTreeMarker = "pistesim.source-tree";

// In order: $PISTESIM_DATA_DIR; <the executable's directory>/../share/pistesim (an installed
// binary, /proc/self/exe); the source tree named by the marker next to the executable (a
// binary run from its build tree). The data directory mirrors the source tree's layout. Without
// one, the error says where it was looked for, and the remedy.
Result<std::filesystem::path> find_data_dir();

// `relative` (e.g. "conformance/checks") inside the data directory, shown relative to the
// working directory when below it so reports name short paths. An error saying which file is
// missing and why when there is no data directory or it lacks that entry.
Result<std::string> shipped_path(std::string_view relative);

}  // namespace pistesim::cli
