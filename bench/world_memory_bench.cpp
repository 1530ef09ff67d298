// Memory and load time of a large world (issue 16 #14): the default world plus N applications,
// each with an OAuth client, an API key and two subscriptions, read from TOML text and installed
// in a Simulator, as `pistesim serve --world FILE` does. Counters: seconds to load, heap bytes
// per application held by the loaded World and by the running Simulator (glibc's mallinfo2, the
// text freed), and the process's peak RSS. Budget: ≤ 1 KB an application held.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "core/simulator.h"
#include "world/default_world.h"

namespace {

using namespace pistesim;

size_t heap_in_use() {
  malloc_trim(0);
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;  // small blocks in use, and mmap'ed big ones
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// A uuid-shaped value unique to (n, salt): client ids, secrets and keys are that long in PISTE.
std::string uuid_like(size_t n, unsigned salt) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012zx", salt,
                static_cast<unsigned>(n & 0xffff), static_cast<unsigned>((n >> 16) & 0xfff),
                salt & 0xfff, n);
  return buf;
}

// `nested`: each application's clients, keys and subscriptions as [[applications.x]] tables (as
// fixtures/piste-default.toml writes them); otherwise as inline arrays of inline tables.
std::string world_with(size_t applications, bool nested) {
  std::string text(default_world_text());
  text.reserve(text.size() + applications * 420);
  char id[32];
  for (size_t i = 0; i < applications; ++i) {
    std::snprintf(id, sizeof id, "bench-%07zu", i);
    text += "\n[[applications]]\nid = \"";
    text += id;
    text += "\"\nname = \"";
    text += id;
    text +=
        "-app\"\nchannel = \"PRODUCTION\"\norganisation = \"mtes\"\n"
        "owner = \"demo@pistesim.test\"\ndescription = \"Application de charge\"\n"
        "email = \"demo@pistesim.test\"\n";
    const std::string client = uuid_like(i, 0xc1), secret = uuid_like(i, 0x5e),
                      key = uuid_like(i, 0xa4);
    if (nested) {
      text += "\n[[applications.oauth_clients]]\nclient_id = \"" + client +
              "\"\nclient_secret = \"" + secret + "\"\n\n[[applications.api_keys]]\nkey = \"" +
              key +
              "\"\n\n[[applications.subscriptions]]\napi = \"legifrance\"\n\n"
              "[[applications.subscriptions]]\napi = \"judilibre\"\n";
    } else {
      text += "oauth_clients = [{client_id = \"" + client + "\", client_secret = \"" + secret +
              "\"}]\napi_keys = [{key = \"" + key +
              "\"}]\nsubscriptions = [{api = \"legifrance\"}, {api = \"judilibre\"}]\n";
    }
  }
  return text;
}

void BM_LargeWorld(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const bool nested = state.range(1) != 0;
  for (auto _ : state) {
    const size_t before = heap_in_use();
    std::string text = world_with(n, nested);
    const auto t0 = std::chrono::steady_clock::now();
    WorldLoadResult loaded = load_world_string(text, "bench-world.toml");
    const auto t1 = std::chrono::steady_clock::now();
    if (!loaded.ok()) {
      static std::string why;
      why = loaded.errors.front().to_string();
      state.SkipWithError(why.c_str());
      return;
    }
    // Swapped, not assigned: assigning an empty string keeps the buffer (libstdc++ copies a short
    // string into it), which counted the 84 MB text as held by the world.
    std::string().swap(text);
    const size_t world_bytes = heap_in_use() - before;
    auto sim = std::make_unique<Simulator>(std::move(loaded.world), SimulatorOptions{},
                                           std::make_shared<ManualClock>(1'700'000'000'000));
    const auto t2 = std::chrono::steady_clock::now();
    const size_t sim_bytes = heap_in_use() - before;
    state.counters["load_s"] = std::chrono::duration<double>(t1 - t0).count();
    state.counters["install_s"] = std::chrono::duration<double>(t2 - t1).count();
    state.counters["world_B_per_app"] = static_cast<double>(world_bytes) / n;
    state.counters["simulator_B_per_app"] = static_cast<double>(sim_bytes) / n;
    state.counters["peak_rss_MB"] = peak_rss_mb();
    benchmark::DoNotOptimize(sim.get());
  }
}
// Arguments: applications, and 1 for [[applications.x]] tables (0: inline arrays).
BENCHMARK(BM_LargeWorld)
    ->ArgNames({"applications", "nested"})
    ->Args({100'000, 0})
    ->Args({100'000, 1})
    ->Args({1'000'000, 0})
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
