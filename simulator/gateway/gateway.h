// The API hosts of one channel (GW-*, WIRE-4..9, docs/conformance-checklist.md §F–§G): routing
// by base path, bearer or API-key authentication, subscription / CGU / scope checks, quota, then
// the mock provider. Every answer carries x-correlation-id, x-rate-limit and the CORS headers.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "clock/clock.h"
#include "faults/fault_injector.h"
#include "journal/exchange_facts.h"
#include "oauth/profile.h"
#include "oauth/token_store.h"
#include "quota/quota_core.h"
#include "usage/usage_recorder.h"
#include "wire/http_message.h"
#include "world/world.h"

namespace pistesim {

// x-correlation-id values shaped like PISTE's ("1d-055dede0e29d8b72e118fe0d"): a random
// per-process prefix and a counter, so they are unique without locking.
class CorrelationIds {
 public:
  CorrelationIds();
  std::string next();

 private:
  std::string prefix_;
  std::atomic<uint64_t> counter_{0};
};

// An application went over its quota: the first 429 of a quota window (NOT-1's « quota
// exceeded » e-mail goes out once per application and window, not once per 429).
struct QuotaExceeded {
  const Application& application;
  const Api& api;
  QuotaSpec quota;
  Millis at;
  Millis window_end;
  std::string quota_key;  // shared_quota_key(): names the counter, the same on every node
};
using QuotaExceededHandler = std::function<void(const QuotaExceeded&)>;

struct GatewayContext {
  const World& world;
  const WorldIndex& index;
  Channel channel;
  Profile profile;
  Millis now;
  // Written only by the ExpireToken fault.
  TokenStore& tokens;
  QuotaCore& quotas;
  CorrelationIds& correlation_ids;
  FaultInjector& faults;
  // Optional. Counts every call that reached an API and identified an application (APP-9,
  // ADM-3, ADM-4), and says which 429 is the first of its window.
  UsageRecorder* usage = nullptr;
  // Optional. Called (on the calling thread) for the first 429 of each quota window; needs usage.
  const QuotaExceededHandler* on_quota_exceeded = nullptr;
};

// The quota that governs calls of `app` to `api`, and the counter that counts them (GW-5:
// subscription quota, then the API's, then the application's, then the channel default).
struct EffectiveQuota {
  QuotaSpec spec;
  uint32_t slot;
};
EffectiveQuota effective_quota(const World& world, const Application& app, const Api& api,
                               const Subscription& sub);
// The name of that quota's counter shared by the nodes of a cluster (QuotaCore::shared()).
std::string shared_quota_key(const Application& app, const Api& api, const Subscription& sub,
                             const EffectiveQuota& quota);

// `exchange`, when given, receives what was decided (for the journal).
Response handle_gateway_request(const Request& request, const GatewayContext& ctx,
                                ExchangeFacts* exchange = nullptr);

}  // namespace pistesim
