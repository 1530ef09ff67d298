// Byte-level encodings the wire uses: percent-encoding (RFC 3986, and the '+' of
// application/x-www-form-urlencoded), base64 (RFC 4648) and UTF-8 validation.
// All decoders are strict: they return nullopt rather than guess.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pistesim {

// Decodes %XX escapes; with plus_is_space, '+' decodes to ' ' (form encoding).
// nullopt on a truncated or non-hex escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);
// Encodes everything except unreserved characters (ALPHA DIGIT - . _ ~).
std::string percent_encode(std::string_view in);
// Form encoding: like percent_encode but ' ' becomes '+'.
std::string form_encode(std::string_view in);

// Standard alphabet with '=' padding; rejects bad characters, bad length and bad padding.
std::optional<std::string> base64_decode(std::string_view in);
std::string base64_encode(std::string_view in);

bool is_valid_utf8(std::string_view s);
// The length of the valid UTF-8 sequence that starts `s` (1 for ASCII), 0 if it starts none
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) or `s` is empty.
size_t utf8_sequence(std::string_view s);

// RFC 6749 App. A.4: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) — printable ASCII but space,
// '"' and '\'. The same characters are the ones allowed in OAuth error descriptions (§5.2).
bool is_scope_token(std::string_view s);

// RFC 3986 §6.2.2 normalisation of a request path, so that equivalent spellings route alike:
// escapes of unreserved characters are decoded ("%69" -> "i"), other escapes get upper-case hex,
// and "." / ".." segments are removed (§5.2.4). Malformed escapes are kept as they are.
std::string normalize_path(std::string_view path);

struct FormParam {
  std::string name;
  std::string value;
};

// Parses an application/x-www-form-urlencoded body (or a query string). Empty pairs ("a=1&&b=2")
// are skipped; a pair without '=' has an empty value. nullopt on a bad escape or invalid UTF-8.
std::optional<std::vector<FormParam>> parse_form(std::string_view body);

// The same parse without copies, for the token endpoint's hot path: each name and value is a
// view into the body when it has nothing to decode (identifiers, secrets, grant types), else
// into a buffer of this object's. Neither copyable nor movable, since it holds views into itself;
// the body must outlive them.
class FormView {
 public:
  struct Field {
    std::string_view name, value;
  };
  FormView() = default;
  FormView(const FormView&) = delete;
  FormView& operator=(const FormView&) = delete;
  // false (and no fields) on a bad escape or invalid UTF-8, as parse_form.
  bool parse(std::string_view body);
  const std::vector<Field>& fields() const { return fields_; }

 private:
  std::vector<Field> fields_;
  std::string decoded_;
};

}  // namespace pistesim
