// The control API's route table. A route is a method and a pattern of path segments where
// "{name}" matches one segment (percent-decoded); the most literal matching pattern wins. A GET
// route also answers HEAD. Routes need the admin token unless declared open (readiness, and the
// links users follow from their e-mails) or public (what the portal shows a visitor); the token
// is checked before routing, so a caller without it gets the same 401 for anything but an open or
// public route called with its own method. With it, a known path called with another method
// answers 405 with Allow; an unknown one 404. A browser stands in for the token with cookies
// (control/browser_session.h): the console's cookie is worth the token, a portal session cookie
// reaches the routes acting for its user; a state-changing request a cookie authenticates must
// pass the CSRF checks, as must one reaching a public route without the token.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/control_support.h"
#include "portal/portal_error.h"
#include "wire/http_message.h"

namespace pistesim {

class Simulator;

struct ControlCall {
  Simulator& sim;
  const Request& request;
  Body body;                        // the JSON object body ({} when empty), declared fields only
  std::vector<std::string> params;  // values of the pattern's {…} segments, in order
  const std::vector<std::string_view>& declared_query;

  // A query parameter ("" when absent). Throws std::logic_error when the route did not declare
  // it (see Body).
  std::string query(std::string_view name) const;
  // The portal user this call acts for. With the admin token: the session of
  // `X-Pistesim-Session` (from POST /portal/login), or the e-mail in `X-Pistesim-User` (the token
  // lets the caller act as any user without a password). Then, for anyone, the session of the
  // `pistesim_session` cookie. Unauthenticated if none names a live session or user.
  PortalResult<std::string> actor() const;
  // actor(), for a route declared `as_user` (RouteOptions): the router resolved it before the
  // route ran. Empty for the other routes.
  std::string user;
  // The caller holds the admin token (the header, or the console's cookie).
  bool admin = false;
  // A browser: no admin token in an Authorization header (cookies, if anything).
  bool browser = false;
};

using ControlHandler = std::function<Response(ControlCall&)>;

// Admin: the admin token (or the console's cookie). Open: anyone (readiness, e-mailed links).
// Public: anyone too, but a state-changing call without the token passes the CSRF checks — what
// the portal offers a visitor (catalogue, registration, login, password reset).
enum class Access { Admin, Open, Public };

// What a route takes besides its path. The router refuses, before the route runs, a body field
// or query parameter the route does not declare (400 UNKNOWN_FIELD / UNKNOWN_PARAMETER, naming it
// and the declared name it most plausibly meant) and a required field absent or null (400
// MISSING_FIELD): a typo is never silently ignored, and no route can forget to check.
struct RouteOptions {
  Access access = Access::Admin;
  // Acts for a portal user (ControlCall::user): without one (no session or user header, or an
  // expired session) the router answers 401 NOT_LOGGED_IN / SESSION_EXPIRED before the route
  // runs, after the body checks. A live portal session cookie reaches it without the token.
  bool as_user = false;
  std::vector<std::string_view> fields = {};    // the JSON body fields the route reads
  std::vector<std::string_view> required = {};  // those it cannot act without (implied in fields)
  std::vector<std::string_view> query = {};     // the query parameters it reads
  // Any query parameter passes (unread): /health, which monitors probe with cache-busting ones.
  bool ignores_query = false;
};

class Router {
 public:
  void add(std::string method, std::string_view pattern, ControlHandler handler,
           RouteOptions options = {});
  Response dispatch(Simulator& sim, const Request& request) const;
  // {method, pattern} of every route, in the order added.
  std::vector<std::pair<std::string, std::string>> routes() const;
  // What the route `method` `pattern` (as routes() spells it) declared, with its required fields
  // first in `fields`; nullptr when there is no such route. For the OpenAPI document's test.
  const RouteOptions* options(std::string_view method, std::string_view pattern) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> pattern;
    ControlHandler handler;
    RouteOptions options;
    int literals = 0;
  };
  std::vector<Route> routes_;
};

// Each area registers its routes (one file each under control/).
void register_simulator_routes(Router& r);           // health, world, clock, tokens, faults
void register_application_admin_routes(Router& r);   // /applications: operator's levers
void register_account_routes(Router& r);             // /portal: accounts (ACC), users (ADM-2)
void register_portal_application_routes(Router& r);  // /portal: catalogue, CGU, applications
void register_access_request_routes(Router& r);      // /portal: access requests (REQ)
void register_administration_routes(Router& r);      // /portal/admin: ADM-1, 3, 4, 5
void register_chorus_pro_routes(Router& r);          // /chorus-pro: raccordements (003/004)
void register_mail_routes(Router& r);                // /mail
void register_world_routes(Router& r);               // /world/reset, /world/snapshot
void register_journal_routes(Router& r);             // /journal
void register_openapi_routes(Router& r);             // /openapi.json
void register_browser_session_routes(Router& r);     // /portal/session, /console/login…

}  // namespace pistesim
