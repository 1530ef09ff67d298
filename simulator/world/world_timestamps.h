// The instants a world file gives (an API's "added", a user's "registered_at", …), as text or as
// TOML dates, in milliseconds since the epoch.
#pragma once

#include <optional>
#include <string_view>

#include <toml++/toml.h>

#include "clock/clock.h"

namespace pistesim {

// The instants of a world file: "2022-10-18T17:41:00Z", with optional milliseconds
// ("…:00.250Z") and an offset instead of Z ("…T19:41:00+02:00"), or a date "2022-10-18"
// (midnight UTC). Strict: anything else (no seconds, a lower-case 't', an invalid day) is nullopt.
std::optional<Millis> parse_world_timestamp(std::string_view text);

// A TOML date (and time, with its offset in minutes) as an instant; nullopt when out of range.
std::optional<Millis> toml_instant(const toml::date& d, const toml::time& t, int offset_minutes);

}  // namespace pistesim
