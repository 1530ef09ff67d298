// `pistesim world check FILE…`: validate world files; every error names file:line:column.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.h"
#include "world/default_world.h"

namespace pistesim::cli {

void add_world_command(CLI::App& app, int& exit_code) {
  CLI::App* world =
      app.add_subcommand("world", "World files (the seeded PISTE a simulator serves)");
  world->require_subcommand(1);
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* check =
      world->add_subcommand("check", "Validate world files (no file: the embedded default world)");
  check->add_option("files", *files, "World TOML files");
  check->callback([files, &exit_code] {
    std::vector<std::string> paths = *files;
    if (paths.empty()) paths.push_back("");
    int status = 0;
    for (const auto& path : paths) {
      WorldLoadResult r = load_world(path);
      std::string name = path.empty() ? std::string(kDefaultWorldName) + " (embedded)" : path;
      if (r.ok()) {
        const World& w = r.world;
        std::cout << name << ": ok — \"" << w.settings.name << "\": " << w.organisations.size()
                  << " organisations, " << w.apis.size() << " APIs, " << w.users.size()
                  << " users, " << w.applications.size() << " applications\n";
      } else {
        for (const auto& e : r.errors) std::cerr << e.to_string() << "\n";
        std::cerr << name << ": " << r.errors.size() << " error(s)\n";
        status = 2;
      }
    }
    exit_code = status;
  });
}

}  // namespace pistesim::cli
