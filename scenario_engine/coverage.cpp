#include "scenario_engine/coverage.h"

#include <algorithm>

namespace pistesim::scenario {

const std::vector<std::string>& known_behaviour_ids() {
  // ../shared/brief/BEHAVIOURS.md, in file order; coverage_test checks the two agree.
  static const std::vector<std::string> kIds = {
      "ACC-1",  "ACC-2",  "ACC-3",  "ACC-4",   "ACC-5",   "ACC-6",   "ACC-7",  "ACC-8",  "ACC-9",
      "CAT-1",  "CAT-2",  "CGU-1",  "CGU-2",   "APP-1",   "APP-2",   "APP-3",  "APP-4",  "APP-5",
      "APP-6",  "APP-7",  "APP-8",  "APP-9",   "REQ-1",   "REQ-2",   "REQ-3",  "REQ-4",  "REQ-5",
      "REQ-6",  "REQ-7",  "ADM-1",  "ADM-2",   "ADM-3",   "ADM-4",   "ADM-5",  "OAU-1",  "OAU-2",
      "OAU-3",  "OAU-4",  "GW-1",   "GW-2",    "GW-3",    "GW-4",    "GW-5",   "GW-6",   "NOT-1",
      "NOT-2",  "WLD-1",  "WLD-2",  "WIRE-1",  "WIRE-2",  "WIRE-3",  "WIRE-4", "WIRE-5", "WIRE-6",
      "WIRE-7", "WIRE-8", "WIRE-9", "WIRE-10", "WIRE-11", "WIRE-12",
  };
  return kIds;
}

Coverage compute_coverage(const std::vector<Scenario>& scenarios) {
  std::set<std::string> named;
  for (const auto& s : scenarios) {
    if (s.skip) continue;  // a skipped scenario proves nothing
    named.insert(s.covers.begin(), s.covers.end());
  }
  Coverage c;
  const auto& known = known_behaviour_ids();
  for (const auto& id : known) (named.count(id) ? c.covered : c.uncovered).push_back(id);
  for (const auto& id : named)
    if (std::find(known.begin(), known.end(), id) == known.end()) c.unknown.push_back(id);
  return c;
}

}  // namespace pistesim::scenario
