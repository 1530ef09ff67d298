// The runner: scenarios built by hand (no loader) run on the embedded simulator and on a served
// one, with the same outcomes; exec of external commands with the PISTE_* environment; journal
// judgements; retries, loops, skip/only, parallel runs.
#include "scenario_engine/runner.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "clock/clock.h"
#include "core/simulator.h"
#include "http/http_server.h"
#include "scenario_engine/exec.h"
#include "support/demo_credentials.h"
#include "world/default_world.h"

namespace pistesim::scenario {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kPing = "{{sandbox_api}}/dila/legifrance/lf-engine-app/consult/ping";

// ---- Building scenarios ---------------------------------------------------------------------

Matcher matcher(Matcher::Op op, Value expected, bool negate = false) {
  Matcher m;
  m.op = op;
  m.expected = std::move(expected);
  m.negate = negate;
  return m;
}

StatusExpectation status(std::vector<int> codes) {
  StatusExpectation s;
  s.codes = std::move(codes);
  return s;
}

Step step(std::string name, Action action) {
  Step s;
  s.name = std::move(name);
  s.where = {"test.toml", 1, 1};
  s.action = std::move(action);
  return s;
}

Step token_step(const std::string& client_id = test::kSandboxClientId,
                const std::string& secret = test::kSandboxClientSecret) {
  HttpAction h;
  h.method = "POST";
  h.url = "{{sandbox_oauth}}/api/oauth/token";
  h.body_kind = HttpAction::BodyKind::Form;
  h.form = {{"grant_type", "client_credentials"},
            {"client_id", client_id},
            {"client_secret", secret},
            {"scope", "openid"}};
  Step s = step("token", h);
  s.expect.status = status({200});
  s.expect.json.push_back({"$.token_type", {matcher(Matcher::Op::Equals, "Bearer")}});
  Capture c;
  c.variable = "token";
  c.expression = "$.access_token";
  s.captures.push_back(c);
  return s;
}

Step ping_step(int expected_status = 200) {
  HttpAction h;
  h.method = "GET";
  h.url = kPing;
  h.bearer = "{{token}}";
  Step s = step("ping", h);
  s.expect.status = status({expected_status});
  if (expected_status == 200) s.expect.body.push_back(matcher(Matcher::Op::Contains, "pong"));
  return s;
}

Step control_step(std::string name, std::string method, std::string path, Value body = nullptr) {
  ControlAction c;
  c.method = std::move(method);
  c.path = std::move(path);
  c.json = std::move(body);
  return step(std::move(name), c);
}

Step exec_step(std::string name, std::string command, std::optional<std::string> app = {}) {
  ExecAction e;
  e.argv = {"sh", "-c", std::move(command)};
  e.application = std::move(app);
  e.timeout_ms = 20000;
  return step(std::move(name), e);
}

Scenario scenario(std::string name, std::vector<Step> steps) {
  Scenario s;
  s.file = std::string(PISTESIM_SOURCE_DIR) + "/scenarios/" + name + ".toml";
  s.name = std::move(name);
  s.steps = std::move(steps);
  return s;
}

// ---- Running them ---------------------------------------------------------------------------

HttpServerOptions loopback() {
  HttpServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  return o;
}

TargetOptions remote(const std::string& url, const std::string& admin_token) {
  TargetOptions o;
  o.url = url;
  o.admin_token = admin_token;
  return o;
}

ScenarioResult run_embedded(const Scenario& s) {
  auto target = make_target({});
  if (!target) {
    ADD_FAILURE() << target.error().message;
    return {};
  }
  return run_scenario(s, **target);
}

// A simulator served on a loopback port in this process.
struct Served {
  Served()
      : sim(load_default_world().world, SimulatorOptions{Profile::Piste, "served-admin-token"},
            std::make_shared<ManualClock>(1795424400000)),
        server(sim, loopback()) {
    Result<void> bound = server.bind();
    EXPECT_TRUE(bound) << (bound ? "" : bound.error().message);
    server.start();
    sim.set_public_url(server.base_url());
  }
  ~Served() { server.stop(); }
  TargetOptions options() const { return remote(server.base_url(), "served-admin-token"); }
  Simulator sim;
  HttpServer server;
};

ScenarioResult run_remote(const Scenario& s, const TargetOptions& options) {
  auto target = make_target(options);
  if (!target) {
    ADD_FAILURE() << target.error().message;
    return {};
  }
  auto reset = (*target)->reset();
  EXPECT_TRUE(reset) << reset.error().message;
  return run_scenario(s, **target);
}

// Everything about a result that must not depend on the target: outcomes, verdicts, statuses.
std::string verdicts(const ScenarioResult& r) {
  std::string out = std::string(to_string(r.outcome)) + "\n";
  for (const auto& s : r.steps) {
    out += s.name + " " + std::string(to_string(s.outcome)) +
           " attempts=" + std::to_string(s.attempts) + (s.row ? " row=" + *s.row : "") + "\n";
    for (const auto& a : s.assertions)
      out += "  " + a.subject + " " + a.expectation + (a.passed ? " ok" : " FAILED") + "\n";
    for (const auto& x : s.exchanges)
      out += "  " + x.method + " -> " + (x.status ? std::to_string(*x.status) : "none") + "\n";
    for (const auto& [k, v] : s.captured) out += "  captured " + k + "\n";
  }
  return out;
}

std::string dump(const ScenarioResult& r) {
  std::string out = r.name + ": " + std::string(to_string(r.outcome)) + " " + r.message + "\n";
  for (const auto& s : r.steps) {
    out += "  " + s.name + ": " + std::string(to_string(s.outcome)) + " " + s.message + "\n";
    if (!s.output.empty()) out += s.output + "\n";
  }
  return out;
}

// Every text of a result, to look for leaked secrets.
std::string all_text(const ScenarioResult& r) {
  std::string out = r.message;
  for (const auto& s : r.steps) {
    out += s.message + s.output;
    for (const auto& a : s.assertions) out += a.expectation + a.actual;
    for (const auto& [k, v] : s.captured) out += v;
    for (const auto& x : s.exchanges) {
      out += x.url + x.request_body + x.response_body + x.transport_error;
      for (const auto& h : x.request_headers) out += h.name + ": " + h.value + "\n";
      for (const auto& h : x.response_headers) out += h.name + ": " + h.value + "\n";
    }
  }
  return out;
}

// A PISTE access token: 54 letters and digits.
bool shows_a_token(const std::string& text) {
  return std::regex_search(text, std::regex("[A-Za-z0-9]{54}"));
}

// ---- Tests ----------------------------------------------------------------------------------

TEST(Runner, FetchesATokenAndCallsTheGateway) {
  ScenarioResult r = run_embedded(scenario("token-and-call", {token_step(), ping_step()}));
  ASSERT_EQ(r.outcome, Outcome::Passed) << dump(r);
  ASSERT_EQ(r.steps.size(), 2u);
  EXPECT_EQ(r.steps[0].action, "request");
  ASSERT_EQ(r.steps[0].exchanges.size(), 1u);
  EXPECT_EQ(r.steps[0].exchanges[0].status, 200);
  EXPECT_EQ(r.steps[0].exchanges[0].url, "http://pistesim.embedded/sandbox/oauth/api/oauth/token");
  ASSERT_EQ(r.steps[0].captured.size(), 1u);
  EXPECT_EQ(r.steps[0].captured[0].first, "token");
  EXPECT_GE(r.steps[0].assertions.size(), 2u);
  EXPECT_EQ(r.steps[1].exchanges[0].status, 200);
}

TEST(Runner, NoSecretReachesTheResult) {
  ScenarioResult r = run_embedded(scenario("secrets", {token_step(), ping_step()}));
  ASSERT_EQ(r.outcome, Outcome::Passed) << dump(r);
  std::string text = all_text(r);
  EXPECT_FALSE(shows_a_token(text)) << text;
  EXPECT_EQ(text.find(test::kSandboxClientSecret), std::string::npos) << text;
}

TEST(Runner, GivesTheSameOutcomesOnTheEmbeddedAndTheServedSimulator) {
  Step bad_secret = token_step(test::kSandboxClientId, "wrong-secret-value");
  bad_secret.name = "bad secret";
  bad_secret.expect = {};
  bad_secret.expect.status = status({400});  // PISTE: invalid_client in a 400
  bad_secret.captures.clear();
  Step advance = step("an hour passes", ClockAction{"3601s"});
  Scenario s =
      scenario("same-everywhere", {token_step(), ping_step(), bad_secret, advance, ping_step(401)});
  ScenarioResult embedded = run_embedded(s);
  ASSERT_EQ(embedded.outcome, Outcome::Passed) << dump(embedded);
  Served served;
  ScenarioResult remote = run_remote(s, served.options());
  EXPECT_EQ(verdicts(remote), verdicts(embedded));
  EXPECT_FALSE(shows_a_token(all_text(remote)));
}

TEST(Runner, AFailedStepStopsItsScenario) {
  Step wrong = token_step();
  wrong.expect.status = status({201});
  ScenarioResult r = run_embedded(scenario("stops", {wrong, ping_step()}));
  EXPECT_EQ(r.outcome, Outcome::Failed);
  ASSERT_EQ(r.steps.size(), 2u);
  EXPECT_EQ(r.steps[0].outcome, Outcome::Failed);
  EXPECT_NE(r.steps[0].message.find("status"), std::string::npos) << r.steps[0].message;
  EXPECT_EQ(r.steps[1].outcome, Outcome::Skipped);
  EXPECT_NE(r.steps[1].message.find("token"), std::string::npos) << r.steps[1].message;
  EXPECT_NE(r.message.find("token"), std::string::npos) << r.message;
}

TEST(Runner, AnUnknownVariableIsAnError) {
  Step s = ping_step();
  s.name = "no token yet";
  ScenarioResult r = run_embedded(scenario("unknown-var", {s}));
  EXPECT_EQ(r.outcome, Outcome::Error) << dump(r);
  EXPECT_NE(r.steps[0].message.find("token"), std::string::npos) << r.steps[0].message;
}

TEST(Runner, VarsMayReferToEachOtherAndToBaseUrls) {
  Scenario s = scenario("vars", {});
  s.vars["url"] = "{{token_url}}";
  s.vars["token_url"] = "{{sandbox_oauth}}/api/oauth/token";
  Step t = token_step();
  std::get<HttpAction>(t.action).url = "{{url}}";
  s.steps = {t};
  ScenarioResult r = run_embedded(s);
  EXPECT_EQ(r.outcome, Outcome::Passed) << dump(r);

  Scenario cyclic = scenario("cyclic", {token_step()});
  cyclic.vars["a"] = "{{b}}";
  cyclic.vars["b"] = "{{a}}";
  r = run_embedded(cyclic);
  EXPECT_EQ(r.outcome, Outcome::Error);
  EXPECT_NE(r.message.find("[vars]"), std::string::npos) << r.message;
  EXPECT_EQ(r.steps[0].outcome, Outcome::Skipped);
}

TEST(Runner, LoopsOverRows) {
  Step t = token_step("{{client_id}}", "{{client_secret}}");
  std::get<HttpAction>(t.action).url = "{{oauth}}/api/oauth/token";
  t.rows = {{{"oauth", "{{sandbox_oauth}}"},
             {"client_id", test::kSandboxClientId},
             {"client_secret", test::kSandboxClientSecret}},
            {{"oauth", "{{production_oauth}}"},
             {"client_id", test::kProductionClientId},
             {"client_secret", test::kProductionClientSecret}}};
  ScenarioResult r = run_embedded(scenario("loop", {t}));
  ASSERT_EQ(r.outcome, Outcome::Passed) << dump(r);
  ASSERT_EQ(r.steps.size(), 2u);
  ASSERT_TRUE(r.steps[1].row);
  EXPECT_NE(r.steps[1].row->find("client_id=" + std::string(test::kProductionClientId)),
            std::string::npos);
  // The row's secret is hidden like any secret.
  EXPECT_EQ(r.steps[1].row->find(test::kProductionClientSecret), std::string::npos);
  EXPECT_EQ(r.steps[1].exchanges[0].url,
            "http://pistesim.embedded/production/oauth/api/oauth/token");
}

TEST(Runner, RetriesUntilTheExpectationHolds) {
  Step fault = step("two 503", FaultAction{json{{"api", "legifrance"}, {"count", 2}}, false});
  Step ping = ping_step();
  ping.retry = Retry{5000, 1};
  ScenarioResult r = run_embedded(scenario("retry", {token_step(), fault, ping}));
  ASSERT_EQ(r.outcome, Outcome::Passed) << dump(r);
  EXPECT_EQ(r.steps[2].attempts, 3);

  Step never = ping_step(418);
  never.retry = Retry{20, 5};
  r = run_embedded(scenario("retry-fails", {token_step(), never}));
  EXPECT_EQ(r.outcome, Outcome::Failed);
  EXPECT_GT(r.steps[1].attempts, 1);
  EXPECT_NE(r.steps[1].message.find("attempts"), std::string::npos) << r.steps[1].message;
}

TEST(Runner, ADroppedConnectionIsATransportError) {
  Step drop = step("drop", FaultAction{json{{"kind", "drop_connection"}, {"api", "legifrance"}}});
  ScenarioResult r = run_embedded(scenario("drop", {token_step(), drop, ping_step()}));
  EXPECT_EQ(r.outcome, Outcome::Failed);
  EXPECT_NE(r.steps[2].message.find("connection dropped (injected fault)"), std::string::npos)
      << r.steps[2].message;
  ASSERT_EQ(r.steps[2].exchanges.size(), 1u);
  EXPECT_FALSE(r.steps[2].exchanges[0].status);
  EXPECT_EQ(r.steps[2].exchanges[0].transport_error, "connection dropped (injected fault)");

  // `status = 0` expects no answer.
  Step expect_drop = ping_step();
  expect_drop.expect = {};
  expect_drop.expect.status = status({0});
  r = run_embedded(scenario("drop-expected", {token_step(), drop, expect_drop}));
  EXPECT_EQ(r.outcome, Outcome::Passed) << dump(r);
}

TEST(Runner, LeversAdvanceTheClockSetQuotasAndClearFaults) {
  QuotaAction q;
  q.application = test::kSandboxApp;
  q.limit = 1;
  q.window = "1d";
  Step quota = step("quota 1/day", q);
  Step clear = step("clear", FaultAction{nullptr, true});
  ScenarioResult r = run_embedded(scenario(
      "levers", {token_step(), quota, clear, ping_step(), ping_step(429),
                 step("remove quota", QuotaAction{test::kSandboxApp, {}, {}, "1s"}), ping_step()}));
  EXPECT_EQ(r.outcome, Outcome::Passed) << dump(r);

  // A lever the simulator refuses fails its step (no silent success).
  QuotaAction unknown;
  unknown.application = "no-such-app";
  unknown.limit = 1;
  r = run_embedded(scenario("bad-lever", {step("quota", unknown)}));
  EXPECT_EQ(r.outcome, Outcome::Failed);
  EXPECT_NE(r.steps[0].message.find("404"), std::string::npos) << r.steps[0].message;
  r = run_embedded(scenario("bad-advance", {step("advance", ClockAction{"soon"})}));
  EXPECT_EQ(r.outcome, Outcome::Error);
  r = run_embedded(scenario("bad-advance-to", {step("advance", ClockAction{"to noon"})}));
  EXPECT_EQ(r.outcome, Outcome::Error);
}

TEST(Runner, WhenRunsAStepOnlyForTheValuesGiven) {
  Step ping = ping_step();
  Capture seen;
  seen.variable = "seen";
  seen.source = Capture::Source::Status;
  ping.captures.push_back(seen);
  Step if_404 = ping_step(404);  // would fail if it ran
  if_404.name = "only after a 404";
  if_404.when = {{"seen", {"404", "405"}}};
  Step if_200 = ping_step();
  if_200.name = "only after a 200";
  if_200.when = {{"seen", {"200"}}};
  Step unknown = ping_step();
  unknown.name = "on an undefined variable";
  unknown.when = {{"never_captured", {"1"}}};
  ScenarioResult r = run_embedded(scenario("when", {token_step(), ping, if_404, if_200}));
  ASSERT_EQ(r.outcome, Outcome::Passed) << dump(r);
  EXPECT_EQ(r.steps[2].outcome, Outcome::Skipped);
  EXPECT_EQ(r.steps[2].message, "when: seen is « 200 », not 404 or 405");
  EXPECT_EQ(r.steps[3].outcome, Outcome::Passed);
  r = run_embedded(scenario("when-undefined", {token_step(), unknown}));
  EXPECT_EQ(r.outcome, Outcome::Error);
  EXPECT_NE(r.steps[1].message.find("never_captured"), std::string::npos) << r.steps[1].message;
}

TEST(Runner, AdvancesToAParisWallClockTimeOnAnyTarget) {
  // Embedded runs start at 09:00Z (10:00 Paris): 23:59:59 Paris is 22:59:59Z, and the token of an
  // hour before is refused. A served simulator's clock is the real time: it too lands on 23:59:59
  // Paris (22:59:59Z in winter, 21:59:59Z in summer).
  Step to = step("to 23:59:59", ClockAction{"to 23:59:59"});
  to.expect.json.push_back({"$.now", {matcher(Matcher::Op::Matches, "T2[12]:59:59\\.")}});
  Scenario s = scenario("to-midnight", {token_step(), ping_step(), to});
  Step embedded_check = step("22:59:59Z", ClockAction{"to 23:59:59"});
  embedded_check.expect.json.push_back(
      {"$.now", {matcher(Matcher::Op::Equals, "2026-11-24T22:59:59.000Z")}});
  Scenario embedded_only = s;
  embedded_only.steps.push_back(ping_step(401));
  embedded_only.steps.push_back(embedded_check);  // the next day's
  ScenarioResult embedded = run_embedded(embedded_only);
  EXPECT_EQ(embedded.outcome, Outcome::Passed) << dump(embedded);
  Served served;
  ScenarioResult remote = run_remote(s, served.options());
  EXPECT_EQ(remote.outcome, Outcome::Passed) << dump(remote);
}

TEST(Runner, RegistersAUserAndFollowsTheActivationLink) {
  const std::string email = "runner-test@example.com";
  Step reg = control_step("register", "POST", "/portal/register",
                          json{{"name", "Runner Test"},
                               {"email", email},
                               {"password", "Mon-Application-2025!"},
                               {"password_confirmation", "Mon-Application-2025!"},
                               {"cgu_accepted", true},
                               {"captcha", "PISTE"}});
  reg.expect.status = status({201});
  MailAction mail;
  mail.to = email;
  mail.kind = "activation";
  Step read = step("read mail", mail);
  read.expect.json.push_back({"$.to", {matcher(Matcher::Op::Equals, email)}});
  mail.follow = "activate";
  Step follow = step("activate", mail);
  follow.expect.json.push_back({"$.status", {matcher(Matcher::Op::Equals, "active")}});
  Step again = step("activate again", mail);
  again.expect.status = status({404});
  ScenarioResult r = run_embedded(scenario("activation", {reg, read, follow, again}));
  ASSERT_EQ(r.outcome, Outcome::Passed) << dump(r);
  ASSERT_EQ(r.steps[2].exchanges.size(), 2u);  // the mailbox, then the link
  EXPECT_EQ(
      r.steps[2].exchanges[1].url.rfind("http://pistesim.embedded/__pistesim/portal/activate", 0),
      0u);

  MailAction none;
  none.to = "nobody@example.com";
  r = run_embedded(scenario("no-mail", {step("mail", none)}));
  EXPECT_EQ(r.outcome, Outcome::Failed);
  EXPECT_NE(r.steps[0].message.find("no e-mail"), std::string::npos) << r.steps[0].message;
}

TEST(Runner, JudgesTheClientFromTheJournal) {
  JournalAction j;
  Step judge = step("journal", j);
  ClientExpectations c;
  c.token_requests = matcher(Matcher::Op::Equals, 1);
  c.api_calls = matcher(Matcher::Op::Equals, 2);
  judge.expect.client = c;
  judge.expect.json.push_back({"$.count", {matcher(Matcher::Op::Equals, 3)}});
  JournalAction only_api;
  only_api.kind = "api";
  only_api.client_id = test::kSandboxClientId;
  Step api = step("api calls of the client", only_api);
  api.expect.json.push_back({"$.count", {matcher(Matcher::Op::Equals, 2)}});
  ScenarioResult r =
      run_embedded(scenario("journal", {step("m", MarkAction{"before"}), token_step(), ping_step(),
                                        ping_step(), judge, api}));
  EXPECT_EQ(r.outcome, Outcome::Passed) << dump(r);

  JournalAction bad;
  bad.since = "nowhere";
  r = run_embedded(scenario("bad-mark", {step("journal", bad)}));
  EXPECT_EQ(r.outcome, Outcome::Error);
  EXPECT_NE(r.steps[0].message.find("nowhere"), std::string::npos);
}

TEST(Runner, SkipAndOnlyWithinAScenario) {
  Step skipped = ping_step();
  skipped.skip = "not today";
  ScenarioResult r = run_embedded(scenario("skip", {token_step(), skipped}));
  EXPECT_EQ(r.outcome, Outcome::Passed);
  EXPECT_EQ(r.steps[1].outcome, Outcome::Skipped);
  EXPECT_EQ(r.steps[1].message, "not today");

  Step only = token_step();
  only.only = true;
  r = run_embedded(scenario("only", {ping_step(), only}));
  EXPECT_EQ(r.outcome, Outcome::Passed) << dump(r);
  EXPECT_EQ(r.steps[0].outcome, Outcome::Skipped);
  EXPECT_EQ(r.steps[1].outcome, Outcome::Passed);
}

// ---- exec -----------------------------------------------------------------------------------

TEST(RunnerExec, ProvidesThePisteEnvironmentToAClient) {
  // A client in shell and curl: a token, then two calls with it.
  const std::string client =
      "set -e\n"
      "T=$(curl -sf -d \"grant_type=client_credentials&client_id=$PISTE_CLIENT_ID"
      "&client_secret=$PISTE_CLIENT_SECRET&scope=openid\" \"$PISTE_TOKEN_URL\" "
      "| sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/')\n"
      "for i in 1 2; do curl -sf -H \"Authorization: Bearer $T\" "
      "\"$PISTE_API_URL/dila/legifrance/lf-engine-app/consult/ping\"; echo; done\n"
      "echo \"channel=$PISTE_CHANNEL secret=$PISTE_CLIENT_SECRET key=$PISTE_API_KEY\"\n"
      "echo \"control=$PISTESIM_CONTROL_URL extra=$EXTRA\"\n";
  Step run = exec_step("client", client, test::kSandboxApp);
  std::get<ExecAction>(run.action).env["EXTRA"] = "{{sandbox_api}}";
  run.expect.stdout_text.push_back(matcher(Matcher::Op::Contains, "pong"));
  run.expect.stdout_text.push_back(matcher(Matcher::Op::Contains, "channel=SANDBOX"));
  run.expect.stdout_text.push_back(
      matcher(Matcher::Op::Contains, "key=" + std::string(test::kSandboxApiKey)));
  run.expect.stdout_text.push_back(
      matcher(Matcher::Op::Contains, "extra=http://pistesim.embedded/sandbox/api"));
  JournalAction j;
  j.since = "client:start";
  j.until = "client:end";
  j.application = test::kSandboxApp;
  Step judge = step("journal", j);
  ClientExpectations c;
  c.token_requests = matcher(Matcher::Op::Equals, 1);
  c.api_calls = matcher(Matcher::Op::Equals, 2);
  c.reuses_tokens = true;
  judge.expect.client = c;
  ScenarioResult r = run_embedded(scenario("exec-client", {run, judge}));
  ASSERT_EQ(r.outcome, Outcome::Passed) << dump(r);
  EXPECT_NE(r.steps[0].output.find("pong"), std::string::npos) << r.steps[0].output;
  EXPECT_NE(r.steps[0].output.find("control=http://127.0.0.1:"), std::string::npos);
  // The client's secret was printed by the command but never reaches the report.
  EXPECT_EQ(all_text(r).find(test::kSandboxClientSecret), std::string::npos) << r.steps[0].output;
}

TEST(RunnerExec, ProductionApplicationsGetProductionUrls) {
  Step run = exec_step("env", "echo \"$PISTE_CHANNEL $PISTE_TOKEN_URL $PISTE_CLIENT_ID\"",
                       test::kProductionApp);
  run.expect.stdout_text.push_back(matcher(Matcher::Op::Matches,
                                           "^PRODUCTION http://127.0.0.1:[0-9]+/production/oauth/"
                                           "api/oauth/token " +
                                               std::string(test::kProductionClientId)));
  ScenarioResult r = run_embedded(scenario("exec-production", {run}));
  EXPECT_EQ(r.outcome, Outcome::Passed) << dump(r);

  // Without an application: sandbox URLs, and no credentials from the runner's environment.
  setenv("PISTE_CLIENT_SECRET", "runner-own-secret", 1);
  Step anonymous = exec_step("env", "echo \"$PISTE_CHANNEL [$PISTE_CLIENT_SECRET]\"");
  anonymous.expect.stdout_text.push_back(matcher(Matcher::Op::Equals, "SANDBOX []\n"));
  r = run_embedded(scenario("exec-anonymous", {anonymous}));
  unsetenv("PISTE_CLIENT_SECRET");
  EXPECT_EQ(r.outcome, Outcome::Passed) << dump(r);

  Step unknown = exec_step("env", "true", "no-such-application");
  r = run_embedded(scenario("exec-unknown-app", {unknown}));
  EXPECT_EQ(r.outcome, Outcome::Error);
  EXPECT_NE(r.steps[0].message.find("no-such-application"), std::string::npos)
      << r.steps[0].message;
}

TEST(RunnerExec, ExitStatusIsJudged) {
  ScenarioResult r =
      run_embedded(scenario("exit-3", {exec_step("fails", "echo oops >&2; exit 3")}));
  EXPECT_EQ(r.outcome, Outcome::Failed);
  EXPECT_NE(r.steps[0].message.find("exit"), std::string::npos) << r.steps[0].message;
  EXPECT_NE(r.steps[0].output.find("stderr:\noops"), std::string::npos) << r.steps[0].output;

  Step expected = exec_step("fails as expected", "exit 3");
  expected.expect.exit_code = matcher(Matcher::Op::Equals, 3);
  r = run_embedded(scenario("exit-3-expected", {expected}));
  EXPECT_EQ(r.outcome, Outcome::Passed) << dump(r);

  ExecAction absent;
  absent.argv = {"/nonexistent/client"};
  Step missing = step("missing", absent);
  r = run_embedded(scenario("missing-command", {missing}));
  EXPECT_EQ(r.outcome, Outcome::Error);
  EXPECT_NE(r.steps[0].message.find("/nonexistent/client"), std::string::npos);
}

TEST(RunnerExec, ATimeoutKillsTheProcessGroup) {
  Step slow = exec_step("slow", "sleep 30 & sleep 30; echo never");
  std::get<ExecAction>(slow.action).timeout_ms = 100;
  ScenarioResult r = run_embedded(scenario("timeout", {slow}));
  EXPECT_EQ(r.outcome, Outcome::Failed);
  EXPECT_NE(r.steps[0].message.find("timed out after 100 ms"), std::string::npos)
      << r.steps[0].message;
}

TEST(RunnerExec, RunsInTheScenarioDirectory) {
  fs::path dir = fs::temp_directory_path() / ("pistesim-runner-" + std::to_string(getpid()));
  fs::create_directories(dir / "sub");
  Scenario s = scenario("cwd", {});
  s.file = (dir / "cwd.toml").string();
  Step here = exec_step("pwd", "pwd");
  here.expect.stdout_text.push_back(
      matcher(Matcher::Op::Contains, fs::canonical(dir).string() + "\n"));
  Step sub = exec_step("pwd sub", "pwd");
  std::get<ExecAction>(sub.action).cwd = "sub";
  sub.expect.stdout_text.push_back(matcher(Matcher::Op::Contains, "/sub\n"));
  s.steps = {here, sub};
  ScenarioResult r = run_embedded(s);
  EXPECT_EQ(r.outcome, Outcome::Passed) << dump(r);
  fs::remove_all(dir);
}

TEST(RunnerExec, BackgroundStepsRunWhileOthersDoAndWaitJudgesThem) {
  Step bg = exec_step("bg", "sleep 0.2; echo done");
  std::get<ExecAction>(bg.action).background = true;
  bg.expect.stdout_text.push_back(matcher(Matcher::Op::Contains, "done"));
  Step wait = step("wait", WaitAction{"bg"});
  ScenarioResult r = run_embedded(scenario("background", {bg, token_step(), ping_step(), wait}));
  ASSERT_EQ(r.outcome, Outcome::Passed) << dump(r);
  EXPECT_EQ(r.steps[0].outcome, Outcome::Passed);
  EXPECT_NE(r.steps[3].output.find("done"), std::string::npos);

  Step failing = exec_step("bg", "exit 4");
  std::get<ExecAction>(failing.action).background = true;
  r = run_embedded(scenario("background-fails", {failing, step("wait", WaitAction{"bg"})}));
  EXPECT_EQ(r.outcome, Outcome::Failed);
  EXPECT_EQ(r.steps[1].outcome, Outcome::Failed);

  r = run_embedded(scenario("wait-unknown", {step("wait", WaitAction{"nothing"})}));
  EXPECT_EQ(r.outcome, Outcome::Error);
}

TEST(RunnerExec, ABackgroundStepNeverWaitedForIsStoppedWithItsScenario) {
  Step bg = exec_step("forever", "sleep 30");
  std::get<ExecAction>(bg.action).background = true;
  ScenarioResult r = run_embedded(scenario("abandoned", {bg}));
  EXPECT_EQ(r.outcome, Outcome::Passed) << dump(r);
}

TEST(RunProcess, CapturesBoundedOutput) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "head -c 5000 /dev/zero | tr '\\0' x; echo err >&2"};
  spec.env = current_environment();
  spec.max_output_bytes = 1000;
  ProcessResult p = run_process(spec);
  ASSERT_TRUE(p.started) << p.error;
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_EQ(p.stdout_text.size(), 1000u);
  EXPECT_TRUE(p.truncated);
  EXPECT_EQ(p.stderr_text, "err\n");
}

