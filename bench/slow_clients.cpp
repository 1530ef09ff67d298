// Slow and idle clients against a running `pistesim serve` on 127.0.0.1, for
// scripts/bench-http.sh: what a legitimate client's latency becomes while (1) hundreds of
// connections trickle a declared 100 kB body a byte at a time, and (2) thousands of keep-alive
// connections sit idle; and what each idle connection costs the server (its RSS, read from
// /proc/PID/status before and after). Every loop is bounded in count and time.
// Usage: slow_clients --port P --pid PID --token BEARER [--seconds S] [--slow N] [--idle N]
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "e2e/raw_socket.h"

namespace {

using pistesim::test::connect_loopback;
using pistesim::test::read_answer;
using pistesim::test::send_all;
using Clock = std::chrono::steady_clock;

long rss_kib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

struct Latencies {
  std::vector<double> ms;
  int failures = 0;
  double percentile(double p) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * static_cast<double>(ms.size())))];
  }
};

// A legitimate client: keep-alive gateway calls one after another for `seconds`; meanwhile
// `tick` runs every 100 ms (the slow clients' trickle).
template <class Tick>
Latencies legitimate_client(int port, const std::string& token, double seconds, Tick tick) {
  Latencies l;
  const std::string request =
      "GET /sandbox/api/dila/legifrance/lf-engine-app/consult/ping HTTP/1.1\r\nHost: "
      "127.0.0.1\r\nAuthorization: Bearer " +
      token + "\r\n\r\n";
  int fd = connect_loopback(port);
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  auto next_tick = Clock::now();
  while (Clock::now() < end && l.ms.size() < 1000000) {
    if (Clock::now() >= next_tick) {
      tick();
      next_tick += std::chrono::milliseconds(100);
    }
    auto t0 = Clock::now();
    int status =
        fd >= 0 && send_all(fd, request) ? read_answer(fd, std::chrono::seconds(2)).status() : 0;
    if (status != 200) {
      ++l.failures;
      if (fd >= 0) ::close(fd);
      fd = connect_loopback(port);
      continue;
    }
    l.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  if (fd >= 0) ::close(fd);
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0, pid = 0, slow = 500, idle = 10000;
  double seconds = 5;
  std::string token;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--port") port = std::atoi(argv[i + 1]);
    if (a == "--pid") pid = std::atoi(argv[i + 1]);
    if (a == "--token") token = argv[i + 1];
    if (a == "--seconds") seconds = std::atof(argv[i + 1]);
    if (a == "--slow") slow = std::atoi(argv[i + 1]);
    if (a == "--idle") idle = std::atoi(argv[i + 1]);
  }
  if (port == 0 || token.empty()) {
    std::fprintf(stderr, "usage: slow_clients --port P --pid PID --token T [--seconds S]\n");
    return 2;
  }

  Latencies alone = legitimate_client(port, token, 1.0, [] {});
  std::printf("  alone:            %zu calls, p50 %.3f ms, p99 %.3f ms\n", alone.ms.size(),
              alone.percentile(0.5), alone.percentile(0.99));

  // (1) Slow clients: a POST head declaring 100 000 bytes, then one byte per connection per tick.
  std::vector<int> trickling;
  for (int i = 0; i < slow; ++i) {
    int fd = connect_loopback(port);
    if (fd < 0) break;
    send_all(fd,
             "POST /sandbox/oauth/api/oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
             "application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n");
    trickling.push_back(fd);
  }
  Latencies beside_slow = legitimate_client(port, token, seconds, [&] {
    for (int fd : trickling) (void)::send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  });
  for (int fd : trickling) ::close(fd);
  std::printf("  beside %zu slow:  %zu calls, p50 %.3f ms, p99 %.3f ms, %d failed\n",
              trickling.size(), beside_slow.ms.size(), beside_slow.percentile(0.5),
              beside_slow.percentile(0.99), beside_slow.failures);

  // (2) Idle keep-alive connections: each made one call, then says nothing.
  usleep(300 * 1000);  // the slow connections' close reaches the server
  long before = pid ? rss_kib(pid) : -1;
  std::vector<int> held;
  const std::string call = "GET /__pistesim/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  for (int i = 0; i < idle; ++i) {
    int fd = connect_loopback(port);
    if (fd < 0) break;
    if (!send_all(fd, call) || read_answer(fd, std::chrono::seconds(2)).status() != 200) {
      ::close(fd);
      break;
    }
    held.push_back(fd);
  }
  long after = pid ? rss_kib(pid) : -1;
  Latencies beside_idle = legitimate_client(port, token, std::min(seconds, 2.0), [] {});
  std::printf("  beside %zu idle: %zu calls, p50 %.3f ms, p99 %.3f ms, %d failed\n", held.size(),
              beside_idle.ms.size(), beside_idle.percentile(0.5), beside_idle.percentile(0.99),
              beside_idle.failures);
  if (before > 0 && after > 0 && !held.empty())
    std::printf("  server RSS: %ld KiB before, %ld KiB with them: %.1f KiB per idle connection\n",
                before, after,
                static_cast<double>(after - before) / static_cast<double>(held.size()));
  for (int fd : held) ::close(fd);
  return 0;
}
