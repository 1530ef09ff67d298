// The http adapter: the only code that knows cpp-httplib. Serves a Simulator over HTTP or
// HTTPS (OpenSSL), converting each exchange to the core's Request/Response values.
//
// It owns its sockets: its own accept loop, connection limit, TLS and timeouts, and hands each
// request, once its head has fully arrived within the limits, to cpp-httplib's parser and router.
// So a slow or hostile client is bounded (docs/design.md, "HTTP server"): the request head must
// arrive within header_timeout_s and fit in max_header_bytes (431), the body within
// request_timeout_s, an idle connection is closed after keep_alive_timeout_s, and connections
// beyond max_connections are answered 503 at once.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
class Stream;
class TaskQueue;
}  // namespace httplib

struct ssl_ctx_st;

namespace pistesim {

class Simulator;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;       // 0: any free port
  std::string tls_cert;  // PEM paths; both set: HTTPS
  std::string tls_key;
  size_t threads = 0;                   // 0: a default sized for many keep-alive clients
  size_t max_body_bytes = 1024 * 1024;  // larger bodies get 413
  size_t max_header_count = 100;        // more header fields get 431
  size_t max_header_bytes = 8 * 1024;   // header fields (after the request line) beyond: 431
  size_t max_connections = 256;         // simultaneous connections; more get 503 at once
  int header_timeout_s = 10;            // a request head must arrive within this (else 408)
  int request_timeout_s = 30;           // and its body within this, from its first byte
  int read_timeout_s = 10;              // any single wait for bytes
  int write_timeout_s = 10;
  int keep_alive_timeout_s = 5;  // idle connections are closed after this
  size_t keep_alive_max_requests = 100000;
  // False: the control API answers 404 (GET /__pistesim/health and /__pistesim/ready stay).
  bool control_api = true;
  // One line per request on stderr: time, client, method, path (never the query: it may carry
  // credentials), status and why the simulator answered so.
  bool access_log = false;
};

class HttpServer {
 public:
  HttpServer(Simulator& sim, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the socket (the port is known afterwards). False with *error on failure
  // (bad certificate, port in use, …).
  bool bind(std::string* error);
  int port() const { return port_; }
  bool tls() const { return !options_.tls_cert.empty(); }
  // "http://127.0.0.1:8080"
  std::string base_url() const;

  // Serves until stop(). REQUIRES: bind() succeeded.
  void run();
  // run() on a background thread; returns once the server accepts connections (or failed to).
  void start();
  // Graceful: stops accepting, closes idle connections, lets requests in flight finish (their
  // answers carry Connection: close), then returns. Safe to call more than once.
  void stop();
  // Serving and not stopping: what GET /__pistesim/ready answers (200, else 503).
  bool ready() const { return running_.load() && !draining_.load(); }
  // Connections open now (tests, diagnostics).
  size_t connections() const { return connections_.load(); }

 private:
  class Connection;
  class ConnectionStream;
  class Router;

  void serve_connection(int fd);
  void refuse_connection(int fd);

  Simulator& sim_;
  HttpServerOptions options_;
  std::unique_ptr<Router> router_;
  ssl_ctx_st* tls_context_ = nullptr;
  std::unique_ptr<httplib::TaskQueue> workers_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  // written once by stop(): wakes the acceptor and idle connections
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<bool> run_returned_{false};
  std::atomic<bool> draining_{false};
  std::atomic<size_t> connections_{0};
  int port_ = 0;
};

}  // namespace pistesim
