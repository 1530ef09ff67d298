// Control API routes of ADMINISTRATION: enrolment and decommissioning (ADM-1), the OrgAdmin's
// perimeter (ADM-5), top consumers (ADM-3), API health (ADM-4); an application's usage (APP-9);
// the operator's view of the recorded traffic (/usage).
#include "control/router.h"
#include "control/views.h"
#include "core/simulator.h"
#include "mail/administration_mails.h"
#include "portal/administration.h"
#include "portal/enrolment.h"

namespace pistesim {

namespace {

json counts_json(const UsageCounts& c) {
  return {{"total", c.total},
          {"2xx", c.success},
          {"4xx", c.client_error},
          {"429", c.throttled},
          {"5xx", c.server_error}};
}

json period_json(const UsagePeriod& p) {
  return {{"from", format_time(p.from)}, {"to", format_time(p.to)}};
}

// Day buckets are labelled with their Paris date, hour buckets with their Paris hour.
json buckets_json(const std::vector<UsageBucket>& buckets, Granularity g) {
  json out = json::array();
  for (const auto& b : buckets) {
    const std::string local = paris_datetime(b.start);  // "23/11/2026 à 11:00:00"
    json j = counts_json(b.counts);
    j["start"] = format_time(b.start);
    j["label"] = g == Granularity::Day ? local.substr(0, 10) : local.substr(0, 19);
    out.push_back(std::move(j));
  }
  return out;
}

void add_provider_status(json& j, const ProviderStatus& p) {
  j["last_provider_status"] = p.status == 0 ? json(nullptr) : json(p.status);
  j["last_provider_at"] = format_time(p.at);
}

PeriodQuery period_query(const ControlCall& c) {
  return PeriodQuery{c.query("days"), c.query("from"), c.query("to"), c.query("period")};
}

// "emails": a list of strings, or one string of addresses separated by new lines, commas,
// semicolons or spaces (as typed in PISTE's form).
std::optional<std::vector<std::string>> emails_field(const Body& body, Response* err) {
  if (body.contains("emails") && body["emails"].is_string()) {
    std::vector<std::string> out;
    std::string current;
    for (char ch : body["emails"].get<std::string>()) {
      if (ch == '\n' || ch == '\r' || ch == ',' || ch == ';' || ch == ' ' || ch == '\t') {
        if (!current.empty()) out.push_back(std::move(current));
        current.clear();
      } else {
        current += ch;
      }
    }
    if (!current.empty()) out.push_back(std::move(current));
    return out;
  }
  return strings_field(body, "emails", err);
}

json report_json(const EnrolmentReport& r, bool enrolment) {
  json users = json::array();
  for (const auto& line : r.users) {
    json messages = json::array();
    json channels = json::array();
    for (const auto& ch : line.channels) {
      messages.push_back(std::string(to_string(ch.channel)) + ": " + ch.message);
      json cj = {{"channel", to_string(ch.channel)}, {"ok", ch.ok}, {"message", ch.message}};
      if (!ch.application.empty()) {
        cj["application"] = ch.application;
        cj["application_name"] = ch.application_name;
      }
      channels.push_back(std::move(cj));
    }
    json u = {{"email", line.email},  {"organisation", r.organisation_name},
              {"ok", line.ok},        {"result", line.ok ? "✓" : "✗"},
              {"messages", messages}, {"channels", channels}};
    if (!line.ok) u["code"] = line.code;
    if (!enrolment) u["removed_applications"] = line.removed_applications;
    users.push_back(std::move(u));
  }
  const std::string what = enrolment ? "Résultat de l'ajout des utilisateurs à l'organisation \""
                                     : "Résultat du décommissionnement des utilisateurs à "
                                       "l'organisation \"";
  return {{"title", what + r.organisation_name + "\""},
          {"organisation", r.organisation},
          {"organisation_name", r.organisation_name},
          {"succeeded", r.succeeded()},
          {"failed", r.failed()},
          {"users", users}};
}

// POST /portal/admin/enrolments | /portal/admin/decommissions
// {"organisation": "service-dihal", "emails": ["a@x.fr", …]}
Response enrolment(ControlCall& c, bool enrol) {
  Response bad;
  auto organisation = string_field(c.body, "organisation", &bad);
  if (!organisation) return bad;
  auto emails = emails_field(c.body, &bad);
  if (!emails) return bad;
  EnrolmentInput input{c.user, *organisation, std::move(*emails)};
  auto result = c.sim.transact([&](Transaction& tx) {
    return enrol ? enrol_users(tx, input) : decommission_users(tx, input);
  });
  return answer(result, [&](const EnrolmentReport& r) { return report_json(r, enrol); });
}

// GET /portal/admin/applications[?organisation=ID] (ADM-5)
Response perimeter(ControlCall& c) {
  auto snap = c.sim.snapshot();
  auto result = perimeter_applications(snap->world, c.user, c.query("organisation"));
  return answer(result, [&](const std::vector<const Application*>& apps) {
    json list = json::array();
    for (const Application* app : apps) list.push_back(application_json(c.sim, *snap, *app));
    return json{{"count", apps.size()}, {"applications", list}};
  });
}

// GET /portal/admin/top-consumers[?days=N|from=&to=|period=][&api=ID] (ADM-3)
Response top(ControlCall& c) {
  auto period = parse_usage_period(period_query(c), c.sim.clock().now_ms(), 7);
  if (!period) return error_response(period.error());
  auto snap = c.sim.snapshot();
  auto result = top_consumers(snap->world, c.sim.usage(), c.user, *period, c.query("api"));
  return answer(result, [&](const TopConsumers& t) {
    json apis = json::array();
    for (const auto& a : t.apis) {
      json j = counts_json(a.counts);
      j["api"] = a.api;
      j["name"] = a.api_name;
      apis.push_back(std::move(j));
    }
    json consumers = json::array();
    for (const auto& row : t.consumers) {
      json j = counts_json(row.counts);
      j["rank"] = consumers.size() + 1;
      j["api"] = row.api;
      j["api_name"] = row.api_name;
      j["application"] = row.application;
      j["deleted"] = row.known == nullptr;
      if (row.known) {
        j["application_name"] = row.known->name;
        j["organisation"] = row.known->organisation;
        j["channel"] = to_string(row.known->channel);
        j["owner"] = row.known->owner;
      }
      consumers.push_back(std::move(j));
    }
    json out = period_json(t.period);
    out["apis"] = apis;
    out["consumers"] = consumers;
    return out;
  });
}

// GET /portal/admin/api-health[?period=1d] (ADM-4)
Response health(ControlCall& c) {
  const std::string text = c.query("period").empty() ? "1d" : c.query("period");
  const Millis span = parse_duration_ms(text);
  if (span < 60'000 || span > UsageRecorder::kRetentionHours * kHourMs)
    return error(
        400, "INVALID_FIELD",
        {"« period » doit être une durée d'une minute à 31 jours, comme \"1d\" ou \"12h\".",
         "« period » must be a duration from a minute to 31 days, such as \"1d\" or "
         "\"12h\"."},
        "period");
  auto snap = c.sim.snapshot();
  auto result =
      api_health(snap->world, c.sim.usage(), c.sim.faults(), c.user, span, c.sim.clock().now_ms());
  return answer(result, [&](const std::vector<ApiHealth>& rows) {
    json apis = json::array();
    for (const auto& h : rows)
      apis.push_back(
          {{"api", h.api},
           {"name", h.api_name},
           {"status", h.status},
           {"method", h.method},
           {"delay", h.delay},
           {"provider_status", h.provider_status == 0 ? json(nullptr) : json(h.provider_status)},
           {"provider_at", format_time(h.provider_at)},
           {"calls", counts_json(h.counts)},
           {"detail", h.detail}});
    return json{{"delay", health_delay_label(span)}, {"apis", apis}};
  });
}

std::optional<Granularity> granularity_query(const ControlCall& c, Response* err) {
  const std::string g = c.query("granularity");
  if (g.empty()) return Granularity::Day;
  auto parsed = parse_granularity(g);
  if (!parsed)
    *err = error(400, "INVALID_FIELD",
                 {"« granularity » doit valoir day ou hour", "« granularity » must be day or hour"},
                 "granularity");
  return parsed;
}

// GET /portal/applications/{id}/usage[?days=N|from=&to=|period=][&granularity=day|hour] (APP-9)
Response app_usage(ControlCall& c) {
  auto period = parse_usage_period(period_query(c), c.sim.clock().now_ms(), 7);
  if (!period) return error_response(period.error());
  Response bad;
  auto granularity = granularity_query(c, &bad);
  if (!granularity) return bad;
  auto snap = c.sim.snapshot();
  auto result =
      application_usage(snap->world, c.sim.usage(), c.user, c.params[0], *period, *granularity);
  return answer(result, [&](const ApplicationUsage& u) {
    json apis = json::array();
    for (const auto& a : u.apis) {
      json j = {{"api", a.api},
                {"name", a.api_name},
                {"totals", counts_json(a.totals)},
                {"buckets", buckets_json(a.buckets, u.granularity)}};
      add_provider_status(j, a.last_provider);
      apis.push_back(std::move(j));
    }
    json out = period_json(u.period);
    out["application"] = u.application->id;
    out["application_name"] = u.application->name;
    out["channel"] = to_string(u.application->channel);
    out["granularity"] = u.granularity == Granularity::Day ? "day" : "hour";
    out["totals"] = counts_json(u.totals);
    out["apis"] = apis;
    return out;
  });
}

// GET /usage[?days=…][&application=ID][&api=ID][&granularity=day|hour]: every recorded pair,
// for the operator (no portal user involved).
Response operator_usage(ControlCall& c) {
  auto period = parse_usage_period(period_query(c), c.sim.clock().now_ms(), 1);
  if (!period) return error_response(period.error());
  Response bad;
  auto granularity = granularity_query(c, &bad);
  if (!granularity) return bad;
  const bool with_buckets = !c.query("granularity").empty();
  const std::string app_filter = c.query("application");
  const std::string api_filter = c.query("api");
  auto snap = c.sim.snapshot();
  auto series = c.sim.usage().query(period->from, period->to,
                                    [&](std::string_view app, std::string_view api) {
                                      return (app_filter.empty() || app == app_filter) &&
                                             (api_filter.empty() || api == api_filter);
                                    });
  json list = json::array();
  UsageCounts totals;
  for (auto& s : series) {
    json j = {{"application", s.application}, {"api", s.api}, {"totals", counts_json(s.totals)}};
    if (const Application* app = snap->index.application(s.application)) {
      j["application_name"] = app->name;
      j["channel"] = to_string(app->channel);
    }
    add_provider_status(j, s.last_provider);
    if (with_buckets) {
      std::vector<UsageBucket> buckets = std::move(s.hours);
      if (*granularity == Granularity::Day) {
        std::vector<UsageBucket> days;
        for (const auto& h : buckets) {
          const Millis day = paris_day_start_ms(paris_day_index(h.start));
          if (days.empty() || days.back().start != day) days.push_back(UsageBucket{day, {}});
          days.back().counts.add(h.counts);
        }
        buckets = std::move(days);
      }
      j["buckets"] = buckets_json(buckets, *granularity);
    }
    totals.add(s.totals);
    list.push_back(std::move(j));
  }
  const UsageRecorder::Stats st = c.sim.usage().stats();
  json out = period_json(*period);
  out["totals"] = counts_json(totals);
  out["series"] = list;
  out["recorder"] = {{"pairs", st.pairs},
                     {"filed_hours", st.filed_hours},
                     {"approximate_bytes", st.bytes},
                     {"retention_hours", UsageRecorder::kRetentionHours}};
  return json_response(200, out);
}

}  // namespace

void register_administration_routes(Router& r) {
  const RouteOptions people = {.as_user = true, .fields = {"organisation", "emails"}};
  r.add(
      "POST", "/portal/admin/enrolments", [](ControlCall& c) { return enrolment(c, true); },
      people);
  r.add(
      "POST", "/portal/admin/decommissions", [](ControlCall& c) { return enrolment(c, false); },
      people);
  r.add("GET", "/portal/admin/applications", perimeter,
        {.as_user = true, .query = {"organisation"}});
  r.add("GET", "/portal/admin/top-consumers", top,
        {.as_user = true, .query = {"days", "from", "to", "period", "api"}});
  r.add("GET", "/portal/admin/api-health", health, {.as_user = true, .query = {"period"}});
  r.add("GET", "/portal/applications/{id}/usage", app_usage,
        {.as_user = true, .query = {"days", "from", "to", "period", "granularity"}});
  r.add("GET", "/usage", operator_usage,
        {.query = {"days", "from", "to", "period", "granularity", "application", "api"}});
}

}  // namespace pistesim
