// The control API (/__pistesim, docs/control-api.md) in-process: authentication, clock, quotas,
// business profiles, token revocation, and the JSON error shape {code, message, message_en,
// field}.
#include "control/control_api.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kPing = "/dila/legifrance/lf-engine-app/consult/ping";

// A control call with any Authorization value (none when empty).
Response control_as(TestSimulator& t, const std::string& authorization, const std::string& method,
                    const std::string& target, const std::string& body = {}) {
  Request r = Request::make(method, target, body);
  if (!authorization.empty()) r.headers.add("Authorization", authorization);
  return serve_request(*t.sim, Endpoint::Control, r);
}

json json_answer(const Response& r) {
  EXPECT_EQ(r.content_type(), "application/json");
  auto j = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

std::vector<Header> fields(const Response& r) {
  return {r.headers.begin(), r.headers.end()};
}

// The documented error shape: {"code": …, "message": …, "message_en": …, "field": …?} and
// nothing else.
void expect_error(const Response& r, int status, const std::string& code,
                  const std::string& field = {}) {
  EXPECT_EQ(r.status, status) << r.body;
  json j = json_answer(r);
  ASSERT_TRUE(j.is_object()) << r.body;
  EXPECT_EQ(j.value("code", ""), code) << r.body;
  for (const char* message : {"message", "message_en"}) {
    ASSERT_TRUE(j.contains(message) && j[message].is_string()) << r.body;
    EXPECT_FALSE(j[message].get<std::string>().empty());
  }
  if (field.empty()) {
    EXPECT_FALSE(j.contains("field")) << r.body;
    EXPECT_EQ(j.size(), 3u) << r.body;
  } else {
    EXPECT_EQ(j.value("field", ""), field) << r.body;
    EXPECT_EQ(j.size(), 4u) << r.body;
  }
}

class ControlApi : public ::testing::Test {
 protected:
  json application(const std::string& id) {
    return json_answer(t.control("GET", "/applications/" + id));
  }
  std::string production_token() {
    return t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  }

  TestSimulator t;
};

// --- Authentication ------------------------------------------------------------------------

TEST_F(ControlApi, HealthNeedsNoToken) {
  Response r = control_as(t, "", "GET", "/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json_answer(r), json({{"status", "ok"}}));
}

TEST_F(ControlApi, EveryOtherRouteNeedsTheAdminToken) {
  const std::pair<const char*, const char*> routes[] = {
      {"GET", "/world"},
      {"GET", "/clock"},
      {"POST", "/clock/advance"},
      {"GET", "/tokens"},
      {"POST", "/tokens/revoke"},
      {"GET", "/applications"},
      {"GET", "/applications/demo-sandbox"},
      {"PUT", "/applications/demo-sandbox/quota"},
      {"POST", "/applications/demo-sandbox/business-profiles"},
      {"GET", "/no-such-route"}};
  for (const char* auth :
       {"", "Bearer wrong-token", "Bearer test-admin-token-x", "Bearer test-admin-toke",
        "Basic dGVzdC1hZG1pbi10b2tlbg==", "test-admin-token"}) {
    for (const auto& [method, path] : routes) {
      SCOPED_TRACE(std::string(auth) + " " + method + " " + path);
      Response r = control_as(t, auth, method, path,
                              R"({"by":"1h","limit":1,"api":"sne-cotation","token":"x"})");
      expect_error(r, 401, "UNAUTHORIZED");
      EXPECT_EQ(r.headers.get("WWW-Authenticate"), R"(Bearer realm="pistesim-control")");
    }
  }
  // Nothing happened.
  EXPECT_EQ(t.clock->now_ms(), kStart);
  EXPECT_EQ(application("demo-sandbox")["quota_override"], false);
}

// Authentication comes before routing: without the admin token, unknown paths, known paths
// called with another method (open ones included) and admin routes all get the same 401, so a
// caller cannot map the route table (no 404 against 405, no Allow).
TEST_F(ControlApi, WithoutTheAdminTokenNothingAboutTheRouteTableLeaks) {
  const std::pair<const char*, const char*> requests[] = {
      {"GET", "/world"},    {"GET", "/no-such-route"},
      {"DELETE", "/clock"}, {"GET", "/clock/advance"},
      {"PUT", "/world"},    {"HEAD", "/tokens/revoke"},
      {"POST", "/health"},  {"DELETE", "/portal/activate"},
      {"HEAD", "/world"},   {"GET", "/applications/demo-sandbox/business-profiles/sne-cotation"}};
  for (const char* auth : {"", "Bearer wrong-token"}) {
    const Response first = control_as(t, auth, "GET", "/world");
    for (const auto& [method, path] : requests) {
      SCOPED_TRACE(std::string(auth) + " " + method + " " + path);
      Response r = control_as(t, auth, method, path);
      expect_error(r, 401, "UNAUTHORIZED");
      EXPECT_EQ(r.body, first.body);
      EXPECT_EQ(fields(r), fields(first));  // WWW-Authenticate, and no Allow
    }
    EXPECT_EQ(first.headers.get("WWW-Authenticate"), R"(Bearer realm="pistesim-control")");
  }
}

// Open routes answer their own method (and HEAD for GET) without the admin token.
TEST_F(ControlApi, OpenRoutesNeedNoTokenForTheirOwnMethod) {
  EXPECT_EQ(control_as(t, "", "GET", "/health").status, 200);
  EXPECT_EQ(control_as(t, "", "HEAD", "/health").status, 200);
  // The e-mail's link reaches its handler, which judges the link's token.
  expect_error(control_as(t, "", "GET", "/portal/activate?token=nope"), 404,
               "INVALID_ACTIVATION_LINK", "token");
  expect_error(control_as(t, "", "HEAD", "/portal/password-reset/confirm?token=nope"), 404,
               "INVALID_RESET_LINK", "token");
}

// RFC 9110 §9.3.2: HEAD on a GET route is that GET (the HTTP server drops the body and keeps
// its Content-Length).
TEST_F(ControlApi, HeadIsAnsweredByTheGetRoute) {
  for (const char* path : {"/clock", "/world", "/applications/demo-sandbox", "/health"}) {
    SCOPED_TRACE(path);
    Response get = t.control("GET", path), head = t.control("HEAD", path);
    EXPECT_EQ(head.status, 200) << head.body;
    EXPECT_EQ(fields(head), fields(get));
    EXPECT_EQ(head.body, get.body);
  }
  expect_error(t.control("HEAD", "/applications/no-such-app"), 404, "UNKNOWN_APPLICATION");
  expect_error(t.control("HEAD", "/no-such-route"), 404, "NOT_FOUND");
  Response post_only = t.control("HEAD", "/clock/advance");
  expect_error(post_only, 405, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(post_only.headers.get("Allow"), "POST");
}

TEST_F(ControlApi, TheAdminTokenSchemeIsCaseInsensitive) {
  EXPECT_EQ(control_as(t, "bearer test-admin-token", "GET", "/clock").status, 200);
}

TEST_F(ControlApi, UnknownRoutesAre404) {
  expect_error(t.control("GET", "/nope"), 404, "NOT_FOUND");
  expect_error(t.control("DELETE", "/clock"), 405,
               "METHOD_NOT_ALLOWED");  // known route, wrong method
  expect_error(t.control("GET", "/applications/demo-sandbox/nope"), 404, "NOT_FOUND");
  expect_error(t.control("DELETE", "/applications/demo-sandbox/business-profiles/sne-cotation/x"),
               404, "NOT_FOUND");
}

TEST_F(ControlApi, ABodyThatIsNotAJsonObjectIsRefused) {
  for (const char* body : {"not json", "[1,2]", "\"by\"", "{\"by\":"}) {
    SCOPED_TRACE(body);
    expect_error(t.control("POST", "/clock/advance", body), 400, "INVALID_JSON");
  }
}

// --- Clock ---------------------------------------------------------------------------------

TEST_F(ControlApi, ClockShowsAndAdvancesTime) {
  EXPECT_EQ(json_answer(t.control("GET", "/clock")),
            json({{"now_ms", kStart}, {"now", "2026-11-23T10:00:00.000Z"}, {"offset_ms", 0}}));
  Response by = t.control("POST", "/clock/advance", R"({"by":"1h30m"})");
  EXPECT_EQ(by.status, 200);
  EXPECT_EQ(json_answer(by)["now"], "2026-11-23T11:30:00.000Z");
  EXPECT_EQ(json_answer(t.control("POST", "/clock/advance", R"({"seconds":60})"))["now_ms"],
            kStart + 5'460'000);
  EXPECT_EQ(t.clock->now_ms(), kStart + 5'460'000);
}

TEST_F(ControlApi, ClockAdvancesToAParisWallClockTime) {
  // 10:00Z is 11:00 in Paris (CET): 23:59:59 Paris is 22:59:59Z, then the next day's.
  EXPECT_EQ(json_answer(t.control("POST", "/clock/advance", R"({"to":"23:59:59"})"))["now"],
            "2026-11-23T22:59:59.000Z");
  EXPECT_EQ(json_answer(t.control("POST", "/clock/advance", R"({"to":"23:59:59"})"))["now"],
            "2026-11-24T22:59:59.000Z");
  EXPECT_EQ(json_answer(t.control("POST", "/clock/advance", R"({"to":"12:00"})"))["now"],
            "2026-11-25T11:00:00.000Z");
}

TEST_F(ControlApi, AdvancingTheClockExpiresTokens) {
  std::string token = t.token();
  ASSERT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  ASSERT_EQ(t.control("POST", "/clock/advance", R"({"by":"3599999ms"})").status, 200);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  ASSERT_EQ(t.control("POST", "/clock/advance", R"({"seconds":1})").status, 200);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 401);
}

TEST_F(ControlApi, BadClockAdvancesNameTheField) {
  struct Case {
    const char* body;
    const char* field;
  };
  for (const auto& c :
       {Case{R"({"by":"abc"})", "by"}, Case{R"({"by":"-5s"})", "by"}, Case{R"({"by":5})", "by"},
        Case{R"({"by":""})", "by"}, Case{R"({"by":"10"})", "by"},
        Case{R"({"seconds":-1})", "seconds"}, Case{R"({"seconds":"10"})", "seconds"},
        Case{R"({"seconds":1.5})", "seconds"}, Case{R"({"seconds":null})", "seconds"},
        Case{R"({"seconds":9223372036854775807})", "seconds"},
        Case{R"({"by":"1000000000000d"})", "by"}, Case{R"({"to":"24:00"})", "to"},
        Case{R"({"to":"9h"})", "to"}, Case{R"({"to":1200})", "to"},
        Case{R"({"to":"12:00","by":"1s"})", "to"}}) {
    SCOPED_TRACE(c.body);
    expect_error(t.control("POST", "/clock/advance", c.body), 400, "INVALID_FIELD", c.field);
  }
  expect_error(t.control("POST", "/clock/advance", "{}"), 400, "MISSING_FIELD", "by");
  EXPECT_EQ(t.clock->now_ms(), kStart);
}

// --- Quotas --------------------------------------------------------------------------------

TEST_F(ControlApi, SettingAndDeletingTheApplicationQuota) {
  Response set =
      t.control("PUT", "/applications/demo-production/quota", R"({"limit":5,"window":"1d"})");
  ASSERT_EQ(set.status, 200) << set.body;
  json app = json_answer(set);
  EXPECT_EQ(app["quota"], json({{"limit", 5}, {"window", "1d"}}));
  EXPECT_EQ(app["quota_override"], true);
  // The window defaults to a second.
  EXPECT_EQ(json_answer(t.control("PUT", "/applications/demo-production/quota",
                                  R"({"limit":7})"))["quota"]["window"],
            "1s");
  Response del = t.control("DELETE", "/applications/demo-production/quota");
  ASSERT_EQ(del.status, 200);
  EXPECT_EQ(json_answer(del)["quota"], json({{"limit", 20}, {"window", "1s"}}));
  EXPECT_EQ(json_answer(del)["quota_override"], false);
}

TEST_F(ControlApi, SettingAndDeletingAnApiQuota) {
  auto legifrance = [&](const json& app) {
    for (const auto& s : app["subscriptions"])
      if (s["api"] == "legifrance") return s["quota"];
    return json();
  };
  json set = json_answer(t.control("PUT", "/applications/demo-production/quota",
                                   R"({"limit":3,"window":"1s","api":"legifrance"})"));
  EXPECT_EQ(legifrance(set)["limit"], 3);
  EXPECT_EQ(legifrance(set)["override"], true);
  EXPECT_EQ(legifrance(set)["remaining"], 3);
  ASSERT_EQ(t.call(Channel::Production, "GET", kPing, production_token()).status, 200);
  EXPECT_EQ(legifrance(application("demo-production"))["remaining"], 2);
  EXPECT_EQ(set["quota_override"], false);  // the application's own quota is untouched
  json by_query =
      json_answer(t.control("DELETE", "/applications/demo-production/quota?api=legifranc%65"));
  EXPECT_EQ(legifrance(by_query)["limit"], 20);
  EXPECT_EQ(legifrance(by_query)["override"], false);
  ASSERT_EQ(
      t.control("PUT", "/applications/demo-production/quota", R"({"limit":3,"api":"legifrance"})")
          .status,
      200);
  json by_body = json_answer(
      t.control("DELETE", "/applications/demo-production/quota", R"({"api":"legifrance"})"));
  EXPECT_EQ(legifrance(by_body)["override"], false);
}

TEST_F(ControlApi, BadQuotaBodiesNameTheField) {
  struct Case {
    const char* method;
    const char* body;
    int status;
    const char* code;
    const char* field;
  };
  for (const auto& c :
       {Case{"PUT", "{}", 400, "MISSING_FIELD", "limit"},
        Case{"PUT", R"({"limit":0})", 400, "INVALID_FIELD", "limit"},
        Case{"PUT", R"({"limit":-3})", 400, "INVALID_FIELD", "limit"},
        Case{"PUT", R"({"limit":"5"})", 400, "INVALID_FIELD", "limit"},
        Case{"PUT", R"({"limit":2.5})", 400, "INVALID_FIELD", "limit"},
        Case{"PUT", R"({"limit":1073741824})", 400, "INVALID_FIELD", "limit"},
        Case{"PUT", R"({"limit":5,"window":"1h"})", 400, "INVALID_FIELD", "window"},
        Case{"PUT", R"({"limit":5,"window":5})", 400, "INVALID_FIELD", "window"},
        Case{"PUT", R"({"limit":5,"api":5})", 400, "INVALID_FIELD", "api"},
        Case{"DELETE", R"({"api":["legifrance"]})", 400, "INVALID_FIELD", "api"},
        Case{"PUT", R"({"limit":5,"api":"dume-acheteurs"})", 404, "UNKNOWN_SUBSCRIPTION", "api"},
        Case{"DELETE", R"({"api":"no-such-api"})", 404, "UNKNOWN_SUBSCRIPTION", "api"},
        Case{"PUT", "[]", 400, "INVALID_JSON", ""}}) {
    SCOPED_TRACE(std::string(c.method) + " " + c.body);
    expect_error(t.control(c.method, "/applications/demo-production/quota", c.body), c.status,
                 c.code, c.field);
  }
  json app = application("demo-production");
  EXPECT_EQ(app["quota_override"], false);
  for (const auto& s : app["subscriptions"]) EXPECT_EQ(s["quota"]["override"], false) << s;
}

TEST_F(ControlApi, AnUnknownApplicationIs404) {
  for (const auto& [method, path, body] :
       std::initializer_list<std::tuple<const char*, const char*, const char*>>{
           {"GET", "/applications/nope", ""},
           {"PUT", "/applications/nope/quota", R"({"limit":5})"},
           {"DELETE", "/applications/nope/quota", ""},
           {"POST", "/applications/nope/business-profiles", R"({"api":"sne-cotation"})"},
           {"DELETE", "/applications/nope/business-profiles/sne-cotation", ""}}) {
    SCOPED_TRACE(std::string(method) + " " + path);
    expect_error(t.control(method, path, body), 404, "UNKNOWN_APPLICATION");
  }
}

TEST_F(ControlApi, ListsApplicationsAndShowsOne) {
  json list = json_answer(t.control("GET", "/applications"));
  ASSERT_TRUE(list.is_array());
  EXPECT_EQ(list.size(), 3u);
  json app = application("demo-sandbox");
  EXPECT_EQ(app["channel"], "SANDBOX");
  EXPECT_EQ(app["owner"], "demo@pistesim.test");
  EXPECT_EQ(app["quota"], json({{"limit", 1000000}, {"window", "1d"}}));
  EXPECT_EQ(app["oauth_clients"][0]["client_id"], kSandboxClientId);
  // Secrets and key values are never shown.
  EXPECT_EQ(app.dump().find(kSandboxClientSecret), std::string::npos);
  EXPECT_EQ(app.dump().find(kSandboxApiKey), std::string::npos);
}

// --- Business profiles ---------------------------------------------------------------------

TEST_F(ControlApi, GrantingAndRemovingABusinessProfile) {
  const std::string path = "/applications/demo-sandbox/business-profiles";
  EXPECT_EQ(application("demo-sandbox")["business_profiles"], json::array());
  EXPECT_EQ(json_answer(t.control("POST", path, R"({"api":"sne-cotation"})"))["business_profiles"],
            json({"sne-cotation"}));
  // Granting twice keeps one.
  EXPECT_EQ(json_answer(t.control("POST", path, R"({"api":"sne-cotation"})"))["business_profiles"],
            json({"sne-cotation"}));
  EXPECT_EQ(json_answer(t.control("DELETE", path + "/sne-cotation"))["business_profiles"],
            json::array());
  EXPECT_EQ(json_answer(t.control("DELETE", path + "/sne-cotation"))["business_profiles"],
            json::array());
}

TEST_F(ControlApi, BadBusinessProfileRequestsNameTheField) {
  const std::string path = "/applications/demo-sandbox/business-profiles";
  expect_error(t.control("POST", path, "{}"), 400, "MISSING_FIELD", "api");
  expect_error(t.control("POST", path, R"({"api":""})"), 400, "MISSING_FIELD", "api");
  expect_error(t.control("POST", path, R"({"api":7})"), 400, "INVALID_FIELD", "api");
  expect_error(t.control("POST", path, R"({"api":"no-such-api"})"), 404, "UNKNOWN_API", "api");
  expect_error(t.control("DELETE", path + "/no-such-api"), 404, "UNKNOWN_API", "api");
  expect_error(t.control("GET", path + "/sne-cotation"), 405, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(application("demo-sandbox")["business_profiles"], json::array());
}

// --- Tokens --------------------------------------------------------------------------------

TEST_F(ControlApi, RevokingOneToken) {
  std::string a = t.token(), b = t.token();
  EXPECT_EQ(json_answer(t.control("POST", "/tokens/revoke", json{{"token", a}}.dump())),
            json({{"revoked", 1}}));
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, a).status, 401);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, b).status, 200);
  EXPECT_EQ(json_answer(t.control("POST", "/tokens/revoke", json{{"token", "unknown"}}.dump())),
            json({{"revoked", 0}}));
}

