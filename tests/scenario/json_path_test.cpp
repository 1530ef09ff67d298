#include "scenario_engine/json_path.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace pistesim::scenario {
namespace {

const Value kDoc = Value::parse(R"({
  "token_type": "Bearer",
  "expires_in": 3600,
  "Retry-After": "2",
  "apis": [
    {"api": "Légifrance", "version": 2, "scopes": ["openid"]},
    {"api": "Judilibre", "version": 1, "scopes": []},
    {"api": "RNE", "version": 3.5, "beta": true}
  ],
  "odd key": {"a'b": 1},
  "nested": {"scope": "outer", "inner": {"scope": "inner"}}
})");

// The values selected, as one JSON array (easy to compare).
Value select(const Value& doc, std::string_view path) {
  Value out = Value::array();
  auto nodes = json_path_select(doc, path);
  EXPECT_TRUE(nodes) << path << ": " << nodes.error().message;
  if (nodes)
    for (const Value* v : *nodes) out.push_back(*v);
  return out;
}

std::string error_of(std::string_view path) {
  auto nodes = json_path_select(kDoc, path);
  EXPECT_FALSE(nodes) << path;
  const std::string error = nodes ? std::string() : nodes.error().message;
  EXPECT_EQ(error, json_path_syntax_error(path));
  return error;
}

TEST(JsonPath, RootAndMemberNames) {
  EXPECT_EQ(select(kDoc, "$"), Value::array({kDoc}));
  EXPECT_EQ(select(kDoc, "$.token_type"), Value::parse(R"(["Bearer"])"));
  EXPECT_EQ(select(kDoc, "$['token_type']"), Value::parse(R"(["Bearer"])"));
  EXPECT_EQ(select(kDoc, R"($["expires_in"])"), Value::parse("[3600]"));
  EXPECT_EQ(select(kDoc, "$.Retry-After"), Value::parse(R"(["2"])"));
  EXPECT_EQ(select(kDoc, R"($['odd key']['a\'b'])"), Value::parse("[1]"));
  EXPECT_EQ(select(kDoc, "$.missing"), Value::array());
  EXPECT_EQ(select(kDoc, "$.token_type.deeper"), Value::array());
}

TEST(JsonPath, IndicesWildcardsAndUnions) {
  EXPECT_EQ(select(kDoc, "$.apis[0].api"), Value::parse(R"(["Légifrance"])"));
  EXPECT_EQ(select(kDoc, "$.apis[-1].api"), Value::parse(R"(["RNE"])"));
  EXPECT_EQ(select(kDoc, "$.apis[3]"), Value::array());
  EXPECT_EQ(select(kDoc, "$.apis[-4]"), Value::array());
  EXPECT_EQ(select(kDoc, "$.apis[*].api"), Value::parse(R"(["Légifrance","Judilibre","RNE"])"));
  EXPECT_EQ(select(kDoc, "$.apis.*.version"), Value::parse("[2, 1, 3.5]"));
  EXPECT_EQ(select(kDoc, "$.apis[2,0].api"), Value::parse(R"(["RNE","Légifrance"])"));
  EXPECT_EQ(select(kDoc, "$['token_type','expires_in']"), Value::parse(R"(["Bearer",3600])"));
  // Members come in the document's order, which nlohmann::json keeps sorted by name.
  EXPECT_EQ(select(kDoc, "$.nested.*"), Value::parse(R"([{"scope":"inner"}, "outer"])"));
  EXPECT_EQ(select(kDoc, "$.token_type[0]"), Value::array());
  EXPECT_EQ(select(kDoc, "$[ 'token_type' ]"), Value::parse(R"(["Bearer"])"));
}

TEST(JsonPath, Slices) {
  Value doc = Value::parse("[0,1,2,3,4,5]");
  EXPECT_EQ(select(doc, "$[1:3]"), Value::parse("[1,2]"));
  EXPECT_EQ(select(doc, "$[:2]"), Value::parse("[0,1]"));
  EXPECT_EQ(select(doc, "$[4:]"), Value::parse("[4,5]"));
  EXPECT_EQ(select(doc, "$[-2:]"), Value::parse("[4,5]"));
  EXPECT_EQ(select(doc, "$[::2]"), Value::parse("[0,2,4]"));
  EXPECT_EQ(select(doc, "$[::-1]"), Value::parse("[5,4,3,2,1,0]"));
  EXPECT_EQ(select(doc, "$[5:1:-2]"), Value::parse("[5,3]"));
  EXPECT_EQ(select(doc, "$[::0]"), Value::array());
  EXPECT_EQ(select(doc, "$[-100:100]"), doc);
  EXPECT_EQ(select(doc, "$[9007199254740991:]"), Value::array());
}

