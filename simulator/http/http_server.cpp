#include "http/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

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
  if (in.drop_connection) {
    // An injected dropped connection: cpp-httplib writes the status line and headers, then the
    // provider's refusal makes it close the socket before the announced body, so the client
    // sees a truncated answer, as when a connection dies mid-response.
    out.headers.emplace("Connection", "close");
    out.set_content_provider(64, "application/json",
                             [](size_t, size_t, httplib::DataSink&) { return false; });
    out.headers.emplace(kDiagnosticHeader, in.diagnostic);
    return;
  }
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
    case 408:
      return R"({"error":"invalid_request","error_description":"Request not received in time"})";
    case 431:
      return R"({"error":"invalid_request","error_description":"Request header fields too large"})";
    case 503:
      return R"({"error":"temporarily_unavailable","error_description":"Too many connections"})";
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

using SteadyTime = std::chrono::steady_clock::time_point;

SteadyTime after_seconds(int s) {
  return std::chrono::steady_clock::now() + std::chrono::seconds(s);
}

// Milliseconds left until `deadline` for poll() (0 once it passed).
int ms_until(SteadyTime deadline) {
  // Rounded up: poll() must not return before the deadline.
  auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
          .count();
  return left <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left, 1 << 30));
}

// The longest request line cpp-httplib accepts (CPPHTTPLIB_REQUEST_URI_MAX_LENGTH): longer
// ones are answered 414 here, before more of them is buffered.
constexpr size_t kMaxRequestLine = 8192;

std::string_view reason_phrase(int status) {
  switch (status) {
    case 408:
      return "Request Timeout";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Bad Request";
  }
}

// A complete answer for a refusal made before cpp-httplib sees the request; the connection is
// closed after it.
std::string transport_answer(int status) {
  std::string body = transport_error_body(status);
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " +
                     std::string(reason_phrase(status)) +
                     "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
                     "Pragma: no-cache\r\nConnection: close\r\n";
  if (status == 503) head += "Retry-After: 1\r\n";
  return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// "METHOD SP request-target SP HTTP-version" (RFC 9112 §3): three non-empty parts.
bool plausible_request_line(std::string_view line) {
  size_t first = line.find(' ');
  if (first == std::string_view::npos || first == 0) return false;
  size_t second = line.find(' ', first + 1);
  if (second == std::string_view::npos || second == first + 1) return false;
  if (line.find(' ', second + 1) != std::string_view::npos) return false;
  return line.substr(second + 1).starts_with("HTTP/");
}

bool is_control_path(std::string_view path) {
  constexpr std::string_view kPrefix = "/__pistesim";
  return path.starts_with(kPrefix) &&
         (path.size() == kPrefix.size() || path[kPrefix.size()] == '/');
}

std::string peer_address(int fd, bool local, int* port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  int rc = local ? ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                 : ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = 0;
  if (rc != 0) return "";
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof(text));
    *port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof(text));
    *port = ntohs(a->sin6_port);
  }
  return text;
}

}  // namespace

// cpp-httplib's request parser, router and response writer, driven one request at a time on
// streams this adapter owns (process_request is protected: reached from a derived class).
class HttpServer::Router : public httplib::Server {
 public:
  bool serve(httplib::Stream& stream, bool close, bool& closed) {
    return process_request(stream, close, closed, nullptr);
  }
};

