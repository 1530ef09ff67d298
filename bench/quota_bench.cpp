// The quota core's decision rate: one hot application, and spread over 1 000 and 100 000
// applications, single-threaded and contended (ARCHITECTURE.md: ≥ 50 M/s on one hot
// application, ≥ 10 M/s over 100 000). Figures go in docs/performance.md.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "quota/quota_core.h"

namespace {

using pistesim::Millis;
using pistesim::QuotaCore;
using pistesim::QuotaSpec;
using pistesim::QuotaWindow;

constexpr Millis kNow = 1795428000000;

struct Fixture {
  QuotaCore core;
  std::vector<uint32_t> slots;
  explicit Fixture(size_t apps) {
    for (size_t i = 0; i < apps; ++i) slots.push_back(core.allocate());
  }
};

// One fixture per application count, shared by the benchmark's threads.
Fixture& fixture(size_t apps) {
  static std::unique_ptr<Fixture> f[3];
  size_t i = apps == 1 ? 0 : apps == 1000 ? 1 : 2;
  if (!f[i]) f[i] = std::make_unique<Fixture>(apps);
  return *f[i];
}

// A limit far above what a run offers: every decision takes the admit path (the CAS), which is
// the expensive one; the refuse path is a load and a compare.
void BM_QuotaDecide(benchmark::State& state) {
  const size_t apps = static_cast<size_t>(state.range(0));
  Fixture& f = fixture(apps);
  const QuotaSpec spec{pistesim::kMaxQuotaLimit, QuotaWindow::Day};
  // Threads walk the slots from different places so they do not all hit one slot unless apps == 1.
  size_t i = static_cast<size_t>(state.thread_index()) * 7919 % apps;
  Millis now = kNow;
  int64_t admitted = 0;
  for (auto _ : state) {
    admitted += f.core.decide(f.slots[i], spec, now).admitted;
    if (++i == apps) i = 0;
  }
  benchmark::DoNotOptimize(admitted);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QuotaDecide)->Arg(1)->Arg(1000)->Arg(100000)->Threads(1)->Threads(2)->UseRealTime();

// Per-second window at its limit: the refuse path.
void BM_QuotaRefuse(benchmark::State& state) {
  QuotaCore core;
  uint32_t slot = core.allocate();
  const QuotaSpec spec{20, QuotaWindow::Second};
  for (int k = 0; k < 20; ++k) core.decide(slot, spec, kNow);
  int64_t refused = 0;
  for (auto _ : state) refused += !core.decide(slot, spec, kNow).admitted;
  benchmark::DoNotOptimize(refused);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QuotaRefuse);

}  // namespace

BENCHMARK_MAIN();
