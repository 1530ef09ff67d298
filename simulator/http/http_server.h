// The http adapter: serves a Simulator over HTTP/1.1 or HTTPS (OpenSSL), converting each
// exchange to the core's Request/Response values. The only code that knows the HTTP library
// (Boost.Beast's parser on Boost.Asio's event loops).
//
// Event-driven: a few loops (one per core by default), each a thread running an io_context that
// owns its connections; no thread per connection. A slow or hostile client costs a socket and a
// few KiB, never a thread nor another client's time (docs/design.md, "HTTP server"): the head
// must arrive within header_timeout_s and fit in max_header_bytes (431), the body within
// request_timeout_s (408), an idle connection is closed after keep_alive_timeout_s, and
// connections beyond max_connections, or beyond max_connections_per_client from one address,
// are answered 503 at once. Injected latencies wait on timers.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "http/server_log.h"

namespace pistesim {

class Simulator;
enum class Endpoint;  // core/simulator.h

// A port of its own for one PISTE host (`pistesim serve --host-ports`): every request on it is
// for `endpoint`, with the path the real host takes (/api/oauth/token, not
// /sandbox/oauth/api/oauth/token), so a client that knows only a host URL needs no prefix.
struct HostPort {
  Endpoint endpoint;
  int port = 0;  // 0: any free port (bound_port tells which)
  int bound_port = 0;
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;       // 0: any free port
  std::string tls_cert;  // PEM paths; both set: HTTPS
  std::string tls_key;
  size_t threads = 0;  // event loops; 0: one per core
  // Threads that answer requests off the event loops, for a simulator whose answers wait on
  // another server (a cluster's Redis): the loops keep serving other connections meanwhile.
  // 0: answered on the loops.
  size_t answer_threads = 0;
  // Each answer runs on a fiber of its loop (base/fiber.h): an answer that waits on another
  // server suspends, and the loop serves other connections meanwhile, on one thread. For a
  // simulator whose answers wait (a cluster node); ignored when answer_threads is set.
  bool fibers = false;
  size_t max_body_bytes = 1024 * 1024;       // larger bodies get 413
  size_t max_header_count = 100;             // more header fields get 431
  size_t max_header_bytes = 8 * 1024;        // header fields (after the request line) beyond: 431
  size_t max_request_line = 8 * 1024;        // longer request lines get 414
  size_t max_connections = 10000;            // simultaneous connections; more get 503 at once
  size_t max_connections_per_client = 1000;  // from one client address; more get 503
  int header_timeout_s = 10;                 // a request head must arrive within this (else 408)
  int request_timeout_s = 30;                // and its body within this, once the head is in
  int write_timeout_s = 10;                  // an answer must be taken within this
  int keep_alive_timeout_s = 5;              // idle connections are closed after this
  size_t keep_alive_max_requests = 100000;
  // False: the control API answers 404 (GET /__pistesim/health and /__pistesim/ready stay).
  bool control_api = true;
  // One line per request on stderr: time, client, method, path (never the query: it may carry
  // credentials), status and why the simulator answered so.
  bool access_log = false;
  LogFormat log_format = LogFormat::Text;  // of the access log
  // Extra listening sockets, one per PISTE host asked for; the main port serves as before.
  std::vector<HostPort> host_ports;
};

class HttpServer {
 public:
  HttpServer(Simulator& sim, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the socket (the port is known afterwards) and raises the open-file limit to what
  // max_connections needs. Or why it cannot (bad certificate, port in use, …).
  Result<void> bind();
  // What bind() had to adjust, for the operator ("the system allows 1024 open files: at most
  // 960 connections"); empty when nothing.
  const std::string& notice() const;
  int port() const;
  bool tls() const { return !options_.tls_cert.empty(); }
  // "http://127.0.0.1:8080"
  std::string base_url() const;
  // The host ports with the port each was bound to (after bind()).
  const std::vector<HostPort>& host_ports() const { return options_.host_ports; }
  // "http://127.0.0.1:9001" for the host port of `endpoint`; "" when it has none.
  std::string host_url(Endpoint endpoint) const;

  // Serves until stop(). REQUIRES: bind() succeeded.
  void run();
  // run() on a background thread; returns once the server accepts connections (or failed to).
  void start();
  // Graceful: stops accepting, closes idle connections, lets requests in flight finish (their
  // answers carry Connection: close), then returns. Safe to call more than once.
  void stop();
  // Serving and not stopping: what GET /__pistesim/ready answers (200, else 503).
  bool ready() const;
  // Connections open now (tests, diagnostics).
  size_t connections() const;

 private:
  struct Impl;
  HttpServerOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pistesim
