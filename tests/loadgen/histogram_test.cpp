#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>

#include "loadgen/histogram.h"

namespace pistesim::loadgen {
namespace {

// Relative error allowed by 8 precision bits: one sub-bucket of 128 per power of two.
constexpr double kPrecision = 1.0 / 128;

TEST(LatencyHistogram, PercentilesOfKnownDataWithinPrecision) {
  LatencyHistogram h;
  for (int64_t us = 1; us <= 10000; ++us) h.record(us * 1000);  // 1 µs … 10 ms, uniform
  EXPECT_EQ(h.count(), 10000u);
  EXPECT_EQ(h.min(), 1000);
  EXPECT_EQ(h.max(), 10000000);
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    double exact = q * 10000 * 1000;
    double got = static_cast<double>(h.percentile(q));
    EXPECT_NEAR(got, exact, exact * kPrecision) << "q=" << q;
    EXPECT_GE(got, exact) << "highest equivalent value, never below the true one";
  }
  EXPECT_EQ(h.percentile(1.0), 10000000);
  EXPECT_NEAR(h.mean(), 5000.5 * 1000, 1);
}

TEST(LatencyHistogram, SkewedDataTailIsExactToPrecision) {
  LatencyHistogram h;
  h.record(200000, 990);   // 990 calls at 0.2 ms
  h.record(50000000, 10);  // 10 stalls of 50 ms
  EXPECT_NEAR(static_cast<double>(h.percentile(0.99)), 200000, 200000 * kPrecision);
  EXPECT_NEAR(static_cast<double>(h.percentile(0.995)), 50000000, 50000000 * kPrecision);
  EXPECT_EQ(h.max(), 50000000);
}

TEST(LatencyHistogram, EveryValueFallsInsideItsBucket) {
  LatencyHistogram h(6, int64_t{1} << 40);
  for (int64_t v = 0; v < (int64_t{1} << 40); v = v * 3 / 2 + 1) {
    size_t i = h.index_of(v);
    EXPECT_LE(h.lowest_in(i), v);
    EXPECT_GE(h.highest_in(i), v);
    EXPECT_LE(static_cast<double>(h.highest_in(i) - h.lowest_in(i)),
              std::max(1.0, static_cast<double>(v) / 32))
        << v;
    if (i > 0) {
      EXPECT_EQ(h.highest_in(i - 1) + 1, h.lowest_in(i)) << "no gap before bucket " << i;
    }
  }
}

TEST(LatencyHistogram, MergingEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (int64_t v = 1; v < 100000; v += 7) {
    (v % 2 ? a : b).record(v * 13);
    all.record(v * 13);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  for (double q : {0.1, 0.5, 0.9, 0.99, 0.9999}) EXPECT_EQ(a.percentile(q), all.percentile(q));
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
}

TEST(LatencyHistogram, RefusesToMergeDifferentPrecisions) {
  LatencyHistogram a(8), b(6);
  b.record(5);
  EXPECT_THROW(a.merge(b), std::invalid_argument);
}

TEST(LatencyHistogram, JsonRoundTrip) {
  LatencyHistogram h;
  for (int64_t v : {1, 900, 123456, 99999999}) h.record(v, 3);
  LatencyHistogram back = LatencyHistogram::from_json(nlohmann::json::parse(h.to_json().dump()));
  EXPECT_EQ(back.count(), h.count());
  EXPECT_EQ(back.percentile(0.5), h.percentile(0.5));
  EXPECT_EQ(back.max(), h.max());
  EXPECT_EQ(back.to_json(), h.to_json());
}

TEST(LatencyHistogram, RejectsMalformedJson) {
  nlohmann::json j = LatencyHistogram().to_json();
  j["count"] = 5;  // buckets hold none
  EXPECT_THROW(LatencyHistogram::from_json(j), std::invalid_argument);
  EXPECT_THROW(LatencyHistogram::from_json(nlohmann::json::object()), std::invalid_argument);
}

TEST(LatencyHistogram, ValuesAboveTheRangeAreClampedNotLost) {
  LatencyHistogram h(8, 1000000);
  h.record(5000000);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.max(), 1000000);
}

}  // namespace
}  // namespace pistesim::loadgen
