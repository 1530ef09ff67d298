#include "crypto/secrets.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace pistesim {

namespace {

// Bumped in a forked child, so that it never hands out the bytes its parent already buffered.
std::atomic<uint64_t> fork_generation{0};

// Each thread draws its random bytes from OpenSSL a block at a time and hands them out from a
// buffer: one RAND_bytes call per token cost 6 % of the token endpoint's CPU (locking, fork
// check and DRBG set-up per call), a 4 KiB block costs the same once per ~70 tokens. Bytes are
// wiped from the buffer as they are handed out.
class RandomPool {
 public:
  void fill(unsigned char* out, size_t n) {
    if (generation_ != fork_generation.load(std::memory_order_relaxed)) {
      OPENSSL_cleanse(buf_, sizeof buf_);
      pos_ = sizeof buf_;
      generation_ = fork_generation.load(std::memory_order_relaxed);
    }
    while (n > 0) {
      if (pos_ == sizeof buf_) {
        if (n >= sizeof buf_) {  // a large draw goes straight to OpenSSL
          draw(out, n);
          return;
        }
        draw(buf_, sizeof buf_);
        pos_ = 0;
      }
      size_t take = std::min(n, sizeof buf_ - pos_);
      std::memcpy(out, buf_ + pos_, take);
      OPENSSL_cleanse(buf_ + pos_, take);
      pos_ += take;
      out += take;
      n -= take;
    }
  }
  ~RandomPool() { OPENSSL_cleanse(buf_, sizeof buf_); }

 private:
  static void draw(unsigned char* out, size_t n) {
    if (RAND_bytes(out, static_cast<int>(n)) != 1)
      throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  unsigned char buf_[4096];
  size_t pos_ = sizeof buf_;
  uint64_t generation_ = 0;
};

void fill_random(unsigned char* out, size_t n) {
  static const bool fork_handler_installed = [] {
    pthread_atfork(nullptr, nullptr,
                   [] { fork_generation.fetch_add(1, std::memory_order_relaxed); });
    return true;
  }();
  (void)fork_handler_installed;
  thread_local RandomPool pool;
  pool.fill(out, n);
}

}  // namespace

std::string random_alphanumeric(size_t length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out(length, '\0');
  size_t filled = 0;
  unsigned char buf[64];
  while (filled < length) {
    // Draw what is still missing (a few more for the bytes rejection sampling drops).
    size_t want = std::min(sizeof buf, length - filled + 4);
    fill_random(buf, want);
    for (size_t i = 0; i < want && filled < length; ++i) {
      // 62 * 4 = 248: bytes at or above it would bias the first symbols, so they are dropped.
      if (buf[i] >= 248) continue;
      out[filled++] = kAlphabet[buf[i] % 62];
    }
  }
  OPENSSL_cleanse(buf, sizeof buf);
  return out;
}

std::string random_hex(size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::vector<unsigned char> buf(bytes);
  fill_random(buf.data(), bytes);
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char b : buf) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string random_uuid() {
  std::string h = random_hex(16);
  h[12] = '4';                                                          // version 4
  h[16] = "89ab"[(h[16] >= 'a' ? h[16] - 'a' + 10 : h[16] - '0') & 3];  // RFC 4122 variant
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  // Compare over the longer length so that a short guess costs as much as a long one.
  size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  // CRYPTO_memcmp keeps the compiler from short-circuiting the accumulated difference.
  unsigned char zero = 0;
  return CRYPTO_memcmp(&diff, &zero, 1) == 0;
}

std::string token_fingerprint(std::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  // Fetched once: OpenSSL 3's SHA256() looks the algorithm up on every call; and one context
  // per thread, reused: EVP_Digest() allocates and frees one on every call.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context context;
  EVP_MD_CTX* ctx = context.ctx;
  if (!sha256 || !ctx || EVP_DigestInit_ex2(ctx, sha256, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, token.data(), token.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, digest, nullptr) != 1)
    SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 6; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

}  // namespace pistesim
