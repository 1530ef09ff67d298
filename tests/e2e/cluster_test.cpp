// `pistesim serve --cluster` as processes: a real Redis (tests/support/redis_server.h) and three
// nodes over real sockets serve one PISTE (docs/cluster.md): tokens, revocations, approvals,
// registrations and quotas hold whichever node is asked; a Redis restart is a 503 then a
// recovery; a node killed with SIGKILL loses nothing acknowledged and a new node catches up.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "cluster/redis_client.h"
#include "e2e/served_simulator.h"
#include "support/redis_server.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kAdminToken = "cluster-admin-token";
const std::string kPassword = "Mon-Application-2025!";
const std::string kPing = "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping";

json registration(const std::string& email) {
  return portal_registration("Cluster", email, kPassword);
}

Result<Response> control(HttpClient& client, const std::string& method, const std::string& path,
                         const json& body = nullptr) {
  return client.send(control_request(kAdminToken, method, path, body));
}

class ClusterServe : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis.started()) << redis.log();
    for (int i = 0; i < 3; ++i) {
      nodes.push_back(start_node());
      ASSERT_TRUE(nodes.back()->started()) << nodes.back()->output();
    }
  }
  std::unique_ptr<ServedSimulator> start_node() {
    return std::make_unique<ServedSimulator>(std::vector<std::string>{
        "--cluster", redis.url(), "--admin-token", kAdminToken, "--access-log", "--threads", "2"});
  }
  std::string token_from(ServedSimulator& node) {
    auto client = node.client();
    return fetch_token(*client, node, "sandbox");
  }
  int ping(ServedSimulator& node, const std::string& token) {
    auto client = node.client();
    return status_of(client->send(bearer_get(kPing, token)));
  }

  RedisServer redis{{.append_only = true}};
  std::vector<std::unique_ptr<ServedSimulator>> nodes;
};

TEST_F(ClusterServe, ATokenFromOneNodeWorksOnEveryNodeUntilAnotherRevokesIt) {
  ServedSimulator &a = *nodes[0], &b = *nodes[1], &c = *nodes[2];
  EXPECT_NE(a.output().find("started cluster"), std::string::npos) << a.output();
  EXPECT_NE(b.output().find("joined cluster"), std::string::npos) << b.output();
  const std::string token = token_from(a);
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(ping(b, token), 200);
  EXPECT_EQ(ping(c, token), 200);
  auto cb = b.client();
  EXPECT_EQ(status_of(control(*cb, "POST", "/tokens/revoke", {{"token", token}})), 200);
  // The very next request on A sees it.
  EXPECT_EQ(ping(a, token), 401);
  EXPECT_EQ(ping(c, token), 401);
}

TEST_F(ClusterServe, AnApprovalOnOneNodeReachesTokensIssuedAfterItOnAnother) {
  ServedSimulator &a = *nodes[0], &b = *nodes[1], &c = *nodes[2];
  auto cc = c.client();
  const std::string subscription = "/applications/demo-sandbox/subscriptions/legifrance";
  ASSERT_EQ(status_of(control(*cc, "PUT", subscription, {{"status", "pending"}})), 200);
  EXPECT_EQ(ping(b, token_from(a)), 403);
  ASSERT_EQ(status_of(control(*cc, "PUT", subscription, {{"status", "approved"}})), 200);
  EXPECT_EQ(ping(b, token_from(a)), 200);
}

