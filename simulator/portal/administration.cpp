#include "portal/administration.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "portal/actor.h"
#include "providers/provider.h"

namespace pistesim {

namespace {

constexpr Millis kDayMs = 24 * kHourMs;
constexpr int kMaxDays = UsageRecorder::kRetentionHours / 24;  // what is kept: 31 days

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// "2026-11-23" -> Paris day index.
std::optional<int64_t> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto y = parse_int(s.substr(0, 4));
  auto m = parse_int(s.substr(5, 2));
  auto d = parse_int(s.substr(8, 2));
  if (!y || !m || !d || *y < 1970 || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  const unsigned last = kDays[*m - 1] + ((*m == 2 && leap) ? 1 : 0);
  if (*d > last) return std::nullopt;
  return days_from_civil(*y, static_cast<unsigned>(*m), static_cast<unsigned>(*d));
}

PortalError invalid(std::string field, std::string message) {
  return portal_error(ErrorKind::InvalidInput, "INVALID_FIELD", std::move(message),
                      std::move(field));
}

PortalError not_orgadmin() {
  return portal_error(ErrorKind::Forbidden, "NOT_ORGADMIN",
                      "Cette fonctionnalité est réservée aux administrateurs d'organisation.");
}

// The acting user, who must administer at least one organisation.
PortalResult<const User*> acting_orgadmin(const World& world, std::string_view actor) {
  auto user = acting_user(world, actor);
  if (!user) return user.error();
  if (administered_organisations(world, **user).empty()) return not_orgadmin();
  return *user;
}

const Api* find_api(const World& world, std::string_view id) {
  for (const auto& a : world.apis)
    if (a.id == id) return &a;
  return nullptr;
}

const Application* find_application(const World& world, std::string_view id) {
  for (const auto& a : world.applications)
    if (a.id == id) return &a;
  return nullptr;
}

bool busier(const UsageCounts& a, const UsageCounts& b) {
  return a.total > b.total;
}

}  // namespace

PortalResult<UsagePeriod> parse_usage_period(const PeriodQuery& q, Millis now, int default_days) {
  const int given = !q.days.empty() + (!q.from.empty() || !q.to.empty()) + !q.period.empty();
  if (given > 1)
    return portal_error(ErrorKind::InvalidInput, "INVALID_PERIOD",
                        "Indiquez la période par « days », par « from »/« to » ou par « period », "
                        "pas plusieurs à la fois.",
                        "period");
  const int64_t today = paris_day_index(now);
  if (!q.period.empty()) {
    const Millis span = parse_duration_ms(q.period);
    if (span <= 0 || span > kMaxDays * kDayMs)
      return invalid("period", "« period » doit être une durée de 1 minute à " +
                                   std::to_string(kMaxDays) + " jours, comme \"1d\" ou \"12h\".");
    return UsagePeriod{now - span + 1, now + 1};
  }
  if (!q.from.empty() || !q.to.empty()) {
    if (q.from.empty())
      return portal_error(ErrorKind::InvalidInput, "MISSING_FIELD",
                          "Indiquez la date de début « from » (AAAA-MM-JJ).", "from");
    auto from = parse_date(q.from);
    if (!from) return invalid("from", "« from » doit être une date AAAA-MM-JJ.");
    auto to = q.to.empty() ? std::optional<int64_t>(today) : parse_date(q.to);
    if (!to) return invalid("to", "« to » doit être une date AAAA-MM-JJ.");
    if (*from > *to)
      return portal_error(ErrorKind::InvalidInput, "INVALID_PERIOD",
                          "La date de début doit précéder la date de fin.", "from");
    return UsagePeriod{paris_day_start_ms(*from), paris_day_start_ms(*to + 1)};
  }
  int64_t days = default_days;
  if (!q.days.empty()) {
    auto n = parse_int(q.days);
    if (!n || *n < 1 || *n > kMaxDays)
      return invalid(
          "days", "« days » doit être un nombre de jours de 1 à " + std::to_string(kMaxDays) + ".");
    days = *n;
  }
  return UsagePeriod{paris_day_start_ms(today - (days - 1)), now + 1};
}

std::vector<const Organisation*> administered_organisations(const World& world, const User& user) {
  std::vector<const Organisation*> out;
  for (const auto& o : world.organisations)
    if (user.is_orgadmin_of(o.id)) out.push_back(&o);
  return out;
}

bool is_responsible_for(const User& user, const Api& api) {
  for (const auto& a : api.approvers)
    if (iequals(a, user.email)) return true;
  for (const auto& org : api.organisations)
    if (user.is_orgadmin_of(org)) return true;
  return false;
}

PortalResult<std::vector<const Application*>> perimeter_applications(
    const World& world, std::string_view actor, std::string_view organisation) {
  auto user = acting_orgadmin(world, actor);
  if (!user) return user.error();
  if (!organisation.empty() && !(*user)->is_orgadmin_of(organisation))
    return portal_error(
        ErrorKind::Forbidden, "NOT_ORGADMIN",
        "Vous n'êtes pas administrateur de l'organisation \"" + std::string(organisation) + "\".",
        "organisation");
  std::vector<const Application*> out;
  for (const auto& app : world.applications) {
    if (!organisation.empty() ? app.organisation == organisation
                              : (*user)->is_orgadmin_of(app.organisation))
      out.push_back(&app);
  }
  std::stable_sort(out.begin(), out.end(), [](const Application* a, const Application* b) {
    return std::tie(a->organisation, a->name) < std::tie(b->organisation, b->name);
  });
  return out;
}

std::optional<Granularity> parse_granularity(std::string_view s) {
  if (s == "day") return Granularity::Day;
  if (s == "hour") return Granularity::Hour;
  return std::nullopt;
}

PortalResult<ApplicationUsage> application_usage(const World& world, const UsageRecorder& usage,
                                                 std::string_view actor,
                                                 std::string_view application,
                                                 const UsagePeriod& period,
                                                 Granularity granularity) {
  auto user = acting_user(world, actor);
  if (!user) return user.error();
  const Application* app = find_application(world, application);
  if (!app)
    return portal_error(ErrorKind::NotFound, "UNKNOWN_APPLICATION",
                        "Application inconnue : " + std::string(application), "application");
  if (!iequals(app->owner, (*user)->email) && !(*user)->is_orgadmin_of(app->organisation))
    return portal_error(ErrorKind::Forbidden, "NOT_ALLOWED",
                        "Seuls le propriétaire de l'application et les administrateurs de son "
                        "organisation peuvent consulter ses métriques.");
  ApplicationUsage out;
  out.application = app;
  out.period = period;
  out.granularity = granularity;
  auto series = usage.query(period.from, period.to,
                            [&](std::string_view a, std::string_view) { return a == app->id; });
  for (auto& s : series) {
    ApiUsage u;
    u.api = s.api;
    if (const Api* api = find_api(world, s.api)) u.api_name = api->name;
    u.totals = s.totals;
    u.last_provider = s.last_provider;
    if (granularity == Granularity::Hour) {
      u.buckets = std::move(s.hours);
    } else {
      std::map<int64_t, UsageCounts> days;
      for (const auto& h : s.hours) days[paris_day_index(h.start)].add(h.counts);
      for (const auto& [day, counts] : days)
        u.buckets.push_back(UsageBucket{paris_day_start_ms(day), counts});
    }
    out.totals.add(u.totals);
    out.apis.push_back(std::move(u));
  }
  std::stable_sort(out.apis.begin(), out.apis.end(),
                   [](const ApiUsage& a, const ApiUsage& b) { return busier(a.totals, b.totals); });
  return out;
}

PortalResult<TopConsumers> top_consumers(const World& world, const UsageRecorder& usage,
                                         std::string_view actor, const UsagePeriod& period,
                                         std::string_view api) {
  auto user = acting_orgadmin(world, actor);
  if (!user) return user.error();
  std::map<std::string, ApiVolume, std::less<>> apis;
  for (const auto& a : world.apis)
    if (is_responsible_for(**user, a) && (api.empty() || a.id == api))
      apis.emplace(a.id, ApiVolume{a.id, a.name, {}});
  if (!api.empty() && apis.empty()) {
    if (!find_api(world, api))
      return portal_error(ErrorKind::NotFound, "UNKNOWN_API", "API inconnue : " + std::string(api),
                          "api");
    return portal_error(ErrorKind::Forbidden, "NOT_RESPONSIBLE",
                        "Vous n'êtes pas responsable de l'API " + std::string(api) + ".", "api");
  }
  TopConsumers out;
  out.period = period;
  auto series = usage.query(period.from, period.to, [&](std::string_view, std::string_view a) {
    return apis.find(a) != apis.end();
  });
  for (auto& s : series) {
    ApiVolume& v = apis.find(s.api)->second;
    v.counts.add(s.totals);
    out.consumers.push_back(ConsumerVolume{s.api, v.api_name, s.application,
                                           find_application(world, s.application), s.totals});
  }
  for (auto& [id, v] : apis) out.apis.push_back(std::move(v));
  std::stable_sort(out.apis.begin(), out.apis.end(), [](const ApiVolume& a, const ApiVolume& b) {
    return busier(a.counts, b.counts);
  });
  std::stable_sort(
      out.consumers.begin(), out.consumers.end(),
      [](const ConsumerVolume& a, const ConsumerVolume& b) { return busier(a.counts, b.counts); });
  return out;
}

std::string health_delay_label(Millis period_ms) {
  if (period_ms % kDayMs == 0) return std::to_string(period_ms / kDayMs) + " DY";
  if (period_ms % kHourMs == 0) return std::to_string(period_ms / kHourMs) + " HR";
  return std::to_string(std::max<Millis>(1, period_ms / 60'000)) + " MN";
}

PortalResult<std::vector<ApiHealth>> api_health(const World& world, const UsageRecorder& usage,
                                                const FaultInjector& faults, std::string_view actor,
                                                Millis period_ms, Millis now) {
  auto user = acting_orgadmin(world, actor);
  if (!user) return user.error();
  const std::vector<Fault> armed = faults.list();
  std::vector<ApiHealth> out;
  for (const auto& api : world.apis) {
    if (!is_responsible_for(**user, api)) continue;
    ApiHealth h;
    h.api = api.id;
    h.api_name = api.name;
    if (!api.health.empty()) {
      h.method = kHealthByProvider;
      auto fault = std::find_if(armed.begin(), armed.end(), [&](const Fault& f) {
        return (f.api.empty() || f.api == api.id) && f.application.empty() && f.status >= 500 &&
               f.remaining != 0;
      });
      if (fault != armed.end()) {
        h.provider_status = fault->status;
        h.detail = "Le fournisseur répond " + std::to_string(fault->status) +
                   " (panne injectée n°" + std::to_string(fault->id) + ").";
      } else {
        const Request probe = Request::make("GET", api.health);
        const ProviderRoute* route = match_route(api, api.health, probe);
        h.provider_status = route ? route->answer.status : 404;
        h.detail = "GET " + api.health + " : " + std::to_string(h.provider_status);
      }
      h.provider_at = now;
      const bool ok = h.provider_status >= 200 && h.provider_status < 300;
      h.status = ok ? kHealthSuccess : kHealthFailure;
    } else {
      h.method = kHealthByConsumption;
      h.delay = health_delay_label(period_ms);
      const Millis from = now - period_ms + 1;
      for (const auto& s : usage.query(
               from, now + 1, [&](std::string_view, std::string_view a) { return a == api.id; }))
        h.counts.add(s.totals);
      const ProviderStatus last = usage.last_provider_status(api.id);
      if (last.status == 0 || last.at < from) {
        h.status = kHealthNoCall;
        h.detail = "Aucun appel n'a atteint le fournisseur sur la période.";
      } else {
        h.provider_status = last.status;
        h.provider_at = last.at;
        h.status = last.status >= 500 ? kHealthFailure : kHealthSuccess;
        h.detail = "Dernière réponse du fournisseur : " + std::to_string(last.status) + ".";
      }
    }
    out.push_back(std::move(h));
  }
  std::sort(out.begin(), out.end(),
            [](const ApiHealth& a, const ApiHealth& b) { return a.api_name < b.api_name; });
  return out;
}

}  // namespace pistesim
