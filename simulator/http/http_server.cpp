#include "http/http_server.h"

#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cerrno>
#include <thread>
#include <vector>

#include "control/control_api.h"
#include "core/simulator.h"
#include "http/answer_writer.h"
#include "http/event_loop.h"
#include "http/open_files.h"
#include "http/server_log.h"
#include "web/static_assets.h"

namespace pistesim {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// Descriptors the server needs beside its connections: the listening socket, each loop's
// epoll and timer descriptors, the state file, the standard streams.
constexpr size_t kSpareDescriptors = 64;

bool is_control_path(std::string_view path) {
  constexpr std::string_view kPrefix = "/__pistesim";
  return path.starts_with(kPrefix) &&
         (path.size() == kPrefix.size() || path[kPrefix.size()] == '/');
}

}  // namespace

// A listening socket: the main port (no endpoint: paths carry their prefix) or a PISTE host's.
struct ListeningSocket {
  ListeningSocket(asio::io_context& io, tcp::acceptor a, std::optional<Endpoint> e)
      : acceptor(std::move(a)), endpoint(e), retry(io) {}
  tcp::acceptor acceptor;
  const std::optional<Endpoint> endpoint;
  asio::steady_timer retry;  // after running out of descriptors
};

struct HttpServer::Impl {
  Impl(Simulator& s, const HttpServerOptions& o) : sim(s), context{o, {}, {}, {}, {}, {}, {}} {}

  // The adapter's own routes first (readiness, the control API switched off), then the core.
  // A host port's requests go straight to its endpoint, as a PISTE Host header would take them.
  Response answer(Request core, std::optional<Endpoint> host);
  void accept(ListeningSocket& listener);
  void admit(http::Loop& target, tcp::socket socket, std::optional<Endpoint> host);
  // A connection over a limit: a 503 when it fits in the socket buffer at once (always for a
  // fresh plain connection), then closed; over TLS just closed.
  void refuse_now(tcp::socket& socket, const std::string& client, const std::string& why);
  // Binds host:port (0: any free port) and listens; or why it cannot.
  Result<tcp::acceptor> listen(const std::string& host, int port, const std::string& what);

  Simulator& sim;
  http::ServerContext context;  // before the loops: connections release their place in it
  std::optional<asio::ssl::context> tls;
  std::vector<std::unique_ptr<http::Loop>> loops;
  // HttpServerOptions::answer_threads; after the loops, so destroyed (joined) before them.
  std::optional<asio::thread_pool> answerers;
  // The main port first, then the host ports in HttpServerOptions::host_ports's order.
  std::vector<std::unique_ptr<ListeningSocket>> listeners;
  size_t next_loop = 0;
  std::string notice;
  int port = 0;
  std::thread runner;  // start()
  std::atomic<bool> running{false};
  std::atomic<bool> run_returned{false};
};

Response HttpServer::Impl::answer(Request core, std::optional<Endpoint> host) {
  if (!host && is_control_path(core.path)) {
    if (core.path == "/__pistesim/ready") {
      const bool ready = running.load() && !context.draining.load();
      Response r;
      r.status = ready ? 200 : 503;
      r.headers.set("Content-Type", "application/json");
      r.headers.set("Cache-Control", "no-store");
      r.body = ready ? R"({"status":"ready"})" : R"({"status":"stopping"})";
      return r;
    }
    if (!context.options.control_api && core.path != "/__pistesim/health") {
      Response r;
      r.status = 404;
      r.headers.set("Content-Type", "application/json");
      r.body =
          R"({"code":"NOT_FOUND","message":"L'API de contrôle est désactivée sur ce serveur : option --no-control","message_en":"the control API is disabled on this server: option --no-control"})";
      r.diagnostic = "control API disabled";
      return r;
    }
  }
  // The portal's and the console's pages run on the control API: without it, none.
  if (!host && !context.options.control_api && is_asset_path(core.path)) {
    Response r;
    r.status = 404;
    r.headers.set("Content-Type", "text/plain; charset=utf-8");
    r.body = "Pages du portail et de la console indisponibles : option --no-control\n";
    r.diagnostic = "control API disabled";
    return r;
  }
  try {
    return host ? serve_request(sim, *host, core) : serve_request(sim, std::move(core));
  } catch (const std::exception&) {
    Response r;
    r.status = 500;
    r.headers.set("Content-Type", "application/json");
    r.body = R"({"error":"server_error","error_description":"Internal error"})";
    r.diagnostic = "internal error";
    return r;
  }
}

