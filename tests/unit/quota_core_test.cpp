// Quotas (docs/conformance-checklist.md §G, docs/behaviours.md GW-5): the quota core on its own,
// then through the in-process gateway (defaults, precedence, x-rate-limit, Retry-After). Time is a
// ManualClock.
#include "quota/quota_core.h"

#include <optional>

#include "gateway/gateway.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

constexpr Millis kSecond = 1000;
constexpr Millis kHour = 3600 * kSecond;

// Instants as UTC milliseconds, from a civil date and time (UTC).
Millis utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  // days_from_civil (H. Hinnant), independent of the code under test.
  int yy = y - (m <= 2);
  int era = (yy >= 0 ? yy : yy - 399) / 400;
  unsigned yoe = static_cast<unsigned>(yy - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = int64_t{era} * 146097 + doe - 719468;
  return days * 24 * kHour + hh * kHour + mm * 60 * kSecond + ss * kSecond;
}

// Calls decide() until it refuses (at most `cap` times); returns how many were admitted.
int64_t admit_all(QuotaCore& q, uint32_t slot, const QuotaSpec& spec, Millis now,
                  int64_t cap = 100000) {
  int64_t n = 0;
  while (n < cap && q.decide(slot, spec, now).admitted) ++n;
  return n;
}

// --- The core ------------------------------------------------------------------------------

class QuotaCoreLimits : public ::testing::TestWithParam<int64_t> {};

TEST_P(QuotaCoreLimits, ASecondAdmitsExactlyTheLimitThenResetsAtTheNextSecond) {
  const QuotaSpec spec{GetParam(), QuotaWindow::Second};
  QuotaCore q;
  uint32_t slot = q.allocate();
  for (int64_t i = 0; i < spec.limit; ++i) {
    QuotaDecision d = q.decide(slot, spec, kStart + i % kSecond);
    ASSERT_TRUE(d.admitted) << i;
    EXPECT_EQ(d.remaining, spec.limit - i - 1);
    EXPECT_EQ(d.limit, spec.limit);
    EXPECT_EQ(d.window_end_ms, kStart + kSecond);
  }
  QuotaDecision refused = q.decide(slot, spec, kStart + 999);
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.window_end_ms, kStart + kSecond);
  EXPECT_EQ(admit_all(q, slot, spec, kStart + kSecond), spec.limit);
  EXPECT_EQ(admit_all(q, slot, spec, kStart + 5 * kSecond + 999), spec.limit);
}

INSTANTIATE_TEST_SUITE_P(Quota, QuotaCoreLimits, ::testing::Values(1, 2, 20, 1000));

TEST(QuotaCore, SlotsCountSeparately) {
  QuotaCore q;
  uint32_t a = q.allocate(), b = q.allocate();
  EXPECT_NE(a, b);
  const QuotaSpec spec{3, QuotaWindow::Second};
  EXPECT_EQ(admit_all(q, a, spec, kStart), 3);
  EXPECT_EQ(admit_all(q, b, spec, kStart), 3);
}

TEST(QuotaCore, SlotsBeyondTheFirstChunkWork) {
  QuotaCore q;
  uint32_t last = 0;
  for (int i = 0; i < 5000; ++i) last = q.allocate();
  EXPECT_EQ(last, 4999u);
  EXPECT_EQ(admit_all(q, last, {2, QuotaWindow::Second}, kStart), 2);
}

TEST(QuotaCore, PeekDoesNotCount) {
  QuotaCore q;
  uint32_t slot = q.allocate();
  const QuotaSpec spec{2, QuotaWindow::Second};
  EXPECT_EQ(q.peek(slot, spec, kStart).remaining, 2);
  q.decide(slot, spec, kStart);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(q.peek(slot, spec, kStart).remaining, 1);
  EXPECT_EQ(admit_all(q, slot, spec, kStart), 1);
  EXPECT_FALSE(q.peek(slot, spec, kStart).admitted);
  EXPECT_EQ(q.peek(slot, spec, kStart + kSecond).remaining, 2);
}

