#include "http/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <optional>
#include <string_view>

#include "clock/clock.h"
#include "core/simulator.h"

namespace pistesim {

namespace {

// Marks answers that came from the core, so the error handler leaves them alone (cpp-httplib
// calls it for every status >= 400, and PISTE's 403 has an empty body on purpose).
constexpr const char* kCoreMarker = "X-Pistesim-Core";
// Carries Response::diagnostic from the handler to the access log; removed before sending.
constexpr const char* kDiagnosticHeader = "X-Pistesim-Diagnostic";

bool is_bookkeeping_header(const std::string& name) {
  // cpp-httplib adds these for its own bookkeeping; they were not sent by the client.
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
         name == "LOCAL_PORT";
}

// RFC 9112 §3.2.2: a server accepts the absolute form "http://host:port/path?query" (what a
// client sends to a proxy) and takes the host from it, ignoring Host. Returns the authority
// ("" for the usual origin form) and leaves the origin-form target in *target.
std::string split_absolute_form(std::string* target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target->size() < scheme.size() ||
        !iequals(std::string_view(*target).substr(0, scheme.size()), scheme))
      continue;
    std::string rest = target->substr(scheme.size());
    size_t end = rest.find_first_of("/?");
    std::string authority = rest.substr(0, end);
    *target = end == std::string::npos
                  ? "/"
                  : (rest[end] == '?' ? "/" + rest.substr(end) : rest.substr(end));
    return authority;
  }
  return "";
}

Request to_core(const httplib::Request& in) {
  Request r;
  r.method = in.method;
  std::string target = in.target.empty() ? in.path : in.target;
  const std::string authority = split_absolute_form(&target);
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  for (const auto& [name, value] : in.headers) {
    if (is_bookkeeping_header(name)) continue;
    r.headers.add(name, value);
  }
  if (!authority.empty()) r.headers.set("Host", authority);
  r.body = in.body;
  r.remote_addr = in.remote_addr;
  return r;
}

// RFC 9110 §5.5: field values hold no control characters but HTAB. A CR in a value the core
// copied from the request (Origin is reflected) would split the response.
bool has_control_char(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7F;
  });
}

std::string without_control_chars(std::string value) {
  for (char& c : value)
    if (has_control_char(std::string_view(&c, 1))) c = ' ';
  return value;
}

void from_core(const Response& in, httplib::Response& out) {
  out.status = in.status;
  for (const auto& h : in.headers)
    out.headers.emplace(h.name,
                        has_control_char(h.value) ? without_control_chars(h.value) : h.value);
  out.body = in.body;
  out.headers.emplace(kCoreMarker, "1");
  if (!in.diagnostic.empty()) out.headers.emplace(kDiagnosticHeader, in.diagnostic);
}

void write_access_log(const httplib::Request& req, const httplib::Response& res) {
  std::string line = format_iso8601(SystemClock().now_ms()) + " " + req.remote_addr + " " +
                     req.method + " " + req.path.substr(0, 512) + " " + std::to_string(res.status);
  auto diagnostic = res.headers.find(kDiagnosticHeader);
  if (diagnostic != res.headers.end()) line += " " + diagnostic->second;
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // one request, one line
  line += "\n";
  std::fwrite(line.data(), 1, line.size(),
              stderr);  // a single write: lines from workers do not mix
}

// A JSON body for errors raised before the core sees the request (by cpp-httplib or by
// the framing checks below).
std::string transport_error_body(int status) {
  switch (status) {
    case 413:
      return R"({"error":"invalid_request","error_description":"Request body too large"})";
    case 414:
      return R"({"error":"invalid_request","error_description":"Request URI too long"})";
    case 431:
      return R"({"error":"invalid_request","error_description":"Request header fields too large"})";
    case 501:
      return R"({"error":"invalid_request","error_description":"Transfer-Encoding not implemented: only chunked is"})";
    default:
      return R"({"error":"invalid_request","error_description":"Malformed HTTP request"})";
  }
}

