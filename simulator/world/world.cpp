#include "world/world.h"

#include <algorithm>

namespace pistesim {

std::string_view to_string(Channel c) {
  return c == Channel::Sandbox ? "SANDBOX" : "PRODUCTION";
}

std::optional<Channel> parse_channel(std::string_view s) {
  if (iequals(s, "SANDBOX")) return Channel::Sandbox;
  if (iequals(s, "PRODUCTION")) return Channel::Production;
  return std::nullopt;
}

std::string_view cpro_environment_name(Channel c) {
  return c == Channel::Sandbox ? "QUALIFICATION" : "PRODUCTION";
}

std::optional<Channel> parse_cpro_environment(std::string_view s) {
  if (s == "QUALIFICATION") return Channel::Sandbox;
  if (s == "PRODUCTION") return Channel::Production;
  return std::nullopt;
}

std::string_view to_string(QuotaWindow w) {
  return w == QuotaWindow::Second ? "1s" : "1d";
}

std::optional<QuotaWindow> parse_quota_window(std::string_view s) {
  if (s == "1s") return QuotaWindow::Second;
  if (s == "1d") return QuotaWindow::Day;
  return std::nullopt;
}

std::string to_string(const QuotaSpec& q) {
  return std::to_string(q.limit) + "/" + std::string(to_string(q.window));
}

std::string_view to_string(Role r) {
  return r == Role::Developer ? "developer" : "orgadmin";
}

std::string_view to_string(SubscriptionStatus s) {
  switch (s) {
    case SubscriptionStatus::Approved:
      return "approved";
    case SubscriptionStatus::Pending:
      return "pending";
    case SubscriptionStatus::Rejected:
      return "rejected";
    case SubscriptionStatus::Revoked:
      return "revoked";
  }
  return "approved";
}

std::optional<SubscriptionStatus> parse_subscription_status(std::string_view s) {
  if (s == "approved") return SubscriptionStatus::Approved;
  if (s == "pending") return SubscriptionStatus::Pending;
  if (s == "rejected") return SubscriptionStatus::Rejected;
  if (s == "revoked") return SubscriptionStatus::Revoked;
  return std::nullopt;
}

std::string_view to_string(ClientType t) {
  return t == ClientType::Confidential ? "confidential" : "public";
}

std::optional<ClientType> parse_client_type(std::string_view s) {
  if (s == "confidential") return ClientType::Confidential;
  if (s == "public") return ClientType::Public;
  return std::nullopt;
}

std::string_view to_string(ApplicationOrigin o) {
  switch (o) {
    case ApplicationOrigin::Created:
      return "created";
    case ApplicationOrigin::AutoSandbox:
      return "auto_sandbox";
    case ApplicationOrigin::Enrolment:
      return "enrolment";
  }
  return "created";
}

std::optional<ApplicationOrigin> parse_application_origin(std::string_view s) {
  if (s == "created") return ApplicationOrigin::Created;
  if (s == "auto_sandbox") return ApplicationOrigin::AutoSandbox;
  if (s == "enrolment") return ApplicationOrigin::Enrolment;
  return std::nullopt;
}

std::string_view to_string(RequestStatus s) {
  switch (s) {
    case RequestStatus::Pending:
      return "pending";
    case RequestStatus::Approved:
      return "approved";
    case RequestStatus::Rejected:
      return "rejected";
  }
  return "pending";
}

std::optional<RequestStatus> parse_request_status(std::string_view s) {
  if (s == "pending") return RequestStatus::Pending;
  if (s == "approved") return RequestStatus::Approved;
  if (s == "rejected") return RequestStatus::Rejected;
  return std::nullopt;
}

std::string enrolment_prefix(const Organisation& o) {
  if (!o.app_prefix.empty()) return o.app_prefix;
  std::string_view name = o.name;
  if (name.starts_with("SERVICE-")) name.remove_prefix(8);
  std::string out;
  for (char c : name) {
    if ((c >= 'a' && c <= 'z')) c = static_cast<char>(c - 'a' + 'A');
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
      out += c;
    else
      out += '_';
  }
  return out;
}

bool Api::published_on(Channel c) const {
  return std::find(channels.begin(), channels.end(), c) != channels.end();
}

bool Api::has_scope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

bool User::has_accepted_cgu(std::string_view api, Channel c) const {
  return std::any_of(accepted_cgu.begin(), accepted_cgu.end(),
                     [&](const CguConsent& k) { return k.api == api && k.channel == c; });
}

const Membership* User::membership(std::string_view organisation) const {
  for (const auto& m : memberships)
    if (m.organisation == organisation) return &m;
  return nullptr;
}

bool User::is_orgadmin_of(std::string_view organisation) const {
  const Membership* m = membership(organisation);
  return m && m->role == Role::OrgAdmin;
}

const Subscription* Application::subscription(std::string_view api) const {
  for (const auto& s : subscriptions)
    if (s.api == api) return &s;
  return nullptr;
}

Subscription* Application::subscription(std::string_view api) {
  for (auto& s : subscriptions)
    if (s.api == api) return &s;
  return nullptr;
}

bool Application::has_business_profile(std::string_view api) const {
  return std::find(business_profiles.begin(), business_profiles.end(), api) !=
         business_profiles.end();
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

namespace {
using Position = PositionTable::Position;

auto application_id(const World& w) {
  return [&w](Position p) { return std::string_view(w.applications[p.first].id); };
}
auto client_id(const World& w) {
  return [&w](Position p) {
    return std::string_view(w.applications[p.first].oauth_clients[p.second].client_id);
  };
}
auto key_value(const World& w) {
  return
      [&w](Position p) { return std::string_view(w.applications[p.first].api_keys[p.second].key); };
}
}  // namespace

WorldIndex::WorldIndex(const World& world) : world_(world) {
  for (const auto& a : world.apis) {
    apis_.emplace(a.id, &a);
    for (Channel c : a.channels) routes_[static_cast<int>(c)].emplace(a.base_path, &a);
  }
  size_t clients[2] = {0, 0}, keys[2] = {0, 0};
  for (const auto& app : world.applications) {
    clients[static_cast<int>(app.channel)] += app.oauth_clients.size();
    keys[static_cast<int>(app.channel)] += app.api_keys.size();
  }
  applications_ = PositionTable(world.applications.size());
  for (int ch = 0; ch < 2; ++ch) {
    clients_[ch] = PositionTable(clients[ch]);
    keys_[ch] = PositionTable(keys[ch]);
  }
  for (uint32_t i = 0; i < world.applications.size(); ++i) {
    const Application& app = world.applications[i];
    applications_.insert({i, 0}, application_id(world));
    const int ch = static_cast<int>(app.channel);
    for (uint32_t j = 0; j < app.oauth_clients.size(); ++j)
      clients_[ch].insert({i, j}, client_id(world));
    for (uint32_t j = 0; j < app.api_keys.size(); ++j) keys_[ch].insert({i, j}, key_value(world));
  }
  for (const auto& u : world.users) users_.emplace(ascii_lower(u.email), &u);
  for (const auto& o : world.organisations) organisations_.emplace(o.id, &o);
}

namespace {
template <class M>
auto lookup(const M& m, std::string_view key) -> typename M::mapped_type {
  auto it = m.find(key);
  return it == m.end() ? typename M::mapped_type{} : it->second;
}
}  // namespace

const Api* WorldIndex::api(std::string_view id) const {
  return lookup(apis_, id);
}
const Application* WorldIndex::application(std::string_view id) const {
  auto p = applications_.find(id, application_id(world_));
  return p ? &world_.applications[p->first] : nullptr;
}
const User* WorldIndex::user(std::string_view email) const {
  return lookup(users_, ascii_lower(email));
}
const Organisation* WorldIndex::organisation(std::string_view id) const {
  return lookup(organisations_, id);
}

const Api* WorldIndex::route(Channel c, std::string_view path, std::string_view* rest) const {
  const auto& routes = routes_[static_cast<int>(c)];
  std::string_view candidate = path;
  // Longest segment-wise prefix first: "/a/b/c", then "/a/b", then "/a".
  while (!candidate.empty()) {
    auto it = routes.find(candidate);
    if (it != routes.end()) {
      if (rest) *rest = path.substr(candidate.size());
      return it->second;
    }
    size_t slash = candidate.rfind('/');
    if (slash == std::string_view::npos || slash == 0) break;
    candidate = candidate.substr(0, slash);
  }
  return nullptr;
}

std::optional<WorldIndex::ClientRef> WorldIndex::client(Channel c,
                                                        std::string_view client_id) const {
  auto p = clients_[static_cast<int>(c)].find(client_id, pistesim::client_id(world_));
  if (!p) return std::nullopt;
  const Application& app = world_.applications[p->first];
  return ClientRef{&app, &app.oauth_clients[p->second]};
}

std::optional<WorldIndex::KeyRef> WorldIndex::api_key(Channel c, std::string_view key) const {
  auto p = keys_[static_cast<int>(c)].find(key, key_value(world_));
  if (!p) return std::nullopt;
  const Application& app = world_.applications[p->first];
  return KeyRef{&app, &app.api_keys[p->second]};
}

}  // namespace pistesim
