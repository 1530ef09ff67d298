// `--report FORMAT=PATH`, the one report vocabulary of `run`, `conform` and `load`: FORMAT is
// junit, tap, json or html, the option repeats, and PATH - is standard output where the command
// allows it (run). JUnit, TAP and HTML are written by the shared writers of
// scenario_engine/reporters/case_report.h. Old spellings stay for one release, each saying so.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace pistesim::cli {

struct ReportSpec {
  std::string format;  // junit, tap, json, html
  std::string path;    // "-": standard output
};

// The option, with the same help on every command.
CLI::Option* add_report_option(CLI::App* cmd, std::vector<std::string>* specs, bool stdout_allowed);

// Parses FORMAT=PATH specs. An error naming the bad spec (and, without `stdout_allowed`, a PATH
// of -).
Result<std::vector<ReportSpec>> parse_report_specs(const std::vector<std::string>& specs,
                                                   bool stdout_allowed);

// On stderr, one line: "pistesim load: --json is deprecated (kept for one release): use
// --report json=FILE".
void warn_deprecated(std::string_view command, std::string_view old_spelling,
                     std::string_view new_spelling);

// Whether `path` can be written (its directory exists and is writable, it is not a directory):
// checked before a run so that a long run does not end in a report it cannot write.
bool report_path_writable(const std::string& path);

}  // namespace pistesim::cli