TEST(JsonPath, DescendantsInDocumentOrder) {
  EXPECT_EQ(select(kDoc, "$..scope"), Value::parse(R"(["outer","inner"])"));
  EXPECT_EQ(select(kDoc, "$..scopes[0]"), Value::parse(R"(["openid"])"));
  EXPECT_EQ(select(kDoc, "$.nested..*"), Value::parse(R"([{"scope":"inner"}, "outer", "inner"])"));
  EXPECT_EQ(select(kDoc, "$..['api']"), Value::parse(R"(["Légifrance","Judilibre","RNE"])"));
}

TEST(JsonPath, Filters) {
  EXPECT_EQ(select(kDoc, "$.apis[?(@.api == 'RNE')].version"), Value::parse("[3.5]"));
  EXPECT_EQ(select(kDoc, "$.apis[?@.version >= 2].api"), Value::parse(R"(["Légifrance","RNE"])"));
  EXPECT_EQ(select(kDoc, "$.apis[?@.version < 2].api"), Value::parse(R"(["Judilibre"])"));
  EXPECT_EQ(select(kDoc, "$.apis[?@.version != 1].api"), Value::parse(R"(["Légifrance","RNE"])"));
  EXPECT_EQ(select(kDoc, "$.apis[?@.version <= 2 && @.version > 1].api"),
            Value::parse(R"(["Légifrance"])"));
  EXPECT_EQ(select(kDoc, "$.apis[?@.beta].api"), Value::parse(R"(["RNE"])"));
  EXPECT_EQ(select(kDoc, "$.apis[?!@.beta].api"), Value::parse(R"(["Légifrance","Judilibre"])"));
  EXPECT_EQ(select(kDoc, "$.apis[?@.beta == true || @.api == \"Judilibre\"].api"),
            Value::parse(R"(["Judilibre","RNE"])"));
  EXPECT_EQ(select(kDoc, "$.apis[?!(@.version == 1 || @.version == 2)].api"),
            Value::parse(R"(["RNE"])"));
  EXPECT_EQ(select(kDoc, "$.apis[?@.version == 2.0].api"), Value::parse(R"(["Légifrance"])"));
  // A missing member equals nothing but another missing member (RFC 9535 §2.3.5.2.2).
  EXPECT_EQ(select(kDoc, "$.apis[?@.none == @.other].api").size(), 3u);
  EXPECT_EQ(select(kDoc, "$.apis[?@.none == null].api"), Value::array());
  // Absolute queries compare against the document.
  EXPECT_EQ(select(kDoc, "$.apis[?@.version == $.apis[1].version].api"),
            Value::parse(R"(["Judilibre"])"));
  // Strings order by code point; mixed types are never less.
  EXPECT_EQ(select(kDoc, "$.apis[?@.api < 'K'].api"), Value::parse(R"(["Judilibre"])"));
  EXPECT_EQ(select(kDoc, "$.apis[?@.api < 5].api"), Value::array());
  // Filters apply to object members too, and nest.
  EXPECT_EQ(select(kDoc, "$.nested[?@.scope == 'inner']"), Value::parse(R"([{"scope":"inner"}])"));
  EXPECT_EQ(select(kDoc, "$.apis[?@.scopes[?@ == 'openid']].api"),
            Value::parse(R"(["Légifrance"])"));
  EXPECT_EQ(select(kDoc, R"($.apis[?@.api == 'L\u00e9gifrance'].version)"), Value::parse("[2]"));
}

TEST(JsonPath, SingularPaths) {
  EXPECT_TRUE(json_path_is_singular("$"));
  EXPECT_TRUE(json_path_is_singular("$.apis[0]['api']"));
  EXPECT_FALSE(json_path_is_singular("$.apis[*]"));
  EXPECT_FALSE(json_path_is_singular("$..api"));
  EXPECT_FALSE(json_path_is_singular("$.apis[0,1]"));
  EXPECT_FALSE(json_path_is_singular("$.apis[0:1]"));
  EXPECT_FALSE(json_path_is_singular("$.apis[?@.a]"));
  EXPECT_FALSE(json_path_is_singular("$.apis["));
}

