#include "scenario_engine/target.h"

#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "clock/clock.h"
#include "control/control_api.h"
#include "core/simulator.h"
#include "http/http_client.h"
#include "http/http_server.h"
#include "world/default_world.h"

namespace pistesim::scenario {

namespace {

// 2026-11-23T09:00:00Z: embedded runs start at the same instant, so reports are reproducible.
constexpr Millis kEmbeddedStartMs = 1795424400000;
constexpr std::string_view kEmbeddedOrigin = "http://pistesim.embedded";
constexpr std::string_view kControlPrefix = "/__pistesim";

// An absolute URL cut into what routing needs. Userinfo and fragments are not supported: a
// scenario names the simulator's endpoints, never credentials in a URL.
struct Url {
  std::string scheme;     // "http" or "https", lower case
  std::string authority;  // "host" or "host:port", as written
  std::string host;       // lower case, without the port
  std::string path;       // "/" when absent
  std::string query;      // without '?'
  std::string origin() const { return scheme + "://" + authority; }
};

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

Result<Url> parse_url(std::string_view text) {
  auto fail = [&](const std::string& why) -> Result<Url> {
    return Error{"malformed URL « " + std::string(text) + " »: " + why};
  };
  Url u;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return fail("expected http://host[:port]/path");
  u.scheme = lower(std::string(text.substr(0, sep)));
  if (u.scheme != "http" && u.scheme != "https") return fail("the scheme must be http or https");
  std::string_view rest = text.substr(sep + 3);
  size_t end = rest.find_first_of("/?#");
  u.authority = std::string(rest.substr(0, end));
  if (u.authority.empty()) return fail("no host");
  if (u.authority.find('@') != std::string::npos) {
    // Not echoed: what precedes the '@' is a password.
    return Error{"malformed URL: credentials in a URL are refused"};
  }
  if (u.authority.find_first_of(" \t\r\n") != std::string::npos) return fail("space in the host");
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  size_t q = rest.find('?');
  u.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) u.query = std::string(rest.substr(q + 1));
  if (u.path.empty()) u.path = "/";
  if (u.path.find_first_of(" \t\r\n") != std::string::npos) return fail("space in the path");
  std::string host = u.authority;
  if (!host.empty() && host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos) {
    std::string port = host.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
      return fail("bad port « " + port + " »");
    host = host.substr(0, colon);
  }
  u.host = lower(host);
  return u;
}

// PISTE's own host names (sandbox-oauth.piste.gouv.fr, …): the simulator routes them by Host,
// so a scenario may name PISTE's real URLs.
bool is_piste_host(const std::string& host) {
  constexpr std::string_view suffix = ".piste.gouv.fr";
  return host.size() > suffix.size() && host.ends_with(suffix);
}

bool is_control_path(std::string_view path, std::string_view prefix = {}) {
  if (!path.starts_with(prefix)) return false;
  path.remove_prefix(prefix.size());
  return path.starts_with(kControlPrefix) &&
         (path.size() == kControlPrefix.size() || path[kControlPrefix.size()] == '/');
}

BaseUrls urls_under(const std::string& base) {
  return {base + "/sandbox/oauth", base + "/sandbox/api", base + "/production/oauth",
          base + "/production/api", base + std::string(kControlPrefix)};
}

// The simulator in this process, on its own world and manual clock.
class EmbeddedTarget final : public Target {
 public:
  EmbeddedTarget(World world, Millis start_ms, Profile profile)
      : clock_(std::make_shared<ManualClock>(start_ms)),
        // An empty admin token: the simulator draws a random one.
        sim_(std::make_unique<Simulator>(std::move(world), SimulatorOptions{profile, {}}, clock_)) {
    sim_->set_public_url(std::string(kEmbeddedOrigin));
  }

  ~EmbeddedTarget() override {
    std::lock_guard lock(server_mutex_);
    if (server_) server_->stop();
  }

  std::string description() const override { return "embedded"; }
  BaseUrls base_urls() const override { return urls_under(std::string(kEmbeddedOrigin)); }

