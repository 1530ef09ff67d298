#include "report_options.h"

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <set>

namespace pistesim::cli {

namespace {
const std::set<std::string> kFormats = {"junit", "tap", "json", "html"};
}  // namespace

CLI::Option* add_report_option(CLI::App* cmd, std::vector<std::string>* specs,
                               bool stdout_allowed) {
  return cmd
      ->add_option("--report", *specs,
                   std::string("Also write a report: FORMAT=PATH, FORMAT junit, tap, json or html "
                               "(repeatable)") +
                       (stdout_allowed ? "; PATH - for standard output" : ""))
      ->allow_extra_args(false);
}

Result<std::vector<ReportSpec>> parse_report_specs(const std::vector<std::string>& specs,
                                                   bool stdout_allowed) {
  std::vector<ReportSpec> out;
  for (const auto& spec : specs) {
    const size_t eq = spec.find('=');
    const std::string format = spec.substr(0, eq);
    if (eq == std::string::npos || eq + 1 == spec.size() || !kFormats.count(format))
      return Error{"--report " + spec +
                   ": expected FORMAT=FILE with FORMAT one of junit, tap, json, html" +
                   (stdout_allowed ? " (FILE - for standard output)" : "")};
    const std::string path = spec.substr(eq + 1);
    if (path == "-" && !stdout_allowed)
      return Error{"--report " + spec + ": standard output carries this command's own summary; " +
                   "give a file"};
    out.push_back({format, path});
  }
  return out;
}

void warn_deprecated(std::string_view command, std::string_view old_spelling,
                     std::string_view new_spelling) {
  std::cerr << "pistesim " << command << ": " << old_spelling
            << " is deprecated (kept for one release): use " << new_spelling << "\n";
}

bool report_path_writable(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) parent = ".";
  return fs::is_directory(parent, ec) && ::access(parent.c_str(), W_OK) == 0 &&
         !fs::is_directory(path, ec) &&
         (!fs::exists(path, ec) || ::access(path.c_str(), W_OK) == 0);
}

}  // namespace pistesim::cli
