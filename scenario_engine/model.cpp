#include "scenario_engine/model.h"

namespace pistesim::scenario {

std::string SourceLocation::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

bool Expectations::empty() const {
  return !status && headers.empty() && body.empty() && json.empty() && !duration_ms && !exit_code &&
         stdout_text.empty() && stderr_text.empty() && !client;
}

std::string_view action_name(const Action& a) {
  struct Name {
    std::string_view operator()(const HttpAction&) const { return "request"; }
    std::string_view operator()(const ControlAction&) const { return "control"; }
    std::string_view operator()(const MailAction&) const { return "mail"; }
    std::string_view operator()(const ClockAction&) const { return "advance"; }
    std::string_view operator()(const FaultAction&) const { return "fault"; }
    std::string_view operator()(const QuotaAction&) const { return "quota"; }
    std::string_view operator()(const ExecAction&) const { return "exec"; }
    std::string_view operator()(const WaitAction&) const { return "wait"; }
    std::string_view operator()(const JournalAction&) const { return "journal"; }
    std::string_view operator()(const MarkAction&) const { return "mark"; }
    std::string_view operator()(const SleepAction&) const { return "sleep"; }
    std::string_view operator()(const ResetAction&) const { return "reset"; }
  };
  return std::visit(Name{}, a);
}

}  // namespace pistesim::scenario
