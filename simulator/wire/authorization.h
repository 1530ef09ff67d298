// Parsers for the Authorization header schemes pistesim meets: Basic client authentication
// (RFC 6749 §2.3.1, RFC 7617) and Bearer tokens (RFC 6750 §2.1).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pistesim {

// The scheme name of an Authorization value ("Basic", "Bearer", …), empty if there is none.
std::string_view auth_scheme(std::string_view header_value);

struct BasicCredentials {
  std::string client_id;
  std::string client_secret;
};

// "Basic <base64(form-encoded id ':' form-encoded secret)>". The scheme is case-insensitive.
// nullopt when the scheme is not Basic, the base64 is bad, there is no ':', the user is empty,
// or the decoded parts are not valid form encoding / UTF-8.
std::optional<BasicCredentials> parse_basic(std::string_view header_value);

// "Bearer <b64token>". nullopt when the scheme is not Bearer, the token is missing or has a
// character outside b64token (ALPHA DIGIT - . _ ~ + / then '=' padding). The token is a view
// into `header_value`.
std::optional<std::string_view> parse_bearer(std::string_view header_value);

}  // namespace pistesim
