#include "crypto/password.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <optional>
#include <stdexcept>
#include <vector>

#include "crypto/secrets.h"
#include "wire/encoding.h"

namespace pistesim {

namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

std::string derive(std::string_view password, std::string_view salt, int iterations) {
  std::string out(kHashBytes, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1)
    throw std::runtime_error("PBKDF2 failed");
  return out;
}

struct Parsed {
  int iterations = 0;
  std::string salt;
  std::string hash;
};

std::optional<Parsed> parse(std::string_view stored) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (true) {
    size_t d = stored.find('$', pos);
    parts.push_back(stored.substr(pos, d == std::string_view::npos ? d : d - pos));
    if (d == std::string_view::npos) break;
    pos = d + 1;
  }
  if (parts.size() != 4 || parts[0] != kScheme) return std::nullopt;
  Parsed p;
  if (parts[1].empty() || parts[1].size() > 7) return std::nullopt;
  for (char c : parts[1]) {
    if (c < '0' || c > '9') return std::nullopt;
    p.iterations = p.iterations * 10 + (c - '0');
  }
  if (p.iterations < 1) return std::nullopt;
  auto salt = base64_decode(parts[2]);
  auto hash = base64_decode(parts[3]);
  if (!salt || !hash || salt->empty() || hash->size() != kHashBytes) return std::nullopt;
  p.salt = std::move(*salt);
  p.hash = std::move(*hash);
  return p;
}

}  // namespace

std::string hash_password(std::string_view password) {
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1)
    throw std::runtime_error("CSPRNG failure");
  return std::string(kScheme) + "$" + std::to_string(kPasswordIterations) + "$" +
         base64_encode(salt) + "$" + base64_encode(derive(password, salt, kPasswordIterations));
}

bool verify_password(std::string_view stored, std::string_view password) {
  auto p = parse(stored);
  if (!p) return false;
  return constant_time_equals(derive(password, p->salt, p->iterations), p->hash);
}

bool is_password_hash(std::string_view stored) {
  return parse(stored).has_value();
}

}  // namespace pistesim
