// The simulator: one PISTE (both channels' OAuth servers and API gateways, plus the control
// API) behind a single entry point taking Request values. Usable embedded (no sockets) and
// behind the http adapter. Safe for concurrent use: requests read an immutable world
// snapshot; control operations publish a new one.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/fiber.h"
#include "clock/clock.h"
#include "core/state_store.h"
#include "faults/fault_injector.h"
#include "gateway/gateway.h"
#include "journal/journal.h"
#include "mail/mailbox.h"
#include "oauth/profile.h"
#include "oauth/token_store.h"
#include "portal/sessions.h"
#include "portal/transaction.h"
#include "quota/quota_core.h"
#include "usage/usage_recorder.h"
#include "wire/http_message.h"
#include "world/world.h"

namespace pistesim {

// The four PISTE endpoints and pistesim's own control API.
enum class Endpoint { SandboxOAuth, SandboxApi, ProductionOAuth, ProductionApi, Control };
std::string_view to_string(Endpoint e);
Channel channel_of(Endpoint e);

// Where an endpoint lives on a pistesim server: the path prefix that stands for the PISTE host
// ("/sandbox/oauth" for https://sandbox-oauth.piste.gouv.fr).
std::string_view path_prefix(Endpoint e);
// The PISTE host an endpoint stands for ("sandbox-oauth.piste.gouv.fr"); "" for Control.
std::string_view piste_host(Endpoint e);

// A published world and its lookups. Never modified once published.
struct WorldSnapshot {
  explicit WorldSnapshot(World w) : world(std::move(w)), index(world) {}
  WorldSnapshot(const WorldSnapshot&) = delete;
  WorldSnapshot& operator=(const WorldSnapshot&) = delete;

  const World world;
  const WorldIndex index;
};

struct SimulatorOptions {
  Profile profile = Profile::Piste;
  // Guards the control API; empty: a random one is drawn (see admin_token()).
  std::string admin_token;
  // Entries the request journal keeps (0: no journal, for load runs that do not want its cost).
  size_t journal_capacity = 10000;
  // Live tokens an OAuth client may hold; one more makes its oldest expire (0: no limit).
  size_t max_live_tokens_per_client = TokenStore::kDefaultMaxLivePerClient;
};

class Simulator {
 public:
  Simulator(World world, SimulatorOptions options, std::shared_ptr<Clock> clock);
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // The endpoint a request is for: by path prefix (path_prefix(), then stripped from
  // request.path in place), else by a PISTE Host (sandbox-oauth.*, sandbox-api.*, oauth.*,
  // api.*); nullopt for none.
  static std::optional<Endpoint> route(Request& request);
  // The PISTE endpoints' answers (route(), then the endpoint's); unknown places answer 404. By
  // value: the path is rewritten in place (a server hands its request over with std::move).
  // Endpoint::Control is 404 here: the control API sits on top of the core and is reached
  // through control/control_api.h's serve_request().
  Response handle(Request request);
  // When the endpoint is already known; `request.path` is the PISTE path (no prefix).
  Response handle(Endpoint endpoint, const Request& request);
  // Runs `answer`, which may change durable state: a change that could not be saved
  // (StoreError) is answered 503, nothing changed.
  // In a cluster (StateStore::behind), the node first catches up with what other nodes
  // changed, so that a change acknowledged by any node is seen by the next request on every one.
  template <class F>
  Response guarded(F&& answer, const RequestHint& hint = {}) {
    if (!store_) return answer();
    try {
      {
        Fiber::Suspendable no_lock_held;  // a cluster's catch-up may suspend a fiber
        catch_up(hint);
      }
      return answer();
    } catch (const StoreError& e) {
      return state_not_saved(e);
    }
  }
  static Response not_found();

  // The current world. Lock-free: each thread keeps the snapshot it last saw and reloads it only
  // when the generation counter says a newer one was published.
  std::shared_ptr<const WorldSnapshot> snapshot() const;
  // Copy-on-write change of the world: `change` edits a copy, which is then published.
  // Returns whatever `change` returns. Changes are serialised; readers never wait.
  // With a store attached, the copy is saved before it is published (a StoreError leaves the
  // world as it was).
  // In a cluster, a change another node made first (WorldConflict) makes `change` run again on
  // the newer world: it must depend only on the world it is given.
  template <class F>
  auto mutate(F&& change) {
    std::lock_guard lock(write_mutex_);
    for (int attempt = 1;; ++attempt) {
      adopt_newer_world();
      const std::shared_ptr<const WorldSnapshot> base = snapshot();
      World copy = base->world;
      try {
        if constexpr (std::is_void_v<decltype(change(copy))>) {
          change(copy);
          save_world(copy, base->world);
          publish(std::move(copy));
          return;
        } else {
          auto result = change(copy);
          save_world(copy, base->world);
          publish(std::move(copy));
          return result;
        }
      } catch (const WorldConflict&) {
        if (attempt == kMaxConflicts) throw;
      }
    }
  }
  // A portal or administration operation (portal/transaction.h): `op(Transaction&)` edits a copy
  // of the world and returns a Result; only if it succeeds is the copy published and are its
  // e-mails delivered, its tokens revoked and its sessions closed. Serialised with mutate().
  // In a cluster, `op` runs again on the newer world when another node changed it first: two
  // nodes registering one e-mail address, exactly one succeeds.
  template <class F>
  auto transact(F&& op) {
    std::lock_guard lock(write_mutex_);
    for (int attempt = 1;; ++attempt) {
      adopt_newer_world();
      const std::shared_ptr<const WorldSnapshot> base = snapshot();
      World copy = base->world;
      Transaction tx(copy, clock_->now_ms(), public_url_);
      auto result = op(tx);
      if (!result.ok()) return result;
      std::vector<Email> mails;
      try {
        // Saved as a whole (world, e-mails, revocations) before anything is visible.
        mails = save_transaction(copy, base->world, tx);
      } catch (const WorldConflict&) {
        if (attempt == kMaxConflicts) throw;
        continue;
      }
      publish(std::move(copy));
      apply_effects(tx, std::move(mails));
      return result;
    }
  }
  // Replaces the whole world (counters and tokens of removed applications are forgotten).
  void install(World world);
  // Back to the world the simulator started with: tokens, sessions, mailbox, faults and usage
  // statistics emptied. The clock keeps its time.
  void reset();
  const World& initial_world() const { return initial_->world; }
  // Puts the clock `offset_ms` from where it started (0: real time for `serve`), forwards or
  // back. Going back, what the abandoned future left is undone: tokens issued in it, or whose
  // lifetime it ended, expire now (TokenStore::rewind), and every quota counter restarts (their
  // windows lie ahead). Throws StoreError, changing nothing, if durable state cannot save it.
  // REQUIRES: offset_ms >= 0.
  void set_clock_offset(Millis offset_ms);

