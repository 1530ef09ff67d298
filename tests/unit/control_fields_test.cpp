// The control API refuses what it does not understand: a body field or query parameter a route
// does not declare is a 400 naming it (with the declared name it most plausibly meant), a
// required field left out is MISSING_FIELD, and every error carries an English message_en beside
// the French message.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "control/control_api.h"
#include "control/control_support.h"
#include "control/router.h"
#include "support/test_simulator.h"
#include "wire/spelling.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

// A refusal: status, code, field, and both messages present.
void expect_refusal(const Response& r, int status, const std::string& code,
                    const std::string& field) {
  EXPECT_EQ(r.status, status) << r.body;
  json j = body_of(r);
  EXPECT_EQ(j.value("code", ""), code) << r.body;
  EXPECT_EQ(j.value("field", ""), field) << r.body;
  EXPECT_FALSE(j.value("message", "").empty()) << r.body;
  EXPECT_FALSE(j.value("message_en", "").empty()) << r.body;
}

// A request as a portal user would send it, with the admin token.
Response as_demo(TestSimulator& t, const std::string& method, const std::string& target,
                 const std::string& body) {
  Request r = Request::make(method, target, body);
  r.headers.add("Authorization", "Bearer test-admin-token");
  r.headers.add("X-Pistesim-User", "demo@pistesim.test");
  return serve_request(*t.sim, Endpoint::Control, r);
}

// The issue's two examples: a misspelt field armed a 503 and was taken as a missing limit.
TEST(ControlFields, AMisspeltFaultFieldIsRefusedAndArmsNothing) {
  TestSimulator t;
  Response r =
      t.control("POST", "/faults", R"({"kind":"respond","api":"legifrance","stauts":500})");
  expect_refusal(r, 400, "UNKNOWN_FIELD", "stauts");
  json j = body_of(r);
  EXPECT_NE(j["message_en"].get<std::string>().find("did you mean « status »?"), std::string::npos)
      << r.body;
  EXPECT_NE(j["message"].get<std::string>().find("vouliez-vous dire « status »"), std::string::npos)
      << r.body;
  EXPECT_EQ(body_of(t.control("GET", "/faults")), json::array());
}

TEST(ControlFields, AMisspeltQuotaFieldIsNamedNotTakenForAMissingOne) {
  TestSimulator t;
  Response r =
      t.control("PUT", "/applications/demo-production/quota", R"({"limt":5,"window":"1s"})");
  expect_refusal(r, 400, "UNKNOWN_FIELD", "limt");
  EXPECT_NE(body_of(r)["message_en"].get<std::string>().find("« limit »"), std::string::npos);
  expect_refusal(t.control("PUT", "/applications/demo-production/quota", R"({"window":"1s"})"), 400,
                 "MISSING_FIELD", "limit");
  expect_refusal(t.control("PUT", "/applications/demo-production/quota", R"({"limit":null})"), 400,
                 "MISSING_FIELD", "limit");
  EXPECT_EQ(body_of(t.control("GET", "/applications/demo-production"))["quota_override"], false);
}

// No route can forget: every registered route refuses a field and a query parameter it does not
// declare, before it acts (whatever its path parameters name).
TEST(ControlFields, EveryRouteRefusesAnUndeclaredFieldAndParameter) {
  const auto routes = control_routes();
  ASSERT_GT(routes.size(), 60u);
  TestSimulator t;  // nothing changes: every request is refused
  for (const auto& [method, pattern] : routes) {
    const std::string path = std::regex_replace(pattern, std::regex(R"(\{[a-z_]+\})"), "x");
    SCOPED_TRACE(method + " " + path);
    expect_refusal(as_demo(t, method, path, R"({"zzz_unknown":1})"), 400, "UNKNOWN_FIELD",
                   "zzz_unknown");
    if (path == "/health") continue;  // a probe: monitors add parameters of their own
    expect_refusal(as_demo(t, method, path + "?zzz_unknown=1", ""), 400, "UNKNOWN_PARAMETER",
                   "zzz_unknown");
  }
  EXPECT_EQ(t.control("GET", "/health?ts=1733500000").status, 200);
}

// A route acting for a portal user never runs without one: the router answers 401 first, with
// SESSION_EXPIRED for a session that is not (or no longer) open.
TEST(ControlFields, EveryRouteActingForAUserRefusesACallerWithoutOne) {
  const Router& router = control_router();
  TestSimulator t;
  size_t acting = 0;
  for (const auto& [method, pattern] : router.routes()) {
    const RouteOptions& options = *router.options(method, pattern);
    if (!options.as_user) continue;
    ++acting;
    const std::string path = std::regex_replace(pattern, std::regex(R"(\{[a-z_]+\})"), "x");
    SCOPED_TRACE(method + " " + path);
    json body = json::object();
    for (auto f : options.required) body[std::string(f)] = true;  // present: checked first
    Request anonymous = Request::make(method, path, body.dump());
    anonymous.headers.add("Authorization", "Bearer test-admin-token");
    Request expired = anonymous;
    expired.headers.add("X-Pistesim-Session", "no-such-session");
    expect_refusal(serve_request(*t.sim, Endpoint::Control, anonymous), 401, "NOT_LOGGED_IN", "");
    expect_refusal(serve_request(*t.sim, Endpoint::Control, expired), 401, "SESSION_EXPIRED", "");
  }
  EXPECT_GE(acting, 35u);
}

