// `pistesim conform` against a served simulator not set up for its profile: the preflight
// stops before any check with one reason and its remedy, exit 2 (it once printed 28 FAILs of
// `400 invalid_client` against a default-world server). On a server that is set up, the
// preflight says what it verified and the checks run, their titles in the table.
#include <gtest/gtest.h>

#include "served_simulator.h"

namespace pistesim::test {
namespace {

const std::string kSource = PISTESIM_SOURCE_DIR;
const std::string kProfile = kSource + "/conformance/profiles/pistesim.toml";

RunResult conform(const ServedSimulator& server, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"conform",
                                   "--color",
                                   "never",
                                   "--target",
                                   server.base_url(),
                                   "--admin-token",
                                   server.admin_token(),
                                   "--profile-file",
                                   kProfile};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_pistesim(args);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Refused by the preflight: exit 2, one message holding `problem` then `remedy`, no check run.
void expect_stopped(const RunResult& run, const std::string& problem, const std::string& remedy) {
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_EQ(count(run.output, "pistesim conform: preflight failed, no check ran: "), 1u)
      << run.output;
  EXPECT_NE(run.output.find(problem), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("\n  remedy: " + remedy + "\n"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("FAIL"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("checks on"), std::string::npos) << run.output;
}

TEST(ConformPreflight, DefaultWorldServerIsNamedWithTheRemedy) {
  ServedSimulator server;  // the default world, not conformance/world.toml
  ASSERT_TRUE(server.started()) << server.output();
  // The remedy names the world where this binary finds its data (here the source tree, run from
  // a directory outside it), not a path relative to a checkout the user may not have.
  expect_stopped(conform(server, {}), "has no client « conf-client-0001 »",
                 "start the server with --world " + kSource +
                     "/conformance/world.toml, or give "
                     "--client-id/--client-secret of one of its applications");
}

TEST(ConformPreflight, ChecksRunWithoutItWhenAsked) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  RunResult run = conform(server, {"--no-preflight", "--only", "D2"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("invalid_client"), std::string::npos) << run.output;
}

class ConformanceWorldServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServedSimulator({"--world", kSource + "/conformance/world.toml"});
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(server_->started()) << server_->output(); }
  static inline ServedSimulator* server_ = nullptr;
};

TEST_F(ConformanceWorldServer, UnknownClientIdNamesTheApplicationsClients) {
  expect_stopped(conform(*server_, {"--client-id", "no-such-client"}),
                 "the target has no client « no-such-client »",
                 "give --client-id of a client of application « conf-app » (conf-client-0001)");
}

TEST_F(ConformanceWorldServer, WrongSecretIsToldApartFromAnUnknownClient) {
  expect_stopped(conform(*server_, {"--client-secret", "not-the-secret"}),
                 "the target knows client « conf-client-0001 » (application « conf-app ») but "
                 "refused its secret",
                 "give the client's secret with --client-secret or CONFORM_CLIENT_SECRET");
}

TEST_F(ConformanceWorldServer, SecondClientIsCheckedToo) {
  expect_stopped(conform(*server_, {"--second-client-secret", "nope"}),
                 "knows client « conf-client-0002 »",
                 "give the client's secret with --second-client-secret");
}

TEST_F(ConformanceWorldServer, MissingApiPathIsNamed) {
  expect_stopped(conform(*server_, {"--allowed-path", "/no/such/api"}),
                 "/no/such/api with the client's token answered 404: no API there",
                 "give --allowed-path an API path that exists under --api-url");
}

TEST_F(ConformanceWorldServer, WrongAdminTokenIsNamed) {
  expect_stopped(run_pistesim({"conform", "--target", server_->base_url(), "--admin-token",
                               "not-the-token", "--profile-file", kProfile}),
                 "wrong or missing admin token",
                 "give the admin token `pistesim serve` printed (--admin-token)");
}

TEST_F(ConformanceWorldServer, SetUpServerPassesAndTheTableShowsTitles) {
  RunResult run = conform(*server_, {"--only", "A4,B4"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("\nPreflight: OK: 2 clients got a token; allowed_path 200, "
                            "forbidden_path 403\n"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("\nA4   MUST   PASS    grant_type is required"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("\nB4   PISTE  PASS    Client credentials in the body are acce…"),
            std::string::npos)
      << run.output;
}

}  // namespace
}  // namespace pistesim::test
