#include "e2e/raw_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "wire/http_message.h"

namespace pistesim::test {

namespace {

using Clock = std::chrono::steady_clock;

// Waits for bytes until `deadline`; appends them. False on timeout; sets *closed on EOF/reset.
bool receive_some(int fd, Clock::time_point deadline, std::string* into, bool* closed) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buf[16384];
  ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
  if (n <= 0) {
    *closed = true;
    return false;
  }
  into->append(buf, static_cast<size_t>(n));
  return true;
}

}  // namespace

int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // A send the server never takes gives up (a test fails) rather than hangs.
  timeval send_limit{8, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_limit, sizeof(send_limit));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  for (size_t sent = 0; sent < bytes.size();) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;  // the server may answer and stop reading early
    sent += static_cast<size_t>(n);
  }
  return true;
}

int WireAnswer::status() const {
  if (bytes.size() < 12 || !bytes.starts_with("HTTP/1.")) return 0;
  return std::atoi(bytes.c_str() + 9);
}

std::string WireAnswer::head() const {
  return bytes.substr(0, bytes.find("\r\n\r\n"));
}

std::string WireAnswer::body() const {
  size_t at = bytes.find("\r\n\r\n");
  return at == std::string::npos ? "" : bytes.substr(at + 4);
}

std::string header_field(std::string_view head, std::string_view name) {
  for (size_t eol = head.find("\r\n"); eol != std::string_view::npos;) {
    size_t start = eol + 2;
    eol = head.find("\r\n", start);
    std::string_view line =
        head.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !iequals(line.substr(0, colon), name)) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    return std::string(value);
  }
  return "";
}

std::string WireAnswer::header(const std::string& name) const {
  return header_field(head(), name);
}

WireAnswer read_answer(int fd, std::chrono::milliseconds limit, bool head_only) {
  WireAnswer a;
  const auto deadline = Clock::now() + limit;
  for (;;) {
    size_t head_end = a.bytes.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      // An interim 100 Continue is part of what was read, not the answer.
      if (a.bytes.starts_with("HTTP/1.1 100")) {
        a.bytes.erase(0, head_end + 4);
        continue;
      }
      size_t length = head_only ? 0 : std::strtoul(a.header("Content-Length").c_str(), nullptr, 10);
      if (a.bytes.size() >= head_end + 4 + length) return a;
    }
    if (!receive_some(fd, deadline, &a.bytes, &a.closed)) return a;
  }
}

WireAnswer read_until_closed(int fd, std::chrono::milliseconds limit) {
  WireAnswer a;
  const auto deadline = Clock::now() + limit;
  while (receive_some(fd, deadline, &a.bytes, &a.closed)) {
  }
  return a;
}

WireAnswer exchange_once(int port, const std::string& request, std::chrono::milliseconds limit) {
  int fd = connect_loopback(port);
  if (fd < 0) return {};
  send_all(fd, request);
  WireAnswer a = read_until_closed(fd, limit);
  ::close(fd);
  return a;
}

int thread_count(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  return -1;
}

}  // namespace pistesim::test
