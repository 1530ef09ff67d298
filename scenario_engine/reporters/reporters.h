// Reporters: the same RunSummary as a person reads it in a terminal, as CI systems read it
// (JUnit XML, TAP), as tools read it (JSON), and as a self-contained HTML page.
#pragma once

#include <ostream>
#include <string>

#include "scenario_engine/result.h"

namespace pistesim::scenario {

struct TerminalStyle {
  bool color = false;
  bool verbose = false;  // every step, not only failed ones
};

// One line per scenario as it ends (live progress).
void write_progress_line(std::ostream& out, const ScenarioResult& s, const TerminalStyle& style);
// Failures in full (the step, its location, the request, the response excerpt, each failed
// assertion with expected and actual), then the summary line.
void write_terminal_report(std::ostream& out, const RunSummary& run, const TerminalStyle& style);
void write_junit_report(std::ostream& out, const RunSummary& run);
void write_tap_report(std::ostream& out, const RunSummary& run);
void write_json_report(std::ostream& out, const RunSummary& run);
void write_html_report(std::ostream& out, const RunSummary& run);

}  // namespace pistesim::scenario