TEST(RunProcess, CancelStopsIt) {
  ProcessSpec spec;
  spec.argv = {"sleep", "30"};
  spec.env = current_environment();
  std::atomic<bool> cancel{true};
  ProcessResult p = run_process(spec, &cancel);
  EXPECT_TRUE(p.cancelled);
  EXPECT_EQ(p.signal, SIGTERM);
}

// ---- run_all --------------------------------------------------------------------------------

TEST(RunAll, RunsInParallelEachOnItsOwnWorld) {
  // Each scenario sets the same application's quota to 1 per day and calls twice: on a shared
  // world the counters would collide.
  QuotaAction q;
  q.application = test::kSandboxApp;
  q.limit = 2;
  q.window = "1d";
  std::vector<Scenario> list;
  for (int i = 0; i < 6; ++i)
    list.push_back(
        scenario("parallel-" + std::to_string(i),
                 {step("quota", q), token_step(), ping_step(), ping_step(), ping_step(429)}));
  std::mutex m;
  std::set<std::string> reported;
  RunOptions options;
  options.jobs = 3;
  options.on_scenario = [&](const ScenarioResult& r) {
    std::lock_guard lock(m);
    reported.insert(r.name);
  };
  RunSummary summary = run_all(list, {}, options);
  EXPECT_EQ(summary.target, "embedded");
  ASSERT_EQ(summary.scenarios.size(), 6u);
  EXPECT_EQ(summary.count(Outcome::Passed), 6u);
  EXPECT_EQ(reported.size(), 6u);
  EXPECT_EQ(summary.exit_code(), 0);
  for (size_t i = 0; i < 6; ++i)
    EXPECT_EQ(summary.scenarios[i].name, "parallel-" + std::to_string(i));
}

