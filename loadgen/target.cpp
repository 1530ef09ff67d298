#include "loadgen/target.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "control/control_api.h"
#include "core/simulator.h"
#include "crypto/secrets.h"
#include "http/http_client.h"
#include "http/http_server.h"
#include "wire/encoding.h"
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
      Response answer = serve_request(*sim_, Endpoint::Control, r);
      if (answer.status != 201)
        throw std::runtime_error("fault refused by the simulator: " + answer.body);
    }
    HttpServerOptions ho;
    ho.host = "127.0.0.1";
    ho.port = 0;
    ho.threads = o.server_threads;  // 0: an event loop per core
    // Every connection of a load run comes from 127.0.0.1.
    ho.max_connections = std::max(ho.max_connections, w.connections + 64);
    ho.max_connections_per_client = ho.max_connections;
    server_ = std::make_unique<HttpServer>(*sim_, ho);
    if (Result<void> bound = server_->bind(); !bound)
      throw std::runtime_error("embedded server: " + bound.error().message);
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

// The control API of one pistesim node, as its operator (admin token) or, with `user` set, as
// that user of the portal.
struct ControlSession {
  ControlSession(const std::string& url, const std::string& admin, const TlsClientOptions& tls)
      : url(url),
        admin(admin),
        client(std::make_unique<HttpClient>(url, tls.verify, tls.ca_file)) {}

  // `allowed_code`: a 4xx whose "code" is this one is an expected outcome, not an error.
  nlohmann::json call(const std::string& method, const std::string& path, const std::string& body,
                      int expect, const std::string& allowed_code = "") {
    Request r = Request::make(method, path, body);
    r.headers.add("Authorization", "Bearer " + admin);
    if (!user.empty()) r.headers.add("X-Pistesim-User", user);
    if (!body.empty()) r.headers.add("Content-Type", "application/json");
    auto answer = client->send(r);
    if (!answer) throw std::runtime_error(method + " " + path + ": " + answer.error().message);
    auto j = nlohmann::json::parse(answer->body, nullptr, false);
    if (!allowed_code.empty() && answer->status >= 400 && answer->status < 500 && j.is_object() &&
        j.value("code", "") == allowed_code)
      return j;
    if (answer->status != expect && !(expect == 200 && answer->status == 201))
      throw std::runtime_error(url + ": " + method + " " + path + ": status " +
                               std::to_string(answer->status) + " " + answer->body.substr(0, 300));
    return j.is_discarded() ? nlohmann::json::object() : j;
  }

  // The node's clock against ours: quota windows are on it (it may have been advanced).
  void measure_clock(TargetNode& node) {
    Millis before = wall_now();
    nlohmann::json clock = call("GET", "/__pistesim/clock", "", 200);
    Millis after = wall_now();
    Millis server = clock.at("now_ms").get<Millis>();
    node.clock_offset_ms = server - (before + after) / 2;
    node.clock_uncertainty_ms = (after - before) / 2 + 1;
  }

  std::string url, admin, user;
  std::unique_ptr<HttpClient> client;
};

// The URL's parts; a malformed URL is the caller's error, said once for the whole run.
HttpUrl checked_url(const std::string& url) {
  auto u = parse_http_url(url);
  if (!u) throw std::runtime_error(u.error().message);
  return std::move(u).value();
}

TargetNode node_of(const std::string& url) {
  HttpUrl u = checked_url(url);
  TargetNode n;
  n.host = u.host;
  n.port = u.port;
  n.label = url;
  n.host_header = u.authority;
  return n;
}

void set_address(TargetInfo& info, const std::string& url) {
  HttpUrl u = checked_url(url);
  info.host = u.host;
  info.port = u.port;
  info.tls = u.tls;
  info.label = url;
  info.host_header = u.authority;
}

QuotaSpec quota_of(const nlohmann::json& app) {
  const nlohmann::json& q = app.at("quota");
  auto window = parse_quota_window(q.at("window").get<std::string>());
  return {q.at("limit").get<int64_t>(), window.value_or(QuotaWindow::Second)};
}

