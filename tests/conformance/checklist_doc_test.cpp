// docs/conformance-checklist.md names, for each item, the check files that test it: every file
// under conformance/checks/ is named there, and every check the page names exists, so the page
// cannot drift from the suite.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace {

namespace fs = std::filesystem;

TEST(ConformanceChecklist, NamesEveryCheckFileAndOnlyThose) {
  const fs::path root(PISTESIM_SOURCE_DIR);
  std::ifstream in(root / "docs" / "conformance-checklist.md");
  ASSERT_TRUE(in) << "docs/conformance-checklist.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  const std::string page = text.str();

  std::set<std::string> named;  // "a-request/a1-only-post-piste"
  std::regex reference(R"(`([a-g]-[a-z]+/[a-z0-9-]+)`)");
  for (std::sregex_iterator it(page.begin(), page.end(), reference), end; it != end; ++it)
    named.insert((*it)[1]);

  std::set<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root / "conformance" / "checks"))
    if (entry.path().extension() == ".toml")
      files.insert(entry.path().parent_path().filename().string() + "/" +
                   entry.path().stem().string());
  ASSERT_FALSE(files.empty());

  for (const auto& f : files) EXPECT_TRUE(named.count(f)) << f << " is not in the checklist";
  for (const auto& n : named) EXPECT_TRUE(files.count(n)) << n << " names no check file";
}

}  // namespace
