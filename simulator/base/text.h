// Small text helpers shared by the portal, the readers and the wire code, each written once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pistesim {

// Without the ASCII blanks around it (space, tab, CR, LF, VT, FF): protocol and file text.
inline std::string_view trim_blanks(std::string_view s) {
  constexpr std::string_view kBlanks = " \t\r\n\v\f";
  const size_t b = s.find_first_not_of(kBlanks);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kBlanks) - b + 1);
}

// Without the blanks a person types around a form field: the ASCII ones and U+00A0, the
// non-breaking space a French keyboard puts before « : ».
inline std::string_view trim_typed(std::string_view s) {
  constexpr std::string_view kNbsp = "\xC2\xA0";
  for (;;) {
    const std::string_view before = s;
    s = trim_blanks(s);
    while (s.starts_with(kNbsp)) s.remove_prefix(kNbsp.size());
    while (s.ends_with(kNbsp)) s.remove_suffix(kNbsp.size());
    if (s.size() == before.size()) return s;
  }
}

// A form field's value as the portal keeps it: without the blanks typed around it.
inline std::string clean_field(std::string_view s) {
  return std::string(trim_typed(s));
}

// Characters as a person counts them (UTF-8 code points), not bytes: « Données » is 7.
inline size_t code_points(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace pistesim
