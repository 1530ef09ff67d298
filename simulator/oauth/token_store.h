// Issued access tokens of one channel. Sharded by token hash so that issuing and validating
// from many threads rarely meet on one lock; expired tokens are reclaimed as shards are
// written. Safe for concurrent use.
#pragma once

#include <array>
#include <atomic>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "clock/clock.h"

namespace pistesim {

struct TokenRecord {
  std::string application_id;
  std::string client_id;
  std::string scope;  // space-separated, fixed at issue
  Millis issued_ms = 0;
  Millis expires_ms = 0;
  bool revoked = false;

  bool has_scope(std::string_view s) const;
};

enum class TokenState { Valid, Unknown, Expired, Revoked };

class TokenStore {
 public:
  // Inserts a new token. Returns false if the token value already exists (never overwritten).
  bool insert(const std::string& token, TokenRecord record, Millis now);
  // The record and its state at `now`. Unknown tokens yield {Unknown, nullopt}.
  std::pair<TokenState, std::optional<TokenRecord>> lookup(std::string_view token, Millis now) const;
  bool revoke(std::string_view token);
  // Revokes every token of the application; returns how many.
  size_t revoke_application(std::string_view application_id);
  // Makes every token of the application expire at `now` (fault injection, clock tests).
  size_t expire_application(std::string_view application_id, Millis now);
  size_t live_count(Millis now) const;
  void clear();

 private:
  static constexpr size_t kShards = 64;
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, TokenRecord> tokens;
    size_t inserts_since_sweep = 0;
  };
  Shard& shard_of(std::string_view token) const;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace pistesim
