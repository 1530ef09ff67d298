// Exit codes of a run (ARCHITECTURE.md): 0 all passed, 1 a check failed, 2 an input error.
#include <gtest/gtest.h>

#include "scenario_engine/result.h"

namespace pistesim::scenario {
namespace {

RunSummary run_of(std::initializer_list<Outcome> outcomes) {
  RunSummary run;
  for (Outcome o : outcomes) {
    ScenarioResult s;
    s.outcome = o;
    run.scenarios.push_back(s);
  }
  return run;
}

TEST(RunSummary, ExitCodeFollowsTheWorstOutcome) {
  EXPECT_EQ(run_of({}).exit_code(), 0);
  EXPECT_EQ(run_of({Outcome::Passed, Outcome::Skipped}).exit_code(), 0);
  EXPECT_EQ(run_of({Outcome::Passed, Outcome::Failed}).exit_code(), 1);
  EXPECT_EQ(run_of({Outcome::Failed, Outcome::Error, Outcome::Passed}).exit_code(), 2);
}

TEST(RunSummary, CountsEachOutcome) {
  RunSummary run = run_of({Outcome::Passed, Outcome::Failed, Outcome::Passed});
  EXPECT_EQ(run.count(Outcome::Passed), 2u);
  EXPECT_EQ(run.count(Outcome::Failed), 1u);
  EXPECT_EQ(run.count(Outcome::Error), 0u);
}

}  // namespace
}  // namespace pistesim::scenario
