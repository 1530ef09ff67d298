// Each client check on a journal that passes it and one that fails it (a check that cannot fail
// would be worthless). Journals are hand-built: at_ms is the simulator's clock, elapsed_us real
// time.
#include "scenario_engine/client_checks.h"

#include <gtest/gtest.h>

namespace pistesim::scenario {
namespace {

constexpr Millis kStart = 1'795'424'400'000;  // 2026-11-23T09:00:00Z

// A journal written step by step: each entry arrives `gap_ms` of real time after the last.
class JournalBuilder {
 public:
  JournalBuilder& token(int status = 200, std::string token_id = "", std::string auth = "basic") {
    JournalEntry e = next(JournalKind::Token);
    e.method = "POST";
    e.path = "/api/oauth/token";
    e.auth = std::move(auth);
    e.client_id = "demo-client";
    e.grant_type = "client_credentials";
    e.scope = "openid";
    e.status = status;
    if (status == 200) e.token_id = token_id.empty() ? "tok" + std::to_string(e.seq) : token_id;
    if (status == 400) e.error = "invalid_request";
    if (status == 401) e.error = "invalid_client";
    last_token_ = e.token_id.empty() ? last_token_ : e.token_id;
    entries_.push_back(std::move(e));
    return *this;
  }
  JournalEntry& api(int status = 200, std::string error = "") {
    JournalEntry e = next(JournalKind::Api);
    e.method = "GET";
    e.path = "/dila/legifrance/lf-engine-app/consult/ping";
    e.auth = "bearer";
    e.token_id = last_token_;
    e.status = status;
    e.error = std::move(error);
    entries_.push_back(std::move(e));
    return entries_.back();
  }
  JournalBuilder& calls(int n) {
    for (int i = 0; i < n; ++i) api();
    return *this;
  }
  JournalBuilder& wait_ms(int64_t ms) {
    elapsed_us_ += ms * 1000;
    return *this;
  }
  JournalBuilder& advance_clock_ms(int64_t ms) {
    at_ms_ += ms;
    return *this;
  }
  std::vector<JournalEntry>& entries() { return entries_; }

 private:
  JournalEntry next(JournalKind kind) {
    JournalEntry e;
    e.seq = entries_.size() + 1;
    e.kind = kind;
    e.at_ms = at_ms_;
    elapsed_us_ += 2000;
    e.elapsed_us = elapsed_us_;
    e.duration_us = 300;
    e.application = "demo-sandbox";
    return e;
  }
  std::vector<JournalEntry> entries_;
  std::string last_token_;
  Millis at_ms_ = kStart;
  int64_t elapsed_us_ = 0;
};

Matcher count(Matcher::Op op, int n) {
  Matcher m;
  m.op = op;
  m.expected = n;
  return m;
}

AssertionResult only(const ClientExpectations& expect, const std::vector<JournalEntry>& entries) {
  auto results = check_client(expect, entries);
  EXPECT_EQ(results.size(), 1u);
  return results.empty() ? AssertionResult{} : results.front();
}

TEST(ClientChecks, CountsTokenRequestsAndApiCalls) {
  JournalBuilder j;
  j.token().calls(3).token().calls(2);
  ClientExpectations e;
  e.token_requests = count(Matcher::Op::Max, 2);
  e.api_calls = count(Matcher::Op::Min, 5);
  auto r = check_client(e, j.entries());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].passed);
  EXPECT_EQ(r[0].subject, "journal token_requests");
  EXPECT_EQ(r[0].expectation, "at most 2");
  EXPECT_EQ(r[0].actual, "2 token requests (seqs 1, 5)");
  EXPECT_TRUE(r[1].passed);
  EXPECT_EQ(r[1].actual, "5 API calls (seqs 2, 3, 4, 6, 7)");

  e.token_requests = count(Matcher::Op::Max, 1);
  e.api_calls = count(Matcher::Op::Equals, 4);
  r = check_client(e, j.entries());
  EXPECT_FALSE(r[0].passed);
  EXPECT_FALSE(r[1].passed);
}

