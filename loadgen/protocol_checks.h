// The protocol checks made on every answer under load: a token response must be RFC 6749 §5.1
// valid, a refusal must carry PISTE's headers. Pure functions of a parsed response.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "loadgen/http_wire.h"

namespace pistesim::loadgen {

struct TokenCheck {
  std::string problem;  // empty: valid
  std::string access_token;
  int64_t expires_in = 0;
};

// RFC 6749 §5.1: 200, application/json, `access_token` (VSCHAR), `token_type` Bearer (case
// insensitive, §7.1), `expires_in` a positive integer, and `Cache-Control: no-store` plus
// `Pragma: no-cache`. `problem` names the first rule broken (never the token itself).
TokenCheck check_token_response(const ResponseHead& head, std::string_view body);

struct RefusalRules {
  bool pistesim_headers = true;      // x-rate-limit with remaining 0, x-correlation-id
  bool require_retry_after = false;  // the RFC profile (RFC 6585 §4 suggests it)
};

// A 429 from the gateway: empty when well-formed, else the first rule broken.
std::string check_refusal(const ResponseHead& head, const RefusalRules& rules);

// A 64-bit fingerprint of a token (FNV-1a), for uniqueness checks without keeping tokens.
uint64_t token_fingerprint(std::string_view token);

// The fingerprints of the last `capacity` tokens seen, for the uniqueness check in bounded memory:
// a token endpoint flooded for an hour issues over 100 million tokens, and remembering them all
// would take gigabytes. Older tokens are forgotten in the order they were seen.
class RecentTokens {
 public:
  static constexpr size_t kDefaultCapacity = 4'000'000;  // about 160 MB at most
  explicit RecentTokens(size_t capacity = kDefaultCapacity);
  // False when `fingerprint` is among the last `capacity` seen (a duplicate).
  bool insert(uint64_t fingerprint);
  // Whether some tokens were forgotten: uniqueness then holds within the window only.
  bool forgot_some() const { return forgot_some_; }
  size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  std::unordered_set<uint64_t> seen_;
  std::vector<uint64_t> order_;  // a ring of the fingerprints in `seen_`, oldest at `next_`
  size_t next_ = 0;
  bool forgot_some_ = false;
};

}  // namespace pistesim::loadgen
