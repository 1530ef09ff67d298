// Stored passwords: PBKDF2-HMAC-SHA256 with a random salt, so that a world snapshot, a durable
// store or a log never holds a password. Stored form: "pbkdf2-sha256$<iterations>$<salt>$<hash>"
// (salt and hash in base64).
#pragma once

#include <string>
#include <string_view>

namespace pistesim {

// A simulator's passwords are test passwords: the iteration count keeps logins and world loads
// fast while still never storing the password itself.
inline constexpr int kPasswordIterations = 2000;

std::string hash_password(std::string_view password);
// Constant-time on the derived hash. False for a malformed stored value.
bool verify_password(std::string_view stored, std::string_view password);
// True when `stored` has the shape hash_password() produces (used by the world loader).
bool is_password_hash(std::string_view stored);

}  // namespace pistesim
