// The state several `pistesim serve --cluster` nodes share through one Redis (docs/cluster.md):
// the world as a versioned log of deltas that nodes change by compare-and-append
// (cluster/cluster_world_log.h), issued tokens,
// quota counters and the clock offset. A StateStore (core/state_store.h), plus the token source
// and shared quotas the simulator's token stores and quota core consult. Safe for concurrent use.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "clock/clock.h"
#include "cluster/cluster_quotas.h"
#include "cluster/cluster_world_log.h"
#include "cluster/redis_client.h"
#include "core/state_store.h"
#include "quota/quota_core.h"

namespace pistesim {

// What a node found when it joined its cluster.
class ClusterShared;

struct ClusterJoin {
  bool created = false;  // the cluster was empty: this node's world is now its world
  World initial_world;   // what POST /reset returns to
  World world;           // the current world
  Millis clock_offset_ms = 0;
};

class ClusterStore final : public StateStore {
 public:
  // Nothing is sent to Redis before join().
  explicit ClusterStore(RedisAddress address, RedisClient::Options options = {});
  ~ClusterStore() override;

  // Joins the cluster: an empty one takes `world` as its initial and current world; otherwise the
  // cluster's worlds are returned (this node then starts from them). Throws StoreError (Redis
  // unreachable, a stored world that does not load).
  ClusterJoin join(const World& world);
  // The clock whose offset follows the cluster's (another node's POST /clock/advance is seen
  // on this node's next request). Set once, before serving.
  void follow_clock(std::shared_ptr<Clock> inner) { clock_ = std::move(inner); }
  // The most quota permits this node takes from Redis at once (ClusterQuotas::set_lease; 1 by
  // default: every call counted there). Set before serving.
  void set_quota_lease(int64_t permits) { quotas_->set_lease(permits); }
  // The most live tokens an OAuth client may hold across the cluster (0: no limit; the
  // simulator's max_live_tokens_per_client): one more makes its oldest expire, on every node.
  void set_max_live_tokens_per_client(size_t n) { max_live_per_client_.store(n); }
  // When the world's log is compacted (tests make it happen sooner). Set before join().
  void set_log_limits(ClusterWorldLog::Limits limits) { log_.set_limits(limits); }

  void commit(const StateChange& change) override;
  void save_clock_offset(Millis offset_ms) override;
  TokenStoreListener& token_listener(Channel channel) override;
  MailboxListener& mailbox_listener() override;
  bool behind(const RequestHint& hint) override;
  std::optional<World> newer_world(const World& current) override;
  void published_newer_world() override { unpublished_.store(false); }

  const TokenSource& token_source(Channel channel) const;
  SharedQuotas& quotas();
  RedisClient& redis() { return redis_; }
  // The mailbox, faults, journal and sessions the nodes share (cluster/cluster_shared.h).
  ClusterShared& shared() { return *shared_; }
  // The world version this node holds (the log position it applied last).
  uint64_t applied_version() const { return applied_.load(); }

  // Key prefix of everything pistesim keeps in Redis.
  static constexpr const char* kPrefix = "pistesim:";

 private:
  class Tokens;
  class Mails;
  static std::string key(const char* name) { return std::string(kPrefix) + name; }
  World load(const std::string& text, const char* which) const;
  // `read` applied: its snapshot if it has one (else `world` as given), then its entries in order.
  World replay(World world, ClusterWorldLog::Read read) const;
  // The world `read` (a snapshot and its entries) gives, now this node's.
  std::optional<World> adopt(ClusterWorldLog::Read read);
  // Redis lost the cluster (restarted without persistence): gives it `current`, this node's
  // world, at this node's version (the first node to do so wins; the others then catch up with
  // it). REQUIRES: called with world changes serialised (newer_world()), so that `current` is the
  // world at applied_.
  void reseed(const World& current);

  // Reads the token and quota generations (a reply to GET: nil is generation 0).
  void note_generations(const RedisReply& tokens, const RedisReply& quotas);
  // Tells every node that the world, the clock or a token changed (a "state" signal), and
  // returns once they have taken note: their next request catches up (behind()).
  void announce();
  // Whether this node hears every signal (ClusterSignals::fresh()): it may then skip catch-ups
  // and keep tokens.
  bool signals_fresh() const;
  // A signal said, or a catch-up found, that something may have moved.
  void note_moved();
  // The key of `token` in the generation this node last read.
  std::string token_key(std::string_view channel, std::string_view token) const;

  RedisClient redis_;
  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> epoch_{0};  // the seeding of the world this node holds (ClusterWorldLog)
  // newer_world() moved applied_ to a world the simulator has not published yet: behind() says
  // true until it has. Set before applied_ moves, cleared once the world is published.
  std::atomic<bool> unpublished_{false};
  // The generations read with the last catch-up (behind()): keys of tokens and quota counters
  // are named after them, so that the gateway's reads and counts need no script.
  std::atomic<long long> token_generation_{0}, quota_generation_{0};
  // Catch-ups skipped while signals are heard (behind()): `moved_` counts the "state" signals
  // and the subscription's changes; `caught_up_` is its value at the last catch-up that found
  // this node up to date, at `caught_up_at_ns_` (steady clock).
  std::atomic<uint64_t> moved_{1}, caught_up_{0};
  std::atomic<int64_t> caught_up_at_ns_{0};
  // Tokens cached by Tokens are valid in one epoch, moved by every token change heard of.
  std::atomic<uint64_t> token_cache_epoch_{0};
  std::atomic<long long> token_changes_{-1};  // `tokens:changes` at the last catch-up
  std::atomic<size_t> max_live_per_client_{0};
  std::shared_ptr<Clock> clock_;
  ClusterWorldLog log_;
  std::mutex initial_mutex_;
  std::string initial_text_;  // for reseed(): the world POST /reset returns to
  std::unique_ptr<Tokens> tokens_[2];
  std::unique_ptr<ClusterQuotas> quotas_;
  std::unique_ptr<Mails> mails_;
  std::unique_ptr<ClusterShared> shared_;  // before redis_ goes: its threads use it
};

}  // namespace pistesim
