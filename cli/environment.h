// Options from the environment, for CI pipelines and containers: every option of every
// subcommand can also be given as a PISTESIM_* variable, which `--help` shows beside it.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace pistesim::cli {

// "--max-connections" of serve -> PISTESIM_MAX_CONNECTIONS; of another subcommand, e.g. load's
// "--duration" -> PISTESIM_LOAD_DURATION (the same name can mean different things in two
// subcommands, and one pipeline often runs several). Options that already name a variable keep
// it (PISTESIM_ADMIN_TOKEN is shared by the client commands).
// A nested subcommand is named by its path: "load_merge".
std::string environment_name(const std::string& subcommand, const std::string& option);

// Gives every long option of every subcommand its variable. The command line wins over the
// environment.
void bind_environment(CLI::App& app);

}  // namespace pistesim::cli
