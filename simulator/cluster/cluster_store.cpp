#include "cluster/cluster_store.h"

#include <cassert>
#include <chrono>
#include <cstdio>
#include <unordered_map>

#include "cluster/cluster_scripts.h"
#include "cluster/cluster_shared.h"
#include "crypto/secrets.h"
#include "world/world_delta.h"
#include "world/world_loader.h"
#include "world/world_writer.h"

namespace pistesim {

namespace {

namespace scripts = cluster_scripts;

const char* channel_name(Channel c) {
  return c == Channel::Production ? "production" : "sandbox";
}

// Expired tokens stay readable this long (an expired token is answered as expired, not as
// unknown), then Redis forgets them.
constexpr Millis kKeepExpiredTokenMs = 3600 * 1000;

// A node that hears every signal still catches up this often (ClusterStore::behind()).
constexpr int64_t kCatchUpEveryNs = 1'000'000'000;

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A positive TTL for PEXPIRE.
Millis keep_for(Millis ms) {
  return ms < 1000 ? 1000 : ms;
}

// A token's record, as the issue script stores it (HMGET of these fields).
const std::vector<std::string> kTokenFields{"app",    "client",  "scope",
                                            "issued", "expires", "revoked"};
// With the token's fingerprint: a node keeps the record for the token's later calls.
std::shared_ptr<const SharedToken> token_from(std::string_view token, const RedisReply& r) {
  if (r.elements.size() != kTokenFields.size() || r.elements[0].nil()) return nullptr;
  auto t = std::make_shared<SharedToken>();
  t->application_id = r.elements[0].text;
  t->client_id = r.elements[1].text;
  t->scope = r.elements[2].text;
  t->issued_ms = r.elements[3].as_integer();
  t->expires_ms = r.elements[4].as_integer();
  t->revoked = r.elements[5].text == "1";
  t->fingerprint = token_fingerprint(token);
  return t;
}

// The bearer token a request's catch-up read along with the world's version (behind()), for
// the token lookup that follows on the same thread: a gateway call then costs one round trip
// less. Taken by the first lookup of that token; every catch-up starts it afresh.
struct Prefetched {
  const void* store = nullptr;
  const char* channel = nullptr;
  std::string token;
  std::shared_ptr<const SharedToken> record;
  uint64_t cache_epoch = 0;  // the token cache's, read before the record was
};
thread_local Prefetched prefetched;

#ifndef NDEBUG
// Debug builds (the sanitizer runs) check every entry before it is sent: applied to the world it
// was made from, it gives the world made (quota counters aside: they are the simulator's).
bool reproduces(const World& previous, const std::string& delta, const World& made) {
  World applied = previous, expected = made;
  if (!apply_world_delta(applied, delta, "entry").empty()) return false;
  for (World* w : {&applied, &expected})
    for (auto& app : w->applications) {
      app.quota_slot = 0;
      for (auto& sub : app.subscriptions) sub.quota_slot = 0;
    }
  return applied == expected;
}
#endif

}  // namespace

// Every change of a token goes to Redis before the change is acknowledged, under the token
// store's locks (so that Redis sees changes in the order this node made them).
class ClusterStore::Tokens final : public TokenStoreListener, public TokenSource {
 public:
  Tokens(ClusterStore& store, Channel channel) : store_(store), channel_(channel_name(channel)) {}
  const char* channel() const { return channel_; }