// The counts are of live tokens: a revocation does not count a token that lived its hour, nor an
// expiry a revoked one (they once did: `{"revoked": 5}` for 2 live tokens).
TEST_F(ControlApi, TokenCountsAreOfLiveTokens) {
  t.token();
  t.clock->advance(3'600'000);  // that token has lived its hour
  std::string a = t.token();
  t.token();
  EXPECT_EQ(json_answer(t.control("POST", "/tokens/revoke", json{{"token", a}}.dump())),
            json({{"revoked", 1}}));
  EXPECT_EQ(json_answer(t.control("POST", "/tokens/expire", R"({"application":"demo-sandbox"})")),
            json({{"expired", 1}}));
  t.token();
  EXPECT_EQ(json_answer(t.control("POST", "/tokens/revoke", R"({"application":"demo-sandbox"})")),
            json({{"revoked", 1}}));
}

TEST_F(ControlApi, RevokingEveryTokenOfAnApplication) {
  std::vector<std::string> sandbox = {t.token(), t.token(), t.token()};
  std::string production = production_token();
  EXPECT_EQ(json_answer(t.control("GET", "/tokens")),
            json({{"sandbox_live", 3}, {"production_live", 1}}));
  EXPECT_EQ(json_answer(t.control("POST", "/tokens/revoke", R"({"application":"demo-sandbox"})")),
            json({{"revoked", 3}}));
  for (const auto& token : sandbox)
    EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 401);
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, production).status, 200);
  EXPECT_EQ(json_answer(t.control("GET", "/tokens")),
            json({{"sandbox_live", 0}, {"production_live", 1}}));
  // A new token works again.
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, t.token()).status, 200);
}

