// `pistesim conform`: the RFC 6749/6750 and PISTE conformance suite (docs/conformance.md)
// against the embedded simulator, a `pistesim serve`, or any OAuth 2.0 server. Prints a table
// (id, level, verdict, title, evidence), writes JUnit / JSON on request. Exit 0 no MUST or PISTE
// check failed, 1 one did, 2 a check could not run, the preflight failed, or a usage error.
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "commands.h"
#include "conformance/load_run.h"
#include "conformance/preflight.h"
#include "conformance/report.h"
#include "conformance/suite.h"
#include "data_dir.h"
#include "report_options.h"
#include "scenario_engine/target_clock.h"

namespace pistesim::cli {

namespace {

using conformance::TargetProfile;

struct ConformArgs {
  std::vector<std::string> check_paths;
  std::string target;
  std::string profile_file;
  std::map<std::string, std::string> options;  // profile variables given on the command line
  std::string profile;
  std::string admin_token;
  std::string world;
  TlsClientArgs tls;
  std::vector<std::string> only, skip, levels;
  std::vector<std::string> reports;  // FORMAT=FILE
  std::string color = "auto";
  bool list = false;
  size_t concurrency = 0;
  size_t repeat = 1;
  bool keep_clock = false;
  bool no_preflight = false;
};

std::vector<std::string> split_ids(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::stringstream in(v);
    for (std::string id; std::getline(in, id, ',');)
      if (!id.empty()) out.push_back(id);
  }
  return out;
}

int conform(ConformArgs& args) {
  // The profile: its file, then the command line over it.
  TargetProfile profile;
  // `pistesim conform` alone: the embedded simulator with its shipped profile.
  if (args.profile_file.empty() && (args.target.empty() || args.target == "embedded")) {
    auto shipped = shipped_path("conformance/profiles/embedded.toml");
    if (!shipped) {
      std::cerr << "pistesim conform: the embedded target's profile is unavailable: "
                << shipped.error().message << "\n";
      return 2;
    }
    args.profile_file = *shipped;
  }
  if (!args.profile_file.empty()) {
    auto read = conformance::load_profile_file(args.profile_file, profile);
    if (!read) {
      std::cerr << "pistesim conform: " << read.error().message << "\n";
      return 2;
    }
    profile = std::move(read).value();
  }
  if (!args.target.empty()) profile.target = args.target;
  if (!args.profile.empty()) profile.profile = args.profile;
  if (!args.admin_token.empty()) profile.admin_token = args.admin_token;
  if (!args.world.empty()) profile.world = args.world;
  if (!args.tls.ca_file.empty()) profile.ca_file = args.tls.ca_file;
  profile.verify_tls = profile.verify_tls || !args.tls.ca_file.empty() || !args.tls.insecure;
  if (args.tls.insecure) profile.verify_tls = false;
  for (const auto& [k, v] : args.options)
    if (!v.empty()) profile.vars[k] = v;
  // Secrets from the environment rather than the command line (ps shows argv).
  for (const auto& [var, env] : {std::pair{"client_secret", "CONFORM_CLIENT_SECRET"},
                                 std::pair{"second_client_secret", "CONFORM_SECOND_CLIENT_SECRET"}})
    if (!profile.vars.count(var))
      if (const char* value = std::getenv(env)) profile.vars[var] = value;
  if (profile.target != "embedded" && !profile.world.empty()) {
    std::cerr << "pistesim conform: --world is for the embedded target only\n";
    return 2;
  }
  if (std::string why = conformance::profile_error(profile); !why.empty()) {
    std::cerr << "pistesim conform: " << why
              << " (give them as options or in --profile-file; see docs/conformance.md)\n";
    return 2;
  }

  conformance::SuiteOptions selection;
  selection.only = split_ids(args.only);
  selection.skip = split_ids(args.skip);
  for (const auto& l : split_ids(args.levels)) {
    auto level = conformance::parse_level(l);
    if (!level) {
      std::cerr << "pistesim conform: --level « " << l << " »: expected MUST, SHOULD or PISTE\n";
      return 2;
    }
    selection.levels.push_back(*level);
  }

  if (args.check_paths.empty()) {
    auto shipped = shipped_path("conformance/checks");
    if (!shipped) {
      std::cerr << "pistesim conform: no check given and the shipped checks are unavailable: "
                << shipped.error().message << "\n";
      return 2;
    }
    args.check_paths.push_back(*shipped);
  }
  auto loaded = conformance::load_checks(args.check_paths);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::cerr << e << "\n";
    std::cerr << "pistesim conform: " << loaded.errors.size()
              << " error(s) in the check files; nothing ran\n";
    return 2;
  }
  if (auto unknown = conformance::unknown_ids(loaded.checks, selection); !unknown.empty()) {
    std::cerr << "pistesim conform: no check named";
    for (const auto& id : unknown) std::cerr << " " << id;
    std::cerr << "\n";
    return 2;
  }
  if (args.list) {
    for (const auto& c : loaded.checks) {
      std::cout << c.id << "\t" << conformance::to_string(c.level) << "\t" << c.source << "\t"
                << c.scenario.name;
      if (!c.profiles.empty()) {
        std::cout << "\t[";
        for (size_t i = 0; i < c.profiles.size(); ++i) std::cout << (i ? "," : "") << c.profiles[i];
        std::cout << "]";
      }
      std::cout << "\n";
    }
    return 0;
  }

