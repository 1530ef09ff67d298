#include "control/router.h"

#include "control/browser_session.h"

#include <algorithm>
#include <stdexcept>

#include "core/simulator.h"
#include "crypto/secrets.h"
#include "portal/actor.h"
#include "wire/authorization.h"
#include "wire/encoding.h"

namespace pistesim {

namespace {

// Splits "/applications/demo/quota" into its segments.
std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > pos) out.emplace_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

bool has_admin_token(const Simulator& sim, const Request& req) {
  const std::string* auth = req.headers.find("Authorization");
  auto token = auth ? parse_bearer(*auth) : std::nullopt;
  return token && constant_time_equals(*token, sim.admin_token());
}

// The CSRF check of a state-changing request made without the admin token: its X-Pistesim-CSRF
// must be the console's token (console cookie) or the portal session's (live session cookie); an
// anonymous request only needs the header (control/browser_session.h).
std::optional<Response> csrf_refusal(const Simulator& sim, const Request& req, bool console,
                                     const std::string* live_session) {
  std::vector<std::string> accepted;
  if (console) accepted.push_back(console_csrf_token(sim));
  if (live_session) accepted.push_back(portal_csrf_token(sim, *live_session));
  if (accepted.empty()) return refuse_cross_site(req, "");
  std::optional<Response> refused;
  for (const auto& expected : accepted)
    if (!(refused = refuse_cross_site(req, expected))) return std::nullopt;
  return refused;
}

}  // namespace

std::string ControlCall::query(std::string_view name) const {
  if (std::find(declared_query.begin(), declared_query.end(), name) == declared_query.end())
    throw std::logic_error("control route reads the undeclared query parameter " +
                           std::string(name));
  if (auto params = parse_form(request.query))
    for (const auto& p : *params)
      if (p.name == name) return p.value;
  return {};
}

PortalResult<std::string> ControlCall::actor() const {
  Millis now = sim.clock().now_ms();
  auto expired = [] {
    PortalError e = portal_error(ErrorKind::Unauthenticated, "SESSION_EXPIRED",
                                 "Votre session a expiré : veuillez vous reconnecter.");
    e.message_en = "The session has expired: log in again.";
    return e;
  };
  if (admin) {
    if (const std::string* session = request.headers.find("X-Pistesim-Session")) {
      if (auto email = sim.sessions().user(*session, now)) return *email;
      return expired();
    }
    if (const std::string* user = request.headers.find("X-Pistesim-User")) return *user;
  }
  if (auto session = request_cookie(request, kSessionCookie)) {
    if (auto email = sim.sessions().user(*session, now)) return *email;
    return expired();
  }
  PortalError e =
      portal_error(ErrorKind::Unauthenticated, "NOT_LOGGED_IN",
                   "Vous devez vous connecter (en-tête X-Pistesim-Session ou X-Pistesim-User).");
  e.message_en = "Log in first (header X-Pistesim-Session or X-Pistesim-User).";
  return e;
}

void Router::add(std::string method, std::string_view pattern, ControlHandler handler,
                 RouteOptions options) {
  // Required fields first: error messages list them in that order.
  std::vector<std::string_view> fields = options.required;
  for (auto f : options.fields)
    if (std::find(fields.begin(), fields.end(), f) == fields.end()) fields.push_back(f);
  options.fields = std::move(fields);
  Route r{std::move(method), segments(pattern), std::move(handler), std::move(options), 0};
  for (const auto& s : r.pattern) r.literals += is_param(s) ? 0 : 1;
  routes_.push_back(std::move(r));
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : routes_) {
    std::string pattern;
    for (const auto& s : r.pattern) pattern += "/" + s;
    out.emplace_back(r.method, pattern);
  }
  return out;
}

const RouteOptions* Router::options(std::string_view method, std::string_view pattern) const {
  const auto wanted = segments(pattern);
  for (const auto& r : routes_)
    if (r.method == method && r.pattern == wanted) return &r.options;
  return nullptr;
}