TEST(RunAll, FiltersSkipsOnlyAndLoadErrors) {
  Scenario a = scenario("alpha token", {token_step()});
  a.tags = {"oauth"};
  Scenario b = scenario("beta gateway", {token_step(), ping_step()});
  b.tags = {"gateway"};
  Scenario c = scenario("gamma skipped", {token_step()});
  c.tags = {"oauth"};
  c.skip = "waiting for PISTE";
  ScenarioResult load_error;
  load_error.file = "scenarios/broken.toml";
  load_error.name = "broken";
  load_error.outcome = Outcome::Error;
  load_error.message = "scenarios/broken.toml:3:1: unknown key";

  RunOptions by_tag;
  by_tag.tags = {"oauth"};
  RunSummary s = run_all({a, b, c}, {load_error}, by_tag);
  ASSERT_EQ(s.scenarios.size(), 3u);  // beta is not selected
  EXPECT_EQ(s.count(Outcome::Passed), 1u);
  EXPECT_EQ(s.count(Outcome::Skipped), 1u);
  EXPECT_EQ(s.count(Outcome::Error), 1u);
  EXPECT_EQ(s.exit_code(), 2);

  RunOptions by_name;
  by_name.names = {"gateway"};
  s = run_all({a, b, c}, {}, by_name);
  ASSERT_EQ(s.scenarios.size(), 1u);
  EXPECT_EQ(s.scenarios[0].name, "beta gateway");

  b.only = true;
  s = run_all({a, b, c}, {}, {});
  EXPECT_EQ(s.count(Outcome::Passed), 1u);
  EXPECT_EQ(s.count(Outcome::Skipped), 2u);

  Step failing = token_step();
  failing.expect.status = status({500});
  s = run_all({scenario("fails", {failing})}, {}, {});
  EXPECT_EQ(s.exit_code(), 1);
}

