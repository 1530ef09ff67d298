#include "wire/authorization.h"

#include <array>

#include "wire/encoding.h"
#include "wire/http_message.h"

namespace pistesim {

namespace {
// Splits "Scheme<SP>+credentials"; both parts are views into value.
bool split_scheme(std::string_view value, std::string_view& scheme, std::string_view& rest) {
  size_t sp = value.find(' ');
  if (sp == std::string_view::npos) {
    scheme = value;
    rest = {};
    return !scheme.empty();
  }
  scheme = value.substr(0, sp);
  rest = value.substr(sp);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  return !scheme.empty();
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
// A table: the gateway checks every bearer token, a character at a time.
constexpr std::array<bool, 256> kB64TokenChar = [] {
  std::array<bool, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (unsigned char c : std::string_view("-._~+/")) t[c] = true;
  return t;
}();

bool is_b64token(std::string_view t) {
  size_t i = 0;
  while (i < t.size() && kB64TokenChar[static_cast<unsigned char>(t[i])]) ++i;
  if (i == 0) return false;
  for (; i < t.size(); ++i)
    if (t[i] != '=') return false;
  return true;
}
}  // namespace

std::string_view auth_scheme(std::string_view header_value) {
  std::string_view scheme, rest;
  if (!split_scheme(header_value, scheme, rest)) return {};
  return scheme;
}

std::optional<BasicCredentials> parse_basic(std::string_view header_value) {
  std::string_view scheme, rest;
  if (!split_scheme(header_value, scheme, rest) || !iequals(scheme, "Basic") || rest.empty())
    return std::nullopt;
  auto decoded = base64_decode(rest);
  if (!decoded) return std::nullopt;
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  // RFC 6749 §2.3.1: id and secret are form-encoded before being joined and base64-encoded.
  auto id = percent_decode(std::string_view(*decoded).substr(0, colon), true);
  auto secret = percent_decode(std::string_view(*decoded).substr(colon + 1), true);
  if (!id || !secret || id->empty() || !is_valid_utf8(*id) || !is_valid_utf8(*secret))
    return std::nullopt;
  return BasicCredentials{std::move(*id), std::move(*secret)};
}

std::optional<std::string_view> parse_bearer(std::string_view header_value) {
  std::string_view scheme, rest;
  if (!split_scheme(header_value, scheme, rest) || !iequals(scheme, "Bearer")) return std::nullopt;
  if (!is_b64token(rest)) return std::nullopt;
  return rest;
}

}  // namespace pistesim
