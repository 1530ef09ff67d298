// World deltas (world/world_delta.h), what a cluster's log entries carry: for each kind of change
// the simulator makes, the delta from the world before to the world after, applied to the world
// before, gives the world after field for field, and holds only what changed.
#include "world/world_delta.h"

#include <functional>

#include "support/portal_forms.h"
#include "support/test_simulator.h"
#include "world/world_writer.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

constexpr const char* kDemo = "demo@pistesim.test";

// Quota counters are the simulator's, not the world's: a delta does not carry them.
World without_counters(World w) {
  for (auto& app : w.applications) {
    app.quota_slot = 0;
    for (auto& sub : app.subscriptions) sub.quota_slot = 0;
  }
  return w;
}

std::string errors_of(const std::vector<WorldError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.to_string() + "\n";
  return out;
}

// The delta from `before` to `after`, checked: it applies to `before` and gives `after`.
std::string checked_delta(const World& before, const World& after) {
  std::optional<std::string> delta = write_world_delta(before, after);
  EXPECT_TRUE(delta) << "no delta for this change";
  if (!delta) return {};
  World applied = before;
  std::vector<WorldError> errors = apply_world_delta(applied, *delta, "delta");
  EXPECT_TRUE(errors.empty()) << errors_of(errors) << "in\n" << *delta;
  EXPECT_TRUE(without_counters(applied) == without_counters(after)) << *delta;
  return *delta;
}

// A world with `extra` more applications (copies of the demo sandbox one, each its own ids).
World fleet_world(size_t extra) {
  World w = default_world();
  const Application model = w.applications.front();
  for (size_t i = 0; i < extra; ++i) {
    Application app = model;
    const std::string n = std::to_string(i);
    app.id = "fleet-" + n;
    app.name = "fleet-" + n + "-app";
    for (auto& c : app.oauth_clients) c.client_id = "fleet-client-" + n + "-" + c.client_id;
    for (auto& k : app.api_keys) k.key = "fleet-key-" + n + "-" + k.key;
    w.applications.push_back(std::move(app));
  }
  return w;
}

struct Step {
  const char* what;
  std::function<Response(TestSimulator&)> run;
  const char* holds;  // a line the delta must hold
};

TEST(WorldDelta, EachKindOfChangeRoundTripsAndCarriesOnlyWhatChanged) {
  TestSimulator t;
  std::string app_id;  // the production application the steps create
  std::string request_id;
  const std::vector<Step> steps{
      {"registration",
       [](TestSimulator& t) {
         return t.control("POST", "/portal/register", registration_form("new@example.fr").dump());
       },
       "email = \"new@example.fr\""},
      {"activation (and its sandbox application)",
       [](TestSimulator& t) {
         std::string token;
         for (const auto& u : t.sim->snapshot()->world.users)
           if (u.email == "new@example.fr") token = u.activation_token;
         return t.control("GET", "/portal/activate?token=" + token);
       },
       "name = \"APP_SANDBOX_new@example.fr\""},
      {"application created",
       [&](TestSimulator& t) {
         Response r = t.control_as(kDemo, "POST", "/portal/applications",
                                   application_form("delta-app").dump());
         app_id = body_of(r).value("id", "");
         return r;
       },
       "name = \"delta-app\""},
      {"application edited",
       [&](TestSimulator& t) {
         return t.control_as(kDemo, "PATCH", "/portal/applications/" + app_id,
                             R"({"description":"Edited"})");
       },
       "description = \"Edited\""},
      {"credentials rotated",
       [](TestSimulator& t) {
         return t.control_as(kDemo, "POST",
                             std::string("/portal/applications/") + kSandboxApp +
                                 "/oauth-clients/" + kSandboxClientId + "/secret");
       },
       "id = \"demo-sandbox\""},
      {"consent",
       [](TestSimulator& t) {
         return t.control_as(kDemo, "POST", "/portal/api-cgu",
                             R"({"accept":[{"api":"e-signature","channel":"SANDBOX"}]})");
       },
       "api = \"e-signature\""},
      {"access request",
       [&](TestSimulator& t) {
         Response r = t.control_as(kDemo, "POST", "/portal/access-requests",
                                   json{{"api", "carte-achat"},
                                        {"application", std::string(kSandboxApp)},
                                        {"motif", "Projet de test de l'API"},
                                        {"scopes", {"cnf"}}}
                                       .dump());
         request_id = body_of(r).value("id", "");
         return r;
       },
       "[[access_requests]]"},
      {"decision",
       [&](TestSimulator& t) {
         return t.control_as("approbateur.carteachat@pistesim.test", "POST",
                             "/portal/admin/access-requests/approve",
                             json{{"ids", {request_id}}, {"motif", "Accord"}}.dump());
       },
       "status = \"approved\""},
      {"application deleted",
       [&](TestSimulator& t) {
         return t.control_as(kDemo, "DELETE", "/portal/applications/" + app_id);
       },
       "[removed]"},
      {"settings",
       [](TestSimulator& t) { return t.control("PUT", "/platform-cgu", R"({"version": "2"})"); },
       "platform_cgu_version = \"2\""},
      {"the new PISTE CGU accepted",
       [](TestSimulator& t) { return t.control_as(kDemo, "POST", "/portal/cgu/accept"); },
       "email = \"demo@pistesim.test\""},
  };
  for (const Step& step : steps) {
    SCOPED_TRACE(step.what);
    const World before = t.sim->snapshot()->world;
    Response r = step.run(t);
    ASSERT_LT(r.status, 300) << r.body;
    const World& after = t.sim->snapshot()->world;
    ASSERT_FALSE(before == after) << "the step changed nothing";
    const std::string delta = checked_delta(before, after);
    EXPECT_NE(delta.find(step.holds), std::string::npos) << delta;
    // One or two entities, never the world: the default world's APIs stay out of it.
    EXPECT_EQ(delta.find("[[apis]]"), std::string::npos) << delta;
    EXPECT_LT(delta.size(), write_world_toml(after).size() / 4) << delta;
  }
}

