// What every reporter needs: text from untrusted sources (response bodies, a command's output)
// made safe to print or embed — valid UTF-8, no control characters that would rewrite a
// terminal or make an XML/YAML document invalid — plus escaping and durations.
// Internal to the reporters.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "scenario_engine/reporters/reporters.h"
#include "scenario_engine/result.h"

namespace pistesim::scenario::report {

// Valid UTF-8 with only printable characters, '\n' and '\t': invalid bytes become U+FFFD,
// "\r\n" becomes "\n", other control characters (C0, DEL, C1) are shown as "\xNN" / "\u0085",
// and the non-characters U+FFFE / U+FFFF (invalid in XML) become U+FFFD.
std::string clean_text(std::string_view in);
// clean_text on one line: '\n' shown as "\n", '\t' as a space.
std::string one_line(std::string_view in);
// For XML text and attribute values (also HTML): clean_text, then & < > " ' as references;
// with `attribute`, '\n' and '\t' as character references so parsers keep them.
std::string xml_escape(std::string_view in, bool attribute = false);
// A YAML 1.2 double-quoted scalar holding clean_text(in).
std::string yaml_quote(std::string_view in);

// "0.4 ms", "12 ms", "1.23 s", "2 min 03 s".
std::string format_duration(int64_t us);
// Seconds with millisecond precision ("1.234"), as JUnit's time attributes want.
std::string seconds(int64_t us);

// "12 scenarios: 11 passed, 1 failed, 0 errors, 0 skipped (1.23 s) on embedded".
std::string summary_line(const RunSummary& run);
// "a=1, b=2" for a loop row, the status line "401 Unauthorized", and the outcome symbols.
std::string status_text(int status);
std::string_view outcome_symbol(Outcome o);  // ✓ ✗ – !

// The steps that made a scenario fail or error, in full: location, request, response or
// transport error, each assertion (failed ones, or all with style.verbose), captures, attempts,
// the command's output. Every line starts with `indent`. Shared by the terminal, JUnit and TAP
// reports so each says the same thing.
void write_scenario_details(std::ostream& out, const ScenarioResult& s, const TerminalStyle& style,
                            std::string_view indent);

}  // namespace pistesim::scenario::report
