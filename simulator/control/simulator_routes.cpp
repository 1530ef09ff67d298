// Routes that drive the simulator itself: readiness, what it serves, the clock, tokens and
// injected faults.
#include <algorithm>

#include "control/router.h"
#include "core/simulator.h"

namespace pistesim {

namespace {

json fault_json(const Fault& f) {
  return json{{"id", f.id},
              {"kind", to_string(f.kind)},
              {"api", f.api},
              {"application", f.application},
              {"status", f.status},
              {"body", f.body},
              {"content_type", f.content_type},
              {"latency_ms", f.latency_ms},
              {"after", f.after},
              {"remaining", f.remaining}};
}

Response clock_answer(Simulator& sim) {
  Millis now = sim.clock().now_ms();
  return json_response(200, {{"now_ms", now}, {"now", format_iso8601(now)}});
}

// POST /clock/advance {"by": "3601s"}, {"seconds": 3601} or {"to": "23:59:59"} (the next time the
// Europe/Paris wall clock shows it: daily quotas turn at Paris midnight whatever "now" is).
Response advance_clock(ControlCall& c) {
  const json& body = c.body;
  Millis delta = -1;
  if (body.contains("to")) {
    Millis time_of_day =
        body["to"].is_string() ? parse_time_of_day_ms(body["to"].get<std::string>()) : -1;
    if (time_of_day < 0 || body.contains("by") || body.contains("seconds"))
      return error(400, "INVALID_FIELD",
                   "« to » doit être une heure de Paris \"HH:MM\" ou \"HH:MM:SS\", seule", "to");
    Millis now = c.sim.clock().now_ms();
    delta = next_paris_time_ms(now, time_of_day) - now;
  } else if (body.contains("seconds") && !body.contains("by")) {
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
  if (delta > kLatest - c.sim.clock().now_ms())
    return error(400, "INVALID_FIELD", "L'horloge ne peut pas dépasser l'an 2223",
                 body.contains("to")   ? "to"
                 : body.contains("by") ? "by"
                                       : "seconds");
  c.sim.clock().advance(delta);
  return clock_answer(c.sim);
}

// POST /tokens/revoke {"token": "..."} | {"application": "id"}
Response revoke_tokens(ControlCall& c) {
  const json& body = c.body;
  size_t revoked = 0;
  if (body.contains("token") && body["token"].is_string()) {
    std::string t = body["token"].get<std::string>();
    for (Channel ch : kChannels) revoked += c.sim.tokens(ch).revoke(t) ? 1 : 0;
  } else if (body.contains("application") && body["application"].is_string()) {
    std::string id = body["application"].get<std::string>();
    if (!c.sim.snapshot()->index.application(id))
      return error(404, "UNKNOWN_APPLICATION", "Application inconnue : " + id, "application");
    for (Channel ch : kChannels) revoked += c.sim.tokens(ch).revoke_application(id);
  } else {
    return error(400, "MISSING_FIELD", "Indiquer « token » ou « application »", "token");
  }
  return json_response(200, {{"revoked", revoked}});
}

// POST /tokens/expire {"token": "..."} | {"application": "id"}: the tokens expire now, as if
// their lifetime had ended (the client must fetch a new one).
Response expire_tokens(ControlCall& c) {
  const json& body = c.body;
  size_t expired = 0;
  Millis now = c.sim.clock().now_ms();
  if (body.contains("token") && body["token"].is_string()) {
    std::string t = body["token"].get<std::string>();
    for (Channel ch : kChannels) expired += c.sim.tokens(ch).expire(t, now) ? 1 : 0;
  } else if (body.contains("application") && body["application"].is_string()) {
    std::string id = body["application"].get<std::string>();
    if (!c.sim.snapshot()->index.application(id))
      return error(404, "UNKNOWN_APPLICATION", "Application inconnue : " + id, "application");
    for (Channel ch : kChannels) expired += c.sim.tokens(ch).expire_application(id, now);
  } else {
    return error(400, "MISSING_FIELD", "Indiquer « token » ou « application »", "token");
  }
  return json_response(200, {{"expired", expired}});
}

// POST /faults {"api": "legifrance", "application": "demo-sandbox", "status": 503, "body": "…",
// "content_type": "…", "latency_ms": 200, "count": 3, "after": 0, "kind": "respond"}
Response arm_fault(ControlCall& c) {
  const json& body = c.body;
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
  auto kind_name = string_field(body, "kind", &bad);
  if (!kind_name) return bad;
  auto kind = kind_name->empty() ? FaultKind::Respond : fault_kind_from_string(*kind_name);
  if (!kind)
    return error(400, "INVALID_FIELD",
                 "« kind » doit valoir respond, drop_connection ou expire_token", "kind");
  auto snap = c.sim.snapshot();
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
  auto status = integer("status", *kind == FaultKind::Respond ? 503 : 0, 0, 599);
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
  auto after = integer("after", 0, 0, 1000000000);
  if (!after)
    return error(
        400, "INVALID_FIELD",
        "« after » doit être un entier positif : les appels à laisser passer avant la panne",
        "after");
  if (*kind == FaultKind::Respond && *status == 0 && *latency == 0)
    return error(400, "MISSING_FIELD", "Indiquer « status » ou « latency_ms »", "status");
  if (*kind != FaultKind::Respond && *status != 0)
    return error(400, "INVALID_FIELD", "« status » ne s'applique qu'aux pannes « respond »",
                 "status");
  fault.kind = *kind;
  fault.api = *api;
  fault.application = *application;
  fault.status = static_cast<int>(*status);
  fault.body = *fault_body;
  if (!content_type->empty()) fault.content_type = *content_type;
  fault.latency_ms = *latency;
  fault.after = *after;
  fault.remaining = *count;
  fault.id = c.sim.faults().arm(fault);
  return json_response(201, fault_json(fault));
}

Response disarm_fault(ControlCall& c) {
  const std::string& text = c.params[0];
  uint64_t id = 0;
  bool numeric =
      !text.empty() && text.size() < 19 &&
      std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (numeric) id = std::stoull(text);
  if (!numeric || !c.sim.faults().disarm(id))
    return error(404, "UNKNOWN_FAULT", "Aucune panne armée n'a l'identifiant " + text);
  return json_response(200, {{"disarmed", id}});
}

// GET /world: what this simulator serves.
Response describe_world(ControlCall& c) {
  auto snap = c.sim.snapshot();
  json apis = json::array();
  for (const auto& a : snap->world.apis) {
    json channels = json::array();
    for (Channel ch : a.channels) channels.push_back(to_string(ch));
    apis.push_back({{"id", a.id},
                    {"name", a.name},
                    {"base_path", a.base_path},
                    {"channels", channels},
                    {"scopes", a.scopes}});
  }
  return json_response(200, {{"name", snap->world.settings.name},
                             {"profile", to_string(c.sim.profile())},
                             {"apis", apis},
                             {"applications", snap->world.applications.size()},
                             {"users", snap->world.users.size()}});
}

}  // namespace

void register_simulator_routes(Router& r) {
  r.add(
      "GET", "/health",
      [](ControlCall&) {
        return json_response(200, {{"status", "ok"}});
      },
      Access::Open);
  r.add("GET", "/world", describe_world);
  r.add("GET", "/clock", [](ControlCall& c) { return clock_answer(c.sim); });
  r.add("POST", "/clock/advance", advance_clock);
  r.add("POST", "/tokens/revoke", revoke_tokens);
  r.add("POST", "/tokens/expire", expire_tokens);
  // GET /tokens: live token counts (values are never shown).
  r.add("GET", "/tokens", [](ControlCall& c) {
    Millis now = c.sim.clock().now_ms();
    return json_response(200,
                         {{"sandbox_live", c.sim.tokens(Channel::Sandbox).live_count(now)},
                          {"production_live", c.sim.tokens(Channel::Production).live_count(now)}});
  });
  r.add("GET", "/faults", [](ControlCall& c) {
    json list = json::array();
    for (const auto& f : c.sim.faults().list()) list.push_back(fault_json(f));
    return json_response(200, list);
  });
  r.add("POST", "/faults", arm_fault);
  r.add("DELETE", "/faults", [](ControlCall& c) {
    c.sim.faults().clear();
    return json_response(200, json::array());
  });
  r.add("DELETE", "/faults/{id}", disarm_fault);
}

}  // namespace pistesim
