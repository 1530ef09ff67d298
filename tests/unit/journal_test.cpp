// The request journal (what a client did, for scenario asserts) and the faults that test a
// client's resilience: dropped connections and mid-run token expiry.
#include <gtest/gtest.h>

#include "crypto/secrets.h"
#include "oauth/token_store.h"
#include "support/test_simulator.h"

namespace pistesim {
namespace {

using test::TestSimulator;

const std::string kPing = "/dila/legifrance/lf-engine-app/consult/ping";

std::vector<JournalEntry> all(TestSimulator& t) {
  return t.sim->journal().since(0);
}

// The endpoints tell the journal what they decided: the error code of a refusal, the
// application a known client identifier names even when the request fails before it is looked
// up, the fingerprint of a token presented (known or not), the arrival time.
TEST(Journal, EntriesAreTheEndpointsOwnFacts) {
  TestSimulator t;
  t.sim->clock().advance(5000);
  const Millis arrived = t.sim->clock().now_ms();
  t.token_request(Channel::Sandbox,
                  std::string("grant_type=password&client_id=") + test::kSandboxClientId);
  t.call(Channel::Sandbox, "GET", kPing, "NotAToken0123456789");
  auto entries = all(t);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].error, "unsupported_grant_type");
  EXPECT_EQ(entries[0].grant_type, "password");
  EXPECT_EQ(entries[0].client_id, test::kSandboxClientId);
  EXPECT_EQ(entries[0].application, test::kSandboxApp);
  EXPECT_EQ(entries[0].at_ms, arrived);
  EXPECT_EQ(entries[1].auth, "bearer");
  EXPECT_EQ(entries[1].error, "invalid_token");
  EXPECT_EQ(entries[1].token_id, token_fingerprint("NotAToken0123456789"));
  EXPECT_TRUE(entries[1].application.empty());
}

// A token keeps the fingerprint computed when it was stored: a call with it costs no SHA-256.
TEST(Journal, TokenStoreKeepsEachTokensFingerprint) {
  TokenStore store;
  TokenRecord record;
  record.application_id = "app";
  record.client_id = "client";
  record.expires_ms = 1000;
  ASSERT_TRUE(store.insert("Token0123", record, 0));
  auto [state, found] = store.lookup("Token0123", 0);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->fingerprint_view(), token_fingerprint("Token0123"));
}

// GET /journal?last=N tails the journal: the newest N entries (of a kind, after a position),
// oldest first; `limit` is the oldest N, and the two together are refused.
TEST(Journal, LastTailsTheNewestEntries) {
  TestSimulator t;
  std::string token = t.token();
  for (int i = 0; i < 4; ++i) t.call(Channel::Sandbox, "GET", kPing, token);
  auto seqs = [&](const std::string& query) {
    Response r = t.control("GET", "/journal" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    const auto answer = nlohmann::json::parse(r.body);
    std::vector<uint64_t> out;
    for (const auto& e : answer["entries"]) out.push_back(e["seq"]);
    return out;
  };
  EXPECT_EQ(seqs("?last=2"), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(seqs("?limit=2"), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(seqs("?last=2&kind=token"), (std::vector<uint64_t>{1}));
  EXPECT_EQ(seqs("?last=9&after=3"), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(seqs("?last=0"), (std::vector<uint64_t>{}));
  EXPECT_EQ(t.control("GET", "/journal?last=2&limit=2").status, 400);
  EXPECT_EQ(t.control("GET", "/journal?last=-1").status, 400);
}

TEST(Journal, RecordsTokenRequestsWithoutSecrets) {
  TestSimulator t;
  std::string token = t.token();
  auto entries = all(t);
  ASSERT_EQ(entries.size(), 1u);
  const JournalEntry& e = entries[0];
  EXPECT_EQ(e.seq, 1u);
  EXPECT_EQ(e.kind, JournalKind::Token);
  EXPECT_EQ(e.channel, Channel::Sandbox);
  EXPECT_EQ(e.auth, "body");
  EXPECT_EQ(e.client_id, test::kSandboxClientId);
  EXPECT_EQ(e.grant_type, "client_credentials");
  // The scope granted (the answer's), not only the one asked for.
  EXPECT_TRUE(e.scope.starts_with("openid")) << e.scope;
  EXPECT_EQ(e.application, test::kSandboxApp);
  EXPECT_EQ(e.status, 200);
  EXPECT_EQ(e.token_id, token_fingerprint(token));
  EXPECT_EQ(e.token_id.size(), 12u);
  // Nothing secret in the entry's public form.
  std::string dumped = journal_entry_json(e).dump();
  EXPECT_EQ(dumped.find(token), std::string::npos);
  EXPECT_EQ(dumped.find(test::kSandboxClientSecret), std::string::npos);
}

TEST(Journal, TellsBasicBodyAndBothApart) {
  TestSimulator t;
  auto send = [&](bool basic, bool body) {
    std::string form = "grant_type=client_credentials";
    if (body)
      form += std::string("&client_id=") + test::kSandboxClientId +
              "&client_secret=" + test::kSandboxClientSecret;
    Request r = Request::make("POST", "/api/oauth/token", form);
    r.headers.add("Content-Type", "application/x-www-form-urlencoded");
    if (basic)
      r.headers.add("Authorization", "Basic " + base64_encode(std::string(test::kSandboxClientId) +
                                                              ":" + test::kSandboxClientSecret));
    t.sim->handle(TestSimulator::oauth_endpoint(Channel::Sandbox), r);
  };
  send(true, false);
  send(false, true);
  send(true, true);
  send(false, false);
  auto entries = all(t);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].auth, "basic");
  EXPECT_EQ(entries[0].client_id, test::kSandboxClientId);
  EXPECT_EQ(entries[1].auth, "body");
  EXPECT_EQ(entries[2].auth, "basic+body");
  EXPECT_EQ(entries[2].error, "invalid_request");
  EXPECT_EQ(entries[3].auth, "none");
}

TEST(Journal, LinksApiCallsToTheirTokenAndNamesCredentialsInTheQuery) {
  TestSimulator t;
  std::string token = t.token();
  t.call(Channel::Sandbox, "GET", kPing, token);
  t.call(Channel::Sandbox, "GET", kPing + "?access_token=" + token + "&x=1", "");
  auto entries = all(t);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].kind, JournalKind::Api);
  EXPECT_EQ(entries[1].auth, "bearer");
  EXPECT_EQ(entries[1].token_id, entries[0].token_id);
  EXPECT_EQ(entries[1].application, test::kSandboxApp);
  EXPECT_EQ(entries[1].status, 200);
  EXPECT_EQ(entries[2].auth, "query");
  EXPECT_EQ(entries[2].credentials_in_query, std::vector<std::string>{"access_token"});
  EXPECT_EQ(entries[2].query_names, (std::vector<std::string>{"access_token", "x"}));
}

