// `pistesim run --target` and `pistesim conform --target` move a shared server's clock; when they
// finish, passed or failed, the clock is back where they found it, unless --keep-clock.
#include <gtest/gtest.h>

#include <fstream>

#include "served_simulator.h"

namespace pistesim::test {
namespace {

constexpr int64_t kTwoDays = 2 * 86'400'000;

// Two days ahead, then an expectation that fails: the clock must come back all the same.
const char* kScenario = R"(name = "Moves the clock two days, then fails"
[[step]]
advance = "2d"
[[step]]
request = "GET {{sandbox_api}}/dila/legifrance/lf-engine-app/consult/ping"
expect.status = 200
)";

int64_t clock_offset(const ServedSimulator& server) {
  auto client = server.client();
  auto r = client->send(control_request(server, "GET", "/clock"));
  EXPECT_TRUE(r && r->status == 200);
  auto j = nlohmann::json::parse(r ? r->body : "", nullptr, false);
  return j.is_object() ? j.value("offset_ms", int64_t{-1}) : -1;
}

std::string write_scenario(const std::string& dir) {
  const std::string path = dir + "/moves-clock.toml";
  std::ofstream(path) << kScenario;
  return path;
}

TEST(TargetClock, RunPutsTheClockBackEvenWhenAScenarioFails) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  const std::string scenario = write_scenario(make_temp_dir());
  const std::vector<std::string> run = {
      "run",           "--color",           "never", "--target", server.base_url(),
      "--admin-token", server.admin_token()};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = run;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_pistesim(args);
  };

  RunResult restored = with({scenario});
  EXPECT_EQ(restored.exit_code, 1) << restored.output;  // the ping had no token
  EXPECT_NE(restored.output.find("the target's clock was put back by 2d"), std::string::npos)
      << restored.output;
  EXPECT_EQ(clock_offset(server), 0);

  RunResult kept = with({"--keep-clock", scenario});
  EXPECT_EQ(kept.exit_code, 1) << kept.output;
  EXPECT_EQ(kept.output.find("put back"), std::string::npos) << kept.output;
  EXPECT_EQ(clock_offset(server), kTwoDays);

  // A run puts back what it found, not real time: the offset another user left stays.
  RunResult again = with({scenario});
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_EQ(clock_offset(server), kTwoDays);
}

// F9 (token expiry) and G4 (the daily quota at Paris midnight) advance the clock.
TEST(TargetClock, ConformPutsTheClockBack) {
  const std::string src = PISTESIM_SOURCE_DIR;
  ServedSimulator server({"--world", src + "/conformance/world.toml"});
  ASSERT_TRUE(server.started()) << server.output();
  RunResult conform =
      run_pistesim({"conform", "--color", "never", "--target", server.base_url(), "--admin-token",
                    server.admin_token(), "--profile-file",
                    src + "/conformance/profiles/pistesim.toml", "--only", "F9,G4"});
  EXPECT_EQ(conform.exit_code, 0) << conform.output;
  EXPECT_NE(conform.output.find("the target's clock was put back"), std::string::npos)
      << conform.output;
  EXPECT_EQ(clock_offset(server), 0);
}

}  // namespace
}  // namespace pistesim::test
