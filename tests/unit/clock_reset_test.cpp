// Putting the clock back (POST /clock/reset, POST /world/reset {"clock": true}): a shared server
// returns to real time after a run moved it days ahead, and what the abandoned future left —
// tokens issued in it, expiries it reached, quota windows ahead — does not leak into the present.
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kPing = "/dila/legifrance/lf-engine-app/consult/ping";
constexpr Millis kHour = 3'600'000;

class ClockReset : public ::testing::Test {
 protected:
  json clock() { return body_of(t.control("GET", "/clock")); }
  void advance(const std::string& by) {
    ASSERT_EQ(t.control("POST", "/clock/advance", R"({"by":")" + by + R"("})").status, 200);
  }
  int ping(const std::string& token) {
    return t.call(Channel::Sandbox, "GET", kPing, token).status;
  }

  TestSimulator t;
};

TEST_F(ClockReset, GoesBackToWhereTheClockStarted) {
  EXPECT_EQ(clock()["offset_ms"], 0);
  advance("2d");
  EXPECT_EQ(clock()["offset_ms"], 48 * kHour);
  Response r = t.control("POST", "/clock/reset");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["now_ms"], kStart);
  EXPECT_EQ(body_of(r)["offset_ms"], 0);
  EXPECT_EQ(t.clock->now_ms(), kStart);
}

// What a run does: note the offset it found, put that one back (not zero) when it ends.
TEST_F(ClockReset, PutsBackAGivenOffset) {
  advance("1h");
  const Millis found = clock()["offset_ms"];
  advance("3d");
  Response r = t.control("POST", "/clock/reset", R"({"offset_ms":)" + std::to_string(found) + "}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(t.clock->now_ms(), kStart + kHour);
  // Forwards works too (an advance by another name).
  ASSERT_EQ(t.control("POST", "/clock/reset", R"({"offset_ms":7200000})").status, 200);
  EXPECT_EQ(t.clock->now_ms(), kStart + 2 * kHour);
}

TEST_F(ClockReset, BadOffsetsNameTheField) {
  for (const char* body : {R"({"offset_ms":-1})", R"({"offset_ms":"0"})", R"({"offset_ms":1.5})",
                           R"({"offset_ms":null})", R"({"offset_ms":9000000000000000})"}) {
    SCOPED_TRACE(body);
    EXPECT_EQ(t.control_outcome("POST", "/clock/reset", body), "400 INVALID_FIELD");
  }
  EXPECT_EQ(t.control_outcome("POST", "/clock/reset", R"({"ofset_ms":0})"), "400 UNKNOWN_FIELD");
  EXPECT_EQ(t.clock->now_ms(), kStart);
}

// A token issued in the abandoned future, or one that future expired, is not valid in the
// present; one issued before and still live keeps its expiry.
TEST_F(ClockReset, TokensOfTheAbandonedFutureDoNotComeBack) {
  advance("10m");
  const std::string expired = t.token();  // issued at +10m, expires at +1h10m
  advance("2d");
  const std::string future = t.token();  // issued at +2d10m
  ASSERT_EQ(ping(future), 200);
  ASSERT_EQ(ping(expired), 401);
  ASSERT_EQ(t.control("POST", "/clock/reset", R"({"offset_ms":1200000})").status, 200);  // +20m
  EXPECT_EQ(ping(future), 401) << "issued in a future that will not come";
  EXPECT_EQ(ping(expired), 401) << "its hour had run out before the clock went back";
  EXPECT_EQ(body_of(t.control("GET", "/tokens"))["sandbox_live"], 0);
}

TEST_F(ClockReset, ATokenStillLiveBeforeAndAfterKeepsItsExpiry) {
  advance("10m");
  const std::string token = t.token();  // issued at +10m, expires at +1h10m
  advance("20m");                       // +30m: still live
  ASSERT_EQ(t.control("POST", "/clock/reset", R"({"offset_ms":1200000})").status, 200);  // +20m
  EXPECT_EQ(ping(token), 200);
  advance("50m");  // +1h10m: its hour is up
  EXPECT_EQ(ping(token), 401);
}

// Quota counters hold their window: one used days ahead would count every call of the present
// in that future window until real time caught up with it.
TEST_F(ClockReset, QuotaWindowsOfTheFutureAreForgotten) {
  ASSERT_EQ(
      t.control("PUT", "/applications/demo-sandbox/quota", R"({"limit":2,"window":"1d"})").status,
      200);
  advance("3d");
  const std::string token = t.token();
  ASSERT_EQ(ping(token), 200);
  ASSERT_EQ(ping(token), 200);
  ASSERT_EQ(ping(token), 429);
  ASSERT_EQ(t.control("POST", "/clock/reset").status, 200);
  const std::string now_token = t.token();
  EXPECT_EQ(ping(now_token), 200);
  EXPECT_EQ(ping(now_token), 200);
  EXPECT_EQ(ping(now_token), 429);
}

TEST_F(ClockReset, WorldResetKeepsTheClockUnlessAsked) {
  advance("2d");
  Response kept = t.control("POST", "/world/reset");
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(body_of(kept)["offset_ms"], 48 * kHour);
  Response back = t.control("POST", "/world/reset", R"({"clock":true})");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(body_of(back)["offset_ms"], 0);
  EXPECT_EQ(body_of(back)["now_ms"], kStart);
  EXPECT_EQ(t.control_outcome("POST", "/world/reset", R"({"clock":"yes"})"), "400 INVALID_FIELD");
  EXPECT_EQ(t.control_outcome("POST", "/world/reset", R"({"clocks":true})"), "400 UNKNOWN_FIELD");
}

}  // namespace
}  // namespace pistesim::test
