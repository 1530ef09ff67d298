// The scenario loader (docs/scenarios.md): the model it builds, and an error for every mistake,
// pointing at file:line:column with the expected form.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "scenario_engine/loader.h"

namespace pistesim::scenario {
namespace {

const std::string kData = std::string(PISTESIM_SOURCE_DIR) + "/tests/data/scenarios";

std::vector<LoadError> errors_of(const std::string& text, const std::string& path = "t.toml") {
  auto r = load_scenario_text(text, path);
  if (auto* e = std::get_if<std::vector<LoadError>>(&r)) return *e;
  return {};
}

std::string joined(const std::vector<LoadError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.to_string() + "\n";
  return out;
}

Scenario load_ok(const std::string& text, const std::string& path = "t.toml") {
  auto r = load_scenario_text(text, path);
  if (auto* e = std::get_if<std::vector<LoadError>>(&r)) {
    ADD_FAILURE() << joined(*e);
    return {};
  }
  return std::get<Scenario>(r);
}

struct BadStep {
  const char* body;      // TOML after `name = "x"` and `[[step]]` (so it starts on line 3)
  const char* location;  // "line:column"
  const char* fragment;  // part of the message
};

class LoaderRejectsStep : public testing::TestWithParam<BadStep> {};

TEST_P(LoaderRejectsStep, NamingTheLocationAndTheExpectedForm) {
  const BadStep& c = GetParam();
  auto errors = errors_of(std::string("name = \"x\"\n[[step]]\n") + c.body);
  std::string want = std::string("t.toml:") + c.location + ": ";
  bool found = false;
  for (const auto& e : errors) {
    std::string s = e.to_string();
    found = found || (s.starts_with(want) && s.find(c.fragment) != std::string::npos);
  }
  EXPECT_TRUE(found) << "wanted " << want << "…" << c.fragment << "\ngot:\n" << joined(errors);
}

INSTANTIATE_TEST_SUITE_P(
    EveryErrorPath, LoaderRejectsStep,
    testing::Values(
        // actions
        BadStep{"", "2:1", "step has no action; expected exactly one of: request, control"},
        BadStep{"request = \"GET {{a}}/x\"\ncontrol = \"GET /world\"", "4:11",
                "several actions (« request », « control »)"},
        BadStep{"request = \"FETCH {{sandbox_api}}/x\"", "3:11",
                "must start with an HTTP method (GET, POST"},
        BadStep{"request = \"GET\"", "3:11", "has no URL; expected \"METHOD URL\""},
        BadStep{"request = \"GET /relative\"", "3:11",
                "must be absolute or start with a base URL variable"},
        BadStep{"request = \"GET {{x\"", "3:11", "unterminated « {{ »"},
        BadStep{"request = \"GET {{a}}/x\"\nexpct.status = 200", "4:1",
                "unknown key « expct » in a step; did you mean « expect »?"},
        BadStep{"request = \"GET {{a}}/x\"\nform = { a = \"1\" }\njson = { b = 1 }", "5:8",
                "a request has one body"},
        BadStep{"request = \"GET {{a}}/x\"\njson = '{\"a\": '", "4:8", "is not valid JSON"},
        BadStep{"request = \"GET {{a}}/x\"\nbasic = { user = \"u\" }", "4:9",
                "« basic » needs user and password"},
        BadStep{"request = \"GET {{a}}/x\"\nbasic = { user = \"u\", password = \"p\" }\n"
                "bearer = \"t\"",
                "5:10", "both set Authorization"},
        BadStep{"request = \"GET {{a}}/x\"\nheaders = { A = { b = 1 } }", "4:17",
                "« headers.A » must be a string"},
        BadStep{"mail = {}\nform = { a = \"b\" }", "4:8",
                "« form » does not apply to a « mail » step; expected it on request steps"},
        BadStep{"mail = { too = \"x\" }", "3:10", "did you mean « to »?"},
        BadStep{"control = \"GET /__pistesim/world\"", "3:11",
                "relative to /__pistesim; expected e.g. « GET /world »"},
        BadStep{"control = \"GET world\"", "3:11", "must start with /"},
        BadStep{"control = \"POST /x\"\njson = \"text\"", "4:8",
                "« json » of a control step must be a table"},
        BadStep{"advance = \"soon\"", "3:11", "« advance » must be a positive duration such as"},
        BadStep{"advance = \"to 25:00\"", "3:11",
                "« advance » must be \"to HH:MM\" or \"to HH:MM:SS\" (Europe/Paris, 24-hour)"},
        BadStep{"sleep = 5", "3:9", "« sleep » must be a duration"},
        BadStep{"advance = \"1s\"\nwhen = 5", "4:8", "« when » must be a table of variables"},
        BadStep{"advance = \"1s\"\nwhen = { seen = 1.5 }", "4:17",
                "« when.seen » must be a string, an integer, a boolean or a list of them"},
        BadStep{"advance = \"1s\"\nwhen = { 2x = 1 }", "4:15", "is not a valid variable name"},
        BadStep{"fault = { kind = \"boom\" }", "3:18",
                "must be one of respond, drop_connection, expire_token"},
        BadStep{"fault = \"later\"", "3:9", "or \"clear\""},
        BadStep{"fault = { kind = \"drop_connection\", status = 503 }", "3:46",
                "applies to kind = \"respond\" only"},
        BadStep{"fault = { count = 0 }", "3:19", "« fault.count » must be a number of calls"},
        BadStep{"fault = { status = 42 }", "3:20", "« fault.status » must be an HTTP status"},
        BadStep{"fault = { status = 0 }", "3:9", "needs latency_ms"},
        BadStep{"fault = { latency_ms = 99999 }", "3:24", "milliseconds from 0 to 60000"},
        BadStep{"quota = { limit = 5 }", "3:9", "« quota » needs « application »"},
        BadStep{"quota = { application = \"a\", limit = 5, window = \"1h\" }", "3:50",
                "must be \"1s\" or \"1d\""},
        BadStep{"quota = { application = \"a\", window = \"1s\" }", "3:39", "needs « limit »"},
        BadStep{"exec = []", "3:8", "« exec » must not be empty"},
        BadStep{"exec = 5", "3:8", "« exec » must be a command"},
        BadStep{"exec = \"x\"\ntimeout = \"fast\"", "4:11", "« timeout » must be a positive"},
        BadStep{"exec = \"x\"\nbackground = true", "2:1", "needs a « name »"},
        BadStep{"exec = \"x\"\nclient_id = \"c\"", "4:13", "expected « application » beside it"},
        BadStep{"exec = \"x\"\ncwd = \"{{d}}\"", "4:7", "cannot hold {{templates}}"},
        BadStep{"exec = \"x\"\nenv = { \"A-B\" = \"1\" }", "4:9",
                "is not an environment variable name"},
        BadStep{"wait = \"nobody\"", "2:1",
                "« wait » names no earlier background exec step « nobody »"},
        BadStep{"journal = { since = \"nowhere\" }", "2:1",
                "« journal » names no earlier mark « nowhere »"},
        BadStep{"journal = { kind = \"both\" }", "3:20", "must be \"token\" or \"api\""},
        BadStep{"reset = false", "3:9", "« reset » must be true"},
        BadStep{"mark = \"\"", "3:8", "« mark » must not be empty"},
        // expectations
        BadStep{"request = \"GET {{a}}/x\"\nexpect.status = \"abc\"", "4:17",
                "« expect.status » must be an HTTP status (200), a list ([200, 201]) or a class "
                "(\"2xx\")"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.status = 999", "4:17", "999 is none of these"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.status = []", "4:17", "the list is empty"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.json = { \"no-dollar\" = 1 }", "4:17",
                "invalid JSONPath « no-dollar »"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.body = { matches = \"(\" }", "4:27",
                "is not a valid regular expression"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.body = { contans = \"x\" }", "4:17",
                "unknown matcher « contans » in « expect.body »; did you mean « contains »?"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.body = { exists = true }", "4:17",
                "unknown matcher « exists »"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.exit = 0", "4:8",
                "« expect.exit » does not apply to a « request » step"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.stauts = 0", "4:8", "did you mean « status »?"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.headers = { X = 5 }", "4:24",
                "must be the expected text"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.json = { \"$.a\" = { count = -1 } }", "4:35",
                "a count (0 or more)"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.json = { \"$.a\" = { one_of = [] } }", "4:36",
                "non-empty list"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.json = { \"$.a\" = {} }", "4:25",
                "has no matcher"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.json = { \"$.a\" = { min = \"x\" } }", "4:33",
                "must be a number"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.json = { \"$.a\" = 1979-05-27 }", "4:25",
                "dates and times are not supported"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.duration = \"2s\"", "4:19",
                "must be a table such as { max = \"2s\" }"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.duration = { max = \"2 s\" }", "4:27",
                "must be a duration such as"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.client = { reuses_tokens = true }", "4:8",
                "« expect.client » does not apply to a « request » step"},
        BadStep{"mark = \"m\"\nexpect = { status = 200 }", "4:10",
                "« expect » does not apply to a « mark » step"},
        BadStep{"exec = [\"a\"]\nname = \"bg\"\nbackground = true\n[[step]]\nwait = \"bg\"\n"
                "expect = { exit = 0 }",
                "8:10", "put the expectations on the background exec step"},
        BadStep{"journal = {}\nexpect.client = { reuses_token = true }", "4:19",
                "did you mean « reuses_tokens »?"},
        BadStep{"journal = {}\nexpect.client = { token_requests = \"two\" }", "4:36",
                "must be an integer"},
        BadStep{"journal = {}\nexpect.client = { backoff_after_429 = \"soon\" }", "4:39",
                "must be a duration"},
        BadStep{"journal = {}\nexpect.client = { reuses_tokens = \"yes\" }", "4:35",
                "« expect.client.reuses_tokens » must be true or false"},
        BadStep{"journal = {}\nexpect.client = {}", "4:17", "has no check"},
        BadStep{"exec = \"x\"\nexpect.exit = \"zero\"", "4:15", "must be an integer (0)"},
        // captures
        BadStep{"request = \"GET {{a}}/x\"\ncapture.token = \"no-dollar\"", "4:17",
                "invalid JSONPath"},
        BadStep{"request = \"GET {{a}}/x\"\ncapture.uuid = \"$.a\"", "4:9",
                "« uuid » is a built-in name"},
        BadStep{"request = \"GET {{a}}/x\"\ncapture.x = { header = \"A\", json = \"$.a\" }", "4:13",
                "has several sources"},
        BadStep{"request = \"GET {{a}}/x\"\ncapture.x = { default = \"1\" }", "4:13",
                "has no source"},
        BadStep{"request = \"GET {{a}}/x\"\ncapture.x = { stdout = true }", "4:15",
                "« capture.x.stdout » does not apply to a « request » step"},
        BadStep{"request = \"GET {{a}}/x\"\ncapture.x = { regex = \"a\", from = \"stdout\" }",
                "4:35", "must be \"body\" or \"header:<Name>\""},
        BadStep{"request = \"GET {{a}}/x\"\ncapture.x = { header = \"A\", from = \"body\" }",
                "4:36", "applies to regex captures only"},
        BadStep{"request = \"GET {{a}}/x\"\ncapture.x = { regex = \"[\" }", "4:23",
                "not a valid regular expression"},
        BadStep{"request = \"GET {{a}}/x\"\ncapture.x = { status = false }", "4:24",
                "must be true"},
        BadStep{"exec = \"x\"\ncapture.x = \"$.a\"", "4:13", "on an exec step expected"},
        BadStep{"mark = \"m\"\ncapture.x = \"$.a\"", "4:1",
                "« capture » does not apply to a « mark » step"},
        // retry, loops, skip
        BadStep{"request = \"GET {{a}}/x\"\nexpect.status = 200\nretry = { every = \"1s\" }", "5:9",
                "« retry » needs « until »"},
        BadStep{"request = \"GET {{a}}/x\"\nretry = { until = \"1s\" }", "4:9",
                "expected an « expect » on this step"},
        BadStep{"request = \"GET {{a}}/x\"\nexpect.status = 200\nretry = { until = \"1s\", every = "
                "\"2s\" }",
                "5:33", "longer than « retry.until »"},
        BadStep{"advance = \"1s\"\nretry = { until = \"1s\" }", "4:9",
                "« retry » does not apply to a « advance » step"},
        BadStep{"request = \"GET {{a}}/x\"\nfor_each = \"clientz\"", "4:12",
                "« for_each » names no data table « clientz »"},
        BadStep{"request = \"GET {{a}}/x\"\nfor_each = []", "4:12", "non-empty array of tables"},
        BadStep{"request = \"GET {{a}}/x\"\nfor_each = [ { \"bad name\" = 1 } ]", "4:16",
                "is not a valid variable name"},
        BadStep{"request = \"GET {{a}}/x\"\nfor_each = 3", "4:12", "must name a data table"},
        BadStep{"request = \"GET {{a}}/x\"\nname = \"\"", "4:8", "« name » must not be empty"},
        BadStep{"request = \"GET {{a}}/x\"\nskip = 3", "4:8", "« skip » must be the reason"},
        BadStep{"request = \"GET {{a}}/x\"\nonly = \"yes\"", "4:8",
                "« only » must be true or false"},
        // use
        BadStep{"use = \"lib/none.toml\"", "3:7", "cannot use « lib/none.toml »"},
        BadStep{"use = \"x.toml\"\nexpect.status = 200", "4:1",
                "« expect » cannot be combined with « use »"},
        BadStep{"use = \"{{lib}}.toml\"", "3:7", "cannot hold {{templates}}"},
        BadStep{"request = \"GET {{a}}/x\"\nwith = { a = 1 }", "4:8",
                "« with » belongs to « use » steps"}));

struct BadFile {
  const char* text;
  const char* location;
  const char* fragment;
};

class LoaderRejectsFile : public testing::TestWithParam<BadFile> {};

TEST_P(LoaderRejectsFile, NamingTheLocationAndTheExpectedForm) {
  const BadFile& c = GetParam();
  auto errors = errors_of(c.text);
  std::string want = std::string("t.toml:") + c.location + ": ";
  bool found = false;
  for (const auto& e : errors)
    found = found || (e.to_string().starts_with(want) &&
                      e.to_string().find(c.fragment) != std::string::npos);
  EXPECT_TRUE(found) << "wanted " << want << "…" << c.fragment << "\ngot:\n" << joined(errors);
}

INSTANTIATE_TEST_SUITE_P(
    EveryErrorPath, LoaderRejectsFile,
    testing::Values(
        BadFile{"", "1:1", "the scenario has no « name »"},
        BadFile{"name = \"x\"", "1:1", "the scenario has no [[step]]"},
        BadFile{"name = \"x", "1:10", "invalid TOML"},
        BadFile{"nam = \"x\"\n[[step]]\nreset = true", "1:1", "did you mean « name »?"},
        BadFile{"name = \"x\"\ncovers = [\"ACC-42\"]\n[[step]]\nreset = true", "2:11",
                "unknown behaviour ID « ACC-42 » (docs/behaviours.md); did you mean « ACC-2 »? "
                "expected one of: ACC-1, ACC-2"},
        BadFile{"name = \"x\"\ncovers = [\"FOO-1\"]\n[[step]]\nreset = true", "2:11",
                "from the families: ACC, CAT, CGU, APP"},
        BadFile{"name = \"x\"\ntags = \"a\"\n[[step]]\nreset = true", "2:8",
                "« tags » must be a list of strings"},
        BadFile{"name = \"x\"\nworld = \"missing.toml\"\n[[step]]\nreset = true", "2:9",
                "world file « missing.toml » not found"},
        BadFile{"name = \"x\"\nskip = true\n[[step]]\nreset = true", "2:8",
                "« skip » must be the reason"},
        BadFile{"name = \"x\"\n[vars]\nuuid = \"1\"\n[[step]]\nreset = true", "3:1",
                "« uuid » is a built-in name"},
        BadFile{"name = \"x\"\n[vars]\na = \"{{\"\n[[step]]\nreset = true", "3:5",
                "unterminated « {{ »"},
        BadFile{"name = \"x\"\n[tables]\nclients = 1\n[[step]]\nreset = true", "3:11",
                "« tables.clients » must be a non-empty array of tables"},
        BadFile{"name = \"x\"\ninclude = [\"lib/none.toml\"]\n[[step]]\nreset = true", "2:12",
                "cannot include « lib/none.toml »"},
        BadFile{"name = \"x\"\ninclude = 3\n[[step]]\nreset = true", "2:11",
                "« include » must be a list of files"},
        BadFile{"name = \"x\"\nstep = 5", "2:8", "« step » must be an array of tables"},
        BadFile{"name = \"x\"\nstep = [1]", "2:9", "each step must be a table"},
        BadFile{"name = \"x\"\n[[step]]\nexec = \"a\"\nname = \"bg\"\nbackground = true\n"
                "[[step]]\nexec = \"b\"\nname = \"bg\"\nbackground = true",
                "6:1", "two background exec steps are named « bg »"}));

TEST(Loader, CollectsEveryErrorOfAFileInLineOrder) {
  auto r = load_scenario_file(kData + "/bad/several_errors.toml");
  ASSERT_TRUE(std::holds_alternative<std::vector<LoadError>>(r));
  auto errors = std::get<std::vector<LoadError>>(r);
  ASSERT_EQ(errors.size(), 3u) << joined(errors);
  EXPECT_EQ(errors[0].where.line, 4);
  EXPECT_NE(errors[0].message.find("HTTP method"), std::string::npos);
  EXPECT_EQ(errors[1].where.line, 8);
  EXPECT_NE(errors[1].message.find("« expct »"), std::string::npos);
  EXPECT_EQ(errors[2].where.line, 11);
  EXPECT_NE(errors[2].message.find("duration"), std::string::npos);
  EXPECT_TRUE(errors[0].to_string().starts_with(kData + "/bad/several_errors.toml:4:11: "));
}

TEST(Loader, AMissingFileIsAnError) {
  auto r = load_scenario_file(kData + "/absent.toml");
  ASSERT_TRUE(std::holds_alternative<std::vector<LoadError>>(r));
  EXPECT_EQ(std::get<std::vector<LoadError>>(r)[0].to_string(),
            kData + "/absent.toml: cannot open: No such file or directory");
}

// ---- the model ----------------------------------------------------------------------------

class GoodScenario : public testing::Test {
 protected:
  void SetUp() override {
    auto r = load_scenario_file(kData + "/good.toml");
    if (auto* e = std::get_if<std::vector<LoadError>>(&r)) FAIL() << joined(*e);
    sc = std::get<Scenario>(r);
  }
  const Step& step(size_t i) { return sc.steps.at(i); }
  Scenario sc;
};

TEST_F(GoodScenario, HasTheMetadataAndVariables) {
  EXPECT_EQ(sc.file, kData + "/good.toml");
  EXPECT_EQ(sc.name, "Token, API call, faults and a client run");
  EXPECT_EQ(sc.description, "Every kind of step once.");
  EXPECT_EQ(sc.tags, (std::vector<std::string>{"oauth", "gateway"}));
  EXPECT_EQ(sc.covers, (std::vector<std::string>{"OAU-1", "GW-1", "WIRE-12"}));
  EXPECT_EQ(sc.world, std::filesystem::path(std::string(PISTESIM_SOURCE_DIR) +
                                            "/tests/data/minimal-world.toml")
                          .lexically_normal()
                          .string());
  EXPECT_EQ(sc.where.to_string(), kData + "/good.toml:1:1");
  // The include's [vars], then the file's own, which win.
  EXPECT_EQ(sc.vars.at("scope"), "openid");
  EXPECT_EQ(sc.vars.at("client_label"), "own");
  EXPECT_EQ(sc.vars.at("api"), "legifrance");
  ASSERT_EQ(sc.tables.at("clients").size(), 2u);
  EXPECT_EQ(sc.tables.at("clients")[1].at("app"), "demo-production");
  ASSERT_EQ(sc.steps.size(), 19u);
}

TEST_F(GoodScenario, InlinesTheUsedLibraryWithItsVariables) {
  const Step& token = step(0);
  EXPECT_EQ(token.name, "token");
  EXPECT_EQ(token.where.file, kData + "/lib/token.toml");
  EXPECT_EQ(token.where.line, 7);
  ASSERT_EQ(token.included_from.size(), 1u);
  EXPECT_EQ(token.included_from[0].to_string(), kData + "/good.toml:13:7");
  ASSERT_EQ(token.rows.size(), 1u);
  EXPECT_EQ(token.rows[0].at("client_id"), "{{env.CLIENT_ID}}");
  EXPECT_EQ(token.rows[0].at("client_secret"), "s3cret");
  EXPECT_EQ(token.rows[0].at("scope"), "openid");  // the library's default
  const auto& http = std::get<HttpAction>(token.action);
  EXPECT_EQ(http.method, "POST");
  EXPECT_EQ(http.url, "{{sandbox_oauth}}/api/oauth/token");
  EXPECT_EQ(http.body_kind, HttpAction::BodyKind::Form);
  // Written order, not alphabetical.
  ASSERT_EQ(http.form.size(), 4u);
  EXPECT_EQ(http.form[0],
            std::make_pair(std::string("grant_type"), std::string("client_credentials")));
  EXPECT_EQ(http.form[3].first, "scope");
  ASSERT_EQ(token.captures.size(), 1u);
  EXPECT_EQ(token.captures[0].variable, "token");
  EXPECT_EQ(token.captures[0].source, Capture::Source::JsonPath);
  EXPECT_EQ(token.captures[0].expression, "$.access_token");
  EXPECT_EQ(step(1).name, "mark after-token");
}

TEST_F(GoodScenario, ReadsARequestWithEveryExpectation) {
  const Step& s = step(2);
  EXPECT_EQ(s.name, "call the API");
  EXPECT_EQ(s.where.to_string(), kData + "/good.toml:16:1");
  const auto& http = std::get<HttpAction>(s.action);
  EXPECT_EQ(http.bearer, "{{token}}");
  ASSERT_EQ(http.headers.size(), 3u);
  EXPECT_EQ(http.headers[0],
            std::make_pair(std::string("Accept"), std::string("application/json")));
  EXPECT_EQ(http.headers[1], std::make_pair(std::string("X-Trace"), std::string("a")));
  EXPECT_EQ(http.headers[2], std::make_pair(std::string("X-Trace"), std::string("b")));
  ASSERT_TRUE(s.expect.status);
  EXPECT_EQ(s.expect.status->codes, (std::vector<int>{200, 201}));
  ASSERT_EQ(s.expect.headers.size(), 2u);
  EXPECT_EQ(s.expect.headers[0].name, "Cache-Control");
  EXPECT_EQ(s.expect.headers[0].matchers[0].op, Matcher::Op::Equals);
  EXPECT_EQ(s.expect.headers[1].matchers[0].op, Matcher::Op::Exists);
  EXPECT_EQ(s.expect.headers[1].matchers[0].expected, false);
  ASSERT_EQ(s.expect.body.size(), 2u);
  EXPECT_EQ(s.expect.body[0].op, Matcher::Op::Contains);
  EXPECT_EQ(s.expect.body[1].op, Matcher::Op::Matches);
  EXPECT_TRUE(s.expect.body[1].negate);
  ASSERT_EQ(s.expect.json.size(), 2u);
  EXPECT_EQ(s.expect.json[0].path, "$.apis");
  EXPECT_EQ(s.expect.json[0].matchers[0].op, Matcher::Op::Count);
  EXPECT_EQ(s.expect.json[0].matchers[0].expected, 3);
  EXPECT_EQ(s.expect.json[1].matchers[0].expected, "Bearer");
  ASSERT_TRUE(s.expect.duration_ms);
  EXPECT_EQ(s.expect.duration_ms->op, Matcher::Op::Max);
  EXPECT_EQ(s.expect.duration_ms->expected, 2000);
  ASSERT_EQ(s.captures.size(), 3u);
  EXPECT_EQ(s.captures[0].source, Capture::Source::Header);
  EXPECT_EQ(s.captures[0].fallback, "0");
  EXPECT_EQ(s.captures[1].source, Capture::Source::Regex);
  EXPECT_EQ(s.captures[1].expression, "code=(\\w+)");
  EXPECT_EQ(s.captures[1].regex_input, "header:Location");
  EXPECT_EQ(s.captures[2].source, Capture::Source::Status);
  ASSERT_TRUE(s.retry);
  EXPECT_EQ(s.retry->deadline_ms, 5000);
  EXPECT_EQ(s.retry->interval_ms, 250);
}

TEST_F(GoodScenario, ReadsControlMailClockFaultAndQuotaSteps) {
  const auto& control = std::get<ControlAction>(step(3).action);
  EXPECT_EQ(step(3).name, "control POST /portal/register");
  EXPECT_EQ(control.path, "/portal/register");
  EXPECT_EQ(control.json, (Value{{"email", "{{random_email}}"}, {"cgu_accepted", true}}));
  EXPECT_EQ(control.as_user, "admin@example.test");
  EXPECT_EQ(step(3).expect.status->classes, (std::vector<int>{2}));
  const auto& mail = std::get<MailAction>(step(4).action);
  EXPECT_EQ(mail.to, "{{email}}");
  EXPECT_EQ(mail.kind, "activation");
  EXPECT_EQ(mail.follow, "activ");
  EXPECT_FALSE(mail.subject_contains);
  EXPECT_EQ(std::get<ClockAction>(step(5).action).advance, "1h30m");
  EXPECT_EQ(step(5).name, "advance 1h30m");
  const auto& fault = std::get<FaultAction>(step(6).action);
  EXPECT_FALSE(fault.clear);
  EXPECT_EQ(fault.spec, (Value{{"kind", "respond"},
                               {"api", "legifrance"},
                               {"status", 503},
                               {"count", 2},
                               {"after", 1}}));
  EXPECT_EQ(step(6).name, "fault respond 503 on legifrance");
  EXPECT_TRUE(std::get<FaultAction>(step(7).action).clear);
  EXPECT_EQ(step(7).name, "fault clear");
  const auto& quota = std::get<QuotaAction>(step(8).action);
  EXPECT_EQ(quota.application, "demo-sandbox");
  EXPECT_EQ(quota.limit, 5);
  EXPECT_EQ(quota.window, "1d");
  EXPECT_FALSE(std::get<QuotaAction>(step(9).action).limit);
  EXPECT_EQ(step(9).name, "quota demo-sandbox removed");
}

TEST_F(GoodScenario, ReadsExecWaitAndJournalSteps) {
  EXPECT_EQ(std::get<MarkAction>(step(10).action).name, "client-start");
  const Step& client = step(11);
  const auto& exec = std::get<ExecAction>(client.action);
  EXPECT_EQ(exec.argv, (std::vector<std::string>{"sh", "-c", "./client.sh --twice"}));
  EXPECT_EQ(exec.application, "demo-sandbox");
  EXPECT_EQ(exec.env, (std::map<std::string, std::string>{{"MODE", "strict"}, {"RETRIES", "3"}}));
  EXPECT_EQ(exec.timeout_ms, 30000);
  EXPECT_TRUE(exec.background);
  EXPECT_EQ(exec.cwd, kData);
  EXPECT_EQ(client.expect.exit_code->expected, 0);
  EXPECT_EQ(client.expect.stdout_text[0].op, Matcher::Op::Contains);
  EXPECT_EQ(client.captures[0].source, Capture::Source::Stdout);
  const auto& argv = std::get<ExecAction>(step(12).action);
  EXPECT_EQ(argv.argv, (std::vector<std::string>{"true", "{{api}}"}));
  EXPECT_EQ(argv.cwd, kData + "/lib");
  EXPECT_EQ(argv.timeout_ms, 60000);
  EXPECT_EQ(step(12).name, "exec true {{api}}");
  EXPECT_EQ(std::get<WaitAction>(step(13).action).step, "client");
  const auto& journal = std::get<JournalAction>(step(14).action);
  EXPECT_EQ(journal.since, "client-start");
  EXPECT_EQ(journal.kind, "api");
  const auto& client_checks = *step(14).expect.client;
  EXPECT_EQ(client_checks.token_requests->op, Matcher::Op::Max);
  EXPECT_EQ(client_checks.token_requests->expected, 2);
  EXPECT_EQ(client_checks.api_calls->op, Matcher::Op::Min);
  EXPECT_EQ(client_checks.reuses_tokens, true);
  EXPECT_EQ(client_checks.backoff_after_429_ms, 500);
  EXPECT_EQ(client_checks.refresh_window_ms, 240000);
  EXPECT_FALSE(client_checks.single_auth_method);
}

TEST_F(GoodScenario, ReadsLoopsSkipOnlySleepAndReset) {
  const Step& loop = step(15);
  ASSERT_EQ(loop.rows.size(), 2u);
  EXPECT_EQ(loop.rows[0].at("app"), "demo-sandbox");
  EXPECT_EQ(loop.skip, "not today");
  const Step& raw = step(16);
  const auto& http = std::get<HttpAction>(raw.action);
  EXPECT_EQ(http.body_kind, HttpAction::BodyKind::Json);
  EXPECT_EQ(http.json, "{\"a\": {{n}}}");  // a string: the JSON text itself
  EXPECT_EQ(http.raw, "");
  ASSERT_EQ(raw.rows.size(), 2u);
  EXPECT_EQ(raw.rows[1].at("n"), 2);
  EXPECT_TRUE(raw.only);
  EXPECT_EQ(std::get<SleepAction>(step(17).action).duration, "500ms");
  EXPECT_TRUE(std::holds_alternative<ResetAction>(step(18).action));
}

// ---- use, include, cycles -----------------------------------------------------------------

TEST(Loader, BindsNestedWithValuesToTheEnclosingOnes) {
  Scenario sc = load_ok(
      "name = \"n\"\n[[step]]\nuse = \"lib/nested.toml\"\nname = \"login\"\nwith = { id = "
      "\"abc\", secret = \"{{pw}}\" }\nskip = \"later\"\n",
      kData + "/nested_user.toml");
  ASSERT_EQ(sc.steps.size(), 2u);
  const Step& token = sc.steps[0];
  EXPECT_EQ(token.name, "login / token");
  EXPECT_EQ(token.skip, "later");
  ASSERT_EQ(token.included_from.size(), 2u);
  EXPECT_EQ(token.included_from[0].file, kData + "/lib/nested.toml");
  EXPECT_EQ(token.included_from[1].to_string(), kData + "/nested_user.toml:3:7");
  ASSERT_EQ(token.rows.size(), 1u);
  EXPECT_EQ(token.rows[0].at("client_id"), "abc");
  EXPECT_EQ(token.rows[0].at("client_secret"), "{{pw}}");
}

TEST(Loader, RejectsAUseCycle) {
  auto errors =
      errors_of("name = \"c\"\n[[step]]\nuse = \"lib/cycle_a.toml\"\n", kData + "/cycle_user.toml");
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].where.to_string(), kData + "/lib/cycle_b.toml:2:7");
  EXPECT_NE(errors[0].message.find("use cycle: cycle_a.toml → cycle_b.toml → cycle_a.toml"),
            std::string::npos)
      << errors[0].message;
  EXPECT_NE(errors[0].message.find("(used from " + kData + "/lib/cycle_a.toml:2:7)"),
            std::string::npos)
      << errors[0].message;
}

TEST(Loader, ErrorsInAUsedFileNameThatFileAndWhereItWasUsed) {
  auto r = load_scenario_file(kData + "/bad/uses_broken.toml");
  ASSERT_TRUE(std::holds_alternative<std::vector<LoadError>>(r));
  auto errors = std::get<std::vector<LoadError>>(r);
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].to_string(),
            kData +
                "/lib/broken.toml:3:17: « expect.status » must be an HTTP status (200), a "
                "list ([200, 201]) or a class (\"2xx\"); 999 is none of these (used from " +
                kData + "/bad/uses_broken.toml:4:7)");
}

TEST(Loader, ReportsABrokenLibraryOnceHoweverOftenItIsUsed) {
  auto errors = errors_of(
      "name = \"c\"\n[[step]]\nuse = \"lib/broken.toml\"\n[[step]]\nuse = \"lib/broken.toml\"\n",
      kData + "/twice.toml");
  EXPECT_EQ(errors.size(), 1u) << joined(errors);
}

TEST(Loader, RejectsAnIncludeCycleAndKeysIncludedFilesDoNotHave) {
  auto errors = errors_of("name = \"c\"\ninclude = [\"t.toml\"]\n[[step]]\nreset = true\n");
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].message.find("include cycle: t.toml → t.toml"), std::string::npos)
      << joined(errors);
  // A step library is not an include file: its [[step]]s are refused there.
  errors = errors_of("name = \"c\"\ninclude = [\"lib/token.toml\"]\n[[step]]\nreset = true\n",
                     kData + "/inc.toml");
  EXPECT_NE(joined(errors).find("token.toml:7:3: unknown key « step » in an included file"),
            std::string::npos)
      << joined(errors);
  EXPECT_NE(joined(errors).find("(included from " + kData + "/inc.toml:2:12)"), std::string::npos);
}

TEST(Loader, ForEachOverAnIncludedTable) {
  Scenario sc = load_ok(
      "name = \"c\"\ninclude = \"lib/vars.toml\"\n[[step]]\nrequest = \"GET "
      "{{sandbox_api}}/{{app}}\"\n"
      "for_each = \"clients\"\n",
      kData + "/loop.toml");
  ASSERT_EQ(sc.steps.size(), 1u);
  EXPECT_EQ(sc.steps[0].rows.size(), 2u);
  EXPECT_EQ(sc.steps[0].name, "GET {{sandbox_api}}/{{app}}");
}

TEST(Loader, AcceptsTheEscapedLiteralBraces) {
  Scenario sc = load_ok(
      "name = \"c\"\n[[step]]\nrequest = \"POST {{sandbox_api}}/x\"\nbody = 'a {{ \"{{\" }} b'\n");
  EXPECT_EQ(std::get<HttpAction>(sc.steps[0].action).raw, "a {{ \"{{\" }} b");
}

TEST(Loader, ScenarioLevelSkipAndOnly) {
  Scenario sc =
      load_ok("name = \"c\"\nskip = \"needs TLS\"\nonly = true\n[[step]]\nreset = true\n");
  EXPECT_EQ(sc.skip, "needs TLS");
  EXPECT_TRUE(sc.only);
  EXPECT_EQ(sc.world, "default");
}

// ---- hostile input ------------------------------------------------------------------------

TEST(Loader, NeverCrashesOnGarbage) {
  std::mt19937 rng(42);
  const std::string alphabet = "[]{}=\"'.,#\n abc123{{}}|$";
  for (int i = 0; i < 300; ++i) {
    std::string text = "name = \"x\"\n[[step]]\n";
    for (int j = 0; j < 80; ++j) text += alphabet[rng() % alphabet.size()];
    auto r = load_scenario_text(text, "fuzz.toml");
    if (auto* e = std::get_if<std::vector<LoadError>>(&r)) {
      for (const auto& err : *e) EXPECT_EQ(err.where.file, "fuzz.toml");
    }
  }
  std::string deep = "name = \"x\"\na = " + std::string(5000, '[') + std::string(5000, ']');
  EXPECT_FALSE(errors_of(deep).empty());
  std::string big = "name = \"x\"\n" + std::string(5u << 20, '#');
  EXPECT_NE(joined(errors_of(big)).find("file too large"), std::string::npos);
}

TEST(Loader, CapsTheNumberOfSteps) {
  std::string text = "name = \"x\"\n";
  for (int i = 0; i < 10001; ++i) text += "[[step]]\nreset = true\n";
  EXPECT_NE(joined(errors_of(text)).find("too many steps"), std::string::npos);
}

// ---- finding files ------------------------------------------------------------------------

TEST(FindScenarioFiles, WalksDirectoriesSortedAndSkipsLibraries) {
  std::vector<LoadError> errors;
  auto files = find_scenario_files({kData, kData + "/good.toml"}, &errors);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(files, (std::vector<std::string>{kData + "/bad/several_errors.toml",
                                             kData + "/bad/uses_broken.toml", kData + "/good.toml",
                                             kData + "/good.toml"}));
}

TEST(FindScenarioFiles, AMissingPathIsAnError) {
  std::vector<LoadError> errors;
  auto files = find_scenario_files({kData + "/nowhere"}, &errors);
  EXPECT_TRUE(files.empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].to_string().find("nowhere: no such file or directory"), std::string::npos);
}

}  // namespace
}  // namespace pistesim::scenario
