// The protocol checks made on every answer under load: a token response must be RFC 6749 §5.1
// valid, a refusal must carry PISTE's headers. Pure functions of a parsed response.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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

}  // namespace pistesim::loadgen
