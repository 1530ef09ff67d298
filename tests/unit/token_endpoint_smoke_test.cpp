#include "support/test_simulator.h"

namespace pistesim::test {

TEST(TokenEndpoint, IssuesA54CharacterBearerTokenForTheDemoClient) {
  TestSimulator t;
  Response r = t.token_request(Channel::Sandbox, std::string("grant_type=client_credentials&client_id=") +
                                                     kSandboxClientId + "&client_secret=" + kSandboxClientSecret);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["access_token"].get<std::string>().size(), 54u);
  EXPECT_EQ(j["token_type"], "Bearer");
  EXPECT_EQ(j["expires_in"], 3600);
}

}  // namespace pistesim::test
