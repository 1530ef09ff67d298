// `pistesim load`: drive the token endpoint and the gateway of the embedded simulator (or of a
// running pistesim, or of any HTTP server with --plain), verify quotas and protocol under load,
// report latency and throughput. `pistesim load merge`: join the JSON results of several load
// processes that split one workload, and verify the whole. Exit codes: 0 passed, 1 a check or a
// threshold failed, 2 usage or input error.
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <tuple>

#include "commands.h"
#include "crypto/secrets.h"
#include "data_dir.h"
#include "loadgen/reports.h"
#include "loadgen/runner.h"
#include "loadgen/target.h"
#include "loadgen/workload.h"
#include "report_options.h"
#include "scenario_engine/reporters/case_report.h"

namespace pistesim::cli {

namespace {

using namespace pistesim::loadgen;

struct LoadArgs {
  std::string workload;
  std::string old_profile;           // --profile, refused: it is --workload now
  std::vector<std::string> targets;  // none: embedded; several: nodes of one PISTE
  std::string use_applications;
  bool token_per_node = false;
  std::string admin_token;
  TlsClientArgs tls;
  std::string plain;  // path for --plain
  std::string plain_method = "GET", plain_body, plain_content_type;
  std::string world;
  std::string sim_profile = "piste";
  std::string duration, ramp;
  double rate = -1, start_rate = -1;
  size_t apps = 0;
  std::string quota;
  std::string kind = "api";
  bool closed = false;
  size_t connections = 0, threads = 0;
  std::string shard;
  std::vector<std::string> reports;  // --report FORMAT=PATH
  std::string json_out, html_out;    // --json, --html: deprecated spellings of --report
  bool progress = false;
  std::string max_p99;
  double min_rate = -1;
  std::string run_id;
  std::vector<std::string> merge_inputs;
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Nanos duration_arg(const std::string& text, const char* option) {
  if (text == "0") return 0;  // a zero needs no unit
  Millis ms = parse_duration_ms(text);
  if (ms < 0) throw UsageError(std::string(option) + ": bad duration '" + text + "' (e.g. 30s)");
  return ms * 1000000;
}

// "2ms", "500us", "1.5ms", "1s".
int64_t latency_arg(const std::string& text) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::logic_error&) {
    throw UsageError("--max-p99: bad latency '" + text + "' (e.g. 2ms)");
  }
  std::string unit = text.substr(used);
  double scale = unit == "ns"   ? 1
                 : unit == "us" ? 1e3
                 : unit == "ms" ? 1e6
                 : unit == "s"  ? 1e9
                                : -1;
  if (scale < 0 || v < 0)
    throw UsageError("--max-p99: bad latency '" + text + "' (units ns, us, ms, s)");
  return static_cast<int64_t>(v * scale);
}

// A ramp longer than the run, with where each value came from and the remedies. Refused rather
// than cut short: a run's shape is what its figures and verdict mean.
std::string ramp_longer_than_run(const LoadArgs& a, const Workload& w) {
  const std::string ramp = format_duration(w.ramp), duration = format_duration(w.duration);
  const std::string profile = "workload '" + w.name + "'";
  std::string ramp_from =
      a.ramp.empty() ? "the ramp of " + profile + " (" + ramp + ")" : "--ramp " + a.ramp;
  std::string duration_from = !a.duration.empty() ? "--duration " + a.duration
                              : a.workload.empty()
                                  ? "the default duration (" + duration + ")"
                                  : "the duration of " + profile + " (" + duration + ")";
  return ramp_from + " is longer than " + duration_from +
         ": the run would end before reaching its full rate. Give a --duration of at least " +
         ramp + ", or a shorter --ramp (--ramp 0 for none)";
}

Workload build_workload(const LoadArgs& a) {
  Workload w;
  if (!a.workload.empty()) {
    if (a.rate >= 0 || a.start_rate >= 0 || a.apps || !a.quota.empty() || !a.plain.empty())
      throw UsageError(
          "--rate, --start-rate, --apps, --quota and --plain describe a command-line workload; "
          "with --workload, edit the workload file instead");
    // The shipped profiles are in the data directory (data_dir.h); without one, a profile is
    // still found by path or in PISTESIM_PROFILES_DIR.
    const auto shipped = shipped_path("loadgen/profiles");
    try {
      w = load_profile_file(
          find_profile(a.workload, default_profile_dirs(shipped ? *shipped : std::string())));
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what() + (shipped ? "" : " (" + shipped.error().message + ")"));
    }
  } else {
    ApplicationGroup g;
    size_t apps = a.apps ? a.apps : 10;
    double rate = a.rate >= 0 ? a.rate : 25.0 * static_cast<double>(apps);
    if (!(rate > 0) && !a.closed) throw UsageError("--rate must be positive");
    if (!a.plain.empty()) {
      // Streams, not applications: as many as threads so that every thread sends.
      g.name = "plain";
      apps = a.apps ? a.apps : (a.threads ? a.threads : 2);
      MixEntry m;
      m.kind = RequestKind::Plain;
      m.method = a.plain_method;
      m.path = a.plain;
      m.body = a.plain_body;
      m.content_type = a.plain_content_type;
      if (m.content_type.empty() && !m.body.empty())
        m.content_type = "application/x-www-form-urlencoded";
      w.mix = {m};
      w.name = "plain " + m.method + " " + a.plain;
    } else {
      g.name = "prod";
      g.channel = Channel::Production;
      w.mix = default_mix();
      if (a.kind == "token") {
        w.mix.front().kind = RequestKind::Token;
      } else if (a.kind != "api") {
        throw UsageError("--kind must be api (gateway calls) or token (token requests)");
      }
      w.name = "command-line (" + a.kind + ")";
    }
    g.count = apps;
    g.rate = rate / static_cast<double>(apps);
    if (a.start_rate >= 0) {
      if (a.ramp.empty()) throw UsageError("--start-rate is where a ramp starts: give --ramp too");
      g.start_rate = a.start_rate / static_cast<double>(apps);
    }
    if (!a.quota.empty()) {
      // "20/1s"
      size_t slash = a.quota.find('/');
      QuotaSpec q;
      try {
        if (slash == std::string::npos) throw std::invalid_argument("");
        size_t used = 0;
        q.limit = std::stoll(a.quota.substr(0, slash), &used);
        if (used != slash) throw std::invalid_argument("");
      } catch (const std::logic_error&) {
        throw UsageError("--quota: expected LIMIT/WINDOW such as 20/1s");
      }
      auto window = parse_quota_window(a.quota.substr(slash + 1));
      if (!window || q.limit < 1 || q.limit > kMaxQuotaLimit)
        throw UsageError("--quota: expected LIMIT/WINDOW such as 20/1s (window 1s or 1d)");
      q.window = *window;
      g.quota = q;
    }
    w.groups = {g};
  }
  if (!a.duration.empty()) w.duration = duration_arg(a.duration, "--duration");
  if (!a.ramp.empty()) w.ramp = duration_arg(a.ramp, "--ramp");
  if (a.closed) w.model = LoadModel::Closed;
  if (a.connections) w.connections = a.connections;
  if (a.threads) w.threads = a.threads;
  if (!a.shard.empty()) {
    size_t slash = a.shard.find('/');
    try {
      if (slash == std::string::npos) throw std::invalid_argument("");
      size_t k = std::stoul(a.shard.substr(0, slash)), n = std::stoul(a.shard.substr(slash + 1));
      if (k < 1 || k > n) throw std::invalid_argument("");
      w.shard_index = k - 1;
      w.shard_count = n;
    } catch (const std::logic_error&) {
      throw UsageError("--shard: expected K/N with 1 <= K <= N, e.g. 1/2");
    }
  }
  if (w.ramp > w.duration) throw UsageError(ramp_longer_than_run(a, w));
  if (std::string why = w.validate(); !why.empty()) throw UsageError(why);
  return w;
}