TEST_F(ControlApi, BadRevocationsNameTheField) {
  expect_error(t.control("POST", "/tokens/revoke", "{}"), 400, "MISSING_FIELD", "token");
  expect_error(t.control("POST", "/tokens/revoke", R"({"token":5})"), 400, "INVALID_FIELD",
               "token");
  expect_error(t.control("POST", "/tokens/revoke", R"({"application":"nope"})"), 404,
               "UNKNOWN_APPLICATION", "application");
}

// --- World ---------------------------------------------------------------------------------

TEST_F(ControlApi, WorldDescribesWhatIsServed) {
  json w = json_answer(t.control("GET", "/world"));
  EXPECT_EQ(w["name"], "PISTE (pistesim default world)");
  EXPECT_EQ(w["profile"], "piste");
  EXPECT_EQ(w["apis"].size(), 29u);
  EXPECT_EQ(w["applications"], 3);
  EXPECT_EQ(w["users"], 9);  // demo, admin-mtes, inactive and six API approvers
  TestSimulator rfc(Profile::Rfc);
  EXPECT_EQ(json_answer(rfc.control("GET", "/world"))["profile"], "rfc");
}

TEST_F(ControlApi, IsReachableThroughThePathPrefix) {
  Request r = Request::make("GET", "/__pistesim/health");
  EXPECT_EQ(serve_request(*t.sim, r).status, 200);
  r = Request::make("GET", "/__pistesim/clock");
  r.headers.add("Authorization", "Bearer test-admin-token");
  EXPECT_EQ(json_answer(serve_request(*t.sim, r))["now_ms"], kStart);
}

}  // namespace
}  // namespace pistesim::test

