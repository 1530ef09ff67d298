// Which BEHAVIOURS.md IDs the scenarios cover (`pistesim run --coverage`).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "scenario_engine/model.h"

namespace pistesim::scenario {

// Every behaviour ID pistesim reproduces, in BEHAVIOURS.md order ("ACC-1" … "WLD-2").
const std::vector<std::string>& known_behaviour_ids();

struct Coverage {
  std::vector<std::string> covered;    // known IDs some scenario covers
  std::vector<std::string> uncovered;  // known IDs none covers
  std::vector<std::string> unknown;    // IDs scenarios name that BEHAVIOURS.md does not have
};
Coverage compute_coverage(const std::vector<Scenario>& scenarios);

}  // namespace pistesim::scenario