Thresholds thresholds_of(const LoadArgs& a) {
  Thresholds t;
  if (!a.max_p99.empty()) t.max_p99_ns = latency_arg(a.max_p99);
  t.min_rate = a.min_rate;
  return t;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "pistesim load: cannot write " << path << "\n";
    return false;
  }
  return true;
}

// A report asked for, with the spelling the user gave (for messages).
struct LoadReport {
  ReportSpec spec;
  std::string given;  // "--report junit=x.xml", or the deprecated "--json"
};

// --report specs, then the deprecated --json/--html (each saying its new spelling once).
std::vector<LoadReport> reports_of(const LoadArgs& a, std::string_view command) {
  auto specs = parse_report_specs(a.reports, /*stdout_allowed=*/false);
  if (!specs) throw UsageError(specs.error().message);
  std::vector<LoadReport> out;
  for (auto& s : *specs) out.push_back({s, "--report " + s.format + "=" + s.path});
  for (const auto& [option, format, path] :
       {std::tuple<const char*, const char*, const std::string&>{"--json", "json", a.json_out},
        {"--html", "html", a.html_out}}) {
    if (path.empty()) continue;
    warn_deprecated(command, option, "--report " + std::string(format) + "=" + path);
    out.push_back({{format, path}, option});
  }
  // A report path that cannot be written is refused before the run, not after it.
  for (const auto& r : out)
    if (!report_path_writable(r.spec.path))
      throw UsageError(r.given + ": cannot write " + r.spec.path +
                       " (checked before the run: no such directory, or not writable)");
  return out;
}