  // Report files are checked before anything runs: a typo must not cost a whole run.
  std::vector<std::pair<std::string, std::unique_ptr<std::ofstream>>> files;
  auto specs = parse_report_specs(args.reports, /*stdout_allowed=*/false);
  if (!specs) {
    std::cerr << "pistesim conform: " << specs.error().message << "\n";
    return 2;
  }
  for (const auto& [format, path] : *specs) {
    auto file = std::make_unique<std::ofstream>(path);
    if (!*file) {
      std::cerr << "pistesim conform: --report " << format << "=" << path << ": cannot write "
                << path << "\n";
      return 2;
    }
    files.emplace_back(format, std::move(file));
  }

  const char* term = std::getenv("TERM");
  const bool color = args.color == "always" || (args.color == "auto" && isatty(STDOUT_FILENO) &&
                                                std::getenv("NO_COLOR") == nullptr &&
                                                !(term != nullptr && std::string(term) == "dumb"));
  // A target not set up for the profile (another world, a wrong secret or URL) would fail
  // dozens of checks for one reason: say that reason once, and run nothing.
  std::string preflight_line;
  if (!args.no_preflight) {
    // The remedy names the conformance world where this binary finds it (data_dir.h).
    auto shipped_world = shipped_path("conformance/world.toml");
    const std::string world_file = shipped_world ? *shipped_world : "conformance/world.toml";
    auto pre = conformance::preflight(profile, world_file);
    if (!pre.ok) {
      std::cerr << "pistesim conform: preflight failed, no check ran: " << pre.problem
                << "\n  remedy: " << pre.remedy << "\n";
      return 2;
    }
    preflight_line = "Preflight: " + pre.summary + "\n";
  }
  std::cout << "Conformance of " << profile.target << " (profile " << profile.profile << ")\n"
            << preflight_line << conformance::table_header() << std::flush;
  // A shared pistesim outlives the run: its clock goes back to where the checks found it, after
  // the run under load too, whatever the verdicts.
  std::optional<scenario::TargetClock> clock;
  if (!args.keep_clock && profile.target != "embedded") {
    scenario::TargetOptions where;
    where.url = profile.target;
    where.admin_token = profile.admin_token;
    where.control = profile.control();
    where.verify_tls = profile.verify_tls;
    where.ca_file = profile.ca_file;
    clock.emplace(where);
    if (!clock->note().empty()) std::cerr << "pistesim conform: " << clock->note() << "\n";
  }
  selection.on_check = [&](const conformance::CheckResult& r) {
    conformance::write_check_line(std::cout, r, color);
    std::cout << std::flush;
  };
  auto suite = conformance::run_suite(loaded.checks, profile, selection);
  selection.on_check = nullptr;
  std::ostringstream table;
  conformance::write_table_report(table, suite, color);
  // The table was printed live: print the failures and the summary only.
  std::string text = table.str();
  size_t after_table = text.find("\nFailures:\n");
  if (after_table == std::string::npos) after_table = text.rfind("\n", text.size() - 2);
  std::cout << text.substr(after_table);

