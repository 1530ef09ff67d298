// Secrets: random values from OpenSSL's CSPRNG and comparisons that take the same time
// whatever the content.
#pragma once

#include <string>
#include <string_view>

namespace pistesim {

// `length` characters drawn uniformly from [A-Za-z0-9] (rejection sampling over RAND_bytes).
// Throws std::runtime_error if the CSPRNG fails.
std::string random_alphanumeric(size_t length);
// `bytes` random bytes rendered as lower-case hex.
std::string random_hex(size_t bytes);
// A random RFC 4122 version-4 UUID (the shape of PISTE client ids and secrets).
std::string random_uuid();

// 12 hex digits of SHA-256 of a token: enough to tell tokens apart in the journal, useless to
// an attacker.
std::string token_fingerprint(std::string_view token);

// True when a == b. The time depends on the lengths only, never on where the contents differ.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace pistesim