class RemoteTarget final : public LoadTarget {
 public:
  RemoteTarget(const Workload& w, const std::vector<std::string>& urls,
               const RemoteOptions& options) {
    if (urls.empty()) throw std::runtime_error("no --target given");
    if (options.token_per_node && urls.size() < 2)
      throw std::runtime_error("--token-per-node is for several --target");
    const std::string& url = urls.front();
    if (options.admin_token.empty())
      throw std::runtime_error(
          "a remote pistesim target needs its admin token (--admin-token or "
          "PISTESIM_ADMIN_TOKEN) to create the load applications");
    admin_ = options.admin_token;
    const TlsClientOptions& tls = options.tls;
    for (const auto& u : urls)  // before any client: their errors
      if (checked_url(u).tls != url.starts_with("https://"))
        throw std::runtime_error("every --target is http:// or every one is https://, not a mix");
    set_address(info_, url);
    info_.tls_options = tls;
    session_ = std::make_unique<ControlSession>(url, admin_, tls);
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
    std::vector<std::string> own;  // --use-applications: the target's, sorted by id
    // The other nodes, when their quotas are set here too (independent nodes each need it; a
    // cluster's nodes apply it once more, unchanged). Closed before the run.
    std::vector<std::unique_ptr<ControlSession>> others;
    if (!options.use_applications.empty()) {
      own = own_applications(options.use_applications);
      for (size_t k = 1; k < urls.size(); ++k)
        others.push_back(std::make_unique<ControlSession>(urls[k], admin_, tls));
    }
    std::vector<size_t> group_start(w.groups.size(), 0);
    for (size_t g = 1; g < w.groups.size(); ++g)
      group_start[g] = group_start[g - 1] + w.groups[g - 1].count;
    for_each_app(w, [&](size_t g, size_t i) {
      const ApplicationGroup& group = w.groups[g];
      AppCredentials cred;
      if (!own.empty()) {
        cred = existing_application(w, own, group_start[g] + i, group, options.use_applications);
      } else {
        std::string name = app_id("load-" + options.run_id + "-", group, i);
        cred = group.channel == Channel::Production
                   ? production_application(w, name, organisation, demo)
                   : sandbox_application(w, name);
      }
      if (group.quota) {
        nlohmann::json q = {{"limit", group.quota->limit},
                            {"window", std::string(to_string(group.quota->window))}};
        const std::string path = "/__pistesim/applications/" + cred.id + "/quota";
        control("PUT", path, q.dump(), 200);
        for (auto& node : others) node->call("PUT", path, q.dump(), 200);
      }
      cred.quota = quota_of(control("GET", "/__pistesim/applications/" + cred.id, "", 200));
      cred.channel = group.channel;
      cred.group = g;
      info_.apps.push_back(cred);
    });
    for (const auto& f : w.faults) control("POST", "/__pistesim/faults", f.dump(), 201);
    TargetNode first = node_of(url);
    session_->measure_clock(first);
    info_.clock_offset_ms = first.clock_offset_ms;
    info_.clock_uncertainty_ms = first.clock_uncertainty_ms;
    // Close the control connection: a server with a thread per connection would otherwise keep
    // a worker on it for its keep-alive timeout, starving one of the load's connections.
    session_.reset();
    others.clear();
    if (urls.size() > 1) {
      info_.nodes.push_back(first);
      for (size_t k = 1; k < urls.size(); ++k) info_.nodes.push_back(same_world_node(urls[k], url));
      info_.label = urls.front();
      for (size_t k = 1; k < urls.size(); ++k) info_.label += " + " + urls[k];
      info_.token_per_node = options.token_per_node;
    }
  }

 private:
  // A PRODUCTION application of the demo user's organisation, created and subscribed through
  // the portal as that user.
  AppCredentials production_application(const Workload& w, const std::string& name,
                                        const std::string& organisation, const std::string& demo) {
    nlohmann::json body = {{"organisation", organisation},
                           {"name", name},
                           {"description", "pistesim load application"},
                           {"email", demo},
                           {"structure_info", "Autre"},
                           {"responsible", demo}};
    nlohmann::json app = control("POST", "/__pistesim/portal/applications", body.dump(), 201);
    AppCredentials cred;
    cred.id = app.at("id").get<std::string>();
    cred.client_id = app.at("oauth_clients").at(0).at("client_id").get<std::string>();
    cred.client_secret = client_secret(cred);
    for (const std::string& api : mix_apis(w))
      control("PUT", "/__pistesim/portal/applications/" + cred.id + "/subscriptions/" + api, "",
              200);
    return cred;
  }

