// What a scenario run produced: per step, the exchange and every assertion with what was
// expected and what was seen. Reporters (reporters.h) read only this. Secrets are redacted
// before they get here (redaction.h): a report can be attached to a CI job as it is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenario_engine/model.h"
#include "wire/http_message.h"

namespace pistesim::scenario {

enum class Outcome { Passed, Failed, Skipped, Error };
std::string_view to_string(Outcome o);  // "passed", "failed", "skipped", "error"

struct AssertionResult {
  std::string subject;  // "status", "header Cache-Control", "$.token_type", "journal reuses_tokens"
  std::string expectation;  // "equals \"Bearer\"", "in [200, 201]", "at most 2"
  std::string actual;       // what was seen, shortened ("\"bearer\"", "3 token requests")
  bool passed = false;
  SourceLocation where;
};

// One HTTP exchange as sent and received, secrets redacted, bodies cut to an excerpt.
struct ExchangeRecord {
  std::string method;
  std::string url;
  Headers request_headers;
  std::string request_body;   // excerpt
  std::optional<int> status;  // nullopt: no answer (transport error)
  Headers response_headers;
  std::string response_body;  // excerpt
  std::string transport_error;
  int64_t duration_us = 0;
};

struct StepResult {
  std::string name;
  std::string action;  // action_name()
  SourceLocation where;
  Outcome outcome = Outcome::Passed;
  std::string message;  // why it failed or errored or was skipped; empty when passed
  std::vector<AssertionResult> assertions;
  std::vector<ExchangeRecord> exchanges;  // usually one; a followed link adds one
  std::vector<std::pair<std::string, std::string>> captured;  // variable, value (redacted)
  int attempts = 1;                                           // > 1 with `retry`
  std::optional<std::string> row;                             // the loop row, shown as "k=v, …"
  std::string output;  // exec: the tail of stdout and stderr (redacted)
  int64_t duration_us = 0;
};

struct ScenarioResult {
  std::string file;
  std::string name;
  std::string description;
  std::vector<std::string> tags;
  std::vector<std::string> covers;
  Outcome outcome = Outcome::Passed;
  std::string message;  // load errors (file:line:column: …), skip reasons
  std::vector<StepResult> steps;
  int64_t duration_us = 0;
};

struct RunSummary {
  std::string target;  // "embedded" or the URL
  std::vector<ScenarioResult> scenarios;
  int64_t duration_us = 0;
  size_t count(Outcome o) const;
  // 0 every scenario passed (or was skipped), 1 one failed, 2 one could not be loaded or run
  // (ARCHITECTURE.md exit codes).
  int exit_code() const;
};

}  // namespace pistesim::scenario