  void inserted(std::string_view token, const TokenRecord& r, HeldLocks&) override {
    const RedisReply stored = store_.redis_.eval(
        scripts::issue(), {key("tokens:gen")},
        {kPrefix, channel_, std::string(token), std::string(r.application_id),
         std::string(r.client_id), std::string(r.scope), std::to_string(r.issued_ms),
         std::to_string(r.expires_ms),
         std::to_string(keep_for(r.expires_ms - r.issued_ms + kKeepExpiredTokenMs)),
         std::to_string(r.issued_ms), std::to_string(store_.max_live_per_client_.load())});
    // The client's oldest tokens went over the cluster's limit and expired: nodes that keep
    // them must hear of it.
    if (stored.as_integer(0) == 2) store_.announce();
  }
  void revoked(std::string_view token, HeldLocks&) override {
    store_.redis_.eval(scripts::change_token(), {key("tokens:gen")},
                       {kPrefix, channel_, std::string(token), "revoke"});
    store_.announce();
  }
  void expired(std::string_view token, Millis at, HeldLocks&) override {
    store_.redis_.eval(scripts::change_token(), {key("tokens:gen")},
                       {kPrefix, channel_, std::string(token), std::to_string(at)});
    store_.announce();
  }
  // The cluster's limit, kept by the issue script over every node's tokens, is the one that
  // counts: the store's own (the same figure, over this node's) only bounds its memory, and its
  // order may differ a little from the cluster's when tokens are issued at once.
  void evicted(std::string_view, Millis, HeldLocks&) override {}
  void application_revoked(std::string_view application_id, HeldLocks&) override {
    store_.redis_.eval(scripts::change_application(), {key("tokens:gen")},
                       {kPrefix, channel_, std::string(application_id), "revoke"});
    store_.announce();
  }
  void application_expired(std::string_view application_id, Millis at, HeldLocks&) override {
    store_.redis_.eval(scripts::change_application(), {key("tokens:gen")},
                       {kPrefix, channel_, std::string(application_id), std::to_string(at)});
    store_.announce();
  }
  void rewound(Millis old_now, Millis new_now, HeldLocks&) override {
    store_.redis_.eval(scripts::rewind(), {key("tokens:gen")},
                       {kPrefix, channel_, std::to_string(old_now), std::to_string(new_now)});
    store_.announce();
  }

  std::optional<size_t> live_count(Millis now, std::string_view application_id) const override {
    std::vector<std::string> args{kPrefix, channel_, std::to_string(now)};
    if (!application_id.empty()) args.emplace_back(application_id);
    const long long n =
        store_.redis_.eval(scripts::live_tokens(), {key("tokens:gen")}, args).as_integer(-1);
    if (n < 0) throw StoreUnavailable("cluster store: unexpected live token count reply");
    return static_cast<size_t>(n);
  }

  std::shared_ptr<const SharedToken> fetch(std::string_view token) const override {
    if (prefetched.store == &store_ && prefetched.channel == channel_ &&
        prefetched.token == token) {
      prefetched.store = nullptr;
      remember(token, prefetched.record, prefetched.cache_epoch);
      return std::move(prefetched.record);
    }
    const uint64_t epoch = store_.token_cache_epoch_.load();
    const bool pushed = store_.signals_fresh();
    if (pushed)
      if (auto hit = cached(token, epoch)) return hit;
    std::vector<std::string> hmget{"HMGET", store_.token_key(channel_, token)};
    hmget.insert(hmget.end(), kTokenFields.begin(), kTokenFields.end());
    std::shared_ptr<const SharedToken> record =
        token_from(token, store_.redis_.round_trip({hmget}).front());
    if (pushed) remember(token, record, epoch);
    return record;
  }

 private:
  // Tokens read from Redis, kept while nothing changed any token (docs/cluster.md, "Tokens"):
  // valid for the cache epoch they were read in, which every token change moves on every node.
  // Never held across a round trip (base/fiber.h).
  std::shared_ptr<const SharedToken> cached(std::string_view token, uint64_t epoch) const {
    std::lock_guard lock(cache_mutex_);
    if (cache_epoch_ != epoch) return nullptr;
    auto it = cache_.find(token);
    if (it == cache_.end()) return nullptr;
    return it->second;
  }
  // `epoch`: the cache epoch read before `record` was; a change since makes it unfit to keep.
  void remember(std::string_view token, const std::shared_ptr<const SharedToken>& record,
                uint64_t epoch) const {
    if (!record) return;  // unknown tokens are not kept: one issued later would be missed
    std::lock_guard lock(cache_mutex_);
    if (epoch != store_.token_cache_epoch_.load()) return;
    if (cache_epoch_ != epoch || cache_.size() >= kMaxCachedTokens) {
      cache_.clear();
      cache_epoch_ = epoch;
    }
    cache_.emplace(std::string(token), record);
  }

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static constexpr size_t kMaxCachedTokens = 200'000;

