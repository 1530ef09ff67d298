// The report model every command shares (`--report FORMAT=PATH` on run, conform and load): a run
// is suites of cases, each with an outcome, a one-line message and its details. One writer per
// format turns it into JUnit XML, TAP 14 or a self-contained HTML page, whichever command ran;
// the command only says what its cases are (a scenario, a conformance check, a load criterion).
// Suite and case names must be stable from run to run (no port, no random id): CI tracks test
// history by them. Where a run happened (a URL) goes in a property.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "scenario_engine/result.h"

namespace pistesim::scenario {

using ReportProperties = std::vector<std::pair<std::string, std::string>>;

struct ReportCase {
  std::string classname;  // JUnit's grouping ("conformance.A", a scenario's file)
  std::string name;
  std::string file;  // where the case is defined ("" none)
  Outcome outcome = Outcome::Passed;
  int64_t duration_us = 0;
  std::string message;       // one line: why it failed, erred or was skipped
  std::string failure_type;  // JUnit's type attribute of <failure>/<error> ("" none)
  std::string details;       // the full story of a failure or error, several lines
  // TAP's YAML diagnostics of a failure or error, each line indented by two spaces, without the
  // "---"/"..." fences; empty: outcome, message and details.
  std::string tap_diagnostics;
  std::string output;  // what a passed case says (JUnit <system-out>; "" none)
  ReportProperties properties;
};

struct ReportSuite {
  std::string name;
  ReportProperties properties;
  std::vector<ReportCase> cases;
};

struct CaseReport {
  std::string name;         // "pistesim run", "pistesim conform", "pistesim load"
  std::string title;        // the HTML page's heading
  std::string summary;      // one line closing TAP and heading the HTML page
  int64_t duration_us = 0;  // the whole run
  std::vector<ReportSuite> suites;
};

void write_junit(std::ostream& out, const CaseReport& report);
void write_tap(std::ostream& out, const CaseReport& report);
void write_html(std::ostream& out, const CaseReport& report);

}  // namespace pistesim::scenario
