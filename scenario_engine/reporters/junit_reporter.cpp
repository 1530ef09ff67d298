// JUnit XML as Jenkins, GitLab and GitHub test-report actions read it: one <testsuite> per
// scenario file, one <testcase> per scenario (classname = the file, name = the scenario),
// <failure> for a failed assertion, <error> for a scenario that could not be loaded or run,
// <skipped> with its reason. The failure body is the terminal report's detail, so CI shows the
// same request, response and assertion a person would see locally.
#include <map>
#include <sstream>

#include "scenario_engine/reporters/case_report.h"
#include "scenario_engine/reporters/report_support.h"
#include "scenario_engine/reporters/reporters.h"

namespace pistesim::scenario {

namespace {

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

ReportCase report_case(const ScenarioResult& s) {
  ReportCase c;
  c.classname = s.file;
  c.name = s.name.empty() ? s.file : s.name;
  c.file = s.file;
  c.outcome = s.outcome;
  c.duration_us = s.duration_us;
  if (!s.description.empty()) c.properties.emplace_back("description", s.description);
  if (!s.tags.empty()) c.properties.emplace_back("tags", join(s.tags));
  if (!s.covers.empty()) c.properties.emplace_back("covers", join(s.covers));
  if (s.outcome == Outcome::Skipped) c.message = s.message;
  if (s.outcome == Outcome::Failed || s.outcome == Outcome::Error) {
    c.message = failure_message(s);
    c.failure_type = s.outcome == Outcome::Failed ? "assertion" : s.steps.empty() ? "load" : "run";
    std::ostringstream details;
    report::write_scenario_details(details, s, TerminalStyle{}, "");
    c.details = details.str();
  }
  return c;
}

CaseReport junit_case_report(const RunSummary& run) {
  // Files in the order the run met them; a file's scenarios stay together.
  CaseReport report;
  report.name = "pistesim";
  report.duration_us = run.duration_us;
  std::map<std::string, size_t> suite_of;
  for (const auto& s : run.scenarios) {
    auto [at, added] = suite_of.emplace(s.file, report.suites.size());
    if (added) report.suites.push_back(ReportSuite{s.file, {{"target", run.target}}, {}});
    report.suites[at->second].cases.push_back(report_case(s));
  }
  return report;
}

}  // namespace

void write_junit_report(std::ostream& out, const RunSummary& run) {
  write_junit(out, junit_case_report(run));
}

}  // namespace pistesim::scenario
