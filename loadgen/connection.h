// One keep-alive connection of a load thread to a target node: a non-blocking socket in the
// thread's epoll set, with TLS on it for an https:// target (the session kept, so that the next
// connection resumes it instead of a full handshake), and the request it carries.
#pragma once

#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "clock/clock.h"
#include "loadgen/http_wire.h"
#include "loadgen/schedule.h"

namespace pistesim::loadgen {

struct NodeAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
};
// Throws std::runtime_error when `host` does not resolve.
NodeAddress resolve_node(const std::string& host, int port);

// A request of the run: scheduled, or the client's own token fetch.
struct Pending {
  Nanos intended = 0;  // monotonic time it should have been sent
  uint32_t app = 0;    // index into the worker's apps
  uint16_t mix = 0;
  uint16_t node = 0;         // the target node it goes to
  bool token_fetch = false;  // the client's own token acquisition (not scheduled)
};

struct Conn {
  int fd = -1;
  int epfd = -1;  // the thread's epoll set
  uint16_t node = 0;
  bool connecting = false;
  SSL* ssl = nullptr;              // https targets
  bool handshaking = false;        // TLS handshake not finished: requests wait in `out`
  SSL_SESSION* session = nullptr;  // the last one, resumed by the next connection
  bool busy = false;
  bool want_write = false;
  Nanos retry_at = 0;  // reconnect not before (after a failed connect)
  std::string out;
  size_t out_off = 0;
  ResponseParser parser;
  Pending req;
  uint64_t token_fp = 0;  // fingerprint of the token the request carried
  Millis sent_wall = 0;

  // The load thread frees the socket, TLS object and session at its end (Conn is moved only
  // while idle, when the connections are laid out).
  // Starts connecting (and TLS, `tls` not null, verifying `host`); false with `why` when the
  // connect failed at once. Throws when no socket or TLS object can be had.
  bool open(const NodeAddress& to, SSL_CTX* tls, const std::string& host, std::string* why);
  void close();
  void set_write_interest(bool on);
  // recv/send, or SSL_read/SSL_write: > 0 bytes; 0 the peer closed; -1 retry when the socket is
  // ready (write interest set when writing needs it); -2 an error, in *why.
  ssize_t read_some(char* buf, size_t len, std::string* why);
  ssize_t write_some(const char* data, size_t len, std::string* why);
  // One step of the TLS handshake: 1 done, 0 under way, -1 failed (why).
  int handshake(std::string* why);
};

}  // namespace pistesim::loadgen
