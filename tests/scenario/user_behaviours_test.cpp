// A scenario author's own behaviour IDs (docs/scenarios.md, "Your own behaviour IDs"): the
// loader accepts in `covers` the IDs a behaviours file declares and refuses the others, naming
// file:line:column and both lists; a directory walk never takes a behaviours file for a scenario.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "scenario_engine/coverage.h"
#include "scenario_engine/loader.h"

namespace pistesim::scenario {
namespace {

BehaviourCatalogue invoicing() {
  BehaviourCatalogue catalogue;
  std::vector<LoadError> errors;
  EXPECT_TRUE(
      catalogue.add_text("[[behaviour]]\nid = \"INV-1\"\ntitle = \"Submitted once\"\n"
                         "[[behaviour]]\nid = \"INV-2\"\ntitle = \"Rejections reported\"",
                         "my/behaviours.toml", &errors));
  return catalogue;
}

const char* const kScenario =
    "name = \"Invoice retried\"\ncovers = [\"WIRE-12\", \"INV-1\"]\n[[step]]\nreset = true\n";

TEST(UserBehaviours, TheLoaderAcceptsDeclaredIds) {
  BehaviourCatalogue catalogue = invoicing();
  LoadOptions options;
  options.behaviours = &catalogue;
  auto r = load_scenario_text(kScenario, "my/retry.toml", options);
  ASSERT_TRUE(std::holds_alternative<Scenario>(r));
  EXPECT_EQ(std::get<Scenario>(r).covers, (std::vector<std::string>{"WIRE-12", "INV-1"}));
}

TEST(UserBehaviours, WithoutTheCatalogueTheyAreRefused) {
  auto r = load_scenario_text(kScenario, "my/retry.toml");
  ASSERT_TRUE(std::holds_alternative<std::vector<LoadError>>(r));
  const auto& errors = std::get<std::vector<LoadError>>(r);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(errors[0].to_string().starts_with(
      "my/retry.toml:2:22: unknown behaviour ID « INV-1 »; expected an ID such as ACC-1"))
      << errors[0].to_string();
  EXPECT_NE(errors[0].message.find("declare your own in a behaviours file"), std::string::npos);
}

TEST(UserBehaviours, AnUndeclaredIdIsRefusedAtItsPlaceNamingTheDeclaredOnes) {
  BehaviourCatalogue catalogue = invoicing();
  LoadOptions options;
  options.behaviours = &catalogue;
  auto r =
      load_scenario_text("name = \"x\"\ncovers = [\"INV-1\", \"INV-7\"]\n[[step]]\nreset = true\n",
                         "my/x.toml", options);
  ASSERT_TRUE(std::holds_alternative<std::vector<LoadError>>(r));
  const auto& errors = std::get<std::vector<LoadError>>(r);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].to_string(),
            "my/x.toml:2:20: unknown behaviour ID « INV-7 » (not declared in my/behaviours.toml); "
            "did you mean « INV-1 »? expected one of: INV-1, INV-2");
}

TEST(UserBehaviours, ADirectoryWalkSkipsBehavioursFiles) {
  namespace fs = std::filesystem;
  fs::path root = fs::path(testing::TempDir()) / "walk-behaviours";
  fs::remove_all(root);
  fs::create_directories(root);
  std::ofstream(root / "behaviours.toml") << "[[behaviour]]\nid = \"INV-1\"\ntitle = \"t\"\n";
  std::ofstream(root / "retry.toml") << kScenario;
  std::vector<LoadError> errors;
  EXPECT_EQ(find_scenario_files({root.string()}, &errors),
            (std::vector<std::string>{(root / "retry.toml").string()}));
  EXPECT_TRUE(errors.empty());
  fs::remove_all(root);
}

}  // namespace
}  // namespace pistesim::scenario
