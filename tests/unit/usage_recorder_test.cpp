// Traffic recording (usage/usage_recorder.h) and the gateway's use of it: counts per
// application, API and hour by outcome, retention, concurrency; which calls are recorded; the
// « quota exceeded » e-mail once per application and quota window (NOT-1).
#include <atomic>
#include <thread>
#include <vector>

#include "support/test_simulator.h"
#include "usage/usage_recorder.h"

namespace pistesim::test {
namespace {

constexpr Millis kHour = kHourMs;
constexpr Millis kDay = 24 * kHour;
const Millis kBase = kStart - kStart % kHour;  // 2026-11-23T10:00:00Z, an hour's start

const std::string kPing = "/dila/legifrance/lf-engine-app/consult/ping";

UsageCounts counts(uint64_t total, uint64_t ok, uint64_t client, uint64_t throttled,
                   uint64_t server) {
  return UsageCounts{total, ok, client, throttled, server};
}

std::vector<UsageSeries> everything(const UsageRecorder& u) {
  return u.query(0, std::numeric_limits<Millis>::max() / 2);
}

TEST(UsageRecorder, CountsEachOutcomePerHourAndPair) {
  UsageRecorder u;
  for (int status : {200, 201, 403, 404, 429, 429, 500, 503, 302})
    u.record("app-a", "legifrance", status, status != 403 && status != 429, kBase + 10);
  u.record("app-a", "legifrance", 200, true, kBase + kHour + 5);
  u.record("app-a", "judilibre", 200, true, kBase + 20);
  u.record("app-b", "legifrance", 401, false, kBase + 30);

  auto all = everything(u);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].application, "app-a");
  EXPECT_EQ(all[0].api, "judilibre");
  EXPECT_EQ(all[0].totals, counts(1, 1, 0, 0, 0));
  const UsageSeries& a = all[1];
  EXPECT_EQ(a.api, "legifrance");
  ASSERT_EQ(a.hours.size(), 2u);
  EXPECT_EQ(a.hours[0].start, kBase);
  // 302 counts in the total only.
  EXPECT_EQ(a.hours[0].counts, counts(9, 2, 2, 2, 2));
  EXPECT_EQ(a.hours[1].start, kBase + kHour);
  EXPECT_EQ(a.hours[1].counts, counts(1, 1, 0, 0, 0));
  EXPECT_EQ(a.totals, counts(10, 3, 2, 2, 2));
  EXPECT_EQ(all[2].application, "app-b");
  EXPECT_EQ(all[2].totals, counts(1, 0, 1, 0, 0));
}

TEST(UsageRecorder, KeepsTheHoursOverlappingThePeriod) {
  UsageRecorder u;
  for (int h = 0; h < 5; ++h) u.record("app", "api", 200, true, kBase + h * kHour + 1000);
  auto in = [&](Millis from, Millis to) {
    auto s = u.query(from, to);
    return s.empty() ? uint64_t{0} : s[0].totals.total;
  };
  EXPECT_EQ(in(kBase, kBase + 5 * kHour), 5u);
  EXPECT_EQ(in(kBase + kHour + 1, kBase + 2 * kHour), 1u);  // within hour 1
  EXPECT_EQ(in(kBase + kHour - 1, kBase + kHour + 1), 2u);  // straddles hours 0 and 1
  EXPECT_EQ(in(kBase + 5 * kHour, kBase + 9 * kHour), 0u);
  EXPECT_TRUE(u.query(kBase + 5 * kHour, kBase + 9 * kHour).empty());
  EXPECT_EQ(u.query(kBase + 5 * kHour, kBase + 9 * kHour, {}, true).size(), 1u);
}

