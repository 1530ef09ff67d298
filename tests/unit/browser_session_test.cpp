// The browser's way into the control API (control/browser_session.h): the portal's HttpOnly
// session cookie, the console's cookie exchanged for the admin token, and the CSRF checks on
// every state-changing request a cookie authenticates.
#include "control/browser_session.h"
#include "control/control_api.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kApprover = "api-platau-administration@developpement-durable.gouv.fr";
const std::string kApproverPassword = "Approb-Piste-2024!";
const std::string kHost = "127.0.0.1:8080";

// A request as a browser on this origin sends it: no Authorization, Host, and whatever else.
struct BrowserCall {
  std::string method = {}, target = {}, body = {};
  std::vector<Header> headers = {};
};

Response browser(TestSimulator& t, const BrowserCall& call) {
  Request r = Request::make(call.method, call.target, call.body);
  r.headers.add("Host", kHost);
  for (const auto& h : call.headers) r.headers.add(h.name, h.value);
  return serve_request(*t.sim, Endpoint::Control, r);
}

json body(const Response& r) {
  return json::parse(r.body, nullptr, false);
}

// "pistesim_session=abc; Path=/; HttpOnly; SameSite=Strict" → "abc".
std::string cookie_value(const Response& r, const std::string& name) {
  const std::string set = r.headers.get("Set-Cookie");
  if (!set.starts_with(name + "=")) return {};
  return set.substr(name.size() + 1, set.find(';') - name.size() - 1);
}

class BrowserSession : public ::testing::Test {
 protected:
  // Logs the approver in as the portal page does; returns {cookie, csrf}.
  std::pair<std::string, std::string> login() {
    Response r = browser(t, {"POST",
                             "/portal/login",
                             json{{"email", kApprover}, {"password", kApproverPassword}}.dump(),
                             {{"X-Pistesim-CSRF", "anonymous"},
                              {"Origin", "http://" + kHost},
                              {"Sec-Fetch-Site", "same-origin"}}});
    EXPECT_EQ(r.status, 200) << r.body;
    return {cookie_value(r, "pistesim_session"), body(r).value("csrf", "")};
  }
  TestSimulator t;
};