TEST(QuotaCore, ResetForgetsTheCurrentWindow) {
  QuotaCore q;
  uint32_t slot = q.allocate();
  const QuotaSpec spec{2, QuotaWindow::Second};
  EXPECT_EQ(admit_all(q, slot, spec, kStart), 2);
  q.reset(slot);
  EXPECT_EQ(admit_all(q, slot, spec, kStart), 2);
}

TEST(QuotaCore, ALateCallIsCountedInTheLaterWindowAlreadyOpened) {
  // A thread that read "now" just before another opened the next second must not reopen the old
  // one: its call counts in the newer window.
  QuotaCore q;
  uint32_t slot = q.allocate();
  const QuotaSpec spec{2, QuotaWindow::Second};
  EXPECT_TRUE(q.decide(slot, spec, kStart + kSecond).admitted);
  QuotaDecision late = q.decide(slot, spec, kStart + 999);
  EXPECT_TRUE(late.admitted);
  EXPECT_EQ(late.window_end_ms, kStart + 2 * kSecond);
  EXPECT_FALSE(q.decide(slot, spec, kStart + 500).admitted);
  EXPECT_FALSE(q.decide(slot, spec, kStart + kSecond).admitted);
}

// G4: a day window is the Europe/Paris calendar day.
struct ParisDay {
  const char* name;
  Millis inside;      // an instant of that day
  Millis day_start;   // local midnight (UTC ms)
  Millis next_start;  // the next local midnight
};

// Named in failure messages instead of a byte dump.
void PrintTo(const ParisDay& c, std::ostream* os) {
  *os << c.name;
}

class QuotaCoreParisDay : public ::testing::TestWithParam<ParisDay> {};

TEST_P(QuotaCoreParisDay, ADayWindowResetsAtParisMidnight) {
  const ParisDay& d = GetParam();
  const QuotaSpec spec{3, QuotaWindow::Day};
  QuotaCore q;
  uint32_t slot = q.allocate();
  EXPECT_EQ(QuotaCore::window_index(QuotaWindow::Day, d.day_start),
            QuotaCore::window_index(QuotaWindow::Day, d.inside));
  EXPECT_EQ(QuotaCore::window_index(QuotaWindow::Day, d.next_start - 1),
            QuotaCore::window_index(QuotaWindow::Day, d.inside));
  EXPECT_EQ(QuotaCore::window_index(QuotaWindow::Day, d.day_start - 1) + 1,
            QuotaCore::window_index(QuotaWindow::Day, d.inside));

  EXPECT_EQ(q.decide(slot, spec, d.day_start).window_end_ms, d.next_start);
  EXPECT_EQ(admit_all(q, slot, spec, d.inside), 2);
  EXPECT_FALSE(q.decide(slot, spec, d.next_start - 1).admitted);
  QuotaDecision next = q.decide(slot, spec, d.next_start);
  EXPECT_TRUE(next.admitted);
  EXPECT_EQ(next.remaining, 2);
}

INSTANTIATE_TEST_SUITE_P(
    Quota, QuotaCoreParisDay,
    ::testing::Values(
        // Winter (CET, UTC+1): the day begins at 23:00 UTC the day before.
        ParisDay{"Winter", utc(2026, 11, 23, 10), utc(2026, 11, 22, 23), utc(2026, 11, 23, 23)},
        ParisDay{"WinterLateEvening", utc(2026, 11, 23, 22, 59, 59), utc(2026, 11, 22, 23),
                 utc(2026, 11, 23, 23)},
        ParisDay{"NewYear", utc(2026, 12, 31, 23, 30), utc(2026, 12, 31, 23), utc(2027, 1, 1, 23)},
        // Summer (CEST, UTC+2): at 22:00 UTC.
        ParisDay{"Summer", utc(2026, 7, 14, 12), utc(2026, 7, 13, 22), utc(2026, 7, 14, 22)},
        ParisDay{"SummerAfter22Utc", utc(2026, 7, 14, 22, 30), utc(2026, 7, 14, 22),
                 utc(2026, 7, 15, 22)},
        // Last Sunday of March: 23 hours long.
        ParisDay{"SpringForward2026", utc(2026, 3, 29, 12), utc(2026, 3, 28, 23),
                 utc(2026, 3, 29, 22)},
        ParisDay{"SpringForward2024", utc(2024, 3, 31, 1, 30), utc(2024, 3, 30, 23),
                 utc(2024, 3, 31, 22)},
        // Last Sunday of October: 25 hours long.
        ParisDay{"FallBack2026", utc(2026, 10, 25, 12), utc(2026, 10, 24, 22),
                 utc(2026, 10, 25, 23)},
        ParisDay{"FallBack2025", utc(2025, 10, 26, 0, 30), utc(2025, 10, 25, 22),
                 utc(2025, 10, 26, 23)}),
    [](const auto& info) { return std::string(info.param.name); });

