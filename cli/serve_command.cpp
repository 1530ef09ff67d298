#include <signal.h>
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>
#include <thread>

#include "cluster/cluster_simulator.h"
#include "commands.h"
#include "core/simulator.h"
#include "host_ports.h"
#include "http/http_server.h"
#include "server_info.h"
#include "store/durable_simulator.h"
#include "wire/authorization.h"
#include "world/default_world.h"

namespace pistesim::cli {

namespace {

// What `serve` takes beyond the options every subcommand shares (commands.h).
struct ServeSettings : ServeArgs {
  std::string state;          // empty: state in memory only
  std::string cluster;        // empty: not a cluster node
  int64_t quota_lease = 1;    // quota permits a cluster node takes at once
  size_t answer_threads = 0;  // 0: on the loops (on fibers with --cluster)
  bool no_control = false;
  size_t max_tokens_per_client = TokenStore::kDefaultMaxLivePerClient;
  HttpServerOptions limits;  // the limit fields only (size, time, connections)
  std::string log_format = "text";
  bool quiet = false;
  HostPortArgs host_ports;
};

int print_world_errors(LogFormat format, const WorldLoadResult& loaded) {
  for (const auto& e : loaded.errors) write_server_message(format, "error", e.to_string());
  write_server_message(format, "error",
                       std::to_string(loaded.errors.size()) + " error(s) in the world file");
  return 2;
}

int serve(const ServeSettings& args) {
  // CLI11 checked the name: only "text" and "json" get here.
  const LogFormat format = parse_log_format(args.log_format).value_or(LogFormat::Text);
  auto fail = [format](const std::string& message) {
    write_server_message(format, "error", message);
    return 2;
  };
  auto say = [format](const std::string& message) {
    write_server_message(format, "info", message);
  };
  auto profile = parse_profile(args.profile);
  if (!profile) {
    return fail("--profile: expected piste or rfc, got " + args.profile);
  }
  if (args.tls_cert.empty() != args.tls_key.empty()) {
    return fail("--tls-cert and --tls-key go together");
  }
  // The token travels as "Authorization: Bearer <token>": it must be a b64token (RFC 6750 §2.1).
  if (!args.admin_token.empty() && !parse_bearer("Bearer " + args.admin_token)) {
    return fail("--admin-token: use letters, digits and - . _ ~ + / (then '=' padding) only");
  }
  auto asked_ports = host_ports_of(args.host_ports, args.port);
  if (!asked_ports) return fail(asked_ports.error().message);
  std::vector<HostPort> host_ports = std::move(asked_ports).value();
  std::optional<RedisAddress> cluster;
  if (!args.cluster.empty()) {
    if (!args.state.empty())
      return fail(
          "--cluster and --state go separately: a cluster keeps its state in Redis (make it "
          "durable with Redis persistence, docs/cluster.md)");
    Result<RedisAddress> address = parse_redis_url(args.cluster);
    if (!address) return fail(address.error().message);
    cluster = std::move(*address);
  } else if (args.quota_lease != 1) {
    return fail("--quota-lease is for cluster nodes (--cluster): one node counts in memory");
  }
  WorldLoadResult loaded = load_world(args.world);
  if (!loaded.ok()) return print_world_errors(format, loaded);

  // SIGINT/SIGTERM are waited for by a thread of our own, so shutdown runs outside a signal
  // handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // With --state, the simulator resumes from the file (or starts it from the world).
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<ClusterStore> cluster_store;
  std::unique_ptr<Simulator> owned;
  SimulatorOptions sim_options{*profile, args.admin_token};
  sim_options.max_live_tokens_per_client = args.max_tokens_per_client;
  auto clock = std::make_shared<SystemClock>();
  try {
    if (cluster) {
      // Caught up with the cluster before listening: ready means up to date.
      cluster_store = std::make_unique<ClusterStore>(*cluster);
      cluster_store->set_quota_lease(args.quota_lease);
      World world = loaded.world;
      ClusterSimulator node =
          open_cluster_simulator(*cluster_store, std::move(loaded.world), sim_options, clock);
      owned = std::move(node.simulator);
      if (node.created)
        say("started cluster " + cluster->url());
      else
        say("joined cluster " + cluster->url() + " at world version " +
            std::to_string(cluster_store->applied_version()) +
            (!args.world.empty() && !(owned->initial_world() == world)
                 ? " (it holds its own world; --world " + args.world + " is not used)"
                 : ""));
    } else if (args.state.empty()) {
      owned = std::make_unique<Simulator>(std::move(loaded.world), sim_options, clock);
    } else {
      store = std::make_unique<SqliteStore>(args.state);
      const bool had_world = store->restored().world.has_value();
      if (had_world && !args.world.empty() && !(*store->restored().initial_world == loaded.world))
        say(args.state + " holds its own world; --world " + args.world +
            " is not used (start from a new state file to use it)");
      owned = open_durable_simulator(*store, std::move(loaded.world), sim_options, clock).simulator;
      if (had_world) say("resumed from " + args.state);
    }
  } catch (const StoreError& e) {
    return fail(e.what());
  }
  Simulator& sim = *owned;
  HttpServerOptions options;
  options.host = args.host;
  options.port = args.port;
  options.tls_cert = args.tls_cert;
  options.tls_key = args.tls_key;
  options.threads = args.threads;
  // A cluster node's answers wait on Redis round trips (docs/cluster.md): on fibers, a waiting
  // answer costs neither a thread nor its loop's time.
  options.answer_threads = args.answer_threads;
  options.fibers = cluster.has_value();
  options.access_log = args.access_log;
  options.log_format = format;
  options.control_api = !args.no_control;
  options.max_connections = args.limits.max_connections;
  options.max_connections_per_client = args.limits.max_connections_per_client;
  options.header_timeout_s = args.limits.header_timeout_s;
  options.request_timeout_s = args.limits.request_timeout_s;
  options.keep_alive_timeout_s = args.limits.keep_alive_timeout_s;
  options.host_ports = std::move(host_ports);
  HttpServer server(sim, options);
  if (Result<void> bound = server.bind(); !bound) return fail(bound.error().message);
  if (!server.notice().empty()) say(server.notice());
  sim.set_public_url(server.base_url());  // links in e-mails point here
  server.start();
  std::map<Endpoint, std::string> host_urls;
  for (const HostPort& h : server.host_ports()) host_urls[h.endpoint] = server.host_url(h.endpoint);
  nlohmann::json info = server_info(sim, server.base_url(), host_urls);
  if (cluster) info["cluster"] = cluster->url();  // the Redis this node shares its PISTE through
  if (!args.info_file.empty())
    if (auto written = write_info_file(args.info_file, info); !written) {
      server.stop();
      return fail(written.error().message);
    }
  // A log collector reads the addresses from the JSON lines; a person from the banner.
  if (args.quiet || format == LogFormat::Json) {
    say("serving on " + server.base_url());
    for (const auto& [endpoint, url] : host_urls)
      say(std::string(piste_host(endpoint)) + " on " + url);
  }
  if (!args.quiet) {
    std::cout
        << describe_server(info)
        << (args.access_log
                ? ""
                : "\n  --access-log prints one line per request with the reason of each refusal.")
        << "\n  Ctrl-C stops the server.\n"
        << std::flush;
  }

  int sig = 0;
  sigwait(&signals, &sig);
  say(std::string(sig == SIGINT ? "SIGINT" : "SIGTERM") +
      " received, finishing in-flight requests");
  server.stop();
  if (!args.info_file.empty()) std::remove(args.info_file.c_str());
  // Detached before the store closes; every acknowledged change is already on disk, closing
  // folds the WAL back into the file.
  sim.attach_store(nullptr);
  owned.reset();
  store.reset();
  cluster_store.reset();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServeSettings>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve the four PISTE endpoints (sandbox/production × OAuth/API) and the control API");
  cmd->add_option("--host", args->host, "Address to bind (default: loopback only)")
      ->capture_default_str();
  cmd->add_option("--port", args->port, "Port; 0 takes a free port")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--world", args->world,
                  "World file (default: the embedded fixtures/piste-default.toml)");
  cmd->add_option("--tls-cert", args->tls_cert, "PEM certificate: serve HTTPS")
      ->check(CLI::ExistingFile);
  cmd->add_option("--tls-key", args->tls_key, "PEM private key of --tls-cert")
      ->check(CLI::ExistingFile);
  cmd->add_option("--profile", args->profile,
                  "piste (faithful to PISTE) or rfc (strict RFC 6749/6750)")
      ->capture_default_str();
  cmd->add_option(
      "--info-file", args->info_file,
      "Once listening, write a JSON file with the base URLs, admin token and demo credentials");
  cmd->add_option("--admin-token", args->admin_token, "Control API token (default: a random one)");
  cmd->add_option("--threads", args->threads,
                  "Event loops, each a thread serving its share of the connections (default: one "
                  "per core)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--state", args->state,
                  "SQLite file holding the simulator's state across restarts (created if absent, "
                  "mode 0600: it holds secrets and live tokens)");
  cmd->add_option("--cluster", args->cluster,
                  "Be one node of a cluster sharing one PISTE through Redis: redis://HOST:PORT/DB "
                  "(docs/cluster.md)");
  cmd->add_option("--quota-lease", args->quota_lease,
                  "With --cluster: the most quota permits this node takes from Redis at once "
                  "(default 1: every call counted there; more saves round trips, and may leave "
                  "up to that many minus one unspent in a window: docs/cluster.md)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  cmd->add_option("--answer-threads", args->answer_threads,
                  "Threads answering requests off the event loops (default 0: on the loops; "
                  "with --cluster each answer runs on a fiber of its loop, which Redis round "
                  "trips suspend rather than block)")
      ->check(CLI::Range(0, 1024));
  cmd->add_flag("--no-control", args->no_control,
                "Disable the control API: /__pistesim/* answers 404 (health and ready stay)");
  cmd->add_option("--max-connections", args->limits.max_connections,
                  "Simultaneous connections; more are answered 503 at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--max-tokens-per-client", args->max_tokens_per_client,
                  "Live access tokens one OAuth client may hold; one more makes its oldest expire "
                  "(0: no limit)")
      ->capture_default_str();
  cmd->add_option("--max-connections-per-client", args->limits.max_connections_per_client,
                  "Simultaneous connections from one client address; more are answered 503")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--header-timeout", args->limits.header_timeout_s,
                  "Seconds a request head may take to arrive (slower: 408, connection closed)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--request-timeout", args->limits.request_timeout_s,
                  "Seconds a request body may take to arrive")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--idle-timeout", args->limits.keep_alive_timeout_s,
                  "Seconds an idle keep-alive connection stays open")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_flag(
      "--access-log", args->access_log,
      "Log one line per request on stderr, with the reason of each refusal (never secrets)");
  cmd->add_option("--log-format", args->log_format,
                  "text, or json: one JSON object per line on stderr (messages and access log)")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  add_host_port_options(cmd, &args->host_ports);
  cmd->add_flag("--quiet", args->quiet,
                "No banner on stdout (CI): one line on stderr says where it serves; read the "
                "rest from --info-file");
  cmd->callback([args, &exit_code] { exit_code = serve(*args); });
}

}  // namespace pistesim::cli
