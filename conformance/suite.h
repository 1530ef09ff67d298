// The conformance suite (`pistesim conform`, docs/conformance.md): RFC 6749/6750 and PISTE
// checks (docs/conformance-checklist.md) stored as scenario files under conformance/checks/,
// each with a [conformance] table (id, level, source, needs, profiles), run against a target
// described by a profile: the embedded simulator, a `pistesim serve`, or any OAuth server.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "scenario_engine/model.h"
#include "scenario_engine/result.h"

namespace pistesim::conformance {

enum class Level { Must, Should, Piste };
std::string_view to_string(Level l);  // "MUST", "SHOULD", "PISTE"
std::optional<Level> parse_level(std::string_view s);

enum class Verdict { Pass, Fail, Skip, Error };
std::string_view to_string(Verdict v);  // "PASS", "FAIL", "SKIP", "ERROR"

// What a check may need beyond a token URL and one client (docs/conformance.md "Needs").
const std::vector<std::string>& known_needs();

struct Check {
  std::string id;  // "A1": the docs/conformance-checklist.md item
  Level level = Level::Must;
  std::string source;                 // "RFC 6749 §3.2"
  std::vector<std::string> needs;     // known_needs()
  std::vector<std::string> profiles;  // the target profiles it applies to; empty: all
  scenario::Scenario scenario;
  // A token-endpoint check (sections A–E) that needs no control API: repeated under load.
  bool token_endpoint() const;
};

// Every check file under `paths` (directories walked for *.toml, lib/ skipped). Errors are
// "file:line:column: message" lines; a file with errors yields no check.
struct LoadedChecks {
  std::vector<Check> checks;  // sorted by id (A1 < A2 < A10), then file
  std::vector<std::string> errors;
};
LoadedChecks load_checks(const std::vector<std::string>& paths);

// The target and what it provides. `vars` are the variables check files see (token_url,
// api_base, client_id, client_secret, second_client_id, …; docs/conformance.md); their values
// are templates, so a profile may write client_secret = "{{env.MY_SECRET}}".
struct TargetProfile {
  std::string target = "embedded";  // "embedded" or the server's base URL
  std::string profile = "piste";    // the behaviour the target declares: piste | rfc
  std::string world;                // embedded: the world file ("" = the default world)
  std::string admin_token;          // a pistesim URL target: enables the control API
  bool verify_tls = false;
  std::string ca_file;
  std::map<std::string, std::string> vars;
  // The control API is there: the embedded simulator, or a URL target given its admin token.
  bool control() const { return target == "embedded" || !admin_token.empty(); }
  // Which of known_needs() the profile satisfies.
  bool provides(const std::string& need) const;
};

// Reads a profile file over `base` (its keys override base's). Relative paths (world, ca_file)
// are resolved against the file's directory. An error, one line per mistake with its
// file:line:column, when the file is unreadable or holds an unknown key or a value of the wrong
// type.
Result<TargetProfile> load_profile_file(const std::string& path, TargetProfile base = {});
// Empty when the profile can run checks; else what is missing (token_url, a client).
std::string profile_error(const TargetProfile& profile);

struct CheckResult {
  std::string id;
  Level level = Level::Must;
  std::string source;
  std::string name;
  std::string file;
  Verdict verdict = Verdict::Pass;
  std::string evidence;  // one line: what was seen ("400 invalid_request, Cache-Control: no-store")
  scenario::ScenarioResult detail;  // the steps, redacted (empty for a check not run)
  int64_t duration_us = 0;
};

struct SuiteOptions {
  std::vector<std::string> only;  // ids; empty: all
  std::vector<std::string> skip;  // ids
  std::vector<Level> levels;      // empty: all
  // Called as each check ends (live progress).
  std::function<void(const CheckResult&)> on_check;
};

struct SuiteResult {
  std::string target;
  std::string profile;
  std::vector<CheckResult> results;
  int64_t duration_us = 0;
  size_t count(Verdict v) const;
  // 0: no MUST (or PISTE) check failed; 1: one did; 2: a check could not run (ERROR).
  int exit_code() const;
};

// Ids in the selection that name no loaded check ("--only Z9"): a usage error.
std::vector<std::string> unknown_ids(const std::vector<Check>& checks, const SuiteOptions& options);

// Runs the selected checks one after the other. The embedded target is a simulator on its own
// world served on a loopback port (so transport limits such as A9's 413 are real); a pistesim
// target is reset before each check; a plain server is never touched beyond the checks' requests.
SuiteResult run_suite(const std::vector<Check>& checks, const TargetProfile& profile,
                      const SuiteOptions& options);

// One line of what a check's run showed: the decisive exchange and, on failure, the assertion
// that failed.
std::string evidence_of(const scenario::ScenarioResult& result);

}  // namespace pistesim::conformance
