// What one world change costs a cluster (docs/cluster.md, « Measured: a change in a large
// world »), in a world of N applications (each with an OAuth client, an API key and two
// subscriptions, as bench/world_memory_bench.cpp builds them): before, each entry was the whole
// world (written by the appending node, parsed by every other); now an entry is the change
// (compared and written by the appending node, parsed and applied to a copy of its world by every
// other). The change is a registration (one user added). Counters: the entry's bytes.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "world/default_world.h"
#include "world/world_delta.h"
#include "world/world_loader.h"
#include "world/world_writer.h"

namespace {

using namespace pistesim;

World world_of(size_t applications) {
  World w = load_default_world().world;
  char id[32];
  for (size_t i = 0; i < applications; ++i) {
    std::snprintf(id, sizeof id, "bench-%07zu", i);
    Application app;
    app.id = id;
    app.name = std::string(id) + "-app";
    app.channel = Channel::Production;
    app.organisation = "mtes";
    app.owner = "demo@pistesim.test";
    app.email = "demo@pistesim.test";
    app.description = "Application de charge";
    OAuthClient client;
    client.client_id = std::string(id) + "-client";
    client.client_secret = std::string(id) + "-secret";
    app.oauth_clients.push_back(std::move(client));
    ApiKey key;
    key.key = std::string(id) + "-key";
    app.api_keys.push_back(std::move(key));
    for (const char* api : {"legifrance", "judilibre"}) {
      Subscription sub;
      sub.api = Interned(api);
      app.subscriptions.push_back(std::move(sub));
    }
    w.applications.push_back(std::move(app));
  }
  return w;
}

// The world after a registration.
World registered(const World& before) {
  World after = before;
  User u = before.users.front();
  u.email = "new-account@example.fr";
  u.name = "New Account";
  u.active = false;
  u.activation_token = "0123456789abcdef0123456789abcdef";
  after.users.push_back(std::move(u));
  return after;
}

// Before, on the appending node: the whole world written.
void BM_WholeWorldWrite(benchmark::State& state) {
  const World after = registered(world_of(static_cast<size_t>(state.range(0))));
  size_t bytes = 0;
  for (auto _ : state) bytes = write_world_toml(after).size();
  state.counters["entry_bytes"] = static_cast<double>(bytes);
}

// Before, on each other node: the whole world parsed.
void BM_WholeWorldParse(benchmark::State& state) {
  const std::string entry =
      write_world_toml(registered(world_of(static_cast<size_t>(state.range(0)))));
  for (auto _ : state) {
    WorldLoadResult loaded = load_world_string(entry, "entry", WorldChecks::Saved);
    benchmark::DoNotOptimize(loaded.world.users.size());
  }
  state.counters["entry_bytes"] = static_cast<double>(entry.size());
}

// Now, on the appending node: compare the worlds and write what changed.
void BM_DeltaWrite(benchmark::State& state) {
  const World before = world_of(static_cast<size_t>(state.range(0)));
  const World after = registered(before);
  size_t bytes = 0;
  for (auto _ : state) {
    std::optional<std::string> delta = write_world_delta(before, after);
    bytes = delta ? delta->size() : 0;
  }
  state.counters["entry_bytes"] = static_cast<double>(bytes);
}

// Now, on each other node: a copy of its world with the entry applied.
void BM_DeltaApply(benchmark::State& state) {
  const World before = world_of(static_cast<size_t>(state.range(0)));
  const std::string delta = *write_world_delta(before, registered(before));
  for (auto _ : state) {
    World copy = before;
    benchmark::DoNotOptimize(apply_world_delta(copy, delta, "entry").size());
  }
  state.counters["entry_bytes"] = static_cast<double>(delta.size());
}

BENCHMARK(BM_WholeWorldWrite)->Arg(14'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WholeWorldParse)->Arg(14'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DeltaWrite)->Arg(14'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DeltaApply)->Arg(14'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
