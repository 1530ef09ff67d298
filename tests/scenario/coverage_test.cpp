// Which BEHAVIOURS.md IDs the scenarios cover (`pistesim run --coverage`).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "scenario_engine/coverage.h"

namespace pistesim::scenario {
namespace {

TEST(Coverage, KnownIdsAreThoseOfBehavioursMdInFileOrder) {
  std::ifstream in(std::string(PISTESIM_SOURCE_DIR) + "/../shared/brief/BEHAVIOURS.md");
  if (!in) GTEST_SKIP() << "BEHAVIOURS.md is not beside the source tree";
  std::vector<std::string> ids;
  std::regex entry(R"(^- ([A-Z]+-[0-9]+) )");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, entry)) ids.push_back(m[1]);
  }
  EXPECT_EQ(known_behaviour_ids(), ids);
}

TEST(Coverage, KnowsEveryFamily) {
  const auto& ids = known_behaviour_ids();
  EXPECT_EQ(ids.size(), 60u);
  EXPECT_EQ(ids.front(), "ACC-1");
  EXPECT_EQ(ids.back(), "WIRE-12");
}

Scenario covering(std::vector<std::string> ids, std::optional<std::string> skip = std::nullopt) {
  Scenario s;
  s.covers = std::move(ids);
  s.skip = std::move(skip);
  return s;
}

TEST(Coverage, SplitsCoveredUncoveredAndUnknown) {
  Coverage c = compute_coverage(
      {covering({"OAU-1", "ACC-2"}), covering({"ACC-2", "XYZ-1"}), covering({"GW-1"}, "later")});
  EXPECT_EQ(c.covered, (std::vector<std::string>{"ACC-2", "OAU-1"}));  // BEHAVIOURS.md order
  EXPECT_EQ(c.unknown, (std::vector<std::string>{"XYZ-1"}));
  EXPECT_EQ(c.uncovered.size(), known_behaviour_ids().size() - 2);
  // A skipped scenario proves nothing.
  EXPECT_NE(std::find(c.uncovered.begin(), c.uncovered.end(), "GW-1"), c.uncovered.end());
}

TEST(Coverage, NothingCoveredWithoutScenarios) {
  Coverage c = compute_coverage({});
  EXPECT_TRUE(c.covered.empty());
  EXPECT_TRUE(c.unknown.empty());
  EXPECT_EQ(c.uncovered, known_behaviour_ids());
}

}  // namespace
}  // namespace pistesim::scenario
