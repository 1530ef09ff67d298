// `pistesim world check FILE…`: validate world files; every error names file:line:column.
// `pistesim world dump [FILE]`: print a world file in the normalised form of a snapshot.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.h"
#include "world/default_world.h"
#include "world/world_writer.h"

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

  auto dump_file = std::make_shared<std::string>();
  CLI::App* dump = world->add_subcommand(
      "dump",
      "Print a world file as pistesim writes it (no file: the embedded default world): the form "
      "of GET /__pistesim/world/snapshot, passwords replaced by their hashes");
  dump->add_option("file", *dump_file, "World TOML file");
  dump->callback([dump_file, &exit_code] {
    WorldLoadResult r = load_world(*dump_file);
    if (!r.ok()) {
      for (const auto& e : r.errors) std::cerr << e.to_string() << "\n";
      exit_code = 2;
      return;
    }
    std::string source = dump_file->empty() ? std::string(kDefaultWorldName) : *dump_file;
    std::cout << write_world_toml(r.world, SnapshotHeader{0, source});
    exit_code = 0;
  });
}

}  // namespace pistesim::cli