namespace pistesim::test {
namespace {

class ControlApiRegressions : public ::testing::Test {
 protected:
  TestSimulator t;
};

// Ids echoed from the path may be invalid UTF-8: the answer is a 404 with a JSON body, not an
// exception.
TEST_F(ControlApiRegressions, AnIdThatIsNotUtf8GetsA404NotAnException) {
  Response r;
  ASSERT_NO_THROW(r = t.control("GET", "/applications/\xff\xfe"));
  EXPECT_EQ(r.status, 404);
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body["code"], "UNKNOWN_APPLICATION");
}

// The quota core counts windows in 33 bits of seconds: the clock is not allowed past 2223.
TEST_F(ControlApiRegressions, TheClockCannotBeAdvancedPastTheQuotaCoresRange) {
  const Millis before = t.clock->now_ms();
  Response r = t.control("POST", "/clock/advance", R"({"by":"100000d"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["field"], "by");
  EXPECT_EQ(t.clock->now_ms(), before);
  EXPECT_EQ(t.control("POST", "/clock/advance", R"({"by":"3650d"})").status, 200);
}

// A quota change takes a new counter with the new limit, in one published snapshot.
TEST_F(ControlApiRegressions, AQuotaChangeStartsAFreshCounter) {
  const uint32_t before = t.sim->snapshot()->index.application(kProductionApp)->quota_slot;
  ASSERT_EQ(t.control("PUT", "/applications/demo-production/quota", R"({"limit":3,"window":"1s"})")
                .status,
            200);
  const uint32_t after = t.sim->snapshot()->index.application(kProductionApp)->quota_slot;
  EXPECT_NE(before, after);
  const std::string token =
      t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  int admitted = 0;
  for (int i = 0; i < 10; ++i)
    admitted +=
        t.call(Channel::Production, "GET", "/dila/legifrance/lf-engine-app/consult/ping", token)
            .status == 200;
  EXPECT_EQ(admitted, 3);
}

// Each simulator's world is its own, even when one thread alternates between two of them
// (snapshots are cached per thread).
TEST_F(ControlApiRegressions, TwoSimulatorsInOneThreadKeepTheirOwnWorlds) {
  TestSimulator other;
  ASSERT_EQ(
      t.control("POST", "/applications/demo-sandbox/business-profiles", R"({"api":"sne-cotation"})")
          .status,
      200);
  EXPECT_TRUE(
      t.sim->snapshot()->index.application(kSandboxApp)->has_business_profile("sne-cotation"));
  EXPECT_FALSE(
      other.sim->snapshot()->index.application(kSandboxApp)->has_business_profile("sne-cotation"));
  EXPECT_TRUE(
      t.sim->snapshot()->index.application(kSandboxApp)->has_business_profile("sne-cotation"));
}

}  // namespace
}  // namespace pistesim::test

