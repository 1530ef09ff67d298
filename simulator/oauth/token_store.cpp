#include "oauth/token_store.h"

#include <algorithm>
#include <functional>

#include "crypto/secrets.h"

namespace pistesim {

namespace {
// What a change of one token holds while its save is queued: its shard's lock and, in a durable
// store, the change gate (shared), released shard first.
class HeldShard final : public HeldLocks {
 public:
  HeldShard(std::shared_lock<std::shared_mutex>& gate, std::unique_lock<std::shared_mutex>& shard)
      : gate_(gate), shard_(shard) {}
  void release() override {
    if (shard_.owns_lock()) shard_.unlock();
    if (gate_.owns_lock()) gate_.unlock();
  }

 private:
  std::shared_lock<std::shared_mutex>& gate_;
  std::unique_lock<std::shared_mutex>& shard_;
};

// What a bulk change holds while its save is queued: the change gate, exclusively.
class HeldGate final : public HeldLocks {
 public:
  explicit HeldGate(std::unique_lock<std::shared_mutex>& gate) : gate_(gate) {}
  void release() override {
    if (gate_.owns_lock()) gate_.unlock();
  }

 private:
  std::unique_lock<std::shared_mutex>& gate_;
};
}  // namespace

std::shared_lock<std::shared_mutex> TokenStore::enter_change() {
  if (!listener_) return {};
  return std::shared_lock(change_gate_);
}

bool TokenRecord::has_scope(std::string_view s) const {
  size_t pos = 0;
  while (pos <= scope.size()) {
    size_t sp = scope.find(' ', pos);
    if (sp == std::string_view::npos) sp = scope.size();
    if (scope.substr(pos, sp - pos) == s) return true;
    pos = sp + 1;
  }
  return false;
}

std::optional<TokenStore::Key> TokenStore::make_key(std::string_view token) {
  if (token.size() > kMaxTokenLength) return std::nullopt;
  Key k;
  k.size = static_cast<uint8_t>(token.size());
  token.copy(k.chars.data(), token.size());
  return k;
}

TokenStore::Shard& TokenStore::shard_of(const Key& key) const {
  return shards_[KeyHash{}(key) % kShards];
}

void TokenStore::intern(const TokenRecord& record, Stored* stored) const {
  const std::array<std::pair<std::string_view, const std::string**>, 3> strings{{
      {record.application_id, &stored->application_id},
      {record.client_id, &stored->client_id},
      {record.scope, &stored->scope},
  }};
  {
    // Nearly always known already: readers do not wait for one another, even when one of them
    // is preempted while it holds the lock (a plain mutex here stalled every token request).
    std::shared_lock lock(intern_mutex_);
    bool all_known = true;
    for (auto [text, out] : strings) {
      auto it = interned_.find(text);
      *out = it == interned_.end() ? nullptr : &*it;
      all_known = all_known && *out;
    }
    if (all_known) return;
  }
  std::unique_lock lock(intern_mutex_);
  for (auto [text, out] : strings)
    if (!*out) *out = &*interned_.emplace(text).first;
}

TokenRecord TokenStore::to_record(const Stored& s) {
  return {*s.application_id, *s.client_id, *s.scope,     s.issued_ms,
          s.expires_ms,      s.revoked,    s.fingerprint};
}

bool TokenStore::insert(std::string_view token, const TokenRecord& record, Millis now) {
  auto key = make_key(token);
  if (!key) return false;
  Stored stored{nullptr,           nullptr,        nullptr,           record.issued_ms,
                record.expires_ms, record.revoked, record.fingerprint};
  intern(record, &stored);
  if (stored.fingerprint[0] == '\0') {
    const std::string fingerprint = token_fingerprint(token);
    std::copy_n(fingerprint.begin(), stored.fingerprint.size(), stored.fingerprint.begin());
  }
  stored.counted = max_live_per_client_ > 0;
  Shard& s = shard_of(*key);
  Issued issued{nullptr, &s, 0, record.expires_ms};
  auto gate = enter_change();
  std::unique_lock lock(s.mutex);
  // Sweep a shard once it has taken as many tokens as it kept at its last sweep: reclaiming
  // stays O(1) amortised per insert and the shard never holds more than about twice its live
  // tokens.
  if (++s.inserts_since_sweep > std::max<size_t>(64, s.kept_at_sweep)) {
    std::erase_if(s.tokens, [&](const auto& kv) {
      return kv.second.expires_ms <= now && !kv.second.counted;
    });
    s.inserts_since_sweep = 0;
    s.kept_at_sweep = s.tokens.size();
  }
  auto [it, inserted] = s.tokens.emplace(*key, stored);
  if (!inserted) return false;
  issued.entry = &*it;  // nodes do not move when the map grows
  issued.epoch = s.epoch;
  if (listener_) {
    // Queued under the shard lock, waited for outside it. Nobody knows the value yet (it is
    // returned to its client only after this), so the token being visible early is harmless.
    HeldShard held(gate, lock);
    try {
      listener_->inserted(token, record, held);
    } catch (...) {
      if (!lock.owns_lock()) lock.lock();
      s.tokens.erase(*key);
      throw;
    }
  }
  if (lock.owns_lock()) lock.unlock();
  if (gate.owns_lock()) gate.unlock();
  if (max_live_per_client_ > 0) {
    thread_local std::vector<Issued> leaving;  // reused: no allocation per token
    leaving.clear();
    note_issued(stored.client_id, issued, now, &leaving);
    // The new token is issued and saved whatever happens here: an eviction that could not be
    // saved only leaves the old token valid again after a restart, as it would be unlimited.
    for (const Issued& oldest : leaving) {
      try {
        evict(oldest, now);
      } catch (...) {
      }
    }
  }
  return true;
}

void TokenStore::evict(const Issued& oldest, Millis now) {
  auto gate = enter_change();
  std::unique_lock lock(oldest.shard->mutex);
  if (oldest.shard->epoch != oldest.epoch) return;  // cleared since: the node is gone
  Stored& s = oldest.entry->second;
  s.counted = false;  // from here the sweep may reclaim the node: keep its key
  const Key key = oldest.entry->first;
  const bool changed = s.expires_ms > now;
  if (changed) s.expires_ms = now;
  if (changed && listener_) {
    HeldShard held(gate, lock);
    listener_->evicted(key.view(), now, held);
  }
}

void TokenStore::note_issued(const std::string* client_id, const Issued& token, Millis now,
                             std::vector<Issued>* leaving) {
  ClientShard& c = clients_[std::hash<const void*>{}(client_id) % kClientShards];
  std::lock_guard lock(c.mutex);
  std::deque<Issued>& issued = c.issued[client_id];
  issued.push_back(token);
  while (!issued.empty() &&
         (issued.size() > max_live_per_client_ || issued.front().expires_ms <= now)) {
    leaving->push_back(issued.front());
    issued.pop_front();
  }
}

std::pair<TokenState, std::optional<TokenRecord>> TokenStore::lookup_shared(std::string_view token,
                                                                            Millis now) const {
  std::shared_ptr<const SharedToken> shared = source_->fetch(token);
  if (!shared) return {TokenState::Unknown, std::nullopt};
  TokenRecord record{shared->application_id, shared->client_id,  shared->scope,
                     shared->issued_ms,      shared->expires_ms, shared->revoked};
  Stored stored{};
  // Interned: the record's views must outlive this call (TokenRecord's contract).
  intern(record, &stored);
  stored.issued_ms = shared->issued_ms;
  stored.expires_ms = shared->expires_ms;
  stored.revoked = shared->revoked;
  const std::string fingerprint = shared->fingerprint.size() == stored.fingerprint.size()
                                      ? shared->fingerprint
                                      : token_fingerprint(token);
  std::copy_n(fingerprint.begin(), stored.fingerprint.size(), stored.fingerprint.begin());
  TokenState state = stored.revoked
                         ? TokenState::Revoked
                         : (now >= stored.expires_ms ? TokenState::Expired : TokenState::Valid);
  return {state, to_record(stored)};
}

std::pair<TokenState, std::optional<TokenRecord>> TokenStore::lookup(std::string_view token,
                                                                     Millis now) const {
  auto key = make_key(token);
  if (!key) return {TokenState::Unknown, std::nullopt};
  if (source_) return lookup_shared(token, now);
  Shard& s = shard_of(*key);
  std::shared_lock lock(s.mutex);
  auto it = s.tokens.find(*key);
  if (it == s.tokens.end()) return {TokenState::Unknown, std::nullopt};
  const Stored& r = it->second;
  TokenState state = r.revoked ? TokenState::Revoked
                               : (now >= r.expires_ms ? TokenState::Expired : TokenState::Valid);
  return {state, to_record(r)};
}

bool TokenStore::revoke(std::string_view token) {
  auto key = make_key(token);
  if (!key) return false;
  if (source_) {
    std::shared_ptr<const SharedToken> shared = source_->fetch(token);
    if (!shared || shared->revoked) return false;
  }
  Shard& s = shard_of(*key);
  auto gate = enter_change();
  std::unique_lock lock(s.mutex);
  auto it = s.tokens.find(*key);
  if (source_ && listener_) {
    // The shared copy is what counts, whichever node issued the token and whatever this one
    // holds of it (a token it pushed out of its memory may still be live in the cluster).
    if (it != s.tokens.end()) it->second.revoked = true;
    HeldShard held(gate, lock);
    listener_->revoked(token, held);
    return true;
  }
  if (it == s.tokens.end() || it->second.revoked) return false;
  it->second.revoked = true;
  if (listener_) {
    HeldShard held(gate, lock);
    listener_->revoked(token, held);
  }
  return true;
}

bool TokenStore::expire(std::string_view token, Millis now) {
  auto key = make_key(token);
  if (!key) return false;
  if (source_ && !source_->fetch(token)) return false;
  Shard& s = shard_of(*key);
  auto gate = enter_change();
  std::unique_lock lock(s.mutex);
  auto it = s.tokens.find(*key);
  if (source_ && listener_) {  // as in revoke()
    if (it != s.tokens.end() && it->second.expires_ms > now) it->second.expires_ms = now;
    HeldShard held(gate, lock);
    listener_->expired(token, now, held);
    return true;
  }
  if (it == s.tokens.end()) return false;
  bool changed = it->second.expires_ms > now;
  if (changed) it->second.expires_ms = now;
  if (changed && listener_) {
    HeldShard held(gate, lock);
    listener_->expired(token, now, held);
  }
  return true;
}

// A bulk change holds the change gate, so that no token changes half-way through it: each
// token's save is queued either before the bulk change's save or after it, as in memory. It
// takes the shards one at a time (readers wait for one shard, not for the whole change).
size_t TokenStore::revoke_application(std::string_view application_id, Millis now) {
  std::unique_lock gate(change_gate_);
  const std::optional<size_t> shared =
      source_ ? source_->live_count(now, application_id) : std::nullopt;
  size_t n = 0, live = 0;
  for (auto& s : shards_) {
    std::unique_lock lock(s.mutex);
    for (auto& [_, r] : s.tokens)
      if (*r.application_id == application_id && !r.revoked) {
        r.revoked = true;
        ++n;
        live += r.expires_ms > now;
      }
  }
  HeldGate held(gate);
  if ((n > 0 || source_) && listener_) listener_->application_revoked(application_id, held);
  return shared.value_or(live);
}

size_t TokenStore::expire_application(std::string_view application_id, Millis now) {
  std::unique_lock gate(change_gate_);
  const std::optional<size_t> shared =
      source_ ? source_->live_count(now, application_id) : std::nullopt;
  size_t n = 0, live = 0;
  for (auto& s : shards_) {
    std::unique_lock lock(s.mutex);
    for (auto& [_, r] : s.tokens)
      if (*r.application_id == application_id && r.expires_ms > now) {
        r.expires_ms = now;
        ++n;
        live += !r.revoked;
      }
  }
  HeldGate held(gate);
  if ((n > 0 || source_) && listener_) listener_->application_expired(application_id, now, held);
  return shared.value_or(live);
}

size_t TokenStore::held_count() const {
  size_t n = 0;
  for (auto& s : shards_) {
    std::shared_lock lock(s.mutex);
    n += s.tokens.size();
  }
  return n;
}

size_t TokenStore::rewind(Millis old_now, Millis new_now) {
  std::unique_lock gate(change_gate_);
  size_t n = 0;
  for (auto& s : shards_) {
    std::unique_lock lock(s.mutex);
    for (auto& [_, r] : s.tokens)
      if (r.expires_ms > new_now && (r.issued_ms > new_now || r.expires_ms <= old_now)) {
        r.expires_ms = new_now;
        ++n;
      }
  }
  HeldGate held(gate);
  // Told even when nothing changed in memory: the file may hold tokens the sweep dropped here.
  if (listener_) listener_->rewound(old_now, new_now, held);
  return n;
}

size_t TokenStore::live_count(Millis now) const {
  if (source_)
    if (std::optional<size_t> shared = source_->live_count(now, {})) return *shared;
  size_t n = 0;
  for (auto& s : shards_) {
    std::shared_lock lock(s.mutex);
    for (const auto& [_, r] : s.tokens)
      if (!r.revoked && r.expires_ms > now) ++n;
  }
  return n;
}

void TokenStore::clear(const std::function<void()>& save) {
  {
    std::unique_lock gate(change_gate_);
    if (save) save();
    for (auto& s : shards_) {
      std::unique_lock lock(s.mutex);
      s.tokens.clear();
      s.inserts_since_sweep = s.kept_at_sweep = 0;
      ++s.epoch;
    }
  }
  for (auto& c : clients_) {
    std::lock_guard lock(c.mutex);
    c.issued.clear();
  }
}

}  // namespace pistesim