  ClusterStore& store_;
  const char* channel_;  // channel_name()'s: compared by address
  mutable std::mutex cache_mutex_;
  mutable uint64_t cache_epoch_ = 0;
  mutable std::unordered_map<std::string, std::shared_ptr<const SharedToken>, Hash, std::equal_to<>>
      cache_;
};

// The mailbox stays per node for now (docs/cluster.md, "What is not shared yet").
class ClusterStore::Mails final : public MailboxListener {
 public:
  void delivered(const Email&) override {}
  void cleared(uint64_t) override {}
};

ClusterStore::ClusterStore(RedisAddress address, RedisClient::Options options)
    : redis_(std::move(address), options),
      log_(redis_, kPrefix),
      quotas_(std::make_unique<ClusterQuotas>(redis_, kPrefix, quota_generation_)),
      mails_(std::make_unique<Mails>()),
      shared_(std::make_unique<ClusterShared>(redis_, kPrefix)) {
  for (Channel c : kChannels) tokens_[static_cast<int>(c)] = std::make_unique<Tokens>(*this, c);
  // What this node heard may be wrong from here on: a change announced, or signals lost or
  // found again (announcements may have been missed meanwhile).
  ClusterSignals& signals = shared_->signals();
  signals.on("state", [this] { note_moved(); });
  signals.on_subscribed([this] { note_moved(); });
  signals.on_lost([this] { note_moved(); });
}

ClusterStore::~ClusterStore() = default;

World ClusterStore::load(const std::string& text, const char* which) const {
  WorldLoadResult loaded = load_world_string(
      text, redis_.address().url() + " (" + which + " world)", WorldChecks::Saved);
  if (!loaded.ok())
    throw StoreError("cluster store " + redis_.address().url() + ": its " + which +
                     " world does not load: " + loaded.errors.front().to_string());
  return std::move(loaded.world);
}

World ClusterStore::replay(World world, ClusterWorldLog::Read read) const {
  if (read.snapshot) world = load(*read.snapshot, "snapshot");
  for (const std::string& entry : read.entries) {
    std::vector<WorldError> errors =
        apply_world_delta(world, entry, redis_.address().url() + " (world log entry)");
    if (!errors.empty())
      throw StoreError("cluster store " + redis_.address().url() +
                       ": a world log entry does not apply: " + errors.front().to_string());
  }
  return world;
}

ClusterJoin ClusterStore::join(const World& world) {
  ClusterJoin out;
  const std::string text = write_world_toml(world);
  out.created = log_.seed(text, text, 1).has_value();
  // The snapshot and every entry since, in one atomic read; then what else a node starts from.
  std::optional<ClusterWorldLog::Read> read = log_.read(-1, 0);
  RedisReply r = redis_.command(
      {"MGET", key("world:initial"), key("clock:offset"), key("tokens:gen"), key("quotas:gen")});
  if (!read || r.elements.size() != 4 || r.elements[0].nil())
    throw StoreUnavailable("cluster store " + redis_.address().url() +
                           ": the cluster's world vanished while joining");
  const uint64_t version = read->head, epoch = read->epoch;
  out.world = out.created ? world : replay(World{}, std::move(*read));
  out.initial_world = out.created ? world : load(r.elements[0].text, "initial");
  out.clock_offset_ms = r.elements[1].as_integer(0);
  note_generations(r.elements[2], r.elements[3]);
  applied_.store(version);
  epoch_.store(epoch);
  std::lock_guard lock(initial_mutex_);
  initial_text_ = out.created ? text : std::move(r.elements[0].text);
  return out;
}

void ClusterStore::reseed(const World& current) {
  std::string initial;
  {
    std::lock_guard lock(initial_mutex_);
    initial = initial_text_;
  }
  if (initial.empty()) return;  // not joined yet
  if (clock_)
    redis_.command({"SET", key("clock:offset"), std::to_string(clock_->offset_ms()), "NX"});
  const std::optional<uint64_t> epoch =
      log_.seed(write_world_toml(current), initial, applied_.load());
  if (!epoch) return;  // another node did it first: this one catches up with it
  epoch_.store(*epoch);
  std::fprintf(stderr,
               "pistesim: cluster store %s had lost the cluster's world (restarted without "
               "persistence?); this node gave it its own, at version %llu\n",
               redis_.address().url().c_str(), static_cast<unsigned long long>(applied_.load()));
}

void ClusterStore::commit(const StateChange& change) {
  ClusterWorldLog::Append append;
  // Only what changed, when the change can be said so; a new snapshot otherwise (a reset, an
  // install, a world whose entities moved).
  if (change.world && change.previous_world && !change.initial_world)
    append.delta = write_world_delta(*change.previous_world, *change.world);
  assert(!append.delta || reproduces(*change.previous_world, *append.delta, *change.world));
  if (change.world && !append.delta) append.world = write_world_toml(*change.world);
  if (change.initial_world) append.initial = write_world_toml(*change.initial_world);
  append.clear_tokens = change.clear_tokens;
  append.revoked_applications = change.revoked_applications;
  const ClusterWorldLog::Appended done = log_.append(applied_.load(), epoch_.load(), append);
  if (!done.ok)
    throw WorldConflict("cluster store " + redis_.address().url() +
                        ": another node changed the world first");
  applied_.store(done.version);
  if (!append.initial.empty()) {
    std::lock_guard lock(initial_mutex_);
    initial_text_ = std::move(append.initial);
  }
  announce();
  if (!done.compact_due || !change.world) return;
  try {
    log_.compact(done.version,
                 append.delta ? write_world_toml(*change.world) : std::move(append.world));
  } catch (const StoreError& e) {
    // The change stands (it is in the log); the next append finds the log still due.
    std::fprintf(stderr, "pistesim: cluster store: the world log was not compacted: %s\n",
                 e.what());
  }
}

void ClusterStore::save_clock_offset(Millis offset_ms) {
  redis_.eval(scripts::set_clock_offset(), {key("clock:offset"), key("quotas:gen")},
              {std::to_string(offset_ms)});
  announce();
}

TokenStoreListener& ClusterStore::token_listener(Channel channel) {
  return *tokens_[static_cast<int>(channel)];
}

const TokenSource& ClusterStore::token_source(Channel channel) const {
  return *tokens_[static_cast<int>(channel)];
}

MailboxListener& ClusterStore::mailbox_listener() {
  return *mails_;
}

SharedQuotas& ClusterStore::quotas() {
  return *quotas_;
}

void ClusterStore::note_generations(const RedisReply& tokens, const RedisReply& quotas) {
  token_generation_.store(tokens.as_integer(0));
  quota_generation_.store(quotas.as_integer(0));
}

std::string ClusterStore::token_key(std::string_view channel, std::string_view token) const {
  return std::string(kPrefix) + "t:" + std::to_string(token_generation_.load()) + ":" +
         std::string(channel) + ":" + std::string(token);
}

void ClusterStore::announce() {
  try {
    shared_->signals().broadcast("state");
  } catch (const StoreError& e) {
    // The change stands. Nodes that hear no signal catch up on every request; the others do
    // at least once a second (kCatchUpEveryNs), and find it then.
    std::fprintf(stderr, "pistesim: cluster store: a change was not announced: %s\n", e.what());
  }
}

bool ClusterStore::signals_fresh() const {
  return shared_->signals().fresh();
}

void ClusterStore::note_moved() {
  moved_.fetch_add(1);
  token_cache_epoch_.fetch_add(1);
}

bool ClusterStore::behind(const RequestHint& hint) {
  prefetched.store = nullptr;
  const uint64_t moved = moved_.load();
  const int64_t now_ns = steady_ns();
  // Nothing was announced since the last catch-up, and this node would have heard it: the
  // common case of a gateway call, which then asks Redis nothing here. A catch-up still runs
  // every second (kCatchUpEveryNs), should an announcement have been lost (its sender failed).
  if (moved == caught_up_.load() && now_ns - caught_up_at_ns_.load() < kCatchUpEveryNs &&
      signals_fresh())
    return false;
  const uint64_t cache_epoch = token_cache_epoch_.load();
  // One round trip: the world's version, the clock offset, the generations and, for a gateway
  // call, its bearer token (named in the generation read last; used only if it did not change).
  std::vector<std::vector<std::string>> commands{{"MGET", key("world:version"), key("clock:offset"),
                                                  key("tokens:gen"), key("quotas:gen"),
                                                  key("world:epoch"), key("tokens:changes")}};
  const char* channel = tokens_[static_cast<int>(hint.channel)]->channel();
  const long long generation = token_generation_.load();
  if (!hint.bearer.empty() && hint.bearer.size() <= TokenStore::kMaxTokenLength) {
    commands.push_back({"HMGET", token_key(channel, hint.bearer)});
    commands.back().insert(commands.back().end(), kTokenFields.begin(), kTokenFields.end());
  }
  std::vector<RedisReply> replies = redis_.round_trip(commands);
  const RedisReply& r = replies[0];
  if (r.elements.size() == 6 && r.elements[0].nil()) {
    // Redis lost the cluster (it restarted empty): newer_world() gives it this node's world.
    // Its generations are gone with it (read as 0).
    note_generations(r.elements[2], r.elements[3]);
    note_moved();
    return true;
  }
  if (r.elements.size() != 6 || r.elements[0].nil())
    throw StoreUnavailable("cluster store " + redis_.address().url() + " holds no world");
  if (clock_ && !r.elements[1].nil()) {
    const Millis offset = r.elements[1].as_integer(0);
    if (offset != clock_->offset_ms()) clock_->set_offset(offset);
  }
  note_generations(r.elements[2], r.elements[3]);
  const long long changes = r.elements[5].as_integer(0);
  const bool tokens_moved =
      token_changes_.exchange(changes) != changes || token_generation_.load() != generation;
  if (tokens_moved) {
    // A token changed that no signal told this node of (or a generation began): the tokens it
    // keeps are dropped; the one read here went by the old generation's name: not used.
    token_cache_epoch_.fetch_add(1);
  } else if (replies.size() == 2) {
    prefetched = {this, channel, std::string(hint.bearer), token_from(hint.bearer, replies[1]),
                  cache_epoch};
  }
  // applied_ is read before unpublished_, which is set before applied_ moves: a version taken
  // for this node's while another thread still publishes its world is caught by the flag.
  if (static_cast<uint64_t>(r.elements[0].as_integer()) != applied_.load() ||
      static_cast<uint64_t>(r.elements[4].as_integer()) != epoch_.load() || unpublished_.load())
    return true;
  if (tokens_moved) return false;  // the next request checks again before skipping
  // Up to date as of `moved`: later requests skip the catch-up until something moves.
  uint64_t before = caught_up_.load();
  while (before != moved && !caught_up_.compare_exchange_weak(before, moved)) {
  }
  caught_up_at_ns_.store(now_ns);
  return false;
}

std::optional<World> ClusterStore::newer_world(const World& current) {
  // The version alone first: entries travel only when it moved.
  const std::vector<std::string> head_read{"MGET", key("world:version"), key("world:epoch")};
  RedisReply head = redis_.command(head_read);
  if (head.elements.size() == 2 && head.elements[0].nil()) {
    reseed(current);
    head = redis_.command(head_read);
  }
  if (head.elements.size() != 2 || head.elements[0].nil())
    throw StoreUnavailable("cluster store " + redis_.address().url() + " holds no world");
  const auto up_to_date = [&](uint64_t version, uint64_t epoch) {
    return version == applied_.load() && epoch == epoch_.load();
  };
  if (up_to_date(static_cast<uint64_t>(head.elements[0].as_integer()),
                 static_cast<uint64_t>(head.elements[1].as_integer())))
    return std::nullopt;
  std::optional<ClusterWorldLog::Read> read =
      log_.read(static_cast<int64_t>(applied_.load()), epoch_.load());
  if (!read) throw StoreUnavailable("cluster store " + redis_.address().url() + " holds no world");
  if (up_to_date(read->head, read->epoch)) return std::nullopt;
  const uint64_t version = read->head, epoch = read->epoch;
  const bool from_snapshot = read->snapshot.has_value();
  // A copy of this node's world with the missed entries applied: a parse of the change only.
  std::optional<World> world;
  try {
    world = replay(from_snapshot ? World{} : current, std::move(*read));
  } catch (const StoreError& e) {
    if (from_snapshot) throw;
    // Entries that do not fit this node's world (it should not happen): start again from the
    // snapshot, as a joining node does.
    std::fprintf(stderr, "pistesim: %s; reloading the cluster's world\n", e.what());
    read = log_.read(-1, 0);
    if (!read)
      throw StoreUnavailable("cluster store " + redis_.address().url() + " holds no world");
    return adopt(std::move(*read));
  }
  unpublished_.store(true);
  applied_.store(version);
  epoch_.store(epoch);
  return world;
}

std::optional<World> ClusterStore::adopt(ClusterWorldLog::Read read) {
  const uint64_t version = read.head, epoch = read.epoch;
  World world = replay(World{}, std::move(read));
  unpublished_.store(true);
  applied_.store(version);
  epoch_.store(epoch);
  return world;
}

}  // namespace pistesim