// Content-Length is 1*DIGIT (RFC 9110 §8.6); repeated, every value must agree (RFC 9112 §6.3).
// Values too large for 64 bits saturate (they are over any limit anyway). nullopt: absent.
// Sets *valid false on a malformed or inconsistent value.
std::optional<uint64_t> content_length(const httplib::Request& req, bool* valid) {
  *valid = true;
  std::optional<uint64_t> length;
  auto [first, last] = req.headers.equal_range("Content-Length");
  for (auto it = first; it != last; ++it) {
    const std::string& v = it->second;
    uint64_t n = 0;
    bool ok = !v.empty();
    for (char c : v) {
      if (c < '0' || c > '9')
        ok = false;
      else
        n = n > (UINT64_MAX - 9) / 10 ? UINT64_MAX : n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (!ok || (length && *length != n)) {
      *valid = false;
      return std::nullopt;
    }
    length = n;
  }
  return length;
}

// After an answer given without reading the whole body, the rest of it is still on the wire.
void close_after(const httplib::Request& req, httplib::Response& res) {
  if (req.get_header_value("Connection") != "close") res.set_header("Connection", "close");
}

// The error status of a request cpp-httplib 0.11.4 would mishandle, checked before it reads
// the body. It keeps any number of header fields and control characters in their values,
// reads an unknown transfer coding until the peer closes, takes a malformed Content-Length for
// some number, tries to skip the bytes of an absurd one before answering (these hold the
// client until the read timeout), and reads the bodies of methods it then refuses.
// 0 when the request may proceed.
int framing_error(const httplib::Request& req, const HttpServerOptions& options) {
  size_t fields = 0;
  for (const auto& h : req.headers) {
    if (is_bookkeeping_header(h.first)) continue;
    ++fields;
    if (has_control_char(h.second)) return 400;  // RFC 9110 §5.5: reject (a bare CR, a NUL)
  }
  if (fields > options.max_header_count) return 431;

  static constexpr const char* kServed[] = {"GET",   "HEAD",   "POST",   "PUT",
                                            "PATCH", "DELETE", "OPTIONS"};
  if (std::none_of(std::begin(kServed), std::end(kServed),
                   [&](const char* m) { return req.method == m; }))
    return 400;  // TRACE, CONNECT, PRI: parsed by cpp-httplib, never served here

  bool valid = true;
  std::optional<uint64_t> length = content_length(req, &valid);
  if (!valid) return 400;
  if (size_t codings = req.get_header_value_count("Transfer-Encoding")) {
    // RFC 9112 §6.1: only "chunked" is understood; with Content-Length too it is a smuggling
    // attempt or a broken client.
    std::string te = req.get_header_value("Transfer-Encoding");
    if (codings > 1 || !iequals(te, "chunked")) return 501;
    if (length) return 400;
  }
  // Bodies a little over the limit are skipped by cpp-httplib and answered 413 with the
  // connection still in step; beyond this, skipping would take longer than answering now.
  if (length && *length > options.max_body_bytes * 16) return 413;
  return 0;
}

// The listening socket, a protected member of httplib::Server (reached through a derived
// class, which may name it; never instantiated).
struct ListeningSocket : httplib::Server {
  static socket_t of(httplib::Server& server) {
    return (server.*(&ListeningSocket::svr_sock_)).load();
  }
};

}  // namespace

HttpServer::HttpServer(Simulator& sim, HttpServerOptions options)
    : sim_(sim), options_(std::move(options)) {}

HttpServer::~HttpServer() {
  stop();
}

std::string HttpServer::base_url() const {
  std::string host = options_.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls() ? "https" : "http") + "://" + host + ":" + std::to_string(port_);
}

