// Injected provider failures: armed through the control API, they replace the provider's answer
// for exactly the calls they name, after authentication and quota, with PISTE's headers.
#include <thread>

#include "faults/fault_injector.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

const std::string kPing = "/dila/legifrance/lf-engine-app/consult/ping";
const std::string kJudilibre = "/cassation/judilibre/v1.0/healthcheck";

TEST(Faults, TheNextCallsToAnApiAnswerTheInjectedFailureThenTheProviderAgain) {
  TestSimulator t;
  Response armed = t.control(
      "POST", "/faults",
      R"({"api":"legifrance","status":503,"body":"{\"error\":\"indisponible\"}","count":2})");
  ASSERT_EQ(armed.status, 201) << armed.body;
  const std::string token = t.token();
  for (int i = 0; i < 2; ++i) {
    Response r = t.call(Channel::Sandbox, "GET", kPing, token);
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.body, R"({"error":"indisponible"})");
    EXPECT_EQ(r.content_type(), "application/json");
    EXPECT_NE(r.headers.find("x-correlation-id"), nullptr);
    EXPECT_NE(r.headers.find("x-rate-limit"), nullptr);
  }
  Response after = t.call(Channel::Sandbox, "GET", kPing, token);
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.body, "pong");
  EXPECT_EQ(nlohmann::json::parse(t.control("GET", "/faults").body).size(), 0u)
      << "a spent fault is disarmed";
}

TEST(Faults, AFaultOnlyTouchesTheApiAndApplicationItNames) {
  TestSimulator t;
  ASSERT_EQ(t.control("POST", "/faults",
                      R"({"api":"legifrance","application":"demo-production","count":-1})")
                .status,
            201);
  const std::string sandbox = t.token();
  const std::string production =
      t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, sandbox).status, 200);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kJudilibre, sandbox).status, 200);
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, production).status, 503);
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, production).status, 503)
      << "count -1 lasts until cleared";
  ASSERT_EQ(t.control("DELETE", "/faults").status, 200);
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, production).status, 200);
}

TEST(Faults, ALatencyOnlyFaultLetsTheProviderAnswer) {
  TestSimulator t;
  ASSERT_EQ(t.control("POST", "/faults", R"({"status":0,"latency_ms":1})").status, 201);
  Response r = t.call(Channel::Sandbox, "GET", kPing, t.token());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "pong");
}

TEST(Faults, FaultsComeAfterAuthenticationAndQuota) {
  TestSimulator t;
  ASSERT_EQ(t.control("POST", "/faults", R"({"count":-1})").status, 201);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, "").status, 400)
      << "no token: the gateway answers first";
  ASSERT_EQ(
      t.control("PUT", "/applications/demo-sandbox/quota", R"({"limit":1,"window":"1s"})").status,
      200);
  const std::string token = t.token();
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 503);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 429)
      << "injected failures still count";
}

TEST(Faults, ArmingIsValidatedAndFaultsCanBeDisarmedOneByOne) {
  TestSimulator t;
  auto code = [&](const std::string& method, const std::string& path,
                  const std::string& body = {}) { return t.control_outcome(method, path, body); };
  EXPECT_EQ(code("POST", "/faults", R"({"api":"nope"})"), "404 UNKNOWN_API");
  EXPECT_EQ(code("POST", "/faults", R"({"application":"nope"})"), "404 UNKNOWN_APPLICATION");
  EXPECT_EQ(code("POST", "/faults", R"({"status":42})"), "400 INVALID_FIELD");
  EXPECT_EQ(code("POST", "/faults", R"({"status":"503"})"), "400 INVALID_FIELD");
  EXPECT_EQ(code("POST", "/faults", R"({"count":0})"), "400 INVALID_FIELD");
  EXPECT_EQ(code("POST", "/faults", R"({"latency_ms":600000})"), "400 INVALID_FIELD");
  EXPECT_EQ(code("POST", "/faults", R"({"status":0})"), "400 MISSING_FIELD");
  EXPECT_EQ(code("DELETE", "/faults/12345"), "404 UNKNOWN_FAULT");
  EXPECT_EQ(code("DELETE", "/faults/x"), "404 UNKNOWN_FAULT");
  Response armed = t.control("POST", "/faults", R"({"status":500,"count":-1})");
  ASSERT_EQ(armed.status, 201);
  const auto id = nlohmann::json::parse(armed.body)["id"].get<uint64_t>();
  EXPECT_EQ(code("DELETE", "/faults/" + std::to_string(id)), "200 ");
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, t.token()).status, 200);
}

// Exactly `count` calls get the fault, however many threads race for it.
TEST(Faults, ExactlyCountCallsAreAffectedUnderConcurrency) {
  FaultInjector faults;
  Fault f;
  f.status = 503;
  f.remaining = 1000;
  faults.arm(f);
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i)
        if (faults.take("legifrance", "demo-sandbox", {FaultKind::Respond})) taken.fetch_add(1);
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(taken.load(), 1000);
  EXPECT_TRUE(faults.list().empty());
}

}  // namespace
}  // namespace pistesim::test
