// The suite's verdicts as a table (people), JUnit XML and TAP (CI), JSON (tools) and HTML; JUnit,
// TAP and HTML by the writers every command shares (scenario_engine/reporters/case_report.h).
#pragma once

#include <ostream>
#include <string>

#include "conformance/suite.h"
#include "scenario_engine/reporters/case_report.h"

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
// The checks as the shared report model: one suite named "conformance (<profile>)" (the target,
// whose URL may hold a random port, is a property), one case per check (classname
// "conformance.<section letter>", name "A1 MUST <title>"), the evidence as the message and the
// failing steps as the details.
scenario::CaseReport case_report(const SuiteResult& suite);
void write_junit(std::ostream& out, const SuiteResult& suite);
void write_tap(std::ostream& out, const SuiteResult& suite);
void write_html(std::ostream& out, const SuiteResult& suite);
// {"target", "profile", "summary": {...}, "checks": [{id, level, source, name, file, verdict,
// evidence, duration_ms}]}.
void write_json(std::ostream& out, const SuiteResult& suite);

}  // namespace pistesim::conformance
