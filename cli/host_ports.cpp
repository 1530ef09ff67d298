#include "host_ports.h"

#include <CLI/CLI.hpp>

#include "core/simulator.h"

namespace pistesim::cli {

namespace {

constexpr std::array<Endpoint, 4> kHosts = {Endpoint::SandboxOAuth, Endpoint::SandboxApi,
                                            Endpoint::ProductionOAuth, Endpoint::ProductionApi};
constexpr std::array<const char*, 4> kOptions = {"--sandbox-oauth-port", "--sandbox-api-port",
                                                 "--production-oauth-port",
                                                 "--production-api-port"};

}  // namespace

void add_host_port_options(CLI::App* cmd, HostPortArgs* args) {
  const char* group = "PISTE host ports";
  cmd->add_option("--host-ports", args->base,
                  "Also listen on BASE, BASE+1, BASE+2, BASE+3 for sandbox-oauth, sandbox-api, "
                  "oauth and api.piste.gouv.fr, each answering PISTE's paths without prefix "
                  "(0: four free ports, listed in the banner and --info-file)")
      ->group(group)
      ->check(CLI::Range(0, 65532));
  for (size_t i = 0; i < kHosts.size(); ++i)
    cmd->add_option(kOptions[i], args->each[i],
                    "Port for " + std::string(piste_host(kHosts[i])) +
                        " (0: a free port); overrides --host-ports for this host")
        ->group(group)
        ->check(CLI::Range(0, 65535));
}

Result<std::vector<HostPort>> host_ports_of(const HostPortArgs& args, int main_port) {
  std::vector<HostPort> ports;
  for (size_t i = 0; i < kHosts.size(); ++i) {
    int port = args.each[i];
    if (port < 0 && args.base >= 0) port = args.base == 0 ? 0 : args.base + static_cast<int>(i);
    if (port < 0) continue;
    const std::string name = args.each[i] >= 0 ? kOptions[i] : "--host-ports";
    if (port != 0 && port == main_port)
      return Error{name + ": port " + std::to_string(port) + " is already --port's"};
    for (const HostPort& other : ports)
      if (port != 0 && other.port == port)
        return Error{name + ": port " + std::to_string(port) + " is given to both " +
                     std::string(piste_host(other.endpoint)) + " and " +
                     std::string(piste_host(kHosts[i]))};
    ports.push_back(HostPort{kHosts[i], port, 0});
  }
  return ports;
}

}  // namespace pistesim::cli
