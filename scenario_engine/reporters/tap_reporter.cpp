// TAP version 14 (testanything.org/tap-version-14-specification.html), written by case_report.h's
// shared writer: one test point per scenario, `# SKIP reason` for skipped ones, and for a failure
// or error a YAML diagnostics block (indented two spaces between "---" and "...") with the failing
// step, its location, each failed assertion, the exchange and the full detail text.
#include <sstream>

#include "scenario_engine/reporters/case_report.h"
#include "scenario_engine/reporters/report_support.h"
#include "scenario_engine/reporters/reporters.h"

namespace pistesim::scenario {

namespace {

using report::yaml_quote;

std::string yaml_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + yaml_quote(items[i]);
  return out + "]";
}

void write_headers(std::ostream& out, const Headers& headers, std::string_view pad) {
  if (headers.empty()) return;
  for (const auto& h : headers) out << pad << "  - " << yaml_quote(h.name + ": " + h.value) << "\n";
}

// The YAML lines of a failed scenario's diagnostics block (case_report.h adds the fences).
void write_diagnostics(std::ostream& out, const ScenarioResult& s) {
  out << "  outcome: " << to_string(s.outcome) << "\n";
  out << "  file: " << yaml_quote(s.file) << "\n";
  out << "  duration_ms: " << s.duration_us / 1000 << "\n";
  if (!s.tags.empty()) out << "  tags: " << yaml_list(s.tags) << "\n";
  if (!s.covers.empty()) out << "  covers: " << yaml_list(s.covers) << "\n";
  if (!s.message.empty()) out << "  message: " << yaml_quote(s.message) << "\n";
  bool steps_heading = false;
  for (const auto& step : s.steps) {
    if (step.outcome != Outcome::Failed && step.outcome != Outcome::Error) continue;
    if (!steps_heading) out << "  steps:\n";
    steps_heading = true;
    out << "    - name: " << yaml_quote(step.name) << "\n";
    out << "      action: " << yaml_quote(step.action) << "\n";
    out << "      at: " << yaml_quote(step.where.to_string()) << "\n";
    out << "      outcome: " << to_string(step.outcome) << "\n";
    if (!step.message.empty()) out << "      message: " << yaml_quote(step.message) << "\n";
    if (step.attempts > 1) out << "      attempts: " << step.attempts << "\n";
    if (step.row) out << "      row: " << yaml_quote(*step.row) << "\n";
    bool failures = false;
    for (const auto& a : step.assertions) {
      if (a.passed) continue;
      if (!failures) out << "      failures:\n";
      failures = true;
      out << "        - subject: " << yaml_quote(a.subject) << "\n";
      out << "          expected: " << yaml_quote(a.expectation) << "\n";
      out << "          actual: " << yaml_quote(a.actual) << "\n";
      if (a.where.line > 0) out << "          at: " << yaml_quote(a.where.to_string()) << "\n";
    }
    if (!step.exchanges.empty()) out << "      exchanges:\n";
    for (const auto& x : step.exchanges) {
      out << "        - request: " << yaml_quote(x.method + " " + x.url) << "\n";
      if (!x.request_headers.empty()) out << "          request_headers:\n";
      write_headers(out, x.request_headers, "          ");
      if (!x.request_body.empty())
        out << "          request_body: " << yaml_quote(x.request_body) << "\n";
      if (x.status) {
        out << "          status: " << *x.status << "\n";
        if (!x.response_headers.empty()) out << "          response_headers:\n";
        write_headers(out, x.response_headers, "          ");
        if (!x.response_body.empty())
          out << "          response_body: " << yaml_quote(x.response_body) << "\n";
      } else {
        out << "          transport_error: " << yaml_quote(x.transport_error) << "\n";
      }
      out << "          duration_ms: " << x.duration_us / 1000 << "\n";
    }
    if (!step.captured.empty()) {
      out << "      captured:\n";
      for (const auto& [name, value] : step.captured)
        out << "        " << yaml_quote(name) << ": " << yaml_quote(value) << "\n";
    }
    if (!step.output.empty()) out << "      output: " << yaml_quote(step.output) << "\n";
  }
}

}  // namespace

void write_tap_report(std::ostream& out, const RunSummary& run) {
  CaseReport report;
  report.name = "pistesim";
  report.summary = report::summary_line(run);
  report.duration_us = run.duration_us;
  report.suites.emplace_back();
  for (const auto& s : run.scenarios) {
    ReportCase c;
    c.name = s.name.empty() ? s.file : s.name;
    c.file = s.file;
    c.outcome = s.outcome;
    c.duration_us = s.duration_us;
    c.message = s.message;
    if (s.outcome == Outcome::Failed || s.outcome == Outcome::Error) {
      std::ostringstream diagnostics;
      write_diagnostics(diagnostics, s);
      c.tap_diagnostics = diagnostics.str();
    }
    report.suites.back().cases.push_back(std::move(c));
  }
  write_tap(out, report);
}

}  // namespace pistesim::scenario