TEST(ControlFields, ARouteWithoutFieldsSaysSo) {
  TestSimulator t;
  Response r = t.control("DELETE", "/faults", R"({"id":3})");
  expect_refusal(r, 400, "UNKNOWN_FIELD", "id");
  EXPECT_NE(body_of(r)["message_en"].get<std::string>().find("takes no field"), std::string::npos);
  Response q = t.control("GET", "/journal?lmit=3");
  expect_refusal(q, 400, "UNKNOWN_PARAMETER", "lmit");
  EXPECT_NE(body_of(q)["message_en"].get<std::string>().find("did you mean « limit »?"),
            std::string::npos)
      << q.body;
}

TEST(ControlFields, AnItemOfAListIsCheckedToo) {
  TestSimulator t;
  Response r = as_demo(t, "POST", "/portal/api-cgu",
                       R"({"accept":[{"api":"e-signature","chanel":"SANDBOX"}]})");
  expect_refusal(r, 400, "UNKNOWN_FIELD", "accept[0].chanel");
  EXPECT_NE(body_of(r)["message_en"].get<std::string>().find("« accept[0].channel »"),
            std::string::npos)
      << r.body;
}

TEST(ControlFields, RequiredFieldsAreMissingFieldNotInvalid) {
  TestSimulator t;
  expect_refusal(t.control("PATCH", "/applications/demo-sandbox", "{}"), 400, "MISSING_FIELD",
                 "active");
  expect_refusal(t.control("POST", "/clock/advance", "{}"), 400, "MISSING_FIELD", "by");
  expect_refusal(as_demo(t, "PATCH", "/portal/admin/users/x@y.fr", "{}"), 400, "MISSING_FIELD",
                 "active");
  // A field of the wrong type stays INVALID_FIELD.
  expect_refusal(t.control("POST", "/tokens/revoke", R"({"token":5})"), 400, "INVALID_FIELD",
                 "token");
  expect_refusal(t.control("POST", "/tokens/revoke", R"({"token":"a","application":"b"})"), 400,
                 "INVALID_FIELD", "application");
}

// A route reading a field it did not declare is a bug the first test of that route finds.
TEST(ControlFields, ReadingAnUndeclaredFieldThrows) {
  const json object = {{"limit", 5}};
  const std::vector<std::string_view> declared = {"limit"};
  Body body(object, declared);
  EXPECT_TRUE(body.contains("limit"));
  EXPECT_EQ(body["limit"], 5);
  EXPECT_THROW((void)body.contains("window"), std::logic_error);
  EXPECT_THROW((void)body["window"], std::logic_error);
}

// Portal errors keep PISTE's French `message` and add the English of their code.
TEST(ControlFields, PortalErrorsKeepTheirFrenchAndGainEnglish) {
  TestSimulator t;
  Response r =
      t.control("POST", "/portal/login", R"({"email":"demo@pistesim.test","password":"x"})");
  expect_refusal(r, 401, "LOGIN_FAILED", "");
  EXPECT_EQ(body_of(r)["message"],
            "Les identifiants ne correspondent pas, ou vous ne disposez pas d'un compte actif.");
  EXPECT_EQ(body_of(r)["message_en"],
            "The credentials do not match, or you do not have an active account.");
  PortalError missing = portal_error(ErrorKind::InvalidInput, "MISSING_FIELD", "…", "name");
  EXPECT_EQ(english_message(missing), "The field « name » is required.");
}

// Every code a portal operation can answer has an English sentence of its own.
TEST(ControlFields, EveryPortalErrorCodeHasItsEnglish) {
  namespace fs = std::filesystem;
  const std::regex made(R"re(portal_error\(\s*ErrorKind::\w+,\s*"([A-Z0-9_]+)")re");
  std::set<std::string> codes;
  for (const char* dir : {"simulator/portal", "simulator/control"})
    for (const auto& e : fs::directory_iterator(fs::path(PISTESIM_SOURCE_DIR) / dir)) {
      std::ifstream in(e.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string s = text.str();
      for (std::sregex_iterator it(s.begin(), s.end(), made), end; it != end; ++it)
        codes.insert((*it)[1]);
    }
  ASSERT_GT(codes.size(), 50u);  // the scan found the sources
  for (const auto& code : codes) EXPECT_TRUE(has_english_message(code)) << code;
}

TEST(ControlFields, SuggestionsComeFromTheSharedSpellingCheck) {
  const std::vector<std::string_view> fields = {"limit", "window", "api"};
  EXPECT_EQ(closest_spelling("limt", fields), "limit");
  EXPECT_EQ(closest_spelling("windwo", fields), "window");
  EXPECT_EQ(closest_spelling("colour", fields), "");
  EXPECT_EQ(closest_spelling("ap", fields), "api");
}

}  // namespace
}  // namespace pistesim::test