Response Router::dispatch(Simulator& sim, const Request& req) const {
  const auto seg = segments(req.path);
  const Route* best = nullptr;
  std::string allowed;
  int best_literals = -1;
  for (const auto& r : routes_) {
    if (r.pattern.size() != seg.size()) continue;
    bool match = true;
    for (size_t i = 0; i < seg.size() && match; ++i)
      match = is_param(r.pattern[i]) || r.pattern[i] == seg[i];
    if (!match) continue;
    if (r.literals < best_literals) continue;
    if (r.literals > best_literals) {
      // A more literal pattern shadows the less literal ones entirely.
      allowed.clear();
      best = nullptr;
      best_literals = r.literals;
    }
    if (!allowed.empty()) allowed += ", ";
    allowed += r.method;
    // RFC 9110 §9.3.2: HEAD is GET without the body (which the HTTP server drops).
    const bool serves_head = r.method == "GET";
    if (serves_head) allowed += ", HEAD";
    if (r.method == req.method || (serves_head && req.method == "HEAD")) best = &r;
  }
  // Authentication comes before routing: without the admin token (or the console's cookie),
  // anything but an open or public route, or a user's route with a live session cookie, called
  // with its own method gets the same 401, so the route table (which paths exist, which methods
  // they take) does not leak.
  const bool token = has_admin_token(sim, req);
  const auto console_cookie = token ? std::nullopt : request_cookie(req, kConsoleCookie);
  const bool console =
      console_cookie && constant_time_equals(*console_cookie, console_cookie_value(sim));
  // A portal session cookie opens the routes acting for a user (actor() reads it again).
  const auto session = token ? std::nullopt : request_cookie(req, kSessionCookie);
  const bool live_session =
      session && sim.sessions().user(*session, sim.clock().now_ms()).has_value();
  const bool reachable =
      best && (best->options.access != Access::Admin || (best->options.as_user && live_session));
  if (!reachable && !token && !console) {
    Response r =
        error(401, "UNAUTHORIZED",
              {"Jeton d'administration absent ou invalide (Authorization: Bearer <admin token>)",
               "admin token missing or wrong (Authorization: Bearer <admin token>)"});
    r.headers.set("WWW-Authenticate", "Bearer realm=\"pistesim-control\"");
    return r;
  }
  if (best_literals < 0)
    return error(404, "NOT_FOUND",
                 {"Opération de contrôle inconnue : " + req.method + " " + req.path,
                  "no control operation " + req.method + " " + req.path});
  if (!best) {
    Response r = error(405, "METHOD_NOT_ALLOWED",
                       {"Méthode " + req.method + " non permise ici : " + allowed,
                        "method " + req.method + " not allowed here; allowed: " + allowed});
    r.headers.set("Allow", allowed);
    return r;
  }

  // Cookies ride along with any request the browser sends, whoever made the page that sends it.
  if (!token && changes_state(req.method))
    if (auto refused = csrf_refusal(sim, req, console, live_session ? &*session : nullptr))
      return *refused;

  json body = json::object();
  if (!req.body.empty()) {
    body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return error(400, "INVALID_JSON",
                   {"Le corps doit être un objet JSON", "the body must be a JSON object"});
  }
  const RouteOptions& options = best->options;
  if (auto refused = unknown_field(body, options.fields)) return *refused;
  if (auto params = options.ignores_query ? std::nullopt : parse_form(req.query)) {
    std::vector<std::string> names;
    for (const auto& p : *params) names.push_back(p.name);
    if (auto refused = unknown_parameter(names, options.query)) return *refused;
  }
  for (auto f : options.required)
    if (!body.contains(f) || body[f].is_null())
      return error(400, "MISSING_FIELD",
                   {"Le champ « " + std::string(f) + " » est obligatoire",
                    "the field « " + std::string(f) + " » is required"},
                   f);

  ControlCall call{sim,           req, Body(body, options.fields), {},
                   options.query, {},  token || console,           !token};
  if (options.as_user) {
    auto user = call.actor();
    if (!user) return error_response(user.error());
    call.user = std::move(user.value());
  }
  for (size_t i = 0; i < seg.size(); ++i) {
    if (!is_param(best->pattern[i])) continue;
    // A malformed escape is kept as written: the lookup then fails with the entity's 404.
    auto decoded = percent_decode(seg[i], false);
    call.params.push_back(decoded ? std::move(*decoded) : seg[i]);
  }
  return best->handler(call);
}

}  // namespace pistesim
