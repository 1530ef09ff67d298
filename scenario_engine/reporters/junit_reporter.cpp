// JUnit XML as Jenkins, GitLab and GitHub test-report actions read it: one <testsuite> per
// scenario file, one <testcase> per scenario (classname = the file, name = the scenario),
// <failure> for a failed assertion, <error> for a scenario that could not be loaded or run,
// <skipped> with its reason. The failure body is the terminal report's detail, so CI shows the
// same request, response and assertion a person would see locally.
#include <map>
#include <sstream>

#include "scenario_engine/reporters/report_support.h"
#include "scenario_engine/reporters/reporters.h"

namespace pistesim::scenario {

namespace {

using report::xml_escape;

std::string attr(std::string_view s) {
  return xml_escape(s, true);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// The failure's one-line message: the first failed assertion, else the step's or scenario's
// message.
std::string failure_message(const ScenarioResult& s) {
  for (const auto& step : s.steps) {
    if (step.outcome != Outcome::Failed && step.outcome != Outcome::Error) continue;
    for (const auto& a : step.assertions)
      if (!a.passed)
        return "step \"" + step.name + "\": " + a.subject + ": expected " + a.expectation +
               " but got " + a.actual;
    if (!step.message.empty()) return "step \"" + step.name + "\": " + step.message;
    return "step \"" + step.name + "\" " + std::string(to_string(step.outcome));
  }
  return s.message.empty() ? std::string(to_string(s.outcome)) : s.message;
}

struct Counts {
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  int64_t duration_us = 0;
  void add(const ScenarioResult& s) {
    ++tests;
    failures += s.outcome == Outcome::Failed ? 1 : 0;
    errors += s.outcome == Outcome::Error ? 1 : 0;
    skipped += s.outcome == Outcome::Skipped ? 1 : 0;
    duration_us += s.duration_us;
  }
  std::string attributes() const {
    return "tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
           "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) +
           "\" time=\"" + report::seconds(duration_us) + "\"";
  }
};

void write_testcase(std::ostream& out, const ScenarioResult& s) {
  out << "    <testcase classname=\"" << attr(s.file) << "\" name=\""
      << attr(s.name.empty() ? s.file : s.name) << "\" file=\"" << attr(s.file) << "\" time=\""
      << report::seconds(s.duration_us) << "\">\n";
  if (!s.tags.empty() || !s.covers.empty() || !s.description.empty()) {
    out << "      <properties>\n";
    if (!s.description.empty())
      out << "        <property name=\"description\" value=\"" << attr(s.description) << "\"/>\n";
    if (!s.tags.empty())
      out << "        <property name=\"tags\" value=\"" << attr(join(s.tags)) << "\"/>\n";
    if (!s.covers.empty())
      out << "        <property name=\"covers\" value=\"" << attr(join(s.covers)) << "\"/>\n";
    out << "      </properties>\n";
  }
  std::ostringstream details;
  report::write_scenario_details(details, s, TerminalStyle{}, "");
  switch (s.outcome) {
    case Outcome::Passed:
      break;
    case Outcome::Skipped:
      out << "      <skipped message=\"" << attr(s.message) << "\"/>\n";
      break;
    case Outcome::Failed:
      out << "      <failure message=\"" << attr(failure_message(s)) << "\" type=\"assertion\">"
          << xml_escape(details.str()) << "</failure>\n";
      break;
    case Outcome::Error:
      out << "      <error message=\"" << attr(failure_message(s)) << "\" type=\""
          << (s.steps.empty() ? "load" : "run") << "\">" << xml_escape(details.str())
          << "</error>\n";
      break;
  }
  out << "    </testcase>\n";
}

}  // namespace

void write_junit_report(std::ostream& out, const RunSummary& run) {
  // Files in the order the run met them; a file's scenarios stay together.
  std::vector<std::string> files;
  std::map<std::string, std::vector<const ScenarioResult*>> by_file;
  for (const auto& s : run.scenarios) {
    auto& list = by_file[s.file];
    if (list.empty()) files.push_back(s.file);
    list.push_back(&s);
  }
  Counts total;
  for (const auto& s : run.scenarios) total.add(s);
  total.duration_us = run.duration_us;

  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"pistesim\" " << total.attributes() << ">\n";
  for (const auto& file : files) {
    Counts c;
    for (const auto* s : by_file[file]) c.add(*s);
    out << "  <testsuite name=\"" << attr(file) << "\" " << c.attributes() << ">\n";
    out << "    <properties>\n      <property name=\"target\" value=\"" << attr(run.target)
        << "\"/>\n    </properties>\n";
    for (const auto* s : by_file[file]) write_testcase(out, *s);
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace pistesim::scenario