// --- Through the gateway -------------------------------------------------------------------

const std::string kPing = "/dila/legifrance/lf-engine-app/consult/ping";
const std::string kJudilibre = "/cassation/judilibre/v1.0/healthcheck";

nlohmann::json rate_limit(const Response& r) {
  auto j = nlohmann::json::parse(r.headers.get("x-rate-limit"), nullptr, false);
  EXPECT_TRUE(j.is_array()) << r.headers.get("x-rate-limit");
  return j.is_array() && !j.empty() ? j[0] : nlohmann::json::object();
}

class QuotaGateway : public ::testing::TestWithParam<Profile> {
 protected:
  // Calls until a 429 (at most `cap` calls); returns how many were admitted.
  int admitted(Channel c, const std::string& target, const std::string& token, int cap = 200) {
    for (int n = 0; n < cap; ++n) {
      Response r = t.call(c, "GET", target, token);
      if (r.status == 429) return n;
      EXPECT_EQ(r.status, 200) << r.body;
    }
    return cap;
  }
  std::string production_token() {
    return t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  }

  TestSimulator t{GetParam()};
};

INSTANTIATE_TEST_SUITE_P(Quota, QuotaGateway, ::testing::Values(Profile::Piste, Profile::Rfc),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST_P(QuotaGateway, ProductionDefaultIs20ASecondWithRemainingCountingDown) {
  std::string token = production_token();
  for (int i = 0; i < 20; ++i) {
    Response r = t.call(Channel::Production, "GET", kPing, token);
    ASSERT_EQ(r.status, 200) << i;
    auto rl = rate_limit(r);
    EXPECT_EQ(rl["window"], 1);
    EXPECT_EQ(rl["type"], "throttle");
    EXPECT_EQ(rl["remaining"], 19 - i);
  }
  Response over = t.call(Channel::Production, "GET", kPing, token);
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(rate_limit(over)["remaining"], 0);
  t.clock->advance(999);
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, token).status, 429);
  t.clock->advance(1);
  EXPECT_EQ(admitted(Channel::Production, kPing, token), 20);
}

TEST_P(QuotaGateway, SandboxDefaultIsAMillionADayUntilParisMidnight) {
  std::string token = t.token();
  Response first = t.call(Channel::Sandbox, "GET", kPing, token);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(rate_limit(first)["window"], 86400);
  EXPECT_EQ(rate_limit(first)["remaining"], 999999);
  // Use up the day on the application's counter directly, then finish through the gateway.
  auto snap = t.sim->snapshot();
  const Application& app = *snap->index.application(kSandboxApp);
  EffectiveQuota q = effective_quota(snap->world, app, *snap->index.api("legifrance"),
                                     *app.subscription("legifrance"));
  EXPECT_EQ(q.spec, (QuotaSpec{1000000, QuotaWindow::Day}));
  for (int i = 0; i < 999998; ++i)
    ASSERT_TRUE(t.sim->quotas().decide(q.slot, q.spec, t.clock->now_ms()).admitted);
  Response last = t.call(Channel::Sandbox, "GET", kPing, token);
  EXPECT_EQ(last.status, 200);
  EXPECT_EQ(rate_limit(last)["remaining"], 0);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 429);
  // Another API of the same application shares the application's counter.
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kJudilibre, token).status, 429);
  // kStart is 11:00 in Paris (CET): midnight is 13 hours later, at 23:00 UTC.
  t.clock->set(kStart + 13 * kHour - 1);
  token = t.token();
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 429);
  t.clock->set(kStart + 13 * kHour);
  Response next_day = t.call(Channel::Sandbox, "GET", kPing, token);
  EXPECT_EQ(next_day.status, 200);
  EXPECT_EQ(rate_limit(next_day)["remaining"], 999999);
}