// One accepted socket, plain or TLS, non-blocking; every wait has a deadline.
class HttpServer::Connection {
 public:
  Connection(int fd, ssl_ctx_st* tls) : fd_(fd) {
    if (tls) {
      ssl_ = SSL_new(tls);
      if (ssl_) SSL_set_fd(ssl_, fd);
    }
  }
  ~Connection() {
    if (ssl_) {
      if (handshaken_) SSL_shutdown(ssl_);  // best effort: a close_notify, no wait for the peer's
      SSL_free(ssl_);
    }
    if (linger_ && !peer_closed_) {
      // The client may still be sending what was refused (a body over the limit): stop writing,
      // then read and drop its bytes for a moment, so that closing does not reset the
      // connection before it has read the answer.
      ::shutdown(fd_, SHUT_WR);
      char sink[4096];
      SteadyTime deadline = after_seconds(1);
      size_t drained = 0;
      while (drained < (1u << 20) && wait(POLLIN, deadline)) {
        ssize_t n = ::recv(fd_, sink, sizeof(sink), 0);
        if (n <= 0) break;
        drained += static_cast<size_t>(n);
      }
    }
    ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  bool tls() const { return ssl_ != nullptr; }
  // The peer's and this end's address, asked of the kernel once per connection rather than
  // for every request (cpp-httplib asks for both on each one).
  const std::pair<std::string, int>& address(bool local) {
    auto& cached = local ? local_address_ : remote_address_;
    if (!cached) {
      int port = 0;
      std::string ip = peer_address(fd_, local, &port);
      cached.emplace(std::move(ip), port);
    }
    return *cached;
  }
  // Close gently (see the destructor): set when an answer was written.
  void linger() { linger_ = true; }

  bool handshake(SteadyTime deadline) {
    if (!ssl_) return false;
    for (;;) {
      int r = SSL_accept(ssl_);
      if (r == 1) return handshaken_ = true;
      if (!wait_for(SSL_get_error(ssl_, r), deadline)) return false;
    }
  }

  // Whether bytes (or the peer's close) can be read before `deadline`; false as soon as `wake`
  // is readable (the server is stopping) unless bytes are already there.
  bool wait_readable(SteadyTime deadline, int wake) {
    if (ssl_ && SSL_pending(ssl_) > 0) return true;
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake, POLLIN, 0}};
    for (;;) {
      int n = ::poll(fds, 2, ms_until(deadline));
      if (n < 0 && errno == EINTR) continue;
      return n > 0 && fds[0].revents != 0;
    }
  }

  // Bytes read (> 0), 0 when the peer closed, -1 on timeout or error.
  ssize_t read_some(char* buf, size_t size, SteadyTime deadline) {
    for (;;) {
      if (ssl_) {
        int n = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(size, 1 << 30)));
        if (n > 0) return n;
        int e = SSL_get_error(ssl_, n);
        if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
          peer_closed_ = true;
          return 0;
        }
        ERR_clear_error();
        if (!wait_for(e, deadline)) return -1;
        continue;
      }
      ssize_t n = ::recv(fd_, buf, size, 0);
      if (n > 0) return n;
      if (n == 0) {
        peer_closed_ = true;
        return 0;
      }
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait(POLLIN, deadline)) return -1;
    }
  }

  bool write_all(const char* data, size_t size, SteadyTime deadline) {
    while (size > 0) {
      ssize_t n;
      if (ssl_) {
        int r = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(size, 1 << 30)));
        if (r <= 0) {
          int e = SSL_get_error(ssl_, r);
          ERR_clear_error();
          if (!wait_for(e, deadline)) return false;
          continue;
        }
        n = r;
      } else {
        n = ::send(fd_, data, size, MSG_NOSIGNAL);
        if (n < 0) {
          if (errno == EINTR) continue;
          if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait(POLLOUT, deadline)) return false;
          continue;
        }
      }
      data += n;
      size -= static_cast<size_t>(n);
    }
    return true;
  }

  bool wait(short events, SteadyTime deadline) {
    pollfd p{fd_, events, 0};
    for (;;) {
      int n = ::poll(&p, 1, ms_until(deadline));
      if (n < 0 && errno == EINTR) continue;
      return n > 0;
    }
  }

 private:
  // After an SSL call asked to wait: for what it wants, until the deadline.
  bool wait_for(int ssl_error, SteadyTime deadline) {
    if (ssl_error == SSL_ERROR_WANT_READ) return wait(POLLIN, deadline);
    if (ssl_error == SSL_ERROR_WANT_WRITE) return wait(POLLOUT, deadline);
    return false;
  }

  int fd_;
  SSL* ssl_ = nullptr;
  std::optional<std::pair<std::string, int>> remote_address_, local_address_;
  bool handshaken_ = false;
  bool peer_closed_ = false;
  bool linger_ = false;
};