  int code = suite.exit_code();
  if (args.concurrency > 0) {
    conformance::LoadOptions load{args.concurrency, args.repeat};
    auto report = conformance::run_under_load(loaded.checks, profile, suite, load);
    std::cout << report.summary() << "\n";
    if (!report.ok() && code == 0) code = 1;
  }
  if (clock)
    if (std::string said = clock->restore(); !said.empty())
      std::cerr << "pistesim conform: " << said << "\n";
  for (auto& [format, file] : files) {
    if (format == "junit")
      conformance::write_junit(*file, suite);
    else if (format == "tap")
      conformance::write_tap(*file, suite);
    else if (format == "html")
      conformance::write_html(*file, suite);
    else
      conformance::write_json(*file, suite);
    file->flush();
    if (!*file) {
      std::cerr << "pistesim conform: writing the " << format << " report failed\n";
      code = 2;
    }
  }
  return code;
}

}  // namespace

void add_conform_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ConformArgs>();
  CLI::App* cmd = app.add_subcommand(
      "conform",
      "Run the RFC 6749/6750 and PISTE conformance checks (docs/conformance.md) against the "
      "embedded simulator, a running pistesim or any OAuth 2.0 server. Exit 0 no MUST check "
      "failed, 1 one did, 2 a check could not run, the target is not set up for the profile "
      "(preflight) or a usage error");
  cmd->add_option("checks", args->check_paths,
                  "Check files or directories; default: the shipped conformance/checks");
  cmd->add_option("--target", args->target,
                  "embedded (default) or the server's base URL (http(s)://host:port)");
  cmd->add_option("--profile-file", args->profile_file,
                  "TOML target profile (conformance/profiles/*.toml); options given here win")
      ->check(CLI::ExistingFile);
  cmd->add_option("--profile", args->profile, "The behaviour the target declares")
      ->check(CLI::IsMember({"piste", "rfc"}));
  for (const auto& [name, var, help] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"--token-url", "token_url", "The token endpoint's URL"},
           {"--api-url", "api_base", "The protected resources' base URL"},
           {"--client-id", "client_id", "A confidential client allowed client credentials"},
           {"--client-secret", "client_secret",
            "Its secret (or CONFORM_CLIENT_SECRET in the environment)"},
           {"--second-client-id", "second_client_id", "A second confidential client"},
           {"--second-client-secret", "second_client_secret",
            "Its secret (or CONFORM_SECOND_CLIENT_SECRET)"},
           {"--special-client-id", "special_client_id",
            "A client whose id or secret holds : % & + or a space (B2)"},
           {"--special-client-secret", "special_client_secret", "Its secret"},
           {"--public-client-id", "public_client_id",
            "A client not allowed client credentials (B10)"},
           {"--application", "application",
            "pistesim targets: the client's application id (quota checks)"},
           {"--allowed-path", "allowed_path", "An API path (under --api-url) the client may call"},
           {"--forbidden-path", "forbidden_path",
            "An API path the client's token does not grant (F6)"}})
    cmd->add_option(name, args->options[var], help);
  cmd->add_option("--admin-token", args->admin_token,
                  "A pistesim target's admin token: enables the checks that need its control API");
  cmd->add_option("--world", args->world, "Embedded target: the world file")
      ->check(CLI::ExistingFile);
  add_tls_client_options(cmd, &args->tls);
  cmd->add_option("--only", args->only, "Run only these checks (A1,B5; repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--skip", args->skip, "Do not run these checks (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--level", args->levels, "Run only checks of these levels (MUST,SHOULD,PISTE)")
      ->allow_extra_args(false);
  add_report_option(cmd, &args->reports, /*stdout_allowed=*/false);
  cmd->add_option("--color", args->color, "Colour the table")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--list", args->list, "List the checks without running them");
  cmd->add_flag("--keep-clock", args->keep_clock,
                "A pistesim target: leave its clock where the checks moved it (by default it is "
                "put back to where the run found it)");
  cmd->add_flag("--no-preflight", args->no_preflight,
                "Run the checks without first checking that the client obtains a token and the "
                "API paths exist (for a server whose answers the preflight misreads)");
  cmd->add_option("--concurrency", args->concurrency,
                  "Then repeat the token-endpoint checks from N connections at once")
      ->check(CLI::Range(size_t{1}, size_t{64}));
  cmd->add_option("--repeat", args->repeat, "Rounds per connection under --concurrency")
      ->check(CLI::Range(size_t{1}, size_t{10000}));
  cmd->callback([args, &exit_code] { exit_code = conform(*args); });
}

}  // namespace pistesim::cli
