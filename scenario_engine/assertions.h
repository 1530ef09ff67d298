// Expectations and captures applied to what a step saw. Pure functions: no I/O, no target.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenario_engine/model.h"
#include "scenario_engine/result.h"
#include "scenario_engine/template.h"
#include "wire/http_message.h"

namespace pistesim::scenario {

// What a step observed. For HTTP, control and mail steps `response` is set; for exec steps
// exit_code / stdout / stderr.
struct Observation {
  std::optional<Response> response;
  int64_t duration_us = 0;
  std::optional<int> exit_code;
  std::string stdout_text;
  std::string stderr_text;
};

// Checks one matcher against a value (a string, or a JSON value). `subject` names it in the
// result. Matcher strings are rendered with `vars` first.
AssertionResult check_matcher(const Matcher& m, const std::string& subject, const Value& actual,
                              bool actual_missing, const Variables& vars);

// Every expectation of `expect` except the client ones (client_checks.h), in a stable order:
// status, headers, body, json, duration, exit code, stdout, stderr.
std::vector<AssertionResult> check_expectations(const Expectations& expect, const Observation& seen,
                                                const Variables& vars);

// The value a capture takes from what was seen; an error when nothing matches and the capture
// has no fallback. JSON captures keep the JSON type (an object stays an object).
Result<Value> apply_capture(const Capture& capture, const Observation& seen);

}  // namespace pistesim::scenario
