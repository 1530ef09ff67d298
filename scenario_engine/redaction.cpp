// Redaction keeps the shape of what it hides — the header's scheme, the form's and the JSON's
// keys — so that a report still shows how a client authenticated, just not with what.
#include "scenario_engine/redaction.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <nlohmann/json.hpp>

#include "scenario_engine/json_path.h"
#include "wire/encoding.h"

namespace pistesim::scenario {

namespace {

constexpr std::string_view kMask = "****";
constexpr size_t kMinSecret = 6;

// Form fields and query parameters that carry credentials.
constexpr std::array<std::string_view, 5> kFormSecrets = {
    "client_secret", "password", "access_token", "refresh_token", "client_assertion"};
// JSON members that carry credentials or sessions (portal and token endpoint bodies).
constexpr std::array<std::string_view, 14> kJsonSecrets = {
    "client_secret",    "password",
    "access_token",     "new_password",
    "current_password", "password_confirmation",
    "session",          "token",
    "refresh_token",    "client_assertion",
    "api_key",          "activation_token",
    "reset_token",      "admin_token"};
// Headers whose whole value is a credential.
constexpr std::array<std::string_view, 3> kSecretHeaders = {"KeyId", "X-Pistesim-Session",
                                                            "X-Api-Key"};

bool is_form_secret(std::string_view name) {
  return std::find(kFormSecrets.begin(), kFormSecrets.end(), name) != kFormSecrets.end();
}
bool is_json_secret(std::string_view name) {
  return std::find(kJsonSecrets.begin(), kJsonSecrets.end(), name) != kJsonSecrets.end();
}

bool contains_ci(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

// "Bearer abc" → "Bearer ****"; a value without a scheme is all credential.
std::string mask_authorization(std::string_view value) {
  size_t start = value.find_first_not_of(' ');
  if (start == std::string_view::npos) return std::string(value);
  size_t space = value.find(' ', start);
  if (space == std::string_view::npos) return std::string(kMask);
  return std::string(value.substr(0, space + 1)) + std::string(kMask);
}

// name=value&… with the values of credential names masked; everything else kept byte for byte.
std::string mask_form(std::string_view in) {
  std::string out;
  size_t pos = 0;
  while (pos <= in.size()) {
    size_t amp = in.find('&', pos);
    if (amp == std::string_view::npos) amp = in.size();
    std::string_view pair = in.substr(pos, amp - pos);
    size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    auto name = percent_decode(raw_name, true);
    if (eq != std::string_view::npos && name && is_form_secret(*name))
      out += std::string(raw_name) + "=" + std::string(kMask);
    else
      out += pair;
    if (amp < in.size()) out += '&';
    pos = amp + 1;
  }
  return out;
}

// Masks credential members at any depth, without recursion (documents may nest deeply).
bool mask_json(nlohmann::json& doc) {
  bool changed = false;
  std::vector<nlohmann::json*> stack{&doc};
  while (!stack.empty()) {
    nlohmann::json* v = stack.back();
    stack.pop_back();
    if (v->is_object()) {
      for (auto it = v->begin(); it != v->end(); ++it) {
        if (is_json_secret(it.key()) && !it.value().is_null()) {
          it.value() = std::string(kMask);
          changed = true;
        } else {
          stack.push_back(&it.value());
        }
      }
    } else if (v->is_array()) {
      for (auto& child : *v) stack.push_back(&child);
    }
  }
  return changed;
}

void replace_all(std::string& s, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  size_t pos = 0;
  while ((pos = s.find(what, pos)) != std::string::npos) {
    s.replace(pos, what.size(), with);
    pos += with.size();
  }
}

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '/' || c == '=' || c == '%';
}

// Whether the word after "Bearer " / "Basic " in free text is a credential rather than prose
// ("Basic authentication", "Bearer realm="): a Basic credential decodes to "id:secret"; a bearer
// token is long and has digits.
bool looks_like_credential(std::string_view scheme, std::string_view word) {
  if (word == kMask) return false;
  if (scheme.front() == 'B' && scheme[1] == 'a') {
    auto decoded = base64_decode(word);
    return decoded && decoded->find(':') != std::string::npos;
  }
  return word.size() >= 16 && word.find_first_of("0123456789") != std::string_view::npos;
}

// Credentials that free text (a client's output, an error message) shows in well-known forms:
// "Bearer <token>" / "Basic <b64>" and "name=value" for the credential form names.
std::string mask_patterns(std::string s) {
  for (std::string_view scheme : {"Bearer ", "Basic "}) {
    size_t pos = 0;
    while (pos < s.size()) {
      auto it = std::search(s.begin() + static_cast<std::ptrdiff_t>(pos), s.end(), scheme.begin(),
                            scheme.end(), [](char a, char b) {
                              return std::tolower(static_cast<unsigned char>(a)) ==
                                     std::tolower(static_cast<unsigned char>(b));
                            });
      if (it == s.end()) break;
      size_t start = static_cast<size_t>(it - s.begin()) + scheme.size();
      size_t end = start;
      while (end < s.size() && token_char(s[end])) ++end;
      if (looks_like_credential(scheme, std::string_view(s).substr(start, end - start))) {
        s.replace(start, end - start, kMask);
        end = start + kMask.size();
      }
      pos = std::max(end, start);
    }
  }
  // Where a value written name=value in free text ends (a query, a header, a quoted string).
  constexpr std::string_view kValueEnd = "& \t\r\n\"'#;<>";
  for (std::string_view name : kFormSecrets) {
    std::string key = std::string(name) + "=";
    size_t pos = 0;
    while ((pos = s.find(key, pos)) != std::string::npos) {
      bool at_word_start =
          pos == 0 || !(std::isalnum(static_cast<unsigned char>(s[pos - 1])) || s[pos - 1] == '_');
      size_t start = pos + key.size();
      size_t end = start;
      while (end < s.size() && kValueEnd.find(s[end]) == std::string_view::npos) ++end;
      if (at_word_start && end > start) s.replace(start, end - start, kMask);
      pos = start;
    }
  }
  return s;
}

}  // namespace

void Redactor::add_secret(std::string value) {
  if (value.size() < kMinSecret) return;
  auto add = [this](std::string v) {
    if (std::find(secrets_.begin(), secrets_.end(), v) == secrets_.end())
      secrets_.push_back(std::move(v));
  };
  // The forms it takes on the wire: in a query or form body, and in a Basic credential.
  std::string encoded = percent_encode(value);
  std::string form = form_encode(value);
  add(value);
  add(encoded);
  add(form);
  // Longest first, so that a secret containing another is hidden whole.
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Redactor::text(std::string_view in) const {
  std::string out(in);
  for (const auto& s : secrets_) {
    replace_all(out, s, kMask);
    // A value shortened by excerpt() before it got here ends in "…" after a prefix of the
    // secret: that prefix is secret material too.
    for (size_t k = s.size() - 1; k >= 6; --k) {
      std::string cut = s.substr(0, k) + "…";
      if (out.find(cut) != std::string::npos) replace_all(out, cut, std::string(kMask) + "…");
    }
  }
  return mask_patterns(std::move(out));
}

Headers Redactor::headers(const Headers& in) const {
  Headers out;
  out.reserve(in.size());
  for (const auto& h : in) {
    if (iequals(h.name, "Authorization") || iequals(h.name, "Proxy-Authorization")) {
      out.add(h.name, mask_authorization(h.value));
      continue;
    }
    bool whole = false;
    for (std::string_view name : kSecretHeaders) whole = whole || iequals(h.name, name);
    if (whole) {
      out.add(h.name, std::string(kMask));
    } else if (iequals(h.name, "Cookie") || iequals(h.name, "Set-Cookie")) {
      // Keep the cookie's name and attributes, hide its value.
      std::string v = h.value;
      size_t eq = v.find('=');
      size_t end = v.find(';');
      if (eq != std::string::npos && (end == std::string::npos || eq < end))
        v.replace(eq + 1, (end == std::string::npos ? v.size() : end) - eq - 1, kMask);
      out.add(h.name, text(v));
    } else {
      out.add(h.name, text(h.value));
    }
  }
  return out;
}

std::string Redactor::body(std::string_view in, std::string_view content_type) const {
  if (contains_ci(content_type, "application/x-www-form-urlencoded")) return text(mask_form(in));
  if (contains_ci(content_type, "json")) {
    auto doc = nlohmann::json::parse(in, nullptr, false);
    // Too deep to re-serialise safely (and to read): shown by size only.
    if (!doc.is_discarded() && json_nested_deeper_than(doc, kMaxJsonDepth))
      return "(" + std::to_string(in.size()) + " bytes of JSON nested more than " +
             std::to_string(kMaxJsonDepth) + " levels deep, not shown)";
    // Unchanged documents keep their own layout; masked ones are re-serialised.
    if (!doc.is_discarded() && mask_json(doc))
      return text(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return text(in);
}

std::string Redactor::url(std::string_view in) const {
  std::string out(in);
  // Userinfo: scheme://user:password@host
  size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    size_t auth_start = scheme_end + 3;
    size_t auth_end = out.find_first_of("/?#", auth_start);
    if (auth_end == std::string::npos) auth_end = out.size();
    size_t at = out.rfind('@', auth_end);
    if (at != std::string::npos && at >= auth_start) {
      size_t colon = out.find(':', auth_start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, kMask);
    }
  }
  size_t q = out.find('?');
  if (q != std::string::npos) {
    size_t hash = out.find('#', q);
    size_t qend = hash == std::string::npos ? out.size() : hash;
    std::string masked = mask_form(std::string_view(out).substr(q + 1, qend - q - 1));
    out = out.substr(0, q + 1) + masked + out.substr(qend);
  }
  return text(out);
}

std::string excerpt(std::string_view body, size_t max) {
  if (body.size() <= max) return std::string(body);
  size_t cut = max;
  // Back off over continuation bytes (10xxxxxx) so that no code point is split.
  for (int i = 0; i < 3 && cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80; ++i)
    --cut;
  return std::string(body.substr(0, cut)) + "… (" + std::to_string(body.size()) + " bytes)";
}

}  // namespace pistesim::scenario
