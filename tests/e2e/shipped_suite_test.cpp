// The shipped scenario suite gives the same verdicts, step for step and assertion for assertion,
// on the embedded simulator (in-process, no sockets) and on `pistesim serve` reached over HTTP:
// a scenario author can trust a local run to say what a CI run against a served simulator says.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "served_simulator.h"

namespace pistesim::test {
namespace {

const std::string kScenarios = std::string(PISTESIM_SOURCE_DIR) + "/scenarios";

nlohmann::json read_report(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str(), nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << path;
  return j;
}

// file → [outcome, then each step's outcome and each assertion's verdict]: what must agree.
std::map<std::string, std::vector<std::string>> verdicts(const nlohmann::json& report) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& s : report["scenarios"]) {
    auto& v = out[s["file"].get<std::string>()];
    v.push_back("scenario " + s["outcome"].get<std::string>());
    for (const auto& step : s["steps"]) {
      v.push_back(step["name"].get<std::string>() + ": " + step["outcome"].get<std::string>());
      for (const auto& a : step["assertions"])
        v.push_back("  " + a["subject"].get<std::string>() + (a["passed"] ? " ok" : " FAILED"));
    }
  }
  return out;
}

TEST(ShippedSuite, SameVerdictsEmbeddedAndServed) {
  std::string dir = make_temp_dir();
  RunResult embedded = run_pistesim(
      {"run", "--color", "never", "--report", "json=" + dir + "/embedded.json", kScenarios});
  ASSERT_EQ(embedded.exit_code, 0) << embedded.output;

  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  RunResult served =
      run_pistesim({"run", "--color", "never", "--target", server.base_url(), "--admin-token",
                    server.admin_token(), "--report", "json=" + dir + "/served.json", kScenarios});
  EXPECT_EQ(served.exit_code, 0) << served.output;

  auto local = verdicts(read_report(dir + "/embedded.json"));
  auto remote = verdicts(read_report(dir + "/served.json"));
  ASSERT_GE(local.size(), 30u);
  EXPECT_EQ(local, remote);
}

}  // namespace
}  // namespace pistesim::test
