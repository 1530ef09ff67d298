#include "control/control_api.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/simulator.h"
#include "crypto/secrets.h"
#include "gateway/gateway.h"
#include "wire/authorization.h"
#include "wire/encoding.h"

namespace pistesim {

namespace {

using nlohmann::json;

Response json_response(int status, const json& body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.headers.set("Cache-Control", "no-store");
  // Paths and fields echoed back may hold invalid UTF-8: replace it rather than throw.
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

Response error(int status, std::string_view code, std::string_view message,
               std::string_view field = {}) {
  json body = {{"code", code}, {"message", message}};
  if (!field.empty()) body["field"] = field;
  return json_response(status, body);
}

// Splits "/applications/demo/quota" into its segments.
std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > pos) out.emplace_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

json quota_json(const QuotaSpec& q) {
  return {{"limit", q.limit}, {"window", to_string(q.window)}};
}

json application_json(Simulator& sim, const WorldSnapshot& snap, const Application& app) {
  Millis now = sim.clock().now_ms();
  json subs = json::array();
  for (const auto& s : app.subscriptions) {
    json j = {{"api", s.api}, {"status", to_string(s.status)}, {"scopes", s.scopes}};
    if (const Api* api = snap.index.api(s.api)) {
      EffectiveQuota q = effective_quota(snap.world, app, *api, s);
      QuotaDecision d = sim.quotas().peek(q.slot, q.spec, now);
      j["quota"] = quota_json(q.spec);
      j["quota"]["remaining"] = d.remaining;
      j["quota"]["override"] = s.quota.has_value();
    }
    subs.push_back(std::move(j));
  }
  json clients = json::array();
  for (const auto& c : app.oauth_clients)
    clients.push_back({{"client_id", c.client_id},
                       {"type", c.type == ClientType::Confidential ? "confidential" : "public"},
                       {"enabled", c.enabled}});
  json keys = json::array();
  for (const auto& k : app.api_keys) keys.push_back({{"enabled", k.enabled}});
  const QuotaSpec& def = app.channel == Channel::Production ? snap.world.settings.production_quota
                                                            : snap.world.settings.sandbox_quota;
  return {{"id", app.id},
          {"name", app.name},
          {"channel", to_string(app.channel)},
          {"organisation", app.organisation},
          {"owner", app.owner},
          {"active", app.active},
          {"quota", quota_json(app.quota.value_or(def))},
          {"quota_override", app.quota.has_value()},
          {"business_profiles", app.business_profiles},
          {"oauth_clients", clients},
          {"api_keys", keys},
          {"subscriptions", subs}};
}

// The string at body[key]: "" when absent; nullopt (and *err set) when present but not a string.
// 200 with the application as it is now (after a change was published).
Response application_answer(Simulator& sim, const std::string& id) {
  auto snap = sim.snapshot();
  return json_response(200, application_json(sim, *snap, *snap->index.application(id)));
}

std::optional<std::string> string_field(const json& body, const char* key, Response* err) {
  if (!body.contains(key)) return std::string();
  if (!body[key].is_string()) {
    *err = error(400, "INVALID_FIELD", std::string("« ") + key + " » doit être une chaîne", key);
    return std::nullopt;
  }
  return body[key].get<std::string>();
}

std::optional<QuotaSpec> parse_quota_body(const json& body, Response* err) {
  if (!body.contains("limit") || !body["limit"].is_number_integer()) {
    *err = error(400, "INVALID_FIELD", "« limit » doit être un entier de 1 à 1073741823", "limit");
    return std::nullopt;
  }
  int64_t limit = body["limit"].get<int64_t>();
  if (limit < 1 || limit > kMaxQuotaLimit) {
    *err = error(400, "INVALID_FIELD", "« limit » doit être un entier de 1 à 1073741823", "limit");
    return std::nullopt;
  }
  auto window = string_field(body, "window", err);
  if (!window) return std::nullopt;
  auto w = parse_quota_window(body.contains("window") ? *window : "1s");
  if (!w) {
    *err = error(400, "INVALID_FIELD", "« window » doit valoir \"1s\" ou \"1d\"", "window");
    return std::nullopt;
  }
  return QuotaSpec{limit, *w};
}

// The methods a known route takes ("" for an unknown route), so that a known route called with
// another method answers 405 with Allow rather than 404.
std::string allowed_methods(const std::vector<std::string>& seg) {
  auto is = [&](std::initializer_list<std::string_view> pattern) {
    if (seg.size() != pattern.size()) return false;
    size_t i = 0;
    for (std::string_view p : pattern) {
      if (p != "*" && seg[i] != p) return false;
      ++i;
    }
    return true;
  };
  if (is({"health"}) || is({"world"}) || is({"clock"}) || is({"tokens"}) || is({"applications"}))
    return "GET";
  if (is({"clock", "advance"}) || is({"tokens", "revoke"})) return "POST";
  if (is({"faults"})) return "GET, POST, DELETE";
  if (is({"faults", "*"})) return "DELETE";
  if (is({"applications", "*"})) return "GET, PATCH";
  if (is({"applications", "*", "subscriptions", "*"})) return "PUT, DELETE";
  if (is({"applications", "*", "quota"})) return "PUT, DELETE";
  if (is({"applications", "*", "business-profiles"})) return "POST";
  if (is({"applications", "*", "business-profiles", "*"})) return "DELETE";
  return "";
}

Response handle(Simulator& sim, const Request& req) {
  auto seg = segments(req.path);
  const std::string& m = req.method;

  const std::string allowed = allowed_methods(seg);
  if (!allowed.empty() && allowed.find(m) == std::string::npos) {
    Response r = error(405, "METHOD_NOT_ALLOWED", "Méthode " + m + " non permise ici : " + allowed);
    r.headers.set("Allow", allowed);
    return r;
  }

  if (seg.size() == 1 && seg[0] == "health") return json_response(200, {{"status", "ok"}});

  // Everything else needs the admin token (constant-time check).
  const std::string* auth = req.headers.find("Authorization");
  auto token = auth ? parse_bearer(*auth) : std::nullopt;
  if (!token || !constant_time_equals(*token, sim.admin_token())) {
    Response r =
        error(401, "UNAUTHORIZED",
              "Jeton d'administration absent ou invalide (Authorization: Bearer <admin token>)");
    r.headers.set("WWW-Authenticate", "Bearer realm=\"pistesim-control\"");
    return r;
  }

  json body = json::object();
  if (!req.body.empty()) {
    body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return error(400, "INVALID_JSON", "Le corps doit être un objet JSON");
  }

  // GET /clock, POST /clock/advance {"by": "3601s"} or {"seconds": 3601}
  if (!seg.empty() && seg[0] == "clock") {
    if (seg.size() == 2 && seg[1] == "advance" && m == "POST") {
      Millis delta = -1;
      if (body.contains("seconds") && !body.contains("by")) {
        // Same bound as parse_duration_ms: 2^53 ms.
        constexpr int64_t kMaxSeconds = (int64_t{1} << 53) / 1000;
        const json& v = body["seconds"];
        if (v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() <= kMaxSeconds)
          delta = v.get<int64_t>() * 1000;
        if (delta < 0)
          return error(400, "INVALID_FIELD", "« seconds » doit être un entier positif ou nul",
                       "seconds");
      } else if (body.contains("by") && body["by"].is_string()) {
        delta = parse_duration_ms(body["by"].get<std::string>());
      }
      if (delta < 0)
        return error(400, "INVALID_FIELD",
                     "« by » doit être une durée comme \"3601s\", \"250ms\", \"2h\", \"1d\"", "by");
      // The quota core counts windows in 33 bits of seconds (until 2242): time stops before that.
      constexpr Millis kLatest = 8'000'000'000'000;  // 2223-07-04
      if (delta > kLatest - sim.clock().now_ms())
        return error(400, "INVALID_FIELD", "L'horloge ne peut pas dépasser l'an 2223",
                     body.contains("by") ? "by" : "seconds");
      sim.clock().advance(delta);
    } else if (!(seg.size() == 1 && m == "GET")) {
      return error(404, "NOT_FOUND", "Opération inconnue sur /clock");
    }
    Millis now = sim.clock().now_ms();
    return json_response(200, {{"now_ms", now}, {"now", format_iso8601(now)}});
  }

  // POST /tokens/revoke {"token": "..."} | {"application": "id"}
  if (seg.size() == 2 && seg[0] == "tokens" && seg[1] == "revoke" && m == "POST") {
    size_t revoked = 0;
    if (body.contains("token") && body["token"].is_string()) {
      std::string t = body["token"].get<std::string>();
      for (Channel c : kChannels) revoked += sim.tokens(c).revoke(t) ? 1 : 0;
    } else if (body.contains("application") && body["application"].is_string()) {
      std::string id = body["application"].get<std::string>();
      if (!sim.snapshot()->index.application(id))
        return error(404, "UNKNOWN_APPLICATION", "Application inconnue : " + id, "application");
      for (Channel c : kChannels) revoked += sim.tokens(c).revoke_application(id);
    } else {
      return error(400, "MISSING_FIELD", "Indiquer « token » ou « application »", "token");
    }
    return json_response(200, {{"revoked", revoked}});
  }
  // GET /tokens?application=ID → live token count (values are never shown)
  if (seg.size() == 1 && seg[0] == "tokens" && m == "GET") {
    Millis now = sim.clock().now_ms();
    return json_response(200,
                         {{"sandbox_live", sim.tokens(Channel::Sandbox).live_count(now)},
                          {"production_live", sim.tokens(Channel::Production).live_count(now)}});
  }

  if (!seg.empty() && seg[0] == "applications") {
    auto snap = sim.snapshot();
    if (seg.size() == 1 && m == "GET") {
      json list = json::array();
      for (const auto& app : snap->world.applications)
        list.push_back({{"id", app.id},
                        {"name", app.name},
                        {"channel", to_string(app.channel)},
                        {"owner", app.owner}});
      return json_response(200, list);
    }
    if (seg.size() < 2) return error(404, "NOT_FOUND", "Opération inconnue");
    const std::string id = seg[1];
    if (!snap->index.application(id))
      return error(404, "UNKNOWN_APPLICATION", "Application inconnue : " + id);

    if (seg.size() == 2 && m == "GET")
      return json_response(200, application_json(sim, *snap, *snap->index.application(id)));

    // PUT /applications/ID/quota {"limit":5,"window":"1s","api":"x"?}; DELETE …/quota[?api=x]
    if (seg.size() == 3 && seg[2] == "quota" && (m == "PUT" || m == "DELETE")) {
      Response bad;
      auto api_field = string_field(body, "api", &bad);
      if (!api_field) return bad;
      std::string api_id = *api_field;
      if (api_id.empty())
        if (auto params = parse_form(req.query))
          for (const auto& p : *params)
            if (p.name == "api") api_id = p.value;
      std::optional<QuotaSpec> spec;
      if (m == "PUT") {
        Response err;
        spec = parse_quota_body(body, &err);
        if (!spec) return err;
      }
      Response failure;
      bool ok = sim.mutate([&](World& w) {
        for (auto& app : w.applications) {
          if (app.id != id) continue;
          if (api_id.empty()) {
            app.quota = spec;
            // A fresh counter, published together with the new limit: calls still reading the old
            // snapshot keep counting on the old one.
            app.quota_slot = sim.quotas().allocate();
            return true;
          }
          Subscription* sub = app.subscription(api_id);
          if (!sub) {
            failure = error(404, "UNKNOWN_SUBSCRIPTION",
                            "L'application n'a pas d'accès à l'API " + api_id, "api");
            return false;
          }
          sub->quota = spec;
          sub->quota_slot = sim.quotas().allocate();
          return true;
        }
        return false;
      });
      if (!ok) return failure;
      return application_answer(sim, id);
    }

    // PATCH /applications/ID {"active": false}: deactivate or reactivate (APP-8). A deactivated
    // application gets invalid_client at the token endpoint and 403 at the gateway.
    if (seg.size() == 2 && m == "PATCH") {
      if (!body.contains("active") || !body["active"].is_boolean())
        return error(400, "INVALID_FIELD", "« active » doit valoir true ou false", "active");
      const bool active = body["active"].get<bool>();
      sim.mutate([&](World& w) {
        for (auto& app : w.applications)
          if (app.id == id) app.active = active;
      });
      return application_answer(sim, id);
    }

    // PUT /applications/ID/subscriptions/API {"status": "revoked", "scopes": [...]}: set the
    // application's access to an API as an approver's decision would (created if absent);
    // DELETE removes it. The next gateway call sees it; tokens keep the scopes they were issued.
    if (seg.size() == 4 && seg[2] == "subscriptions") {
      const std::string api_id = seg[3];
      const Api* api = snap->index.api(api_id);
      if (!api) return error(404, "UNKNOWN_API", "API inconnue : " + api_id, "api");
      const Application& current = *snap->index.application(id);
      if (m == "DELETE") {
        if (!current.subscription(api_id))
          return error(404, "UNKNOWN_SUBSCRIPTION",
                       "L'application n'a pas d'accès à l'API " + api_id);
        sim.mutate([&](World& w) {
          for (auto& app : w.applications)
            if (app.id == id)
              std::erase_if(app.subscriptions,
                            [&](const Subscription& sub) { return sub.api == api_id; });
        });
      } else {
        if (!api->published_on(current.channel))
          return error(409, "WRONG_CHANNEL",
                       "L'API " + api_id + " n'est pas publiée sur " +
                           std::string(to_string(current.channel)));
        Response bad;
        auto status_text = string_field(body, "status", &bad);
        if (!status_text) return bad;
        auto status = parse_subscription_status(status_text->empty() ? "approved" : *status_text);
        if (!status)
          return error(400, "INVALID_FIELD",
                       "« status » doit valoir approved, pending, rejected ou revoked", "status");
        std::optional<std::vector<std::string>> scopes;
        if (body.contains("scopes")) {
          const json& list = body["scopes"];
          bool ok = list.is_array();
          std::vector<std::string> values;
          for (const auto& v : ok ? list : json::array()) {
            if (!v.is_string() || !api->has_scope(v.get<std::string>()))
              ok = false;
            else
              values.push_back(v.get<std::string>());
          }
          if (!ok)
            return error(400, "INVALID_FIELD",
                         "« scopes » doit lister des scopes de l'API " + api_id, "scopes");
          scopes = std::move(values);
        }
        sim.mutate([&](World& w) {
          for (auto& app : w.applications) {
            if (app.id != id) continue;
            Subscription* sub = app.subscription(api_id);
            if (!sub) {
              Subscription created;
              created.api = api_id;
              app.subscriptions.push_back(std::move(created));
              sub = &app.subscriptions.back();
            }
            sub->status = *status;
            if (scopes) sub->scopes = *scopes;
          }
        });
      }
      return application_answer(sim, id);
    }

    // POST /applications/ID/business-profiles {"api":"sne-cotation"}; DELETE
    // …/business-profiles/API
    if ((seg.size() == 3 || seg.size() == 4) && seg[2] == "business-profiles") {
      Response bad;
      auto api_field =
          seg.size() == 4 ? std::optional<std::string>(seg[3]) : string_field(body, "api", &bad);
      if (!api_field) return bad;
      const std::string api_id = *api_field;
      if (api_id.empty()) return error(400, "MISSING_FIELD", "Indiquer « api »", "api");
      if (!snap->index.api(api_id))
        return error(404, "UNKNOWN_API", "API inconnue : " + api_id, "api");
      if (m != "POST" && m != "DELETE") return error(405, "METHOD_NOT_ALLOWED", "POST ou DELETE");
      sim.mutate([&](World& w) {
        for (auto& app : w.applications) {
          if (app.id != id) continue;
          std::erase(app.business_profiles, api_id);
          if (m == "POST") app.business_profiles.push_back(api_id);
        }
      });
      return application_answer(sim, id);
    }
    return error(404, "NOT_FOUND", "Opération inconnue sur /applications/" + id);
  }

  // Injected provider failures. POST /faults {"api": "legifrance", "application": "demo-sandbox",
  // "status": 503, "body": "…", "content_type": "…", "latency_ms": 200, "count": 3};
  // GET /faults; DELETE /faults (all); DELETE /faults/ID.
  if (!seg.empty() && seg[0] == "faults") {
    auto fault_json = [](const Fault& f) {
      return json{{"id", f.id},
                  {"api", f.api},
                  {"application", f.application},
                  {"status", f.status},
                  {"body", f.body},
                  {"content_type", f.content_type},
                  {"latency_ms", f.latency_ms},
                  {"remaining", f.remaining}};
    };
    if (seg.size() == 2) {
      uint64_t id = 0;
      bool numeric =
          !seg[1].empty() && seg[1].size() < 19 &&
          std::all_of(seg[1].begin(), seg[1].end(), [](char c) { return c >= '0' && c <= '9'; });
      if (numeric) id = std::stoull(seg[1]);
      if (!numeric || !sim.faults().disarm(id))
        return error(404, "UNKNOWN_FAULT", "Aucune panne armée n'a l'identifiant " + seg[1]);
      return json_response(200, {{"disarmed", id}});
    }
    if (m == "DELETE") {
      sim.faults().clear();
      return json_response(200, json::array());
    }
    if (m == "GET") {
      json list = json::array();
      for (const auto& f : sim.faults().list()) list.push_back(fault_json(f));
      return json_response(200, list);
    }
    Fault fault;
    Response bad;
    auto api = string_field(body, "api", &bad);
    if (!api) return bad;
    auto application = string_field(body, "application", &bad);
    if (!application) return bad;
    auto fault_body = string_field(body, "body", &bad);
    if (!fault_body) return bad;
    auto content_type = string_field(body, "content_type", &bad);
    if (!content_type) return bad;
    auto snap = sim.snapshot();
    if (!api->empty() && !snap->index.api(*api))
      return error(404, "UNKNOWN_API", "API inconnue : " + *api, "api");
    if (!application->empty() && !snap->index.application(*application))
      return error(404, "UNKNOWN_APPLICATION", "Application inconnue : " + *application,
                   "application");
    auto integer = [&](const char* key, int64_t fallback, int64_t lo,
                       int64_t hi) -> std::optional<int64_t> {
      if (!body.contains(key)) return fallback;
      if (!body[key].is_number_integer()) return std::nullopt;
      int64_t v = body[key].get<int64_t>();
      if (v < lo || v > hi) return std::nullopt;
      return v;
    };
    auto status = integer("status", 503, 0, 599);
    if (!status || (*status != 0 && *status < 100))
      return error(400, "INVALID_FIELD",
                   "« status » doit être un code HTTP (100 à 599), ou 0 pour un simple délai",
                   "status");
    auto latency = integer("latency_ms", 0, 0, 60000);
    if (!latency)
      return error(400, "INVALID_FIELD", "« latency_ms » doit être un entier de 0 à 60000",
                   "latency_ms");
    auto count = integer("count", 1, -1, 1000000000);
    if (!count || *count == 0)
      return error(400, "INVALID_FIELD",
                   "« count » doit être un entier positif, ou -1 (jusqu'au retrait)", "count");
    if (*status == 0 && *latency == 0)
      return error(400, "MISSING_FIELD", "Indiquer « status » ou « latency_ms »", "status");
    fault.api = *api;
    fault.application = *application;
    fault.status = static_cast<int>(*status);
    fault.body = *fault_body;
    if (!content_type->empty()) fault.content_type = *content_type;
    fault.latency_ms = *latency;
    fault.remaining = *count;
    fault.id = sim.faults().arm(fault);
    return json_response(201, fault_json(fault));
  }

  // GET /world: what this simulator serves.
  if (seg.size() == 1 && seg[0] == "world" && m == "GET") {
    auto snap = sim.snapshot();
    json apis = json::array();
    for (const auto& a : snap->world.apis) {
      json channels = json::array();
      for (Channel c : a.channels) channels.push_back(to_string(c));
      apis.push_back({{"id", a.id},
                      {"name", a.name},
                      {"base_path", a.base_path},
                      {"channels", channels},
                      {"scopes", a.scopes}});
    }
    return json_response(200, {{"name", snap->world.settings.name},
                               {"profile", to_string(sim.profile())},
                               {"apis", apis},
                               {"applications", snap->world.applications.size()},
                               {"users", snap->world.users.size()}});
  }
  return error(404, "NOT_FOUND", "Opération de contrôle inconnue : " + m + " " + req.path);
}

}  // namespace

Response handle_control_request(Simulator& sim, const Request& request) {
  return handle(sim, request);
}

}  // namespace pistesim
