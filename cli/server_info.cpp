#include "server_info.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iomanip>
#include <sstream>

#include "wire/encoding.h"

namespace pistesim::cli {

using nlohmann::json;

namespace {
json credentials_of(const Application& app) {
  json j = {{"application", app.id}, {"name", app.name}, {"channel", to_string(app.channel)}};
  for (const auto& c : app.oauth_clients)
    if (c.enabled && c.type == ClientType::Confidential) {
      j["client_id"] = c.client_id;
      j["client_secret"] = c.client_secret;
      break;
    }
  for (const auto& k : app.api_keys)
    if (k.enabled) {
      j["api_key"] = k.key;
      break;
    }
  return j;
}
}  // namespace

json server_info(const Simulator& sim, const std::string& base_url,
                 const std::map<Endpoint, std::string>& host_urls) {
  auto snap = sim.snapshot();
  auto url = [&](Endpoint e) { return base_url + std::string(path_prefix(e)); };
  json info = {
      {"world", snap->world.settings.name},
      {"profile", to_string(sim.profile())},
      {"base_url", base_url},
      {"sandbox",
       {{"oauth_url", url(Endpoint::SandboxOAuth)},
        {"token_url", url(Endpoint::SandboxOAuth) + "/api/oauth/token"},
        {"api_url", url(Endpoint::SandboxApi)}}},
      {"production",
       {{"oauth_url", url(Endpoint::ProductionOAuth)},
        {"token_url", url(Endpoint::ProductionOAuth) + "/api/oauth/token"},
        {"api_url", url(Endpoint::ProductionApi)}}},
      {"control_url", url(Endpoint::Control)},
      {"portal_url", base_url + "/"},
      {"console_url", base_url + "/console/"},
      {"admin_token", sim.admin_token()},
  };
  // Ports of their own per PISTE host: the host's URL as the real one, with its own port.
  if (!host_urls.empty()) {
    json hosts = json::object();
    for (const auto& [endpoint, url] : host_urls) {
      json& channel = hosts[channel_of(endpoint) == Channel::Sandbox ? "sandbox" : "production"];
      const bool oauth =
          endpoint == Endpoint::SandboxOAuth || endpoint == Endpoint::ProductionOAuth;
      channel[oauth ? "oauth_host" : "api_host"] = piste_host(endpoint);
      channel[oauth ? "oauth_url" : "api_url"] = url;
      if (oauth) channel["token_url"] = url + "/api/oauth/token";
    }
    info["host_ports"] = hosts;
  }
  const std::string& demo = snap->world.settings.demo_user;
  if (!demo.empty()) {
    json d = {{"user", demo}};
    if (!snap->world.settings.demo_password.empty())
      d["password"] = snap->world.settings.demo_password;
    for (const auto& app : snap->world.applications) {
      if (ascii_lower(app.owner) != ascii_lower(demo)) continue;
      const char* key = app.channel == Channel::Sandbox ? "sandbox" : "production";
      if (!d.contains(key)) d[key] = credentials_of(app);
    }
    info["demo"] = d;
  }
  // Provider-side accounts (Chorus Pro's cpro-account), ready to paste as a header value.
  json accounts = json::array();
  for (const auto& api : snap->world.apis) {
    if (!api.technical_account) continue;
    std::vector<std::string> given = api.technical_account->accounts;
    if (api.technical_account->from_structures)  // Chorus Pro's structures hold them
      for (const auto& s : snap->world.cpro_structures)
        for (const auto& t : s.technical_accounts)
          if (t.active) given.push_back(t.login + ":" + t.password);
    for (const auto& account : given) {
      json a = {{"header", api.technical_account->header},
                {"account", account},
                {"value", base64_encode(account)}};
      if (std::find(accounts.begin(), accounts.end(), a) == accounts.end()) accounts.push_back(a);
    }
  }
  if (!accounts.empty()) info["technical_accounts"] = accounts;
  return info;
}

std::string describe_server(const json& info) {
  std::ostringstream out;
  out << "pistesim is serving \"" << info["world"].get<std::string>() << "\" (profile "
      << info["profile"].get<std::string>() << ")\n\n";
  for (const char* ch : {"sandbox", "production"}) {
    const json& c = info[ch];
    out << "  " << (std::string(ch) == "sandbox" ? "SANDBOX   " : "PRODUCTION")
        << "  token: " << c["token_url"].get<std::string>() << "\n"
        << "              APIs:  " << c["api_url"].get<std::string>()
        << "/<base path>/<resource>\n";
  }
  if (info.contains("host_ports")) {
    out << "\n  PISTE host ports (PISTE's paths, no prefix):\n";
    for (const char* ch : {"sandbox", "production"}) {
      if (!info["host_ports"].contains(ch)) continue;
      const json& c = info["host_ports"][ch];
      for (const char* kind : {"oauth", "api"})
        if (c.contains(std::string(kind) + "_url"))
          out << "    " << std::left << std::setw(29)
              << c[std::string(kind) + "_host"].get<std::string>()
              << c[std::string(kind) + "_url"].get<std::string>() << "\n";
    }
  }
  out << "\n  control API: " << info["control_url"].get<std::string>()
      << "  (Authorization: Bearer " << info["admin_token"].get<std::string>() << ")\n";
  // The browser pages (docs/console.md); the console asks for the admin token above.
  if (info.contains("portal_url"))
    out << "  portal:      " << info["portal_url"].get<std::string>()
        << "\n  console:     " << info["console_url"].get<std::string>() << "\n";
  if (info.contains("demo")) {
    const json& d = info["demo"];
    out << "\n  demo user " << d["user"].get<std::string>();
    if (d.contains("password")) out << " / " << d["password"].get<std::string>();
    out << "\n";
    for (const char* ch : {"sandbox", "production"}) {
      if (!d.contains(ch)) continue;
      const json& a = d[ch];
      out << "    " << ch << " application " << a["name"].get<std::string>() << " (control API id "
          << a["application"].get<std::string>() << ")\n";
      if (a.contains("client_id"))
        out << "      client_id=" << a["client_id"].get<std::string>()
            << "  client_secret=" << a["client_secret"].get<std::string>() << "\n";
      if (a.contains("api_key")) out << "      KeyId: " << a["api_key"].get<std::string>() << "\n";
    }
    if (info.contains("technical_accounts"))
      for (const auto& t : info["technical_accounts"])
        out << "    provider account " << t["account"].get<std::string>() << ": send header "
            << t["header"].get<std::string>() << ": " << t["value"].get<std::string>() << "\n";
    if (d.contains("sandbox") && d["sandbox"].contains("client_id")) {
      out << "\n  try:\n    curl -s -d 'grant_type=client_credentials&client_id="
          << d["sandbox"]["client_id"].get<std::string>()
          << "&client_secret=" << d["sandbox"]["client_secret"].get<std::string>()
          << "&scope=openid' " << info["sandbox"]["token_url"].get<std::string>() << "\n"
          << "    curl -s -H \"Authorization: Bearer $TOKEN\" "
          << info["sandbox"]["api_url"].get<std::string>()
          << "/dila/legifrance/lf-engine-app/consult/ping\n";
    }
  }
  return out.str();
}

Result<void> write_info_file(const std::string& path, const json& info) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Error{"cannot create " + tmp + ": " + std::strerror(errno)};
  std::string text = info.dump(2) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int saved = ok ? 0 : errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    std::remove(tmp.c_str());
    return Error{"cannot write " + path + ": " + std::strerror(saved ? saved : EIO)};
  }
  return {};
}

}  // namespace pistesim::cli
