// Authorization header parsers (simulator/wire/authorization.h): HTTP Basic client
// authentication (RFC 6749 §2.3.1, RFC 7617) and bearer tokens (RFC 6750 §2.1).
#include <gtest/gtest.h>

#include <string>

#include "wire/authorization.h"
#include "wire/encoding.h"

namespace pistesim {
namespace {

std::string basic(std::string_view decoded) {
  return "Basic " + base64_encode(decoded);
}

// Field by field, so that a failure shows which part was read wrong.
void expect_basic(const std::string& header, std::string_view id, std::string_view secret) {
  SCOPED_TRACE(header);
  auto c = parse_basic(header);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->client_id, id);
  EXPECT_EQ(c->client_secret, secret);
}

TEST(WireAuthorization, AuthSchemeIsTheFirstWord) {
  EXPECT_EQ(auth_scheme("Basic abc"), "Basic");
  EXPECT_EQ(auth_scheme("bearer  abc"), "bearer");
  EXPECT_EQ(auth_scheme("Negotiate"), "Negotiate");
  EXPECT_EQ(auth_scheme(""), "");
  EXPECT_EQ(auth_scheme(" abc"), "");
}

// ----- Basic ---------------------------------------------------------------------------------

TEST(WireAuthorization, ParseBasicReadsUserAndPassword) {
  expect_basic(basic("9c4a1f7e-3b2d:6f2e9d41-8c3b"), "9c4a1f7e-3b2d", "6f2e9d41-8c3b");
}

TEST(WireAuthorization, ParseBasicReadsTheSchemeCaseInsensitively) {
  for (const char* scheme : {"basic ", "BASIC ", "bAsIc "})
    expect_basic(scheme + base64_encode("id:pw"), "id", "pw");
}

TEST(WireAuthorization, ParseBasicFormDecodesUserAndPassword) {
  expect_basic(basic("a%3Ab+c%25:d%25e%26f%3Ag+h%2B"), "a:b c%", "d%e&f:g h+");
  expect_basic(basic("%C3%A9t%C3%A9:x"), "\xC3\xA9t\xC3\xA9", "x");
}

TEST(WireAuthorization, ParseBasicSplitsAtTheFirstColon) {
  expect_basic(basic("id:pa:ss:"), "id", "pa:ss:");
}

TEST(WireAuthorization, ParseBasicAllowsAnEmptyPassword) {
  expect_basic(basic("public-client:"), "public-client", "");
}

TEST(WireAuthorization, ParseBasicToleratesSeveralSpacesAfterTheScheme) {
  expect_basic("Basic   " + base64_encode("id:pw"), "id", "pw");
}

TEST(WireAuthorization, ParseBasicRejectsMalformedCredentials) {
  std::string unpadded = base64_encode("id:p");  // "aWQ6cA=="
  unpadded.resize(unpadded.find('='));
  for (const std::string& header :
       {std::string(""), std::string("Basic"), std::string("Basic "), std::string("Basic !!!!"),
        "Basic " + unpadded, basic("no-colon"), basic(":secret-without-user"), basic(""),
        basic("%zz:pw"), basic("id:%4"), basic("id:%FF"), basic("\xFF:pw"),
        "Basic" + base64_encode("id:pw"), "Bearer " + base64_encode("id:pw"),
        "Basic " + base64_encode("id:pw") + " extra"}) {
    SCOPED_TRACE(testing::PrintToString(header));
    EXPECT_FALSE(parse_basic(header).has_value());
  }
}

// ----- Bearer --------------------------------------------------------------------------------

TEST(WireAuthorization, ParseBearerReturnsTheToken) {
  EXPECT_EQ(parse_bearer("Bearer pRmAqnSXnIKYhsyFNhhEJMqzKmBMmFzObYYuOiRGkxl1JBh2iUZwz0"),
            "pRmAqnSXnIKYhsyFNhhEJMqzKmBMmFzObYYuOiRGkxl1JBh2iUZwz0");
}

TEST(WireAuthorization, ParseBearerReadsTheSchemeCaseInsensitively) {
  for (const char* header : {"bearer abc", "BEARER abc", "BeArEr abc", "Bearer   abc"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(parse_bearer(header), "abc");
  }
}

TEST(WireAuthorization, ParseBearerAcceptsTheWholeB64tokenCharset) {
  for (const char* token : {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/",
                            "abc=", "abc==", "-", "/+/=", "eyJhbGciOiJIUzI1NiJ9.e30.abc_-"}) {
    SCOPED_TRACE(token);
    EXPECT_EQ(parse_bearer(std::string("Bearer ") + token), token);
  }
}

TEST(WireAuthorization, ParseBearerRejectsAMissingToken) {
  for (const char* header : {"Bearer", "Bearer ", "Bearer    "}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(parse_bearer(header), std::nullopt);
  }
}

TEST(WireAuthorization, ParseBearerAcceptsPaddingOnlyAtTheEnd) {
  for (const char* header :
       {"Bearer =", "Bearer ==abc", "Bearer ab=c", "Bearer a=b=", "Bearer abc=d=="}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(parse_bearer(header), std::nullopt);
  }
}

TEST(WireAuthorization, ParseBearerRejectsCharactersOutsideB64token) {
  for (const char* header : {"Bearer ab cd", "Bearer ab,cd", "Bearer \"abc\"", "Bearer abc;",
                             "Bearer ab\\c", "Bearer ab\tc", "Bearer ab*c", "Bearer ab%41",
                             "Bearer \xC3\xA9t\xC3\xA9", "Bearer realm=\"PISTE\""}) {
    SCOPED_TRACE(testing::PrintToString(std::string(header)));
    EXPECT_EQ(parse_bearer(header), std::nullopt);
  }
}

TEST(WireAuthorization, ParseBearerRejectsOtherSchemes) {
  for (const char* header :
       {"Basic abc", "Bearerabc", "Token abc", "MAC abc", "abc", "", " Bearer abc"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(parse_bearer(header), std::nullopt);
  }
}

}  // namespace
}  // namespace pistesim
