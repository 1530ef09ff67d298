// The http adapter: the only code that knows cpp-httplib. Serves a Simulator over HTTP or
// HTTPS (OpenSSL), converting each exchange to the core's Request/Response values.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

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
  int read_timeout_s = 10;
  int write_timeout_s = 10;
  int keep_alive_timeout_s = 5;
  size_t keep_alive_max_requests = 100000;
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
  // Stops accepting, lets in-flight requests finish, joins the background thread if any.
  void stop();

 private:
  Simulator& sim_;
  HttpServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> run_returned_{false};
  int port_ = 0;
};

}  // namespace pistesim
