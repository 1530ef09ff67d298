// How the suite reaches a target (shared by the sequential run and the run under load).
#pragma once

#include <memory>
#include <string>

#include "conformance/suite.h"
#include "scenario_engine/target.h"

namespace pistesim::conformance {

// The target checks are sent to. For "embedded", `owner` is the in-process simulator and
// `target` a client of its loopback server (so the HTTP layer is part of what is checked).
struct TargetAccess {
  std::unique_ptr<scenario::Target> owner;   // destroyed last
  std::unique_ptr<scenario::Target> target;  // what checks use
};

// An error when the world cannot be loaded, the URL is malformed, or the loopback server cannot
// start. `shared_embedded`: reuse that embedded simulator (a thread of the run under load gets its
// own connection to the same server).
Result<std::unique_ptr<TargetAccess>> open_target(const TargetProfile& profile,
                                                  const TargetAccess* shared_embedded = nullptr);

// The check's scenario with the profile's variables (token_url, client_id, …, profile,
// oversized_body) added to its [vars].
scenario::Scenario with_profile_vars(const scenario::Scenario& check_scenario,
                                     const TargetProfile& profile);

}  // namespace pistesim::conformance
