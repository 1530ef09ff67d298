// Runs loaded scenarios against a target: renders templates, sends, captures, asserts, and
// records a redacted StepResult per step. A failed step stops its scenario (later steps are
// reported as skipped); a failed scenario does not stop the others.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "scenario_engine/model.h"
#include "scenario_engine/result.h"
#include "scenario_engine/target.h"

namespace pistesim::scenario {

struct RunOptions {
  TargetOptions target;  // each scenario gets its own embedded target (isolated world)
  size_t jobs = 1;       // scenario files run in parallel (embedded only; remote runs are serial)
  std::vector<std::string> tags;   // run only scenarios with one of these tags (empty: all)
  std::vector<std::string> names;  // run only scenarios whose name contains one of these
  // Called as each scenario ends (live progress), from the thread that ran it, serialised.
  std::function<void(const ScenarioResult&)> on_scenario;
};

// One scenario on a target already reset to its world.
ScenarioResult run_scenario(const Scenario& scenario, Target& target);

// Loads nothing: `scenarios` are already loaded; `load_errors` (file:line:column messages)
// become Error results. Honours `only` (when any scenario or step says only, the rest skip).
RunSummary run_all(const std::vector<Scenario>& scenarios,
                   const std::vector<ScenarioResult>& load_errors, const RunOptions& options);

}  // namespace pistesim::scenario