// The verdict's criteria as the shared report model: one suite named after the workload, one
// case per criterion (quotas held, answers well formed, thresholds).
scenario::CaseReport case_report(const LoadResult& r, const Verdict& v) {
  scenario::CaseReport report;
  report.name = "pistesim load";
  report.title = "pistesim load: " + r.workload;
  report.summary = r.workload + " against " + r.target + ": " + std::to_string(r.completed) +
                   " requests completed, " + (v.ok() ? "PASSED" : "FAILED");
  report.duration_us = static_cast<int64_t>(r.duration_s * 1e6);
  scenario::ReportSuite suite{"load " + r.workload, {{"target", r.target}, {"model", r.model}}, {}};
  for (const auto& check : v.checks) {
    scenario::ReportCase c;
    c.classname = "load";
    c.name = check.name;
    c.outcome = check.ok ? scenario::Outcome::Passed : scenario::Outcome::Failed;
    if (check.ok)
      c.output = check.detail;
    else
      c.message = check.detail;
    suite.cases.push_back(std::move(c));
  }
  report.suites.push_back(std::move(suite));
  return report;
}

int finish(const LoadResult& result, const std::vector<LoadReport>& reports,
           const Thresholds& thresholds) {
  Verdict v = verify(result, thresholds);
  std::cout << text_summary(result, v);
  bool written = true;
  for (const auto& r : reports) {
    std::ostringstream text;
    if (r.spec.format == "json") {
      text << report_json(result, v).dump(1);
    } else if (r.spec.format == "html") {
      text << html_report(result, v);
    } else if (r.spec.format == "junit") {
      scenario::write_junit(text, case_report(result, v));
    } else {
      scenario::write_tap(text, case_report(result, v));
    }
    written = write_file(r.spec.path, text.str()) && written;
  }
  if (!written) return 2;
  return v.ok() ? 0 : 1;
}