TEST(WorldDelta, RemovalsChangesAndAdditionsTogetherInEveryCollection) {
  const World before = default_world();
  World after = before;
  after.settings.captcha = "OTHER";
  after.organisations.push_back({"delta-org", "Delta", "DLT", false, ""});
  after.cgus.erase(after.cgus.begin());
  after.apis.back().description = "changed";
  after.users.erase(after.users.begin() + 1);
  after.users.front().name = "Renamed";
  after.applications.erase(after.applications.begin());
  after.applications.push_back(before.applications.front());
  after.applications.back().id = "moved-out-and-back";
  after.access_requests.clear();
  after.cpro_structures.push_back({"12345678901234", "Structure", {}, {}});
  const std::string delta = checked_delta(before, after);
  EXPECT_NE(delta.find("[removed]"), std::string::npos) << delta;
  EXPECT_NE(delta.find("applications = [\"" + before.applications.front().id + "\"]"),
            std::string::npos)
      << delta;
  // Nothing changed: the settings alone, which apply to the same world.
  const std::string none = checked_delta(after, after);
  EXPECT_EQ(none.find("[["), std::string::npos) << none;
}

TEST(WorldDelta, AChangeThatMovesAnEntityIsNoDelta) {
  const World before = default_world();
  ASSERT_GE(before.applications.size(), 2u);
  World swapped = before;
  std::swap(swapped.applications[0], swapped.applications[1]);
  EXPECT_FALSE(write_world_delta(before, swapped));
  World inserted = before;
  Application app = before.applications.front();
  app.id = "in-the-middle";
  inserted.applications.insert(inserted.applications.begin(), app);
  EXPECT_FALSE(write_world_delta(before, inserted));
  World twice = before;
  twice.applications.push_back(before.applications.front());  // an id held twice
  EXPECT_FALSE(write_world_delta(before, twice));
}

TEST(WorldDelta, ADeltaForAnotherWorldIsRefused) {
  const World before = default_world();
  World after = before;
  after.applications.erase(after.applications.begin());
  const std::string delta = *write_world_delta(before, after);
  World other = after;  // already without that application
  std::vector<WorldError> errors = apply_world_delta(other, delta, "entry");
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors.front().message.find("does not hold"), std::string::npos) << errors_of(errors);
  World bad = before;
  EXPECT_FALSE(apply_world_delta(bad, "[removed]\nwidgets = [\"x\"]\n", "entry").empty());
  EXPECT_FALSE(apply_world_delta(bad, "not toml = = 1", "entry").empty());
}

TEST(WorldDelta, AReplacedApplicationKeepsItsQuotaCounters) {
  World before = default_world();
  before.applications.front().quota_slot = 7;
  for (auto& sub : before.applications.front().subscriptions) sub.quota_slot = 9;
  World after = before;
  after.applications.front().description = "changed";
  World applied = before;
  ASSERT_TRUE(apply_world_delta(applied, *write_world_delta(before, after), "entry").empty());
  EXPECT_TRUE(applied == after);  // counters included
  EXPECT_EQ(applied.applications.front().quota_slot, 7u);
}

TEST(WorldDelta, ARegistrationInAWorldOfThousandsOfApplicationsIsAFewHundredBytes) {
  TestSimulator t(Profile::Piste, fleet_world(5000));
  const World before = t.sim->snapshot()->world;
  ASSERT_EQ(
      t.control("POST", "/portal/register", registration_form("big@example.fr").dump()).status,
      201);
  const std::string delta = checked_delta(before, t.sim->snapshot()->world);
  const size_t world_bytes = write_world_toml(t.sim->snapshot()->world).size();
  EXPECT_GT(world_bytes, 2'000'000u);
  EXPECT_LT(delta.size(), 2048u) << delta;
}

}  // namespace
}  // namespace pistesim::test
