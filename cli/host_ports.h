// `pistesim serve --host-ports`: a port of its own for each PISTE host, answering PISTE's paths
// unprefixed, for clients that build their URLs from a host (a token host + /api/oauth/token)
// and cannot take pistesim's path prefixes.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "base/result.h"
#include "http/http_server.h"

namespace CLI {
class App;
}

namespace pistesim::cli {

// -1: not asked for.
struct HostPortArgs {
  int base = -1;  // --host-ports BASE: BASE..BASE+3 (0: four free ports)
  // --sandbox-oauth-port, --sandbox-api-port, --production-oauth-port, --production-api-port
  std::array<int, 4> each = {-1, -1, -1, -1};
};

void add_host_port_options(CLI::App* cmd, HostPortArgs* args);

// The host ports asked for, in the order sandbox OAuth, sandbox API, production OAuth, production
// API (an explicit port wins over --host-ports's). An error when two would share a port or one
// would take `main_port`.
Result<std::vector<HostPort>> host_ports_of(const HostPortArgs& args, int main_port);

}  // namespace pistesim::cli
