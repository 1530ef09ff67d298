#include "scenario_engine/assertions.h"

#include <gtest/gtest.h>

namespace pistesim::scenario {
namespace {

// apply_capture's value, or nullopt with *error set to why (the tests compare either).
std::optional<Value> captured(const Capture& c, const Observation& seen, std::string* error) {
  auto r = apply_capture(c, seen);
  if (!r) {
    *error = r.error().message;
    return std::nullopt;
  }
  return std::move(r).value();
}

Matcher matcher(Matcher::Op op, Value expected, bool negate = false) {
  Matcher m;
  m.op = op;
  m.expected = std::move(expected);
  m.negate = negate;
  m.where = {"s.toml", 3, 7};
  return m;
}

AssertionResult check(Matcher::Op op, Value expected, const Value& actual, bool negate = false,
                      bool missing = false) {
  Variables vars;
  vars.set("expected_type", "Bearer");
  vars.set("count", 3);
  return check_matcher(matcher(op, std::move(expected), negate), "subject", actual, missing, vars);
}

Observation http(int status, std::string body, std::vector<Header> headers = {}) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  for (auto& h : headers) r.headers.add(h.name, h.value);
  Observation o;
  o.response = std::move(r);
  o.duration_us = 1500;
  return o;
}

TEST(CheckMatcher, EqualsComparesTextAndTypedValues) {
  EXPECT_TRUE(check(Matcher::Op::Equals, "Bearer", "Bearer").passed);
  EXPECT_FALSE(check(Matcher::Op::Equals, "Bearer", "bearer").passed);
  EXPECT_TRUE(check(Matcher::Op::Equals, 42, 42.0).passed);
  EXPECT_FALSE(check(Matcher::Op::Equals, 42, 43).passed);
  // A string against a number, boolean or null compares as text.
  EXPECT_TRUE(check(Matcher::Op::Equals, "42", 42).passed);
  EXPECT_TRUE(check(Matcher::Op::Equals, 1, "1").passed);
  EXPECT_TRUE(check(Matcher::Op::Equals, "true", true).passed);
  EXPECT_FALSE(check(Matcher::Op::Equals, "1", true).passed);
  EXPECT_TRUE(check(Matcher::Op::Equals, Value::parse(R"({"a":[1]})"), Value::parse(R"({"a":[1]})"))
                  .passed);
  EXPECT_FALSE(check(Matcher::Op::Equals, "x", Value(), false, true).passed);
}

TEST(CheckMatcher, ResultSaysWhatWasExpectedAndSeen) {
  AssertionResult r = check(Matcher::Op::Equals, "Bearer", "bearer");
  EXPECT_EQ(r.subject, "subject");
  EXPECT_EQ(r.expectation, "equals \"Bearer\"");
  EXPECT_EQ(r.actual, "\"bearer\"");
  EXPECT_EQ(r.where.to_string(), "s.toml:3:7");
  EXPECT_EQ(check(Matcher::Op::Equals, "x", Value(), false, true).actual, "absent");
  AssertionResult long_one = check(Matcher::Op::Equals, "x", std::string(1000, 'a'));
  EXPECT_LT(long_one.actual.size(), 230u);
  EXPECT_NE(long_one.actual.find("(1002 bytes)"), std::string::npos);
  EXPECT_EQ(check(Matcher::Op::Max, 2, 3).expectation, "at most 2");
  EXPECT_EQ(check(Matcher::Op::Min, 1, 3).expectation, "at least 1");
  EXPECT_EQ(check(Matcher::Op::OneOf, Value::parse("[200, 201]"), 3).expectation,
            "one of [200,201]");
  EXPECT_EQ(check(Matcher::Op::Contains, "a", "b", true).expectation, "not contains \"a\"");
  EXPECT_EQ(check(Matcher::Op::Matches, "^a$", "b").expectation, "matches /^a$/");
  EXPECT_EQ(check(Matcher::Op::Exists, false, "b").expectation, "does not exist");
}

TEST(CheckMatcher, RendersTemplatesInTheExpectation) {
  EXPECT_TRUE(check(Matcher::Op::Equals, "{{expected_type}}", "Bearer").passed);
  EXPECT_TRUE(check(Matcher::Op::Equals, "{{count}}", 3).passed);
  AssertionResult r = check(Matcher::Op::Equals, "{{nope}}", "Bearer");
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.actual.find("cannot render the expectation"), std::string::npos);
}

