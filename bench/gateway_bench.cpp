// Full in-process requests through Simulator::handle — token issue, and an authenticated
// gateway call to Légifrance's /consult/ping (routing, token lookup, subscription, quota,
// provider, headers) — without sockets. Figures go in docs/performance.md.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/simulator.h"
#include "support/demo_credentials.h"
#include "usage/usage_recorder.h"
#include "world/default_world.h"

namespace {

using namespace pistesim;

struct Bench {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(test::kStart);
  Simulator sim;
  std::string token;
  Bench() : sim(load_default_world().world, SimulatorOptions{Profile::Piste, "bench"}, clock) {
    // Enough quota that the benchmark measures admitted calls.
    sim.mutate([](World& w) { w.settings.sandbox_quota = {kMaxQuotaLimit, QuotaWindow::Day}; });
    Request r =
        Request::make("POST", "/api/oauth/token",
                      std::string("grant_type=client_credentials&client_id=") +
                          test::kSandboxClientId + "&client_secret=" + test::kSandboxClientSecret);
    r.headers.add("Content-Type", "application/x-www-form-urlencoded");
    token = nlohmann::json::parse(sim.handle(Endpoint::SandboxOAuth, r).body)["access_token"];
  }
};

Bench& bench() {
  static Bench b;
  return b;
}

void BM_GatewayCall(benchmark::State& state) {
  Bench& b = bench();
  Request r = Request::make("GET", "/dila/legifrance/lf-engine-app/consult/ping");
  r.headers.add("Authorization", "Bearer " + b.token);
  r.headers.add("Accept", "text/plain");
  int64_t ok = 0;
  for (auto _ : state) ok += b.sim.handle(Endpoint::SandboxApi, r).status == 200;
  if (ok != static_cast<int64_t>(state.iterations()))
    state.SkipWithError("a call was not answered 200");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GatewayCall)->Threads(1)->Threads(2)->UseRealTime();

void BM_GatewayCallViaPrefixRouting(benchmark::State& state) {
  Bench& b = bench();
  Request r = Request::make("GET", "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping");
  r.headers.add("Authorization", "Bearer " + b.token);
  for (auto _ : state) benchmark::DoNotOptimize(b.sim.handle(r));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GatewayCallViaPrefixRouting);

void BM_TokenIssue(benchmark::State& state) {
  Bench& b = bench();
  Request r = Request::make("POST", "/api/oauth/token",
                            std::string("grant_type=client_credentials&client_id=") +
                                test::kSandboxClientId +
                                "&client_secret=" + test::kSandboxClientSecret + "&scope=openid");
  r.headers.add("Content-Type", "application/x-www-form-urlencoded");
  for (auto _ : state) benchmark::DoNotOptimize(b.sim.handle(Endpoint::SandboxOAuth, r));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenIssue)->Threads(1)->Threads(2)->UseRealTime();

void BM_UnauthenticatedRefusal(benchmark::State& state) {
  Bench& b = bench();
  Request r = Request::make("GET", "/dila/legifrance/lf-engine-app/consult/ping");
  for (auto _ : state) benchmark::DoNotOptimize(b.sim.handle(Endpoint::SandboxApi, r));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UnauthenticatedRefusal);

// The traffic recording the gateway does on every identified call (usage/usage_recorder.h),
// alone: one hot (application, API) pair, or calls spread over 1 000 pairs.
void BM_UsageRecord(benchmark::State& state) {
  static UsageRecorder recorder;
  const int pairs = static_cast<int>(state.range(0));
  std::vector<std::string> apps;
  for (int i = 0; i < pairs; ++i)
    apps.push_back("application-" + std::to_string(i) + "-" + std::string(24, 'x'));
  size_t i = static_cast<size_t>(state.thread_index());
  for (auto _ : state) {
    recorder.record(apps[i % apps.size()], "legifrance", 200, true, test::kStart);
    i += 7;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UsageRecord)->Arg(1)->Arg(1000)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