TEST(JsonPath, SyntaxErrorsSayWhereAndWhat) {
  EXPECT_EQ(error_of("$.apis[]"), "unexpected ']' at position 7; expected a name, an index or '*'");
  EXPECT_EQ(error_of(""), "an empty JSONPath; expected '$'");
  EXPECT_EQ(error_of("apis"),
            "unexpected 'a' at position 0; expected '$' (a JSONPath starts at the document root)");
  EXPECT_EQ(error_of("$.apis[0"), "unexpected end of path at position 8; expected ',' or ']'");
  EXPECT_EQ(error_of("$.apis.0"),
            "unexpected '0' at position 7; expected a name or '*' after '.' (array indices are "
            "written [0])");
  EXPECT_EQ(error_of("$[api]"),
            "unexpected 'a' at position 2; expected a name, an index or '*' (names in brackets "
            "are quoted: ['name'])");
  EXPECT_EQ(error_of("$x"),
            "unexpected 'x' at position 1; expected '.', '[' or the end of the path");
  EXPECT_EQ(error_of("$['abc"), "unexpected end of path at position 6; expected a closing \"'\"");
  EXPECT_EQ(error_of("$[?@.a = 1]"),
            "unexpected '=' at position 7; expected '==' (a single '=' is not a comparison)");
  EXPECT_EQ(error_of("$[?@.a == ]"),
            "unexpected ']' at position 10; expected a query ('@…' or '$…') or a literal (string, "
            "number, true, false, null)");
  EXPECT_EQ(error_of("$[?@[*] == 1]"),
            "the query at position 3 may select several values; a comparison needs a singular "
            "query (names and indices only)");
  EXPECT_EQ(error_of("$[?length(@) == 1]"),
            "unsupported function 'length()' at position 3; expected a query ('@…' or '$…') or a "
            "literal");
  EXPECT_EQ(error_of("$[?'a']"),
            "unexpected ']' at position 6; expected a comparison operator (==, !=, <, <=, >, >=) "
            "after the literal");
  EXPECT_EQ(error_of("$[99999999999999999999]"),
            "an index at position 2 is out of range (at most 2^53-1)");
  EXPECT_EQ(error_of("$[?(@.a == 1]"), "unexpected ']' at position 12; expected ')', '&&' or '||'");
  EXPECT_EQ(error_of("$['\\x']"),
            "unexpected 'x' at position 4; expected an escape: b f n r t / \\ ' \" or uXXXX");
  EXPECT_EQ(error_of("$..."),
            "unexpected '.' at position 3; expected a name, '*' or '[' after '..'");
  EXPECT_NE(error_of("$['\\ud800']").find("surrogate"), std::string::npos);
  EXPECT_EQ(json_path_syntax_error("$.apis[?(@.version >= 2)].api"), "");
}

TEST(JsonPath, DeepNestingIsAnErrorNotACrash) {
  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "!(";
  std::string path = "$[?" + nots + "@.a" + std::string(5000, ')') + "]";
  EXPECT_NE(error_of(path).find("nests filters, parentheses or '!' more than 32 deep"),
            std::string::npos);
  EXPECT_EQ(error_of("$[?!!@.a]"),
            "unexpected '!' at position 4; expected '(' or a query ('@…' or '$…') after '!'");
  std::string parens = "$[?" + std::string(5000, '(') + "@.a" + std::string(5000, ')') + "]";
  EXPECT_NE(error_of(parens).find("more than 32 deep"), std::string::npos);
  std::string filters;
  for (int i = 0; i < 2000; ++i) filters += "[?@";
  EXPECT_NE(error_of("$" + filters).find("more than 32 deep"), std::string::npos);
}

TEST(JsonPath, DeepDocumentsAreWalkedWithoutRecursion) {
  Value doc = Value::parse(std::string(20000, '[') + "{\"x\":1}" + std::string(20000, ']'));
  EXPECT_EQ(select(doc, "$..x"), Value::parse("[1]"));
}

TEST(JsonPath, ExplosiveQueriesStopWithAnError) {
  // A chain 60 deep with a few numbers at each level: each "..*" multiplies the matches.
  Value doc = Value::array({1, 2, 3, 4, 5});
  for (int i = 0; i < 60; ++i) doc = Value::array({doc, 1, 2, 3, 4, 5});
  auto nodes = json_path_select(doc, "$..*..*..*..*..*");
  ASSERT_FALSE(nodes);
  EXPECT_NE(nodes.error().message.find("make it more specific"), std::string::npos)
      << nodes.error().message;
}

// Random paths from JSONPath's alphabet: never a crash, and an error or a result, never both.
TEST(JsonPath, RandomPathsNeverCrash) {
  const std::string alphabet = "$@.[]*?:,'\"()!=<>&|-019ab \\u";
  std::mt19937 rng(12345);
  for (int i = 0; i < 20000; ++i) {
    std::string path = "$";
    size_t len = rng() % 24;
    for (size_t j = 0; j < len; ++j) path += alphabet[rng() % alphabet.size()];
    auto nodes = json_path_select(kDoc, path);
    if (!nodes) {
      EXPECT_EQ(nodes.error().message, json_path_syntax_error(path)) << path;
    } else {
      EXPECT_EQ(json_path_syntax_error(path), "") << path;
    }
  }
}

}  // namespace
}  // namespace pistesim::scenario
