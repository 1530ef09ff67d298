#include "control/views.h"

#include <algorithm>

#include "core/simulator.h"
#include "oauth/token_endpoint.h"
#include "portal/application_factory.h"

namespace pistesim {

namespace {

json quota_json(const QuotaSpec& q) {
  return {{"limit", q.limit}, {"window", to_string(q.window)}};
}

std::string organisation_name(const World& world, std::string_view id) {
  for (const auto& o : world.organisations)
    if (o.id == id) return o.name;
  return std::string(id);
}

}  // namespace

std::string_view role_label(Role r) {
  return r == Role::OrgAdmin ? "Administrateur d'organisation" : "Développeur d'applications";
}

json application_json(Simulator& sim, const WorldSnapshot& snap, const Application& app,
                      bool show_api_keys) {
  Millis now = sim.clock().now_ms();
  json subs = json::array();
  for (const auto& s : app.subscriptions) {
    json j = {{"api", s.api}, {"status", to_string(s.status)}, {"scopes", s.scopes}};
    if (const Api* api = snap.index.api(s.api)) {
      j["name"] = api->name;
      j["version"] = api->version;
      EffectiveQuota q = effective_quota(snap.world, app, *api, s);
      // In a cluster, the count is the cluster's (every node's calls).
      SharedQuotaCounts* shared = sim.quotas().shared_counts();
      QuotaDecision d = shared ? shared->peek(shared_quota_key(app, *api, s, q), q.spec, now)
                               : sim.quotas().peek(q.slot, q.spec, now);
      j["quota"] = quota_json(q.spec);
      j["quota"]["remaining"] = d.remaining;
      j["quota"]["override"] = s.quota.has_value();
    }
    subs.push_back(std::move(j));
  }
  json clients = json::array();
  for (const auto& c : app.oauth_clients) {
    json j = {{"client_id", c.client_id}, {"type", to_string(c.type)},
              {"enabled", c.enabled},     {"callback_urls", c.callback_urls},
              {"x509", c.x509},           {"created_at", format_time(c.created_at)}};
    clients.push_back(std::move(j));
  }
  json keys = json::array();
  for (const auto& k : app.api_keys) {
    json j = {{"enabled", k.enabled}, {"created_at", format_time(k.created_at)}};
    if (show_api_keys) j["key"] = k.key;
    keys.push_back(std::move(j));
  }
  const QuotaSpec& def = app.channel == Channel::Production ? snap.world.settings.production_quota
                                                            : snap.world.settings.sandbox_quota;
  const bool by_piste = app.origin != ApplicationOrigin::Created;
  // The scopes a token issued now would carry (APP-8), sorted for reading.
  std::vector<std::string> scopes = granted_scopes(snap.index, app);
  std::sort(scopes.begin(), scopes.end());
  return {{"id", app.id},
          {"name", app.name},
          {"channel", to_string(app.channel)},
          {"organisation", app.organisation},
          {"organisation_name", organisation_name(snap.world, app.organisation)},
          {"owner", app.owner},
          {"description", app.description},
          {"email", app.email},
          {"phone", app.phone},
          {"structure_info", app.structure_info},
          {"responsible", app.responsible},
          {"origin", to_string(app.origin)},
          {"created_by", by_piste ? std::string(kPisteCreator) : app.owner.str()},
          {"created_at", format_time(app.created_at)},
          {"status", "Approved"},
          {"active", app.active},
          {"quota", quota_json(app.quota.value_or(def))},
          {"quota_override", app.quota.has_value()},
          {"business_profiles", app.business_profiles},
          {"oauth_clients", clients},
          {"api_keys", keys},
          {"scopes", scopes},
          {"subscriptions", subs}};
}

json user_json(const World& world, const User& user) {
  json orgs = json::array();
  for (const auto& m : user.memberships)
    orgs.push_back({{"organisation", m.organisation},
                    {"name", organisation_name(world, m.organisation)},
                    {"role", to_string(m.role)},
                    {"role_label", role_label(m.role)}});
  json consents = json::array();
  for (const auto& k : user.accepted_cgu)
    consents.push_back({{"api", k.api}, {"channel", to_string(k.channel)}});
  std::string status = user.active                      ? "active"
                       : !user.activation_token.empty() ? "awaiting_activation"
                                                        : "deactivated";
  return {
      {"email", user.email},
      {"name", user.name},
      {"status", status},
      {"active", user.active},
      {"organisations", orgs},
      {"opt_in_news", user.opt_in_news},
      {"opt_in_surveys", user.opt_in_surveys},
      {"platform_cgu_version", user.platform_cgu_version},
      {"platform_cgu_current", user.platform_cgu_version == world.settings.platform_cgu_version},
      {"must_change_password", user.must_change_password},
      {"registered_at", format_time(user.registered_at)},
      {"accepted_api_cgu", consents}};
}

json access_request_json(const World& world, const AccessRequest& r) {
  json j = {{"id", r.id},
            {"api", r.api},
            {"application", r.application},
            {"requester", r.requester},
            {"motif", r.motif},
            {"scopes", r.scopes},
            {"status", to_string(r.status)},
            {"requested_at", format_time(r.requested_at)},
            {"decided_at", format_time(r.decided_at)},
            {"decided_by", r.decided_by},
            {"decision_message", r.decision_message}};
  for (const auto& a : world.apis)
    if (a.id == r.api) j["api_name"] = a.name;
  for (const auto& app : world.applications)
    if (app.id == r.application) {
      j["application_name"] = app.name;
      j["organisation"] = organisation_name(world, app.organisation);
      j["application_information"] = app.description;
      j["environment"] = to_string(app.channel);
    }
  return j;
}

}  // namespace pistesim