TEST(RunAll, AScenarioWorldIsResolvedAgainstItsFile) {
  Scenario s = scenario("own world", {token_step()});
  s.file = std::string(PISTESIM_SOURCE_DIR) + "/scenarios/x.toml";
  s.world = "../fixtures/piste-default.toml";
  RunSummary summary = run_all({s}, {}, {});
  EXPECT_EQ(summary.count(Outcome::Passed), 1u) << dump(summary.scenarios[0]);
  s.world = "missing-world.toml";
  summary = run_all({s}, {}, {});
  EXPECT_EQ(summary.count(Outcome::Error), 1u);
  EXPECT_NE(summary.scenarios[0].message.find("missing-world.toml"), std::string::npos)
      << summary.scenarios[0].message;
}

TEST(RunAll, ARemoteTargetIsResetBeforeEachScenario) {
  Served served;
  QuotaAction q;
  q.application = test::kSandboxApp;
  q.limit = 1;
  q.window = "1d";
  // Each scenario uses up the day's quota: without a reset the second would get 429 at once.
  std::vector<Scenario> list = {scenario("one", {step("quota", q), token_step(), ping_step()}),
                                scenario("two", {token_step(), ping_step()})};
  RunOptions options;
  options.target = served.options();
  options.jobs = 4;  // remote runs are serial whatever is asked
  RunSummary s = run_all(list, {}, options);
  EXPECT_EQ(s.target, served.server.base_url());
  EXPECT_EQ(s.count(Outcome::Passed), 2u) << dump(s.scenarios[0]) << dump(s.scenarios[1]);

  RunOptions unreachable;
  unreachable.target = remote("http://127.0.0.1:1", "x");
  s = run_all(list, {}, unreachable);
  EXPECT_EQ(s.count(Outcome::Error), 2u);
  EXPECT_NE(s.scenarios[0].message.find("reset"), std::string::npos) << s.scenarios[0].message;
}