namespace pistesim::test {
namespace {

TEST(ControlApiMethods, AKnownRouteCalledWithAnotherMethodAnswers405WithAllow) {
  TestSimulator t;
  struct Case {
    const char* method;
    const char* path;
    const char* allow;
  };
  // HEAD is listed wherever GET is: a GET route answers it (RFC 9110 §9.3.2).
  for (const Case& c :
       {Case{"GET", "/clock/advance", "POST"}, Case{"PATCH", "/clock", "GET, HEAD"},
        Case{"POST", "/applications/demo-sandbox/quota", "PUT, DELETE"},
        Case{"GET", "/tokens/revoke", "POST"}, Case{"PUT", "/world", "GET, HEAD"},
        Case{"DELETE", "/platform-cgu", "PUT, GET, HEAD"}, Case{"POST", "/health", "GET, HEAD"}}) {
    Response r = t.control(c.method, c.path);
    EXPECT_EQ(r.status, 405) << c.method << " " << c.path << ": " << r.body;
    EXPECT_EQ(r.headers.get("Allow"), c.allow) << c.method << " " << c.path;
    EXPECT_EQ(nlohmann::json::parse(r.body)["code"], "METHOD_NOT_ALLOWED");
  }
  EXPECT_EQ(t.control("GET", "/no/such/route").status, 404);
}

}  // namespace
}  // namespace pistesim::test

