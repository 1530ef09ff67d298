// `serve` configured by the environment, as a CI service is (docs/ci-service.md): every option
// also from PISTESIM_*, the command line winning; --log-format json makes every stderr line a
// JSON object (access log included); --quiet drops the banner.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <sstream>

#include "e2e/served_simulator.h"

namespace pistesim::test {

TEST(ServeEnvironment, OptionsFromTheEnvironmentAndJsonLogs) {
  // Each test runs in its own process (gtest_discover_tests): the variables stay here.
  ASSERT_EQ(setenv("PISTESIM_ADMIN_TOKEN", "Env-Admin-Token-42", 1), 0);
  ASSERT_EQ(setenv("PISTESIM_LOG_FORMAT", "json", 1), 0);
  ASSERT_EQ(setenv("PISTESIM_ACCESS_LOG", "true", 1), 0);
  ASSERT_EQ(setenv("PISTESIM_QUIET", "1", 1), 0);
  ASSERT_EQ(setenv("PISTESIM_PORT", "1", 1), 0);  // the command line's --port 0 wins
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  EXPECT_EQ(server.admin_token(), "Env-Admin-Token-42");
  EXPECT_NE(server.port(), 1);
  {
    auto client = server.client();
    auto r = client->send(
        bearer_get("/sandbox/api/dila/legifrance/lf-engine-app/consult/ping", "not-a-token"));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 401);
  }
  ASSERT_EQ(server.stop(), 0);

  const std::string output = server.output();
  EXPECT_EQ(output.find("Ctrl-C"), std::string::npos) << "--quiet printed the banner:\n" << output;
  std::istringstream lines(output);
  std::string line;
  bool saw_access = false, saw_serving = false;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(line)) << "not JSON: " << line;
    ASSERT_TRUE(j.contains("time")) << line;
    if (j.contains("status") && j["status"] == 401 &&
        j["path"] == "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping")
      saw_access = true;
    if (j.value("message", "").starts_with("serving on http://127.0.0.1:")) saw_serving = true;
  }
  EXPECT_TRUE(saw_access) << output;
  EXPECT_TRUE(saw_serving) << output;
}

}  // namespace pistesim::test
