// ADMINISTRATION queries over real gateway traffic: the OrgAdmin's perimeter (ADM-5), top
// consumers (ADM-3), API health (ADM-4), and an application's usage (APP-9) — with the periods
// they accept and every refusal.
#include <string>
#include <vector>

#include "portal/administration.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kDemo = "demo@pistesim.test";
const std::string kMtesAdmin = "admin-mtes@pistesim.test";
const std::string kChorusAdmin = "approbateur.carteachat@pistesim.test";
const std::string kPing = "/dila/legifrance/lf-engine-app/consult/ping";
const std::string kJudilibre = "/cassation/judilibre/v1.0/healthcheck";
constexpr Millis kDay = 24 * kHourMs;

// The MTES OrgAdmin made approver of Légifrance and Judilibre: the APIs they are responsible for.
void make_mtes_admin_responsible(TestSimulator& t) {
  t.sim->mutate([](World& w) {
    for (auto& a : w.apis)
      if (a.id == "legifrance" || a.id == "judilibre") a.approvers.push_back(kMtesAdmin);
  });
}

json get_as(TestSimulator& t, const std::string& actor, const std::string& path,
            int expected = 200) {
  Response r = t.control_as(actor, "GET", path);
  EXPECT_EQ(r.status, expected) << path << " " << r.body;
  return json::parse(r.body, nullptr, false);
}

std::string outcome(TestSimulator& t, const std::string& actor, const std::string& path) {
  Response r = actor.empty() ? t.control("GET", path) : t.control_as(actor, "GET", path);
  json j = json::parse(r.body, nullptr, false);
  return std::to_string(r.status) + " " + j.value("code", "");
}

// --- Periods --------------------------------------------------------------------------------

TEST(PortalAdministration, ParsesPeriods) {
  const Millis now = kStart;  // 2026-11-23T10:00Z, 11:00 in Paris
  const Millis paris_midnight = kStart - 11 * kHourMs;
  auto period = [&](PeriodQuery q, int default_days = 7) {
    auto r = parse_usage_period(q, now, default_days);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : UsagePeriod{};
  };
  UsagePeriod p = period({});
  EXPECT_EQ(p.from, paris_midnight - 6 * kDay);
  EXPECT_EQ(p.to, now + 1);
  p = period({"1", "", "", ""});
  EXPECT_EQ(p.from, paris_midnight);
  p = period({"", "2026-11-01", "2026-11-02", ""});
  EXPECT_EQ(format_iso8601(p.from), "2026-10-31T23:00:00.000Z");
  EXPECT_EQ(format_iso8601(p.to), "2026-11-02T23:00:00.000Z");
  p = period({"", "2026-11-20", "", ""});  // to: today
  EXPECT_EQ(p.to, paris_midnight + kDay);
  p = period({"", "", "", "1d"});
  EXPECT_EQ(p.from, now - kDay + 1);
  EXPECT_EQ(p.to, now + 1);
}

TEST(PortalAdministration, RefusesBadPeriods) {
  struct Case {
    PeriodQuery q;
    std::string code;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{"0", "", "", ""}, "INVALID_FIELD", "days"},
      {{"32", "", "", ""}, "INVALID_FIELD", "days"},
      {{"7j", "", "", ""}, "INVALID_FIELD", "days"},
      {{"", "2026-13-01", "", ""}, "INVALID_FIELD", "from"},
      {{"", "2026-02-29", "", ""}, "INVALID_FIELD", "from"},  // not a leap year
      {{"", "23/11/2026", "", ""}, "INVALID_FIELD", "from"},
      {{"", "2026-11-01", "2026-11-31", ""}, "INVALID_FIELD", "to"},
      {{"", "", "2026-11-01", ""}, "MISSING_FIELD", "from"},
      {{"", "2026-11-05", "2026-11-01", ""}, "INVALID_PERIOD", "from"},
      {{"7", "", "", "1d"}, "INVALID_PERIOD", "period"},
      {{"", "", "", "0s"}, "INVALID_FIELD", "period"},
      {{"", "", "", "32d"}, "INVALID_FIELD", "period"},
      {{"", "", "", "soon"}, "INVALID_FIELD", "period"},
  };
  for (const auto& c : cases) {
    auto r = parse_usage_period(c.q, kStart, 7);
    ASSERT_FALSE(r.ok()) << c.q.days << c.q.from << c.q.to << c.q.period;
    EXPECT_EQ(r.error().kind, ErrorKind::InvalidInput);
    EXPECT_EQ(r.error().code, c.code) << c.q.days << c.q.from << c.q.to << c.q.period;
    EXPECT_EQ(r.error().field, c.field);
  }
}

