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

// offset_ms: how far the clock is from real time (what POST /clock/reset puts back).
Response clock_answer(Simulator& sim) {
  Millis now = sim.clock().now_ms();
  return json_response(
      200, {{"now_ms", now}, {"now", format_iso8601(now)}, {"offset_ms", sim.clock().offset_ms()}});
}

// The quota core counts windows in 33 bits of seconds (until 2242): time stops before that.
constexpr Millis kLatest = 8'000'000'000'000;  // 2223-07-04
const Message kTooLate{"L'horloge ne peut pas dépasser l'an 2223",
                       "the clock cannot go past the year 2223"};

// POST /clock/advance {"by": "3601s"}, {"seconds": 3601} or {"to": "23:59:59"} (the next time the
// Europe/Paris wall clock shows it: daily quotas turn at Paris midnight whatever "now" is).
Response advance_clock(ControlCall& c) {
  const Body& body = c.body;
  Millis delta = -1;
  if (!body.contains("to") && !body.contains("by") && !body.contains("seconds"))
    return error(400, "MISSING_FIELD",
                 {"Indiquer « by » (une durée), « seconds » ou « to » (une heure de Paris)",
                  "give « by » (a duration), « seconds » or « to » (a Paris time of day)"},
                 "by");
  if (body.contains("to")) {
    Millis time_of_day =
        body["to"].is_string() ? parse_time_of_day_ms(body["to"].get<std::string>()) : -1;
    if (time_of_day < 0 || body.contains("by") || body.contains("seconds"))
      return error(400, "INVALID_FIELD",
                   {"« to » doit être une heure de Paris \"HH:MM\" ou \"HH:MM:SS\", seule",
                    "« to » must be a Paris time of day \"HH:MM\" or \"HH:MM:SS\", alone"},
                   "to");
    Millis now = c.sim.clock().now_ms();
    delta = next_paris_time_ms(now, time_of_day) - now;
  } else if (body.contains("seconds") && !body.contains("by")) {
    // Same bound as parse_duration_ms: 2^53 ms.
    constexpr int64_t kMaxSeconds = (int64_t{1} << 53) / 1000;
    const json& v = body["seconds"];
    if (v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() <= kMaxSeconds)
      delta = v.get<int64_t>() * 1000;
    if (delta < 0)
      return error(400, "INVALID_FIELD",
                   {"« seconds » doit être un entier positif ou nul",
                    "« seconds » must be a non-negative integer"},
                   "seconds");
  } else if (body.contains("by") && body["by"].is_string()) {
    delta = parse_duration_ms(body["by"].get<std::string>());
  }
  if (delta < 0)
    return error(400, "INVALID_FIELD",
                 {"« by » doit être une durée comme \"3601s\", \"250ms\", \"2h\", \"1d\"",
                  "« by » must be a duration such as \"3601s\", \"250ms\", \"2h\", \"1d\""},
                 "by");
  if (delta > kLatest - c.sim.clock().now_ms())
    return error(400, "INVALID_FIELD", kTooLate,
                 body.contains("to")   ? "to"
                 : body.contains("by") ? "by"
                                       : "seconds");
  c.sim.clock().advance(delta);
  return clock_answer(c.sim);
}

// POST /clock/reset {"offset_ms": N?}: back to real time, or N ms ahead of it (what GET /clock
// said before a run moved it). Going back undoes what the abandoned future left: see
// Simulator::set_clock_offset.
Response reset_clock(ControlCall& c) {
  Millis offset = 0;
  if (c.body.contains("offset_ms")) {
    const json& v = c.body["offset_ms"];
    const Millis real = c.sim.clock().now_ms() - c.sim.clock().offset_ms();
    if (!v.is_number_integer() || v.get<int64_t>() < 0)
      return error(400, "INVALID_FIELD",
                   {"« offset_ms » doit être un entier positif ou nul (millisecondes d'avance sur "
                    "l'heure réelle)",
                    "« offset_ms » must be a non-negative integer (milliseconds ahead of real "
                    "time)"},
                   "offset_ms");
    offset = v.get<int64_t>();
    if (offset > kLatest - real) return error(400, "INVALID_FIELD", kTooLate, "offset_ms");
  }
  c.sim.set_clock_offset(offset);
  return clock_answer(c.sim);
}

// {"token": "..."} or {"application": "id"}: the tokens named, or nullopt and *err.
template <class Each, class All>
std::optional<size_t> for_tokens(ControlCall& c, Each&& one, All&& all, Response* err) {
  const Body& body = c.body;
  for (const char* key : {"token", "application"})
    if (body.contains(key) && !body[key].is_string()) {
      *err = error(400, "INVALID_FIELD",
                   {"« " + std::string(key) + " » doit être une chaîne",
                    "« " + std::string(key) + " » must be a string"},
                   key);
      return std::nullopt;
    }
  size_t n = 0;
  if (body.contains("token") && body.contains("application")) {
    *err = error(400, "INVALID_FIELD",
                 {"Indiquer « token » ou « application », pas les deux",
                  "give « token » or « application », not both"},
                 "application");
    return std::nullopt;
  }
  if (body.contains("token")) {
    std::string t = body["token"].get<std::string>();
    for (Channel ch : kChannels) n += one(c.sim.tokens(ch), t) ? 1 : 0;
    return n;
  }
  if (body.contains("application")) {
    std::string id = body["application"].get<std::string>();
    if (!c.sim.snapshot()->index.application(id)) {
      *err = error(404, "UNKNOWN_APPLICATION",
                   {"Application inconnue : " + id, "unknown application: " + id}, "application");
      return std::nullopt;
    }
    for (Channel ch : kChannels) n += all(c.sim.tokens(ch), id);
    return n;
  }
  *err = error(400, "MISSING_FIELD",
               {"Indiquer « token » ou « application »", "give « token » or « application »"},
               "token");
  return std::nullopt;
}