bool HttpServer::bind(std::string* error) {
  if (tls()) {
    auto s =
        std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!s->is_valid()) {
      *error = "cannot use the TLS certificate/key (" + options_.tls_cert + ", " +
               options_.tls_key + ")";
      return false;
    }
    server_ = std::move(s);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& s = *server_;

  // Tuning measured on this project's 2-core machines: cpp-httplib's defaults (Nagle on,
  // 8 workers, keep-alive closed after 5 requests) cap a loopback server near 300 req/s.
  size_t threads = options_.threads ? options_.threads
                                    : std::max<size_t>(32, 8 * std::thread::hardware_concurrency());
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_tcp_nodelay(true);
  s.set_keep_alive_max_count(options_.keep_alive_max_requests);
  s.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  s.set_read_timeout(options_.read_timeout_s, 0);
  s.set_write_timeout(options_.write_timeout_s, 0);
  s.set_payload_max_length(options_.max_body_bytes);
  // SO_REUSEADDR only: cpp-httplib's default socket options set SO_REUSEPORT, with which a
  // second server binds a port another one already listens on and the kernel splits the
  // connections between two unrelated simulators.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  // Requests without a body (GET, HEAD, OPTIONS).
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    from_core(sim_.handle(to_core(req)), res);
  };
  // Requests that may carry one: read it here rather than let cpp-httplib do it, because it
  // buffers chunked bodies without limit, refuses form bodies over 8 KiB whatever the
  // configured limit, and reads a body without Content-Length until the peer closes (RFC 9112
  // §6.3: such a request has no body).
  auto body_handler = [this](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& read) {
    std::string body;
    bool too_large = false;
    auto receive = [&](const char* data, size_t n) {
      if (body.size() + n > options_.max_body_bytes) {
        too_large = true;
        return false;
      }
      body.append(data, n);
      return true;
    };
    bool ok = true;
    if (req.is_multipart_form_data()) {
      // cpp-httplib insists on parsing these; the parts are counted against the limit and
      // dropped (no PISTE endpoint takes multipart: the core answers on the Content-Type).
      ok = read([](const httplib::MultipartFormData&) { return true; }, receive);
      body.clear();
    } else if (req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) {
      ok = read(receive);  // Transfer-Encoding is "chunked" here (framing_error)
    }
    if (!ok) {
      res.status = (too_large || res.status == 413) ? 413 : 400;
      close_after(req, res);
      return;
    }
    Request core = to_core(req);
    core.body = std::move(body);
    from_core(sim_.handle(core), res);
  };
  const std::string any = ".*";
  s.Get(any, handler);
  s.Options(any, handler);
  s.Post(any, body_handler);
  s.Put(any, body_handler);
  s.Patch(any, body_handler);
  s.Delete(any, body_handler);

  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    int status = framing_error(req, options_);
    if (status == 0) return httplib::Server::HandlerResponse::Unhandled;
    res.status = status;  // the error handler writes the body
    close_after(req, res);
    return httplib::Server::HandlerResponse::Handled;
  });

  httplib::Server::HandlerWithResponse on_error = [](const httplib::Request&,
                                                     httplib::Response& res) {
    if (res.has_header(kCoreMarker)) return httplib::Server::HandlerResponse::Unhandled;
    res.set_content(transport_error_body(res.status), "application/json");
    res.set_header("Cache-Control", "no-store");
    res.set_header("Pragma", "no-cache");  // the token endpoint's rule (D5), whoever answered
    return httplib::Server::HandlerResponse::Handled;
  };
  s.set_error_handler(on_error);
  s.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (options_.access_log) write_access_log(req, res);
    res.headers.erase(kCoreMarker);
    res.headers.erase(kDiagnosticHeader);
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(R"({"error":"server_error","error_description":"Internal error"})",
                    "application/json");
    res.set_header(kCoreMarker, "1");  // keep this body: the error handler must not relabel it
  });

  if (options_.port == 0) {
    port_ = s.bind_to_any_port(options_.host);
    if (port_ < 0) {
      *error = "cannot bind " + options_.host + " on any port";
      return false;
    }
  } else {
    if (!s.bind_to_port(options_.host, options_.port)) {
      *error = "cannot bind " + options_.host + ":" + std::to_string(options_.port) +
               " (in use, or not allowed)";
      return false;
    }
    port_ = options_.port;
  }
  // cpp-httplib 0.11.4 listens with a backlog of 5: a burst of more simultaneous connects
  // overflows it, the kernel drops the extra SYNs and those clients stall for a SYN
  // retransmission (1 s, then 3 s). listen() again on the bound socket raises the backlog.
  ::listen(ListeningSocket::of(s), SOMAXCONN);
  return true;
}

void HttpServer::run() {
  server_->listen_after_bind();
  run_returned_.store(true, std::memory_order_release);
}

void HttpServer::start() {
  run_returned_.store(false, std::memory_order_release);
  thread_ = std::thread([this] { run(); });
  // Until it accepts, or until run() gave up (then there is nothing to wait for).
  while (!server_->is_running() && !run_returned_.load(std::memory_order_acquire))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void HttpServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace pistesim
