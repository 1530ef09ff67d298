#include "core/simulator.h"

#include <atomic>
#include <chrono>
#include <cstdio>

#include "crypto/secrets.h"
#include "mail/administration_mails.h"
#include "oauth/token_endpoint.h"
#include "wire/authorization.h"

namespace pistesim {

std::string_view to_string(Endpoint e) {
  switch (e) {
    case Endpoint::SandboxOAuth:
      return "sandbox-oauth";
    case Endpoint::SandboxApi:
      return "sandbox-api";
    case Endpoint::ProductionOAuth:
      return "oauth";
    case Endpoint::ProductionApi:
      return "api";
    case Endpoint::Control:
      return "control";
  }
  return "";
}

Channel channel_of(Endpoint e) {
  return (e == Endpoint::ProductionOAuth || e == Endpoint::ProductionApi) ? Channel::Production
                                                                          : Channel::Sandbox;
}

std::string_view path_prefix(Endpoint e) {
  switch (e) {
    case Endpoint::SandboxOAuth:
      return "/sandbox/oauth";
    case Endpoint::SandboxApi:
      return "/sandbox/api";
    case Endpoint::ProductionOAuth:
      return "/production/oauth";
    case Endpoint::ProductionApi:
      return "/production/api";
    case Endpoint::Control:
      return "/__pistesim";
  }
  return "";
}

std::string_view piste_host(Endpoint e) {
  switch (e) {
    case Endpoint::SandboxOAuth:
      return "sandbox-oauth.piste.gouv.fr";
    case Endpoint::SandboxApi:
      return "sandbox-api.piste.gouv.fr";
    case Endpoint::ProductionOAuth:
      return "oauth.piste.gouv.fr";
    case Endpoint::ProductionApi:
      return "api.piste.gouv.fr";
    case Endpoint::Control:
      return "";
  }
  return "";
}

namespace {
std::atomic<uint64_t> next_instance_id{1};

// A state that cannot be saved is said on stderr at most once a second, with how many more
// requests met it meanwhile: an outage under load would otherwise write a line per request (the
// access log still names the reason of each 503).
void report_not_saved(const StoreError& e) {
  static std::atomic<int64_t> quiet_until_ns{0};
  static std::atomic<uint64_t> untold{0};
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  int64_t until = quiet_until_ns.load();
  if (now < until || !quiet_until_ns.compare_exchange_strong(until, now + 1'000'000'000)) {
    untold.fetch_add(1);
    return;
  }
  const uint64_t more = untold.exchange(0);
  if (more == 0)
    std::fprintf(stderr, "pistesim: %s\n", e.what());
  else
    std::fprintf(stderr, "pistesim: %s (and %llu more requests since the last such line)\n",
                 e.what(), static_cast<unsigned long long>(more));
}
}  // namespace

Simulator::Simulator(World world, SimulatorOptions options, std::shared_ptr<Clock> clock)
    : options_(std::move(options)),
      clock_(std::move(clock)),
      journal_(options_.journal_capacity),
      instance_id_(next_instance_id.fetch_add(1)) {
  if (options_.admin_token.empty()) options_.admin_token = random_alphanumeric(32);
  for (auto& store : tokens_) store.set_max_live_per_client(options_.max_live_tokens_per_client);
  (void)quotas_.allocate();  // slot 0 means "not assigned yet"
  quota_mailer_ = [this](const QuotaExceeded& e) {
    Email m = quota_exceeded_email(e.application, e.api, e.quota, e.at, e.window_end);
    m.sent_at = e.at;
    try {
      // Once per window: this node knows what it sent; in a cluster, the first node to claim it.
      if (!mailbox_.first_notice("quota:" + e.quota_key + ":" + std::to_string(e.window_end),
                                 e.window_end - e.at + 60 * 1000))
        return;
      mailbox_.deliver(std::move(m));
    } catch (const StoreError&) {
      // A notice, not an acknowledged change: the 429 it accompanies is answered regardless.
    }
  };
  install(std::move(world));
  initial_ = snapshot();
}

void Simulator::apply_effects(const Transaction& tx, std::vector<Email> mails) {
  for (const auto& id : tx.revoked_applications())
    for (auto& store : tokens_) store.revoke_application(id, clock_->now_ms());
  for (const auto& email : tx.closed_sessions()) sessions_.close_all(email);
  for (auto& m : mails) mailbox_.deliver(std::move(m));
}

void Simulator::attach_store(StateStore* store) {
  store_ = store;
  for (Channel c : kChannels) tokens(c).set_listener(store ? &store->token_listener(c) : nullptr);
  mailbox_.set_listener(store ? &store->mailbox_listener() : nullptr);
}

void Simulator::adopt_newer_world() {
  if (!store_) return;
  if (auto newer = store_->newer_world(snapshot()->world)) {
    publish(std::move(*newer));
    store_->published_newer_world();
  }
}

void Simulator::catch_up(const RequestHint& hint) {
  if (!store_->behind(hint)) return;
  std::lock_guard lock(write_mutex_);
  adopt_newer_world();
}

void Simulator::save_world(const World& world, const World& previous) {
  if (!store_) return;
  StateChange change;
  change.world = &world;
  change.previous_world = &previous;
  store_->commit(change);
}

std::vector<Email> Simulator::save_transaction(const World& world, const World& previous,
                                               const Transaction& tx) {
  std::vector<Email> mails = tx.mails();
  for (auto& m : mails) m.sent_at = tx.now;
  if (!store_) return mails;
  // Saved with their ids, so that they are delivered under the ids the file holds.
  uint64_t id = mails.empty() ? 0 : mailbox_.reserve_ids(mails.size());
  for (auto& m : mails) m.id = id++;
  StateChange change;
  change.world = &world;
  change.previous_world = &previous;
  change.mails = mails;
  change.revoked_applications = tx.revoked_applications();
  store_->commit(change);
  return mails;
}

void Simulator::reset() {
  replace_world(initial_->world, /*clear_mailbox=*/true);
  sessions_.clear();
  mailbox_.clear();
  faults_.clear();
  usage_.clear();
  journal_.clear();
}

void Simulator::set_clock_offset(Millis offset_ms) {
  // Serialised with world changes: a transaction stamps its effects with one "now".
  std::lock_guard lock(write_mutex_);
  const Millis before = clock_->now_ms();
  clock_->set_offset(offset_ms);
  const Millis after = clock_->now_ms();
  if (after >= before) return;
  for (auto& store : tokens_) store.rewind(before, after);
  auto snap = snapshot();
  for (const auto& app : snap->world.applications) {
    quotas_.reset(app.quota_slot);
    for (const auto& sub : app.subscriptions) quotas_.reset(sub.quota_slot);
  }
}

void Simulator::set_public_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::lock_guard lock(write_mutex_);
  public_url_ = std::move(url);
}

std::string Simulator::public_url() const {
  std::lock_guard lock(write_mutex_);
  return public_url_;
}

void Simulator::assign_quota_slots(World& world) {
  for (auto& app : world.applications) {
    if (app.quota_slot == 0) app.quota_slot = quotas_.allocate();
    for (auto& sub : app.subscriptions)
      if (sub.quota_slot == 0) sub.quota_slot = quotas_.allocate();
  }
}

void Simulator::publish(World world) {
  assign_quota_slots(world);
  auto published = std::make_shared<const WorldSnapshot>(std::move(world));
  {
    std::lock_guard lock(snapshot_mutex_);
    snapshot_.swap(published);
  }
  generation_.fetch_add(1, std::memory_order_release);
}

std::shared_ptr<const WorldSnapshot> Simulator::snapshot() const {
  struct Cache {
    uint64_t instance = 0;
    uint64_t generation = 0;
    std::shared_ptr<const WorldSnapshot> snapshot;
  };
  thread_local Cache cache;
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  if (cache.instance != instance_id_ || cache.generation != generation || !cache.snapshot) {
    std::lock_guard lock(snapshot_mutex_);
    cache.snapshot = snapshot_;
    cache.instance = instance_id_;
    cache.generation = generation;
  }
  return cache.snapshot;
}

void Simulator::install(World world) {
  replace_world(std::move(world), /*clear_mailbox=*/false);
}

void Simulator::replace_world(World world, bool clear_mailbox) {
  std::lock_guard lock(write_mutex_);
  // Saved while both token stores are held: a token issued meanwhile is either deleted from
  // the file and from memory, or kept by both.
  auto save = [&] {
    if (!store_) return;
    StateChange change;
    change.world = &world;
    change.clear_tokens = true;
    change.clear_mailbox = clear_mailbox;
    // In a cluster, the replacement wins over whatever another node changed meanwhile.
    for (int attempt = 1;; ++attempt) {
      try {
        store_->commit(change);
        return;
      } catch (const WorldConflict&) {
        if (attempt == kMaxConflicts) throw;
        // Published: should the replacement fail in the end, this node still holds the
        // cluster's world at the version its store says it does.
        adopt_newer_world();
      }
    }
  };
  tokens_[0].clear([&] { tokens_[1].clear(save); });
  for (auto& app : world.applications) {
    app.quota_slot = 0;
    for (auto& sub : app.subscriptions) sub.quota_slot = 0;
  }
  publish(std::move(world));
}

namespace {
// "sandbox-oauth.piste.gouv.fr:443" -> Endpoint, from the first label of the Host header, so
// that a client pointed at e.g. http://sandbox-oauth.localhost:8080 needs no path prefix.
std::optional<Endpoint> endpoint_from_host(std::string_view host) {
  host = host.substr(0, host.find(':'));
  std::string_view label = host.substr(0, host.find('.'));
  if (label.size() == host.size())
    return std::nullopt;  // "localhost", an IP literal has dots but no PISTE label
  if (iequals(label, "sandbox-oauth")) return Endpoint::SandboxOAuth;
  if (iequals(label, "sandbox-api")) return Endpoint::SandboxApi;
  if (iequals(label, "oauth")) return Endpoint::ProductionOAuth;
  if (iequals(label, "api")) return Endpoint::ProductionApi;
  return std::nullopt;
}

}  // namespace

Response Simulator::not_found() {
  Response r;
  r.status = 404;
  r.headers.set("Content-Type", "application/json");
  r.body =
      R"({"code":"NOT_FOUND","message":"Aucun point d'accès PISTE à cette adresse. Préfixes : /sandbox/oauth, /sandbox/api, /production/oauth, /production/api, /__pistesim"})";
  return r;
}

std::optional<Endpoint> Simulator::route(Request& request) {
  constexpr Endpoint kAll[] = {Endpoint::Control, Endpoint::SandboxOAuth, Endpoint::SandboxApi,
                               Endpoint::ProductionOAuth, Endpoint::ProductionApi};
  for (Endpoint e : kAll) {
    std::string_view prefix = path_prefix(e);
    std::string_view path = request.path;
    if (path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/')) {
      // In place: the path only gets shorter.
      if (path.size() == prefix.size())
        request.path = "/";
      else
        request.path.erase(0, prefix.size());
      return e;
    }
  }
  if (const std::string* host = request.headers.find("Host")) return endpoint_from_host(*host);
  return std::nullopt;
}

Response Simulator::handle(Request request) {
  auto endpoint = route(request);
  return endpoint ? handle(*endpoint, request) : not_found();
}

Response Simulator::handle(Endpoint endpoint, const Request& request) {
  RequestHint hint;
  if (store_ && (endpoint == Endpoint::SandboxApi || endpoint == Endpoint::ProductionApi)) {
    // A gateway call's bearer token: a cluster reads it with its catch-up, in one round trip.
    hint.channel = channel_of(endpoint);
    if (const std::string* authorization = request.headers.find("Authorization"))
      if (auto bearer = parse_bearer(*authorization)) hint.bearer = *bearer;
    // The gateway reads its token and counts its quota holding no lock: in a cluster node's
    // fiber, those round trips suspend it (base/fiber.h).
    return guarded(
        [&] {
          Fiber::Suspendable no_lock_held;
          return dispatch(endpoint, request);
        },
        hint);
  }
  return guarded([&] { return dispatch(endpoint, request); }, hint);
}

Response Simulator::state_not_saved(const StoreError& e) {
  // Nothing of the change was made; the client may try again.
  report_not_saved(e);
  Response r;
  r.status = 503;
  r.headers.set("Content-Type", "application/json");
  r.headers.set("Cache-Control", "no-store");
  r.headers.set("Retry-After", "1");
  if (dynamic_cast<const StoreUnavailable*>(&e) || dynamic_cast<const WorldConflict*>(&e)) {
    r.body =
        R"({"error":"temporarily_unavailable","error_description":"The cluster's shared state (Redis) cannot be reached; nothing was changed or counted"})";
    r.diagnostic = e.what();
    return r;
  }
  r.body =
      R"({"error":"temporarily_unavailable","error_description":"The simulator could not save its state; nothing was changed"})";
  r.diagnostic = "state not saved";
  return r;
}

Response Simulator::dispatch(Endpoint endpoint, const Request& request) {
  if (endpoint == Endpoint::Control) return not_found();  // the control API sits on top
  auto snap = snapshot();
  const Millis arrived = clock_->now_ms();
  if (!journal_.enabled()) return handle_piste(endpoint, request, *snap, arrived, nullptr);
  const int64_t started_us = journal_.elapsed_us();
  ExchangeFacts facts;
  Response response = handle_piste(endpoint, request, *snap, arrived, &facts);
  const bool token_request =
      endpoint == Endpoint::SandboxOAuth || endpoint == Endpoint::ProductionOAuth;
  JournalExchange x = journal_exchange(token_request ? JournalKind::Token : JournalKind::Api,
                                       channel_of(endpoint), request, response, facts);
  x.at_ms = arrived;
  x.elapsed_us = started_us;
  // An injected latency is part of what the client waited, though the core does not sleep it.
  x.duration_us = journal_.elapsed_us() - started_us + response.delay_ms * 1000;
  journal_.record(x);
  return response;
}

Response Simulator::handle_piste(Endpoint endpoint, const Request& request,
                                 const WorldSnapshot& snap, Millis now, ExchangeFacts* facts) {
  Channel channel = channel_of(endpoint);
  if (endpoint == Endpoint::SandboxOAuth || endpoint == Endpoint::ProductionOAuth) {
    if (request.path != "/api/oauth/token") {
      Response r = not_found();
      r.headers.set("Cache-Control", "no-store");
      return r;
    }
    TokenEndpointContext ctx{snap.world,       snap.index, channel,
                             options_.profile, now,        tokens(channel)};
    return handle_token_request(request, ctx, facts);
  }
  GatewayContext ctx{snap.world, snap.index,      channel,       options_.profile,
                     now,        tokens(channel), quotas_,       correlation_ids_,
                     faults_,    &usage_,         &quota_mailer_};
  return handle_gateway_request(request, ctx, facts);
}

}  // namespace pistesim
