// `conform`'s reports name their suite and cases the same way on every run: CI tracks test
// history by those names, and an embedded target's URL holds a random port.
#include <gtest/gtest.h>

#include <sstream>

#include "conformance/report.h"

namespace pistesim::conformance {
namespace {

SuiteResult suite_on(const std::string& target) {
  SuiteResult suite;
  suite.target = target;
  suite.profile = "piste";
  CheckResult r;
  r.id = "A1";
  r.level = Level::Must;
  r.name = "GET on the token endpoint is refused";
  r.source = "RFC 6749 §3.2";
  r.evidence = "405";
  suite.results.push_back(r);
  return suite;
}

TEST(ConformReportNames, StableAcrossPortsWithTheTargetAsAProperty) {
  std::ostringstream first, second;
  write_junit(first, suite_on("embedded (http://127.0.0.1:33331)"));
  write_junit(second, suite_on("embedded (http://127.0.0.1:41207)"));
  auto names = [](const std::string& xml) {
    std::string out;
    for (size_t at = xml.find(" name=\""); at != std::string::npos;
         at = xml.find(" name=\"", at + 1))
      if (xml.compare(at, 22, " name=\"target\" value=\"") != 0)
        out += xml.substr(at, xml.find('"', at + 7) - at) + "\n";
    return out;
  };
  EXPECT_EQ(names(first.str()), names(second.str()));
  EXPECT_NE(first.str().find("<testsuite name=\"conformance (piste)\""), std::string::npos)
      << first.str();
  EXPECT_NE(first.str().find("<property name=\"target\" value=\"embedded "
                             "(http://127.0.0.1:33331)\"/>"),
            std::string::npos)
      << first.str();
  EXPECT_NE(first.str().find("classname=\"conformance.A\" name=\"A1 MUST GET on the token "
                             "endpoint is refused\""),
            std::string::npos);

  std::ostringstream tap, html;
  write_tap(tap, suite_on("embedded (http://127.0.0.1:33331)"));
  write_html(html, suite_on("embedded (http://127.0.0.1:33331)"));
  EXPECT_NE(tap.str().find("ok 1 - A1 MUST GET on the token endpoint is refused\n"),
            std::string::npos)
      << tap.str();
  EXPECT_NE(html.str().find("<h2>conformance (piste)</h2>"), std::string::npos);
}

}  // namespace
}  // namespace pistesim::conformance
