// Fuzz target: the scenario loader (load_scenario_text), on arbitrary text. The text is read as
// if it were scenarios/fuzz.toml, so `use` and `include` can reach the real step libraries in
// scenarios/lib/. Besides not crashing: a refused file yields errors that each point into a file
// and say what is wrong, and an accepted one is a scenario with a name.
#include <cstdint>
#include <string>
#include <variant>

#include "fuzz/fuzz_check.h"
#include "scenario_engine/loader.h"

using namespace pistesim::scenario;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string kPath = std::string(PISTESIM_SOURCE_DIR) + "/scenarios/fuzz.toml";
  std::string text(reinterpret_cast<const char*>(data), size);
  auto loaded = load_scenario_text(text, kPath);
  if (auto* errors = std::get_if<std::vector<LoadError>>(&loaded)) {
    FUZZ_CHECK(!errors->empty(), "a refused scenario says why");
    for (const auto& e : *errors)
      FUZZ_CHECK(!e.message.empty() && !e.where.file.empty(), "each error says where and what");
  } else {
    FUZZ_CHECK(!std::get<Scenario>(loaded).name.empty(), "a loaded scenario has its name");
  }
  return 0;
}