// --- ADM-5: the perimeter -------------------------------------------------------------------

TEST(PortalAdministration, OrgAdminSeesEveryApplicationOfTheirOrganisations) {
  TestSimulator t;
  std::vector<std::string> expected;
  for (const auto& a : t.sim->snapshot()->world.applications)
    if (a.organisation == "mtes") expected.push_back(a.id);
  ASSERT_GE(expected.size(), 2u);
  json j = get_as(t, kMtesAdmin, "/portal/admin/applications");
  EXPECT_EQ(j["count"], expected.size());
  std::vector<std::string> ids;
  for (const auto& a : j["applications"]) {
    ids.push_back(a["id"]);
    EXPECT_EQ(a["organisation"], "mtes");
  }
  std::sort(ids.begin(), ids.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ids, expected);
  // With its accesses: API, status and scopes.
  for (const auto& a : j["applications"])
    if (a["id"] == "demo-production") {
      ASSERT_FALSE(a["subscriptions"].empty());
      EXPECT_TRUE(a["subscriptions"][0].contains("status"));
      EXPECT_TRUE(a["subscriptions"][0].contains("scopes"));
      EXPECT_EQ(a["owner"], kDemo);
    }
  EXPECT_EQ(get_as(t, kMtesAdmin, "/portal/admin/applications?organisation=mtes")["count"],
            expected.size());
}

TEST(PortalAdministration, PerimeterRefusals) {
  TestSimulator t;
  EXPECT_EQ(outcome(t, "", "/portal/admin/applications"), "401 NOT_LOGGED_IN");
  EXPECT_EQ(outcome(t, kDemo, "/portal/admin/applications"), "403 NOT_ORGADMIN");
  EXPECT_EQ(outcome(t, "inactive@pistesim.test", "/portal/admin/applications"),
            "401 NOT_LOGGED_IN");
  EXPECT_EQ(outcome(t, kMtesAdmin, "/portal/admin/applications?organisation=service-dihal"),
            "403 NOT_ORGADMIN");
}

// --- ADM-3: top consumers -------------------------------------------------------------------

TEST(PortalAdministration, TopConsumersSortsVolumesOfTheirApis) {
  TestSimulator t;
  make_mtes_admin_responsible(t);
  std::string sbx = t.token();
  std::string prod = t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  for (int i = 0; i < 3; ++i) (void)t.call(Channel::Sandbox, "GET", kPing, sbx);
  (void)t.call(Channel::Sandbox, "GET", kJudilibre, sbx);
  for (int i = 0; i < 4; ++i) (void)t.call(Channel::Production, "GET", kPing, prod);
  // Not theirs: not listed.
  (void)t.call(Channel::Sandbox, "GET", "/cpro/factures/v1/healthcheck", sbx);

  json j = get_as(t, kMtesAdmin, "/portal/admin/top-consumers?days=7");
  ASSERT_EQ(j["apis"].size(), 2u);
  EXPECT_EQ(j["apis"][0]["api"], "legifrance");
  EXPECT_EQ(j["apis"][0]["name"], "Légifrance");
  EXPECT_EQ(j["apis"][0]["total"], 7);
  EXPECT_EQ(j["apis"][1]["api"], "judilibre");
  EXPECT_EQ(j["apis"][1]["total"], 1);
  ASSERT_EQ(j["consumers"].size(), 3u);
  EXPECT_EQ(j["consumers"][0]["rank"], 1);
  EXPECT_EQ(j["consumers"][0]["application"], kProductionApp);
  EXPECT_EQ(j["consumers"][0]["application_name"], "demo-production-app");
  EXPECT_EQ(j["consumers"][0]["channel"], "PRODUCTION");
  EXPECT_EQ(j["consumers"][0]["total"], 4);
  EXPECT_EQ(j["consumers"][0]["2xx"], 4);
  EXPECT_EQ(j["consumers"][1]["application"], kSandboxApp);
  EXPECT_EQ(j["consumers"][1]["api"], "legifrance");
  EXPECT_EQ(j["consumers"][1]["total"], 3);
  EXPECT_EQ(j["consumers"][2]["api"], "judilibre");
  EXPECT_EQ(j["from"], "2026-11-16T23:00:00.000Z");

  // One API.
  j = get_as(t, kMtesAdmin, "/portal/admin/top-consumers?api=judilibre");
  ASSERT_EQ(j["apis"].size(), 1u);
  EXPECT_EQ(j["consumers"].size(), 1u);
}

