// `pistesim run [PATH…]`: load scenario files (docs/scenarios.md), run them on the embedded
// simulator or a running one, print a line per scenario as it ends, then the failures and a
// summary; write JUnit / TAP / JSON / HTML reports on request. Exit code: 0 every scenario
// passed or was skipped, 1 one failed, 2 one could not be loaded or run, or a usage error.
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "commands.h"
#include "data_dir.h"
#include "report_options.h"
#include "scenario_engine/coverage.h"
#include "scenario_engine/loader.h"
#include "scenario_engine/reporters/reporters.h"
#include "scenario_engine/runner.h"
#include "scenario_engine/target.h"
#include "scenario_engine/target_clock.h"

namespace pistesim::cli {

namespace {

using scenario::Outcome;
using scenario::RunSummary;
using scenario::Scenario;
using scenario::ScenarioResult;

struct RunArgs {
  std::vector<std::string> paths;
  std::string target;
  std::string admin_token;
  TlsClientArgs tls;
  std::string world;
  size_t jobs = 1;
  std::vector<std::string> tags;
  std::vector<std::string> names;
  std::vector<std::string> reports;     // FORMAT=FILE
  std::vector<std::string> behaviours;  // the user's behaviours files
  std::string format = "terminal";
  bool format_given = false;
  std::string color = "auto";
  bool verbose = false;
  bool coverage = false;
  bool list = false;
  bool keep_clock = false;
};

bool use_color(const std::string& mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* term = std::getenv("TERM");
  return isatty(fd) && std::getenv("NO_COLOR") == nullptr &&
         !(term != nullptr && std::string(term) == "dumb");
}

void write_report(std::ostream& out, const std::string& format, const RunSummary& run,
                  const scenario::TerminalStyle& style) {
  if (format == "junit") {
    scenario::write_junit_report(out, run);
  } else if (format == "tap") {
    scenario::write_tap_report(out, run);
  } else if (format == "json") {
    scenario::write_json_report(out, run);
  } else if (format == "html") {
    scenario::write_html_report(out, run);
  } else {
    scenario::write_terminal_report(out, run, style);
  }
}

bool selected(const Scenario& s, const RunArgs& args) {
  bool tag_ok = args.tags.empty();
  for (const auto& t : args.tags)
    for (const auto& have : s.tags) tag_ok = tag_ok || have == t;
  bool name_ok = args.names.empty();
  for (const auto& n : args.names) name_ok = name_ok || s.name.find(n) != std::string::npos;
  return tag_ok && name_ok;
}

std::string joined(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

// IDs wrapped to lines of about 96 columns, each line indented.
void write_ids(std::ostream& out, std::string_view label, const std::vector<std::string>& ids) {
  std::string head = "  " + std::string(label) + " (" + std::to_string(ids.size()) + "):";
  out << head;
  if (ids.empty()) out << " none";
  size_t column = head.size();
  for (const auto& id : ids) {
    if (column + id.size() + 1 > 96) {
      out << "\n     ";
      column = 5;
    }
    out << " " << id;
    column += id.size() + 1;
  }
  out << "\n";
}

void write_coverage(std::ostream& out, const std::vector<Scenario>& scenarios,
                    const scenario::BehaviourCatalogue& catalogue) {
  scenario::Coverage c = scenario::compute_coverage(scenarios, catalogue);
  size_t known = scenario::known_behaviour_ids().size();
  out << "\nCoverage of pistesim's behaviours (docs/behaviours.md) by " << scenarios.size()
      << " loaded scenario" << (scenarios.size() == 1 ? "" : "s") << ": " << c.covered.size()
      << " of " << known << " IDs covered, " << c.uncovered.size() << " uncovered\n";
  write_ids(out, "covered", c.covered);
  write_ids(out, "uncovered", c.uncovered);
  if (!catalogue.files().empty()) {
    out << "Coverage of your behaviours (" << joined(catalogue.files())
        << "): " << c.user_covered.size() << " of " << catalogue.user().size() << " IDs covered, "
        << c.user_uncovered.size() << " uncovered\n";
    write_ids(out, "covered", c.user_covered);
    write_ids(out, "uncovered", c.user_uncovered);
  }
  if (!c.unknown.empty()) write_ids(out, "unknown (declared nowhere)", c.unknown);
}

void write_list(std::ostream& out, const std::vector<Scenario>& scenarios, const RunArgs& args) {
  size_t shown = 0;
  for (const auto& s : scenarios) {
    if (!selected(s, args)) continue;
    ++shown;
    out << s.name << "  (" << s.file << ")\n";
    if (!s.description.empty()) out << "    " << s.description << "\n";
    out << "    tags: " << (s.tags.empty() ? "-" : joined(s.tags))
        << " · covers: " << (s.covers.empty() ? "-" : joined(s.covers)) << " · " << s.steps.size()
        << " step" << (s.steps.size() == 1 ? "" : "s");
    if (s.skip) out << " · skip: " << *s.skip;
    if (s.only) out << " · only";
    out << "\n";
  }
  out << shown << " scenario" << (shown == 1 ? "" : "s");
  if (shown != scenarios.size()) out << " selected of " << scenarios.size();
  out << "\n";
}

int run(RunArgs args) {
  // Reports: where each goes, checked (and files opened) before anything runs.
  std::vector<std::pair<std::string, std::string>> report_files;  // format, path
  std::string stdout_format = args.format;
  bool stdout_taken = false;
  auto specs = parse_report_specs(args.reports, /*stdout_allowed=*/true);
  if (!specs) {
    std::cerr << specs.error().message << "\n";
    return 2;
  }
  for (const auto& [format, path] : *specs) {
    if (path == "-") {
      if (stdout_taken || (args.format_given && args.format != format)) {
        std::cerr << "--report " << format << "=-: standard output already has the "
                  << stdout_format << " report\n";
        return 2;
      }
      stdout_format = format;
      stdout_taken = true;
      continue;
    }
    report_files.emplace_back(format, path);
  }
  // Opened only once every spec is valid, so a typo truncates no earlier report.
  std::vector<std::pair<std::string, std::unique_ptr<std::ofstream>>> files;
  for (const auto& [format, path] : report_files) {
    auto file = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
    if (!*file) {
      std::cerr << "--report " << format << "=" << path << ": cannot write " << path << "\n";
      return 2;
    }
    files.emplace_back(format, std::move(file));
  }
  // Machine-readable output on stdout keeps stdout clean: people's lines go to stderr.
  const bool stdout_is_terminal_report = stdout_format == "terminal";
  std::ostream& human = stdout_is_terminal_report ? std::cout : std::cerr;
  scenario::TerminalStyle style;
  style.color = use_color(args.color, stdout_is_terminal_report ? STDOUT_FILENO : STDERR_FILENO);
  style.verbose = args.verbose;

  // No path: the shipped suite, from the data directory (data_dir.h).
  if (args.paths.empty()) {
    auto shipped = shipped_path("scenarios");
    if (!shipped) {
      std::cerr << "pistesim run: no scenario given and the shipped suite is unavailable: "
                << shipped.error().message << "\n";
      return 2;
    }
    args.paths.push_back(*shipped);
  }
  std::vector<scenario::LoadError> find_errors;
  std::vector<std::string> files_found = scenario::find_scenario_files(args.paths, &find_errors);
  if (!find_errors.empty()) {
    for (const auto& e : find_errors) std::cerr << e.to_string() << "\n";
    return 2;
  }
  if (files_found.empty()) {
    std::cerr << "pistesim run: no scenario file (*.toml, outside lib/ directories) under "
              << joined(args.paths) << " — nothing to run\n";
    return 2;
  }

  // The user's behaviour IDs: --behaviours files, then behaviours.toml beside the scenarios.
  scenario::BehaviourCatalogue catalogue;
  {
    namespace fs = std::filesystem;
    auto same_file = [](const std::string& a, const std::string& b) {
      std::error_code ec;
      return fs::equivalent(a, b, ec);
    };
    std::vector<std::string> behaviour_files = args.behaviours;
    for (const auto& f : scenario::find_behaviour_files(args.paths))
      if (std::none_of(behaviour_files.begin(), behaviour_files.end(),
                       [&](const std::string& given) { return same_file(given, f); }))
        behaviour_files.push_back(f);
    std::vector<scenario::LoadError> errors;
    for (const auto& f : behaviour_files) catalogue.add_file(f, &errors);
    if (!errors.empty()) {
      for (const auto& e : errors) std::cerr << e.to_string() << "\n";
      return 2;
    }
  }
  scenario::LoadOptions load_options;
  load_options.behaviours = &catalogue;

  std::vector<Scenario> scenarios;
  std::vector<ScenarioResult> load_errors;
  for (const auto& file : files_found) {
    auto loaded = scenario::load_scenario_file(file, load_options);
    if (auto* s = std::get_if<Scenario>(&loaded)) {
      scenarios.push_back(std::move(*s));
      continue;
    }
    const auto& errors = std::get<std::vector<scenario::LoadError>>(loaded);
    ScenarioResult r;
    r.file = file;
    r.name = file;
    r.outcome = Outcome::Error;
    for (const auto& e : errors) r.message += (r.message.empty() ? "" : "\n") + e.to_string();
    load_errors.push_back(std::move(r));
  }

  if (args.list) {
    // A run reports load errors with the results; a listing says them here.
    for (const auto& r : load_errors) std::cerr << r.message << "\n";
    write_list(std::cout, scenarios, args);
    if (args.coverage) write_coverage(std::cout, scenarios, catalogue);
    return load_errors.empty() ? 0 : 2;
  }

  scenario::RunOptions options;
  options.target.url = args.target;
  options.target.admin_token = args.admin_token;
  options.target.verify_tls = !args.tls.insecure;
  options.target.ca_file = args.tls.ca_file;
  options.target.world = args.world;
  options.jobs = args.jobs;
  options.tags = args.tags;
  options.names = args.names;
  {
    // A bad URL, a missing admin token or a world that does not load is a usage error, said
    // once rather than once per scenario.
    if (auto target = scenario::make_target(options.target); !target) {
      std::cerr << "pistesim run: " << target.error().message << "\n";
      return 2;
    }
  }
  auto progress_lock = std::make_shared<std::mutex>();
  options.on_scenario = [&human, style, progress_lock](const ScenarioResult& s) {
    std::lock_guard lock(*progress_lock);
    scenario::write_progress_line(human, s, style);
    human.flush();
  };

  // A shared server outlives the run: its clock goes back to where the run found it.
  std::optional<scenario::TargetClock> clock;
  if (!args.keep_clock) {
    clock.emplace(options.target);
    if (!clock->note().empty()) std::cerr << "pistesim run: " << clock->note() << "\n";
  }
  RunSummary summary = scenario::run_all(scenarios, load_errors, options);
  if (clock)
    if (std::string said = clock->restore(); !said.empty())
      std::cerr << "pistesim run: " << said << "\n";

  if (stdout_is_terminal_report) {
    scenario::write_terminal_report(std::cout, summary, style);
  } else {
    write_report(std::cout, stdout_format, summary, style);
    scenario::write_terminal_report(std::cerr, summary, style);  // for the person watching
  }
  for (auto& [format, file] : files) {
    write_report(*file, format, summary, style);
    file->flush();
    if (!*file) {
      std::cerr << "pistesim run: writing the " << format << " report failed\n";
      return 2;
    }
  }
  if (args.coverage) write_coverage(human, scenarios, catalogue);
  std::cout.flush();
  return summary.exit_code();
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run scenario files (docs/scenarios.md) on the embedded simulator or a running one "
      "(--target), and report. Exit 0 all passed, 1 a scenario failed, 2 a file could not be "
      "loaded or run, or a usage error");
  cmd->add_option("paths", args->paths,
                  "Scenario files or directories (walked for *.toml; lib/ holds step libraries, "
                  "behaviours.toml your own behaviour IDs). Default: the shipped scenarios/ "
                  "directory");
  cmd->add_option("--target", args->target,
                  "A running pistesim (http(s)://host:port); default: an embedded simulator per "
                  "scenario, no sockets");
  cmd->add_option("--admin-token", args->admin_token,
                  "The target's admin token (`pistesim serve` prints it)")
      ->envname("PISTESIM_ADMIN_TOKEN");
  add_tls_client_options(cmd, &args->tls);
  cmd->add_option("--world", args->world,
                  "World file for the embedded simulator instead of the default world "
                  "(a scenario's own `world` key still wins)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--jobs,-j", args->jobs, "Scenario files run in parallel (embedded target)")
      ->check(CLI::Range(size_t{1}, size_t{256}));
  cmd->add_option("--tag", args->tags, "Run only scenarios with this tag (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--name", args->names,
                  "Run only scenarios whose name contains this text (repeatable)")
      ->allow_extra_args(false);
  add_report_option(cmd, &args->reports, /*stdout_allowed=*/true);
  auto* format = cmd->add_option("--format", args->format, "Report on standard output")
                     ->check(CLI::IsMember({"terminal", "tap", "json", "junit", "html"}));
  cmd->add_option("--color", args->color, "Colour the terminal report")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--verbose,-v", args->verbose,
                "Show every step with its exchange and assertions, not only failures");
  cmd->add_option("--behaviours", args->behaviours,
                  "A behaviours file declaring your own behaviour IDs ([[behaviour]] id = "
                  "\"MY-1\" title = \"…\"), which `covers` may then name; behaviours.toml files "
                  "beside the scenarios are read too (repeatable; docs/scenarios.md)")
      ->allow_extra_args(false);
  cmd->add_flag("--coverage", args->coverage,
                "Then print which behaviour IDs the loaded scenarios cover: pistesim's "
                "(docs/behaviours.md) and your own (the exit code still reflects the scenarios "
                "only)");
  cmd->add_flag("--list", args->list,
                "List the scenarios (tags, covered IDs) without running them");
  cmd->add_flag("--keep-clock", args->keep_clock,
                "--target: leave the server's clock where the scenarios moved it (by default it "
                "is put back to where the run found it)");
  cmd->callback([args, format, &exit_code] {
    args->format_given = format->count() > 0;
    exit_code = run(*args);
  });
}

}  // namespace pistesim::cli