TEST_F(BrowserSession, LoginSetsAnHttpOnlyStrictCookieAndKeepsTheSessionOutOfTheBody) {
  Response r = browser(t, {"POST",
                           "/portal/login",
                           json{{"email", kApprover}, {"password", kApproverPassword}}.dump(),
                           {{"X-Pistesim-CSRF", "anonymous"}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string set = r.headers.get("Set-Cookie");
  EXPECT_TRUE(set.starts_with("pistesim_session=")) << set;
  EXPECT_NE(set.find("; HttpOnly"), std::string::npos) << set;
  EXPECT_NE(set.find("; SameSite=Strict"), std::string::npos) << set;
  EXPECT_NE(set.find("; Path=/"), std::string::npos) << set;
  json j = body(r);
  EXPECT_FALSE(j.contains("session")) << r.body;
  EXPECT_EQ(j["csrf"].get<std::string>().size(), 32u);
  EXPECT_EQ(j["csrf"], portal_csrf_token(*t.sim, cookie_value(r, "pistesim_session")));
  // With the admin token, the JSON API is as before: the session in the body, no cookie.
  Response api = t.control("POST", "/portal/login",
                           json{{"email", kApprover}, {"password", kApproverPassword}}.dump());
  EXPECT_TRUE(body(api).contains("session"));
  EXPECT_FALSE(api.headers.find("Set-Cookie"));
}

TEST_F(BrowserSession, AnonymousFormsNeedTheCsrfHeaderAndThisOrigin) {
  const std::string credentials =
      json{{"email", kApprover}, {"password", kApproverPassword}}.dump();
  for (const auto& headers : std::vector<std::vector<Header>>{
           {},
           {{"X-Pistesim-CSRF", ""}},
           {{"X-Pistesim-CSRF", "x"}, {"Origin", "https://evil.example"}},
           {{"X-Pistesim-CSRF", "x"}, {"Origin", "null"}},
           {{"X-Pistesim-CSRF", "x"}, {"Sec-Fetch-Site", "cross-site"}},
           {{"X-Pistesim-CSRF", "x"}, {"Sec-Fetch-Site", "same-site"}}}) {
    Response r = browser(t, {"POST", "/portal/login", credentials, headers});
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(body(r).value("code", ""), "CSRF_REJECTED");
    EXPECT_FALSE(r.headers.find("Set-Cookie"));
  }
}

TEST_F(BrowserSession, TheCookieIsTheSessionForTheRoutesActingForAUser) {
  auto [cookie, csrf] = login();
  ASSERT_FALSE(cookie.empty());
  const Header jar{"Cookie", "other=1; pistesim_session=" + cookie};
  Response profile = browser(t, {"GET", "/portal/profile", "", {jar}});
  EXPECT_EQ(profile.status, 200) << profile.body;
  EXPECT_EQ(body(profile).value("email", ""), kApprover);
  Response session = browser(t, {"GET", "/portal/session", "", {jar}});
  EXPECT_EQ(body(session), (json{{"logged_in", true}, {"email", kApprover}, {"csrf", csrf}}));
  // Not an admin: the operator's routes stay closed, and X-Pistesim-User names nobody.
  EXPECT_EQ(browser(t, {"GET", "/world", "", {jar}}).status, 401);
  EXPECT_EQ(browser(t, {"GET", "/mail", "", {jar}}).status, 401);
  Response other = browser(
      t, {"GET", "/portal/profile", "", {{"X-Pistesim-User", "mon_application_demo@example.com"}}});
  EXPECT_EQ(other.status, 401);
  Response both =
      browser(t, {"GET", "/portal/profile", "", {jar, {"X-Pistesim-User", "someone@example.com"}}});
  EXPECT_EQ(body(both).value("email", ""), kApprover);
  // An unknown cookie opens nothing.
  EXPECT_EQ(
      browser(t, {"GET", "/portal/profile", "", {{"Cookie", "pistesim_session=forged"}}}).status,
      401);
}

TEST_F(BrowserSession, StateChangesWithTheCookieNeedItsOwnCsrfToken) {
  auto [cookie, csrf] = login();
  const Header jar{"Cookie", "pistesim_session=" + cookie};
  const std::string change = R"({"opt_in_surveys": true})";
  for (const std::string& token :
       {std::string(), std::string("anonymous"), portal_csrf_token(*t.sim, "another-session")}) {
    std::vector<Header> headers = {jar};
    if (!token.empty()) headers.push_back({"X-Pistesim-CSRF", token});
    Response r = browser(t, {"PATCH", "/portal/profile", change, headers});
    EXPECT_EQ(r.status, 403) << token;
    EXPECT_EQ(body(r).value("code", ""), "CSRF_REJECTED");
  }
  EXPECT_EQ(body(t.control_as(kApprover, "GET", "/portal/profile"))["opt_in_surveys"], false);
  Response ok = browser(t, {"PATCH", "/portal/profile", change, {jar, {"X-Pistesim-CSRF", csrf}}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(body(ok)["opt_in_surveys"], true);
}

TEST_F(BrowserSession, LogoutEndsTheSessionAndClearsTheCookie) {
  auto [cookie, csrf] = login();
  const Header jar{"Cookie", "pistesim_session=" + cookie};
  Response out = browser(t, {"POST", "/portal/logout", "", {jar, {"X-Pistesim-CSRF", csrf}}});
  EXPECT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(body(out)["logged_out"], true);
  const std::string set = out.headers.get("Set-Cookie");
  EXPECT_TRUE(set.starts_with("pistesim_session=;")) << set;
  EXPECT_NE(set.find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(browser(t, {"GET", "/portal/profile", "", {jar}}).status, 401);
  EXPECT_EQ(body(browser(t, {"GET", "/portal/session", "", {jar}})), (json{{"logged_in", false}}));
}

// CAT-1: the catalogue's connected view follows the cookie (SISIAO is SERVICE-DIHAL's); a cookie
// whose session ended falls back to the public view rather than failing.
TEST_F(BrowserSession, TheCatalogueShowsTheCookiesUserTheirOrganisationsApis) {
  Response r = browser(
      t,
      {"POST",
       "/portal/login",
       json{{"email", "api.externe.sisiao@dihal.gouv.fr"}, {"password", kApproverPassword}}.dump(),
       {{"X-Pistesim-CSRF", "anonymous"}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const Header jar{"Cookie", "pistesim_session=" + cookie_value(r, "pistesim_session")};
  EXPECT_EQ(body(browser(t, {"GET", "/portal/catalogue?q=SISIAO"}))["count"], 0);
  EXPECT_GE(body(browser(t, {"GET", "/portal/catalogue?q=SISIAO", "", {jar}}))["count"], 1);
  Response stale =
      browser(t, {"GET", "/portal/catalogue?q=SISIAO", "", {{"Cookie", "pistesim_session=ended"}}});
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(body(stale)["count"], 0);
}

TEST_F(BrowserSession, PublicRoutesNeedNoToken) {
  EXPECT_EQ(browser(t, {"GET", "/portal/catalogue"}).status, 200);
  EXPECT_EQ(browser(t, {"GET", "/portal/catalogue/sne-cotation?environment=SANDBOX"}).status, 200);
  EXPECT_EQ(browser(t, {"GET", "/portal/cgu"}).status, 200);
  EXPECT_EQ(body(browser(t, {"GET", "/portal/session"})), (json{{"logged_in", false}}));
  // Another method on a public path says nothing more than any other path.
  EXPECT_EQ(browser(t, {"DELETE", "/portal/catalogue"}).status, 401);
}

TEST_F(BrowserSession, TheConsoleExchangesTheAdminTokenForACookie) {
  const std::vector<Header> form = {{"X-Pistesim-CSRF", "anonymous"}};
  Response wrong = browser(t, {"POST", "/console/login", R"({"token":"nope"})", form});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(body(wrong).value("code", ""), "WRONG_ADMIN_TOKEN");
  EXPECT_FALSE(wrong.headers.find("Set-Cookie"));
  Response r = browser(t, {"POST", "/console/login", R"({"token":"test-admin-token"})", form});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string cookie = cookie_value(r, "pistesim_console");
  EXPECT_EQ(cookie.size(), 32u);
  EXPECT_EQ(r.body.find("test-admin-token"), std::string::npos);
  EXPECT_NE(r.headers.get("Set-Cookie").find("HttpOnly"), std::string::npos);
  const std::string csrf = body(r)["csrf"];
  const Header jar{"Cookie", "pistesim_console=" + cookie};
  // Worth the admin token for reading…
  EXPECT_EQ(browser(t, {"GET", "/world", "", {jar}}).status, 200);
  EXPECT_EQ(body(browser(t, {"GET", "/console/session", "", {jar}})),
            (json{{"logged_in", true}, {"csrf", csrf}}));
  // …and, with its CSRF token, for changing.
  EXPECT_EQ(browser(t, {"POST", "/clock/advance", R"({"by":"1h"})", {jar}}).status, 403);
  EXPECT_EQ(
      browser(t,
              {"POST", "/clock/advance", R"({"by":"1h"})", {jar, {"X-Pistesim-CSRF", "anonymous"}}})
          .status,
      403);
  EXPECT_EQ(
      browser(t, {"POST", "/clock/advance", R"({"by":"1h"})", {jar, {"X-Pistesim-CSRF", csrf}}})
          .status,
      200);
  // A forged cookie is nothing.
  EXPECT_EQ(
      browser(t, {"GET", "/world", "", {{"Cookie", "pistesim_console=test-admin-token"}}}).status,
      401);
  Response out = browser(t, {"POST", "/console/logout", "", {jar, {"X-Pistesim-CSRF", csrf}}});
  EXPECT_TRUE(out.headers.get("Set-Cookie").starts_with("pistesim_console=;"));
}

TEST(BrowserCookies, CookieHeaderParsing) {
  Request r = Request::make("GET", "/");
  r.headers.add("Cookie", "a=1;  pistesim_session = abc ;b=");
  r.headers.add("Cookie", "c=3");
  EXPECT_EQ(request_cookie(r, "pistesim_session"), "abc");
  EXPECT_EQ(request_cookie(r, "b"), "");
  EXPECT_EQ(request_cookie(r, "c"), "3");
  EXPECT_EQ(request_cookie(r, "pistesim"), std::nullopt);
}

}  // namespace
}  // namespace pistesim::test