  // A SANDBOX application. PISTE gives each account exactly one, APP_SANDBOX_<email>, when the
  // account is activated: so each is an account of its own, registered and activated through
  // the portal as a person would (the activation link read from the simulator's mailbox). Its
  // owner then accepts the CGU of the mix's APIs on SANDBOX and subscribes to them.
  AppCredentials sandbox_application(const Workload& w, const std::string& name) {
    const std::string email = name + "@pistesim.test";
    const std::string password = "Load-" + random_alphanumeric(20) + "-9a!";
    nlohmann::json account = {{"name", name},
                              {"email", email},
                              {"password", password},
                              {"password_confirmation", password},
                              {"organisation_code", ""},
                              {"opt_in_news", false},
                              {"opt_in_surveys", false},
                              {"cgu_accepted", true},
                              {"captcha", "PISTE"}};
    const std::string demo = user_;
    user_.clear();  // registering and activating are done by nobody logged in
    control("POST", "/__pistesim/portal/register", account.dump(), 201);
    nlohmann::json mails =
        control("GET", "/__pistesim/mail?to=" + form_encode(email) + "&kind=activation", "", 200);
    std::string link;
    if (mails.is_array() && !mails.empty())
      for (const auto& l : mails.back().value("links", nlohmann::json::array()))
        if (l.value("url", "").find("/__pistesim/portal/activate?") != std::string::npos)
          link = l.value("url", "");
    if (link.empty())
      throw std::runtime_error("no activation e-mail with a link for " + email +
                               " in the target's mailbox");
    // The link carries the server's public URL: follow its path on the URL given to us.
    nlohmann::json activated = control("GET", link.substr(link.find("/__pistesim/")), "", 200);
    user_ = email;
    AppCredentials cred;
    cred.id = activated.value("sandbox_application", "");
    if (cred.id.empty())
      throw std::runtime_error("activating " + email + " created no sandbox application");
    nlohmann::json app = control("GET", "/__pistesim/portal/applications/" + cred.id, "", 200);
    cred.client_id = app.at("oauth_clients").at(0).at("client_id").get<std::string>();
    cred.client_secret = client_secret(cred);
    for (const std::string& api : mix_apis(w)) {
      nlohmann::json consent = {{"accept", {{{"api", api}, {"channel", "SANDBOX"}}}}};
      // An API without CGU has nothing to accept (400 NO_CGU).
      control("POST", "/__pistesim/portal/api-cgu", consent.dump(), 200, "NO_CGU");
      control("PUT", "/__pistesim/portal/applications/" + cred.id + "/subscriptions/" + api, "",
              200);
    }
    user_ = demo;
    return cred;
  }

  std::string client_secret(const AppCredentials& cred) {
    return control("GET",
                   "/__pistesim/portal/applications/" + cred.id + "/oauth-clients/" +
                       cred.client_id + "/secret",
                   "", 200)
        .at("client_secret")
        .get<std::string>();
  }

  nlohmann::json control(const std::string& method, const std::string& path,
                         const std::string& body, int expect,
                         const std::string& allowed_code = "") {
    session_->user = user_;
    return session_->call(method, path, body, expect, allowed_code);
  }

  // The ids of the target's applications that start with `prefix`, sorted.
  std::vector<std::string> own_applications(const std::string& prefix) {
    std::vector<std::string> ids;
    for (const auto& a : control("GET", "/__pistesim/applications", "", 200))
      if (a.value("id", "").starts_with(prefix)) ids.push_back(a.value("id", ""));
    std::sort(ids.begin(), ids.end());
    if (ids.empty())
      throw std::runtime_error("--use-applications " + prefix + ": " + session_->url +
                               " has no application whose id starts with it");
    return ids;
  }