void HttpServer::Impl::accept(ListeningSocket& listener) {
  http::Loop& target = *loops[next_loop++ % loops.size()];
  listener.acceptor.async_accept(
      target.io(), [this, &target, &listener](const error_code& ec, tcp::socket socket) {
        tcp::acceptor& acceptor = listener.acceptor;
        if (!acceptor.is_open() || context.draining.load()) return;
        if (ec == asio::error::no_descriptors || ec.value() == ENFILE) {
          // Out of descriptors: let connections end rather than spin on the listening socket.
          listener.retry.expires_after(std::chrono::milliseconds(10));
          listener.retry.async_wait([this, &listener](const error_code& e) {
            if (!e) accept(listener);
          });
          return;
        }
        if (!ec) admit(target, std::move(socket), listener.endpoint);
        // Drain the backlog now: one accept per pass of a loop's queue would let a burst of a
        // thousand connects wait behind a thousand busy connections, each for a whole pass.
        for (int i = 0; !ec && i < 256; ++i) {
          http::Loop& next = *loops[next_loop++ % loops.size()];
          tcp::socket more(next.io());
          error_code e;
          acceptor.accept(more, e);  // non-blocking: would_block when the backlog is empty
          if (e) break;
          admit(next, std::move(more), listener.endpoint);
        }
        accept(listener);
      });
}

void HttpServer::Impl::admit(http::Loop& target, tcp::socket socket, std::optional<Endpoint> host) {
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  auto peer = socket.remote_endpoint(ec);
  if (ec) return;  // gone already
  std::string client = peer.address().to_string();
  const HttpServerOptions& o = context.options;
  if (context.connections.load() >= o.max_connections)
    return refuse_now(socket, client, "over " + std::to_string(o.max_connections) + " connections");
  if (!context.clients.admit(client, o.max_connections_per_client))
    return refuse_now(
        socket, client,
        "over " + std::to_string(o.max_connections_per_client) + " connections from this client");
  context.connections.fetch_add(1);
  asio::post(target.io(),
             [&target, socket = std::move(socket), client = std::move(client), host]() mutable {
               http::serve_accepted(target, std::move(socket), std::move(client), host);
             });
}

void HttpServer::Impl::refuse_now(tcp::socket& socket, const std::string& client,
                                  const std::string& why) {
  int fd = socket.native_handle();
  if (!tls) {
    std::string answer = http::transport_answer(503, why);
    (void)::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(fd, SHUT_WR);
    char sink[4096];
    while (::recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0) {
    }
  }
  if (context.options.access_log)
    write_access_log(context.options.log_format, client, "", "", 503, why);
  error_code ignored;
  socket.close(ignored);
}

HttpServer::HttpServer(Simulator& sim, HttpServerOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(sim, options_)) {
  http::ReaderLimits& limits = impl_->context.limits;
  limits.max_request_line = options_.max_request_line;
  limits.max_header_bytes = options_.max_header_bytes;
  limits.max_header_count = options_.max_header_count;
  limits.max_body_bytes = options_.max_body_bytes;
  impl_->context.answer = [impl = impl_.get()](Request r, std::optional<Endpoint> host) {
    return impl->answer(std::move(r), host);
  };
}

HttpServer::~HttpServer() {
  stop();
  for (auto& l : impl_->listeners) {
    error_code ignored;
    l->acceptor.close(ignored);
  }
  impl_->listeners.clear();
  impl_->loops.clear();  // pending handlers (and the connections they hold) go with each loop
}

const std::string& HttpServer::notice() const {
  return impl_->notice;
}
int HttpServer::port() const {
  return impl_->port;
}
bool HttpServer::ready() const {
  return impl_->running.load() && !impl_->context.draining.load();
}
size_t HttpServer::connections() const {
  return impl_->context.connections.load();
}

namespace {
std::string url_of(const std::string& address, bool tls, int port) {
  std::string host = address;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(port);
}
}  // namespace

std::string HttpServer::base_url() const {
  return url_of(options_.host, tls(), impl_->port);
}

std::string HttpServer::host_url(Endpoint endpoint) const {
  for (const HostPort& h : options_.host_ports)
    if (h.endpoint == endpoint && h.bound_port != 0)
      return url_of(options_.host, tls(), h.bound_port);
  return "";
}