TEST(CheckMatcher, Negation) {
  EXPECT_TRUE(check(Matcher::Op::Equals, "a", "b", true).passed);
  EXPECT_FALSE(check(Matcher::Op::Equals, "a", "a", true).passed);
  EXPECT_TRUE(check(Matcher::Op::Contains, "secret", "public text", true).passed);
  EXPECT_FALSE(check(Matcher::Op::Contains, "text", "public text", true).passed);
  EXPECT_TRUE(check(Matcher::Op::Matches, "^\\d+$", "abc", true).passed);
  EXPECT_FALSE(check(Matcher::Op::Matches, "^\\d+$", "123", true).passed);
  // Nothing there neither equals nor contains anything.
  EXPECT_TRUE(check(Matcher::Op::Contains, "x", Value(), true, true).passed);
}

TEST(CheckMatcher, ContainsIsSubstringOrMembership) {
  EXPECT_TRUE(
      check(Matcher::Op::Contains, "invalid_token", "Bearer error=\"invalid_token\"").passed);
  EXPECT_FALSE(check(Matcher::Op::Contains, "invalid_client", "error=\"invalid_token\"").passed);
  Value list = Value::parse(R"(["openid", "profile", 42])");
  EXPECT_TRUE(check(Matcher::Op::Contains, "openid", list).passed);
  EXPECT_FALSE(check(Matcher::Op::Contains, "open", list).passed);  // elements, not substrings
  EXPECT_TRUE(check(Matcher::Op::Contains, 42, list).passed);
  EXPECT_TRUE(check(Matcher::Op::Contains, "a", Value::parse(R"({"a":1})")).passed);
  EXPECT_FALSE(check(Matcher::Op::Contains, "b", Value::parse(R"({"a":1})")).passed);
  EXPECT_TRUE(check(Matcher::Op::Contains, "60", 3600).passed);
  EXPECT_FALSE(check(Matcher::Op::Contains, "x", Value(), false, true).passed);
}

TEST(CheckMatcher, MatchesSearchesWithEcmaScriptRegex) {
  EXPECT_TRUE(check(Matcher::Op::Matches, "^[A-Za-z0-9]{8}$", "abcd1234").passed);
  EXPECT_FALSE(check(Matcher::Op::Matches, "^[A-Za-z0-9]{8}$", "abcd123").passed);
  EXPECT_TRUE(check(Matcher::Op::Matches, "\\d{3}", "code 404 here").passed);
  EXPECT_TRUE(check(Matcher::Op::Matches, "^36", 3600).passed);
  EXPECT_TRUE(check(Matcher::Op::Matches, "^Jud", Value::parse(R"(["RNE","Judilibre"])")).passed);
  AssertionResult bad = check(Matcher::Op::Matches, "(unclosed", "x");
  EXPECT_FALSE(bad.passed);
  EXPECT_NE(bad.actual.find("invalid regex /(unclosed/"), std::string::npos);
  // Long inputs do not overflow the stack.
  EXPECT_TRUE(check(Matcher::Op::Matches, "(a|b)*x", std::string(200000, 'a') + "x").passed);
  EXPECT_TRUE(check(Matcher::Op::Matches, "(a)\\1", std::string(200000, 'a')).passed);
}

