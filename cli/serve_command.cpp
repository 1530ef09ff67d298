#include <signal.h>
#include <CLI/CLI.hpp>

#include <iostream>
#include <thread>

#include "commands.h"
#include "core/simulator.h"
#include "http/http_server.h"
#include "server_info.h"
#include "wire/authorization.h"
#include "world/default_world.h"

namespace pistesim::cli {

namespace {

int print_world_errors(const WorldLoadResult& loaded) {
  for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
  std::cerr << loaded.errors.size() << " error(s) in the world file\n";
  return 2;
}

int serve(const ServeArgs& args) {
  auto profile = parse_profile(args.profile);
  if (!profile) {
    std::cerr << "--profile: expected piste or rfc, got " << args.profile << "\n";
    return 2;
  }
  if (args.tls_cert.empty() != args.tls_key.empty()) {
    std::cerr << "--tls-cert and --tls-key go together\n";
    return 2;
  }
  // The token travels as "Authorization: Bearer <token>": it must be a b64token (RFC 6750 §2.1).
  if (!args.admin_token.empty() && !parse_bearer("Bearer " + args.admin_token)) {
    std::cerr << "--admin-token: use letters, digits and - . _ ~ + / (then '=' padding) only\n";
    return 2;
  }
  WorldLoadResult loaded = load_world(args.world);
  if (!loaded.ok()) return print_world_errors(loaded);

  // SIGINT/SIGTERM are waited for by a thread of our own, so shutdown runs outside a signal
  // handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Simulator sim(std::move(loaded.world), SimulatorOptions{*profile, args.admin_token},
                std::make_shared<SystemClock>());
  HttpServerOptions options;
  options.host = args.host;
  options.port = args.port;
  options.tls_cert = args.tls_cert;
  options.tls_key = args.tls_key;
  options.threads = args.threads;
  options.access_log = args.access_log;
  HttpServer server(sim, options);
  std::string error;
  if (!server.bind(&error)) {
    std::cerr << "pistesim serve: " << error << "\n";
    return 2;
  }
  sim.set_public_url(server.base_url());  // links in e-mails point here
  server.start();
  nlohmann::json info = server_info(sim, server.base_url());
  if (!args.info_file.empty() && !write_info_file(args.info_file, info, &error)) {
    std::cerr << "pistesim serve: " << error << "\n";
    server.stop();
    return 2;
  }
  std::cout
      << describe_server(info)
      << (args.access_log
              ? ""
              : "\n  --access-log prints one line per request with the reason of each refusal.")
      << "\n  Ctrl-C stops the server.\n"
      << std::flush;

  int sig = 0;
  sigwait(&signals, &sig);
  std::cerr << "pistesim: " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
            << " received, finishing in-flight requests\n";
  server.stop();
  if (!args.info_file.empty()) std::remove(args.info_file.c_str());
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
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
  cmd->add_option("--threads", args->threads, "Worker threads (default: 8 per core, at least 32)");
  cmd->add_flag(
      "--access-log", args->access_log,
      "Log one line per request on stderr, with the reason of each refusal (never secrets)");
  cmd->callback([args, &exit_code] { exit_code = serve(*args); });
}

}  // namespace pistesim::cli