// The real `pistesim serve`, as an integrator runs it, gives the embedded outcomes.
TEST(RunAll, TheServedBinaryGivesTheEmbeddedOutcomes) {
  fs::path dir = fs::temp_directory_path() / ("pistesim-serve-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path info = dir / "info.json";
  ProcessSpec spec;
  spec.argv = {PISTESIM_BINARY, "serve",       "--port",        "0",
               "--info-file",   info.string(), "--admin-token", "binary-admin-token"};
  spec.env = current_environment();
  spec.timeout_ms = 120000;
  std::atomic<bool> stop{false};
  ProcessResult served;
  std::thread server([&] { served = run_process(spec, &stop); });
  std::string base_url;
  for (int i = 0; i < 1000 && base_url.empty(); ++i) {
    std::ifstream in(info);
    auto j = json::parse(in, nullptr, false);
    if (j.is_object()) base_url = j.value("base_url", "");
    if (base_url.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!base_url.empty()) {
    Step advance = step("an hour passes", ClockAction{"3601s"});
    Scenario s = scenario("binary", {token_step(), ping_step(), advance, ping_step(401)});
    RunOptions options;
    options.target = remote(base_url, "binary-admin-token");
    RunSummary remote = run_all({s}, {}, options);
    RunSummary embedded = run_all({s}, {}, {});
    ASSERT_EQ(embedded.count(Outcome::Passed), 1u) << dump(embedded.scenarios[0]);
    EXPECT_EQ(verdicts(remote.scenarios[0]), verdicts(embedded.scenarios[0]))
        << dump(remote.scenarios[0]);
  }
  stop = true;
  server.join();
  fs::remove_all(dir);
  ASSERT_FALSE(base_url.empty()) << served.error << served.stderr_text;
}

}  // namespace
}  // namespace pistesim::scenario