TEST(Journal, KeepsTheNewestEntriesAndCountsTheOnesItDropped) {
  Journal j(3);
  for (int i = 0; i < 5; ++i) {
    JournalEntry e;
    e.status = 200 + i;
    j.record(e);
  }
  auto entries = j.since(0);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries.front().seq, 3u);
  EXPECT_EQ(entries.front().status, 202);
  EXPECT_EQ(j.dropped(), 2u);
  EXPECT_EQ(j.last_seq(), 5u);
  EXPECT_EQ(j.since(4).size(), 1u);
  // Read across the ring's wrap: in seq order, from any mark, up to a limit.
  auto two = j.since(0, 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].seq, 3u);
  EXPECT_EQ(two[1].seq, 4u);
  EXPECT_EQ(j.since(3).front().status, 203);
  EXPECT_TRUE(j.since(5).empty());
  EXPECT_TRUE(j.since(100).empty());
  for (int i = 0; i < 4; ++i) j.record(JournalEntry());
  EXPECT_EQ(j.since(0).front().seq, 7u);
  EXPECT_EQ(j.since(0).back().seq, 9u);
  j.clear();
  EXPECT_TRUE(j.since(0).empty());
  j.record(JournalEntry());
  EXPECT_EQ(j.last_seq(), 10u);  // numbering goes on: marks taken before stay meaningful
  Journal off(0);
  off.record(JournalEntry());
  EXPECT_TRUE(off.since(0).empty());
}

// A full journal writes each exchange over its oldest entry's strings (no allocation per
// request): nothing of the entry it replaces may survive in it.
TEST(Journal, AnExchangeWrittenOverAnOldEntryKeepsNothingOfIt) {
  Journal j(1);
  Request full =
      Request::make("POST", "/a/long/path/that/does/not/fit/in/place?client_secret=x&b=1");
  full.remote_addr = "192.0.2.1";
  ExchangeFacts rich;
  rich.auth = "basic+body";
  rich.client_id = "a-client-identifier-longer-than-fifteen";
  rich.grant_type = "client_credentials";
  rich.scope = "openid resource";
  rich.token_id = "0123456789ab";
  rich.application = "an-application";
  rich.error = "invalid_client";
  Response refused;
  refused.status = 429;
  refused.headers.set("Retry-After", "7");
  refused.drop_connection = true;
  JournalExchange first =
      journal_exchange(JournalKind::Token, Channel::Production, full, refused, rich);
  first.at_ms = 11;
  first.elapsed_us = 12;
  first.duration_us = 13;
  j.record(first);
  ASSERT_EQ(j.since(0).front().credentials_in_query, std::vector<std::string>{"client_secret"});
  EXPECT_EQ(j.since(0).front().retry_after, "7");

  const Request bare = Request::make("GET", "/x");
  const ExchangeFacts none;
  Response ok;
  const JournalExchange second =
      journal_exchange(JournalKind::Api, Channel::Sandbox, bare, ok, none);
  j.record(second);
  ASSERT_EQ(j.since(0).size(), 1u);
  JournalEntry expected;
  fill_journal_entry(expected, second);
  expected.seq = 2;
  EXPECT_TRUE(j.since(0).front() == expected);
  EXPECT_TRUE(j.since(0).front().query_names.empty());
  EXPECT_EQ(j.since(0).front().auth, "none");
  EXPECT_EQ(j.dropped(), 1u);
}