int run_load_command(const LoadArgs& a) {
  try {
    if (!a.old_profile.empty())
      throw UsageError("--profile is now --workload (--workload " + a.old_profile +
                       "); the embedded simulator's piste or rfc answers are --sim-profile");
    const Thresholds thresholds = thresholds_of(a);  // usage errors before any work
    const std::vector<LoadReport> reports = reports_of(a, "load");
    Workload w = build_workload(a);
    std::unique_ptr<LoadTarget> target;
    TlsClientOptions tls;
    tls.verify = !a.tls.insecure;
    tls.ca_file = a.tls.ca_file;
    if ((a.tls.insecure || !a.tls.ca_file.empty()) &&
        (a.targets.empty() || !a.targets.front().starts_with("https://")))
      throw UsageError("--insecure and --ca-file are for an https:// --target");
    if ((!a.use_applications.empty() || a.token_per_node) &&
        (a.targets.empty() || !a.plain.empty()))
      throw UsageError("--use-applications and --token-per-node are for a pistesim --target");
    if (a.token_per_node && a.targets.size() < 2)
      throw UsageError("--token-per-node is for several --target (independent nodes)");
    try {
      if (!a.plain.empty()) {
        if (a.targets.empty()) throw UsageError("--plain needs --target URL");
        if (a.targets.size() > 1) throw UsageError("--plain drives one --target");
        target = plain_target(w, a.targets.front(), tls);
      } else if (a.targets.empty()) {
        EmbeddedOptions o;
        o.world_path = a.world;
        if (a.sim_profile != "piste" && a.sim_profile != "rfc")
          throw UsageError("--sim-profile must be piste or rfc");
        o.profile = a.sim_profile == "rfc" ? Profile::Rfc : Profile::Piste;
        target = start_embedded_target(w, o);
      } else {
        std::string admin = a.admin_token;
        if (admin.empty())
          if (const char* env = std::getenv("PISTESIM_ADMIN_TOKEN")) admin = env;
        RemoteOptions o;
        o.admin_token = admin;
        o.run_id = a.run_id.empty() ? random_hex(3) : a.run_id;
        o.tls = tls;
        o.use_applications = a.use_applications;
        o.token_per_node = a.token_per_node;
        target = connect_remote_targets(w, a.targets, o);
      }
    } catch (const UsageError&) {
      throw;
    } catch (const std::runtime_error& e) {
      std::cerr << "pistesim load: " << e.what() << "\n";
      return 2;
    }
    RunOptions options;
    const bool tty = ::isatty(2);
    if (a.progress || tty) {
      const double offered = w.model == LoadModel::Open ? w.offered_rate() : 0;
      options.on_progress = [tty, offered](const Progress& p) {
        if (tty)
          std::cerr << "\r" << progress_line(p, offered) << "\033[K" << std::flush;
        else
          std::cerr << progress_line(p, offered) << "\n";
      };
    }
    std::cerr << "pistesim load: " << w.name << " against " << target->info().label << ", "
              << target->info().apps.size() << " applications, "
              << static_cast<double>(w.duration) / 1e9 << " s";
    if (w.ramp > 0 && w.model == LoadModel::Open)
      std::cerr << ", ramping over " << static_cast<double>(w.ramp) / 1e9 << " s from "
                << w.offered_start_rate() << "/s to " << w.offered_rate() << "/s";
    std::cerr << "\n";
    LoadResult result = run_load(w, target->info(), options);
    if (options.on_progress && tty) std::cerr << "\n";
    target.reset();
    return finish(result, reports, thresholds);
  } catch (const UsageError& e) {
    std::cerr << "pistesim load: " << e.what() << "\n";
    return 2;
  } catch (const std::runtime_error& e) {
    std::cerr << "pistesim load: " << e.what() << "\n";
    return 2;
  }
}