TEST_F(ClusterServe, TwoNodesRegisteringOneAddressAtOnceExactlyOneWins) {
  for (int round = 0; round < 4; ++round) {
    const std::string email = "race" + std::to_string(round) + "@example.fr";
    int statuses[2] = {0, 0};
    std::thread threads[2];
    for (int i = 0; i < 2; ++i)
      threads[i] = std::thread([&, i] {
        auto client = nodes[i]->client();
        statuses[i] = status_of(control(*client, "POST", "/portal/register", registration(email)));
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ((statuses[0] == 201) + (statuses[1] == 201), 1) << statuses[0] << " " << statuses[1];
    EXPECT_EQ((statuses[0] == 409) + (statuses[1] == 409), 1) << statuses[0] << " " << statuses[1];
  }
}

json body_of(const Result<Response>& r) {
  if (!r) ADD_FAILURE() << "no answer: " << r.error().message;
  return r ? json::parse(r->body, nullptr, false) : json();
}

TEST_F(ClusterServe, AQuotaAdmitsExactlyItsLimitOverEveryNodeAndConnection) {
  auto ca = nodes[0]->client();
  // A daily window: the whole run falls in one window however slow the machine.
  ASSERT_EQ(status_of(control(*ca, "PUT", "/applications/demo-sandbox/quota",
                              {{"limit", 40}, {"window", "1d"}})),
            200);
  const std::string token = token_from(*nodes[0]);
  std::atomic<int> admitted{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&, i] {
      auto client = nodes[i % 3]->client();
      for (int k = 0; k < 20; ++k) {
        const int s = status_of(client->send(bearer_get(kPing, token)));
        (s == 200 ? admitted : s == 429 ? refused : other)++;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 40);
  EXPECT_EQ(refused.load(), 120 - 40);
  EXPECT_EQ(other.load(), 0);
  // The window's « quota dépassé » e-mail went out once, whichever nodes refused (the notice is
  // claimed and delivered on the refusing call's fiber, suspended rather than blocking its loop).
  json mails = body_of(control(*nodes[1]->client(), "GET", "/mail"));
  ASSERT_TRUE(mails.is_array()) << mails;
  int notices = 0;
  for (const auto& m : mails) notices += m["kind"] == "quota_exceeded";
  EXPECT_EQ(notices, 1) << mails;
}

TEST_F(ClusterServe, ARedisRestartIsA503ThenTheNodesRecoverByThemselves) {
  EXPECT_EQ(nodes[1]->info().value("cluster", ""), redis.url());  // the info file names it
  const std::string token = token_from(*nodes[0]);
  ASSERT_EQ(ping(*nodes[1], token), 200);
  redis.stop();
  auto cb = nodes[1]->client();
  auto down = cb->send(bearer_get(kPing, token));
  ASSERT_TRUE(down) << down.error().message;
  EXPECT_EQ(down->status, 503);
  EXPECT_NE(down->body.find("Redis"), std::string::npos) << down->body;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(status_of(cb->send(bearer_get(kPing, token))), 503);
  cb.reset();
  ASSERT_TRUE(redis.start()) << redis.log();
  EXPECT_EQ(ping(*nodes[1], token), 200);  // the token was in the AOF
  EXPECT_EQ(ping(*nodes[2], token), 200);
  // The access log says why each request was refused; the node's own report of the outage is
  // a line a second at most, not one per request.
  const std::string out = nodes[1]->output();
  size_t access = 0, reports = 0;
  for (size_t at = out.find("unavailable"); at != std::string::npos;
       at = out.find("unavailable", at + 1)) {
    const size_t line = out.rfind('\n', at) + 1;  // npos + 1 == 0: the first line
    (out.compare(line, 10, "pistesim: ") == 0 ? reports : access)++;
  }
  EXPECT_GE(access, 21u) << out;
  EXPECT_GE(reports, 1u) << out;
  EXPECT_LE(reports, 2u) << out;
}

TEST_F(ClusterServe, ANodeKilledLosesNothingAcknowledgedAndANewNodeCatchesUp) {
  const std::string email = "killed@example.fr";
  {
    auto cc = nodes[2]->client();
    ASSERT_EQ(status_of(control(*cc, "POST", "/portal/register", registration(email))), 201);
  }
  const std::string token = token_from(*nodes[2]);
  EXPECT_NE(nodes[2]->stop(SIGKILL), 0);
  // What C acknowledged is the cluster's: A refuses the same address, B takes C's token.
  auto ca = nodes[0]->client();
  EXPECT_EQ(status_of(control(*ca, "POST", "/portal/register", registration(email))), 409);
  EXPECT_EQ(ping(*nodes[1], token), 200);
  // Changes made while C was down reach the node that replaces it before it says it is ready.
  ASSERT_EQ(status_of(control(*ca, "PATCH", "/applications/demo-sandbox", {{"active", false}})),
            200);
  nodes[2] = start_node();
  ASSERT_TRUE(nodes[2]->started()) << nodes[2]->output();
  EXPECT_EQ(ping(*nodes[2], token), 403);
}

// A world change travels as a log entry holding the change, not the world (docs/cluster.md, « The
// world: a log of deltas »), and every node applies it.
TEST_F(ClusterServe, ARegistrationIsASmallLogEntryThatEveryNodeApplies) {
  RedisClient r(*parse_redis_url(redis.url()));
  const long long before = r.command({"LLEN", "pistesim:world:log"}).as_integer();
  auto ca = nodes[0]->client();
  ASSERT_EQ(status_of(control(*ca, "POST", "/portal/register", registration("log@example.fr"))),
            201);
  EXPECT_EQ(r.command({"LLEN", "pistesim:world:log"}).as_integer(), before + 1);
  const std::string entry = r.command({"LINDEX", "pistesim:world:log", "-1"}).text;
  EXPECT_NE(entry.find("email = \"log@example.fr\""), std::string::npos) << entry;
  EXPECT_EQ(entry.find("[[applications]]"), std::string::npos) << entry;
  EXPECT_LT(entry.size() * 10,
            static_cast<size_t>(r.command({"STRLEN", "pistesim:world:snapshot"}).as_integer()));
  for (int i = 1; i < 3; ++i) {
    auto client = nodes[i]->client();
    EXPECT_EQ(status_of(control(*client, "GET", "/users/log@example.fr")), 200) << i;
  }
}

// A node's event loop never waits on Redis (its answers run on fibers with --cluster):
// with one loop and Redis hung, a gateway call waits for Redis's answer (then its 2 s timeout,
// 503) while the health check on another connection of that same loop is answered meanwhile
// (liveness needs no Redis).
TEST(ClusterServeLoops, ALoopKeepsServingWhileAnAnswerWaitsOnRedis) {
  RedisServer redis;
  ASSERT_TRUE(redis.started()) << redis.log();
  ServedSimulator node({"--cluster", redis.url(), "--admin-token", kAdminToken, "--threads", "1"});
  ASSERT_TRUE(node.started()) << node.output();
  auto tokens = node.client();
  const std::string token = fetch_token(*tokens, node, "sandbox");
  ASSERT_FALSE(token.empty());
  redis.pause();
  std::atomic<bool> call_done{false};
  std::thread call([&] {
    auto client = node.client();
    auto r = client->send(bearer_get(kPing, token));
    call_done = true;
    EXPECT_EQ(status_of(r), 503);  // Redis's command timeout, then "unavailable"
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the call is waiting on Redis
  auto health = node.client();
  Request get;
  get.method = "GET";
  get.path = "/__pistesim/health";
  EXPECT_EQ(status_of(health->send(get)), 200);
  EXPECT_FALSE(call_done.load()) << "the health check waited for the call blocked on Redis";
  call.join();
  redis.resume();
  EXPECT_EQ(status_of(node.client()->send(bearer_get(kPing, token))), 200);
}

TEST_F(ClusterServe, AnAccountRegisteredOnOneNodeHasItsActivationMailOnAnother) {
  auto ca = nodes[0]->client();
  ASSERT_EQ(status_of(control(*ca, "POST", "/portal/register", registration("mail@example.fr"))),
            201);
  auto cb = nodes[1]->client();
  json mails = body_of(control(*cb, "GET", "/mail?to=mail@example.fr"));
  ASSERT_TRUE(mails.is_array() && mails.size() == 1) << mails;
  EXPECT_EQ(mails[0]["kind"], "activation");
  // Its link, followed on the third node, activates the account.
  const std::string url = mails[0]["links"][0]["url"];
  auto cc = nodes[2]->client();
  Request follow = control_request(kAdminToken, "GET", url.substr(url.find("/portal/")));
  EXPECT_EQ(status_of(cc->send(follow)), 200);
}

TEST_F(ClusterServe, AFaultArmedOnOneNodeFiresExactlyItsCountAcrossTheNodes) {
  const std::string token = token_from(*nodes[0]);
  auto ca = nodes[0]->client();
  ASSERT_EQ(status_of(control(*ca, "POST", "/faults",
                              {{"api", "legifrance"}, {"status", 502}, {"count", 14}})),
            201);
  std::atomic<int> failed{0}, passed{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&, i] {
      auto client = nodes[i % 3]->client();
      for (int k = 0; k < 5; ++k) {
        const int s = status_of(client->send(bearer_get(kPing, token)));
        (s == 502 ? failed : s == 200 ? passed : other)++;
      }
    });
  for (auto& t : threads) t.join();
  // More than any one node's 10 calls: only a fault counted across nodes fires 14 times.
  EXPECT_EQ(failed.load(), 14);
  EXPECT_EQ(passed.load(), 30 - 14);
  EXPECT_EQ(other.load(), 0);
  // The next call on B after an arming on C meets it.
  auto cc = nodes[2]->client();
  ASSERT_EQ(status_of(control(*cc, "POST", "/faults", {{"api", "legifrance"}, {"status", 503}})),
            201);
  EXPECT_EQ(ping(*nodes[1], token), 503);
  EXPECT_EQ(ping(*nodes[0], token), 200);
}

TEST_F(ClusterServe, TheJournalReadOnAnyNodeShowsEveryNodesExchangesInArrivalOrder) {
  const std::string token = token_from(*nodes[0]);
  auto cc = nodes[2]->client();
  const json before = body_of(control(*cc, "GET", "/journal"));
  const uint64_t mark = before.value("last_seq", uint64_t{0});
  const char* names[] = {"on_a", "on_b", "on_c"};
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < 3; ++i) {
      auto client = nodes[i]->client();
      ASSERT_EQ(status_of(client->send(bearer_get(kPing + "?" + names[i] + "=1", token))), 200);
    }
  auto cb = nodes[1]->client();
  json read = body_of(control(*cb, "GET", "/journal?after=" + std::to_string(mark)));
  ASSERT_EQ(read["entries"].size(), 6u) << read.dump(1);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(read["entries"][i]["query_names"][0], names[i % 3]);
  EXPECT_EQ(read["last_seq"], read["entries"][5]["seq"]);
}

TEST_F(ClusterServe, APortalLoginOnOneNodeWorksWithItsCookieOnAnother) {
  Request login =
      control_request(kAdminToken, "POST", "/portal/login",
                      {{"email", "api-platau-administration@developpement-durable.gouv.fr"},
                       {"password", "Approb-Piste-2024!"}});
  login.headers.remove("Authorization");  // as a browser: the session comes as a cookie
  login.headers.add("X-Pistesim-CSRF", "anonymous");
  auto ca = nodes[0]->client();
  auto in = ca->send(login);
  ASSERT_EQ(status_of(in), 200) << outcome(in);
  const std::string set = in->headers.get("Set-Cookie");
  const std::string cookie = set.substr(0, set.find(';'));
  ASSERT_TRUE(cookie.starts_with("pistesim_session=")) << set;
  Request profile = Request::make("GET", "/__pistesim/portal/profile");
  profile.headers.add("Cookie", cookie);
  for (int i = 1; i < 3; ++i) {
    auto client = nodes[i]->client();
    auto r = client->send(profile);
    EXPECT_EQ(status_of(r), 200) << i << " " << outcome(r);
  }
}

TEST_F(ClusterServe, UsageAndRemainingAgreeOnEveryNode) {
  auto ca = nodes[0]->client();
  ASSERT_EQ(status_of(control(*ca, "PUT", "/applications/demo-sandbox/quota",
                              {{"limit", 100}, {"window", "1d"}})),
            200);
  const std::string token = token_from(*nodes[0]);
  for (int i = 0; i < 9; ++i) ASSERT_EQ(ping(*nodes[i % 3], token), 200);
  for (auto& node : nodes) {
    auto client = node->client();
    json usage = body_of(control(*client, "GET", "/usage?application=demo-sandbox"));
    EXPECT_EQ(usage["totals"]["total"], 9) << usage.dump(1);
    json view = body_of(control(*client, "GET", "/applications/demo-sandbox"));
    EXPECT_EQ(view["subscriptions"][0]["quota"]["remaining"], 100 - 9) << view.dump(1);
  }
}

TEST_F(ClusterServe, WithoutRedisTheMailboxFaultsAndJournalAnswer503ThenRecover) {
  redis.stop();
  auto cb = nodes[1]->client();
  for (const char* path : {"/mail", "/faults", "/journal"})
    EXPECT_EQ(status_of(control(*cb, "GET", path)), 503) << path;
  cb.reset();
  ASSERT_TRUE(redis.start()) << redis.log();
  auto cc = nodes[2]->client();
  for (const char* path : {"/mail", "/faults", "/journal"})
    EXPECT_EQ(status_of(control(*cc, "GET", path)), 200) << path;
  EXPECT_EQ(nodes[1]->stop(SIGTERM), 0) << nodes[1]->output();
}

TEST(ClusterServeOptions, ClusterAndStateTogetherOrABadUrlRefuseToStart) {
  EXPECT_TRUE(refused_to_start(run_pistesim({"serve", "--port", "0", "--cluster",
                                             "redis://127.0.0.1:1/0", "--state", "/tmp/x.db"}),
                               "--cluster and --state go separately"));
  EXPECT_TRUE(refused_to_start(run_pistesim({"serve", "--port", "0", "--cluster", "http://x/0"}),
                               "expected redis://HOST[:PORT][/DB]"));
  // Nothing listens on port 1: the node says so and does not serve.
  EXPECT_TRUE(
      refused_to_start(run_pistesim({"serve", "--port", "0", "--cluster", "redis://127.0.0.1:1/0"}),
                       "redis://127.0.0.1:1/0 unavailable"));
}

}  // namespace
}  // namespace pistesim::test
