// Check files and target profiles name each mistake at its file:line:column.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "conformance/suite.h"

namespace pistesim::conformance {
namespace {

namespace fs = std::filesystem;

std::string write(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / "pistesim-suite-files-test";
  fs::create_directories(dir);
  std::string path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(CheckFiles, AWrongConformanceFieldNamesItsPosition) {
  std::string path = write("a1.toml",
                           "name = \"A check\"\n"
                           "[conformance]\n"
                           "id = \"A1\"\n"
                           "level = \"MUST!\"\n"
                           "source = \"RFC 6749 §3.2\"\n"
                           "needs = [\"control\", \"controll\"]\n"
                           "\n"
                           "[[step]]\n"
                           "request = \"GET {{sandbox_api}}/x\"\n");
  LoadedChecks loaded = load_checks({path});
  EXPECT_TRUE(loaded.checks.empty());
  ASSERT_EQ(loaded.errors.size(), 2u);
  EXPECT_EQ(loaded.errors[0], path +
                                  ":4:9: « level » must be \"MUST\", \"SHOULD\" or \"PISTE\", not "
                                  "\"MUST!\"; did you mean « MUST »?");
  EXPECT_EQ(loaded.errors[1].rfind(path + ":6:21: « needs[1] » must be ", 0), 0u)
      << loaded.errors[1];
  fs::remove(path);
}

TEST(TargetProfiles, EveryMistakeNamesItsPosition) {
  std::string path = write("profile.toml",
                           "target = \"embedded\"\n"
                           "verify_tls = \"yes\"\n"
                           "clinet_id = \"x\"\n");
  auto read = load_profile_file(path);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().message,
            path + ":2:14: « verify_tls » must be true or false, not a string\n" + path +
                ":3:1: unknown key « clinet_id » in the target profile; did you mean "
                "« client_id »? expected one of: target, profile, world, admin_token, "
                "verify_tls, ca_file, token_url, api_base, client_id, client_secret, "
                "second_client_id, second_client_secret, special_client_id, "
                "special_client_secret, public_client_id, application, allowed_path, "
                "forbidden_path");
  fs::remove(path);
}

TEST(TargetProfiles, AMissingFileSaysWhyWithoutAPosition) {
  auto read = load_profile_file("no-such-dir/profile.toml");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().message,
            "no-such-dir/profile.toml: cannot open: No such file or directory");
}

TEST(TargetProfiles, TheFileOverridesOnlyTheKeysItHolds) {
  std::string path = write("override.toml", "profile = \"rfc\"\nclient_id = \"from-file\"\n");
  TargetProfile base;
  base.target = "http://127.0.0.1:9";
  base.vars["client_id"] = "from-base";
  base.vars["client_secret"] = "kept";
  auto read = load_profile_file(path, base);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->target, "http://127.0.0.1:9");
  EXPECT_EQ(read->profile, "rfc");
  EXPECT_EQ(read->vars.at("client_id"), "from-file");
  EXPECT_EQ(read->vars.at("client_secret"), "kept");
  fs::remove(path);
}

}  // namespace
}  // namespace pistesim::conformance
