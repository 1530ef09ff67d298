#include "scenario_engine/reporters/case_report.h"

#include "scenario_engine/reporters/report_support.h"

namespace pistesim::scenario {

namespace {

using report::xml_escape;
using report::yaml_quote;

std::string attr(std::string_view s) {
  return xml_escape(s, true);
}

struct Counts {
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  int64_t duration_us = 0;
  void add(const ReportCase& c) {
    ++tests;
    failures += c.outcome == Outcome::Failed ? 1 : 0;
    errors += c.outcome == Outcome::Error ? 1 : 0;
    skipped += c.outcome == Outcome::Skipped ? 1 : 0;
    duration_us += c.duration_us;
  }
  std::string attributes() const {
    return "tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
           "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) +
           "\" time=\"" + report::seconds(duration_us) + "\"";
  }
};

void write_properties(std::ostream& out, const ReportProperties& properties, std::string_view pad) {
  if (properties.empty()) return;
  out << pad << "<properties>\n";
  for (const auto& [name, value] : properties)
    out << pad << "  <property name=\"" << attr(name) << "\" value=\"" << attr(value) << "\"/>\n";
  out << pad << "</properties>\n";
}

void write_testcase(std::ostream& out, const ReportCase& c) {
  out << "    <testcase classname=\"" << attr(c.classname) << "\" name=\"" << attr(c.name) << "\"";
  if (!c.file.empty()) out << " file=\"" << attr(c.file) << "\"";
  out << " time=\"" << report::seconds(c.duration_us) << "\">\n";
  write_properties(out, c.properties, "      ");
  const std::string type = c.failure_type.empty() ? "" : " type=\"" + attr(c.failure_type) + "\"";
  switch (c.outcome) {
    case Outcome::Passed:
      if (!c.output.empty())
        out << "      <system-out>" << xml_escape(c.output) << "</system-out>\n";
      break;
    case Outcome::Skipped:
      out << "      <skipped message=\"" << attr(c.message) << "\"/>\n";
      break;
    case Outcome::Failed:
    case Outcome::Error: {
      const char* tag = c.outcome == Outcome::Failed ? "failure" : "error";
      out << "      <" << tag << " message=\"" << attr(c.message) << "\"" << type << ">"
          << xml_escape(c.details) << "</" << tag << ">\n";
      break;
    }
  }
  out << "    </testcase>\n";
}

// A TAP test point description: one line, '#' and '\' escaped so they start no directive.
std::string description(std::string_view text) {
  std::string out;
  for (char c : report::one_line(text)) {
    if (c == '#' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

void write_junit(std::ostream& out, const CaseReport& report) {
  Counts total;
  for (const auto& suite : report.suites)
    for (const auto& c : suite.cases) total.add(c);
  total.duration_us = report.duration_us;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"" << attr(report.name) << "\" " << total.attributes() << ">\n";
  for (const auto& suite : report.suites) {
    Counts counts;
    for (const auto& c : suite.cases) counts.add(c);
    out << "  <testsuite name=\"" << attr(suite.name) << "\" " << counts.attributes() << ">\n";
    write_properties(out, suite.properties, "    ");
    for (const auto& c : suite.cases) write_testcase(out, c);
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

void write_tap(std::ostream& out, const CaseReport& report) {
  size_t count = 0;
  for (const auto& suite : report.suites) count += suite.cases.size();
  out << "TAP version 14\n1.." << count << "\n";
  size_t n = 0;
  for (const auto& suite : report.suites)
    for (const auto& c : suite.cases) {
      ++n;
      const bool ok = c.outcome == Outcome::Passed || c.outcome == Outcome::Skipped;
      out << (ok ? "ok " : "not ok ") << n << " - " << description(c.name);
      if (c.outcome == Outcome::Skipped) out << " # SKIP " << description(c.message);
      out << "\n";
      if (ok) continue;
      out << "  ---\n";
      if (!c.tap_diagnostics.empty()) {
        out << c.tap_diagnostics;
      } else {
        out << "  outcome: " << to_string(c.outcome) << "\n";
        if (!c.file.empty()) out << "  file: " << yaml_quote(c.file) << "\n";
        out << "  duration_ms: " << c.duration_us / 1000 << "\n";
        if (!c.message.empty()) out << "  message: " << yaml_quote(c.message) << "\n";
        if (!c.details.empty()) out << "  details: " << yaml_quote(c.details) << "\n";
      }
      out << "  ...\n";
    }
  if (!report.summary.empty()) out << "# " << report::one_line(report.summary) << "\n";
}

void write_html(std::ostream& out, const CaseReport& report) {
  Counts total;
  for (const auto& suite : report.suites)
    for (const auto& c : suite.cases) total.add(c);
  const std::string title = report.title.empty() ? report.name : report.title;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
      << xml_escape(title) << "</title>\n<style>\n"
      << "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
         "table{border-collapse:collapse;width:100%;margin-bottom:2em}"
         "th,td{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}"
         ".passed{color:#1a7f37}.failed,.error{color:#cf222e}.skipped{color:#9a6700}"
         "pre{white-space:pre-wrap;margin:.3em 0;font-size:.9em}\n"
      << "</style>\n</head>\n<body>\n<h1>" << xml_escape(title) << "</h1>\n";
  out << "<p>" << xml_escape(report.summary) << "</p>\n";
  out << "<p>" << total.tests
      << " cases: " << total.tests - total.failures - total.errors - total.skipped << " passed, "
      << total.failures << " failed, " << total.errors << " errors, " << total.skipped
      << " skipped</p>\n";
  for (const auto& suite : report.suites) {
    out << "<h2>" << xml_escape(suite.name) << "</h2>\n";
    for (const auto& [name, value] : suite.properties)
      out << "<p>" << xml_escape(name) << ": " << xml_escape(value) << "</p>\n";
    out << "<table>\n<tr><th>case</th><th>outcome</th><th>time</th><th>what happened</th></tr>\n";
    for (const auto& c : suite.cases) {
      const std::string_view outcome = to_string(c.outcome);
      out << "<tr><td>" << xml_escape(c.name) << "</td><td class=\"" << outcome << "\">" << outcome
          << "</td><td>" << xml_escape(report::format_duration(c.duration_us)) << "</td><td>"
          << xml_escape(c.outcome == Outcome::Passed ? c.output : c.message);
      if (c.outcome != Outcome::Passed && !c.details.empty())
        out << "<pre>" << xml_escape(c.details) << "</pre>";
      out << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "</body>\n</html>\n";
}

}  // namespace pistesim::scenario