namespace pistesim::test {
namespace {

const std::string kCarteAchatHealth = "/chorus/v1/carteachat/healthcheck";
const std::string kPingPath = "/dila/legifrance/lf-engine-app/consult/ping";

// Revoked access, provoked at runtime: the next call with a live token gets 403 (REQ-7, WIRE-6).
TEST(ControlApiAccess, RevokingASubscriptionRefusesTheNextCall) {
  TestSimulator t;
  const std::string token = t.token();
  ASSERT_EQ(t.call(Channel::Sandbox, "GET", kPingPath, token).status, 200);
  Response r = t.control("PUT", "/applications/demo-sandbox/subscriptions/legifrance",
                         R"({"status":"revoked"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPingPath, token).status, 403);
  ASSERT_EQ(t.control("PUT", "/applications/demo-sandbox/subscriptions/legifrance",
                      R"({"status":"approved"})")
                .status,
            200);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPingPath, token).status, 200);
}

// Approving a pending request grants the API's scopes to tokens issued afterwards only.
TEST(ControlApiAccess, ApprovingAPendingRequestGrantsScopesToNewTokens) {
  TestSimulator t;
  const std::string before = t.token();
  ASSERT_EQ(t.control("PUT", "/applications/demo-sandbox/subscriptions/carte-achat",
                      R"({"status":"approved","scopes":["chorus.carteachat"]})")
                .status,
            200);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kCarteAchatHealth, before).status, 403)
      << "scopes are fixed at issue";
  const std::string after = t.token();
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kCarteAchatHealth, after).status, 200);
}