  Result<Response> send(const std::string& method, const std::string& url,
                        Request request) override {
    auto u = parse_url(url);
    if (!u) return u.error();
    if (u->origin() != kEmbeddedOrigin && u->origin() != loopback_origin() &&
        !is_piste_host(u->host))
      return Error{"« " + url + " » is not on the embedded simulator (" +
                   std::string(kEmbeddedOrigin) + ")"};
    request.method = method;
    request.path = u->path;
    request.query = u->query;
    if (!request.headers.find("Host")) request.headers.add("Host", u->authority);
    if (request.remote_addr.empty()) request.remote_addr = "127.0.0.1";
    if (is_control_path(request.path) && !request.headers.find("Authorization"))
      request.headers.add("Authorization", "Bearer " + sim_->admin_token());
    Response response = serve_request(*sim_, request);
    // An injected latency, waited as a client of a server would (the core does not sleep).
    if (response.delay_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(response.delay_ms));
    if (response.drop_connection) return Error{"connection dropped (injected fault)"};
    return response;
  }

  Result<BaseUrls> socket_urls() override {
    std::lock_guard lock(server_mutex_);
    if (!server_) {
      HttpServerOptions options;
      options.host = "127.0.0.1";
      options.port = 0;
      options.threads = 2;
      auto server = std::make_unique<HttpServer>(*sim_, options);
      if (Result<void> bound = server->bind(); !bound)
        return Error{"cannot start the loopback server: " + bound.error().message};
      server->start();
      loopback_origin_ = server->base_url();
      server_ = std::move(server);
    }
    return urls_under(loopback_origin_);
  }

  std::string admin_token() const override { return sim_->admin_token(); }

  Result<std::vector<JournalEntry>> journal(uint64_t after_seq) override {
    return sim_->journal().since(after_seq);
  }
  Result<uint64_t> journal_position() override { return sim_->journal().last_seq(); }
  Result<void> reset() override {
    sim_->reset();
    return {};
  }

 private:
  std::string loopback_origin() {
    std::lock_guard lock(server_mutex_);
    return loopback_origin_;
  }

  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Simulator> sim_;
  std::mutex server_mutex_;
  std::unique_ptr<HttpServer> server_;  // stopped before sim_ goes
  std::string loopback_origin_;
};

// A running simulator (`pistesim serve`) reached over HTTP(S). One connection, shared under a
// lock: a background exec step and the scenario's own steps may use the target at once.
class RemoteTarget final : public Target {
 public:
  RemoteTarget(Url base, std::string admin_token, bool verify_tls, const std::string& ca_file)
      : base_(std::move(base)),
        prefix_(base_.path == "/" ? std::string() : base_.path),
        admin_token_(std::move(admin_token)),
        client_(base_.origin(), verify_tls, ca_file) {
    while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
  }

  std::string description() const override { return base_.origin() + prefix_; }
  BaseUrls base_urls() const override { return urls_under(description()); }

  Result<Response> send(const std::string& method, const std::string& url,
                        Request request) override {
    auto u = parse_url(url);
    if (!u) return u.error();
    // E-mail links carry the server's public URL, which may name it differently than --target
    // does (localhost vs 127.0.0.1, a proxy): a control path is the server's wherever it points.
    bool ours = u->origin() == base_.origin() || is_piste_host(u->host) ||
                is_control_path(u->path, prefix_);
    if (!ours) return Error{"« " + url + " » is not on the target " + description()};
    request.method = method;
    request.path = u->path;
    request.query = u->query;
    if (is_piste_host(u->host) && !request.headers.find("Host"))
      request.headers.add("Host", u->authority);
    if (is_control_path(request.path, prefix_) && !request.headers.find("Authorization"))
      request.headers.add("Authorization", "Bearer " + admin_token_);
    std::lock_guard lock(mutex_);
    return client_.send(request);
  }

  Result<BaseUrls> socket_urls() override { return base_urls(); }
  std::string admin_token() const override { return admin_token_; }

  Result<std::vector<JournalEntry>> journal(uint64_t after_seq) override {
    auto body = control_json("GET", "/journal?after=" + std::to_string(after_seq));
    if (!body) return body.error();
    if (!body->contains("entries") || !(*body)["entries"].is_array())
      return Error{"the target's journal answer has no « entries »"};
    std::vector<JournalEntry> entries;
    for (const auto& j : (*body)["entries"]) {
      auto e = journal_entry_from_json(j);
      if (!e) return Error{"the target's journal holds an entry of an unknown form"};
      entries.push_back(std::move(*e));
    }
    return entries;
  }

  Result<uint64_t> journal_position() override {
    auto body = control_json("GET", "/journal?limit=0");
    if (!body) return body.error();
    auto it = body->find("last_seq");
    if (it == body->end() || !it->is_number_unsigned())
      return Error{"the target's journal answer has no « last_seq »"};
    return it->get<uint64_t>();
  }

