// What a running simulator tells its users: the four PISTE base URLs, the control API, the
// admin token and the demo credentials (WLD-2). Printed by `serve`, written by --info-file.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.h"
#include "core/simulator.h"

namespace pistesim::cli {

// base_url: "http://127.0.0.1:8080"; host_urls: the PISTE host ports' ("http://127.0.0.1:9001"
// for Endpoint::SandboxOAuth), listed as "host_ports".
nlohmann::json server_info(const Simulator& sim, const std::string& base_url,
                           const std::map<Endpoint, std::string>& host_urls = {});
// Human form of server_info for the terminal.
std::string describe_server(const nlohmann::json& info);
// Writes the JSON atomically (temporary file + rename) with mode 0600: it holds the admin token.
Result<void> write_info_file(const std::string& path, const nlohmann::json& info);

}  // namespace pistesim::cli