TEST(UsageRecorder, FilesHoursThatLeaveTheLiveRing) {
  UsageRecorder u;
  for (int h = 0; h < 30; ++h)
    for (int i = 0; i <= h; ++i) u.record("app", "api", 200, true, kBase + h * kHour + i);
  auto all = everything(u);
  ASSERT_EQ(all.size(), 1u);
  ASSERT_EQ(all[0].hours.size(), 30u);
  for (int h = 0; h < 30; ++h) {
    EXPECT_EQ(all[0].hours[h].start, kBase + h * kHour);
    EXPECT_EQ(all[0].hours[h].counts.total, static_cast<uint64_t>(h + 1));
  }
  EXPECT_EQ(all[0].totals.total, 30u * 31u / 2u);
  EXPECT_GE(u.stats().filed_hours, 26u);
}

TEST(UsageRecorder, FilesACallFromTheClocksPast) {
  UsageRecorder u;
  u.record("app", "api", 200, true, kBase + 6 * kHour);
  u.record("app", "api", 500, true, kBase + 2 * kHour);  // same ring position, 4 hours earlier
  u.record("app", "api", 200, true, kBase + 6 * kHour + 1);
  auto all = everything(u);
  ASSERT_EQ(all[0].hours.size(), 2u);
  EXPECT_EQ(all[0].hours[0].start, kBase + 2 * kHour);
  EXPECT_EQ(all[0].hours[0].counts, counts(1, 0, 0, 0, 1));
  EXPECT_EQ(all[0].hours[1].counts, counts(2, 2, 0, 0, 0));
}

TEST(UsageRecorder, ForgetsWhatIsPastTheRetention) {
  UsageRecorder u;
  u.record("old", "api", 200, true, kBase);
  u.record("recent", "api", 200, true, kBase + 2 * kDay);
  for (int d = 0; d < 40; ++d) u.record("daily", "api", 200, true, kBase + d * kDay);
  const Millis now = kBase + 40 * kDay;
  u.record("today", "api", 200, true, now);  // the first call of a new hour prunes
  auto all = everything(u);
  std::vector<std::string> apps;
  for (const auto& s : all) apps.push_back(s.application);
  EXPECT_EQ(apps, (std::vector<std::string>{"daily", "today"}));
  // 31 days kept: days 9..39 of "daily".
  EXPECT_EQ(all[0].hours.size(), 31u);
  EXPECT_EQ(all[0].hours.front().start, kBase + 9 * kDay);
  EXPECT_EQ(u.stats().pairs, 2u);
}

TEST(UsageRecorder, KeepsTheProvidersLatestAnswerPerApi) {
  UsageRecorder u;
  EXPECT_EQ(u.last_provider_status("api").status, 0);
  u.record("a", "api", 200, true, kBase + 1);
  u.record("b", "api", 503, true, kBase + 2);
  u.record("a", "api", 429, false, kBase + 3);  // refused by the gateway: not the provider's
  u.record("c", "other", 200, true, kBase + 4);
  ProviderStatus p = u.last_provider_status("api");
  EXPECT_EQ(p.status, 503);
  EXPECT_EQ(p.at, kBase + 2);
  u.record("a", "api", 200, true, kBase + 5);
  EXPECT_EQ(u.last_provider_status("api").status, 200);
}

TEST(UsageRecorder, SaysWhichRefusalIsTheFirstOfItsWindow) {
  UsageRecorder u;
  EXPECT_TRUE(u.first_refusal_in_window(7, kBase + 1000));
  EXPECT_FALSE(u.first_refusal_in_window(7, kBase + 1000));
  EXPECT_TRUE(u.first_refusal_in_window(8, kBase + 1000));   // another counter
  EXPECT_TRUE(u.first_refusal_in_window(7, kBase + 2000));   // the next window
  EXPECT_FALSE(u.first_refusal_in_window(7, kBase + 1000));  // an older one: never again
  u.clear();
  EXPECT_TRUE(u.first_refusal_in_window(7, kBase + 2000));
}

TEST(UsageRecorder, ClearForgetsEverything) {
  UsageRecorder u;
  u.record("a", "api", 200, true, kBase);
  u.clear();
  EXPECT_TRUE(everything(u).empty());
  EXPECT_EQ(u.stats().pairs, 0u);
  EXPECT_EQ(u.last_provider_status("api").status, 0);
}

