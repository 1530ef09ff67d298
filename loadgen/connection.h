// One keep-alive connection of a load thread to a target node: a non-blocking socket in the
// thread's epoll set, with TLS on it for an https:// target (the session kept, so that the next
// connection resumes it instead of a full handshake), and the request it carries.
#pragma once

#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/result.h"
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

// What one read or write did, short of an error. A plain value: the success path of the load
// generator's socket calls never allocates (the Error of a failure does, once per failure).
struct Transfer {
  enum Kind : uint8_t {
    Moved,   // `bytes` (> 0) read or written
    Again,   // nothing now: retry when the socket is ready (write interest set if needed)
    Closed,  // the peer closed the connection (a read of 0, or TLS close_notify)
  };
  Kind kind = Again;
  size_t bytes = 0;
};

enum class Handshake : uint8_t { Done, UnderWay };

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
  // Starts connecting (and TLS, `tls` not null, verifying `host`); an Error when the connect
  // failed at once. Throws when no socket or TLS object can be had (the process is out of them).
  Result<void> open(const NodeAddress& to, SSL_CTX* tls, const std::string& host);
  void close();
  void set_write_interest(bool on);
  // recv/send, or SSL_read/SSL_write; an Error names the call and the system's or TLS's reason
  // ("recv: Connection reset by peer").
  Result<Transfer> read_some(char* buf, size_t len);
  Result<Transfer> write_some(const char* data, size_t len);
  // One step of the TLS handshake (under way: retry when the socket is ready).
  Result<Handshake> handshake();
};

}  // namespace pistesim::loadgen
