// Fuzz target: the Authorization header parsers (Basic client authentication and Bearer tokens).
// The input is a header value. Besides not crashing: credentials the parser accepts, encoded
// again as a client would, parse to the same credentials; and the first NUL byte splits the input
// into an id and a secret that must survive the encode-then-parse round trip.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "wire/authorization.h"
#include "wire/encoding.h"
#include "wire/http_message.h"

using namespace pistesim;

namespace {
std::string basic_header(std::string_view id, std::string_view secret) {
  return "Basic " + base64_encode(form_encode(id) + ":" + form_encode(secret));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  std::string_view scheme = auth_scheme(in);
  FUZZ_CHECK(scheme.size() <= in.size(), "the scheme is part of the value");

  if (auto basic = parse_basic(in)) {
    FUZZ_CHECK(iequals(scheme, "Basic"), "parse_basic accepts only the Basic scheme");
    FUZZ_CHECK(!basic->client_id.empty(), "a Basic user is never empty");
    auto again = parse_basic(basic_header(basic->client_id, basic->client_secret));
    FUZZ_CHECK(again && again->client_id == basic->client_id &&
                   again->client_secret == basic->client_secret,
               "Basic credentials survive encode-then-parse");
  }
  if (auto bearer = parse_bearer(in)) {
    FUZZ_CHECK(iequals(scheme, "Bearer"), "parse_bearer accepts only the Bearer scheme");
    FUZZ_CHECK(!bearer->empty(), "a bearer token is never empty");
    const std::string resent = "Bearer " + std::string(*bearer);
    auto again = parse_bearer(resent);
    FUZZ_CHECK(again && *again == *bearer, "a bearer token survives being sent again");
  }

  // Any UTF-8 id (not empty) and secret a client could hold round-trip through Basic.
  size_t nul = in.find('\0');
  std::string_view id = in.substr(0, nul);
  std::string_view secret = nul == std::string_view::npos ? std::string_view{} : in.substr(nul + 1);
  if (!id.empty() && is_valid_utf8(id) && is_valid_utf8(secret)) {
    auto parsed = parse_basic(basic_header(id, secret));
    FUZZ_CHECK(parsed && parsed->client_id == id && parsed->client_secret == secret,
               "any UTF-8 id and secret round-trip through Basic");
  }
  return 0;
}
