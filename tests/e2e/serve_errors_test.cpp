// `pistesim serve` refuses to start, with exit code 2 and a message saying why, when its input
// is wrong: a broken world file, a port already taken, an unknown profile.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

#include "e2e/served_simulator.h"

namespace pistesim::test {

TEST(ServeErrors, BrokenWorldExitsTwoAndPointsIntoTheFile) {
  const std::string world = std::string(PISTESIM_SOURCE_DIR) + "/tests/data/bad-world.toml";
  RunResult run = run_pistesim({"serve", "--port", "0", "--world", world});
  EXPECT_TRUE(refused_to_start(run, "error(s) in the world file"));
  // path:line:column: message, one per mistake.
  std::regex located("bad-world\\.toml:[0-9]+:[0-9]+: ");
  auto count = std::distance(std::sregex_iterator(run.output.begin(), run.output.end(), located),
                             std::sregex_iterator());
  EXPECT_GE(count, 2) << run.output;
}

TEST(ServeErrors, PortServedByAnotherSimulatorExitsTwo) {
  ServedSimulator first;
  ASSERT_TRUE(first.started()) << first.output();
  RunResult run = run_pistesim({"serve", "--port", std::to_string(first.port())});
  EXPECT_TRUE(refused_to_start(run, "cannot bind 127.0.0.1:" + std::to_string(first.port())));
  // The first one is undisturbed.
  auto client = first.client();
  auto r = client->send(Request::make("GET", "/__pistesim/health"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
}

TEST(ServeErrors, PortHeldByAnotherProgramExitsTwo) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  RunResult run = run_pistesim({"serve", "--port", std::to_string(port)});
  ::close(fd);
  EXPECT_TRUE(refused_to_start(run, "cannot bind"));
}

TEST(ServeErrors, UnknownProfileExitsTwo) {
  RunResult run = run_pistesim({"serve", "--port", "0", "--profile", "strict"});
  EXPECT_TRUE(refused_to_start(run, "--profile"));
}

TEST(ServeErrors, AnAdminTokenThatCannotTravelAsABearerTokenExitsTwo) {
  // "ci:secret" is not a b64token: the control API could never accept it.
  RunResult run = run_pistesim({"serve", "--port", "0", "--admin-token", "ci:secret"});
  EXPECT_TRUE(refused_to_start(run, "--admin-token"));
}

}  // namespace pistesim::test
