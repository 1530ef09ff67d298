// pistesim — a PISTE simulator: serve it, walk its demo, validate worlds.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.h"
#include "data_dir.h"
#include "environment.h"
#include "wire/spelling.h"

int main(int argc, char** argv) {
  CLI::App app{
      "pistesim — a faithful simulator of PISTE, the French State's API gateway (piste.gouv.fr)"};
  app.set_version_flag("--version", std::string("pistesim ") + PISTESIM_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  pistesim::cli::add_serve_command(app, exit_code);
  pistesim::cli::add_demo_command(app, exit_code);
  pistesim::cli::add_world_command(app, exit_code);
  pistesim::cli::add_load_command(app, exit_code);
  pistesim::cli::add_run_command(app, exit_code);
  pistesim::cli::add_conform_command(app, exit_code);
  // For scripts: "$(pistesim data-dir)/conformance/world.toml" wherever pistesim is installed.
  app.add_subcommand("data-dir",
                     "Print the directory of the shipped scenarios, conformance checks, load "
                     "profiles and docs ($PISTESIM_DATA_DIR, else <prefix>/share/pistesim)")
      ->callback([&exit_code] {
        auto data = pistesim::cli::find_data_dir();
        if (!data) {
          std::cerr << "pistesim data-dir: " << data.error().message << "\n";
          exit_code = 2;
        } else {
          std::cout << std::filesystem::absolute(*data).string() << "\n";
        }
      });
  pistesim::cli::bind_environment(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // `pistesim frobnicate`: CLI11 says only "A subcommand is required"; name the valid ones.
    if (app.get_subcommands().empty() && argc > 1 && argv[1][0] != '-') {
      std::vector<std::string_view> names;
      for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
      std::cerr << "pistesim: unknown command « " << argv[1] << " »";
      if (auto close = pistesim::closest_spelling(argv[1], names); !close.empty())
        std::cerr << "; did you mean « " << close << " »?";
      std::cerr << "\nexpected one of:";
      for (auto name : names) std::cerr << ' ' << name;
      std::cerr << "\nRun 'pistesim --help' for what each does.\n";
      return 2;
    }
    int code = app.exit(e);
    return code == 0 ? 0 : 2;  // usage errors exit 2
  }
  return exit_code;
}