TEST(CheckMatcher, ExistsCountAndOneOf) {
  EXPECT_TRUE(check(Matcher::Op::Exists, true, "x").passed);
  EXPECT_FALSE(check(Matcher::Op::Exists, true, Value(), false, true).passed);
  EXPECT_TRUE(check(Matcher::Op::Exists, false, Value(), false, true).passed);
  EXPECT_FALSE(check(Matcher::Op::Exists, false, "x").passed);
  EXPECT_FALSE(check(Matcher::Op::Exists, "yes", "x").passed);

  EXPECT_TRUE(check(Matcher::Op::Count, 3, Value::parse("[1,2,3]")).passed);
  EXPECT_FALSE(check(Matcher::Op::Count, 2, Value::parse("[1,2,3]")).passed);
  EXPECT_EQ(check(Matcher::Op::Count, 2, Value::parse("[1,2,3]")).actual, "3 items");
  EXPECT_TRUE(check(Matcher::Op::Count, 0, Value(), false, true).passed);
  EXPECT_TRUE(check(Matcher::Op::Count, "{{count}}", Value::parse("[1,2,3]")).passed);
  EXPECT_TRUE(check(Matcher::Op::Count, Value::parse(R"({"min":1,"max":3})"), Value::parse("[1,2]"))
                  .passed);
  AssertionResult not_array = check(Matcher::Op::Count, 1, "text");
  EXPECT_FALSE(not_array.passed);
  EXPECT_NE(not_array.actual.find("not an array"), std::string::npos);

  EXPECT_TRUE(check(Matcher::Op::OneOf, Value::parse("[200, 201]"), 201).passed);
  EXPECT_FALSE(check(Matcher::Op::OneOf, Value::parse("[200, 201]"), 204).passed);
  EXPECT_TRUE(check(Matcher::Op::OneOf, Value::parse(R"(["a","b"])"), "b").passed);
}

TEST(CheckMatcher, MinAndMaxAreNumeric) {
  EXPECT_TRUE(check(Matcher::Op::Min, 1, 1).passed);
  EXPECT_FALSE(check(Matcher::Op::Min, 2, 1).passed);
  EXPECT_TRUE(check(Matcher::Op::Max, 2.5, 2).passed);
  EXPECT_FALSE(check(Matcher::Op::Max, 2, 2.5).passed);
  EXPECT_TRUE(check(Matcher::Op::Max, 30, " 12\n").passed);  // a header or stdout number
  AssertionResult text = check(Matcher::Op::Min, 1, "many");
  EXPECT_FALSE(text.passed);
  EXPECT_EQ(text.actual, "\"many\" (not a number)");
  EXPECT_FALSE(check(Matcher::Op::Min, 1, "0x10").passed);
  AssertionResult bad_bound = check(Matcher::Op::Max, "lots", 1);
  EXPECT_FALSE(bad_bound.passed);
  EXPECT_NE(bad_bound.actual.find("is not a number"), std::string::npos);
  EXPECT_FALSE(check(Matcher::Op::Max, 2, Value(), false, true).passed);
}

TEST(CheckExpectations, StatusCodesAndClasses) {
  Expectations e;
  e.status = StatusExpectation{{200, 201}, {}, {}};
  auto r = check_expectations(e, http(201, ""), {});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].passed);
  EXPECT_EQ(r[0].subject, "status");
  EXPECT_EQ(r[0].expectation, "in [200, 201]");
  r = check_expectations(e, http(404, ""), {});
  EXPECT_FALSE(r[0].passed);
  EXPECT_EQ(r[0].actual, "404 Not Found");

  e.status = StatusExpectation{{}, {2}, {}};
  EXPECT_EQ(check_expectations(e, http(204, ""), {})[0].expectation, "2xx");
  EXPECT_TRUE(check_expectations(e, http(204, ""), {})[0].passed);
  EXPECT_FALSE(check_expectations(e, http(302, ""), {})[0].passed);
  e.status = StatusExpectation{{429}, {}, {}};
  EXPECT_EQ(check_expectations(e, http(429, ""), {})[0].expectation, "equals 429");

  Observation none;
  auto nr = check_expectations(e, none, {});
  EXPECT_FALSE(nr[0].passed);
  EXPECT_EQ(nr[0].actual, "no response");
}

