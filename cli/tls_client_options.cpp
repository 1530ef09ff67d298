#include <CLI/CLI.hpp>

#include "commands.h"

namespace pistesim::cli {

void add_tls_client_options(CLI::App* cmd, TlsClientArgs* tls) {
  cmd->add_flag("--insecure", tls->insecure, "https target: do not verify its TLS certificate");
  cmd->add_option("--ca-file", tls->ca_file, "https target: CA certificates (PEM) to trust")
      ->check(CLI::ExistingFile);
}

}  // namespace pistesim::cli
