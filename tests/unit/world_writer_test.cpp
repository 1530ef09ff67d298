// The world writer (world_writer.h) and the snapshot and reset control routes: a written world
// loads back equal field for field, its text is stable, it holds no password but the published
// demo one, and POST /world/reset brings the fixture back.
#include "world/world_writer.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <unistd.h>

#include "control/control_api.h"
#include "crypto/password.h"
#include "support/test_simulator.h"
#include "world/default_world.h"
#include "world/world_delta.h"
#include "world/world_loader.h"

namespace pistesim::test {
namespace {

const std::string kDataDir = std::string(PISTESIM_SOURCE_DIR) + "/tests/data/";

std::string errors_of(const WorldLoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

// Snapshots are saved states: the consistency rules of written files do not apply (a mutated
// field may leave, say, an approver without an account).
World load_ok(std::string_view text, const std::string& name) {
  WorldLoadResult r = load_world_string(text, name, WorldChecks::Saved);
  EXPECT_TRUE(r.ok()) << errors_of(r) << "in\n" << text;
  return std::move(r.world);
}

World load_file_ok(const std::string& path) {
  WorldLoadResult r = load_world_file(path);
  EXPECT_TRUE(r.ok()) << errors_of(r);
  return std::move(r.world);
}

// Which entity differs first ("users[2]", "settings"), "" when the worlds are equal: a readable
// failure where `a == b` alone would only say false.
std::string first_difference(const World& a, const World& b) {
  if (!(a.settings == b.settings)) return "settings";
  auto list = [](const char* name, const auto& x, const auto& y) -> std::string {
    if (x.size() != y.size())
      return std::string(name) + ": " + std::to_string(x.size()) + " vs " +
             std::to_string(y.size()) + " entries";
    for (size_t i = 0; i < x.size(); ++i)
      if (!(x[i] == y[i])) return std::string(name) + "[" + std::to_string(i) + "]";
    return "";
  };
  for (std::string d :
       {list("organisations", a.organisations, b.organisations), list("cgus", a.cgus, b.cgus),
        list("apis", a.apis, b.apis), list("users", a.users, b.users),
        list("applications", a.applications, b.applications),
        list("access_requests", a.access_requests, b.access_requests)})
    if (!d.empty()) return d;
  return a == b ? "" : "somewhere";
}

// The world as a file would give it: without the quota counters a simulator assigns.
World without_quota_slots(World w) {
  for (auto& app : w.applications) {
    app.quota_slot = 0;
    for (auto& sub : app.subscriptions) sub.quota_slot = 0;
  }
  return w;
}

// Written, loaded back: equal; written again: the same text.
void expect_round_trip(const World& w) {
  const std::string text = write_world_toml(w);
  World back = load_ok(text, "snapshot.toml");
  EXPECT_EQ(first_difference(w, back), "") << text;
  EXPECT_TRUE(w == back);
  EXPECT_EQ(write_world_toml(back), text);
}

// --- Round trips ------------------------------------------------------------------------------

TEST(WorldWriter, TheDefaultWorldRoundTrips) {
  World w = default_world();
  expect_round_trip(w);
  // load → write → load → write: identical text.
  const std::string once = write_world_toml(w);
  const std::string twice = write_world_toml(load_ok(once, "once.toml"));
  EXPECT_EQ(once, twice);
}

TEST(WorldWriter, TheMinimalWorldRoundTrips) {
  expect_round_trip(load_file_ok(kDataDir + "minimal-world.toml"));
}

TEST(WorldWriter, AWorldWithEveryKeyRoundTrips) {
  World w = load_file_ok(kDataDir + "full-world.toml");
  ASSERT_EQ(w.access_requests.size(), 3u);
  expect_round_trip(w);
}

// Each field in turn set to another value (often back to its default, as the full world sets
// every one): the written text carries it, so that the loaded world equals the changed one.
struct FieldChange {
  const char* name;
  std::function<void(World&)> change;
};

void PrintTo(const FieldChange& c, std::ostream* os) {
  *os << c.name;
}

class WorldWriterField : public ::testing::TestWithParam<FieldChange> {};

TEST_P(WorldWriterField, SurvivesTheRoundTrip) {
  const World base = load_file_ok(kDataDir + "full-world.toml");
  World changed = base;
  GetParam().change(changed);
  ASSERT_FALSE(changed == base) << "the change changes nothing";
  expect_round_trip(changed);
}

// The same change as a cluster's log entry carries it (world/world_delta.h): only the entity
// that holds the field, which applied to the world before gives the changed world.
TEST_P(WorldWriterField, TravelsAsADelta) {
  const World base = load_file_ok(kDataDir + "full-world.toml");
  World changed = base;
  GetParam().change(changed);
  std::optional<std::string> delta = write_world_delta(base, changed);
  ASSERT_TRUE(delta);
  World applied = base;
  std::vector<WorldError> errors = apply_world_delta(applied, *delta, "delta");
  ASSERT_TRUE(errors.empty()) << errors.front().to_string() << "\nin\n" << *delta;
  EXPECT_EQ(first_difference(applied, changed), "") << *delta;
  EXPECT_LT(delta->size(), write_world_toml(changed).size()) << *delta;
}

Api& api0(World& w) {
  return w.apis[0];
}
User& user(World& w, size_t i) {
  return w.users[i];
}
Application& prod(World& w) {
  return w.applications[2];
}

INSTANTIATE_TEST_SUITE_P(
    EveryField, WorldWriterField,
    ::testing::Values(
        FieldChange{"WorldName", [](World& w) { w.settings.name = "autre"; }},
        FieldChange{"NoDemoUser",
                    [](World& w) { w.settings.demo_user = w.settings.demo_password = ""; }},
        FieldChange{"NoDemoPassword", [](World& w) { w.settings.demo_password = ""; }},
        FieldChange{"DemoPasswordWithQuotes",
                    [](World& w) { w.settings.demo_password = "a\"b\\c'd"; }},
        FieldChange{"PlatformCguVersion", [](World& w) { w.settings.platform_cgu_version = "1"; }},
        FieldChange{"Captcha", [](World& w) { w.settings.captcha = "PISTE"; }},
        FieldChange{"ActivationMail",
                    [](World& w) {
                      w.settings.activation_mail =
                          w.settings.activation_mail == "legacy" ? "current" : "legacy";
                    }},
        FieldChange{"TokenLifetime", [](World& w) { w.settings.token_lifetime_s = 3600; }},
        FieldChange{"ProductionQuota",
                    [](World& w) {
                      w.settings.production_quota = {20, QuotaWindow::Day};
                    }},
        FieldChange{"SandboxQuota",
                    [](World& w) {
                      w.settings.sandbox_quota = {1, QuotaWindow::Second};
                    }},
        FieldChange{"OrganisationId",
                    [](World& w) {
                      w.organisations[1].id = "autre";
                      api0(w).organisations = {"autre"};
                      for (auto& u : w.users)
                        for (auto& m : u.memberships)
                          if (m.organisation == "dihal") m.organisation = "autre";
                      for (auto& app : w.applications)
                        if (app.organisation == "dihal") app.organisation = "autre";
                    }},
        FieldChange{"OrganisationAdded",
                    [](World& w) {
                      w.organisations.push_back({"o3", "O3", "", false, "O3"});
                    }},
        FieldChange{"OrganisationName", [](World& w) { w.organisations[1].name = "N"; }},
        FieldChange{"OrganisationCode", [](World& w) { w.organisations[1].code = ""; }},
        FieldChange{"OrganisationUniversal",
                    [](World& w) { w.organisations[0].universal = false; }},
        FieldChange{"OrganisationAppPrefix", [](World& w) { w.organisations[1].app_prefix = ""; }},
        FieldChange{"CguTitle", [](World& w) { w.cgus[0].title = "T"; }},
        FieldChange{"CguVersion", [](World& w) { w.cgus[0].version = "1"; }},
        FieldChange{"ApiName", [](World& w) { api0(w).name = "A"; }},
        FieldChange{"ApiVersion", [](World& w) { api0(w).version = "9"; }},
        FieldChange{"ApiDescription", [](World& w) { api0(w).description = ""; }},
        FieldChange{"ApiTags", [](World& w) { api0(w).tags.clear(); }},
        FieldChange{"ApiChannels", [](World& w) { api0(w).channels = {Channel::Production}; }},
        FieldChange{"ApiChannelOrder",
                    [](World& w) {
                      api0(w).channels = {Channel::Production, Channel::Sandbox};
                    }},
        FieldChange{"ApiBasePath", [](World& w) { api0(w).base_path = "/alpha/v2"; }},
        FieldChange{"ApiScopes", [](World& w) { api0(w).scopes.push_back("alpha.admin"); }},
        FieldChange{"ApiCgu",
                    [](World& w) {
                      api0(w).cgu = "";
                      for (auto& u : w.users) u.accepted_cgu.clear();
                    }},
        FieldChange{"ApiApprovalRequired", [](World& w) { api0(w).approval_required = false; }},
        FieldChange{"ApiApprovers", [](World& w) { api0(w).approvers.clear(); }},
        FieldChange{"ApiOrganisations", [](World& w) { api0(w).organisations.clear(); }},
        FieldChange{"ApiOAuthOnly", [](World& w) { api0(w).api_key_allowed = false; }},
        FieldChange{"ApiKeyOnly", [](World& w) { api0(w).oauth_allowed = false; }},
        FieldChange{"ApiQuota", [](World& w) { api0(w).quota.reset(); }},
        FieldChange{"ApiHealth", [](World& w) { api0(w).health = ""; }},
        FieldChange{"ApiAdded", [](World& w) { api0(w).added_at = 0; }},
        FieldChange{"ApiAddedMillis", [](World& w) { api0(w).added_at = 1666114860123; }},
        FieldChange{"GateRemoved", [](World& w) { api0(w).business_profile_gate.reset(); }},
        FieldChange{"GateStatus", [](World& w) { api0(w).business_profile_gate->status = 200; }},
        FieldChange{"GateContentType",
                    [](World& w) {
                      api0(w).business_profile_gate->content_type = "application/json";
                    }},
        FieldChange{"GateBody", [](World& w) { api0(w).business_profile_gate->body = "{}"; }},
        FieldChange{"TechnicalAccountRemoved",
                    [](World& w) { api0(w).technical_account.reset(); }},
        FieldChange{"TechnicalAccountHeader",
                    [](World& w) { api0(w).technical_account->header = "cpro-account"; }},
        FieldChange{"TechnicalAccounts",
                    [](World& w) { api0(w).technical_account->accounts = {"a:b"}; }},
        FieldChange{"TechnicalAccountMissing",
                    [](World& w) {
                      api0(w).technical_account->missing.status = 401;
                      api0(w).technical_account->missing.body = "";
                    }},
        FieldChange{"TechnicalAccountInvalid",
                    [](World& w) {
                      api0(w).technical_account->invalid.status = 403;
                      api0(w).technical_account->invalid.body = "";
                    }},
        FieldChange{"TechnicalAccountContentType",
                    [](World& w) {
                      api0(w).technical_account->missing.content_type = "application/json";
                      api0(w).technical_account->invalid.content_type = "application/json";
                      api0(w).technical_account->not_connected.content_type = "application/json";
                    }},
        FieldChange{"RouteMethod", [](World& w) { api0(w).routes[0].method = "PATCH"; }},
        FieldChange{"RoutePath", [](World& w) { api0(w).routes[0].path = "/other"; }},
        FieldChange{"RoutePrefix", [](World& w) { api0(w).routes[0].prefix = false; }},
        FieldChange{"RouteAnyPath",
                    [](World& w) {
                      api0(w).routes[0].path = "";
                      api0(w).routes[0].prefix = true;
                    }},
        FieldChange{"RouteRequiresQuery", [](World& w) { api0(w).routes[0].requires_query = {}; }},
        FieldChange{"RouteRequiresJson", [](World& w) { api0(w).routes[0].requires_json = {}; }},
        FieldChange{"RouteStatus", [](World& w) { api0(w).routes[0].answer.status = 200; }},
        FieldChange{"RouteContentType",
                    [](World& w) { api0(w).routes[0].answer.content_type = "application/json"; }},
        FieldChange{"RouteBody", [](World& w) { api0(w).routes[0].answer.body = ""; }},
        FieldChange{"RouteHeaders",
                    [](World& w) {
                      api0(w).routes[1].answer.headers = {{"Retry-After", "5"}, {"A", "\"q\""}};
                    }},
        FieldChange{"RouteRemoved", [](World& w) { api0(w).routes.pop_back(); }},
        FieldChange{"UserName", [](World& w) { user(w, 0).name = "Nom"; }},
        FieldChange{"UserEmail",
                    [](World& w) {
                      user(w, 3).email = "other@full.test";
                      for (auto& q : w.access_requests)
                        if (q.requester == "approver@full.test") q.requester = "other@full.test";
                    }},
        FieldChange{"UserPasswordHash",
                    [](World& w) { user(w, 0).password_hash = hash_password("autre"); }},
        FieldChange{"UserActive", [](World& w) { user(w, 1).active = true; }},
        FieldChange{"UserActivationToken", [](World& w) { user(w, 1).activation_token = ""; }},
        FieldChange{"UserResetToken", [](World& w) { user(w, 2).reset_token = ""; }},
        FieldChange{"UserResetExpiresAt", [](World& w) { user(w, 2).reset_expires_at = 0; }},
        FieldChange{"UserMustChangePassword",
                    [](World& w) { user(w, 2).must_change_password = false; }},
        FieldChange{"UserPlatformCguCurrent",
                    [](World& w) { user(w, 2).platform_cgu_version = "3"; }},
        FieldChange{"UserPlatformCguNone", [](World& w) { user(w, 0).platform_cgu_version = ""; }},
        FieldChange{"UserRegisteredAt", [](World& w) { user(w, 0).registered_at = 0; }},
        FieldChange{"UserMemberships", [](World& w) { user(w, 2).memberships.clear(); }},
        FieldChange{"UserRole", [](World& w) { user(w, 0).memberships[1].role = Role::OrgAdmin; }},
        FieldChange{"UserAcceptedCgu", [](World& w) { user(w, 0).accepted_cgu.pop_back(); }},
        FieldChange{"UserOptInNews", [](World& w) { user(w, 0).opt_in_news = false; }},
        FieldChange{"UserOptInSurveys", [](World& w) { user(w, 0).opt_in_surveys = false; }},
        FieldChange{"ApplicationName", [](World& w) { prod(w).name = "renamed_app"; }},
        FieldChange{"ApplicationOwner",
                    [](World& w) {
                      prod(w).owner = "approver@full.test";
                    }},
        FieldChange{"ApplicationDescription", [](World& w) { prod(w).description = ""; }},
        FieldChange{"ApplicationEmail", [](World& w) { prod(w).email = ""; }},
        FieldChange{"ApplicationPhone", [](World& w) { prod(w).phone = ""; }},
        FieldChange{"ApplicationStructureInfo", [](World& w) { prod(w).structure_info = "Autre"; }},
        FieldChange{"ApplicationResponsible", [](World& w) { prod(w).responsible = ""; }},
        FieldChange{"ApplicationOrigin",
                    [](World& w) { w.applications[0].origin = ApplicationOrigin::Created; }},
        FieldChange{"ApplicationCreatedAt", [](World& w) { prod(w).created_at = 0; }},
        FieldChange{"ApplicationActive", [](World& w) { prod(w).active = true; }},
        FieldChange{"ApplicationQuota", [](World& w) { prod(w).quota.reset(); }},
        FieldChange{"ApplicationBusinessProfiles",
                    [](World& w) { prod(w).business_profiles.clear(); }},
        FieldChange{"ClientSecret",
                    [](World& w) { prod(w).oauth_clients[0].client_secret = "new-secret"; }},
        FieldChange{"ClientType",
                    [](World& w) {
                      prod(w).oauth_clients[0].type = ClientType::Public;
                      prod(w).oauth_clients[0].client_secret = "";
                    }},
        FieldChange{"ClientEnabled", [](World& w) { prod(w).oauth_clients[0].enabled = true; }},
        FieldChange{"ClientCallbacks",
                    [](World& w) { prod(w).oauth_clients[0].callback_urls.clear(); }},
        FieldChange{"ClientX509", [](World& w) { prod(w).oauth_clients[0].x509 = ""; }},
        FieldChange{"ClientCreatedAt", [](World& w) { prod(w).oauth_clients[0].created_at = 0; }},
        FieldChange{"ClientRemoved", [](World& w) { prod(w).oauth_clients.pop_back(); }},
        FieldChange{"KeyEnabled", [](World& w) { prod(w).api_keys[0].enabled = true; }},
        FieldChange{"KeyCreatedAt", [](World& w) { prod(w).api_keys[0].created_at = 0; }},
        FieldChange{"KeyRemoved", [](World& w) { prod(w).api_keys.clear(); }},
        FieldChange{"SubscriptionStatus",
                    [](World& w) {
                      prod(w).subscriptions[0].status = SubscriptionStatus::Rejected;
                    }},
        FieldChange{"SubscriptionScopes", [](World& w) { prod(w).subscriptions[0].scopes = {}; }},
        FieldChange{"SubscriptionQuota",
                    [](World& w) { prod(w).subscriptions[0].quota.reset(); }},
        FieldChange{"RequestMotif", [](World& w) { w.access_requests[0].motif = ""; }},
        FieldChange{"RequestScopes", [](World& w) { w.access_requests[0].scopes.clear(); }},
        FieldChange{"RequestStatus",
                    [](World& w) { w.access_requests[0].status = RequestStatus::Approved; }},
        FieldChange{"RequestRequestedAt", [](World& w) { w.access_requests[0].requested_at = 0; }},
        FieldChange{"RequestDecidedAt", [](World& w) { w.access_requests[2].decided_at = 0; }},
        FieldChange{"RequestDecidedBy", [](World& w) { w.access_requests[2].decided_by = ""; }},
        FieldChange{"RequestDecisionMessage",
                    [](World& w) { w.access_requests[2].decision_message = ""; }},
        FieldChange{"RequestApplication",
                    [](World& w) { w.access_requests[0].application = "enrolled"; }},
        FieldChange{"RequestRemoved", [](World& w) { w.access_requests.pop_back(); }},
        FieldChange{"NoRequests", [](World& w) { w.access_requests.clear(); }}),
    [](const auto& info) { return std::string(info.param.name); });

// Strings come back byte for byte whatever they hold.
TEST(WorldWriter, StringsAreEscaped) {
  const std::string tricky[] = {
      "",
      "plain",
      "quote \" and backslash \\",
      "apostrophe ' and quote \"",
      "three apostrophes ''' and a quote \"",
      "'starts with an apostrophe \"",
      "ends with an apostrophe \"'",
      "line\nbreak\r\nand tab\t and bell \x07 and escape \x1b and delete \x7f",
      "\\\\server\\share\\",
      "accents éàç « guillemets » — emoji \xF0\x9F\x98\x80 日本",
      R"({"json":"with \"escapes\"\n","path":"C:\\tmp"})",
      "# not a comment",
      "trailing backslash \\",
  };
  World w = load_file_ok(kDataDir + "minimal-world.toml");
  for (const std::string& s : tricky) {
    SCOPED_TRACE(s);
    World changed = w;
    changed.settings.name = s;
    changed.apis[0].description = s;
    changed.apis[0].routes[0].answer.body = s;
    changed.apis[0].routes[0].answer.headers = {{"X-Value", s}, {s.empty() ? "X" : s, "v"}};
    changed.applications[0].description = s;
    changed.users[0].name = s;
    changed.apis[0].tags = {s, s};
    expect_round_trip(changed);
  }
}

TEST(WorldWriter, StringsAreWrittenReadably) {
  EXPECT_EQ(toml_string("plain"), "\"plain\"");
  EXPECT_EQ(toml_string(R"({"a":"b"})"), R"('{"a":"b"}')");
  EXPECT_EQ(toml_string(R"({"a":"l'b"})"), R"('''{"a":"l'b"}''')");
  EXPECT_EQ(toml_string("a\nb"), "\"a\\nb\"");
  EXPECT_EQ(toml_string("a\x01"), "\"a\\u0001\"");
  EXPECT_EQ(toml_string("été"), "\"été\"");
  // Not UTF-8: U+FFFD (TOML text is UTF-8).
  EXPECT_EQ(toml_string("a\xff"), "\"a\xEF\xBF\xBD\"");
  EXPECT_EQ(toml_string("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong '/'
}

TEST(WorldWriter, TimestampsAreIso8601) {
  EXPECT_EQ(format_world_timestamp(1666114860000), "2022-10-18T17:41:00Z");
  EXPECT_EQ(format_world_timestamp(1666114860250), "2022-10-18T17:41:00.250Z");
  for (Millis ms :
       {Millis{1}, Millis{1666114860000}, Millis{1666114860999}, kStart, Millis{253402300799999}})
    EXPECT_EQ(parse_world_timestamp(format_world_timestamp(ms)), ms) << ms;
}

// Route headers keep the order of the file (TOML tables are unordered).
TEST(WorldWriter, RouteHeadersKeepTheirOrder) {
  World w = load_file_ok(kDataDir + "full-world.toml");
  std::vector<Header> expected = {{"X-Zeta", "1"}, {"X Alpha", "deux"}, {"X-Mid", "3"}};
  EXPECT_EQ(w.apis[0].routes[0].answer.headers, expected);
}

// --- What a snapshot holds --------------------------------------------------------------------

TEST(WorldWriter, HoldsNoPasswordButTheDemoOne) {
  World w = default_world();
  const std::string text = write_world_toml(w);
  // The fixture's passwords (fixtures/piste-default.toml).
  EXPECT_EQ(text.find("Admin-Mtes-2024!"), std::string::npos);
  EXPECT_EQ(text.find("Inactive-Piste-2024!"), std::string::npos);
  // Chorus Pro's technical accounts are provider-side secrets, written like client secrets; no
  // user's password is.
  for (size_t at = text.find("\npassword = "); at != std::string::npos;
       at = text.find("\npassword = ", at + 1))
    EXPECT_NE(text.rfind("[[chorus_pro_structures.technical_accounts]]", at), std::string::npos);
  EXPECT_EQ(text.find("\npassword = ", text.find("[[users]]")),
            text.find("\npassword = ", text.find("[[chorus_pro_structures")));
  // The demo password is the fixture's published one, printed by `serve` (WLD-2): written once,
  // as [world].demo_password.
  size_t at = text.find("Demo-Piste-2024!");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(text.find("Demo-Piste-2024!", at + 1), std::string::npos);
  EXPECT_NE(text.find("\ndemo_password = \"Demo-Piste-2024!\"\n"), std::string::npos);
  for (const auto& u : w.users) {
    SCOPED_TRACE(u.email);
    EXPECT_NE(text.find("password_hash = \"" + u.password_hash + "\""), std::string::npos);
  }

  // Loaded back, the passwords still log in and the demo password is still known.
  World back = load_ok(text, "snapshot.toml");
  EXPECT_EQ(back.settings.demo_password, "Demo-Piste-2024!");
  WorldIndex index(back);
  EXPECT_TRUE(verify_password(index.user("demo@pistesim.test")->password_hash, "Demo-Piste-2024!"));
  EXPECT_TRUE(
      verify_password(index.user("admin-mtes@pistesim.test")->password_hash, "Admin-Mtes-2024!"));
}

TEST(WorldWriter, TheHeaderSaysWhatAndWhen) {
  World w = load_file_ok(kDataDir + "minimal-world.toml");
  const std::string text = write_world_toml(w, {kStart, "a running\nsimulator"});
  EXPECT_TRUE(
      text.starts_with("# pistesim world snapshot of a running simulator, taken "
                       "2026-11-23T10:00:00Z (simulator clock).\n"))
      << text;
  EXPECT_TRUE(load_world_string(text, "s.toml").ok());
}

// What `pistesim world check FILE` runs on a dumped file.
TEST(WorldWriter, ADumpedFilePassesWorldCheck) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("pistesim-world-writer-" + std::to_string(::getpid()) + ".toml");
  for (const World& w : {default_world(), load_file_ok(kDataDir + "full-world.toml")}) {
    {
      std::ofstream out(path, std::ios::binary);
      out << write_world_toml(w, {kStart, "test"});
    }
    WorldLoadResult r = load_world_file(path.string());
    EXPECT_TRUE(r.ok()) << errors_of(r);
    EXPECT_EQ(first_difference(r.world, w), "");
  }
  std::filesystem::remove(path);
}

// --- The control routes -----------------------------------------------------------------------

TEST(WorldSnapshotRoute, AnswersTheCurrentWorldAsAWorldFile) {
  TestSimulator t;
  ASSERT_EQ(t.control("PATCH", "/applications/demo-production", R"({"active":false})").status, 200);
  ASSERT_EQ(
      t.control("PUT", "/applications/demo-sandbox/quota", R"({"limit":5,"window":"1s"})").status,
      200);
  Response r = t.control("GET", "/world/snapshot");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.get("Content-Type"), "application/toml; charset=utf-8");
  EXPECT_TRUE(
      r.body.starts_with("# pistesim world snapshot of a running simulator, taken "
                         "2026-11-23T10:00:00Z"))
      << r.body.substr(0, 200);
  World back = load_ok(r.body, "snapshot.toml");
  EXPECT_EQ(first_difference(back, without_quota_slots(t.sim->snapshot()->world)), "");
  WorldIndex index(back);
  EXPECT_FALSE(index.application("demo-production")->active);
  EXPECT_EQ(index.application("demo-sandbox")->quota, (QuotaSpec{5, QuotaWindow::Second}));

  // A simulator started from the snapshot serves the same credentials.
  TestSimulator restarted(Profile::Piste, back);
  EXPECT_FALSE(restarted.token().empty());
}

TEST(WorldSnapshotRoute, NeedsTheAdminToken) {
  TestSimulator t;
  Request r = Request::make("GET", "/world/snapshot", "");
  EXPECT_EQ(serve_request(*t.sim, Endpoint::Control, r).status, 401);
  Request reset = Request::make("POST", "/world/reset", "");
  EXPECT_EQ(serve_request(*t.sim, Endpoint::Control, reset).status, 401);
}

TEST(WorldResetRoute, BringsTheFixtureBack) {
  TestSimulator t;
  const World initial = without_quota_slots(t.sim->snapshot()->world);
  const std::string old_token = t.token();
  ASSERT_EQ(
      t.call(Channel::Sandbox, "GET", "/dila/legifrance/lf-engine-app/consult/ping", old_token)
          .status,
      200);
  // Change things through the control API.
  ASSERT_EQ(t.control("PATCH", "/applications/demo-production", R"({"active":false})").status, 200);
  ASSERT_EQ(t.control("PUT", "/applications/demo-sandbox/subscriptions/legifrance",
                      R"({"status":"revoked"})")
                .status,
            200);
  ASSERT_EQ(t.control("POST", "/faults", R"({"api":"judilibre","count":-1})").status, 201);
  ASSERT_EQ(t.control("POST", "/clock/advance", R"({"by":"1h"})").status, 200);
  t.sim->mailbox().deliver(Email{});
  ASSERT_FALSE(first_difference(without_quota_slots(t.sim->snapshot()->world), initial).empty());

  Response r = t.control("POST", "/world/reset");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["reset"], true);
  EXPECT_EQ(j["name"], initial.settings.name);
  EXPECT_EQ(j["applications"], initial.applications.size());
  EXPECT_EQ(j["users"], initial.users.size());
  EXPECT_EQ(j["apis"], initial.apis.size());
  EXPECT_EQ(j["access_requests"], initial.access_requests.size());
  // The clock keeps its time.
  EXPECT_EQ(j["now_ms"], kStart + 3'600'000);
  EXPECT_EQ(t.sim->clock().now_ms(), kStart + 3'600'000);

  EXPECT_EQ(first_difference(without_quota_slots(t.sim->snapshot()->world), initial), "");
  EXPECT_EQ(t.control("GET", "/faults").body, "[]");
  EXPECT_TRUE(t.sim->mailbox().list().empty());
  // Tokens issued before the reset are gone; new ones work.
  EXPECT_EQ(
      t.call(Channel::Sandbox, "GET", "/dila/legifrance/lf-engine-app/consult/ping", old_token)
          .status,
      401);
  const std::string fresh = t.token();
  EXPECT_EQ(
      t.call(Channel::Sandbox, "GET", "/dila/legifrance/lf-engine-app/consult/ping", fresh).status,
      200);
  EXPECT_FALSE(t.token(Channel::Production, kProductionClientId, kProductionClientSecret).empty());
  // The snapshot after a reset is the fixture's.
  EXPECT_EQ(write_world_toml(load_ok(t.control("GET", "/world/snapshot").body, "s.toml")),
            write_world_toml(initial));
}

TEST(WorldResetRoute, ForgetsQuotaCounts) {
  TestSimulator t;
  ASSERT_EQ(
      t.control("PUT", "/applications/demo-sandbox/quota", R"({"limit":1,"window":"1d"})").status,
      200);
  std::string token = t.token();
  const std::string ping = "/dila/legifrance/lf-engine-app/consult/ping";
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", ping, token).status, 200);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", ping, token).status, 429);
  ASSERT_EQ(t.control("POST", "/world/reset").status, 200);
  // Back to the fixture's quota, counted from zero.
  token = t.token();
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", ping, token).status, 200);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", ping, token).status, 200);
}

}  // namespace
}  // namespace pistesim::test
