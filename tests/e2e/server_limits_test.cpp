// Server limits over real sockets, each provoked: body size (413), header size (431), a
// slow-loris client (408, and it cannot hold the workers), idle connections, the connection
// limit (503), graceful shutdown on SIGTERM, readiness, --no-control and the admin token.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "e2e/raw_socket.h"
#include "e2e/served_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kPing = "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping";

std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra + "\r\n";
}

TEST(ServerLimits, BodyOverTheLimitGets413) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  std::string body(1024 * 1024 + 1, 'a');
  WireAnswer r =
      exchange_once(server.port(),
                    "POST /sandbox/oauth/api/oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(r.status(), 413) << r.bytes.substr(0, 300);
  EXPECT_EQ(json::parse(r.body(), nullptr, false).value("error", ""), "invalid_request");
}

TEST(ServerLimits, HeaderFieldsOver8KiBGet431) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  // Several ordinary-looking fields, together over 8 KiB.
  std::string fields;
  for (int i = 0; i < 9; ++i)
    fields += "X-Padding-" + std::to_string(i) + ": " + std::string(1000, 'p') + "\r\n";
  WireAnswer r = exchange_once(server.port(), get("/__pistesim/health", fields));
  EXPECT_EQ(r.status(), 431) << r.bytes.substr(0, 300);
  EXPECT_EQ(json::parse(r.body(), nullptr, false).value("error", ""), "invalid_request");
  // One field line over 8 KiB.
  r = exchange_once(server.port(),
                    get("/__pistesim/health", "X-Huge: " + std::string(9000, 'h') + "\r\n"));
  EXPECT_EQ(r.status(), 431) << r.bytes.substr(0, 300);
  // Just under the limit is served.
  r = exchange_once(server.port(),
                    get("/__pistesim/health", "X-Big: " + std::string(7000, 'b') + "\r\n"));
  EXPECT_EQ(r.status(), 200) << r.bytes.substr(0, 300);
}

