// The pistesim subcommands. Each returns the process exit code: 0 success, 1 a check failed,
// 2 usage or input error (ARCHITECTURE.md).
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace pistesim::cli {

struct ServeArgs {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string world;  // empty: the embedded default world
  std::string tls_cert, tls_key;
  std::string profile = "piste";
  std::string info_file;
  std::string admin_token;
  size_t threads = 0;
  bool access_log = false;
};

// How a client command (run, conform, load) verifies an https:// target.
struct TlsClientArgs {
  bool insecure = false;  // --insecure: no certificate verification
  std::string ca_file;    // --ca-file: CA certificates (PEM) to trust instead of the system's
};
void add_tls_client_options(CLI::App* cmd, TlsClientArgs* tls);

void add_serve_command(CLI::App& app, int& exit_code);
void add_demo_command(CLI::App& app, int& exit_code);
void add_world_command(CLI::App& app, int& exit_code);
void add_load_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_conform_command(CLI::App& app, int& exit_code);

}  // namespace pistesim::cli