TEST(CheckExpectations, HeadersAreCaseInsensitiveAndMayBeAbsent) {
  Expectations e;
  e.headers.push_back({"cache-control", {matcher(Matcher::Op::Equals, "no-store")}});
  e.headers.push_back({"WWW-Authenticate", {matcher(Matcher::Op::Contains, "invalid_token")}});
  e.headers.push_back({"Retry-After", {matcher(Matcher::Op::Exists, false)}});
  auto r = check_expectations(
      e,
      http(401, "",
           {{"Cache-Control", "no-store"}, {"www-authenticate", "Bearer error=\"invalid_token\""}}),
      {});
  ASSERT_EQ(r.size(), 3u);
  for (const auto& a : r) EXPECT_TRUE(a.passed) << a.subject << " " << a.actual;
  EXPECT_EQ(r[0].subject, "header cache-control");

  r = check_expectations(e, http(429, "", {{"Retry-After", "1"}}), {});
  EXPECT_FALSE(r[0].passed);
  EXPECT_EQ(r[0].actual, "absent");
  EXPECT_FALSE(r[1].passed);
  EXPECT_FALSE(r[2].passed);
  EXPECT_EQ(r[2].actual, "\"1\"");

  Expectations typed;
  typed.headers.push_back({"Retry-After", {matcher(Matcher::Op::Equals, 1)}});
  EXPECT_TRUE(check_expectations(typed, http(429, "", {{"Retry-After", "1"}}), {})[0].passed);
}

TEST(CheckExpectations, BodyIsRawText) {
  Expectations e;
  e.body.push_back(matcher(Matcher::Op::Contains, "access_token"));
  e.body.push_back(matcher(Matcher::Op::Contains, "password", true));
  auto r = check_expectations(e, http(200, R"({"access_token":"x"})"), {});
  EXPECT_TRUE(r[0].passed);
  EXPECT_TRUE(r[1].passed);
  r = check_expectations(e, http(200, "password"), {});
  EXPECT_FALSE(r[0].passed);
  EXPECT_FALSE(r[1].passed);
}

TEST(CheckExpectations, JsonPathsOnTheBody) {
  Expectations e;
  e.json.push_back({"$.token_type", {matcher(Matcher::Op::Equals, "Bearer")}});
  e.json.push_back({"$.access_token", {matcher(Matcher::Op::Matches, "^[A-Za-z0-9]{6}$")}});
  e.json.push_back({"$.apis", {matcher(Matcher::Op::Count, 2)}});
  e.json.push_back(
      {"$.apis[*].api", {matcher(Matcher::Op::Count, 2), matcher(Matcher::Op::Contains, "RNE")}});
  e.json.push_back({"$.error", {matcher(Matcher::Op::Exists, false)}});
  e.json.push_back(
      {"$..nothing", {matcher(Matcher::Op::Exists, false), matcher(Matcher::Op::Count, 0)}});
  e.json.push_back(
      {"$.expires_in", {matcher(Matcher::Op::Min, 1), matcher(Matcher::Op::Max, 3600)}});
  Observation seen = http(200, R"({"token_type":"Bearer","access_token":"abc123","expires_in":3600,
                                   "apis":[{"api":"RNE"},{"api":"Judilibre"}]})");
  auto r = check_expectations(e, seen, {});
  ASSERT_EQ(r.size(), 10u);
  for (const auto& a : r)
    EXPECT_TRUE(a.passed) << a.subject << " " << a.expectation << " " << a.actual;

  Observation other = http(200, R"({"token_type":"bearer","apis":[],"error":"x","expires_in":0})");
  r = check_expectations(e, other, {});
  EXPECT_FALSE(r[0].passed);
  EXPECT_EQ(r[0].actual, "\"bearer\"");
  EXPECT_FALSE(r[1].passed);
  EXPECT_EQ(r[1].actual, "absent");
  EXPECT_FALSE(r[2].passed);
  EXPECT_EQ(r[2].actual, "0 items");
  EXPECT_FALSE(r[5].passed);  // $.error exists
  EXPECT_TRUE(r[6].passed);   // $..nothing still does not
  EXPECT_FALSE(r[8].passed);  // expires_in 0 < 1
}

