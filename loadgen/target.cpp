#include "loadgen/target.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/simulator.h"
#include "crypto/secrets.h"
#include "http/http_client.h"
#include "http/http_server.h"
#include "world/default_world.h"

namespace pistesim::loadgen {

namespace {

void set_prefixes(TargetInfo& t) {
  t.oauth_prefix[static_cast<int>(Channel::Sandbox)] =
      std::string(path_prefix(Endpoint::SandboxOAuth));
  t.oauth_prefix[static_cast<int>(Channel::Production)] =
      std::string(path_prefix(Endpoint::ProductionOAuth));
  t.api_prefix[static_cast<int>(Channel::Sandbox)] = std::string(path_prefix(Endpoint::SandboxApi));
  t.api_prefix[static_cast<int>(Channel::Production)] =
      std::string(path_prefix(Endpoint::ProductionApi));
}

// The applications of this shard: index i of each group when i % shard_count == shard_index.
template <class F>
void for_each_app(const Workload& w, F&& f) {
  size_t global = 0;
  for (size_t g = 0; g < w.groups.size(); ++g)
    for (size_t i = 0; i < w.groups[g].count; ++i, ++global)
      if (w.in_shard(global)) f(g, i);
}

std::string app_id(const std::string& prefix, const ApplicationGroup& g, size_t i) {
  return prefix + g.name + "-" + std::to_string(i + 1);
}

std::set<std::string> mix_apis(const Workload& w) {
  std::set<std::string> apis;
  for (const auto& m : w.mix)
    if (!m.api.empty()) apis.insert(m.api);
  return apis;
}

class EmbeddedTarget final : public LoadTarget {
 public:
  EmbeddedTarget(const Workload& w, const EmbeddedOptions& o) {
    WorldLoadResult loaded = load_world(o.world_path);
    if (!loaded.ok()) throw std::runtime_error(loaded.errors.front().to_string());
    World world = std::move(loaded.world);
    const User* owner = nullptr;
    for (const auto& u : world.users)
      if (iequals(u.email, world.settings.demo_user)) owner = &u;
    if (!owner || owner->memberships.empty())
      throw std::runtime_error(
          "the world has no demo user with an organisation to own the "
          "load applications (settings.demo_user)");
    const std::string owner_email = owner->email;
    const std::string organisation = owner->memberships.back().organisation;
    std::vector<CguConsent> consents;
    for_each_app(w, [&](size_t g, size_t i) {
      const ApplicationGroup& group = w.groups[g];
      Application app;
      app.id = app_id("load-", group, i);
      app.name = app.id;
      app.channel = group.channel;
      app.organisation = organisation;
      app.owner = owner_email;
      app.email = owner_email;
      app.description = "pistesim load application";
      app.quota = group.quota;
      OAuthClient client;
      client.client_id = random_uuid();
      client.client_secret = random_uuid();
      app.oauth_clients.push_back(client);
      for (const std::string& api_id : mix_apis(w)) {
        const Api* api = nullptr;
        for (const auto& a : world.apis)
          if (a.id == api_id) api = &a;
        if (!api)
          throw std::runtime_error("the mix names API '" + api_id + "', unknown to the world");
        if (!api->published_on(group.channel))
          throw std::runtime_error("API '" + api_id + "' is not published on " +
                                   std::string(to_string(group.channel)));
        Subscription s;
        s.api = api_id;
        s.scopes = api->scopes;
        app.subscriptions.push_back(s);
        if (!api->cgu.empty()) consents.push_back({api_id, group.channel});
      }
      AppCredentials cred;
      cred.id = app.id;
      cred.channel = app.channel;
      cred.client_id = client.client_id;
      cred.client_secret = client.client_secret;
      cred.quota = group.quota.value_or(group.channel == Channel::Production
                                            ? world.settings.production_quota
                                            : world.settings.sandbox_quota);
      cred.group = g;
      info_.apps.push_back(cred);
      world.applications.push_back(std::move(app));
    });
    for (auto& u : world.users)
      if (u.email == owner_email)
        for (const auto& c : consents)
          if (!u.has_accepted_cgu(c.api, c.channel)) u.accepted_cgu.push_back(c);

    SimulatorOptions so;
    so.profile = o.profile;
    so.journal_capacity = 0;  // a load run does not want the journal's cost
    sim_ = std::make_unique<Simulator>(std::move(world), so, std::make_shared<SystemClock>());
    for (const auto& f : w.faults) {
      Request r = Request::make("POST", "/faults", f.dump());
      r.headers.add("Authorization", "Bearer " + sim_->admin_token());
      r.headers.add("Content-Type", "application/json");
      Response answer = sim_->handle(Endpoint::Control, r);
      if (answer.status != 201)
        throw std::runtime_error("fault refused by the simulator: " + answer.body);
    }
    HttpServerOptions ho;
    ho.host = "127.0.0.1";
    ho.port = 0;
    // cpp-httplib serves one connection per worker thread: fewer threads than connections would
    // starve the surplus connections (they wait in its queue), which measures nothing useful.
    ho.threads = o.server_threads ? o.server_threads : std::max<size_t>(32, w.connections + 8);
    server_ = std::make_unique<HttpServer>(*sim_, ho);
    std::string error;
    if (!server_->bind(&error)) throw std::runtime_error("embedded server: " + error);
    server_->start();
    sim_->set_public_url(server_->base_url());
    info_.label = "embedded";
    info_.host = "127.0.0.1";
    info_.port = server_->port();
    info_.host_header = "127.0.0.1:" + std::to_string(server_->port());
    set_prefixes(info_);
    info_.refusal_rules.pistesim_headers = true;
    info_.refusal_rules.require_retry_after = o.profile == Profile::Rfc;
    info_.missing_token_status = o.profile == Profile::Rfc ? 401 : 400;
  }
  ~EmbeddedTarget() override {
    if (server_) server_->stop();
  }

