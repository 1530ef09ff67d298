// Which behaviour IDs the scenarios cover (`pistesim run --coverage`): pistesim's own, as
// docs/behaviours.md lists them, and those a scenario author declares in a behaviours file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "scenario_engine/coverage.h"

namespace pistesim::scenario {
namespace {

std::string joined(const std::vector<LoadError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.to_string() + "\n";
  return out;
}

// The IDs docs/behaviours.md defines, in its order: one "- **ID** …" entry each.
TEST(Coverage, KnownIdsAreThoseOfDocsBehavioursInFileOrder) {
  const std::string path = std::string(PISTESIM_SOURCE_DIR) + "/docs/behaviours.md";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << " is missing: it defines the behaviour IDs scenarios cover";
  std::vector<std::string> ids;
  std::regex entry(R"(^- \*\*([A-Z]+-[0-9]+)\*\*)");
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
  EXPECT_EQ(c.covered, (std::vector<std::string>{"ACC-2", "OAU-1"}));  // docs/behaviours.md order
  EXPECT_EQ(c.unknown, (std::vector<std::string>{"XYZ-1"}));
  EXPECT_EQ(c.uncovered.size(), known_behaviour_ids().size() - 2);
  // A skipped scenario proves nothing.
  EXPECT_NE(std::find(c.uncovered.begin(), c.uncovered.end(), "GW-1"), c.uncovered.end());
}

TEST(Coverage, NothingCoveredWithoutScenarios) {
  Coverage c = compute_coverage({});
  EXPECT_TRUE(c.covered.empty());
  EXPECT_TRUE(c.unknown.empty());
  EXPECT_TRUE(c.user_covered.empty());
  EXPECT_EQ(c.uncovered, known_behaviour_ids());
}

const char* const kTwoBehaviours = R"(# what our invoicing client must do
[[behaviour]]
id = "INV-1"
title = "An invoice is submitted once, even when the call is retried"

[[behaviour]]
id = "INV-2"
title = "A rejected invoice is reported to the accountant"
)";

TEST(BehaviourCatalogue, ReadsTheUsersBehavioursInFileOrder) {
  BehaviourCatalogue catalogue;
  std::vector<LoadError> errors;
  ASSERT_TRUE(catalogue.add_text(kTwoBehaviours, "behaviours.toml", &errors)) << joined(errors);
  ASSERT_EQ(catalogue.user().size(), 2u);
  EXPECT_EQ(catalogue.user()[0].id, "INV-1");
  EXPECT_EQ(catalogue.user()[1].title, "A rejected invoice is reported to the accountant");
  EXPECT_EQ(catalogue.user()[1].where.to_string(), "behaviours.toml:7:6");
  EXPECT_EQ(catalogue.files(), (std::vector<std::string>{"behaviours.toml"}));
  EXPECT_EQ(catalogue.check("INV-2"), std::nullopt);
  EXPECT_EQ(catalogue.check("WIRE-6"), std::nullopt);  // pistesim's stay known
}

TEST(BehaviourCatalogue, ReportsTheUsersIdsInTheirOwnLists) {
  BehaviourCatalogue catalogue;
  std::vector<LoadError> errors;
  ASSERT_TRUE(catalogue.add_text(kTwoBehaviours, "behaviours.toml", &errors));
  Coverage c = compute_coverage({covering({"INV-2", "OAU-1"}), covering({"NOPE-1"})}, catalogue);
  EXPECT_EQ(c.covered, (std::vector<std::string>{"OAU-1"}));
  EXPECT_EQ(c.user_covered, (std::vector<std::string>{"INV-2"}));
  EXPECT_EQ(c.user_uncovered, (std::vector<std::string>{"INV-1"}));
  EXPECT_EQ(c.unknown, (std::vector<std::string>{"NOPE-1"}));
}

TEST(BehaviourCatalogue, AnUndeclaredIdNamesBothListsAndTheClosestOne) {
  BehaviourCatalogue catalogue;
  std::vector<LoadError> errors;
  ASSERT_TRUE(catalogue.add_text(kTwoBehaviours, "behaviours.toml", &errors));
  EXPECT_EQ(catalogue.check("INV-3"),
            "unknown behaviour ID « INV-3 » (not declared in behaviours.toml); did you mean "
            "« INV-1 »? expected one of: INV-1, INV-2");
  std::string other = catalogue.check("BILL-1").value_or("");
  EXPECT_NE(other.find("from the families: ACC, CAT, CGU"), std::string::npos) << other;
  EXPECT_NE(other.find("or one declared in behaviours.toml: INV-1, INV-2"), std::string::npos)
      << other;
  EXPECT_EQ(catalogue.check("wire-6"),
            "unknown behaviour ID « wire-6 »; did you mean « WIRE-6 »? expected an ID such as "
            "ACC-1 from the families: ACC, CAT, CGU, APP, REQ, ADM, OAU, GW, NOT, WLD, WIRE "
            "(docs/behaviours.md), or one declared in behaviours.toml: INV-1, INV-2");
  // Without a behaviours file, the message says how to declare one.
  std::string builtin = BehaviourCatalogue::builtin().check("MY-1").value_or("");
  EXPECT_NE(builtin.find("declare your own in a behaviours file"), std::string::npos) << builtin;
}

struct BadBehaviours {
  std::string text;
  std::string location;  // "line:column"
  std::string fragment;
};

class BehaviourCatalogueRejects : public testing::TestWithParam<BadBehaviours> {};

TEST_P(BehaviourCatalogueRejects, NamingFileLineAndColumn) {
  const auto& c = GetParam();
  BehaviourCatalogue catalogue;
  std::vector<LoadError> errors;
  EXPECT_FALSE(catalogue.add_text(c.text, "b.toml", &errors));
  EXPECT_TRUE(catalogue.user().empty()) << "a file with a mistake adds nothing";
  EXPECT_TRUE(catalogue.files().empty());
  bool found = false;
  for (const auto& e : errors)
    found = found || (e.to_string().starts_with("b.toml:" + c.location + ": ") &&
                      e.to_string().find(c.fragment) != std::string::npos);
  EXPECT_TRUE(found) << "wanted b.toml:" << c.location << ": …" << c.fragment << "\ngot:\n"
                     << joined(errors);
}

INSTANTIATE_TEST_SUITE_P(
    EveryMistake, BehaviourCatalogueRejects,
    testing::Values(
        BadBehaviours{"", "1:1", "the file declares no behaviour"},
        BadBehaviours{"[[behaviour]\nid = \"A-1\"", "1:13", "invalid TOML"},
        BadBehaviours{"[[behavior]]\nid = \"MY-1\"\ntitle = \"t\"", "1:3",
                      "unknown key « behavior » in a behaviours file; did you mean « behaviour »?"},
        BadBehaviours{"behaviour = \"MY-1\"", "1:13", "« behaviour » must be [[behaviour]] tables"},
        BadBehaviours{"[[behaviour]]\ntitle = \"t\"", "1:1", "this [[behaviour]] has no « id »"},
        BadBehaviours{"[[behaviour]]\nid = \"MY-1\"", "1:1", "has no « title »"},
        BadBehaviours{"[[behaviour]]\nid = 1\ntitle = \"t\"", "2:6", "« id » must be a string"},
        BadBehaviours{"[[behaviour]]\nid = \"MY-1\"\ntitle = \"  \"", "3:9", "« title » is empty"},
        BadBehaviours{"[[behaviour]]\nid = \"MY-1\"\ntitle = \"t\"\ntitles = \"u\"", "4:1",
                      "did you mean « title »?"},
        BadBehaviours{"[[behaviour]]\nid = \"MY 1\"\ntitle = \"t\"", "2:6",
                      "behaviour ID « MY 1 » holds"},
        BadBehaviours{"[[behaviour]]\nid = \"1-MY\"\ntitle = \"t\"", "2:6",
                      "does not start with a letter"},
        BadBehaviours{"[[behaviour]]\nid = \"wire-13\"\ntitle = \"t\"", "2:6",
                      "« wire-13 » is in pistesim's family WIRE (docs/behaviours.md)"},
        BadBehaviours{"[[behaviour]]\nid = \"MY-1\"\ntitle = \"t\"\n[[behaviour]]\nid = "
                      "\"MY-1\"\ntitle = \"u\"",
                      "5:6", "« MY-1 » is already declared at b.toml:2:6"}));

TEST(BehaviourCatalogue, AnIdDeclaredInTwoFilesIsRefusedInTheSecond) {
  BehaviourCatalogue catalogue;
  std::vector<LoadError> errors;
  ASSERT_TRUE(catalogue.add_text(kTwoBehaviours, "a.toml", &errors));
  EXPECT_FALSE(
      catalogue.add_text("[[behaviour]]\nid = \"INV-2\"\ntitle = \"x\"", "b.toml", &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].to_string(),
            "b.toml:2:6: behaviour ID « INV-2 » is already declared at a.toml:7:6; expected each "
            "ID once");
  EXPECT_EQ(catalogue.files(), (std::vector<std::string>{"a.toml"}));
}

TEST(BehaviourCatalogue, ErrorsComeInFileOrder) {
  BehaviourCatalogue catalogue;
  std::vector<LoadError> errors;
  EXPECT_FALSE(catalogue.add_text("zebra = 1\napple = 2\n[[behaviour]]\nid = \"MY-1\"\n", "b.toml",
                                  &errors));
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].where.line, 1);  // zebra, though toml++ lists apple first
  EXPECT_EQ(errors[1].where.line, 2);
  EXPECT_EQ(errors[2].where.line, 3);  // no title
}

