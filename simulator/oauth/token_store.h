// Issued access tokens of one channel. Sharded by token hash so that issuing and validating
// from many threads rarely meet on one lock; expired tokens are reclaimed as shards are
// written. Compact: a live token costs about 150 bytes (an inline key and a record of
// pointers into a table of interned strings — application ids, client ids and scopes repeat).
// Safe for concurrent use.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/string_map.h"
#include "clock/clock.h"

namespace pistesim {

// A token's facts. The views point into the store's interned strings: they stay valid as long
// as the store lives (even after clear()).
struct TokenRecord {
  std::string_view application_id;
  std::string_view client_id;
  std::string_view scope;  // space-separated, fixed at issue
  Millis issued_ms = 0;
  Millis expires_ms = 0;
  bool revoked = false;
  // token_fingerprint() of the token: computed once, when it is stored (insert() computes it
  // when the caller left it empty), so that a call with it costs no SHA-256.
  std::array<char, 12> fingerprint{};
  std::string_view fingerprint_view() const { return {fingerprint.data(), fingerprint.size()}; }

  bool has_scope(std::string_view s) const;
};

enum class TokenState { Valid, Unknown, Expired, Revoked };

// The locks a store holds while it makes a change. A listener releases them once it has queued
// the change's save, before it waits for the disk: saves are then queued in exactly the order
// the changes were made in memory (a token issued after a bulk revocation is not revoked on
// disk, one issued before it is), and nobody waits on a store lock during a disk write.
class HeldLocks {
 public:
  // Idempotent.
  virtual void release() = 0;

 protected:
  ~HeldLocks() = default;
};

// Told of every change of a store, synchronously, after the change is made in memory and before
// the changing call returns: what durable state (core/state_store.h) needs so that a change is
// saved before it is acknowledged. Each call gets the locks under which the change was made
// (`held`, see HeldLocks): the save must be queued before they are released. A bulk change
// (of an application, a rewind) excludes every change of one token, so that it falls between
// two inserts on disk where it fell in memory. An implementation may throw (StoreError) to report
// that the change could not be saved; insert() then takes the token back before rethrowing.
class TokenStoreListener {
 public:
  virtual ~TokenStoreListener() = default;
  virtual void inserted(std::string_view token, const TokenRecord& record, HeldLocks& held) = 0;
  virtual void revoked(std::string_view token, HeldLocks& held) = 0;
  virtual void expired(std::string_view token, Millis at, HeldLocks& held) = 0;
  // The store made a client's oldest token expire at `at` to keep within its limit of live
  // tokens (set_max_live_per_client); an expiry like any other, unless the listener keeps the
  // limit itself (a cluster's, over every node's tokens).
  virtual void evicted(std::string_view token, Millis at, HeldLocks& held) {
    expired(token, at, held);
  }
  virtual void application_revoked(std::string_view application_id, HeldLocks& held) = 0;
  virtual void application_expired(std::string_view application_id, Millis at, HeldLocks& held) = 0;
  // TokenStore::rewind(old_now, new_now).
  virtual void rewound(Millis old_now, Millis new_now, HeldLocks& held) = 0;
};

// Tokens held outside this process (a cluster's Redis, docs/cluster.md): when a store has a
// source, lookups ask it (any node validates any node's token; revocation and expiry made on
// one node are seen by all), and changes of tokens this node never held still reach the listener.
struct SharedToken {
  std::string application_id;
  std::string client_id;
  std::string scope;
  Millis issued_ms = 0;
  Millis expires_ms = 0;
  bool revoked = false;
  std::string fingerprint;  // token_fingerprint() of the token, when the source computed it
};
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // nullptr: unknown. Shared: a source may keep the records it hands out. May throw
  // (StoreError): the request is then answered 503.
  virtual std::shared_ptr<const SharedToken> fetch(std::string_view token) const = 0;
  // Live tokens at `now` of every process sharing the source (of one application, when
  // `application_id` is not empty); nullopt: it does not count them (the store then counts its
  // own). May throw (StoreError).
  virtual std::optional<size_t> live_count(Millis /*now*/,
                                           std::string_view /*application_id*/) const {
    return std::nullopt;
  }
};

class TokenStore {
 public:
  // The longest token value a store keeps (PISTE tokens are 54 characters).
  static constexpr size_t kMaxTokenLength = 63;