TEST(PortalAdministration, TopConsumersFollowsThePeriodAndDeletedApplications) {
  TestSimulator t;
  make_mtes_admin_responsible(t);
  std::string sbx = t.token();
  (void)t.call(Channel::Sandbox, "GET", kPing, sbx);
  t.sim->usage().record("deleted-app", "legifrance", 200, true, kStart - 10 * kDay);
  t.clock->advance(2 * kDay);
  (void)t.call(Channel::Sandbox, "GET", kPing, t.token());

  json j = get_as(t, kMtesAdmin, "/portal/admin/top-consumers?days=1");
  EXPECT_EQ(j["apis"][0]["total"], 1);
  j = get_as(t, kMtesAdmin, "/portal/admin/top-consumers?days=3");
  EXPECT_EQ(j["apis"][0]["total"], 2);
  j = get_as(t, kMtesAdmin, "/portal/admin/top-consumers?from=2026-11-13&to=2026-11-13");
  ASSERT_EQ(j["consumers"].size(), 1u);
  EXPECT_EQ(j["consumers"][0]["application"], "deleted-app");
  EXPECT_EQ(j["consumers"][0]["deleted"], true);
  // An OrgAdmin responsible for nothing sees an empty table.
  j = get_as(t, "api-platau-administration@developpement-durable.gouv.fr",
             "/portal/admin/top-consumers");
  EXPECT_TRUE(j["consumers"].empty());
}

TEST(PortalAdministration, TopConsumersRefusals) {
  TestSimulator t;
  make_mtes_admin_responsible(t);
  EXPECT_EQ(outcome(t, "", "/portal/admin/top-consumers"), "401 NOT_LOGGED_IN");
  EXPECT_EQ(outcome(t, kDemo, "/portal/admin/top-consumers"), "403 NOT_ORGADMIN");
  EXPECT_EQ(outcome(t, kMtesAdmin, "/portal/admin/top-consumers?api=nope"), "404 UNKNOWN_API");
  EXPECT_EQ(outcome(t, kMtesAdmin, "/portal/admin/top-consumers?api=cpro-factures"),
            "403 NOT_RESPONSIBLE");
  EXPECT_EQ(outcome(t, kMtesAdmin, "/portal/admin/top-consumers?days=0"), "400 INVALID_FIELD");
  EXPECT_EQ(outcome(t, kMtesAdmin, "/portal/admin/top-consumers?from=2026-11-05&to=2026-11-01"),
            "400 INVALID_PERIOD");
}

// Responsibility: approver of the API, or the API is restricted to an organisation they
// administer.
TEST(PortalAdministration, ResponsibleForTheApisTheyApproveOrTheirOrganisationsOwn) {
  TestSimulator t;
  auto snap = t.sim->snapshot();
  const User& dihal = *snap->index.user("api.externe.sisiao@dihal.gouv.fr");
  const User& mtes = *snap->index.user(kMtesAdmin);
  const Api& menage = *snap->index.api("sisiao-menage");
  Api restricted = *snap->index.api("legifrance");
  restricted.approvers.clear();
  restricted.organisations = {"mtes"};
  EXPECT_TRUE(is_responsible_for(dihal, menage));
  EXPECT_FALSE(is_responsible_for(mtes, menage));
  EXPECT_TRUE(is_responsible_for(mtes, restricted));
  EXPECT_FALSE(is_responsible_for(dihal, restricted));
  Api approved = menage;
  approved.organisations.clear();
  approved.approvers = {"ADMIN-MTES@pistesim.test"};
  EXPECT_TRUE(is_responsible_for(mtes, approved));
}

// --- ADM-4: API health ----------------------------------------------------------------------

json health_of(const json& page, const std::string& api) {
  for (const auto& a : page["apis"])
    if (a["api"] == api) return a;
  return json();
}