// Threads record over the same and different pairs, across three hours, while another reads
// and prunes: every call is counted once, in its hour.
TEST(UsageRecorder, CountsExactlyUnderConcurrency) {
  UsageRecorder u;
  constexpr int kThreads = 4;
  constexpr int kCalls = 60000;
  constexpr int kPairs = 8;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      (void)everything(u);
      (void)u.last_provider_status("api-1");
      u.prune(kBase);
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        const int pair = (i + t) % kPairs;
        const Millis now = kBase + (i / (kCalls / 3)) * kHour + i % 1000;
        u.record("app-" + std::to_string(pair % 4), "api-" + std::to_string(pair / 4),
                 i % 10 == 0 ? 429 : 200, true, now);
      }
    });
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  auto all = everything(u);
  ASSERT_EQ(all.size(), static_cast<size_t>(kPairs));
  UsageCounts sum;
  for (const auto& s : all) {
    EXPECT_EQ(s.hours.size(), 3u);
    sum.add(s.totals);
  }
  EXPECT_EQ(sum.total, uint64_t{kThreads} * kCalls);
  EXPECT_EQ(sum.throttled, uint64_t{kThreads} * kCalls / 10);
  EXPECT_EQ(sum.success, sum.total - sum.throttled);
}

// --- The gateway records what it sees -------------------------------------------------------

UsageCounts recorded(TestSimulator& t, const std::string& app, const std::string& api) {
  for (const auto& s : everything(t.sim->usage()))
    if (s.application == app && s.api == api) return s.totals;
  return {};
}

TEST(GatewayUsage, RecordsCallsThatIdentifiedAnApplicationAndAnApi) {
  TestSimulator t;
  std::string token = t.token();
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", "/dila/legifrance/lf-engine-app/nope", token).status,
            404);  // the provider's 404
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", "/dume/acheteurs/v1/healthcheck", token).status,
            403);  // not subscribed
  // Not recorded: no application identified, or no API.
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, "unknown-token").status, 401);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, "").status, 400);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", "/no/such/api", token).status, 404);

  EXPECT_EQ(recorded(t, kSandboxApp, "legifrance"), counts(3, 2, 1, 0, 0));
  EXPECT_EQ(recorded(t, kSandboxApp, "dume-acheteurs"), counts(1, 0, 1, 0, 0));
  EXPECT_EQ(everything(t.sim->usage()).size(), 2u);
  ProviderStatus p = t.sim->usage().last_provider_status("legifrance");
  EXPECT_EQ(p.status, 404);
  EXPECT_EQ(p.at, kStart);
  // A refusal by the gateway is not the provider's answer.
  EXPECT_EQ(t.sim->usage().last_provider_status("dume-acheteurs").status, 0);
}

TEST(GatewayUsage, RecordsInjectedProviderFailures) {
  TestSimulator t;
  std::string token = t.token();
  ASSERT_EQ(t.control("POST", "/faults", R"({"api":"legifrance","status":503})").status, 201);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 503);
  EXPECT_EQ(recorded(t, kSandboxApp, "legifrance"), counts(1, 0, 0, 0, 1));
  EXPECT_EQ(t.sim->usage().last_provider_status("legifrance").status, 503);
}

TEST(GatewayUsage, ResetForgetsTheTraffic) {
  TestSimulator t;
  std::string token = t.token();
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  ASSERT_FALSE(everything(t.sim->usage()).empty());
  t.sim->reset();
  EXPECT_TRUE(everything(t.sim->usage()).empty());
}

