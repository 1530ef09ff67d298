#include "scenario_engine/result.h"

namespace pistesim::scenario {

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::Passed:
      return "passed";
    case Outcome::Failed:
      return "failed";
    case Outcome::Skipped:
      return "skipped";
    case Outcome::Error:
      return "error";
  }
  return "error";
}

size_t RunSummary::count(Outcome o) const {
  size_t n = 0;
  for (const auto& s : scenarios) n += s.outcome == o ? 1 : 0;
  return n;
}

int RunSummary::exit_code() const {
  if (count(Outcome::Error) > 0) return 2;
  if (count(Outcome::Failed) > 0) return 1;
  return 0;
}

}  // namespace pistesim::scenario
