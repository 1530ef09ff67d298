#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "loadgen/schedule.h"

namespace pistesim::loadgen {
namespace {

constexpr Nanos kSecond = 1000000000;

TEST(ArrivalSchedule, ConstantRateSendsAtEvenIntervals) {
  ArrivalSchedule s(1000, 1000, 0, kSecond);
  EXPECT_EQ(s.offset_of(0), 0);
  EXPECT_EQ(s.offset_of(1), 1000000);
  EXPECT_EQ(s.offset_of(999), 999000000);
  EXPECT_EQ(s.offset_of(1000), -1) << "nothing at or after the end";
  EXPECT_EQ(s.total(), 1000u);
}

TEST(ArrivalSchedule, LinearRampFollowsTheIntegralOfTheRate) {
  // 0 → 1000/s over 1 s: 500 arrivals during the ramp, arrival k at sqrt(k / 500) s.
  ArrivalSchedule s(0, 1000, kSecond, 2 * kSecond);
  EXPECT_EQ(s.offset_of(0), 0);
  EXPECT_NEAR(static_cast<double>(s.offset_of(125)), 0.5e9, 1e3);
  EXPECT_NEAR(static_cast<double>(s.offset_of(500)), 1e9, 1e3);
  // After the ramp: 1000/s.
  EXPECT_NEAR(static_cast<double>(s.offset_of(1000)), 1.5e9, 1e3);
  EXPECT_EQ(s.total(), 1500u);
}

TEST(ArrivalSchedule, RampDownAndPhase) {
  ArrivalSchedule down(100, 50, kSecond, kSecond);  // 75 arrivals over the ramp
  EXPECT_EQ(down.total(), 75u);
  ArrivalSchedule shifted(10, 10, 0, kSecond, 0.3);  // 0.3 of an arrival: 30 ms at 10/s
  EXPECT_EQ(shifted.offset_of(0), 30000000);
  EXPECT_EQ(shifted.offset_of(1), 130000000);
  EXPECT_EQ(shifted.total(), 10u);
}

// A phase is a fraction of an arrival, so during a ramp from 0 it delays a stream's first
// arrival by the ramp's own pace: 0 -> 100/s over 1 s sends arrival k at sqrt(k / 50) s, and
// half an arrival in, the first one goes at 100 ms (a time shift would have sent it at once).
TEST(ArrivalSchedule, PhaseIsAFractionOfAnArrivalDuringARamp) {
  ArrivalSchedule s(0, 100, kSecond, kSecond, 0.5);
  EXPECT_NEAR(static_cast<double>(s.offset_of(0)), 0.1e9, 1e3);
  EXPECT_NEAR(static_cast<double>(s.offset_of(1)), std::sqrt(1.5 / 50) * 1e9, 1e3);
  EXPECT_EQ(s.total(), 50u) << "the ramp's integral, 100 / 2";
}

TEST(ArrivalSchedule, RejectsImpossibleRates) {
  EXPECT_THROW(ArrivalSchedule(0, 0, 0, kSecond), std::invalid_argument);
  EXPECT_THROW(ArrivalSchedule(-1, 5, 0, kSecond), std::invalid_argument);
  EXPECT_THROW(ArrivalSchedule(5, 5, 0, 0), std::invalid_argument);
  EXPECT_THROW(ArrivalSchedule(5, 5, 0, kSecond, 1.0), std::invalid_argument);
}

// Under a fake clock stepping 1 ms at a time, every arrival is released in the step containing
// its intended time, the streams interleave in time order, and none is lost or duplicated.
TEST(ArrivalQueue, ReleasesArrivalsAtTheirTimesUnderAFakeClock) {
  ArrivalQueue q;
  q.add(ArrivalSchedule(200, 200, 0, kSecond));        // every 5 ms
  q.add(ArrivalSchedule(100, 100, 0, kSecond, 0.25));  // every 10 ms, shifted 2.5 ms
  std::vector<int> per_stream(2, 0);
  Nanos last = -1;
  for (Nanos fake_now = 0; fake_now <= kSecond; fake_now += 1000000) {
    while (!q.empty() && q.peek().at <= fake_now) {
      auto a = q.pop();
      EXPECT_GE(a.at, last) << "time order";
      EXPECT_GT(a.at, fake_now - 1000000) << "released in the step of its intended time";
      last = a.at;
      EXPECT_EQ(a.n, static_cast<uint64_t>(per_stream[a.stream]));
      per_stream[a.stream]++;
    }
  }
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(per_stream[0], 200);
  EXPECT_EQ(per_stream[1], 100);
}

}  // namespace
}  // namespace pistesim::loadgen
