#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loadgen/load_result.h"
#include "loadgen/quota_ledger.h"

namespace pistesim::loadgen {
namespace {

constexpr Millis kT0 = 1795428000000;  // a whole second
const QuotaSpec kQuota{20, QuotaWindow::Second};

TEST(QuotaLedger, AttributesCallsToWindowsOrPairs) {
  QuotaLedger l("app", kQuota);
  l.record(QuotaOutcome::Admitted, kT0 + 10, kT0 + 12);     // inside second 0
  l.record(QuotaOutcome::Admitted, kT0 + 999, kT0 + 1001);  // straddles 0 and 1
  l.record(QuotaOutcome::Refused, kT0 + 1500, kT0 + 1501);  // inside second 1
  l.record(QuotaOutcome::Admitted, kT0 + 100, kT0 + 3100);  // slower than a window
  const uint64_t w0 = static_cast<uint64_t>(kT0 / 1000);
  ASSERT_EQ(l.windows().count(w0), 1u);
  EXPECT_EQ(l.windows().at(w0).admitted, 1u);
  EXPECT_EQ(l.windows().at(w0).admitted_straddle, 1u);
  EXPECT_EQ(l.windows().at(w0 + 1).refused, 1u);
  EXPECT_EQ(l.unattributed(), 1u);
}

TEST(QuotaLedger, ExactlyTheLimitThenRefusalsIsCorrect) {
  QuotaLedger l("app", kQuota);
  for (int i = 0; i < 20; ++i) l.record(QuotaOutcome::Admitted, kT0 + i, kT0 + i + 1);
  for (int i = 0; i < 180; ++i) l.record(QuotaOutcome::Refused, kT0 + 100 + i, kT0 + 101 + i);
  EXPECT_TRUE(check_quota(l, 0).empty());
}

TEST(QuotaLedger, FlagsOverAdmissionInOneWindow) {
  QuotaLedger l("app", kQuota);
  for (int i = 0; i < 21; ++i) l.record(QuotaOutcome::Admitted, kT0 + i, kT0 + i + 1);
  auto v = check_quota(l, 0);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].kind, QuotaViolation::Kind::OverAdmission);
  EXPECT_EQ(v[0].admitted, 21u);
  EXPECT_NE(v[0].describe().find("at least 21"), std::string::npos);
}

TEST(QuotaLedger, FlagsOverAdmissionAcrossABoundaryOnlyWhenCertain) {
  QuotaLedger l("app", kQuota);
  // 20 inside second 0, 5 straddling, 20 inside second 1: wherever the 5 were decided, one of
  // the two windows admitted more than 20.
  for (int i = 0; i < 20; ++i) l.record(QuotaOutcome::Admitted, kT0 + i, kT0 + i + 1);
  for (int i = 0; i < 5; ++i) l.record(QuotaOutcome::Admitted, kT0 + 998, kT0 + 1002);
  for (int i = 0; i < 20; ++i) l.record(QuotaOutcome::Admitted, kT0 + 1100, kT0 + 1101);
  auto v = check_quota(l, 0);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].windows, 2);
  EXPECT_EQ(v[0].admitted, 45u);

  // 15 + 5 straddling + 20: could be 20 and 20, no conclusion.
  QuotaLedger ok("app", kQuota);
  for (int i = 0; i < 15; ++i) ok.record(QuotaOutcome::Admitted, kT0 + i, kT0 + i + 1);
  for (int i = 0; i < 5; ++i) ok.record(QuotaOutcome::Admitted, kT0 + 998, kT0 + 1002);
  for (int i = 0; i < 20; ++i) ok.record(QuotaOutcome::Admitted, kT0 + 1100, kT0 + 1101);
  EXPECT_TRUE(check_quota(ok, 0).empty());
}

TEST(QuotaLedger, FlagsUnderAdmissionBeyondTheTolerance) {
  QuotaLedger l("app", kQuota);
  for (int i = 0; i < 10; ++i) l.record(QuotaOutcome::Admitted, kT0 + i, kT0 + i + 1);
  l.record(QuotaOutcome::Refused, kT0 + 500, kT0 + 501);
  auto v = check_quota(l, 0.02);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].kind, QuotaViolation::Kind::UnderAdmission);
  EXPECT_EQ(v[0].admitted, 10u);
  // A tolerance of half the limit accepts it.
  EXPECT_TRUE(check_quota(l, 0.5).empty());
}

// The JSON report lists the first 100 violations, and counts every one of each kind, with the
// largest shortfall of an under-admitted window (what a lease's bound is checked against).
TEST(QuotaLedger, TheReportCountsEveryViolationBeyondTheOnesItLists) {
  Verdict v;
  for (int i = 0; i < 150; ++i)
    v.violations.push_back({QuotaViolation::Kind::UnderAdmission, "app", uint64_t(i), kT0, 20,
                            uint64_t(i % 2 ? 19 : 7), 1});
  v.violations.push_back({QuotaViolation::Kind::OverAdmission, "app", 200, kT0, 20, 21, 1});
  const nlohmann::json j = verdict_json(v);
  EXPECT_EQ(j["violations"].size(), 100u);
  EXPECT_EQ(j["violation_count"], 151);
  EXPECT_EQ(j["under_windows"], 150);
  EXPECT_EQ(j["over_windows"], 1);
  EXPECT_EQ(j["largest_under_admission"], 13);
}

TEST(QuotaLedger, StraddlingAndLostCallsMayExplainARefusal) {
  QuotaLedger l("app", kQuota);
  for (int i = 0; i < 15; ++i) l.record(QuotaOutcome::Admitted, kT0 + 500, kT0 + 501);
  for (int i = 0; i < 3; ++i) l.record(QuotaOutcome::Admitted, kT0 - 1, kT0 + 1);  // from before
  for (int i = 0; i < 2; ++i) l.record(QuotaOutcome::Lost, kT0 + 600, kT0 + 700);
  l.record(QuotaOutcome::Refused, kT0 + 900, kT0 + 901);
  EXPECT_TRUE(check_quota(l, 0).empty());
}

TEST(QuotaLedger, MergeAddsUp) {
  QuotaLedger a("app", kQuota), b("app", kQuota);
  for (int i = 0; i < 12; ++i) a.record(QuotaOutcome::Admitted, kT0 + i, kT0 + i + 1);
  for (int i = 0; i < 12; ++i) b.record(QuotaOutcome::Admitted, kT0 + i, kT0 + i + 1);
  EXPECT_TRUE(check_quota(a, 0).empty());
  a.merge(b);
  auto v = check_quota(a, 0);
  ASSERT_EQ(v.size(), 1u) << "24 admitted by two processes in one window of 20";
}

TEST(QuotaLedger, DailyWindowsFollowTheParisDay) {
  QuotaLedger l("sandbox", QuotaSpec{3, QuotaWindow::Day});
  // 2026-11-23 10:00 and 22:00 UTC are the same Paris day (CET, UTC+1): 4 calls over a limit of 3.
  for (Millis t : {1795428000000, 1795428000000 + 1000, 1795471200000, 1795471200000 + 5})
    l.record(QuotaOutcome::Admitted, t, t + 1);
  auto v = check_quota(l, 0);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].admitted, 4u);
}

}  // namespace
}  // namespace pistesim::loadgen
