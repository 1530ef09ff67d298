#include "environment.h"

#include <cctype>

namespace pistesim::cli {

std::string environment_name(const std::string& subcommand, const std::string& option) {
  std::string name = "PISTESIM_";
  if (subcommand != "serve") name += subcommand + "_";
  name += option;
  for (char& c : name) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return name;
}

namespace {

void bind(CLI::App& app, const std::string& path) {
  for (CLI::App* sub : app.get_subcommands({})) {
    const std::string name = path.empty() ? sub->get_name() : path + "_" + sub->get_name();
    for (CLI::Option* opt : sub->get_options()) {
      if (opt->get_lnames().empty() || !opt->get_envname().empty()) continue;
      const std::string& lname = opt->get_lnames().front();
      if (lname == "help" || lname == "help-all") continue;
      opt->envname(environment_name(name, lname));
    }
    bind(*sub, name);  // `load merge` -> PISTESIM_LOAD_MERGE_*
  }
}

}  // namespace

void bind_environment(CLI::App& app) {
  bind(app, "");
}

}  // namespace pistesim::cli
