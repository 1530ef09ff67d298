#include "http/http_server.h"

#include <httplib.h>

#include <chrono>

#include "core/simulator.h"

namespace pistesim {

namespace {

// Marks answers that came from the core, so the error handler leaves them alone (cpp-httplib
// calls it for every status >= 400, and PISTE's 403 has an empty body on purpose).
constexpr const char* kCoreMarker = "X-Pistesim-Core";

Request to_core(const httplib::Request& in) {
  Request r;
  r.method = in.method;
  const std::string& target = in.target.empty() ? in.path : in.target;
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  for (const auto& [name, value] : in.headers) {
    // cpp-httplib adds these for its own bookkeeping; they were not sent by the client.
    if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT") continue;
    r.headers.add(name, value);
  }
  r.body = in.body;
  r.remote_addr = in.remote_addr;
  return r;
}

void from_core(const Response& in, httplib::Response& out) {
  out.status = in.status;
  for (const auto& h : in.headers) out.headers.emplace(h.name, h.value);
  out.body = in.body;
  out.headers.emplace(kCoreMarker, "1");
}

// A JSON body for errors cpp-httplib raises itself, before the core sees the request.
std::string transport_error_body(int status) {
  switch (status) {
    case 413: return R"({"error":"invalid_request","error_description":"Request body too large"})";
    case 414: return R"({"error":"invalid_request","error_description":"Request URI too long"})";
    case 431: return R"({"error":"invalid_request","error_description":"Request header fields too large"})";
    default: return R"({"error":"invalid_request","error_description":"Malformed HTTP request"})";
  }
}

}  // namespace

HttpServer::HttpServer(Simulator& sim, HttpServerOptions options) : sim_(sim), options_(std::move(options)) {}

HttpServer::~HttpServer() { stop(); }

std::string HttpServer::base_url() const {
  std::string host = options_.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls() ? "https" : "http") + "://" + host + ":" + std::to_string(port_);
}

bool HttpServer::bind(std::string* error) {
  if (tls()) {
    auto s = std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!s->is_valid()) {
      *error = "cannot use the TLS certificate/key (" + options_.tls_cert + ", " + options_.tls_key + ")";
      return false;
    }
    server_ = std::move(s);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& s = *server_;

  // Tuning measured on this project's 2-core machines: cpp-httplib's defaults (Nagle on,
  // 8 workers, keep-alive closed after 5 requests) cap a loopback server near 300 req/s.
  size_t threads = options_.threads ? options_.threads : std::max<size_t>(32, 8 * std::thread::hardware_concurrency());
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_tcp_nodelay(true);
  s.set_keep_alive_max_count(options_.keep_alive_max_requests);
  s.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  s.set_read_timeout(options_.read_timeout_s, 0);
  s.set_write_timeout(options_.write_timeout_s, 0);
  s.set_payload_max_length(options_.max_body_bytes);

  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    from_core(sim_.handle(to_core(req)), res);
  };
  const std::string any = ".*";
  s.Get(any, handler);
  s.Post(any, handler);
  s.Put(any, handler);
  s.Patch(any, handler);
  s.Delete(any, handler);
  s.Options(any, handler);

  httplib::Server::HandlerWithResponse on_error = [](const httplib::Request&, httplib::Response& res) {
    if (res.has_header(kCoreMarker)) return httplib::Server::HandlerResponse::Unhandled;
    res.set_content(transport_error_body(res.status), "application/json");
    res.set_header("Cache-Control", "no-store");
    return httplib::Server::HandlerResponse::Handled;
  };
  s.set_error_handler(on_error);
  s.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) { res.headers.erase(kCoreMarker); });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(R"({"error":"server_error","error_description":"Internal error"})", "application/json");
  });

  if (options_.port == 0) {
    port_ = s.bind_to_any_port(options_.host);
    if (port_ < 0) {
      *error = "cannot bind " + options_.host + " on any port";
      return false;
    }
  } else {
    if (!s.bind_to_port(options_.host, options_.port)) {
      *error = "cannot bind " + options_.host + ":" + std::to_string(options_.port) + " (in use, or not allowed)";
      return false;
    }
    port_ = options_.port;
  }
  return true;
}

void HttpServer::run() { server_->listen_after_bind(); }

void HttpServer::start() {
  thread_ = std::thread([this] { run(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void HttpServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace pistesim