TEST(PortalAdministration, ApiHealthByTheProvidersHealthCheck) {
  TestSimulator t;
  make_mtes_admin_responsible(t);
  json j = get_as(t, kMtesAdmin, "/portal/admin/api-health");
  ASSERT_EQ(j["apis"].size(), 2u);
  json legifrance = health_of(j, "legifrance");
  EXPECT_EQ(legifrance["name"], "Légifrance");
  EXPECT_EQ(legifrance["status"], "Succès");
  EXPECT_EQ(legifrance["method"], "Healthcheck fournisseur");
  EXPECT_EQ(legifrance["delay"], "");
  EXPECT_EQ(legifrance["provider_status"], 200);

  // An outage injected on the API fails the check, without using the fault up.
  ASSERT_EQ(t.control("POST", "/faults", R"({"api":"legifrance","status":503})").status, 201);
  j = get_as(t, kMtesAdmin, "/portal/admin/api-health");
  EXPECT_EQ(health_of(j, "legifrance")["status"], "Échec");
  EXPECT_EQ(health_of(j, "legifrance")["provider_status"], 503);
  EXPECT_EQ(health_of(j, "judilibre")["status"], "Succès");
  EXPECT_EQ(json::parse(t.control("GET", "/faults").body)[0]["remaining"], 1);
  // A fault aimed at one application does not touch PISTE's check.
  ASSERT_EQ(t.control("DELETE", "/faults").status, 200);
  ASSERT_EQ(t.control("POST", "/faults", R"({"application":"demo-sandbox","status":500})").status,
            201);
  EXPECT_EQ(health_of(get_as(t, kMtesAdmin, "/portal/admin/api-health"), "legifrance")["status"],
            "Succès");

  // A health route the provider does not answer.
  t.sim->mutate([](World& w) {
    for (auto& a : w.apis)
      if (a.id == "legifrance") a.health = "/no-such-route";
  });
  j = get_as(t, kMtesAdmin, "/portal/admin/api-health");
  EXPECT_EQ(health_of(j, "legifrance")["status"], "Échec");
  EXPECT_EQ(health_of(j, "legifrance")["provider_status"], 404);
}

TEST(PortalAdministration, ApiHealthByConsumption) {
  TestSimulator t;
  make_mtes_admin_responsible(t);
  t.sim->mutate([](World& w) {
    for (auto& a : w.apis)
      if (a.id == "judilibre") a.health.clear();
  });
  json h = health_of(get_as(t, kMtesAdmin, "/portal/admin/api-health"), "judilibre");
  EXPECT_EQ(h["status"], "Aucun appel");
  EXPECT_EQ(h["method"], "Healthcheck Consommation");
  EXPECT_EQ(h["delay"], "1 DY");

  std::string sbx = t.token();
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kJudilibre, sbx).status, 200);
  h = health_of(get_as(t, kMtesAdmin, "/portal/admin/api-health"), "judilibre");
  EXPECT_EQ(h["status"], "Succès");
  EXPECT_EQ(h["provider_status"], 200);
  EXPECT_EQ(h["calls"]["total"], 1);

  ASSERT_EQ(t.control("POST", "/faults", R"({"api":"judilibre","status":500})").status, 201);
  t.clock->advance(1000);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kJudilibre, sbx).status, 500);
  h = health_of(get_as(t, kMtesAdmin, "/portal/admin/api-health"), "judilibre");
  EXPECT_EQ(h["status"], "Échec");
  EXPECT_EQ(h["calls"]["5xx"], 1);

  // A day and an hour later (statistics are kept per hour), only a gateway refusal (403): not a
  // call to the provider.
  t.clock->advance(kDay + kHourMs);
  ASSERT_EQ(t.control("PUT", "/applications/demo-sandbox/subscriptions/judilibre",
                      R"({"status":"revoked"})")
                .status,
            200);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kJudilibre, t.token()).status, 403);
  h = health_of(get_as(t, kMtesAdmin, "/portal/admin/api-health"), "judilibre");
  EXPECT_EQ(h["status"], "Aucun appel");
  EXPECT_EQ(h["calls"]["total"], 1);
  EXPECT_EQ(h["calls"]["4xx"], 1);
  h = health_of(get_as(t, kMtesAdmin, "/portal/admin/api-health?period=2d"), "judilibre");
  EXPECT_EQ(h["status"], "Échec");
  EXPECT_EQ(h["delay"], "2 DY");
  EXPECT_EQ(h["calls"]["total"], 3);
}

TEST(PortalAdministration, ApiHealthRefusals) {
  TestSimulator t;
  EXPECT_EQ(outcome(t, "", "/portal/admin/api-health"), "401 NOT_LOGGED_IN");
  EXPECT_EQ(outcome(t, kDemo, "/portal/admin/api-health"), "403 NOT_ORGADMIN");
  EXPECT_EQ(outcome(t, kMtesAdmin, "/portal/admin/api-health?period=10s"), "400 INVALID_FIELD");
  EXPECT_EQ(outcome(t, kMtesAdmin, "/portal/admin/api-health?period=40d"), "400 INVALID_FIELD");
  EXPECT_EQ(outcome(t, kMtesAdmin, "/portal/admin/api-health?period=bientot"), "400 INVALID_FIELD");
}

