// The byte-level decoders under the token endpoint and the gateway (simulator/wire/encoding.h):
// percent-encoding, application/x-www-form-urlencoded, UTF-8 and base64. All are strict: a
// malformed input gives nullopt, never a guess.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wire/encoding.h"

namespace pistesim {
namespace {

std::string all_bytes() {
  std::string s;
  for (int b = 0; b < 256; ++b) s.push_back(static_cast<char>(b));
  return s;
}

// ----- percent-encoding ----------------------------------------------------------------------

TEST(WireEncoding, PercentDecodeReadsHexDigitsInEitherCase) {
  EXPECT_EQ(percent_decode("%41%6a%6A%2f%2F", false), "Ajj//");
  EXPECT_EQ(percent_decode("a%20b%00c", false), std::string("a b\0c", 5));
}

TEST(WireEncoding, PercentDecodeTurnsPlusIntoSpaceOnlyForForms) {
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a%2Bb", true), "a+b");
}

TEST(WireEncoding, PercentDecodeKeepsOtherCharactersAsTheyAre) {
  EXPECT_EQ(percent_decode("~!*'();:@=$,/?#[]", true), "~!*'();:@=$,/?#[]");
  EXPECT_EQ(percent_decode("", true), "");
}

TEST(WireEncoding, PercentDecodeRejectsBadEscapes) {
  for (const char* in :
       {"%", "%4", "a%", "a%4", "%G0", "%0G", "%%", "%%41", "%-1", "% 1", "%+1", "%4\xC3\xA9"}) {
    SCOPED_TRACE(in);
    EXPECT_EQ(percent_decode(in, true), std::nullopt);
    EXPECT_EQ(percent_decode(in, false), std::nullopt);
  }
}

TEST(WireEncoding, PercentEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b+c/d:e%f&g=h\xC3\xA9"), "a%20b%2Bc%2Fd%3Ae%25f%26g%3Dh%C3%A9");
  EXPECT_EQ(form_encode("a b+c"), "a+b%2Bc");
}

TEST(WireEncoding, EncodingRoundTripsEveryByte) {
  std::string bytes = all_bytes();
  EXPECT_EQ(percent_decode(percent_encode(bytes), false), bytes);
  EXPECT_EQ(percent_decode(percent_encode(bytes), true), bytes);
  EXPECT_EQ(percent_decode(form_encode(bytes), true), bytes);
}

// ----- UTF-8 ---------------------------------------------------------------------------------

TEST(WireEncoding, Utf8ValidationAcceptsWellFormedText) {
  for (const char* s : {"", "ascii", "\xC3\xA9t\xC3\xA9",  // été
                        "\xE2\x82\xAC",                    // U+20AC
                        "\xED\x9F\xBF",                    // U+D7FF, just below the surrogates
                        "\xEE\x80\x80",                    // U+E000, just above them
                        "\xEF\xBF\xBF",                    // U+FFFF
                        "\xF0\x9F\x98\x80",                // U+1F600
                        "\xF4\x8F\xBF\xBF"}) {             // U+10FFFF, the last code point
    SCOPED_TRACE(s);
    EXPECT_TRUE(is_valid_utf8(s));
  }
  EXPECT_TRUE(is_valid_utf8(std::string("\0", 1)));
}

TEST(WireEncoding, Utf8ValidationRejectsMalformedText) {
  for (const char* s : {"\x80",  // lone continuation byte
                        "\xBF",  //
                        "\xC3",  // truncated 2-byte sequence
                        "\xC3"
                        "A",                     // continuation missing
                        "\xE2\x82",              // truncated 3-byte sequence
                        "\xF0\x9F\x98",          // truncated 4-byte sequence
                        "\xC0\xAF", "\xC1\xBF",  // overlong 2-byte
                        "\xE0\x80\xAF",          // overlong 3-byte
                        "\xF0\x80\x80\xAF",      // overlong 4-byte
                        "\xED\xA0\x80",          // U+D800, a surrogate
                        "\xED\xBF\xBF",          // U+DFFF
                        "\xF4\x90\x80\x80",      // U+110000, past Unicode
                        "\xF5\x80\x80\x80", "\xF8\x88\x80\x80\x80", "\xFE", "\xFF"}) {
    SCOPED_TRACE(testing::PrintToString(std::string(s)));
    EXPECT_FALSE(is_valid_utf8(s));
    EXPECT_FALSE(is_valid_utf8(std::string("ok ") + s + " ok"));
  }
}

// ----- application/x-www-form-urlencoded -----------------------------------------------------

std::vector<std::pair<std::string, std::string>> pairs(
    const std::optional<std::vector<FormParam>>& form) {
  std::vector<std::pair<std::string, std::string>> out;
  if (form)
    for (const auto& p : *form) out.emplace_back(p.name, p.value);
  return out;
}
using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(WireEncoding, ParseFormKeepsPairsInOrder) {
  auto form = parse_form("grant_type=client_credentials&scope=openid&client_id=abc");
  ASSERT_TRUE(form);
  EXPECT_EQ(
      pairs(form),
      (Pairs{{"grant_type", "client_credentials"}, {"scope", "openid"}, {"client_id", "abc"}}));
}

TEST(WireEncoding, ParseFormDecodesNamesAndValues) {
  EXPECT_EQ(pairs(parse_form("client%5Fid=a%2Bb+c&x+y=%C3%A9t%C3%A9")),
            (Pairs{{"client_id", "a+b c"}, {"x y", "\xC3\xA9t\xC3\xA9"}}));
}

TEST(WireEncoding, ParseFormSplitsEachPairAtItsFirstEquals) {
  EXPECT_EQ(pairs(parse_form("a=b=c&=v")), (Pairs{{"a", "b=c"}, {"", "v"}}));
}

TEST(WireEncoding, ParseFormSkipsEmptyPairsAndKeepsValuelessNames) {
  EXPECT_EQ(pairs(parse_form("&&a=1&&b&c=&")), (Pairs{{"a", "1"}, {"b", ""}, {"c", ""}}));
  auto empty = parse_form("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

// The token endpoint refuses repeats (A8); the parser must therefore keep them.
TEST(WireEncoding, ParseFormKeepsRepeatedNames) {
  EXPECT_EQ(pairs(parse_form("a=1&a=2&a")), (Pairs{{"a", "1"}, {"a", "2"}, {"a", ""}}));
}

TEST(WireEncoding, ParseFormAcceptsRawUtf8) {
  EXPECT_EQ(pairs(parse_form("nom=\xC3\xA9t\xC3\xA9")), (Pairs{{"nom", "\xC3\xA9t\xC3\xA9"}}));
}

TEST(WireEncoding, ParseFormRejectsBadEscapesAndInvalidUtf8) {
  for (const char* body :
       {"a=%zz", "a%=1", "a=1&b=%4", "a=%C0%AF" /* overlong '/' */, "a=%ED%A0%80" /* surrogate */,
        "a=%F4%90%80%80", "%FF=1", "a=%C3", "a=\xFF", "a=\xE9t\xE9" /* Latin-1 */}) {
    SCOPED_TRACE(testing::PrintToString(std::string(body)));
    EXPECT_EQ(parse_form(body), std::nullopt);
  }
}

// FormView: the same parse as views. What needs no decoding is a view into the body itself (no
// copy); what does points into the view's own buffer, which must not move as fields are added.
TEST(WireEncoding, FormViewPointsIntoTheBodyWhenNothingIsEncoded) {
  const std::string body = "grant_type=client_credentials&client_id=abc&scope=openid";
  FormView form;
  ASSERT_TRUE(form.parse(body));
  ASSERT_EQ(form.fields().size(), 3u);
  for (const auto& f : form.fields()) {
    EXPECT_GE(f.name.data(), body.data());
    EXPECT_LE(f.value.data() + f.value.size(), body.data() + body.size());
  }
  EXPECT_EQ(form.fields()[1].value, "abc");
}

TEST(WireEncoding, FormViewKeepsEveryDecodedFieldValid) {
  std::string body = "plain=as+is&raw=\xC3\xA9";
  for (int i = 0; i < 40; ++i) body += "&k%5F" + std::to_string(i) + "=v%20" + std::to_string(i);
  FormView form;
  ASSERT_TRUE(form.parse(body));
  ASSERT_EQ(form.fields().size(), 42u);
  EXPECT_EQ(form.fields()[0].value, "as is");
  EXPECT_EQ(form.fields()[1].value, "\xC3\xA9");
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(form.fields()[i + 2].name, "k_" + std::to_string(i));
    EXPECT_EQ(form.fields()[i + 2].value, "v " + std::to_string(i));
  }
}

TEST(WireEncoding, FormViewHasNoFieldsAfterAFailedParseAndCanBeReused) {
  FormView form;
  ASSERT_TRUE(form.parse("a=1&b=%41"));
  EXPECT_FALSE(form.parse("a=1&b=%4"));
  EXPECT_TRUE(form.fields().empty());
  EXPECT_FALSE(form.parse("a=\xE9t\xE9"));  // Latin-1, not UTF-8, with nothing to decode
  ASSERT_TRUE(form.parse("c=%43"));
  ASSERT_EQ(form.fields().size(), 1u);
  EXPECT_EQ(form.fields()[0].value, "C");
}

// ----- base64 --------------------------------------------------------------------------------

TEST(WireEncoding, Base64MatchesTheRfc4648TestVectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    SCOPED_TRACE(plain);
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain);
  }
}

TEST(WireEncoding, Base64UsesTheStandardAlphabet) {
  EXPECT_EQ(base64_encode("\xFB\xFF\xBF"), "+/+/");
  EXPECT_EQ(base64_decode("+/+/"), "\xFB\xFF\xBF");
}

TEST(WireEncoding, Base64RoundTripsEveryByteAtEveryLength) {
  std::string bytes = all_bytes();
  for (size_t n = 0; n <= bytes.size(); ++n) {
    std::string in = bytes.substr(bytes.size() - n);
    std::string encoded = base64_encode(in);
    ASSERT_EQ(encoded.size(), (n + 2) / 3 * 4);
    ASSERT_EQ(base64_decode(encoded), in) << encoded;
  }
}

TEST(WireEncoding, Base64DecodeRequiresPadding) {
  for (const char* in : {"Zg", "Zg=", "Zm8", "Zm9vYg", "Zm9vYmE", "Z"}) {
    SCOPED_TRACE(in);
    EXPECT_EQ(base64_decode(in), std::nullopt);
  }
}

TEST(WireEncoding, Base64DecodeAcceptsPaddingOnlyAtTheEnd) {
  for (const char* in :
       {"====", "Z===", "=Zg=", "Z=g=", "Zm=8", "Zg==Zg==", "Zm8=Zm9v", "Zm9v===="}) {
    SCOPED_TRACE(in);
    EXPECT_EQ(base64_decode(in), std::nullopt);
  }
}

TEST(WireEncoding, Base64DecodeRejectsCharactersOutsideTheAlphabet) {
  for (const char* in :
       {"Zm9!", "Zm9-", "Zm9_", "Zm 9", "Zm9\n", "Zm9v\r\n\r\n", "Zm9.", "Zm9\x80", " Zm9v"}) {
    SCOPED_TRACE(testing::PrintToString(std::string(in)));
    EXPECT_EQ(base64_decode(in), std::nullopt);
  }
}

}  // namespace
}  // namespace pistesim

