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
            "p.toml:2:12: « duration » must be a duration such as \"500ms\", \"5s\" or \"1h30m\", "
            "not \"ten\"");
  EXPECT_EQ(
      error_of("name = \"t\"\nbogus = 1\n")
          .rfind("p.toml:2:1: unknown key « bogus » in the profile (top level); expected one of: ",
                 0),
      0u);
  EXPECT_EQ(error_of("name = \"t\"\n[[applications]]\nchannel = \"MOON\"\n"),
            "p.toml:3:11: « applications[0].channel » must be \"SANDBOX\" or \"PRODUCTION\", not "
            "\"MOON\"");
  EXPECT_EQ(error_of("name = \"t\"\n[[applications]]\nquota = { limit = 0 }\n"),
            "p.toml:3:19: « applications[0].quota.limit » must be an integer from 1 to "
            "1073741823, not 0");
  EXPECT_EQ(error_of("name = \"t\"\n[[applications]]\n[[mix]]\nkind = \"api\"\n"),
            "p.toml: an api entry of the mix needs `api` and a `path` starting with '/'");
  EXPECT_EQ(error_of("name = \"t\"\n"), "p.toml: no application group");
  EXPECT_EQ(error_of("name = \"t\"\nduration = \"3s\"\nramp = \"5s\"\n"),
            "p.toml:3:8: « ramp » must be at most the duration (3s), not \"5s\"");
  EXPECT_NE(error_of("name = [").find("p.toml:1:"), std::string::npos);
}

// Every mistake of a profile is named in one go, each where it is, not only the first.
TEST(LoadProfile, EveryMistakeIsReported) {
  try {
    load_profile_string(
        "name = \"t\"\nmodel = \"opn\"\n[[applications]]\ncount = -2\n"
        "rate = \"fast\"\n",
        "p.toml");
    FAIL() << "the profile was accepted";
  } catch (const ProfileError& e) {
    ASSERT_EQ(e.errors().size(), 3u) << e.what();
    EXPECT_EQ(e.errors()[0].to_string(),
              "p.toml:2:9: « model » must be \"open\" or \"closed\", not \"opn\"; did you mean "
              "« open »?");
    EXPECT_EQ(e.errors()[1].to_string(),
              "p.toml:4:9: « applications[0].count » must be a whole number of at least 0, not "
              "-2");
    EXPECT_EQ(e.errors()[2].to_string(),
              "p.toml:5:8: « applications[0].rate » must be a number of at least 0, not a string");
  }
}

// A missing profile says which file and why, with no made-up position.
TEST(LoadProfile, AMissingFileSaysWhy) {
  try {
    load_profile_file("no-such-dir/absent.toml");
    FAIL() << "a missing profile was accepted";
  } catch (const ProfileError& e) {
    EXPECT_STREQ(e.what(), "no-such-dir/absent.toml: cannot open: No such file or directory");
  }
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
  const std::string kShipped = std::string(PISTESIM_SOURCE_DIR) + "/loadgen/profiles";
  EXPECT_NO_THROW(find_profile("smoke", default_profile_dirs(kShipped)));
  EXPECT_THROW(find_profile("no-such-profile", default_profile_dirs(kShipped)), std::runtime_error);
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

// Arrivals per second of the open model's schedule for `w`, as the runner builds it.
std::vector<uint64_t> scheduled_per_second(const Workload& w) {
  ArrivalQueue q;
  for (const auto& g : w.groups)
    for (size_t i = 0; i < g.count; ++i) q.add(arrival_stream(w, g, i, g.count));
  std::vector<uint64_t> counts(static_cast<size_t>((w.duration + 999999999) / 1000000000), 0);
  while (!q.empty()) counts.at(static_cast<size_t>(q.pop().at / 1000000000))++;
  return counts;
}

// `load --duration 4s --ramp 3s` at 250/s over 10 applications: without a start_rate the ramp
// starts from 0, so the seconds hold the integral of 0 -> 250/s over 3 s, then 250.
TEST(Workload, RampStartsFromZeroByDefault) {
  Workload w;
  ApplicationGroup g;
  g.count = 10;
  g.rate = 25;
  w.groups = {g};
  w.mix = default_mix();
  w.duration = 4000000000;
  w.ramp = 3000000000;
  ASSERT_EQ(w.validate(), "");
  EXPECT_DOUBLE_EQ(ramp_start_rate(w, g), 0);
  const std::vector<double> expected = {250.0 / 6, 250.0 * 3 / 6, 250.0 * 5 / 6, 250};
  const auto counts = scheduled_per_second(w);
  ASSERT_EQ(counts.size(), expected.size());
  for (size_t s = 0; s < counts.size(); ++s)
    EXPECT_NEAR(static_cast<double>(counts[s]), expected[s], 1.0) << "second " << s;
}

TEST(Workload, RampFromAStartRate) {
  Workload w;
  ApplicationGroup g;
  g.count = 4;
  g.rate = 50;
  g.start_rate = 10;
  w.groups = {g};
  w.mix = default_mix();
  w.duration = 3000000000;
  w.ramp = 2000000000;
  ASSERT_EQ(w.validate(), "");
  // 40 -> 200/s over 2 s: 40 + 80 t; the seconds hold 80, 160, then 200.
  const auto counts = scheduled_per_second(w);
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_NEAR(static_cast<double>(counts[0]), 80, 1.0);
  EXPECT_NEAR(static_cast<double>(counts[1]), 160, 1.0);
  EXPECT_NEAR(static_cast<double>(counts[2]), 200, 1.0);
  // Without a ramp, the rate holds from the start.
  w.ramp = 0;
  w.groups[0].start_rate.reset();
  EXPECT_EQ(scheduled_per_second(w), (std::vector<uint64_t>{200, 200, 200}));
}

TEST(Workload, RampLongerThanTheRunNamesBoth) {
  Workload w;
  w.groups = {ApplicationGroup{}};
  w.mix = default_mix();
  w.duration = 1000000000;
  w.ramp = 5000000000;
  EXPECT_EQ(w.validate(),
            "the ramp (5s) is longer than the duration (1s): the run would end before reaching "
            "its full rate");
  w.ramp = w.duration;
  EXPECT_EQ(w.validate(), "") << "a ramp over the whole run is allowed";
  w.model = LoadModel::Closed;
  EXPECT_NE(w.validate().find("a ramp needs the open model"), std::string::npos);
  w.model = LoadModel::Open;
  w.ramp = 0;
  w.groups[0].start_rate = 5;
  EXPECT_NE(w.validate().find("sets start_rate, which needs a ramp (the workload has none)"),
            std::string::npos);
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