 private:
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<HttpServer> server_;
};

Millis wall_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RemoteTarget final : public LoadTarget {
 public:
  RemoteTarget(const Workload& w, const std::string& url, const std::string& admin,
               const std::string& run_id, const TlsClientOptions& tls) {
    if (admin.empty())
      throw std::runtime_error(
          "a remote pistesim target needs its admin token (--admin-token or "
          "PISTESIM_ADMIN_TOKEN) to create the load applications");
    admin_ = admin;
    parse_http_url(url, &info_.host, &info_.port, &info_.tls);  // before the client: its errors
    info_.tls_options = tls;
    client_ = std::make_unique<HttpClient>(url, tls.verify, tls.ca_file);
    info_.label = url;
    info_.host_header = url.substr(url.find("//") + 2);
    set_prefixes(info_);
    // The profile decides the answers to expect.
    nlohmann::json world = control("GET", "/__pistesim/world", "", 200);
    const bool rfc = world.value("profile", "piste") == "rfc";
    info_.refusal_rules.require_retry_after = rfc;
    info_.missing_token_status = rfc ? 401 : 400;
    // The demo user owns the applications.
    // The world's demo user (its e-mail is not in GET /world; the default world's is assumed).
    const std::string demo = "demo@pistesim.test";
    user_ = demo;
    nlohmann::json profile = control("GET", "/__pistesim/portal/profile", "", 200);
    if (!profile.contains("organisations") || profile["organisations"].empty())
      throw std::runtime_error("the demo user " + demo + " belongs to no organisation");
    std::string organisation;
    for (const auto& o : profile["organisations"])
      if (o.value("organisation", "") != "universelle") organisation = o.value("organisation", "");
    if (organisation.empty())
      organisation = profile["organisations"].back().value("organisation", "");
    for_each_app(w, [&](size_t g, size_t i) {
      const ApplicationGroup& group = w.groups[g];
      if (group.channel != Channel::Production)
        throw std::runtime_error(
            "a remote target can only be given PRODUCTION applications by "
            "the portal (group '" +
            group.name + "' is SANDBOX)");
      std::string name = app_id("load-" + run_id + "-", group, i);
      nlohmann::json body = {{"organisation", organisation},
                             {"name", name},
                             {"description", "pistesim load application"},
                             {"email", demo},
                             {"structure_info", "Autre"},
                             {"responsible", demo}};
      nlohmann::json app = control("POST", "/__pistesim/portal/applications", body.dump(), 201);
      std::string id = app.at("id").get<std::string>();
      std::string client_id = app.at("oauth_clients").at(0).at("client_id").get<std::string>();
      nlohmann::json secret = control(
          "GET",
          "/__pistesim/portal/applications/" + id + "/oauth-clients/" + client_id + "/secret", "",
          200);
      for (const std::string& api : mix_apis(w))
        control("PUT", "/__pistesim/portal/applications/" + id + "/subscriptions/" + api, "", 200);
      nlohmann::json quota;
      if (group.quota) {
        nlohmann::json q = {{"limit", group.quota->limit},
                            {"window", std::string(to_string(group.quota->window))}};
        control("PUT", "/__pistesim/applications/" + id + "/quota", q.dump(), 200);
      }
      quota = control("GET", "/__pistesim/applications/" + id, "", 200).at("quota");
      AppCredentials cred;
      cred.id = id;
      cred.channel = group.channel;
      cred.client_id = client_id;
      cred.client_secret = secret.at("client_secret").get<std::string>();
      auto window = parse_quota_window(quota.at("window").get<std::string>());
      cred.quota = {quota.at("limit").get<int64_t>(), window.value_or(QuotaWindow::Second)};
      cred.group = g;
      info_.apps.push_back(cred);
    });
    for (const auto& f : w.faults) control("POST", "/__pistesim/faults", f.dump(), 201);
    // The target's clock: quota windows are on it (it may have been advanced).
    Millis before = wall_now();
    nlohmann::json clock = control("GET", "/__pistesim/clock", "", 200);
    Millis after = wall_now();
    Millis server = clock.at("now_ms").get<Millis>();
    info_.clock_offset_ms = server - (before + after) / 2;
    info_.clock_uncertainty_ms = (after - before) / 2 + 1;
    // Close the control connection: a server with a thread per connection would otherwise keep
    // a worker on it for its keep-alive timeout, starving one of the load's connections.
    client_.reset();
  }

 private:
  nlohmann::json control(const std::string& method, const std::string& path,
                         const std::string& body, int expect) {
    Request r = Request::make(method, path, body);
    r.headers.add("Authorization", "Bearer " + admin_);
    if (!user_.empty()) r.headers.add("X-Pistesim-User", user_);
    if (!body.empty()) r.headers.add("Content-Type", "application/json");
    std::string error;
    auto answer = client_->send(r, &error);
    if (!answer) throw std::runtime_error(method + " " + path + ": " + error);
    if (answer->status != expect && !(expect == 200 && answer->status == 201))
      throw std::runtime_error(method + " " + path + ": status " + std::to_string(answer->status) +
                               " " + answer->body.substr(0, 300));
    auto j = nlohmann::json::parse(answer->body, nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
  }

  std::unique_ptr<HttpClient> client_;
  std::string admin_;
  std::string user_;
};

class PlainTarget final : public LoadTarget {
 public:
  PlainTarget(const Workload& w, const std::string& url, const TlsClientOptions& tls) {
    parse_http_url(url, &info_.host, &info_.port, &info_.tls);
    info_.tls_options = tls;
    info_.label = url;
    info_.host_header = url.substr(url.find("//") + 2);
    for_each_app(w, [&](size_t g, size_t i) {
      AppCredentials a;
      a.id = "stream-" + std::to_string(i + 1);
      a.group = g;
      a.quota.limit = 0;  // no quota is verified
      info_.apps.push_back(a);
    });
  }
};

}  // namespace

void parse_http_url(const std::string& url, std::string* host, int* port, bool* tls) {
  const bool https = url.starts_with("https://");
  if (!https && !url.starts_with("http://"))
    throw std::runtime_error(url + ": expected http://host:port or https://host:port");
  *tls = https;
  std::string rest = url.substr(https ? 8 : 7);
  if (rest.find('/') != std::string::npos)
    throw std::runtime_error(url + ": give the server's base URL without a path");
  size_t colon = rest.rfind(':');
  *host = colon == std::string::npos ? rest : rest.substr(0, colon);
  *port = https ? 443 : 80;
  if (colon != std::string::npos) {
    try {
      size_t used = 0;
      *port = std::stoi(rest.substr(colon + 1), &used);
      if (used != rest.size() - colon - 1 || *port < 1 || *port > 65535)
        throw std::out_of_range("");
    } catch (const std::logic_error&) {
      throw std::runtime_error(url + ": bad port");
    }
  }
  if (host->empty()) throw std::runtime_error(url + ": no host");
}

std::unique_ptr<LoadTarget> start_embedded_target(const Workload& workload,
                                                  const EmbeddedOptions& options) {
  return std::make_unique<EmbeddedTarget>(workload, options);
}

std::unique_ptr<LoadTarget> connect_remote_target(const Workload& workload, const std::string& url,
                                                  const std::string& admin_token,
                                                  const std::string& run_id,
                                                  const TlsClientOptions& tls) {
  return std::make_unique<RemoteTarget>(workload, url, admin_token, run_id, tls);
}

std::unique_ptr<LoadTarget> plain_target(const Workload& workload, const std::string& url,
                                         const TlsClientOptions& tls) {
  return std::make_unique<PlainTarget>(workload, url, tls);
}

}  // namespace pistesim::loadgen