// What cpp-httplib reads one request from and writes its answer to: first the bytes already
// received with the request head, then the connection, each wait bounded by the read timeout
// and all of them by the request's deadline.
class HttpServer::ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(Connection& c, std::string received, SteadyTime deadline,
                   const HttpServerOptions& o)
      : c_(c), received_(std::move(received)), deadline_(deadline), options_(o) {}

  bool is_readable() const override {
    if (offset_ < received_.size()) return true;
    return const_cast<ConnectionStream*>(this)->flush() && c_.wait(POLLIN, read_deadline());
  }
  bool is_writable() const override {
    return c_.wait(POLLOUT, after_seconds(options_.write_timeout_s));
  }
  ssize_t read(char* ptr, size_t size) override {
    if (offset_ < received_.size()) {
      size_t n = std::min(size, received_.size() - offset_);
      std::memcpy(ptr, received_.data() + offset_, n);
      offset_ += n;
      return static_cast<ssize_t>(n);
    }
    if (!flush()) return -1;  // an interim 100 Continue must reach the client first
    ssize_t n = c_.read_some(ptr, size, read_deadline());
    return n > 0 ? n : -1;
  }
  // Writes are gathered and sent when the answer is complete (flush()), before any read, or
  // past 64 KiB: cpp-httplib writes the head and the body apart, and two sends per answer cost
  // a second trip through the TCP stack and often a second wake-up of the client.
  ssize_t write(const char* ptr, size_t size) override {
    if (!head_written_) note_head(std::string_view(ptr, size));
    out_.append(ptr, size);
    if (out_.size() >= kGatherBytes && !flush()) return -1;
    return static_cast<ssize_t>(size);
  }
  // Sends what write() gathered. False when the connection failed (nothing more can be sent).
  bool flush() {
    if (out_.empty()) return true;
    bool ok = c_.write_all(out_.data(), out_.size(), after_seconds(options_.write_timeout_s));
    out_.clear();
    return ok;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    std::tie(ip, port) = c_.address(false);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    std::tie(ip, port) = c_.address(true);
  }
  socket_t socket() const override { return c_.fd(); }

  // Bytes received past this request (a pipelined next one).
  std::string leftover() const { return received_.substr(std::min(offset_, received_.size())); }
  // The answer said Connection: close (the adapter's own refusals do, after an unread body).
  bool answer_closes() const { return answer_closes_; }

 private:
  static constexpr size_t kGatherBytes = 64 * 1024;

  SteadyTime read_deadline() const {
    return std::min(deadline_, after_seconds(options_.read_timeout_s));
  }
  // cpp-httplib writes a status line and its header fields in one write; an interim 100
  // Continue comes first.
  void note_head(std::string_view data) {
    if (!data.starts_with("HTTP/1.")) return;
    if (data.size() > 9 && data[9] == '1') return;  // "HTTP/1.1 100 Continue"
    head_written_ = true;
    std::string_view head = data.substr(0, data.find("\r\n\r\n"));
    for (size_t at = head.find("\r\n"); at != std::string_view::npos;
         at = head.find("\r\n", at + 2)) {
      std::string_view line = head.substr(at + 2, head.find("\r\n", at + 2) - (at + 2));
      if (line.size() >= 11 && iequals(line.substr(0, 11), "Connection:") &&
          line.find("close") != std::string_view::npos)
        answer_closes_ = true;
    }
  }

  Connection& c_;
  std::string received_;
  std::string out_;  // written, not yet sent (flush())
  size_t offset_ = 0;
  SteadyTime deadline_;
  const HttpServerOptions& options_;
  bool head_written_ = false;
  bool answer_closes_ = false;
};

HttpServer::HttpServer(Simulator& sim, HttpServerOptions options)
    : sim_(sim), options_(std::move(options)) {}

HttpServer::~HttpServer() {
  stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  for (int fd : wake_)
    if (fd >= 0) ::close(fd);
  if (tls_context_) SSL_CTX_free(tls_context_);
}

std::string HttpServer::base_url() const {
  std::string host = options_.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls() ? "https" : "http") + "://" + host + ":" + std::to_string(port_);
}

