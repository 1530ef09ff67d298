#include "control/browser_session.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "control/control_support.h"
#include "core/simulator.h"
#include "crypto/secrets.h"

namespace pistesim {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// HMAC-SHA-256 of `data` keyed by `key`, as 32 hex digits (128 bits are plenty for a CSRF token).
std::string hmac_hex(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length))
    throw std::runtime_error("HMAC-SHA-256 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < 16 && i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

// "http://127.0.0.1:8080" → "127.0.0.1:8080"; "" for anything but an http(s) origin.
std::string_view origin_host(std::string_view origin) {
  for (std::string_view scheme : {"http://", "https://"})
    if (origin.starts_with(scheme)) return origin.substr(scheme.size());
  return {};
}

}  // namespace

std::optional<std::string> request_cookie(const Request& request, std::string_view name) {
  for (const auto& h : request.headers) {
    if (!iequals(h.name, "Cookie")) continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view pair = trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name)
        return std::string(trim(pair.substr(eq + 1)));
    }
  }
  return std::nullopt;
}

std::string session_cookie(std::string_view name, std::string_view value) {
  return std::string(name) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Strict";
}

std::string cleared_cookie(std::string_view name) {
  return std::string(name) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict";
}

std::string portal_csrf_token(const Simulator& sim, std::string_view session) {
  return hmac_hex(sim.admin_token(), "pistesim portal csrf\n" + std::string(session));
}

std::string console_cookie_value(const Simulator& sim) {
  return hmac_hex(sim.admin_token(), "pistesim console cookie");
}

std::string console_csrf_token(const Simulator& sim) {
  return hmac_hex(sim.admin_token(), "pistesim console csrf");
}

bool changes_state(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::optional<Response> refuse_cross_site(const Request& request, std::string_view expected) {
  auto refuse = [](const std::string& fr, const std::string& en) {
    return error(403, "CSRF_REJECTED", {fr, en});
  };
  // Fetch metadata (sent by current browsers): anything but this origin or a typed URL.
  if (const std::string* site = request.headers.find("Sec-Fetch-Site"))
    if (*site != "same-origin" && *site != "none")
      return refuse(
          "Requête refusée : elle ne vient pas de ce site (Sec-Fetch-Site: " + *site + ")",
          "request refused: it does not come from this site (Sec-Fetch-Site: " + *site + ")");
  if (const std::string* origin = request.headers.find("Origin")) {
    const std::string* host = request.headers.find("Host");
    if (!host || origin_host(*origin) != *host)
      return refuse("Requête refusée : l'origine " + *origin + " n'est pas ce site",
                    "request refused: the origin " + *origin + " is not this site");
  }
  const std::string* token = request.headers.find(kCsrfHeader);
  const bool valid =
      token && !token->empty() && (expected.empty() || constant_time_equals(*token, expected));
  if (!valid)
    return refuse("Jeton anti-CSRF absent ou invalide (en-tête X-Pistesim-CSRF)",
                  "CSRF token missing or wrong (header X-Pistesim-CSRF)");
  return std::nullopt;
}

}  // namespace pistesim
