// The report writers every command shares (case_report.h): JUnit, TAP and HTML from one model,
// each format counting and naming what happened, and untrusted text unable to break the document.
#include <gtest/gtest.h>

#include <sstream>

#include "scenario_engine/reporters/case_report.h"

namespace pistesim::scenario {
namespace {

const std::string kHostile = "<b>bold</b> & \"quoted\" # not a directive \x01 end";

CaseReport sample() {
  CaseReport r;
  r.name = "pistesim conform";
  r.title = "Conformance";
  r.summary = "3 checks: 1 passed, 1 failed, 1 skipped";
  r.duration_us = 2'500'000;
  ReportSuite suite{"conformance (piste)", {{"target", "http://127.0.0.1:33331"}}, {}};
  ReportCase passed;
  passed.classname = "conformance.A";
  passed.name = "A1 MUST token by POST";
  passed.file = "checks/a1.toml";
  passed.duration_us = 1'000;
  passed.output = "400 invalid_request";
  ReportCase failed;
  failed.classname = "conformance.B";
  failed.name = "B2 MUST " + kHostile;
  failed.outcome = Outcome::Failed;
  failed.duration_us = 2'000;
  failed.message = "status: expected 401 but got " + kHostile;
  failed.failure_type = "assertion";
  failed.details = "step token\n  " + kHostile;
  ReportCase skipped;
  skipped.classname = "conformance.C";
  skipped.name = "C1 SHOULD refresh";
  skipped.outcome = Outcome::Skipped;
  skipped.message = "the profile has no refresh token";
  suite.cases = {passed, failed, skipped};
  r.suites.push_back(suite);
  return r;
}

TEST(CaseReport, JunitCountsEscapesAndKeepsTheTargetOutOfNames) {
  std::ostringstream out;
  write_junit(out, sample());
  const std::string xml = out.str();
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0), 0u);
  EXPECT_NE(xml.find("<testsuites name=\"pistesim conform\" tests=\"3\" failures=\"1\" "
                     "errors=\"0\" skipped=\"1\" time=\"2.500\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"conformance (piste)\" tests=\"3\""), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"target\" value=\"http://127.0.0.1:33331\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<testcase classname=\"conformance.A\" name=\"A1 MUST token by POST\" "
                     "file=\"checks/a1.toml\" time=\"0.001\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<system-out>400 invalid_request</system-out>"), std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"status: expected 401 but got &lt;b&gt;bold&lt;/b&gt; "
                     "&amp; &quot;quoted&quot;"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("type=\"assertion\">step token"), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"the profile has no refresh token\"/>"), std::string::npos);
  EXPECT_EQ(xml.find("<b>"), std::string::npos) << "markup passed through";
  EXPECT_EQ(xml.find('\x01'), std::string::npos) << "a control character passed through";
  // No file attribute for a case that has none.
  EXPECT_NE(xml.find("<testcase classname=\"conformance.C\" name=\"C1 SHOULD refresh\" time="),
            std::string::npos);
}

TEST(CaseReport, TapNumbersSkipsAndDiagnosesFailures) {
  std::ostringstream out;
  write_tap(out, sample());
  const std::string tap = out.str();
  EXPECT_EQ(tap.rfind("TAP version 14\n1..3\nok 1 - A1 MUST token by POST\n", 0), 0u) << tap;
  // '#' is escaped in a description so it starts no directive.
  EXPECT_NE(tap.find("not ok 2 - B2 MUST <b>bold</b> & \"quoted\" \\# not a directive"),
            std::string::npos)
      << tap;
  EXPECT_NE(tap.find("  ---\n  outcome: failed\n"), std::string::npos) << tap;
  EXPECT_NE(tap.find("  message: \"status: expected 401"), std::string::npos) << tap;
  EXPECT_NE(tap.find("  ...\n"), std::string::npos);
  EXPECT_NE(tap.find("ok 3 - C1 SHOULD refresh # SKIP the profile has no refresh token\n"),
            std::string::npos)
      << tap;
  EXPECT_NE(tap.find("\n# 3 checks: 1 passed, 1 failed, 1 skipped\n"), std::string::npos) << tap;

  // A command's own diagnostics replace the default ones.
  CaseReport custom = sample();
  custom.suites[0].cases[1].tap_diagnostics = "  step: \"token\"\n";
  std::ostringstream custom_out;
  write_tap(custom_out, custom);
  EXPECT_NE(custom_out.str().find("  ---\n  step: \"token\"\n  ...\n"), std::string::npos)
      << custom_out.str();
}

TEST(CaseReport, HtmlIsOneEscapedPage) {
  std::ostringstream out;
  write_html(out, sample());
  const std::string html = out.str();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<h1>Conformance</h1>"), std::string::npos);
  EXPECT_NE(html.find("3 cases: 1 passed, 1 failed, 0 errors, 1 skipped"), std::string::npos)
      << html;
  EXPECT_NE(html.find("<h2>conformance (piste)</h2>"), std::string::npos);
  EXPECT_NE(html.find("class=\"failed\">failed</td>"), std::string::npos);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos) << "markup passed through";
  EXPECT_NE(html.find("&lt;b&gt;bold"), std::string::npos);
  EXPECT_NE(html.find("</html>\n"), std::string::npos);
}

}  // namespace
}  // namespace pistesim::scenario