bool HttpServer::bind(std::string* error) {
  if (tls()) {
    tls_context_ = SSL_CTX_new(TLS_server_method());
    bool ok = tls_context_ && SSL_CTX_set_min_proto_version(tls_context_, TLS1_2_VERSION) == 1 &&
              SSL_CTX_use_certificate_chain_file(tls_context_, options_.tls_cert.c_str()) == 1 &&
              SSL_CTX_use_PrivateKey_file(tls_context_, options_.tls_key.c_str(),
                                          SSL_FILETYPE_PEM) == 1 &&
              SSL_CTX_check_private_key(tls_context_) == 1;
    ERR_clear_error();
    if (!ok) {
      *error = "cannot use the TLS certificate/key (" + options_.tls_cert + ", " +
               options_.tls_key + ")";
      return false;
    }
    SSL_CTX_set_mode(tls_context_,
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  }
  router_ = std::make_unique<Router>();
  httplib::Server& s = *router_;
  s.set_payload_max_length(options_.max_body_bytes);

  // What the simulator answers, the adapter's own routes first: readiness, and the control API
  // switched off (--no-control).
  auto answer = [this](Request core) -> Response {
    if (is_control_path(core.path)) {
      if (core.path == "/__pistesim/ready") {
        Response r;
        r.status = ready() ? 200 : 503;
        r.headers.set("Content-Type", "application/json");
        r.headers.set("Cache-Control", "no-store");
        r.body = ready() ? R"({"status":"ready"})" : R"({"status":"stopping"})";
        return r;
      }
      if (!options_.control_api && core.path != "/__pistesim/health") {
        Response r;
        r.status = 404;
        r.headers.set("Content-Type", "application/json");
        r.body =
            R"({"code":"NOT_FOUND","message":"L'API de contrôle est désactivée sur ce serveur : option --no-control"})";
        r.diagnostic = "control API disabled";
        return r;
      }
    }
    return sim_.handle(std::move(core));
  };
  // Requests without a body (GET, HEAD, OPTIONS).
  auto handler = [answer](const httplib::Request& req, httplib::Response& res) {
    from_core(answer(to_core(req)), res);
  };
  // Requests that may carry one: read it here rather than let cpp-httplib do it, because it
  // buffers chunked bodies without limit, refuses form bodies over 8 KiB whatever the
  // configured limit, and reads a body without Content-Length until the peer closes (RFC 9112
  // §6.3: such a request has no body).
  auto body_handler = [this, answer](const httplib::Request& req, httplib::Response& res,
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
    from_core(answer(std::move(core)), res);
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

  // The listening socket. SO_REUSEADDR only: with SO_REUSEPORT a second server would bind a
  // port another one already listens on and the kernel would split the connections between two
  // unrelated simulators.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(options_.port);
  const std::string where = options_.host + (options_.port == 0 ? " on any port" : ":" + service);
  if (int rc = ::getaddrinfo(options_.host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    *error = "cannot bind " + where + " (" + gai_strerror(rc) + ")";
    return false;
  }
  for (addrinfo* a = found; a && listen_fd_ < 0; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (a->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof(yes));
    // A backlog of SOMAXCONN: bursts of connects must not overflow it (dropped SYNs stall
    // clients for a retransmission, 1 s then 3 s).
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0)
      listen_fd_ = fd;
    else
      ::close(fd);
  }
  ::freeaddrinfo(found);
  if (listen_fd_ < 0) {
    *error = "cannot bind " + where + " (in use, or not allowed)";
    return false;
  }
  port_ = options_.port;
  if (port_ == 0) (void)peer_address(listen_fd_, true, &port_);
  if (::pipe2(wake_, O_CLOEXEC) != 0) {
    *error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return false;
  }
  // Tuning measured on this project's 2-core machines: a pool of 32+ workers for many
  // keep-alive clients.
  size_t threads = options_.threads ? options_.threads
                                    : std::max<size_t>(32, 8 * std::thread::hardware_concurrency());
  workers_ = std::make_unique<httplib::ThreadPool>(threads);
  return true;
}

void HttpServer::run() {
  running_.store(true);
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
  for (;;) {
    int n = ::poll(fds, 2, -1);
    if (n < 0 && errno != EINTR) break;
    if (fds[1].revents) break;  // stop()
    if (n <= 0 || !(fds[0].revents & POLLIN)) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      // Out of descriptors: let connections finish rather than spin.
      if (errno == EMFILE || errno == ENFILE)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    if (connections_.load() >= options_.max_connections) {
      refuse_connection(fd);
      continue;
    }
    connections_.fetch_add(1);
    workers_->enqueue([this, fd] {
      serve_connection(fd);
      connections_.fetch_sub(1);
    });
  }
  running_.store(false);
  run_returned_.store(true, std::memory_order_release);
}

void HttpServer::refuse_connection(int fd) {
  // Answered by the acceptor itself, without waiting: a plain 503 when it fits in the socket
  // buffer at once (always, for a fresh connection); over TLS the connection is just closed.
  if (!tls_context_) {
    std::string answer = transport_answer(503);
    (void)::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(fd, SHUT_WR);
    char sink[4096];
    while (::recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0) {
    }
  }
  if (options_.access_log) {
    int port = 0;
    std::string line = format_iso8601(SystemClock().now_ms()) + " " +
                       peer_address(fd, false, &port) + " - - 503 over " +
                       std::to_string(options_.max_connections) + " connections\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  ::close(fd);
}

void HttpServer::serve_connection(int fd) {
  Connection c(fd, tls_context_);
  if (tls_context_ && !c.handshake(after_seconds(options_.header_timeout_s))) return;
  auto refuse = [&](int status) {
    std::string answer = transport_answer(status);
    if (options_.access_log) {
      int port = 0;
      std::string line = format_iso8601(SystemClock().now_ms()) + " " +
                         peer_address(fd, false, &port) + " - - " + std::to_string(status) +
                         " request head over the limits or too slow\n";
      std::fwrite(line.data(), 1, line.size(), stderr);
    }
    c.linger();
    (void)c.write_all(answer.data(), answer.size(), after_seconds(options_.write_timeout_s));
  };
  std::string pending;
  char buf[16 * 1024];
  for (size_t served = 0;;) {
    // Idle: the next request's first byte, or the end (idle timeout, stop(), the client left).
    if (pending.empty() && !c.wait_readable(after_seconds(options_.keep_alive_timeout_s), wake_[0]))
      return;
    // The head, whole, within the time and size limits.
    const SteadyTime head_deadline = after_seconds(options_.header_timeout_s);
    size_t head_end = std::string::npos;
    bool skipped_empty_line = false;
    for (;;) {
      // RFC 9112 §2.2: one empty line before a request line is ignored.
      if (!skipped_empty_line && pending.starts_with("\r\n")) {
        pending.erase(0, 2);
        skipped_empty_line = true;
      }
      size_t line_end = pending.find("\r\n");
      if ((line_end == std::string::npos ? pending.size() : line_end) > kMaxRequestLine)
        return refuse(414);
      // A request line that cannot be one is answered now, not after waiting for the head.
      if (line_end != std::string::npos && line_end > 0 &&
          !plausible_request_line(std::string_view(pending).substr(0, line_end)))
        return refuse(400);
      head_end = pending.find("\r\n\r\n");
      size_t fields =
          line_end == std::string::npos
              ? 0
              : (head_end == std::string::npos ? pending.size() : head_end + 2) - (line_end + 2);
      if (fields > options_.max_header_bytes) return refuse(431);
      if (head_end != std::string::npos) break;
      ssize_t n = c.read_some(buf, sizeof(buf), head_deadline);
      if (n == 0) return;  // the client left
      if (n < 0) {
        // Too slow (a slow-loris client) or broken: a 408 for one that sent part of a head.
        if (!pending.empty()) refuse(408);
        return;
      }
      pending.append(buf, static_cast<size_t>(n));
    }
    const bool last = draining_.load() || ++served >= options_.keep_alive_max_requests;
    ConnectionStream stream(c, std::move(pending), after_seconds(options_.request_timeout_s),
                            options_);
    bool closed = false;
    bool ok = router_->serve(stream, last, closed);
    // Sent even when the answer failed: an injected dropped connection shows its head first.
    ok = stream.flush() && ok;
    pending = stream.leftover();
    if (!ok) return;  // the answer could not be written (or a fault cut it on purpose)
    if (closed || last || stream.answer_closes() || draining_.load()) {
      c.linger();
      return;
    }
  }
}

void HttpServer::start() {
  run_returned_.store(false, std::memory_order_release);
  thread_ = std::thread([this] { run(); });
  // Until it accepts, or until run() gave up (then there is nothing to wait for).
  while (!running_.load() && !run_returned_.load(std::memory_order_acquire))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void HttpServer::stop() {
  if (wake_[1] >= 0 && !draining_.exchange(true)) {
    // Never read: the pipe stays readable, waking the acceptor and every idle connection.
    char byte = 1;
    (void)::write(wake_[1], &byte, 1);
  }
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);  // no new connections from here on
    listen_fd_ = -1;
  }
  // Requests in flight finish; their connections close after them.
  if (workers_) workers_->shutdown();
  workers_.reset();
}

}  // namespace pistesim
