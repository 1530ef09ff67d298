// The browser's way into the control API (the portal at / and the console at /console/): cookies
// instead of headers, and the CSRF checks that cookies call for (docs/design.md, « Browser
// sessions »).
//  - `pistesim_session`: a portal session id (POST /portal/login from a browser), HttpOnly,
//    SameSite=Strict. The router takes it as X-Pistesim-Session, for the routes acting for a user.
//  - `pistesim_console`: set by POST /console/login in exchange for the admin token; a value
//    derived from the token (never the token itself), worth the admin token for the router.
// A state-changing request that a cookie authenticates must carry `X-Pistesim-CSRF` with the
// token bound to that cookie (GET /portal/session, /console/session give it to the page's script),
// and come from this origin (Sec-Fetch-Site, Origin).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "wire/http_message.h"

namespace pistesim {

class Simulator;

inline constexpr std::string_view kSessionCookie = "pistesim_session";
inline constexpr std::string_view kConsoleCookie = "pistesim_console";
inline constexpr std::string_view kCsrfHeader = "X-Pistesim-CSRF";

// The value of cookie `name` in the request's Cookie header(s); nullopt when absent.
std::optional<std::string> request_cookie(const Request& request, std::string_view name);

// Set-Cookie values: HttpOnly, SameSite=Strict, Path=/ (the console cookie lasts the browser
// session; a portal session also ends on the simulator's side, see portal/sessions.h).
std::string session_cookie(std::string_view name, std::string_view value);
std::string cleared_cookie(std::string_view name);

// The CSRF token bound to a portal session: an HMAC of the session id keyed by the admin token,
// so nothing is stored, a token for one session is worthless for another, and every process
// sharing the admin token agrees.
std::string portal_csrf_token(const Simulator& sim, std::string_view session);
// The console's cookie value and its CSRF token, both derived from the admin token.
std::string console_cookie_value(const Simulator& sim);
std::string console_csrf_token(const Simulator& sim);

// True for methods that change state (anything but GET, HEAD, OPTIONS).
bool changes_state(std::string_view method);

// Whether a state-changing browser request may proceed: it comes from this origin (a
// Sec-Fetch-Site other than same-origin/none, or an Origin naming another host, is refused) and
// carries X-Pistesim-CSRF equal to `expected` (any non-empty value when `expected` is empty, for
// the anonymous forms: a custom header cannot be sent cross-site without a CORS preflight, which
// the simulator never grants). nullopt: it may; else the 403 to answer.
std::optional<Response> refuse_cross_site(const Request& request, std::string_view expected);

}  // namespace pistesim
