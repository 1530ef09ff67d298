// What an OrgAdmin sees in ADMINISTRATION, and an application's « Usage » tab — read-only queries
// over a world snapshot and the gateway's recorded traffic (usage/usage_recorder.h):
//  - ADM-5: every application of the organisations they administer, with its accesses;
//  - ADM-3 « Top Consommateur »: call volumes per API and application over a period;
//  - ADM-4 « Santé des API »: per API, « Succès », « Aucun appel » or « Échec », by
//    « Healthcheck fournisseur » (the provider's health route) or « Healthcheck Consommation »
//    (the traffic over a period, « 1 DY » by default) (000 §11.5–§11.7);
//  - APP-9: an application's calls per API and per day or hour (000 §7.2), for its owner and the
//    OrgAdmins of its organisation.
//
// « The APIs an OrgAdmin is responsible for » (choice, the seeds do not define it): those whose
// approvers include their e-mail (000 §11.4: the OrgAdmin is the API's approver), and those
// restricted to an organisation they administer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faults/fault_injector.h"
#include "portal/portal_error.h"
#include "usage/usage_recorder.h"
#include "world/world.h"

namespace pistesim {

// [from, to) in UTC ms. Statistics are kept per hour: an hour counts if it overlaps the period.
struct UsagePeriod {
  Millis from = 0;
  Millis to = 0;
};

// The period of a statistics page, from its query parameters (all optional, as text):
//  - days=N (1 to 31): the last N Europe/Paris calendar days, today included;
//  - from=YYYY-MM-DD[&to=YYYY-MM-DD]: those Paris days, both included (to defaults to today);
//  - period=<duration> ("1d", "12h", "30m"; at most 31 days): the last stretch of that length.
// None: the last `default_days` days. Refused with the parameter at fault (400 INVALID_FIELD /
// INVALID_PERIOD).
struct PeriodQuery {
  std::string days, from, to, period;
};
PortalResult<UsagePeriod> parse_usage_period(const PeriodQuery& q, Millis now, int default_days);

// Organisations the user administers (OrgAdmin role).
std::vector<const Organisation*> administered_organisations(const World& world, const User& user);
// See the header comment.
bool is_responsible_for(const User& user, const Api& api);

// ADM-5. `organisation` (id, optional) narrows the list to one administered organisation.
// Refused: the actor may not act (actor.h), administers nothing (403 NOT_ORGADMIN), or asks for
// an organisation they do not administer (403).
PortalResult<std::vector<const Application*>> perimeter_applications(
    const World& world, std::string_view actor, std::string_view organisation = {});

// APP-9.
enum class Granularity { Hour, Day };  // Day: Europe/Paris calendar days
std::optional<Granularity> parse_granularity(std::string_view s);  // "hour" / "day"

struct ApiUsage {
  std::string api;
  std::string api_name;  // "" if the API is no longer in the world
  UsageCounts totals;
  std::vector<UsageBucket> buckets;  // only buckets with calls, oldest first
  ProviderStatus last_provider;
};
struct ApplicationUsage {
  const Application* application = nullptr;
  UsagePeriod period;
  Granularity granularity = Granularity::Day;
  UsageCounts totals;
  std::vector<ApiUsage> apis;  // by volume, highest first
};
// Refused: actor may not act, unknown application (404 UNKNOWN_APPLICATION), neither its owner
// nor an OrgAdmin of its organisation (403 NOT_ALLOWED).
PortalResult<ApplicationUsage> application_usage(const World& world, const UsageRecorder& usage,
                                                 std::string_view actor,
                                                 std::string_view application,
                                                 const UsagePeriod& period,
                                                 Granularity granularity);

// ADM-3.
struct ApiVolume {
  std::string api;
  std::string api_name;
  UsageCounts counts;
};
struct ConsumerVolume {
  std::string api;
  std::string api_name;
  std::string application;
  const Application* known = nullptr;  // null: the application was deleted since
  UsageCounts counts;
};
struct TopConsumers {
  UsagePeriod period;
  std::vector<ApiVolume> apis;            // every API they are responsible for, by volume
  std::vector<ConsumerVolume> consumers;  // (API, application) pairs with calls, by volume
};
// `api` (optional) narrows to one of their APIs. Refused: actor may not act, administers
// nothing (403 NOT_ORGADMIN), `api` unknown (404) or not theirs (403).
PortalResult<TopConsumers> top_consumers(const World& world, const UsageRecorder& usage,
                                         std::string_view actor, const UsagePeriod& period,
                                         std::string_view api = {});

// ADM-4, wording of 000 §11.6 (« Échec » is a choice: the guide shows no failing API).
inline constexpr std::string_view kHealthSuccess = "Succès";
inline constexpr std::string_view kHealthNoCall = "Aucun appel";
inline constexpr std::string_view kHealthFailure = "Échec";
inline constexpr std::string_view kHealthByProvider = "Healthcheck fournisseur";
inline constexpr std::string_view kHealthByConsumption = "Healthcheck Consommation";

struct ApiHealth {
  std::string api;
  std::string api_name;
  std::string status;       // kHealthSuccess / kHealthNoCall / kHealthFailure
  std::string method;       // kHealthByProvider / kHealthByConsumption
  std::string delay;        // « 1 DY » for consumption, "" for the provider's check
  int provider_status = 0;  // the health route's status, or the last provider answer's
  Millis provider_at = 0;   // when that answer was given (consumption)
  UsageCounts counts;       // consumption: calls over the period
  std::string detail;       // why, in French
};
// `period_ms` (> 0): the consumption window. A provider check is made in-process on the mock's
// health route; an armed fault of 5xx aimed at the API (not at one application) makes it fail,
// without using up the fault (choice: looking at the page must not change the simulator).
// Consumption: « Aucun appel » if no call reached the provider in the period, « Échec » if the
// latest answer was a 5xx, else « Succès ». Refused: actor may not act, administers nothing.
PortalResult<std::vector<ApiHealth>> api_health(const World& world, const UsageRecorder& usage,
                                                const FaultInjector& faults, std::string_view actor,
                                                Millis period_ms, Millis now);
// "1 DY", "12 HR", "30 MN" (PISTE shows « 1 DY »; the other units are choices).
std::string health_delay_label(Millis period_ms);

}  // namespace pistesim