TEST_P(QuotaGateway, RetryAfterIsSentByTheRfcProfileOnly) {
  ASSERT_EQ(t.control("PUT", "/applications/demo-production/quota", R"({"limit":1,"window":"1s"})")
                .status,
            200);
  std::string token = production_token();
  t.clock->advance(250);
  ASSERT_EQ(t.call(Channel::Production, "GET", kPing, token).status, 200);
  Response over = t.call(Channel::Production, "GET", kPing, token);
  ASSERT_EQ(over.status, 429);
  if (GetParam() == Profile::Piste) {
    EXPECT_EQ(over.headers.find("Retry-After"), nullptr);
  } else {
    EXPECT_EQ(over.headers.get("Retry-After"), "1");  // 750 ms rounded up
  }
}

TEST_P(QuotaGateway, RetryAfterCoversTheWholeWaitOfADayWindow) {
  ASSERT_EQ(t.control("PUT", "/applications/demo-production/quota", R"({"limit":1,"window":"1d"})")
                .status,
            200);
  std::string token = production_token();
  t.clock->advance(500);
  ASSERT_EQ(t.call(Channel::Production, "GET", kPing, token).status, 200);
  Response over = t.call(Channel::Production, "GET", kPing, token);
  ASSERT_EQ(over.status, 429);
  if (GetParam() == Profile::Piste) {
    EXPECT_EQ(over.headers.find("Retry-After"), nullptr) << "piste sends no Retry-After";
    return;
  }
  // 10:00:00.500 UTC; Paris midnight at 23:00 UTC: 46 799.5 s, rounded up.
  EXPECT_EQ(over.headers.get("Retry-After"), "46800");
  t.clock->set(kStart + 13 * kHour - 1);
  EXPECT_EQ(
      t.call(Channel::Production, "GET", kPing, production_token()).headers.get("Retry-After"),
      "1");
}

// GW-5: subscription quota > API quota > application quota > channel default.
struct Precedence {
  const char* name;
  std::optional<int64_t> app_quota, api_quota, subscription_quota;
  int expected;
};

void PrintTo(const Precedence& c, std::ostream* os) {
  *os << c.name;
}

class QuotaPrecedence : public ::testing::TestWithParam<Precedence> {};