TEST(PortalAdministration, HealthDelayLabels) {
  EXPECT_EQ(health_delay_label(kDay), "1 DY");
  EXPECT_EQ(health_delay_label(7 * kDay), "7 DY");
  EXPECT_EQ(health_delay_label(12 * kHourMs), "12 HR");
  EXPECT_EQ(health_delay_label(90 * 60'000), "90 MN");
}

// --- APP-9: an application's usage ----------------------------------------------------------

TEST(PortalApplicationUsage, OwnerSeesCallsPerApiAndDay) {
  TestSimulator t;
  std::string sbx = t.token();
  for (int i = 0; i < 2; ++i) (void)t.call(Channel::Sandbox, "GET", kPing, sbx);
  (void)t.call(Channel::Sandbox, "GET", "/dume/acheteurs/v1/healthcheck", sbx);  // 403
  t.clock->advance(kDay);
  sbx = t.token();
  (void)t.call(Channel::Sandbox, "GET", kPing, sbx);

  json j = get_as(t, kDemo, "/portal/applications/demo-sandbox/usage?days=2");
  EXPECT_EQ(j["application"], kSandboxApp);
  EXPECT_EQ(j["application_name"], "APP_SANDBOX_demo@pistesim.test");
  EXPECT_EQ(j["granularity"], "day");
  EXPECT_EQ(j["totals"]["total"], 4);
  EXPECT_EQ(j["totals"]["4xx"], 1);
  ASSERT_EQ(j["apis"].size(), 2u);
  EXPECT_EQ(j["apis"][0]["api"], "legifrance");
  EXPECT_EQ(j["apis"][0]["name"], "Légifrance");
  EXPECT_EQ(j["apis"][0]["totals"]["2xx"], 3);
  EXPECT_EQ(j["apis"][0]["last_provider_status"], 200);
  ASSERT_EQ(j["apis"][0]["buckets"].size(), 2u);
  EXPECT_EQ(j["apis"][0]["buckets"][0]["label"], "23/11/2026");
  EXPECT_EQ(j["apis"][0]["buckets"][0]["start"], "2026-11-22T23:00:00.000Z");
  EXPECT_EQ(j["apis"][0]["buckets"][0]["total"], 2);
  EXPECT_EQ(j["apis"][0]["buckets"][1]["label"], "24/11/2026");
  EXPECT_EQ(j["apis"][0]["buckets"][1]["total"], 1);
  EXPECT_EQ(j["apis"][1]["api"], "dume-acheteurs");
  EXPECT_EQ(j["apis"][1]["last_provider_status"], nullptr);

  j = get_as(t, kDemo, "/portal/applications/demo-sandbox/usage?days=1&granularity=hour");
  EXPECT_EQ(j["totals"]["total"], 1);
  EXPECT_EQ(j["apis"][0]["buckets"][0]["label"], "24/11/2026 à 11:00");
}

TEST(PortalApplicationUsage, OrgAdminOfItsOrganisationSeesItOthersDoNot) {
  TestSimulator t;
  std::string prod = t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  (void)t.call(Channel::Production, "GET", kPing, prod);
  json j = get_as(t, kMtesAdmin, "/portal/applications/demo-production/usage");
  EXPECT_EQ(j["totals"]["total"], 1);
  EXPECT_EQ(outcome(t, kMtesAdmin, "/portal/applications/demo-sandbox/usage"), "403 NOT_ALLOWED");
  EXPECT_EQ(outcome(t, kChorusAdmin, "/portal/applications/demo-production/usage"),
            "403 NOT_ALLOWED");
  EXPECT_EQ(outcome(t, kDemo, "/portal/applications/nope/usage"), "404 UNKNOWN_APPLICATION");
  EXPECT_EQ(outcome(t, "", "/portal/applications/demo-sandbox/usage"), "401 NOT_LOGGED_IN");
  EXPECT_EQ(outcome(t, kDemo, "/portal/applications/demo-sandbox/usage?granularity=week"),
            "400 INVALID_FIELD");
  EXPECT_EQ(outcome(t, kDemo, "/portal/applications/demo-sandbox/usage?days=99"),
            "400 INVALID_FIELD");
}

TEST(PortalApplicationUsage, NoCallsGivesAnEmptyPage) {
  TestSimulator t;
  json j = get_as(t, kDemo, "/portal/applications/demo-sandbox/usage");
  EXPECT_EQ(j["totals"]["total"], 0);
  EXPECT_TRUE(j["apis"].empty());
}

}  // namespace
}  // namespace pistesim::test