// POST /tokens/revoke {"token": "..."} | {"application": "id"}
Response revoke_tokens(ControlCall& c) {
  Millis now = c.sim.clock().now_ms();
  Response bad;
  auto n = for_tokens(
      c, [](TokenStore& s, const std::string& t) { return s.revoke(t); },
      [now](TokenStore& s, const std::string& id) { return s.revoke_application(id, now); }, &bad);
  if (!n) return bad;
  return json_response(200, {{"revoked", *n}});
}

// POST /tokens/expire {"token": "..."} | {"application": "id"}: the tokens expire now, as if
// their lifetime had ended (the client must fetch a new one).
Response expire_tokens(ControlCall& c) {
  Millis now = c.sim.clock().now_ms();
  Response bad;
  auto n = for_tokens(
      c, [now](TokenStore& s, const std::string& t) { return s.expire(t, now); },
      [now](TokenStore& s, const std::string& id) { return s.expire_application(id, now); }, &bad);
  if (!n) return bad;
  return json_response(200, {{"expired", *n}});
}

// POST /faults {"api": "legifrance", "application": "demo-sandbox", "status": 503, "body": "…",
// "content_type": "…", "latency_ms": 200, "count": 3, "after": 0, "kind": "respond"}
Response arm_fault(ControlCall& c) {
  const Body& body = c.body;
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
                 {"« kind » doit valoir respond, drop_connection ou expire_token",
                  "« kind » must be respond, drop_connection or expire_token"},
                 "kind");
  auto snap = c.sim.snapshot();
  if (!api->empty() && !snap->index.api(*api))
    return error(404, "UNKNOWN_API", {"API inconnue : " + *api, "unknown API: " + *api}, "api");
  if (!application->empty() && !snap->index.application(*application))
    return error(404, "UNKNOWN_APPLICATION",
                 {"Application inconnue : " + *application, "unknown application: " + *application},
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
                 {"« status » doit être un code HTTP (100 à 599), ou 0 pour un simple délai",
                  "« status » must be an HTTP status (100 to 599), or 0 for latency only"},
                 "status");
  auto latency = integer("latency_ms", 0, 0, 60000);
  if (!latency)
    return error(400, "INVALID_FIELD",
                 {"« latency_ms » doit être un entier de 0 à 60000",
                  "« latency_ms » must be an integer from 0 to 60000"},
                 "latency_ms");
  auto count = integer("count", 1, -1, 1000000000);
  if (!count || *count == 0)
    return error(400, "INVALID_FIELD",
                 {"« count » doit être un entier positif, ou -1 (jusqu'au retrait)",
                  "« count » must be a positive integer, or -1 (until removed)"},
                 "count");
  auto after = integer("after", 0, 0, 1000000000);
  if (!after)
    return error(
        400, "INVALID_FIELD",
        {"« after » doit être un entier positif : les appels à laisser passer avant la panne",
         "« after » must be a non-negative integer: the calls to let through before the fault"},
        "after");
  if (*kind == FaultKind::Respond && *status == 0 && *latency == 0)
    return error(400, "MISSING_FIELD",
                 {"Indiquer « status » ou « latency_ms »", "give « status » or « latency_ms »"},
                 "status");
  if (*kind != FaultKind::Respond && *status != 0)
    return error(400, "INVALID_FIELD",
                 {"« status » ne s'applique qu'aux pannes « respond »",
                  "« status » applies to « respond » faults only"},
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
    return error(
        404, "UNKNOWN_FAULT",
        {"Aucune panne armée n'a l'identifiant " + text, "no armed fault has the id " + text});
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
  r.add("GET", "/health",
        [](ControlCall&) {
          return json_response(200, {{"status", "ok"}});
        },
        {.access = Access::Open, .ignores_query = true});
  r.add("GET", "/world", describe_world);
  r.add("GET", "/clock", [](ControlCall& c) { return clock_answer(c.sim); });
  r.add("POST", "/clock/advance", advance_clock, {.fields = {"by", "seconds", "to"}});
  r.add("POST", "/clock/reset", reset_clock, {.fields = {"offset_ms"}});
  r.add("POST", "/tokens/revoke", revoke_tokens, {.fields = {"token", "application"}});
  r.add("POST", "/tokens/expire", expire_tokens, {.fields = {"token", "application"}});
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
  r.add("POST", "/faults", arm_fault,
        {.fields = {"kind", "api", "application", "status", "body", "content_type", "latency_ms",
                    "count", "after"}});
  r.add("DELETE", "/faults", [](ControlCall& c) {
    c.sim.faults().clear();
    return json_response(200, json::array());
  });
  r.add("DELETE", "/faults/{id}", disarm_fault);
}

}  // namespace pistesim