namespace pistesim {
namespace {

TEST(WireEncoding, NormalizePathDecodesUnreservedEscapesOnly) {
  EXPECT_EQ(normalize_path("/consult/p%69ng"), "/consult/ping");
  EXPECT_EQ(normalize_path("/a%2db%5F%7e"), "/a-b_~");
  EXPECT_EQ(normalize_path("/a%2fb"),
            "/a%2Fb");  // an encoded '/' stays a character, not a separator
  EXPECT_EQ(normalize_path("/a%20b"), "/a%20b");
  EXPECT_EQ(normalize_path("/bad%zz/%4"), "/bad%zz/%4");
}

// Found by fuzzing (tests/fuzz/regressions/form/): decoding "%39" right after a malformed '%'
// made a new escape ("%a9"), so a second normalisation changed the path again.
TEST(WireEncoding, NormalizePathNeverCreatesAnEscape) {
  EXPECT_EQ(normalize_path("/%a%39"), "/%a%39");
  for (std::string p : {"/%a%39", "/%%34%31", "/x%4%31y", "/%a%62%63"})
    EXPECT_EQ(normalize_path(normalize_path(p)), normalize_path(p)) << p;
}

TEST(WireEncoding, NormalizePathRemovesDotSegments) {
  EXPECT_EQ(normalize_path("/a/b/../c"), "/a/c");
  EXPECT_EQ(normalize_path("/a/./b"), "/a/b");
  EXPECT_EQ(normalize_path("/a/b/.."), "/a/");
  EXPECT_EQ(normalize_path("/../../a"), "/a");
  EXPECT_EQ(normalize_path("/.."), "/");
  EXPECT_EQ(normalize_path("/a/%2e%2e/b"), "/b");  // encoded dots are dots (unreserved)
  EXPECT_EQ(normalize_path("/a/b/"), "/a/b/");
  EXPECT_EQ(normalize_path("/"), "/");
}

}  // namespace
}  // namespace pistesim