  // Durable state (core/state_store.h): from now on every change of the world, tokens, mailbox
  // is saved to `store` before it is visible or acknowledged; a change that cannot be saved is
  // not made and its request answers 503. nullptr detaches. REQUIRES: no request in flight
  // (called once, before serving); `store` outlives the simulator or is detached first.
  void attach_store(StateStore* store);

  // The base URL links in e-mails point to ("http://127.0.0.1:8080"); `pistesim serve` sets it
  // once it knows its address.
  void set_public_url(std::string url);
  std::string public_url() const;

  Clock& clock() { return *clock_; }
  QuotaCore& quotas() { return quotas_; }
  FaultInjector& faults() { return faults_; }
  TokenStore& tokens(Channel c) { return tokens_[static_cast<int>(c)]; }
  Mailbox& mailbox() { return mailbox_; }
  SessionStore& sessions() { return sessions_; }
  // Gateway traffic per application, API and hour (APP-9, ADM-3, ADM-4).
  UsageRecorder& usage() { return usage_; }
  // What clients sent to the four PISTE endpoints and what they got (scenario journal asserts).
  Journal& journal() { return journal_; }
  Profile profile() const { return options_.profile; }
  const std::string& admin_token() const { return options_.admin_token; }

 private:
  // Attempts of one change against other nodes' changes before it answers 503.
  static constexpr int kMaxConflicts = 50;
  // Publishes the store's newer world, if any (a cluster). REQUIRES: write_mutex_ held.
  void adopt_newer_world();
  // Catches up with the store before a request (a cluster): one cheap read when up to date,
  // which also fetches what `hint` names.
  void catch_up(const RequestHint& hint);
  // Gives new applications and subscriptions their quota counters; keeps existing ones.
  void assign_quota_slots(World& world);
  void publish(World world);
  // Durable state hooks: no-ops without a store; throw StoreError when saving fails. `previous`:
  // the world `world` was made from.
  void save_world(const World& world, const World& previous);
  std::vector<Email> save_transaction(const World& world, const World& previous,
                                      const Transaction& tx);
  void replace_world(World world, bool clear_mailbox);
  Response dispatch(Endpoint endpoint, const Request& request);
  void apply_effects(const Transaction& tx, std::vector<Email> mails);
  // `now`: the simulator's time when the request arrived; `facts` (may be null) receives what
  // the endpoint decided, for the journal.
  Response handle_piste(Endpoint endpoint, const Request& request, const WorldSnapshot& snap,
                        Millis now, ExchangeFacts* facts);

  SimulatorOptions options_;
  std::shared_ptr<Clock> clock_;
  QuotaCore quotas_;
  FaultInjector faults_;
  TokenStore tokens_[2];
  CorrelationIds correlation_ids_;
  Mailbox mailbox_;
  SessionStore sessions_;
  UsageRecorder usage_;
  Journal journal_;
  // Sends the « quota exceeded » e-mail (NOT-1) for the gateway.
  QuotaExceededHandler quota_mailer_;
  // The first published snapshot, kept for reset(): shared with the current world until the
  // first change rather than copied (a copy doubled a large world's memory). Its quota slots
  // are those of the first publish; reset() clears them, as it does for any installed world.
  std::shared_ptr<const WorldSnapshot> initial_;
  StateStore* store_ = nullptr;
  static Response state_not_saved(const StoreError& e);
  std::string public_url_ = "http://127.0.0.1:8080";
  // Serialises every change of the world (and guards public_url_).
  mutable std::mutex write_mutex_;
  // The current snapshot. Readers go through a per-thread cache keyed by (instance id,
  // generation) and take the mutex only after a publish. Not std::atomic<std::shared_ptr>:
  // libstdc++ 12's load releases its lock bit with a relaxed store, which ThreadSanitizer
  // reports as a race with the next store.
  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const WorldSnapshot> snapshot_;
  std::atomic<uint64_t> generation_{0};
  const uint64_t instance_id_;
};

}  // namespace pistesim
