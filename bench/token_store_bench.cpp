// Memory and speed of the token store: resident bytes per live token (ARCHITECTURE.md budget:
// ≤ 200 bytes, a million live tokens ≤ 200 MB), and insert/lookup rates.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "crypto/secrets.h"
#include "oauth/token_endpoint.h"
#include "oauth/token_store.h"

namespace {

using namespace pistesim;

long resident_bytes() {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return resident * sysconf(_SC_PAGESIZE);
}

std::vector<std::string> make_tokens(size_t n) {
  std::vector<std::string> tokens;
  tokens.reserve(n);
  for (size_t i = 0; i < n; ++i) tokens.push_back(random_alphanumeric(kAccessTokenLength));
  return tokens;
}

TokenRecord record_for(Millis now) {
  TokenRecord r;
  r.application_id = "demo-sandbox";
  r.client_id = "9c4a1f7e-3b2d-4e8a-9f61-5d7c2b8e4a10";
  r.scope = "openid resource.READ";
  r.issued_ms = now;
  r.expires_ms = now + 3600 * 1000;
  return r;
}

// Resident memory of a million live tokens (tokens drawn beforehand, so only the store counts).
void BM_TokenStoreBytesPerLiveToken(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<std::string> tokens = make_tokens(n);
  for (auto _ : state) {
    auto store = std::make_unique<TokenStore>();
    long before = resident_bytes();
    for (const auto& t : tokens) store->insert(t, record_for(0), 0);
    long after = resident_bytes();
    state.counters["bytes_per_token"] =
        static_cast<double>(after - before) / static_cast<double>(n);
  }
}
BENCHMARK(BM_TokenStoreBytesPerLiveToken)
    ->Arg(1000000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

void BM_TokenStoreLookup(benchmark::State& state) {
  static TokenStore store;
  static std::vector<std::string> tokens = [] {
    auto t = make_tokens(100000);
    for (const auto& token : t) store.insert(token, record_for(0), 0);
    return t;
  }();
  size_t i = static_cast<size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    auto r = store.lookup(tokens[i++ % tokens.size()], 1);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenStoreLookup)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
