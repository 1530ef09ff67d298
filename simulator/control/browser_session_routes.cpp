// Control API routes for the browser pages (control/browser_session.h): what the page's script
// asks on load (who is logged in, and the CSRF token to send), and the console's exchange of the
// admin token for a cookie, so that the token never sits in a URL or in the page's storage.
#include "control/browser_session.h"
#include "control/router.h"
#include "core/simulator.h"
#include "crypto/secrets.h"

namespace pistesim {

namespace {

// GET /portal/session: the user of the `pistesim_session` cookie and its CSRF token.
Response portal_session(ControlCall& c) {
  auto session = request_cookie(c.request, kSessionCookie);
  auto user = c.actor();
  if (!session || !user.ok()) {
    Response r = json_response(200, {{"logged_in", false}});
    if (session && c.browser) r.headers.set("Set-Cookie", cleared_cookie(kSessionCookie));
    return r;
  }
  return json_response(
      200,
      {{"logged_in", true}, {"email", user.value()}, {"csrf", portal_csrf_token(c.sim, *session)}});
}

// POST /console/login {token}: the admin token, once, for the console's cookie.
Response console_login(ControlCall& c) {
  Response bad;
  auto token = string_field(c.body, "token", &bad);
  if (!token) return bad;
  if (c.sim.admin_token().empty() || !constant_time_equals(*token, c.sim.admin_token()))
    return error(401, "WRONG_ADMIN_TOKEN",
                 {"Jeton d'administration incorrect (voir la sortie de « pistesim serve » ou son "
                  "fichier --info-file)",
                  "wrong admin token (see what « pistesim serve » printed, or its --info-file)"},
                 "token");
  Response r = json_response(200, {{"logged_in", true}, {"csrf", console_csrf_token(c.sim)}});
  r.headers.set("Set-Cookie", session_cookie(kConsoleCookie, console_cookie_value(c.sim)));
  return r;
}

// POST /console/logout: forgets the cookie (the value stays valid while the admin token does).
Response console_logout(ControlCall&) {
  Response r = json_response(200, {{"logged_in", false}});
  r.headers.set("Set-Cookie", cleared_cookie(kConsoleCookie));
  return r;
}

// GET /console/session: whether the console's cookie is valid, and its CSRF token.
Response console_session(ControlCall& c) {
  const auto cookie = request_cookie(c.request, kConsoleCookie);
  if (!cookie || !constant_time_equals(*cookie, console_cookie_value(c.sim)))
    return json_response(200, {{"logged_in", false}});
  return json_response(200, {{"logged_in", true}, {"csrf", console_csrf_token(c.sim)}});
}

}  // namespace

void register_browser_session_routes(Router& r) {
  r.add("GET", "/portal/session", portal_session, {.access = Access::Public});
  r.add("POST", "/console/login", console_login, {.access = Access::Public, .required = {"token"}});
  r.add("POST", "/console/logout", console_logout, {.access = Access::Public});
  r.add("GET", "/console/session", console_session, {.access = Access::Public});
}

}  // namespace pistesim
