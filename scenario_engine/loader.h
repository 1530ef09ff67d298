// Reads scenario files (docs/scenarios.md) into the model. Every mistake is reported as
// "file:line:column: what is wrong; expected <the form that would be right>", and a file with
// mistakes yields no scenario at all (never half of one).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "scenario_engine/model.h"

namespace pistesim::scenario {

class BehaviourCatalogue;  // scenario_engine/coverage.h

struct LoadError {
  SourceLocation where;
  std::string message;  // "unknown key « expct »; expected one of: expect, capture, …"
  std::string to_string() const;  // "file:line:column: message"
};

struct LoadOptions {
  // The behaviour IDs `covers` may name; null: pistesim's own (docs/behaviours.md) only.
  const BehaviourCatalogue* behaviours = nullptr;
};

// One file. `use = "lib/x.toml"` steps and `include` files are resolved against the file's
// directory and inlined (cycles are an error).
std::variant<Scenario, std::vector<LoadError>> load_scenario_file(const std::string& path,
                                                                  const LoadOptions& options = {});
// The same from text (tests, fuzzing); `path` names it in errors and anchors relative paths.
std::variant<Scenario, std::vector<LoadError>> load_scenario_text(const std::string& text,
                                                                  const std::string& path,
                                                                  const LoadOptions& options = {});

// The scenario files under each path: a file as is, a directory walked recursively for *.toml
// (files under a `lib/` directory are step libraries for `use`, and behaviours.toml files
// catalogues of behaviour IDs, not scenarios), in sorted order.
std::vector<std::string> find_scenario_files(const std::vector<std::string>& paths,
                                             std::vector<LoadError>* errors);

}  // namespace pistesim::scenario
