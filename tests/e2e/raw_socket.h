// Raw loopback sockets for end-to-end tests that must send what no HTTP client library would
// (malformed requests, trickled bytes, idle or half-sent connections) and read exactly what the
// server wrote. Every wait is bounded.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace pistesim::test {

// A socket connected to 127.0.0.1:port (a send blocked for 8 s fails), or -1.
int connect_loopback(int port);
// Sends all of `bytes` (false if the server closed or reset first).
bool send_all(int fd, const std::string& bytes);

// The value of the first field called `name` (any case) in `head` (a status line and its
// fields), "" when absent.
std::string header_field(std::string_view head, std::string_view name);

// What came back on a connection.
struct WireAnswer {
  std::string bytes;    // everything read
  bool closed = false;  // the server closed (else: the answer was complete, or time ran out)
  int status() const;   // of the first answer, 0 if none
  std::string head() const;
  std::string body() const;  // after the first head
  // The value of the first header field `name` (any case) of the first answer, or "".
  std::string header(const std::string& name) const;
};

// Reads one answer: its head, then a body of its Content-Length (HEAD answers: pass
// head_only). Stops early if the server closes; gives up after `limit`.
WireAnswer read_answer(int fd, std::chrono::milliseconds limit, bool head_only = false);
// Reads until the server closes, or until `limit` passes.
WireAnswer read_until_closed(int fd, std::chrono::milliseconds limit);

// One request on a fresh connection; the answer read until the server closes it.
WireAnswer exchange_once(int port, const std::string& request,
                         std::chrono::milliseconds limit = std::chrono::seconds(5));

// Threads of process `pid` now (from /proc), -1 if unknown.
int thread_count(int pid);

}  // namespace pistesim::test
