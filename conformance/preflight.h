// The conformance preflight (`pistesim conform`, docs/conformance.md "Preflight"): before any
// check runs, can the profile's clients obtain a token, and do its API paths exist? A setup
// mistake — a server on another world, a wrong secret, a wrong URL — would otherwise show as
// dozens of FAILs that say nothing about conformance.
#pragma once

#include <string>

#include "conformance/suite.h"

namespace pistesim::conformance {

struct PreflightResult {
  bool ok = false;
  std::string problem;  // failure: what was seen, one sentence
  std::string remedy;   // failure: what to do about it
  std::string summary;  // success: what was verified, one line
};

// Sends a few requests: a token request per configured client (HTTP Basic, then the body
// method, so a server failing one of them still gets its checks), a call to allowed_path with
// the token, one to forbidden_path. A pistesim target is reset first, and its journal tells an
// unknown client from a wrong secret (the token endpoint rightly does not, RFC 6749 §10.10).
// `world_file`: the conformance world as the remedy names it (the installed data directory's
// conformance/world.toml, data_dir.h).
PreflightResult preflight(const TargetProfile& profile,
                          const std::string& world_file = "conformance/world.toml");

}  // namespace pistesim::conformance