TEST(CheckExpectations, NonJsonBodyFailsEveryJsonAssertion) {
  Expectations e;
  e.json.push_back({"$.a", {matcher(Matcher::Op::Exists, false)}});
  e.json.push_back({"$.b", {matcher(Matcher::Op::Equals, 1)}});
  auto r = check_expectations(e, http(502, "<html>Bad gateway</html>"), {});
  ASSERT_EQ(r.size(), 2u);
  for (const auto& a : r) {
    EXPECT_FALSE(a.passed);
    EXPECT_EQ(a.actual, "body is not JSON: <html>Bad gateway</html>");
  }
  Expectations bad_path;
  bad_path.json.push_back({"$.apis[]", {matcher(Matcher::Op::Exists, true)}});
  auto b = check_expectations(bad_path, http(200, "{}"), {});
  EXPECT_FALSE(b[0].passed);
  EXPECT_NE(b[0].actual.find("invalid JSONPath: unexpected ']'"), std::string::npos);
}

TEST(CheckExpectations, DurationExitAndOutputsInOrder) {
  Expectations e;
  e.status = StatusExpectation{{200}, {}, {}};
  e.duration_ms = matcher(Matcher::Op::Max, "2s");
  e.exit_code = matcher(Matcher::Op::Equals, 0);
  e.stdout_text.push_back(matcher(Matcher::Op::Contains, "ok"));
  e.stderr_text.push_back(matcher(Matcher::Op::Equals, ""));
  Observation seen = http(200, "");
  seen.exit_code = 0;
  seen.stdout_text = "all ok\n";
  auto r = check_expectations(e, seen, {});
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].subject, "status");
  EXPECT_EQ(r[1].subject, "duration");
  EXPECT_EQ(r[1].expectation, "at most 2000 ms");
  EXPECT_EQ(r[1].actual, "1.5 ms");
  EXPECT_EQ(r[2].subject, "exit code");
  EXPECT_EQ(r[3].subject, "stdout");
  EXPECT_EQ(r[4].subject, "stderr");
  for (const auto& a : r) EXPECT_TRUE(a.passed) << a.subject;

  seen.duration_us = 2'500'000;
  seen.exit_code = 3;
  seen.stderr_text = "boom";
  r = check_expectations(e, seen, {});
  EXPECT_FALSE(r[1].passed);
  EXPECT_FALSE(r[2].passed);
  EXPECT_EQ(r[2].actual, "3");
  EXPECT_FALSE(r[4].passed);

  Observation no_exit;
  Expectations exit_only;
  exit_only.exit_code = matcher(Matcher::Op::Equals, 0);
  EXPECT_FALSE(check_expectations(exit_only, no_exit, {})[0].passed);
}

Capture capture(Capture::Source source, std::string expression, std::string input = "body") {
  Capture c;
  c.variable = "v";
  c.source = source;
  c.expression = std::move(expression);
  c.regex_input = std::move(input);
  return c;
}

