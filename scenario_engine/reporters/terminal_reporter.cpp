// The report a person reads: a line per scenario as it ends, then every failure with what is
// needed to understand it without re-running (the request as sent, the answer, each failed
// assertion), then one summary line. Exchanges print as `curl -v` does ("> " sent, "< " received).
#include <sstream>

#include "scenario_engine/reporters/report_support.h"
#include "scenario_engine/reporters/reporters.h"

namespace pistesim::scenario {

namespace {

using report::clean_text;
using report::one_line;

std::string_view outcome_color(Outcome o) {
  switch (o) {
    case Outcome::Passed:
      return "32";  // green
    case Outcome::Failed:
      return "31";  // red
    case Outcome::Skipped:
      return "33";  // yellow
    case Outcome::Error:
      return "35";  // magenta
  }
  return "0";
}

std::string paint(std::string_view text, std::string_view code, const TerminalStyle& style) {
  if (!style.color) return std::string(text);
  return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
}

// Each line of `text` (cleaned), prefixed; nothing for empty text.
void write_lines(std::ostream& out, std::string_view text, std::string_view prefix) {
  if (text.empty()) return;
  std::string clean = clean_text(text);
  if (!clean.empty() && clean.back() == '\n') clean.pop_back();
  std::istringstream lines(clean);
  std::string line;
  while (std::getline(lines, line)) out << prefix << line << "\n";
}

void write_exchange(std::ostream& out, const ExchangeRecord& x, const std::string& pad) {
  out << pad << "> " << one_line(x.method) << " " << one_line(x.url) << "\n";
  for (const auto& h : x.request_headers)
    out << pad << "> " << one_line(h.name) << ": " << one_line(h.value) << "\n";
  if (!x.request_body.empty()) {
    out << pad << ">\n";
    write_lines(out, x.request_body, pad + "> ");
  }
  if (!x.status) {
    out << pad << "< no response: "
        << (x.transport_error.empty() ? "no answer" : one_line(x.transport_error)) << " ("
        << report::format_duration(x.duration_us) << ")\n";
    return;
  }
  out << pad << "< " << report::status_text(*x.status) << "  ("
      << report::format_duration(x.duration_us) << ")\n";
  for (const auto& h : x.response_headers)
    out << pad << "< " << one_line(h.name) << ": " << one_line(h.value) << "\n";
  if (!x.response_body.empty()) {
    out << pad << "<\n";
    write_lines(out, x.response_body, pad + "< ");
  }
}

void write_assertion(std::ostream& out, const AssertionResult& a, const std::string& pad,
                     const TerminalStyle& style) {
  Outcome o = a.passed ? Outcome::Passed : Outcome::Failed;
  out << pad << paint(report::outcome_symbol(o), outcome_color(o), style) << " "
      << one_line(a.subject) << ": expected " << one_line(a.expectation)
      << (a.passed ? ", got " : " but got ") << one_line(a.actual);
  if (a.where.line > 0) out << "  (" << one_line(a.where.to_string()) << ")";
  out << "\n";
}

void write_step(std::ostream& out, const StepResult& step, size_t index, size_t count,
                const TerminalStyle& style, std::string_view indent) {
  const std::string pad = std::string(indent) + "    ";
  out << indent << paint(report::outcome_symbol(step.outcome), outcome_color(step.outcome), style)
      << " step " << index + 1 << "/" << count << " \"" << one_line(step.name) << "\" ("
      << one_line(step.action) << ")";
  if (step.where.line > 0) out << " at " << one_line(step.where.to_string());
  out << " — " << to_string(step.outcome);
  if (step.attempts > 1) out << " after " << step.attempts << " attempts";
  out << " (" << report::format_duration(step.duration_us) << ")\n";
  if (step.row) out << pad << "row: " << one_line(*step.row) << "\n";
  // A failed assertion is printed below with its location; the message would repeat it.
  bool assertion_failed = false;
  for (const auto& a : step.assertions) assertion_failed = assertion_failed || !a.passed;
  if (!assertion_failed) write_lines(out, step.message, pad);
  for (const auto& x : step.exchanges) write_exchange(out, x, pad);
  for (const auto& a : step.assertions)
    if (!a.passed || style.verbose) write_assertion(out, a, pad, style);
  for (const auto& [name, value] : step.captured)
    out << pad << "captured " << one_line(name) << " = " << one_line(value) << "\n";
  if (!step.output.empty()) {
    out << pad << "output:\n";
    write_lines(out, step.output, pad + "  | ");
  }
}

void write_scenario_header(std::ostream& out, const ScenarioResult& s, const TerminalStyle& style,
                           std::string_view indent) {
  out << indent << paint(report::outcome_symbol(s.outcome), outcome_color(s.outcome), style) << " "
      << paint(one_line(s.name.empty() ? s.file : s.name), "1", style) << "  ";
  if (!s.name.empty() && s.name != s.file) out << paint(one_line(s.file), "2", style) << "  ";
  out << "(" << report::format_duration(s.duration_us) << ")";
}

}  // namespace

namespace report {

void write_scenario_details(std::ostream& out, const ScenarioResult& s, const TerminalStyle& style,
                            std::string_view indent) {
  // The scenario's message says why it ended; when a step failed, that step says it in full.
  bool step_broke = false;
  for (const auto& step : s.steps)
    step_broke = step_broke || step.outcome == Outcome::Failed || step.outcome == Outcome::Error;
  if (!step_broke) write_lines(out, s.message, indent);
  for (size_t i = 0; i < s.steps.size(); ++i) {
    const StepResult& step = s.steps[i];
    bool wanted =
        style.verbose || step.outcome == Outcome::Failed || step.outcome == Outcome::Error;
    if (wanted) write_step(out, step, i, s.steps.size(), style, indent);
  }
}

}  // namespace report

void write_progress_line(std::ostream& out, const ScenarioResult& s, const TerminalStyle& style) {
  write_scenario_header(out, s, style, "");
  if (s.outcome == Outcome::Skipped && !s.message.empty()) out << " — " << one_line(s.message);
  out << "\n";
}

void write_terminal_report(std::ostream& out, const RunSummary& run, const TerminalStyle& style) {
  bool heading = false;
  for (const auto& s : run.scenarios) {
    bool broken = s.outcome == Outcome::Failed || s.outcome == Outcome::Error;
    if (!broken && !style.verbose) continue;
    if (!heading) {
      out << "\n" << paint(style.verbose ? "Details" : "Failures", "1", style) << "\n";
      heading = true;
    }
    out << "\n";
    write_scenario_header(out, s, style, "");
    out << " — " << to_string(s.outcome) << "\n";
    report::write_scenario_details(out, s, style, "  ");
  }
  out << "\n"
      << paint(report::summary_line(run), run.exit_code() == 0 ? "1;32" : "1;31", style) << "\n";
}

}  // namespace pistesim::scenario
