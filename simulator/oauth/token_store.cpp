#include "oauth/token_store.h"

#include <functional>
#include <mutex>

namespace pistesim {

bool TokenRecord::has_scope(std::string_view s) const {
  size_t pos = 0;
  while (pos <= scope.size()) {
    size_t sp = scope.find(' ', pos);
    if (sp == std::string::npos) sp = scope.size();
    if (std::string_view(scope).substr(pos, sp - pos) == s) return true;
    pos = sp + 1;
  }
  return false;
}

TokenStore::Shard& TokenStore::shard_of(std::string_view token) const {
  return shards_[std::hash<std::string_view>{}(token) % kShards];
}

bool TokenStore::insert(const std::string& token, TokenRecord record, Millis now) {
  Shard& s = shard_of(token);
  std::unique_lock lock(s.mutex);
  // Sweep a shard once its map has grown by as much as it held, so reclaiming stays O(1)
  // amortised per insert.
  if (++s.inserts_since_sweep > 64 && s.inserts_since_sweep > s.tokens.size()) {
    std::erase_if(s.tokens, [&](const auto& kv) { return kv.second.expires_ms <= now; });
    s.inserts_since_sweep = 0;
  }
  return s.tokens.emplace(token, std::move(record)).second;
}

std::pair<TokenState, std::optional<TokenRecord>> TokenStore::lookup(std::string_view token, Millis now) const {
  Shard& s = shard_of(token);
  std::shared_lock lock(s.mutex);
  auto it = s.tokens.find(std::string(token));
  if (it == s.tokens.end()) return {TokenState::Unknown, std::nullopt};
  const TokenRecord& r = it->second;
  TokenState state = r.revoked ? TokenState::Revoked : (now >= r.expires_ms ? TokenState::Expired : TokenState::Valid);
  return {state, r};
}

bool TokenStore::revoke(std::string_view token) {
  Shard& s = shard_of(token);
  std::unique_lock lock(s.mutex);
  auto it = s.tokens.find(std::string(token));
  if (it == s.tokens.end() || it->second.revoked) return false;
  it->second.revoked = true;
  return true;
}

size_t TokenStore::revoke_application(std::string_view application_id) {
  size_t n = 0;
  for (auto& s : shards_) {
    std::unique_lock lock(s.mutex);
    for (auto& [_, r] : s.tokens)
      if (r.application_id == application_id && !r.revoked) {
        r.revoked = true;
        ++n;
      }
  }
  return n;
}

size_t TokenStore::expire_application(std::string_view application_id, Millis now) {
  size_t n = 0;
  for (auto& s : shards_) {
    std::unique_lock lock(s.mutex);
    for (auto& [_, r] : s.tokens)
      if (r.application_id == application_id && r.expires_ms > now) {
        r.expires_ms = now;
        ++n;
      }
  }
  return n;
}

size_t TokenStore::live_count(Millis now) const {
  size_t n = 0;
  for (auto& s : shards_) {
    std::shared_lock lock(s.mutex);
    for (const auto& [_, r] : s.tokens)
      if (!r.revoked && r.expires_ms > now) ++n;
  }
  return n;
}

void TokenStore::clear() {
  for (auto& s : shards_) {
    std::unique_lock lock(s.mutex);
    s.tokens.clear();
  }
}

}  // namespace pistesim