TEST(Journal, RoundTripsThroughTheControlApiForm) {
  TestSimulator t;
  std::string token = t.token();
  t.call(Channel::Sandbox, "GET", kPing, token);
  for (const auto& e : all(t)) {
    auto back = journal_entry_from_json(journal_entry_json(e));
    ASSERT_TRUE(back);
    EXPECT_EQ(journal_entry_json(*back), journal_entry_json(e));
  }
  EXPECT_FALSE(journal_entry_from_json(nlohmann::json{{"seq", "x"}}));
}

TEST(Journal, IsReadAndClearedThroughTheControlApi) {
  TestSimulator t;
  std::string token = t.token();
  t.call(Channel::Sandbox, "GET", kPing, token);
  Response r = t.control("GET", "/journal?after=1&kind=api");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = test::body_of(r);
  ASSERT_EQ(body["entries"].size(), 1u);
  EXPECT_EQ(body["entries"][0]["seq"], 2);
  EXPECT_EQ(body["last_seq"], 2);
  EXPECT_EQ(t.control("GET", "/journal?kind=other").status, 400);
  EXPECT_EQ(t.control("GET", "/journal?after=-1").status, 400);
  EXPECT_EQ(t.control("DELETE", "/journal").status, 200);
  EXPECT_EQ(test::body_of(t.control("GET", "/journal"))["entries"].size(), 0u);
}

TEST(Faults, ExpireTokenFaultExpiresThePresentedTokenAfterTheGivenCalls) {
  TestSimulator t;
  std::string token = t.token();
  ASSERT_EQ(
      t.control("POST", "/faults", R"({"kind": "expire_token", "api": "legifrance", "after": 2})")
          .status,
      201);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  Response expired = t.call(Channel::Sandbox, "GET", kPing, token);
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.headers.get("WWW-Authenticate").find("invalid_token"), std::string::npos);
  // The token stays expired; a new one works.
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 401);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, t.token()).status, 200);
}

TEST(Faults, AFaultWaitingForLaterCallsDoesNotHideOneArmedBehindIt) {
  FaultInjector faults;
  Fault waiting;
  waiting.status = 503;
  waiting.after = 5;
  faults.arm(waiting);
  Fault immediate;
  immediate.status = 500;
  faults.arm(immediate);
  auto first = faults.take("legifrance", "demo-sandbox", {FaultKind::Respond});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 500);
  EXPECT_EQ(faults.list().front().after, 4);  // the call counted against the first one too
}

TEST(Journal, NamesApiKeysInTheQueryAsCredentials) {
  TestSimulator t;
  t.call(Channel::Sandbox, "GET", kPing + "?KeyId=" + test::kSandboxApiKey, "");
  EXPECT_EQ(all(t)[0].credentials_in_query, std::vector<std::string>{"KeyId"});
}

TEST(Faults, DropConnectionFaultMarksTheAnswer) {
  TestSimulator t;
  std::string token = t.token();
  ASSERT_EQ(t.control("POST", "/faults", R"({"kind": "drop_connection", "count": 1})").status, 201);
  Response dropped = t.call(Channel::Sandbox, "GET", kPing, token);
  EXPECT_TRUE(dropped.drop_connection);
  EXPECT_FALSE(t.call(Channel::Sandbox, "GET", kPing, token).drop_connection);
  EXPECT_TRUE(all(t)[1].dropped);
}

TEST(Faults, RefusesAStatusOnFaultsThatDoNotAnswer) {
  TestSimulator t;
  EXPECT_EQ(
      test::outcome_of(t.control("POST", "/faults", R"({"kind": "expire_token", "status": 503})")),
      "400 INVALID_FIELD");
  EXPECT_EQ(test::outcome_of(t.control("POST", "/faults", R"({"kind": "melt"})")),
            "400 INVALID_FIELD");
  EXPECT_EQ(test::outcome_of(t.control("POST", "/faults", R"({"after": -1})")),
            "400 INVALID_FIELD");
}

TEST(Tokens, ExpireRouteEndsAnApplicationsTokens) {
  TestSimulator t;
  std::string token = t.token();
  Response r = t.control("POST", "/tokens/expire", R"({"application": "demo-sandbox"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(test::body_of(r)["expired"], 1);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 401);
  EXPECT_EQ(t.control("POST", "/tokens/expire", R"({"application": "nope"})").status, 404);
}

}  // namespace
}  // namespace pistesim
