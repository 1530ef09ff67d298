#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "loadgen/http_wire.h"
#include "loadgen/load_result.h"
#include "loadgen/protocol_checks.h"

namespace pistesim::loadgen {
namespace {

ResponseParser::State feed_all(ResponseParser& p, const std::string& bytes, size_t piece) {
  ResponseParser::State s = ResponseParser::State::Incomplete;
  for (size_t i = 0; i < bytes.size(); i += piece) {
    size_t used = 0;
    std::string chunk = bytes.substr(i, piece);
    s = p.feed(chunk.data(), chunk.size(), &used);
    if (s != ResponseParser::State::Incomplete) {
      EXPECT_EQ(i + used, bytes.size()) << "the whole response, nothing more";
      return s;
    }
  }
  return s;
}

TEST(HttpWire, WritesRequestsWithHostAndLength) {
  std::string out;
  write_request(out, "POST", "/api/oauth/token", "127.0.0.1:8080",
                "Content-Type: application/x-www-form-urlencoded\r\n", "a=b");
  EXPECT_EQ(out,
            "POST /api/oauth/token HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: "
            "application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b");
  out.clear();
  write_request(out, "GET", "/ping", "h", "", "");
  EXPECT_EQ(out, "GET /ping HTTP/1.1\r\nHost: h\r\n\r\n");
}

TEST(HttpWire, ParsesContentLengthResponsesInAnyPieces) {
  const std::string bytes =
      "HTTP/1.1 429 Too Many Requests\r\nx-rate-limit: [{\"window\": 1, \"type\": \"throttle\", "
      "\"remaining\": 0}]\r\nX-Correlation-Id: ab-12\r\nContent-Length: 5\r\n\r\nhello";
  for (size_t piece : {1, 3, 7, 1000}) {
    ResponseParser p;
    ASSERT_EQ(feed_all(p, bytes, piece), ResponseParser::State::Complete) << piece;
    EXPECT_EQ(p.head().status, 429);
    EXPECT_TRUE(p.head().has_rate_limit);
    EXPECT_TRUE(p.head().has_correlation_id);
    EXPECT_TRUE(p.head().keep_alive);
    EXPECT_EQ(p.body(), "hello");
  }
}

TEST(HttpWire, ParsesChunkedBodiesAndConnectionClose) {
  const std::string bytes =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
      "4;ext=1\r\npong\r\n3\r\n!!!\r\n0\r\nTrailer: x\r\n\r\n";
  for (size_t piece : {1, 5, 1000}) {
    ResponseParser p;
    ASSERT_EQ(feed_all(p, bytes, piece), ResponseParser::State::Complete) << piece;
    EXPECT_EQ(p.body(), "pong!!!");
    EXPECT_FALSE(p.head().keep_alive);
  }
}

TEST(HttpWire, RejectsMalformedResponses) {
  for (const std::string bad :
       {"HTTX/1.1 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1z\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    ResponseParser p;
    size_t used = 0;
    EXPECT_EQ(p.feed(bad.data(), bad.size(), &used), ResponseParser::State::Error) << bad;
    EXPECT_FALSE(p.error().empty());
  }
}

ResponseHead token_head() {
  ResponseHead h;
  h.status = 200;
  h.content_type = "application/json";
  h.cache_control = "no-store";
  h.pragma = "no-cache";
  return h;
}

TEST(TokenResponseCheck, AcceptsRfc6749Answers) {
  auto c = check_token_response(
      token_head(),
      R"({"access_token":"abc123","token_type":"bearer","expires_in":3600,"scope":"openid"})");
  EXPECT_EQ(c.problem, "");
  EXPECT_EQ(c.access_token, "abc123");
  EXPECT_EQ(c.expires_in, 3600);
}

TEST(TokenResponseCheck, NamesTheFirstBrokenRule) {
  const std::string good = R"({"access_token":"t","token_type":"Bearer","expires_in":3600})";
  ResponseHead h = token_head();
  h.cache_control.clear();
  EXPECT_EQ(check_token_response(h, good).problem, "no Cache-Control: no-store");
  h = token_head();
  h.pragma.clear();
  EXPECT_EQ(check_token_response(h, good).problem, "no Pragma: no-cache");
  h = token_head();
  EXPECT_EQ(check_token_response(h, R"({"token_type":"Bearer","expires_in":1})").problem,
            "no access_token string");
  EXPECT_EQ(
      check_token_response(h, R"({"access_token":"t","token_type":"mac","expires_in":1})").problem,
      "token_type is not Bearer");
  EXPECT_EQ(
      check_token_response(h, R"({"access_token":"t","token_type":"Bearer","expires_in":"3600"})")
          .problem,
      "expires_in is not a positive integer");
  EXPECT_EQ(check_token_response(h, "not json").problem, "body is not a JSON object");
  auto bad = check_token_response(h,
                                  "{\"access_token\":\"a\\u0001\",\"token_type\":\"Bearer\","
                                  "\"expires_in\":1}");
  EXPECT_EQ(bad.problem, "access_token has characters outside VSCHAR");
  EXPECT_TRUE(bad.access_token.empty()) << "an invalid token is not handed out";
}

TEST(RefusalCheck, RequiresPisteHeaders) {
  ResponseHead h;
  h.status = 429;
  h.has_rate_limit = true;
  h.rate_limit = R"([{"window": 1, "type": "throttle", "remaining": 0}])";
  h.has_correlation_id = true;
  EXPECT_EQ(check_refusal(h, {}), "");
  h.rate_limit = R"([{"window": 1, "type": "throttle", "remaining": 10}])";
  EXPECT_EQ(check_refusal(h, {}), "x-rate-limit remaining is not 0");
  h.rate_limit = R"([{"window": 1, "type": "throttle", "remaining": 0}])";
  h.has_correlation_id = false;
  EXPECT_EQ(check_refusal(h, {}), "no x-correlation-id");
  h.has_correlation_id = true;
  EXPECT_EQ(check_refusal(h, {true, true}), "no Retry-After");
  h.has_retry_after = true;
  h.retry_after = "soon";
  EXPECT_EQ(check_refusal(h, {}), "Retry-After is not delta-seconds");
  h.retry_after = "1";
  EXPECT_EQ(check_refusal(h, {true, true}), "");
}

TEST(TokenFingerprint, DiffersForDifferentTokens) {
  EXPECT_NE(token_fingerprint("a"), token_fingerprint("b"));
  EXPECT_EQ(token_fingerprint("same"), token_fingerprint("same"));
}

// Uniqueness in bounded memory: a duplicate among the last `capacity` tokens is caught; older
// ones are forgotten in the order seen, and the result says the check was windowed.
TEST(RecentTokens, CatchesDuplicatesWithinTheWindowAndForgetsTheOldest) {
  RecentTokens recent(3);
  EXPECT_TRUE(recent.insert(1));
  EXPECT_TRUE(recent.insert(2));
  EXPECT_FALSE(recent.insert(1));
  EXPECT_TRUE(recent.insert(3));
  EXPECT_FALSE(recent.forgot_some());
  EXPECT_TRUE(recent.insert(4));  // 1 forgotten
  EXPECT_TRUE(recent.forgot_some());
  EXPECT_FALSE(recent.insert(2));
  EXPECT_FALSE(recent.insert(4));
  EXPECT_TRUE(recent.insert(1));  // seen, but out of the window
  EXPECT_FALSE(recent.insert(3)) << "3 is still among the last three (3, 4, 1)";
  EXPECT_TRUE(recent.insert(2));  // 2 left the window when 1 came back
}

TEST(RecentTokens, TheWindowReachesTheResultAndItsVerdict) {
  LoadResult a, b;
  a.tokens_issued = b.tokens_issued = 10;
  b.uniqueness_window = 3;
  LoadResult merged = LoadResult::from_json(a.to_json());
  merged.merge(LoadResult::from_json(b.to_json()));
  EXPECT_EQ(merged.uniqueness_window, 3u);
  Verdict v = verify(merged, Thresholds{});
  bool named = false;
  for (const auto& c : v.checks)
    if (c.name == "tokens unique")
      named = c.detail.find("compared with the last 3 of its thread") != std::string::npos;
  EXPECT_TRUE(named);
}

}  // namespace
}  // namespace pistesim::loadgen
