#include "conformance/report.h"

#include <sstream>

#include <nlohmann/json.hpp>

#include "base/text.h"
#include "scenario_engine/reporters/case_report.h"
#include "scenario_engine/reporters/report_support.h"

namespace pistesim::conformance {

namespace report = scenario::report;

namespace {

// Padded to `width` columns, counted as code points (the titles hold « », §, é — none wide).
std::string pad(std::string_view s, size_t width) {
  std::string out(s);
  if (size_t n = code_points(out); n < width) out.append(width - n, ' ');
  return out;
}

// At most `width` columns; a cut one ends with "…".
std::string fit(std::string_view s, size_t width) {
  if (code_points(s) <= width) return std::string(s);
  size_t kept = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (kept == width - 1) break;
    ++kept;
  }
  std::string out(s.substr(0, i));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + "…";
}

// A line fits 100 columns: id, level, verdict (20), the title, two spaces, the evidence. The
// full evidence stays in the failure details and the JUnit / JSON reports.
constexpr size_t kLineColumns = 100;
constexpr size_t kLeadColumns = 20;
constexpr size_t kTitleColumns = 40;
constexpr size_t kEvidenceColumns = kLineColumns - kLeadColumns - kTitleColumns - 2;

std::string_view color_of(Verdict v) {
  switch (v) {
    case Verdict::Pass:
      return "\033[32m";
    case Verdict::Fail:
      return "\033[31m";
    case Verdict::Skip:
      return "\033[33m";
    case Verdict::Error:
      return "\033[35m";
  }
  return "";
}

}  // namespace

void write_check_line(std::ostream& out, const CheckResult& r, bool color) {
  std::string verdict = pad(to_string(r.verdict), 8);
  if (color) verdict = std::string(color_of(r.verdict)) + verdict + "\033[0m";
  std::string line = pad(fit(r.name, kTitleColumns), kTitleColumns) + "  " +
                     fit(report::one_line(r.evidence), kEvidenceColumns);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out << pad(r.id, 5) << pad(to_string(r.level), 7) << verdict << line << "\n";
}

std::string table_header() {
  return pad("ID   LEVEL  VERDICT", kLeadColumns) + pad("TITLE", kTitleColumns) + "  EVIDENCE\n";
}

std::string summary_line(const SuiteResult& s) {
  return std::to_string(s.results.size()) + " checks on " + s.target + " (profile " + s.profile +
         "): " + std::to_string(s.count(Verdict::Pass)) + " passed, " +
         std::to_string(s.count(Verdict::Fail)) + " failed, " +
         std::to_string(s.count(Verdict::Skip)) + " skipped, " +
         std::to_string(s.count(Verdict::Error)) + " errors (" +
         report::format_duration(s.duration_us) + ")";
}

void write_table_report(std::ostream& out, const SuiteResult& suite, bool color) {
  out << table_header();
  for (const auto& r : suite.results) write_check_line(out, r, color);
  bool header = false;
  for (const auto& r : suite.results) {
    if (r.verdict != Verdict::Fail && r.verdict != Verdict::Error) continue;
    if (!header) out << "\nFailures:\n";
    header = true;
    out << "\n"
        << r.id << " (" << to_string(r.level) << ", " << r.source << ") " << r.name << " — "
        << r.file << "\n  " << report::one_line(r.evidence) << "\n";
    report::write_scenario_details(out, r.detail, scenario::TerminalStyle{color, false}, "  ");
  }
  out << "\n" << summary_line(suite) << "\n";
}

scenario::CaseReport case_report(const SuiteResult& suite) {
  scenario::CaseReport report;
  report.name = "pistesim conform";
  report.title = "pistesim conform: " + suite.target + " (" + suite.profile + ")";
  report.summary = summary_line(suite);
  report.duration_us = suite.duration_us;
  // The name is the same from run to run: the target (with its port) is a property.
  scenario::ReportSuite checks{"conformance (" + suite.profile + ")",
                               {{"target", suite.target}, {"profile", suite.profile}},
                               {}};
  for (const auto& r : suite.results) {
    scenario::ReportCase c;
    c.classname = "conformance." + r.id.substr(0, 1);
    c.name = r.id + " " + std::string(to_string(r.level)) + " " + r.name;
    c.file = r.file;
    c.duration_us = r.duration_us;
    c.message = r.evidence;
    switch (r.verdict) {
      case Verdict::Pass:
        c.outcome = scenario::Outcome::Passed;
        c.output = r.source + ": " + r.evidence;
        break;
      case Verdict::Skip:
        c.outcome = scenario::Outcome::Skipped;
        break;
      case Verdict::Fail:
      case Verdict::Error: {
        c.outcome =
            r.verdict == Verdict::Fail ? scenario::Outcome::Failed : scenario::Outcome::Error;
        std::ostringstream details;
        details << r.source << "\n";
        report::write_scenario_details(details, r.detail, scenario::TerminalStyle{}, "");
        c.details = details.str();
        break;
      }
    }
    checks.cases.push_back(std::move(c));
  }
  report.suites.push_back(std::move(checks));
  return report;
}

void write_junit(std::ostream& out, const SuiteResult& suite) {
  scenario::write_junit(out, case_report(suite));
}

void write_tap(std::ostream& out, const SuiteResult& suite) {
  scenario::write_tap(out, case_report(suite));
}

void write_html(std::ostream& out, const SuiteResult& suite) {
  scenario::write_html(out, case_report(suite));
}

void write_json(std::ostream& out, const SuiteResult& suite) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& r : suite.results) {
    nlohmann::json failed = nlohmann::json::array();
    for (const auto& s : r.detail.steps)
      for (const auto& a : s.assertions)
        if (!a.passed)
          failed.push_back({{"step", report::clean_text(s.name)},
                            {"where", a.where.to_string()},
                            {"subject", report::clean_text(a.subject)},
                            {"expected", report::clean_text(a.expectation)},
                            {"actual", report::clean_text(a.actual)}});
    checks.push_back({{"id", r.id},
                      {"level", to_string(r.level)},
                      {"source", r.source},
                      {"name", report::clean_text(r.name)},
                      {"file", r.file},
                      {"verdict", to_string(r.verdict)},
                      {"evidence", report::clean_text(r.evidence)},
                      {"failed_assertions", std::move(failed)},
                      {"duration_ms", r.duration_us / 1000.0}});
  }
  nlohmann::json doc = {{"target", suite.target},
                        {"profile", suite.profile},
                        {"summary",
                         {{"checks", suite.results.size()},
                          {"passed", suite.count(Verdict::Pass)},
                          {"failed", suite.count(Verdict::Fail)},
                          {"skipped", suite.count(Verdict::Skip)},
                          {"errors", suite.count(Verdict::Error)},
                          {"exit_code", suite.exit_code()}}},
                        {"checks", std::move(checks)},
                        {"duration_ms", suite.duration_us / 1000.0}};
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace pistesim::conformance