Result<void> HttpServer::bind() {
  Impl& s = *impl_;
  if (tls()) {
    s.tls.emplace(asio::ssl::context::tls_server);
    SSL_CTX* ctx = s.tls->native_handle();
    bool ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
              SSL_CTX_use_certificate_chain_file(ctx, options_.tls_cert.c_str()) == 1 &&
              SSL_CTX_use_PrivateKey_file(ctx, options_.tls_key.c_str(), SSL_FILETYPE_PEM) == 1 &&
              SSL_CTX_check_private_key(ctx) == 1;
    ERR_clear_error();
    if (!ok) {
      return Error{"cannot use the TLS certificate/key (" + options_.tls_cert + ", " +
                   options_.tls_key + ")"};
    }
    // An idle TLS connection gives its record buffers back (34 KiB each otherwise).
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    s.context.tls = &*s.tls;
  }

  const size_t wanted = options_.max_connections + kSpareDescriptors;
  const size_t allowed = raise_open_file_limit(wanted);
  if (allowed < wanted) {
    size_t cap = allowed > kSpareDescriptors ? allowed - kSpareDescriptors : 1;
    s.notice = "the system allows " + std::to_string(allowed) +
               " open files (ulimit -n): at most " + std::to_string(cap) + " connections, not " +
               std::to_string(options_.max_connections);
    options_.max_connections = cap;
  }

  size_t threads = options_.threads ? options_.threads
                                    : std::max<size_t>(1, std::thread::hardware_concurrency());
  s.loops.clear();
  for (size_t i = 0; i < threads; ++i) s.loops.push_back(std::make_unique<http::Loop>(s.context));
  if (options_.answer_threads > 0 && !s.answerers) {
    s.answerers.emplace(options_.answer_threads);
    s.context.answerers = &*s.answerers;
  }

  // The listening sockets: the main port, then one per PISTE host asked for.
  s.listeners.clear();
  auto main = s.listen(options_.host, options_.port, "");
  if (!main) return main.error();
  s.port = main->local_endpoint().port();
  s.listeners.push_back(
      std::make_unique<ListeningSocket>(s.loops[0]->io(), std::move(*main), std::nullopt));
  for (HostPort& h : options_.host_ports) {
    auto a = s.listen(options_.host, h.port, " for " + std::string(piste_host(h.endpoint)));
    if (!a) {
      s.listeners.clear();
      return a.error();
    }
    h.bound_port = a->local_endpoint().port();
    s.listeners.push_back(
        std::make_unique<ListeningSocket>(s.loops[0]->io(), std::move(*a), h.endpoint));
  }
  return {};
}

Result<tcp::acceptor> HttpServer::Impl::listen(const std::string& host, int port,
                                               const std::string& what) {
  // SO_REUSEADDR only: with SO_REUSEPORT a second server would bind a port another one already
  // listens on and the kernel would split the connections between two unrelated simulators.
  const std::string service = std::to_string(port);
  const std::string where = host + (port == 0 ? " on any port" : ":" + service) + what;
  tcp::resolver resolver(loops[0]->io());
  error_code ec;
  auto found =
      resolver.resolve(host, service, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec) return Error{"cannot bind " + where + " (" + ec.message() + ")"};
  for (const auto& entry : found) {
    tcp::acceptor a(loops[0]->io());
    tcp::endpoint endpoint = entry.endpoint();
    a.open(endpoint.protocol(), ec);
    if (ec) continue;
    a.set_option(tcp::acceptor::reuse_address(true), ec);
    if (endpoint.protocol() == tcp::v6()) a.set_option(asio::ip::v6_only(true), ec);
    // A backlog of SOMAXCONN: bursts of connects must not overflow it (dropped SYNs stall
    // clients for a retransmission, 1 s then 3 s).
    a.bind(endpoint, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) continue;
    a.non_blocking(true, ec);
    if (ec) continue;
    return a;
  }
  return Error{"cannot bind " + where + " (in use, or not allowed)"};
}

void HttpServer::run() {
  Impl& s = *impl_;
  for (auto& loop : s.loops) asio::post(loop->io(), [l = loop.get()] { l->begin(); });
  if (!s.context.draining.load())
    asio::post(s.loops[0]->io(), [&s] {
      for (auto& l : s.listeners) s.accept(*l);
    });
  std::vector<std::thread> others;
  for (size_t i = 1; i < s.loops.size(); ++i)
    others.emplace_back([l = s.loops[i].get()] { l->run(); });
  s.running.store(true);
  s.loops[0]->run();
  for (auto& t : others) t.join();
  s.running.store(false);
  s.run_returned.store(true, std::memory_order_release);
}

void HttpServer::start() {
  impl_->run_returned.store(false, std::memory_order_release);
  impl_->runner = std::thread([this] { run(); });
  // Until it accepts, or until run() gave up (then there is nothing to wait for).
  while (!impl_->running.load() && !impl_->run_returned.load(std::memory_order_acquire))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void HttpServer::stop() {
  Impl& s = *impl_;
  if (!s.loops.empty() && !s.context.draining.exchange(true)) {
    asio::post(s.loops[0]->io(), [&s] {
      for (auto& l : s.listeners) {
        error_code ignored;
        l->acceptor.close(ignored);  // no new connections from here on
        l->retry.cancel();
      }
    });
    // Idle connections close now; requests in flight finish, their connections close after.
    for (auto& loop : s.loops) asio::post(loop->io(), [l = loop.get()] { l->drain(); });
  }
  if (s.runner.joinable()) s.runner.join();
  // The loops returned: every answer handed to the pool came back to them.
  if (s.answerers) s.answerers->join();
}

}  // namespace pistesim
