// Writes a World as a world file (docs/world-format.md): the snapshot of a running simulator, or
// the normalised form of a fixture. Loading the text back gives the same World, field for field
// (quota counters excepted: the simulator assigns them). The text is deterministic: the same
// World always gives the same bytes.
#pragma once

#include <string>
#include <string_view>

#include "clock/clock.h"
#include "world/world.h"

namespace pistesim {

// What the header comment of the file says about the snapshot.
struct SnapshotHeader {
  Millis taken_at = 0;   // when (simulator time); 0: not said
  std::string source;    // what was dumped ("the running simulator", a file name); "": not said
  bool comments = true;  // false: no header comment at all (the entities of a world delta)
};

// Users are written with their password hash, never a password; the one plain password in the
// text is [world].demo_password, the fixture's published demo password that `serve` prints.
std::string write_world_toml(const World& world, const SnapshotHeader& header = {});

// "2022-10-18T17:41:00Z", with milliseconds only when there are some ("…:00.250Z").
std::string format_world_timestamp(Millis ms);

// A TOML string holding exactly `s`: a literal string ('…' or '''…''') when that spares escapes
// and is safe, otherwise a basic string ("…") with escapes for '"', '\' and control characters.
// Non-ASCII UTF-8 is kept as is; bytes that are not UTF-8 become U+FFFD (TOML text is UTF-8).
std::string toml_string(std::string_view s);

}  // namespace pistesim
