// The event-driven server under the clients a thread-per-connection server could not bear:
// slow clients trickling bodies, thousands of idle connections, one address opening too many,
// injected latencies on many calls at once; and an injected dropped connection that is cut on
// the wire. Bounds are generous (this machine is shared): the figures belong in
// scripts/bench-http.sh.
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "e2e/raw_socket.h"
#include "e2e/served_simulator.h"
#include "http/open_files.h"

namespace pistesim::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kPing = "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping";

std::string ping_request(const std::string& token) {
  return "GET " + kPing + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
         "\r\n\r\n";
}

void arm_fault(const ServedSimulator& server, const json& fault) {
  auto client = server.client();
  auto r = client->send(control_request(server, "POST", "/faults", fault));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->status, 201) << r->body;
}

// Sequential keep-alive gateway calls for `duration`, running `tick` between calls every
// 100 ms; the latencies in milliseconds (a failed call counts as a very long one).
template <class Tick>
std::vector<double> legitimate_calls(int port, const std::string& token,
                                     std::chrono::milliseconds duration, Tick tick) {
  std::vector<double> ms;
  int fd = connect_loopback(port);
  const auto end = Clock::now() + duration;
  auto next_tick = Clock::now();
  while (Clock::now() < end && ms.size() < 100000) {
    if (Clock::now() >= next_tick) {
      tick();
      next_tick += 100ms;
    }
    auto t0 = Clock::now();
    bool ok = send_all(fd, ping_request(token)) && read_answer(fd, 5s).status() == 200;
    ms.push_back(ok ? std::chrono::duration<double, std::milli>(Clock::now() - t0).count() : 1e9);
    if (!ok) {
      ::close(fd);
      fd = connect_loopback(port);
    }
  }
  ::close(fd);
  return ms;
}

double p99(std::vector<double> ms) {
  if (ms.empty()) return 1e9;
  std::sort(ms.begin(), ms.end());
  return ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
}

TEST(EventServer, DroppedConnectionShowsTheHeadThenCutsBeforeTheBody) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  auto client = server.client();
  const std::string token = fetch_token(*client, server, "sandbox");
  arm_fault(server, {{"kind", "drop_connection"}, {"api", "legifrance"}, {"count", 1}});
  int fd = connect_loopback(server.port());
  ASSERT_GE(fd, 0);
  send_all(fd, ping_request(token));
  WireAnswer a = read_until_closed(fd, 5s);
  ::close(fd);
  EXPECT_TRUE(a.closed) << "the server kept the connection";
  EXPECT_EQ(a.status(), 502) << a.bytes;
  const size_t announced = std::strtoul(a.header("Content-Length").c_str(), nullptr, 10);
  EXPECT_GT(announced, 0u) << a.bytes;
  EXPECT_LT(a.body().size(), announced) << "a complete answer came instead of a cut: " << a.bytes;
  // The next call is served as usual.
  EXPECT_EQ(exchange_once(server.port(),
                          "GET /__pistesim/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .status(),
            200);
}

TEST(EventServer, InjectedLatenciesWaitOnTimersNotThreads) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  auto client = server.client();
  const std::string token = fetch_token(*client, server, "sandbox");
  constexpr int kCalls = 300;
  arm_fault(server,
            {{"api", "legifrance"}, {"status", 0}, {"latency_ms", 1000}, {"count", kCalls}});
  const int threads_before = thread_count(server.pid());
  std::vector<int> fds;
  const auto t0 = Clock::now();
  for (int i = 0; i < kCalls; ++i) {
    int fd = connect_loopback(server.port());
    ASSERT_GE(fd, 0);
    send_all(fd, ping_request(token));
    fds.push_back(fd);
  }
  std::this_thread::sleep_for(300ms);  // every call is waiting out its latency now
  const int threads_during = thread_count(server.pid());
  int answered = 0;
  for (int fd : fds) {
    answered += read_answer(fd, 10s).status() == 200;
    ::close(fd);
  }
  const auto took = Clock::now() - t0;
  EXPECT_EQ(answered, kCalls);
  // One at a time they would take 300 s; on 32 sleeping threads, 10 s.
  EXPECT_LT(took, 6s) << "the delayed calls waited one after another";
  EXPECT_GE(took, 1s) << "the latency was not applied";
  EXPECT_LE(threads_during, threads_before) << "delayed calls took threads";
}