int run_merge_command(const LoadArgs& a) {
  try {
    const Thresholds thresholds = thresholds_of(a);
    const std::vector<LoadReport> reports = reports_of(a, "load merge");
    LoadResult merged;
    for (const auto& path : a.merge_inputs) {
      std::ifstream in(path, std::ios::binary);
      if (!in) throw UsageError(path + ": cannot read");
      std::ostringstream text;
      text << in.rdbuf();
      auto j = nlohmann::json::parse(text.str(), nullptr, false);
      if (j.is_discarded()) throw UsageError(path + ": not JSON");
      LoadResult part;
      try {
        part = LoadResult::from_json(j);
      } catch (const std::invalid_argument& e) {
        throw UsageError(path + ": " + e.what());
      }
      if (!merged.workload.empty() && part.workload != merged.workload)
        throw UsageError(path + ": a result of workload '" + part.workload + "', not '" +
                         merged.workload + "': only shares of one workload merge");
      merged.merge(part);
    }
    return finish(merged, reports, thresholds);
  } catch (const UsageError& e) {
    std::cerr << "pistesim load merge: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace

void add_load_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<LoadArgs>();
  CLI::App* cmd = app.add_subcommand(
      "load",
      "Drive load at the token endpoint and the gateway, verify quotas and protocol under load, "
      "report latency and throughput (default target: an embedded simulator on loopback)");
  cmd->add_option(
      "--workload", a->workload,
      "Workload profile: a name from loadgen/profiles (e.g. production-1000) or a file");
  // The old name of --workload, kept only to say so (--profile means piste or rfc elsewhere).
  cmd->add_option("--profile", a->old_profile, "Renamed --workload")->group("");
  cmd->add_option("--target", a->targets,
                  "A running pistesim (http(s)://host:port) instead of the embedded simulator; "
                  "repeat for the nodes of one cluster: each application's calls go to each node "
                  "in turn, its token from one node used on all, quotas verified over the whole");
  cmd->add_option("--use-applications", a->use_applications,
                  "ID_PREFIX: play --target's own applications whose id starts with this (sorted "
                  "by id) instead of creating applications");
  cmd->add_flag("--token-per-node", a->token_per_node,
                "Several --target that share no tokens (independent nodes of one world file): "
                "each application gets a token from every node");
  add_tls_client_options(cmd, &a->tls);
  cmd->add_option("--admin-token", a->admin_token,
                  "Control API token of --target (default: $PISTESIM_ADMIN_TOKEN)");
  cmd->add_option(
      "--plain", a->plain,
      "Drive any HTTP server at --target with requests to PATH (GET unless --method; no "
      "OAuth, 2xx expected)");
  auto* method = cmd->add_option("--method", a->plain_method, "--plain: the method (default GET)")
                     ->check(CLI::IsMember({"GET", "POST", "PUT", "PATCH", "DELETE"}));
  auto* body = cmd->add_option("--body", a->plain_body, "--plain: the request body");
  auto* content_type = cmd->add_option(
      "--content-type", a->plain_content_type,
      "--plain: the body's Content-Type (default application/x-www-form-urlencoded)");
  for (auto* o : {method, body, content_type}) o->needs("--plain");
  cmd->add_option("--world", a->world, "World file of the embedded simulator");
  cmd->add_option("--sim-profile", a->sim_profile,
                  "Embedded simulator's answers: piste or rfc (what --profile means for serve "
                  "and conform)");
  cmd->add_option("--duration", a->duration, "How long to send (default 10s)");
  cmd->add_option("--ramp", a->ramp,
                  "Ramp the arrival rate linearly from the start rate (default 0) to the full "
                  "rate over this long (open model; 0 for none)");
  cmd->add_option("--rate", a->rate,
                  "Total arrival rate, requests/s (open model; default 25 per app)");
  cmd->add_option("--start-rate", a->start_rate,
                  "Total arrival rate at the start of --ramp, requests/s (default 0)");
  cmd->add_option("--apps", a->apps, "Production applications to play (default 10)");
  cmd->add_option("--quota", a->quota,
                  "Quota of each application, e.g. 20/1s (default: the world's)");
  cmd->add_option("--kind", a->kind,
                  "What the command-line workload sends: api (Légifrance ping, default) or token");
  cmd->add_flag("--closed", a->closed, "Closed model: every connection sends back to back");
  cmd->add_option("--connections", a->connections, "Keep-alive connections (default 64)");
  cmd->add_option("--threads", a->threads, "Event-loop threads (default: one per core, at most 4)");
  cmd->add_option("--shard", a->shard,
                  "K/N: play the K-th of N shares of the applications (merge with `load merge`)");
  add_report_option(cmd, &a->reports, /*stdout_allowed=*/false)
      ->description(
          "Also write a report: FORMAT=PATH, FORMAT json (the result, mergeable, and its "
          "verdict), html (a self-contained page with plots), junit or tap (one case per "
          "criterion of the verdict); repeatable");
  cmd->add_option("--json", a->json_out, "Deprecated: --report json=PATH");
  cmd->add_option("--html", a->html_out, "Deprecated: --report html=PATH");
  cmd->add_flag("--progress", a->progress,
                "Live progress on stderr even when it is not a terminal");
  cmd->add_option("--max-p99", a->max_p99, "Fail (exit 1) when p99 exceeds this, e.g. 2ms");
  cmd->add_option("--min-rate", a->min_rate, "Fail (exit 1) when fewer requests/s completed");
  cmd->add_option("--run-id", a->run_id, "Prefix of the applications created on --target");
  CLI::App* merge = cmd->add_subcommand(
      "merge", "Merge the JSON results of load processes that split one workload, and verify");
  merge->add_option("results", a->merge_inputs, "JSON results of `pistesim load --report json=…`")
      ->required();
  add_report_option(merge, &a->reports, /*stdout_allowed=*/false);
  merge->add_option("--json", a->json_out, "Deprecated: --report json=PATH");
  merge->add_option("--html", a->html_out, "Deprecated: --report html=PATH");
  merge->add_option("--max-p99", a->max_p99, "Fail (exit 1) when p99 exceeds this");
  merge->add_option("--min-rate", a->min_rate, "Fail (exit 1) when fewer requests/s completed");
  merge->callback([a, &exit_code] { exit_code = run_merge_command(*a); });
  cmd->callback([a, cmd, &exit_code] {
    if (cmd->got_subcommand("merge")) return;
    exit_code = run_load_command(*a);
  });
}

}  // namespace pistesim::cli
