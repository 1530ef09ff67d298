#include "wire/encoding.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace pistesim {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string encode(std::string_view in, bool space_as_plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size() * 3);
  for (unsigned char c : in) {
    if (is_unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ' && space_as_plus) {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_b64_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (size_t i = 0; i < kB64.size(); ++i)
    t[static_cast<unsigned char>(kB64[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kB64Table = make_b64_table();
}  // namespace

namespace {
// Appends the decoding of `in` to `out`; false on a truncated or non-hex escape.
bool decode_into(std::string_view in, bool plus_is_space, std::string& out) {
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  // Most names and values (identifiers, secrets, grant types) have nothing to decode. A plain
  // loop: find_first_of with a two-character set calls memchr once per input character, which
  // was a tenth of a token request's instructions (callgrind).
  const bool plain = std::none_of(in.begin(), in.end(), [plus_is_space](char c) {
    return c == '%' || (plus_is_space && c == '+');
  });
  if (plain) return std::string(in);
  std::string out;
  out.reserve(in.size());
  if (!decode_into(in, plus_is_space, out)) return std::nullopt;
  return out;
}

std::string percent_encode(std::string_view in) {
  return encode(in, false);
}
std::string form_encode(std::string_view in) {
  return encode(in, true);
}

std::optional<std::string> base64_decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = in[i + k];
      if (c == '=') {
        // Padding only in the last quantum, only in its last two places, and only trailing.
        if (i + 4 != in.size() || k < 2) return std::nullopt;
        v[k] = 0;
        ++pad;
      } else {
        if (pad) return std::nullopt;
        v[k] = kB64Table[static_cast<unsigned char>(c)];
        if (v[k] < 0) return std::nullopt;
      }
    }
    uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>((n >> 16) & 0xFF));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xFF));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xFF));
  }
  return out;
}

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t n = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out.push_back(kB64[(n >> 18) & 63]);
    out.push_back(kB64[(n >> 12) & 63]);
    out.push_back(kB64[(n >> 6) & 63]);
    out.push_back(kB64[n & 63]);
  }
  size_t rest = in.size() - i;
  if (rest) {
    uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out.push_back(kB64[(n >> 18) & 63]);
    out.push_back(kB64[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kB64[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

size_t utf8_sequence(std::string_view s) {
  if (s.empty()) return 0;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b = byte(0);
  if (b < 0x80) return 1;
  size_t n = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) low = 0xA0;   // overlong below U+0800
    if (b == 0xED) high = 0x9F;  // surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) low = 0x90;   // overlong below U+10000
    if (b == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // a continuation byte, an overlong lead (C0, C1) or past F4
  }
  if (s.size() < n || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < n; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  return n;
}

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_sequence(s.substr(i));
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool is_scope_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u == 0x21 || (u >= 0x23 && u <= 0x5B) || (u >= 0x5D && u <= 0x7E);
  });
}

std::string normalize_path(std::string_view path) {
  // Most paths hold no escape and no dot segment: one scan, one copy.
  if (path.find('%') == std::string_view::npos && path.find("/.") == std::string_view::npos &&
      !path.empty())
    return std::string(path);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string decoded;
  decoded.reserve(path.size());
  // Where the last '%' kept as it is (malformed escape) went: a hex digit decoded right after it
  // would complete a new escape ("%a%39" -> "%a9"), so such a digit stays encoded, and
  // normalising twice gives what normalising once gives.
  size_t stray = std::string::npos;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size()) {
      int hi = hex_value(path[i + 1]), lo = hex_value(path[i + 2]);
      if (hi >= 0 && lo >= 0) {
        auto c = static_cast<unsigned char>(hi * 16 + lo);
        bool completes_escape = hex_value(static_cast<char>(c)) >= 0 &&
                                stray != std::string::npos && decoded.size() - stray <= 2;
        if (is_unreserved(c) && !completes_escape) {
          decoded.push_back(static_cast<char>(c));
        } else {
          decoded.push_back('%');
          decoded.push_back(kHex[hi]);
          decoded.push_back(kHex[lo]);
        }
        i += 2;
        continue;
      }
    }
    if (path[i] == '%') stray = decoded.size();
    decoded.push_back(path[i]);
  }
  // Remove dot segments: walk the segments, keeping a stack of the output ones.
  std::vector<std::string_view> out;
  std::string_view rest = decoded;
  bool trailing_slash = false;
  size_t pos = 0;
  while (pos <= rest.size()) {
    size_t slash = rest.find('/', pos);
    if (slash == std::string_view::npos) slash = rest.size();
    std::string_view seg = rest.substr(pos, slash - pos);
    bool last = slash == rest.size();
    if (seg == ".") {
      trailing_slash = last;
    } else if (seg == "..") {
      if (out.size() > 1) out.pop_back();
      trailing_slash = last;
    } else {
      out.push_back(seg);
      trailing_slash = false;
    }
    pos = slash + 1;
  }
  std::string result;
  result.reserve(decoded.size());
  for (size_t i = 0; i < out.size(); ++i) {
    if (i) result.push_back('/');
    result.append(out[i]);
  }
  if (trailing_slash) result.push_back('/');
  return result.empty() ? std::string("/") : result;
}

namespace {
// Bytes that keep a form name or value from being taken as it is: an escape, a '+' (a space),
// a byte of a multi-byte UTF-8 sequence (to be checked).
constexpr std::array<bool, 256> kFormWork = [] {
  std::array<bool, 256> t{};
  t['%'] = t['+'] = true;
  for (int c = 0x80; c < 256; ++c) t[c] = true;
  return t;
}();

bool needs_form_work(std::string_view s) {
  bool any = false;
  for (unsigned char c : s) any |= kFormWork[c];  // no branch per byte
  return any;
}
}  // namespace

bool FormView::parse(std::string_view body) {
  fields_.clear();
  decoded_.clear();
  // Token requests (identifiers, secrets, a grant type) have nothing to decode and are ASCII:
  // one look at the whole body, and every name and value is then a view into it.
  const bool as_is = !needs_form_work(body);
  bool reserved = false;
  // Otherwise a name or value with something to decode goes to decoded_, reserved once to the
  // body's size so that no view into it moves.
  auto piece = [&](std::string_view in, std::string_view& out) {
    if (as_is || !needs_form_work(in)) {
      out = in;
      return true;
    }
    if (!reserved) {
      decoded_.reserve(body.size());
      reserved = true;
    }
    const size_t start = decoded_.size();
    if (!decode_into(in, true, decoded_)) return false;
    out = std::string_view(decoded_).substr(start);
    return is_valid_utf8(out);
  };
  fields_.reserve(8);  // one block for a token request's parameters
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view pair = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    Field field;
    if (!piece(pair.substr(0, eq), field.name) ||
        !piece(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1),
               field.value)) {
      fields_.clear();
      return false;
    }
    fields_.push_back(field);
  }
  return true;
}

std::optional<std::vector<FormParam>> parse_form(std::string_view body) {
  FormView form;
  if (!form.parse(body)) return std::nullopt;
  std::vector<FormParam> params;
  params.reserve(form.fields().size());
  for (const auto& f : form.fields()) params.push_back({std::string(f.name), std::string(f.value)});
  return params;
}

}  // namespace pistesim