TEST(ApplyCapture, JsonPathKeepsTheType) {
  Observation seen = http(200, R"({"access_token":"abc","expires_in":3600,
      "apps":[{"name":"demo","id":7},{"name":"other","id":8}]})");
  std::string error;
  EXPECT_EQ(captured(capture(Capture::Source::JsonPath, "$.access_token"), seen, &error),
            Value("abc"));
  EXPECT_EQ(captured(capture(Capture::Source::JsonPath, "$.expires_in"), seen, &error),
            Value(3600));
  EXPECT_EQ(captured(capture(Capture::Source::JsonPath, "$.apps[0]"), seen, &error),
            Value::parse(R"({"name":"demo","id":7})"));
  // One match is the value; several are an array.
  EXPECT_EQ(
      captured(capture(Capture::Source::JsonPath, "$.apps[?@.name == 'demo'].id"), seen, &error),
      Value(7));
  EXPECT_EQ(captured(capture(Capture::Source::JsonPath, "$.apps[*].id"), seen, &error),
            Value::parse("[7,8]"));
  auto none = captured(capture(Capture::Source::JsonPath, "$.refresh_token"), seen, &error);
  EXPECT_FALSE(none);
  EXPECT_NE(error.find("capture v: $.refresh_token matches nothing"), std::string::npos) << error;

  Capture with_default = capture(Capture::Source::JsonPath, "$.refresh_token");
  with_default.fallback = "none";
  EXPECT_EQ(captured(with_default, seen, &error), Value("none"));

  EXPECT_FALSE(captured(capture(Capture::Source::JsonPath, "$.a"), http(200, "oops"), &error));
  EXPECT_NE(error.find("body is not JSON: oops"), std::string::npos);
  EXPECT_FALSE(captured(capture(Capture::Source::JsonPath, "$["), seen, &error));
  EXPECT_NE(error.find("invalid JSONPath"), std::string::npos);
}

TEST(ApplyCapture, HeaderRegexAndRawValues) {
  Observation seen =
      http(302, "code=XYZ&state=1",
           {{"Location", "https://app/cb?code=abc123&state=s"}, {"Retry-After", "3"}});
  seen.stdout_text = "token fetched: tok_42\n";
  seen.exit_code = 0;
  std::string error;
  EXPECT_EQ(captured(capture(Capture::Source::Header, "retry-after"), seen, &error), Value("3"));
  EXPECT_FALSE(captured(capture(Capture::Source::Header, "X-None"), seen, &error));
  EXPECT_EQ(error, "capture v: no header X-None in the response");

  EXPECT_EQ(captured(capture(Capture::Source::Regex, "code=(\\w+)"), seen, &error), Value("XYZ"));
  EXPECT_EQ(captured(capture(Capture::Source::Regex, "code=\\w+"), seen, &error),
            Value("code=XYZ"));
  EXPECT_EQ(
      captured(capture(Capture::Source::Regex, "code=(\\w+)", "header:Location"), seen, &error),
      Value("abc123"));
  EXPECT_EQ(captured(capture(Capture::Source::Regex, "tok_(\\d+)", "stdout"), seen, &error),
            Value("42"));
  EXPECT_FALSE(captured(capture(Capture::Source::Regex, "nope(\\d)"), seen, &error));
  EXPECT_NE(error.find("matches nothing in body"), std::string::npos);
  EXPECT_FALSE(captured(capture(Capture::Source::Regex, "x", "cookies"), seen, &error));
  EXPECT_NE(error.find("unknown regex input"), std::string::npos);
  EXPECT_FALSE(captured(capture(Capture::Source::Regex, "(", "body"), seen, &error));
  EXPECT_NE(error.find("invalid regex"), std::string::npos);

  EXPECT_EQ(captured(capture(Capture::Source::Status, ""), seen, &error), Value(302));
  EXPECT_EQ(captured(capture(Capture::Source::Body, ""), seen, &error), Value("code=XYZ&state=1"));
  EXPECT_EQ(captured(capture(Capture::Source::Stdout, ""), seen, &error),
            Value("token fetched: tok_42\n"));
  EXPECT_EQ(captured(capture(Capture::Source::ExitCode, ""), seen, &error), Value(0));

  Observation nothing;
  EXPECT_FALSE(captured(capture(Capture::Source::Status, ""), nothing, &error));
  EXPECT_EQ(error, "capture v: no response to capture from");
  EXPECT_FALSE(captured(capture(Capture::Source::ExitCode, ""), nothing, &error));
}

}  // namespace
}  // namespace pistesim::scenario
