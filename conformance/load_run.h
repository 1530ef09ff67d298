// `pistesim conform --concurrency N --repeat M`: the token-endpoint checks (sections A–E) from
// N connections at once, M times each, plus M token requests per connection: no duplicated
// token, no malformed JSON, no 5xx, and every check's verdict the same as when run alone.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "conformance/suite.h"

namespace pistesim::conformance {

struct LoadOptions {
  size_t concurrency = 1;  // connections (threads), each its own client of the target
  size_t repeat = 1;       // rounds per connection
};

struct LoadReport {
  size_t concurrency = 0;
  size_t repeat = 0;
  size_t check_runs = 0;      // check executions under load
  size_t token_requests = 0;  // plain client-credentials requests sent
  size_t tokens = 0;          // distinct tokens obtained
  size_t duplicate_tokens = 0;
  size_t malformed = 0;      // a 200 whose body is not a JSON object with a string access_token
  size_t server_errors = 0;  // 5xx answers, in the checks or the token requests
  size_t transport_errors = 0;
  // "A1: FAIL under load, PASS alone — « … »" (at most a few per check).
  std::vector<std::string> mismatches;
  std::vector<std::string> problems;  // the first few malformed / 5xx / transport errors seen
  bool ok() const;
  std::string summary() const;  // one paragraph
};

// `sequential`: the verdicts of the run alone (run_suite with the same selection); checks it
// skipped or could not run are not repeated.
LoadReport run_under_load(const std::vector<Check>& checks, const TargetProfile& profile,
                          const SuiteResult& sequential, const LoadOptions& options);

}  // namespace pistesim::conformance