TEST(ControlApiAccess, SubscriptionChangesAreValidated) {
  TestSimulator t;
  auto code = [&](const std::string& path, const std::string& body,
                  const std::string& method = "PUT") {
    return t.control_outcome(method, path, body);
  };
  EXPECT_EQ(code("/applications/demo-sandbox/subscriptions/nope", R"({"status":"approved"})"),
            "404 UNKNOWN_API");
  EXPECT_EQ(code("/applications/demo-sandbox/subscriptions/legifrance", R"({"status":"granted"})"),
            "400 INVALID_FIELD");
  EXPECT_EQ(
      code("/applications/demo-sandbox/subscriptions/carte-achat", R"({"scopes":["openid"]})"),
      "400 INVALID_FIELD");
  EXPECT_EQ(code("/applications/demo-sandbox/subscriptions/ingres-noyau", "", "DELETE"),
            "404 UNKNOWN_SUBSCRIPTION");
  EXPECT_EQ(code("/applications/demo-sandbox/subscriptions/legifrance", "", "DELETE"), "200 ");
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPingPath, t.token()).status, 403);
}

// A deactivated application gets invalid_client for new tokens and 403 for live ones (APP-8).
TEST(ControlApiAccess, DeactivatingAnApplicationRefusesItsTokensAndCredentials) {
  TestSimulator t;
  const std::string token = t.token();
  ASSERT_EQ(t.control("PATCH", "/applications/demo-sandbox", R"({"active":false})").status, 200);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPingPath, token).status, 403);
  Response refused = t.token_request(
      Channel::Sandbox, std::string("grant_type=client_credentials&client_id=") + kSandboxClientId +
                            "&client_secret=" + kSandboxClientSecret);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("invalid_client"), std::string::npos);
  EXPECT_EQ(t.control("PATCH", "/applications/demo-sandbox", R"({"active":"no"})").status, 400);
  ASSERT_EQ(t.control("PATCH", "/applications/demo-sandbox", R"({"active":true})").status, 200);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPingPath, token).status, 200);
}

}  // namespace
}  // namespace pistesim::test