  // The `index`-th of the target's applications (counted over every group), as it is: its
  // first OAuth client, its secret read as its owner.
  AppCredentials existing_application(const Workload& w, const std::vector<std::string>& own,
                                      size_t index, const ApplicationGroup& group,
                                      const std::string& prefix) {
    size_t wanted = 0;
    for (const auto& g : w.groups) wanted += g.count;
    if (index >= own.size())
      throw std::runtime_error("--use-applications " + prefix + ": the workload plays " +
                               std::to_string(wanted) + " applications, " + session_->url +
                               " has " + std::to_string(own.size()) + " whose id starts with it");
    AppCredentials cred;
    cred.id = own[index];
    nlohmann::json app = control("GET", "/__pistesim/applications/" + cred.id, "", 200);
    if (app.value("channel", "") != to_string(group.channel))
      throw std::runtime_error("--use-applications: application " + cred.id + " is on " +
                               app.value("channel", "") + ", group '" + group.name + "' plays " +
                               std::string(to_string(group.channel)));
    const auto& clients = app.value("oauth_clients", nlohmann::json::array());
    if (clients.empty())
      throw std::runtime_error("--use-applications: application " + cred.id +
                               " has no OAuth client");
    for (const std::string& api : mix_apis(w)) {
      bool subscribed = false;
      for (const auto& s : app.value("subscriptions", nlohmann::json::array()))
        subscribed = subscribed || s.value("api", "") == api;
      if (!subscribed)
        throw std::runtime_error("--use-applications: application " + cred.id +
                                 " is not subscribed to API '" + api + "' of the mix");
    }
    cred.client_id = clients.at(0).at("client_id").get<std::string>();
    const std::string demo = user_;
    user_ = app.value("owner", "");
    cred.client_secret = client_secret(cred);
    user_ = demo;
    return cred;
  }

  // Another node of the target: it must serve the world learnt from the first (the same
  // profile, every application with the same client, secret and quota). A cluster's node may
  // lag a moment behind the first: each check is retried for up to 5 s.
  TargetNode same_world_node(const std::string& url, const std::string& first) {
    ControlSession node(url, admin_, info_.tls_options);
    const std::string not_same = url + " does not serve the same world as " + first + ": ";
    const std::string remedy =
        ". Several --target must be nodes of one cluster, or nodes of one world file driven "
        "with --use-applications (and --token-per-node, as they share no tokens)";
    nlohmann::json world = node.call("GET", "/__pistesim/world", "", 200);
    const std::string profile = info_.missing_token_status == 401 ? "rfc" : "piste";
    if (world.value("profile", "piste") != profile)
      throw std::runtime_error(not_same + "its profile is " + world.value("profile", "piste") +
                               ", not " + profile + remedy);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (const AppCredentials& cred : info_.apps) {
      for (;;) {
        std::string why;
        nlohmann::json app =
            node.call("GET", "/__pistesim/applications/" + cred.id, "", 200, "UNKNOWN_APPLICATION");
        if (app.value("code", "") == "UNKNOWN_APPLICATION") {
          why = "application " + cred.id + " is unknown there";
        } else if (quota_of(app) != cred.quota) {
          why = "application " + cred.id + " has another quota there";
        } else {
          node.user = app.value("owner", "");
          nlohmann::json secret = node.call("GET",
                                            "/__pistesim/portal/applications/" + cred.id +
                                                "/oauth-clients/" + cred.client_id + "/secret",
                                            "", 200, "UNKNOWN_CLIENT");
          node.user.clear();
          if (secret.value("client_secret", "") != cred.client_secret)
            why = "application " + cred.id + " has another OAuth client or secret there";
        }
        if (why.empty()) break;
        if (std::chrono::steady_clock::now() > deadline)
          throw std::runtime_error(not_same + why + remedy);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    TargetNode n = node_of(url);
    node.measure_clock(n);
    return n;
  }

  std::unique_ptr<ControlSession> session_;
  std::string admin_;
  std::string user_;
};

class PlainTarget final : public LoadTarget {
 public:
  PlainTarget(const Workload& w, const std::string& url, const TlsClientOptions& tls) {
    set_address(info_, url);
    info_.tls_options = tls;
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

std::unique_ptr<LoadTarget> start_embedded_target(const Workload& workload,
                                                  const EmbeddedOptions& options) {
  return std::make_unique<EmbeddedTarget>(workload, options);
}

std::unique_ptr<LoadTarget> connect_remote_target(const Workload& workload, const std::string& url,
                                                  const std::string& admin_token,
                                                  const std::string& run_id,
                                                  const TlsClientOptions& tls) {
  RemoteOptions o;
  o.admin_token = admin_token;
  o.run_id = run_id;
  o.tls = tls;
  return connect_remote_targets(workload, {url}, o);
}

std::unique_ptr<LoadTarget> connect_remote_targets(const Workload& workload,
                                                   const std::vector<std::string>& urls,
                                                   const RemoteOptions& options) {
  return std::make_unique<RemoteTarget>(workload, urls, options);
}

std::unique_ptr<LoadTarget> plain_target(const Workload& workload, const std::string& url,
                                         const TlsClientOptions& tls) {
  return std::make_unique<PlainTarget>(workload, url, tls);
}

}  // namespace pistesim::loadgen