TEST_P(QuotaPrecedence, TheMostSpecificQuotaApplies) {
  const Precedence& c = GetParam();
  TestSimulator t;
  if (c.api_quota)
    t.sim->mutate([&](World& w) {
      for (auto& api : w.apis)
        if (api.id == "legifrance") api.quota = QuotaSpec{*c.api_quota, QuotaWindow::Second};
    });
  auto put = [&](int64_t limit, const char* api) {
    nlohmann::json body = {{"limit", limit}, {"window", "1s"}};
    if (api) body["api"] = api;
    ASSERT_EQ(t.control("PUT", "/applications/demo-production/quota", body.dump()).status, 200);
  };
  if (c.app_quota) put(*c.app_quota, nullptr);
  if (c.subscription_quota) put(*c.subscription_quota, "legifrance");
  std::string token = t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  int n = 0;
  while (n < 100 && t.call(Channel::Production, "GET", kPing, token).status == 200) ++n;
  EXPECT_EQ(n, c.expected);
  auto app = nlohmann::json::parse(t.control("GET", "/applications/demo-production").body);
  for (const auto& s : app["subscriptions"]) {
    if (s["api"] == "legifrance") {
      EXPECT_EQ(s["quota"]["limit"], c.expected);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Quota, QuotaPrecedence,
                         ::testing::Values(Precedence{"ChannelDefault", {}, {}, {}, 20},
                                           Precedence{"Application", 5, {}, {}, 5},
                                           Precedence{"ApplicationAbove20", 30, {}, {}, 30},
                                           Precedence{"ApiOverApplication", 5, 3, {}, 3},
                                           Precedence{"ApiOverDefault", {}, 7, {}, 7},
                                           Precedence{"SubscriptionOverApi", 5, 3, 4, 4},
                                           Precedence{"SubscriptionOverApplication", 5, {}, 2, 2},
                                           Precedence{"SubscriptionAboveEverything", 2, 3, 9, 9}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_P(QuotaGateway, APerApiQuotaCountsOnlyThatApi) {
  ASSERT_EQ(t.control("PUT", "/applications/demo-production/quota", R"({"limit":2,"window":"1s"})")
                .status,
            200);
  std::string token = production_token();
  // Légifrance and Judilibre share the application's 2/s.
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, token).status, 200);
  EXPECT_EQ(admitted(Channel::Production, kJudilibre, token), 1);
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, token).status, 429);
  // A quota of its own takes Légifrance off the application's counter.
  ASSERT_EQ(t.control("PUT", "/applications/demo-production/quota",
                      R"({"limit":3,"window":"1s","api":"legifrance"})")
                .status,
            200);
  EXPECT_EQ(admitted(Channel::Production, kPing, token), 3);
  EXPECT_EQ(t.call(Channel::Production, "GET", kJudilibre, token).status, 429);
  t.clock->advance(kSecond);
  EXPECT_EQ(admitted(Channel::Production, kPing, token), 3);
  EXPECT_EQ(admitted(Channel::Production, kJudilibre, token), 2);
}

TEST_P(QuotaGateway, SettingAQuotaRestartsItsCounterAndDeletingRestoresTheDefault) {
  std::string token = production_token();
  EXPECT_EQ(admitted(Channel::Production, kPing, token), 20);
  ASSERT_EQ(t.control("PUT", "/applications/demo-production/quota", R"({"limit":4})").status, 200);
  EXPECT_EQ(admitted(Channel::Production, kPing, token), 4);
  ASSERT_EQ(t.control("DELETE", "/applications/demo-production/quota").status, 200);
  t.clock->advance(kSecond);
  EXPECT_EQ(admitted(Channel::Production, kPing, token), 20);
}

TEST_P(QuotaGateway, RefusedCallsAreNotCounted) {
  ASSERT_EQ(t.control("PUT", "/applications/demo-production/quota", R"({"limit":2,"window":"1s"})")
                .status,
            200);
  std::string token = production_token();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(t.call(Channel::Production, "GET", "/dume/acheteurs/v1/healthcheck", token).status,
              403);
    EXPECT_EQ(t.call(Channel::Production, "GET", kPing, "").status,
              GetParam() == Profile::Piste ? 400 : 401);
  }
  EXPECT_EQ(admitted(Channel::Production, kPing, token), 2);
}

}  // namespace
}  // namespace pistesim::test

namespace pistesim {
namespace {

// A counter moved from a per-second to a per-day quota starts a new window: the second's index
// is numerically far above the day's, and must not be read as "a later window of the same kind".
TEST(QuotaCore, ACounterMovedToAnotherKindOfWindowStartsAfresh) {
  QuotaCore q;
  uint32_t slot = q.allocate();
  const Millis now = 1795428000000;
  const QuotaSpec per_second{2, QuotaWindow::Second};
  EXPECT_TRUE(q.decide(slot, per_second, now).admitted);
  EXPECT_TRUE(q.decide(slot, per_second, now).admitted);
  EXPECT_FALSE(q.decide(slot, per_second, now).admitted);
  const QuotaSpec per_day{2, QuotaWindow::Day};
  QuotaDecision d = q.decide(slot, per_day, now);
  EXPECT_TRUE(d.admitted);
  EXPECT_EQ(d.remaining, 1);
  EXPECT_EQ(q.peek(slot, per_day, now).remaining, 1);
  // And back: the day's count does not leak into the second's window.
  EXPECT_TRUE(q.decide(slot, per_second, now).admitted);
}

}  // namespace
}  // namespace pistesim