TEST(ServerLimits, SlowLorisGets408AndCannotHoldTheWorkers) {
  ServedSimulator server({"--threads", "2", "--header-timeout", "1"});
  ASSERT_TRUE(server.started()) << server.output();
  // Two clients trickling a request head, one byte at a time: every worker busy with them.
  std::vector<int> slow;
  for (int i = 0; i < 2; ++i) {
    int fd = connect_loopback(server.port());
    ASSERT_GE(fd, 0);
    send_all(fd, "GET /__pistesim/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    slow.push_back(fd);
  }
  // Past the 1 s head timeout, but not past the second the server then spends reading what
  // the client still sends before it closes (so the close is not a reset that loses the 408).
  std::thread trickle([&] {
    for (int i = 0; i < 7; ++i) {
      for (int fd : slow) send_all(fd, "z");
      std::this_thread::sleep_for(200ms);
    }
  });
  // A normal client still gets its answer once the head timeout frees a worker.
  WireAnswer normal = exchange_once(server.port(), get("/__pistesim/health"));
  EXPECT_EQ(normal.status(), 200) << normal.bytes;
  for (int fd : slow) {
    WireAnswer r = read_until_closed(fd, 5s);
    EXPECT_TRUE(r.closed) << "a slow client held its connection";
    EXPECT_EQ(r.status(), 408) << r.bytes;
  }
  trickle.join();
  for (int fd : slow) ::close(fd);
}

TEST(ServerLimits, IdleConnectionIsClosedAfterTheIdleTimeout) {
  ServedSimulator server({"--idle-timeout", "1"});
  ASSERT_TRUE(server.started()) << server.output();
  int fd = connect_loopback(server.port());
  ASSERT_GE(fd, 0);
  // A keep-alive exchange, then silence.
  send_all(fd, "GET /__pistesim/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  WireAnswer r = read_until_closed(fd, 6s);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.status(), 200) << r.bytes;
  ::close(fd);
}

TEST(ServerLimits, ConnectionsOverTheLimitGet503) {
  ServedSimulator server({"--max-connections", "3"});
  ASSERT_TRUE(server.started()) << server.output();
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) {
    int fd = connect_loopback(server.port());
    ASSERT_GE(fd, 0);
    // A served request proves the connection is counted before the next one connects.
    send_all(fd, "GET /__pistesim/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    char buf[1024];
    pollfd p{fd, POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 5000), 1);
    ASSERT_GT(::recv(fd, buf, sizeof(buf), 0), 0);
    held.push_back(fd);
  }
  int extra = connect_loopback(server.port());
  ASSERT_GE(extra, 0);
  WireAnswer r = read_until_closed(extra, 5s);
  ::close(extra);
  EXPECT_EQ(r.status(), 503) << r.bytes;
  EXPECT_NE(r.bytes.find("Retry-After: 1"), std::string::npos) << r.bytes;
  EXPECT_EQ(json::parse(r.body(), nullptr, false).value("error", ""), "temporarily_unavailable");
  // Once one leaves, a new client is served again.
  ::close(held.back());
  held.pop_back();
  int status = 0;
  for (int attempt = 0; attempt < 100 && status != 200; ++attempt) {
    status = exchange_once(server.port(), get("/__pistesim/health")).status();
    if (status != 200) std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(status, 200);
  for (int fd : held) ::close(fd);
}

TEST(ServerLimits, SigtermFinishesTheRequestInFlightAndExitsZero) {
  ServedSimulator server({"--admin-token", "limits-admin"});
  ASSERT_TRUE(server.started()) << server.output();
  auto client = server.client();
  std::string token = fetch_token(*client, server, "sandbox");
  // The provider takes 1.5 s to answer; SIGTERM comes while the call waits for it.
  Request fault =
      Request::make("POST", "/__pistesim/faults",
                    json{{"api", "legifrance"}, {"latency_ms", 1500}, {"status", 0}}.dump());
  fault.headers.add("Authorization", "Bearer limits-admin");
  fault.headers.add("Content-Type", "application/json");
  auto armed = client->send(fault);
  ASSERT_TRUE(armed) << armed.error().message;
  ASSERT_EQ(armed->status, 201) << armed->body;
  // An idle keep-alive connection must not delay the shutdown.
  int idle = connect_loopback(server.port());
  ASSERT_GE(idle, 0);

  Result<Response> in_flight = Error{"not sent"};
  std::thread caller([&] {
    HttpClient c(server.base_url());
    in_flight = c.send(bearer_get(kPing, token));
  });
  std::this_thread::sleep_for(500ms);
  auto began = std::chrono::steady_clock::now();
  kill(server.pid(), SIGTERM);
  caller.join();
  ASSERT_TRUE(in_flight) << "the request in flight was cut: " << in_flight.error().message;
  EXPECT_EQ(in_flight->status, 200) << in_flight->body;
  client.reset();
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
  EXPECT_LT(std::chrono::steady_clock::now() - began, 4s) << "shutdown waited for idle clients";
  ::close(idle);
}

TEST(ServerLimits, ReadinessAndHealth) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  WireAnswer ready = exchange_once(server.port(), get("/__pistesim/ready"));
  EXPECT_EQ(ready.status(), 200);
  EXPECT_EQ(json::parse(ready.body(), nullptr, false).value("status", ""), "ready");
  EXPECT_EQ(exchange_once(server.port(), get("/__pistesim/health")).status(), 200);
}

TEST(ServerLimits, NoControlAnswers404ButServesPiste) {
  ServedSimulator server({"--no-control", "--admin-token", "limits-admin"});
  ASSERT_TRUE(server.started()) << server.output();
  EXPECT_EQ(exchange_once(server.port(),
                          get("/__pistesim/world", "Authorization: Bearer limits-admin\r\n"))
                .status(),
            404);
  EXPECT_EQ(exchange_once(server.port(),
                          get("/__pistesim/tokens", "Authorization: Bearer limits-admin\r\n"))
                .status(),
            404);
  EXPECT_EQ(exchange_once(server.port(), get("/__pistesim/health")).status(), 200);
  EXPECT_EQ(exchange_once(server.port(), get("/__pistesim/ready")).status(), 200);
  // The pages run on the control API: gone with it.
  EXPECT_EQ(exchange_once(server.port(), get("/")).status(), 404);
  EXPECT_EQ(exchange_once(server.port(), get("/console/")).status(), 404);
  auto client = server.client();
  std::string token = fetch_token(*client, server, "sandbox");
  auto r = client->send(bearer_get(kPing, token));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
}

TEST(ServerLimits, ControlApiWithoutTheAdminTokenGets401) {
  ServedSimulator server({"--admin-token", "limits-admin"});
  ASSERT_TRUE(server.started()) << server.output();
  EXPECT_EQ(exchange_once(server.port(), get("/__pistesim/world")).status(), 401);
  EXPECT_EQ(
      exchange_once(server.port(), get("/__pistesim/world", "Authorization: Bearer wrong\r\n"))
          .status(),
      401);
  EXPECT_EQ(exchange_once(server.port(),
                          get("/__pistesim/world", "Authorization: Bearer limits-admin\r\n"))
                .status(),
            200);
}

// --max-tokens-per-client: a client's token beyond the limit makes its oldest expire.
TEST(ServerLimits, MaxTokensPerClientMakesTheOldestExpire) {
  ServedSimulator server({"--max-tokens-per-client", "2"});
  ASSERT_TRUE(server.started()) << server.output();
  auto client = server.client();
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i) tokens.push_back(fetch_token(*client, server, "sandbox"));
  auto oldest = client->send(bearer_get(kPing, tokens[0]));
  ASSERT_TRUE(oldest) << oldest.error().message;
  EXPECT_EQ(oldest->status, 401);
  EXPECT_NE(oldest->headers.get("WWW-Authenticate").find("expired"), std::string::npos);
  for (int i = 1; i < 3; ++i) {
    auto r = client->send(bearer_get(kPing, tokens[i]));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200) << i;
  }
}

}  // namespace
}  // namespace pistesim::test