TEST(EventServer, SlowClientsCostASocketNotAnotherClientsTime) {
  ServedSimulator server({"--request-timeout", "3"});
  ASSERT_TRUE(server.started()) << server.output();
  auto client = server.client();
  const std::string token = fetch_token(*client, server, "sandbox");
  // Hundreds of clients declare a 100 kB body and trickle it a byte at a time.
  std::vector<int> slow;
  for (int i = 0; i < 300; ++i) {
    int fd = connect_loopback(server.port());
    ASSERT_GE(fd, 0);
    send_all(fd,
             "POST /sandbox/oauth/api/oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n");
    slow.push_back(fd);
  }
  std::vector<double> ms = legitimate_calls(server.port(), token, 2s, [&] {
    for (int fd : slow) send_all(fd, "a");
  });
  EXPECT_GT(ms.size(), 20u);
  EXPECT_LT(p99(ms), 250.0) << "a legitimate client waited behind slow ones";
  // Their body deadline passes: each gets a 408 and is closed.
  int timed_out = 0;
  for (int fd : slow) {
    WireAnswer a = read_until_closed(fd, 5s);
    timed_out += a.status() == 408 && a.closed;
    ::close(fd);
  }
  EXPECT_EQ(timed_out, 300);
}

TEST(EventServer, ThousandsOfIdleConnectionsAreHeldWhileOthersAreServed) {
  ServedSimulator server({"--max-connections-per-client", "5000", "--idle-timeout", "30"});
  ASSERT_TRUE(server.started()) << server.output();
  auto client = server.client();
  const std::string token = fetch_token(*client, server, "sandbox");
  const int threads_before = thread_count(server.pid());
  ASSERT_GE(raise_open_file_limit(3200), 3200u) << "this machine allows too few open files";
  std::vector<int> idle;
  for (int i = 0; i < 3000; ++i) {
    int fd = connect_loopback(server.port());
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  std::vector<double> ms = legitimate_calls(server.port(), token, 1s, [] {});
  EXPECT_LT(p99(ms), 100.0);
  EXPECT_LE(thread_count(server.pid()), threads_before) << "idle connections took threads";
  // Every idle connection is still open and served when it speaks.
  int served = 0;
  for (size_t i = 0; i < idle.size(); i += 100) {
    send_all(idle[i], "GET /__pistesim/health HTTP/1.1\r\nHost: x\r\n\r\n");
    served += read_answer(idle[i], 5s).status() == 200;
  }
  EXPECT_EQ(served, 30);
  for (int fd : idle) ::close(fd);
}

TEST(EventServer, OneAddressCannotTakeEveryConnection) {
  ServedSimulator server({"--max-connections-per-client", "20"});
  ASSERT_TRUE(server.started()) << server.output();
  std::vector<int> held;
  for (int i = 0; i < 20; ++i) {
    held.push_back(connect_loopback(server.port()));
    ASSERT_GE(held.back(), 0);
  }
  // The acceptor admits connections in the order they came: the 21st finds 20 counted.
  WireAnswer refused =
      exchange_once(server.port(), "GET /__pistesim/health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(refused.status(), 503) << refused.bytes;
  EXPECT_EQ(json::parse(refused.body(), nullptr, false).value("error", ""),
            "temporarily_unavailable");
  EXPECT_EQ(refused.header("Retry-After"), "1");
  ::close(held.back());
  held.pop_back();
  // Its place is free again once the server saw the close.
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    status =
        exchange_once(server.port(),
                      "GET /__pistesim/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .status();
    if (status != 200) std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(status, 200);
  for (int fd : held) ::close(fd);
}

}  // namespace
}  // namespace pistesim::test
