#include <gtest/gtest.h>

#include <filesystem>

#include "loadgen/workload.h"

namespace pistesim::loadgen {
namespace {

std::string error_of(const std::string& toml) {
  try {
    load_profile_string(toml, "p.toml");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(LoadProfile, ReadsGroupsMixAndFaults) {
  Workload w = load_profile_string(R"(
name = "t"
model = "open"
duration = "30s"
ramp = "5s"
connections = 32
[[applications]]
name = "prod"
channel = "PRODUCTION"
count = 1000
rate = 25
quota = { limit = 20, window = "1s" }
[[applications]]
name = "sbx"
channel = "SANDBOX"
count = 10
rate = 5
[[mix]]
kind = "api"
api = "legifrance"
path = "/dila/legifrance/lf-engine-app/consult/ping"
weight = 90
[[mix]]
kind = "missing_token"
weight = 10
[[faults]]
status = 503
count = 2
)",
                                   "t.toml");
  EXPECT_EQ(w.duration, 30000000000);
  EXPECT_EQ(w.ramp, 5000000000);
  ASSERT_EQ(w.groups.size(), 2u);
  EXPECT_EQ(w.groups[0].count, 1000u);
  ASSERT_TRUE(w.groups[0].quota);
  EXPECT_EQ(w.groups[0].quota->limit, 20);
  EXPECT_EQ(w.groups[1].channel, Channel::Sandbox);
  EXPECT_DOUBLE_EQ(w.offered_rate(), 25000 + 50);
  ASSERT_EQ(w.mix.size(), 2u);
  EXPECT_FALSE(w.mix[1].path.empty()) << "missing_token has a default path";
  ASSERT_EQ(w.faults.size(), 1u);
  EXPECT_EQ(w.faults[0]["status"], 503);
}

TEST(LoadProfile, ErrorsPointIntoTheFile) {
  EXPECT_EQ(error_of("name = \"t\"\nduration = \"ten\"\n"),
            "p.toml:2:12: duration: bad duration (units ms, s, m, h, d)");
  EXPECT_EQ(error_of("name = \"t\"\nbogus = 1\n"), "p.toml:2:9: unknown key 'bogus'");
  EXPECT_EQ(error_of("name = \"t\"\n[[applications]]\nchannel = \"MOON\"\n"),
            "p.toml:3:11: channel must be \"SANDBOX\" or \"PRODUCTION\"");
  EXPECT_EQ(error_of("name = \"t\"\n[[applications]]\nquota = { limit = 0 }\n"),
            "p.toml:3:19: quota.limit must be an integer in 1..1073741823");
  EXPECT_EQ(error_of("name = \"t\"\n[[applications]]\n[[mix]]\nkind = \"api\"\n"),
            "p.toml: an api entry of the mix needs `api` and a `path` starting with '/'");
  EXPECT_EQ(error_of("name = \"t\"\n"), "p.toml: no application group");
  EXPECT_NE(error_of("name = [").find("p.toml:1:"), std::string::npos);
}

TEST(LoadProfile, ShippedProfilesAllLoad) {
  namespace fs = std::filesystem;
  int n = 0;
  for (const auto& e :
       fs::directory_iterator(std::string(PISTESIM_SOURCE_DIR) + "/loadgen/profiles")) {
    if (e.path().extension() != ".toml") continue;
    EXPECT_NO_THROW(load_profile_file(e.path().string())) << e.path();
    ++n;
  }
  EXPECT_GE(n, 3);
  EXPECT_NO_THROW(find_profile("smoke", default_profile_dirs()));
  EXPECT_THROW(find_profile("no-such-profile", default_profile_dirs()), std::runtime_error);
}

TEST(Workload, ValidateNamesWhatIsWrong) {
  Workload w;
  w.groups = {ApplicationGroup{}};
  w.mix = default_mix();
  EXPECT_EQ(w.validate(), "");
  w.connections = 0;
  EXPECT_EQ(w.validate(), "connections must be at least 1");
  w.connections = 4;
  w.shard_index = 2;
  w.shard_count = 2;
  EXPECT_EQ(w.validate(), "shard must be k/n with 1 <= k <= n");
}

TEST(Workload, ShardsSplitTheOfferedRate) {
  Workload w;
  ApplicationGroup g;
  g.count = 5;
  g.rate = 10;
  w.groups = {g};
  w.shard_count = 2;
  w.shard_index = 0;
  EXPECT_DOUBLE_EQ(w.offered_rate(), 30);
  w.shard_index = 1;
  EXPECT_DOUBLE_EQ(w.offered_rate(), 20);
}

}  // namespace
}  // namespace pistesim::loadgen
