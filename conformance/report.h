// The suite's verdicts as a table (people), JUnit XML (CI) and JSON (tools).
#pragma once

#include <ostream>
#include <string>

#include "conformance/suite.h"

namespace pistesim::conformance {

// "A1   MUST   PASS  GET on the token endpoint is refused…  400 invalid_request" — one line per
// check, at most 100 columns: the title and the evidence are cut with "…" to fit.
void write_check_line(std::ostream& out, const CheckResult& r, bool color);
// The column titles of those lines ("ID   LEVEL  VERDICT TITLE … EVIDENCE\n").
std::string table_header();
// The table, then the failed checks' steps in full, then the summary line.
void write_table_report(std::ostream& out, const SuiteResult& suite, bool color);
// "46 checks on embedded (piste): 44 passed, 0 failed, 2 skipped, 0 errors (1.2 s)".
std::string summary_line(const SuiteResult& suite);
// One <testcase> per check (classname = its section letter), <failure>/<error>/<skipped> as
// its verdict, the evidence and the failing steps' details in the body.
void write_junit(std::ostream& out, const SuiteResult& suite);
// {"target", "profile", "summary": {...}, "checks": [{id, level, source, name, file, verdict,
// evidence, duration_ms}]}.
void write_json(std::ostream& out, const SuiteResult& suite);

}  // namespace pistesim::conformance