TEST(ClientChecks, ReusesTokensUntilExpiryOrRejection) {
  ClientExpectations e;
  e.reuses_tokens = true;
  JournalBuilder good;
  good.token().calls(3);
  good.advance_clock_ms(3600 * 1000).api(401, "invalid_token");  // expired: renewal is due
  good.token().calls(2);
  good.api(401, "invalid_token");  // revoked early: renewal is due
  good.token().calls(1);
  good.advance_clock_ms(3600 * 1000 - 200'000).token();  // 200 s before expiry: within WIRE-12
  AssertionResult pass = only(e, good.entries());
  EXPECT_TRUE(pass.passed) << pass.actual;
  EXPECT_EQ(pass.subject, "journal reuses_tokens");

  JournalBuilder naive;  // a token per call
  naive.token().calls(1).token().calls(1).token().calls(1);
  AssertionResult fail = only(e, naive.entries());
  EXPECT_FALSE(fail.passed);
  EXPECT_EQ(fail.actual,
            "seq 3 fetched a token while the one from seq 1 had 3600 s left and was not "
            "rejected; seq 5 fetched a token while the one from seq 3 had 3600 s left and was "
            "not rejected");

  // `false` asserts the fault is there.
  e.reuses_tokens = false;
  EXPECT_TRUE(only(e, naive.entries()).passed);
  EXPECT_FALSE(only(e, good.entries()).passed);
}

TEST(ClientChecks, ReusesTokensHonoursAGivenRefreshWindow) {
  JournalBuilder j;
  j.token().calls(1).advance_clock_ms(3600 * 1000 - 200'000).token();
  ClientExpectations e;
  e.reuses_tokens = true;
  e.refresh_window_ms = 60'000;  // renewal 200 s early is now too early
  auto r = check_client(e, j.entries());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_FALSE(r[0].passed);
  EXPECT_NE(r[0].actual.find("seq 3"), std::string::npos);
}

TEST(ClientChecks, ReauthenticatesOnceAfterA401) {
  ClientExpectations e;
  e.reauthenticates_once = true;
  JournalBuilder good;
  good.token().calls(2).api(401, "invalid_token");
  good.token(503).wait_ms(500).token().calls(2);  // a server failure may be retried
  AssertionResult pass = only(e, good.entries());
  EXPECT_TRUE(pass.passed) << pass.actual;
  EXPECT_EQ(pass.actual, "401 invalid_token answers: 1, each followed by one new token");

  JournalBuilder no_401;
  no_401.token().calls(2);
  EXPECT_EQ(only(e, no_401.entries()).actual, "no API call was answered 401 invalid_token");

  JournalBuilder retries_same_token;
  retries_same_token.token().calls(1).api(401, "invalid_token");
  retries_same_token.api(401, "invalid_token");
  AssertionResult fail = only(e, retries_same_token.entries());
  EXPECT_FALSE(fail.passed);
  EXPECT_NE(fail.actual.find("seq 4: an API call right after the 401 invalid_token at seq 3"),
            std::string::npos)
      << fail.actual;
  EXPECT_NE(fail.actual.find("seq 4: presented the token already rejected at seq 3"),
            std::string::npos);

  JournalBuilder two_tokens;
  two_tokens.token().calls(1).api(401, "invalid_token");
  two_tokens.token().token().calls(1);
  fail = only(e, two_tokens.entries());
  EXPECT_FALSE(fail.passed);
  EXPECT_NE(fail.actual.find("seqs 4, 5: 2 new tokens after the 401 invalid_token at seq 3"),
            std::string::npos)
      << fail.actual;

  JournalBuilder loop;  // credentials refused, asked again and again
  loop.token().calls(1).api(401, "invalid_token");
  loop.token(401).token(401).token(401);
  fail = only(e, loop.entries());
  EXPECT_FALSE(fail.passed);
  EXPECT_NE(fail.actual.find("seq 5: token request again after seq 4 was refused with 401"),
            std::string::npos)
      << fail.actual;

  JournalBuilder gives_up;
  gives_up.token().calls(1).api(401, "invalid_token");
  fail = only(e, gives_up.entries());
  EXPECT_FALSE(fail.passed);
  EXPECT_NE(fail.actual.find("never fetched a new token"), std::string::npos);
}

TEST(ClientChecks, ReauthenticationIgnoresCallsAlreadyInFlight) {
  // A concurrent client: seq 4 arrived 2 ms after seq 3, before seq 3's 401 (5 ms to answer)
  // reached the client, so it is not a reaction to that 401.
  auto journal = [](int64_t first_401_duration_us) {
    JournalBuilder j;
    j.token().calls(1);
    j.api(401, "invalid_token").duration_us = first_401_duration_us;
    j.api(401, "invalid_token");
    j.wait_ms(10).token().calls(1);
    return j.entries();
  };
  ClientExpectations e;
  e.reauthenticates_once = true;
  AssertionResult concurrent = only(e, journal(5000));
  EXPECT_TRUE(concurrent.passed) << concurrent.actual;
  // Answered in 0.3 ms, the same seq 4 is a retry with the rejected token.
  AssertionResult sequential = only(e, journal(300));
  EXPECT_FALSE(sequential.passed);
  EXPECT_NE(sequential.actual.find("seq 4: presented the token already rejected at seq 3"),
            std::string::npos)
      << sequential.actual;
}

TEST(ClientChecks, BacksOffAfter429) {
  ClientExpectations e;
  e.backoff_after_429_ms = 500;
  JournalBuilder good;
  good.token().calls(1).api(429).retry_after = "";
  good.wait_ms(600).api(429).retry_after = "2";
  good.wait_ms(2100).calls(1);
  AssertionResult pass = only(e, good.entries());
  EXPECT_TRUE(pass.passed) << pass.actual;
  EXPECT_EQ(pass.subject, "journal backoff_after_429");
  EXPECT_EQ(pass.actual, "shortest gap after a 429: 601 ms (2 answers 429)");

  JournalBuilder hurried;  // waits 500 ms but the answer asked for 2 s
  hurried.token().calls(1).api(429).retry_after = "2";
  hurried.wait_ms(500).calls(1);
  AssertionResult fail = only(e, hurried.entries());
  EXPECT_FALSE(fail.passed);
  EXPECT_EQ(fail.actual,
            "seq 4 came 501 ms after the 429 at seq 3 (needed 2000 ms, Retry-After 2); shortest "
            "gap after a 429: 501 ms");

  JournalBuilder hammering;
  hammering.token().calls(1).api(429);
  hammering.api(429);
  hammering.calls(1);
  fail = only(e, hammering.entries());
  EXPECT_FALSE(fail.passed);
  EXPECT_NE(fail.actual.find("seq 4 came 1 ms after the 429 at seq 3 (needed 500 ms)"),
            std::string::npos)
      << fail.actual;

  JournalBuilder none;
  none.token().calls(2);
  EXPECT_EQ(only(e, none.entries()).actual, "no API call was answered 429");
}

TEST(ClientChecks, NoCredentialsInQuery) {
  ClientExpectations e;
  e.no_credentials_in_query = true;
  JournalBuilder good;
  good.token().calls(2);
  EXPECT_TRUE(only(e, good.entries()).passed);

  JournalBuilder bad;
  bad.token().entries().back().credentials_in_query = {"client_id", "client_secret"};
  bad.api().auth = "query";
  AssertionResult fail = only(e, bad.entries());
  EXPECT_FALSE(fail.passed);
  EXPECT_EQ(fail.actual,
            "seq 1 sent client_id, client_secret in the query string; seq 2 sent access_token in "
            "the query string");
}

TEST(ClientChecks, SingleAuthMethod) {
  ClientExpectations e;
  e.single_auth_method = true;
  JournalBuilder good;
  good.token(200, "", "basic").calls(1).token(200, "", "body");
  EXPECT_TRUE(only(e, good.entries()).passed);

  JournalBuilder bad;
  bad.token(400, "", "basic+body").token(200, "", "basic");
  AssertionResult fail = only(e, bad.entries());
  EXPECT_FALSE(fail.passed);
  EXPECT_EQ(fail.actual,
            "seq 1: client authenticated with both HTTP Basic and client_secret in the body");
}

TEST(ClientChecks, NoRetryAfter400) {
  ClientExpectations e;
  e.no_retry_after_400 = true;
  JournalBuilder good;  // a 400, then a different request (another scope)
  good.token(400);
  good.token().entries().back().scope = "other";
  good.calls(1).api(400);
  good.api().path = "/dila/legifrance/lf-engine-app/consult/other";
  AssertionResult pass = only(e, good.entries());
  EXPECT_TRUE(pass.passed) << pass.actual;

  JournalBuilder bad;
  bad.token().calls(1).api(400);
  bad.wait_ms(500).api(400);
  bad.wait_ms(500).api(400);
  AssertionResult fail = only(e, bad.entries());
  EXPECT_FALSE(fail.passed);
  EXPECT_NE(fail.actual.find("seqs 4, 5 resent the api request GET "
                             "/dila/legifrance/lf-engine-app/consult/ping answered 400 at seq 3"),
            std::string::npos)
      << fail.actual;

  JournalBuilder token_resent;
  token_resent.token(400).token(400);
  EXPECT_FALSE(only(e, token_resent.entries()).passed);
}

TEST(ClientChecks, RefreshWindow) {
  ClientExpectations e;
  e.refresh_window_ms = 240'000;
  JournalBuilder good;
  good.token().calls(1).advance_clock_ms(3600 * 1000 - 120'000).token().calls(1);
  AssertionResult pass = only(e, good.entries());
  EXPECT_TRUE(pass.passed) << pass.actual;
  EXPECT_EQ(pass.subject, "journal refresh_window");
  EXPECT_EQ(pass.expectation, "tokens renewed at most 240 s before expiry");

  JournalBuilder eager;
  eager.token().calls(1).advance_clock_ms(1800 * 1000).token().calls(1);
  AssertionResult fail = only(e, eager.entries());
  EXPECT_FALSE(fail.passed);
  EXPECT_EQ(fail.actual,
            "seq 3 fetched a token while the one from seq 1 had 1800 s left and was not rejected");
}

TEST(ClientChecks, ClientsAreJudgedSeparately) {
  // Two applications each fetch one token: neither wastes one.
  JournalBuilder j;
  j.token().calls(1);
  j.token().entries().back().application = "demo-production";
  ClientExpectations e;
  e.reuses_tokens = true;
  EXPECT_TRUE(only(e, j.entries()).passed);
}

}  // namespace
}  // namespace pistesim::scenario
