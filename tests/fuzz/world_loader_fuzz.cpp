// Fuzz target: the world TOML loader (load_world_string), on arbitrary text. Besides not
// crashing: a refused world says where and why, and an accepted world is usable — its indexes
// build and a Simulator starts on it.
#include <cstdint>
#include <string>

#include "core/simulator.h"
#include "fuzz/fuzz_check.h"
#include "world/world_loader.h"

using namespace pistesim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  WorldLoadResult r = load_world_string(text, "fuzz.toml");
  if (!r.ok()) {
    for (const auto& e : r.errors)
      FUZZ_CHECK(!e.message.empty() && !e.to_string().empty(), "every error says what is wrong");
    return 0;
  }
  Simulator sim(std::move(r.world), SimulatorOptions{Profile::Piste, "fuzz-admin-token", 16},
                std::make_shared<ManualClock>(1795428000000));
  (void)sim.snapshot();
  return 0;
}