// NOT-1: 25 calls in one second over the 20/s production quota: one e-mail to the application's
// contact address; exceeding again the next second: a second one.
TEST(GatewayUsage, QuotaExceededMailOncePerApplicationAndWindow) {
  TestSimulator t;
  std::string token = t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  auto burst = [&] {
    int refused = 0;
    for (int i = 0; i < 25; ++i)
      refused += t.call(Channel::Production, "GET", kPing, token).status == 429;
    return refused;
  };
  EXPECT_EQ(burst(), 5);
  auto mails = t.sim->mailbox().list("", "quota_exceeded");
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, "demo@pistesim.test");
  EXPECT_EQ(mails[0].subject, "PISTE - Dépassement de quota de l'application demo-production-app");
  EXPECT_NE(mails[0].body.find("20 appels par seconde"), std::string::npos) << mails[0].body;
  EXPECT_NE(mails[0].body.find("23/11/2026 à 11:00:00"), std::string::npos) << mails[0].body;
  EXPECT_NE(mails[0].body.find("Légifrance"), std::string::npos) << mails[0].body;
  EXPECT_EQ(mails[0].sent_at, kStart);

  EXPECT_EQ(burst(), 25);  // same second: still refused, no new e-mail
  EXPECT_EQ(t.sim->mailbox().list("", "quota_exceeded").size(), 1u);

  t.clock->advance(1000);
  EXPECT_EQ(burst(), 5);
  EXPECT_EQ(t.sim->mailbox().list("", "quota_exceeded").size(), 2u);
  EXPECT_EQ(recorded(t, kProductionApp, "legifrance"), counts(75, 40, 0, 35, 0));
}

TEST(GatewayUsage, QuotaExceededMailGoesToTheContactAddress) {
  TestSimulator t;
  t.sim->mutate([](World& w) {
    for (auto& a : w.applications)
      if (a.id == kProductionApp) a.email = "contact@exemple.fr";
  });
  ASSERT_EQ(t.control("PUT", "/applications/demo-production/quota", R"({"limit":1,"window":"1d"})")
                .status,
            200);
  std::string token = t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  for (int i = 0; i < 3; ++i) (void)t.call(Channel::Production, "GET", kPing, token);
  t.clock->advance(3600 * 1000);  // same Paris day: same window
  (void)t.call(Channel::Production, "GET", kPing, token);
  auto mails = t.sim->mailbox().list("", "quota_exceeded");
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, "contact@exemple.fr");
  EXPECT_NE(mails[0].body.find("1 appel par jour"), std::string::npos) << mails[0].body;
}

TEST(GatewayUsage, OperatorViewListsTheRecordedPairs) {
  TestSimulator t;
  std::string token = t.token();
  for (int i = 0; i < 3; ++i) (void)t.call(Channel::Sandbox, "GET", kPing, token);
  Response r = t.control("GET", "/usage?granularity=hour");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  ASSERT_EQ(j["series"].size(), 1u);
  EXPECT_EQ(j["series"][0]["application"], kSandboxApp);
  EXPECT_EQ(j["series"][0]["application_name"], "APP_SANDBOX_demo@pistesim.test");
  EXPECT_EQ(j["series"][0]["api"], "legifrance");
  EXPECT_EQ(j["series"][0]["totals"]["total"], 3);
  EXPECT_EQ(j["series"][0]["totals"]["2xx"], 3);
  EXPECT_EQ(j["series"][0]["last_provider_status"], 200);
  ASSERT_EQ(j["series"][0]["buckets"].size(), 1u);
  EXPECT_EQ(j["series"][0]["buckets"][0]["start"], "2026-11-23T10:00:00.000Z");
  EXPECT_EQ(j["series"][0]["buckets"][0]["label"], "23/11/2026 à 11:00");
  EXPECT_EQ(j["recorder"]["pairs"], 1);
  EXPECT_EQ(j["totals"]["total"], 3);

  EXPECT_EQ(t.control_outcome("GET", "/usage?application=nobody"), "200 ");
  EXPECT_EQ(nlohmann::json::parse(t.control("GET", "/usage?api=judilibre").body)["series"].size(),
            0u);
  EXPECT_EQ(t.control_outcome("GET", "/usage?days=0"), "400 INVALID_FIELD");
  EXPECT_EQ(t.control_outcome("GET", "/usage?granularity=week"), "400 INVALID_FIELD");
}

}  // namespace
}  // namespace pistesim::test