  // Inserts a new token; the record's strings are copied (interned). Returns false if the
  // token value already exists (never overwritten) or is longer than kMaxTokenLength.
  bool insert(std::string_view token, const TokenRecord& record, Millis now);
  // The record and its state at `now`. Unknown tokens yield {Unknown, nullopt}.
  std::pair<TokenState, std::optional<TokenRecord>> lookup(std::string_view token,
                                                           Millis now) const;
  // Revokes one token; false if unknown or revoked already. With a source (a cluster), what it
  // holds of the token decides, whichever node issued it.
  bool revoke(std::string_view token);
  // Makes one token expire at `now`; false if unknown (here, or to the source).
  bool expire(std::string_view token, Millis now);
  // Revokes every token of the application; returns how many were live at `now` (with a
  // source: every node's, counted just before the change).
  size_t revoke_application(std::string_view application_id, Millis now);
  // Makes every token of the application expire at `now` (fault injection, clock tests);
  // returns how many were live (with a source: every node's, counted just before the change).
  size_t expire_application(std::string_view application_id, Millis now);
  // The clock went back from `old_now` to `new_now` (POST /clock/reset): a token issued after
  // `new_now` belongs to a future that will not come, and one whose lifetime had ended by
  // `old_now` must not come back to life, so both expire at `new_now`. The others (issued before
  // `new_now`, still live at `old_now`) keep their expiry. Returns how many changed.
  size_t rewind(Millis old_now, Millis new_now);
  // Live tokens at `now`: its source's count when it has a source that counts (a cluster's:
  // every node's tokens), else its own.
  size_t live_count(Millis now) const;
  // Tokens held in memory: the live ones, and the expired or revoked ones not yet reclaimed.
  size_t held_count() const;
  // Forgets every token. Not reported to the listener: its owner (the simulator) saves it in
  // `save`, which runs first with every change of one token excluded (in a durable store a token
  // is then issued either before both the save and the clearing, or after both); if `save`
  // throws, nothing is cleared.
  void clear(const std::function<void()>& save = {});
  // REQUIRES: no concurrent use of the store while it is set. nullptr: none.
  void set_listener(TokenStoreListener* listener) { listener_ = listener; }
  // REQUIRES: no concurrent use of the store while it is set. nullptr: none.
  void set_source(const TokenSource* source) { source_ = source; }
  // At most `n` live tokens per OAuth client (0: no limit). Inserting one more makes the
  // client's oldest expire at once: a client asking for a new token on every call must not grow
  // the store for the tokens' whole lifetime (an hour at 40 000 tokens/s is about 20 GB).
  // REQUIRES: no concurrent use of the store while it is set.
  void set_max_live_per_client(size_t n) { max_live_per_client_ = n; }
  // 10 000: ten times the virtual users of an ordinary load test, each holding its own token;
  // small enough that a flooding client's tokens (1.6 MB) stay in cache, which keeps issuing fast.
  static constexpr size_t kDefaultMaxLivePerClient = 10000;

 private:
  // The token value inline (no heap block per token).
  struct Key {
    uint8_t size = 0;
    std::array<char, kMaxTokenLength> chars{};
    std::string_view view() const { return {chars.data(), size}; }
    bool operator==(const Key& o) const { return view() == o.view(); }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return std::hash<std::string_view>{}(k.view()); }
  };
  struct Stored {
    const std::string* application_id;
    const std::string* client_id;
    const std::string* scope;
    Millis issued_ms;
    Millis expires_ms;
    bool revoked;
    std::array<char, 12> fingerprint;
    // In its client's window of live tokens (max_live_per_client): the sweep keeps it, so that
    // the window can evict it through a pointer, without a lookup.
    bool counted = false;
  };
  struct Shard {
    mutable std::shared_mutex mutex;
    // Nodes come from the shard's own pool (used under the shard's lock): packed together and
    // reused as tokens are swept, where malloc scattered them.
    std::pmr::unsynchronized_pool_resource pool;
    std::pmr::unordered_map<Key, Stored, KeyHash> tokens{&pool};
    size_t inserts_since_sweep = 0;
    size_t kept_at_sweep = 0;
    uint64_t epoch = 0;  // bumped by clear(): pointers taken before it are stale
  };
  static constexpr size_t kShards = 64;
  // Each client's tokens in the order they were issued (the oldest first), for the per-client
  // limit; sharded by client. A token swept or revoked meanwhile stays listed until its turn.
  // A token in its client's window: where it is stored, to expire it without a lookup.
  // 32 bytes, not a copy of the key: a client's window holds up to 10 000 of them, and issuing
  // is faster the more of the store stays in cache.
  struct Issued {
    std::pair<const Key, Stored>* entry;  // nodes do not move when the map grows
    Shard* shard;
    uint64_t epoch;     // the shard's when it was stored
    Millis expires_ms;  // as issued: the window's oldest expire first
  };
  struct ClientShard {
    std::mutex mutex;
    std::unordered_map<const std::string*, std::deque<Issued>> issued;
  };
  static constexpr size_t kClientShards = 16;
  // Records the token under its client; returns the key that fell out of the limit, if any.
  // Adds a token to its client's window; *leaving gets those that leave it: the oldest when the
  // window is over max_live_per_client, and those whose lifetime ended (then the sweep may
  // reclaim them).
  void note_issued(const std::string* client_id, const Issued& issued, Millis now,
                   std::vector<Issued>* leaving);
  // Expires a token pushed out of its client's window (and lets the sweep reclaim it).
  void evict(const Issued& oldest, Millis now);

  // In a durable store (with a listener), the change gate held shared by a change of one token
  // until its save is queued; without a listener, nothing (no save to order).
  std::shared_lock<std::shared_mutex> enter_change();

  static std::optional<Key> make_key(std::string_view token);
  Shard& shard_of(const Key& key) const;
  // Stable pointers to copies of the record's application id, client id and scope, shared by
  // every token that carries the same strings (one lock for the three: nearly always known).
  void intern(const TokenRecord& record, Stored* stored) const;
  static TokenRecord to_record(const Stored& s);

  mutable std::array<Shard, kShards> shards_;
  // Held exclusively by a bulk change (an application's tokens, a rewind, clear) and shared by a
  // durable change of one token (enter_change): one lock, where a bulk change used to hold all
  // 64 shards at once (more locks than ThreadSanitizer can follow in one thread).
  std::shared_mutex change_gate_;
  mutable std::shared_mutex intern_mutex_;
  // Node-based: element addresses are stable.
  mutable StringSet interned_;
  std::array<ClientShard, kClientShards> clients_;
  size_t max_live_per_client_ = kDefaultMaxLivePerClient;
  TokenStoreListener* listener_ = nullptr;
  const TokenSource* source_ = nullptr;
  std::pair<TokenState, std::optional<TokenRecord>> lookup_shared(std::string_view token,
                                                                  Millis now) const;
};

}  // namespace pistesim
