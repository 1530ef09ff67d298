// Behaviour profiles: `piste` answers as PISTE is seen to (the "PISTE:" items of
// docs/conformance-checklist.md, docs/behaviours.md WIRE-*); `rfc` answers strictly per RFC
// 6749/6750.
#pragma once

#include <optional>
#include <string_view>

namespace pistesim {

enum class Profile { Piste, Rfc };

inline std::string_view to_string(Profile p) {
  return p == Profile::Piste ? "piste" : "rfc";
}
inline std::optional<Profile> parse_profile(std::string_view s) {
  if (s == "piste") return Profile::Piste;
  if (s == "rfc") return Profile::Rfc;
  return std::nullopt;
}

}  // namespace pistesim