TEST(BehaviourCatalogue, AMissingFileIsAnError) {
  BehaviourCatalogue catalogue;
  std::vector<LoadError> errors;
  EXPECT_FALSE(catalogue.add_file("/nonexistent/behaviours.toml", &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].to_string().find(
                "/nonexistent/behaviours.toml: cannot open: No such file or directory"),
            std::string::npos);
}

TEST(BehaviourCatalogue, NeverCrashesOnGarbage) {
  for (std::string text : {std::string("\0\xff[[", 4), std::string("[[behaviour]]\nid = [1, 2]"),
                           std::string("behaviour = [1, 2]"), std::string("[behaviour]\nid = 1")}) {
    BehaviourCatalogue catalogue;
    std::vector<LoadError> errors;
    EXPECT_FALSE(catalogue.add_text(text, "g.toml", &errors));
    EXPECT_FALSE(errors.empty());
  }
}

TEST(FindBehaviourFiles, BesideAFileAndUnderAWalkedDirectoryButNotInLib) {
  namespace fs = std::filesystem;
  fs::path root = fs::path(testing::TempDir()) / "find-behaviours";
  fs::remove_all(root);
  fs::create_directories(root / "a" / "lib");
  fs::create_directories(root / "b");
  for (auto p : {root / "a" / "behaviours.toml", root / "a" / "lib" / "behaviours.toml",
                 root / "b" / "behaviours.toml", root / "b" / "x.toml"})
    std::ofstream(p) << "";
  EXPECT_EQ(find_behaviour_files({(root / "a").string()}),
            (std::vector<std::string>{(root / "a" / "behaviours.toml").string()}));
  EXPECT_EQ(find_behaviour_files({(root / "b" / "x.toml").string(), (root / "b").string()}),
            (std::vector<std::string>{(root / "b" / "behaviours.toml").string()}));
  fs::remove_all(root);
}

}  // namespace
}  // namespace pistesim::scenario