  Result<void> reset() override {
    auto answer = control_json("POST", "/world/reset");
    if (!answer) return answer.error();
    return {};
  }

 private:
  // A control call that must succeed with a JSON answer.
  Result<nlohmann::json> control_json(const std::string& method, const std::string& target) {
    const std::string call = method + " " + std::string(kControlPrefix) + target;
    auto r = send(method, description() + std::string(kControlPrefix) + target, Request{});
    if (!r) return Error{call + ": " + r.error().message};
    if (r->status / 100 != 2) {
      std::string why = call + " answered " + std::to_string(r->status);
      if (r->status == 401) why += " (wrong or missing admin token)";
      return Error{std::move(why)};
    }
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Error{call + ": not JSON"};
    return j;
  }

  Url base_;
  std::string prefix_;  // a path the server sits under behind a proxy ("" usually)
  std::string admin_token_;
  std::mutex mutex_;
  HttpClient client_;
};

// A server that is not a pistesim (another OAuth server, a staging gateway): requests go to
// whatever http(s) URL a step names, one connection per origin; there is no control API.
class PlainTarget final : public Target {
 public:
  explicit PlainTarget(Url base, bool verify_tls, std::string ca_file)
      : base_(std::move(base)), verify_tls_(verify_tls), ca_file_(std::move(ca_file)) {}

  std::string description() const override {
    return base_.origin() + (base_.path == "/" ? std::string() : base_.path);
  }
  BaseUrls base_urls() const override { return urls_under(description()); }

  Result<Response> send(const std::string& method, const std::string& url,
                        Request request) override {
    auto u = parse_url(url);
    if (!u) return u.error();
    request.method = method;
    request.path = u->path;
    request.query = u->query;
    std::lock_guard lock(mutex_);
    auto& client = clients_[u->origin()];
    if (!client) client = std::make_unique<HttpClient>(u->origin(), verify_tls_, ca_file_);
    return client->send(request);
  }

  Result<BaseUrls> socket_urls() override { return base_urls(); }
  std::string admin_token() const override { return {}; }

  Result<std::vector<JournalEntry>> journal(uint64_t) override {
    return Error{no_control("has no request journal")};
  }
  // The runner notes the journal position as each scenario starts: a plain target has none to
  // note, and a journal step fails in journal() instead.
  Result<uint64_t> journal_position() override { return uint64_t{0}; }
  Result<void> reset() override { return {}; }  // nothing to reset: its own state is its own

 private:
  std::string no_control(const std::string& what) const {
    return "the target " + description() + " " + what +
           " (not a pistesim: no control API; give --admin-token for a pistesim target)";
  }

  Url base_;
  bool verify_tls_;
  std::string ca_file_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<HttpClient>> clients_;  // by origin
};

}  // namespace

Result<std::unique_ptr<Target>> make_target(const TargetOptions& options) {
  if (!options.url.empty()) {
    auto url = parse_url(options.url);
    if (!url)
      return Error{"bad target URL: " + url.error().message + " (expected http(s)://host:port)"};
    if (!url->query.empty())
      return Error{"the target URL « " + options.url + " » must not have a query"};
    if (!options.control) {
      return std::unique_ptr<Target>(
          std::make_unique<PlainTarget>(std::move(*url), options.verify_tls, options.ca_file));
    }
    std::string token = options.admin_token;
    if (token.empty())
      if (const char* env = std::getenv("PISTESIM_ADMIN_TOKEN")) token = env;
    if (token.empty()) {
      return Error{
          "the target " + options.url +
          " needs its admin token (--admin-token or PISTESIM_ADMIN_TOKEN; `pistesim serve` "
          "prints it)"};
    }
    return std::unique_ptr<Target>(std::make_unique<RemoteTarget>(
        std::move(*url), std::move(token), options.verify_tls, options.ca_file));
  }
  std::string world_path = options.world == "default" ? std::string() : options.world;
  WorldLoadResult loaded = load_world(world_path);
  if (!loaded.ok()) {
    std::string why =
        "cannot load the world " + (world_path.empty() ? "default" : world_path) + ":";
    for (const auto& e : loaded.errors) why += "\n  " + e.to_string();
    return Error{std::move(why)};
  }
  return std::unique_ptr<Target>(std::make_unique<EmbeddedTarget>(
      std::move(loaded.world), options.start_ms ? options.start_ms : kEmbeddedStartMs,
      options.profile));
}

}  // namespace pistesim::scenario
