#include "gateway/gateway.h"

#include <algorithm>
#include <charconv>

#include "crypto/secrets.h"
#include "providers/provider.h"
#include "wire/authorization.h"
#include "wire/encoding.h"

namespace pistesim {

CorrelationIds::CorrelationIds() : prefix_(random_hex(1) + "-" + random_hex(4)) {}

std::string CorrelationIds::next() {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed);
  std::string out;
  out.reserve(prefix_.size() + 16);  // one block: a copy of the prefix, then a resize, made two
  out.append(prefix_);
  out.resize(prefix_.size() + 16);
  for (size_t i = 0; i < 16; ++i) out[out.size() - 1 - i] = kHex[(n >> (4 * i)) & 15];
  return out;
}

EffectiveQuota effective_quota(const World& world, const Application& app, const Api& api,
                               const Subscription& sub) {
  if (sub.quota) return {*sub.quota, sub.quota_slot};
  if (api.quota) return {*api.quota, sub.quota_slot};
  if (app.quota) return {*app.quota, app.quota_slot};
  const QuotaSpec& def = app.channel == Channel::Production ? world.settings.production_quota
                                                            : world.settings.sandbox_quota;
  return {def, app.quota_slot};
}

std::string shared_quota_key(const Application& app, const Api& api, const Subscription& sub,
                             const EffectiveQuota& quota) {
  // A subscription's counter or the application's, as effective_quota() chose; the limit is part
  // of the name so that a changed quota starts a fresh counter, as a new slot does.
  std::string key = app.id;
  if (quota.slot == sub.quota_slot) key += "/" + api.id;
  return key + "/" + to_string(quota.spec);
}

namespace {

// On every admitted call: appended into one block (a chain of operator+ made a temporary at
// each step, a tenth of a gateway call's instructions).
std::string rate_limit_header(const QuotaSpec& spec, int64_t remaining) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, remaining);
  std::string v;
  v.reserve(64);
  v.append("[{\"window\": ")
      .append(spec.window == QuotaWindow::Second ? "1" : "86400")
      .append(", \"type\": \"throttle\", \"remaining\": ")
      .append(digits, ec == std::errc{} ? end : digits)
      .append("}]");
  return v;
}

std::string bearer_challenge(std::string_view realm, std::string_view error,
                             std::string_view description) {
  // WIRE-4: exactly this shape, no space after the commas.
  std::string v = "Bearer realm=\"" + std::string(realm) + "\"";
  if (!error.empty()) v += ",error=\"" + std::string(error) + "\"";
  if (!description.empty()) v += ",error_description=\"" + std::string(description) + "\"";
  return v;
}

Response challenge(int status, std::string_view realm, std::string_view error,
                   std::string_view description) {
  Response r;
  r.status = status;
  r.headers.set("WWW-Authenticate", bearer_challenge(realm, error, description));
  r.diagnostic = description.empty() ? "no bearer token" : std::string(description);
  return r;
}

// The error="…" parameter of a Bearer challenge.
std::string challenge_error(std::string_view www_authenticate) {
  size_t at = www_authenticate.find("error=\"");
  if (at == std::string_view::npos) return {};
  at += 7;
  size_t end = www_authenticate.find('"', at);
  return std::string(www_authenticate.substr(at, end == std::string_view::npos ? 0 : end - at));
}

constexpr std::string_view kNoToken = "Unable to find token in the message";

// No usable credentials: PISTE answers 400 invalid_request (WIRE-4); RFC 6750 §3.1 a bare
// 401 challenge without an error code.
Response no_credentials(const GatewayContext& ctx, std::string_view realm) {
  Response r = ctx.profile == Profile::Piste ? challenge(400, realm, "invalid_request", kNoToken)
                                             : challenge(401, realm, "", "");
  r.diagnostic = "no usable credentials: send Authorization: Bearer <token>";
  return r;
}

Response forbidden(const GatewayContext& ctx, std::string_view description) {
  if (ctx.profile == Profile::Piste) {
    Response r;  // WIRE-6: 403 with an empty body
    r.status = 403;
    r.diagnostic = std::string(description);
    return r;
  }
  return challenge(403, "PISTE", "insufficient_scope", description);
}

bool form_body(const Request& req) {
  std::string ct = ascii_lower(req.headers.get("Content-Type"));
  return ct.starts_with("application/x-www-form-urlencoded");
}

bool has_access_token_param(std::string_view encoded) {
  auto params = parse_form(encoded);
  if (!params) return false;
  return std::any_of(params->begin(), params->end(),
                     [](const FormParam& p) { return p.name == "access_token"; });
}

// What decide() learnt about a call, for the usage statistics, the quota e-mail and the journal.
struct CallFacts {
  ExchangeFacts exchange;
  const Application* app = nullptr;  // identified by its token or API key
  const Api* api = nullptr;          // the API the path routed to
  bool reached_provider = false;     // admitted, and the provider (or a fault) answered
  bool throttled = false;            // refused 429 by `quota`
  EffectiveQuota quota{};
  Millis window_end = 0;
};

struct Caller {
  const Application* app = nullptr;
  const TokenRecord* token = nullptr;  // null for API-key calls
};

Response decide(const Request& req, const GatewayContext& ctx, CallFacts& facts) {
  // Equivalent spellings of a path (RFC 3986 §6.2.2: "%69" for "i", dot segments) route alike.
  const std::string path = normalize_path(req.path);
  std::string_view resource;  // a view into path
  const Api* api = ctx.index.route(ctx.channel, path, &resource);
  const std::string_view realm = api ? "PISTE" : "DefaultRealm";
  facts.api = api;
  // Which credentials came, and how (RFC 6750 §2; F4, F5, F7).
  bool token_in_uri = !req.query.empty() && has_access_token_param(req.query);
  bool token_in_body = form_body(req) && has_access_token_param(req.body);
  const std::string* authorization = req.headers.find("Authorization");
  const bool bearer = authorization && iequals(auth_scheme(*authorization), "Bearer");
  facts.exchange.auth = bearer                      ? "bearer"
                        : req.headers.find("KeyId") ? "api_key"
                        : token_in_uri              ? "query"
                        : token_in_body             ? "body"
                        : authorization             ? "other"
                                                    : "none";

  // CORS preflight: browsers send it without credentials.
  if (req.method == "OPTIONS" && req.headers.find("Access-Control-Request-Method")) {
    Response r;
    r.status = 200;
    r.headers.set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
    r.headers.set(
        "Access-Control-Allow-Headers",
        req.headers.get("Access-Control-Request-Headers", "Authorization, Content-Type, KeyId"));
    r.headers.set("Access-Control-Max-Age", "2592000");
    return r;
  }

  if (req.headers.count("Authorization") > 1)
    return challenge(400, realm, "invalid_request", "More than one Authorization header");
  Caller caller;
  TokenRecord record;  // the bearer token's, when one came

  if (authorization) {
    if (!bearer) {
      if (token_in_uri || token_in_body)
        return challenge(400, realm, "invalid_request",
                         "The access token was sent by more than one method");
      return no_credentials(ctx, realm);
    }
    auto token = parse_bearer(*authorization);
    if (!token)
      return challenge(400, realm, "invalid_request",
                       ctx.profile == Profile::Piste ? kNoToken : "Malformed bearer token");
    if (token_in_uri || token_in_body)
      return challenge(400, realm, "invalid_request",
                       "The access token was sent by more than one method");
    auto looked_up = ctx.tokens.lookup(*token, ctx.now);
    const TokenState state = looked_up.first;
    if (looked_up.second) {  // known, even if expired or revoked: whose it was
      facts.exchange.token_id = looked_up.second->fingerprint_view();
      facts.exchange.application = looked_up.second->application_id;
    } else {
      facts.exchange.token_id = token_fingerprint(*token);
    }
    if (state != TokenState::Valid || !looked_up.second) {
      std::string_view why = state == TokenState::Expired   ? "The access token expired"
                             : state == TokenState::Revoked ? "The access token was revoked"
                                                            : "The access token is invalid";
      return challenge(401, "PISTE", "invalid_token",
                       why);  // WIRE-5: realm PISTE whatever the path
    }
    record = std::move(*looked_up.second);
    caller.token = &record;
    caller.app = ctx.index.application(record.application_id);
    if (!caller.app) return challenge(401, "PISTE", "invalid_token", "The access token is invalid");
    // Injected mid-run expiry: from now on this token is expired, as if its lifetime had ended.
    if (api && ctx.faults.any() &&
        ctx.faults.take(api->id, caller.app->id, {FaultKind::ExpireToken})) {
      ctx.tokens.expire(*token, ctx.now);
      Response r = challenge(401, "PISTE", "invalid_token", "The access token expired");
      r.diagnostic = "injected fault: token expired";
      return r;
    }
  } else if (const std::string* key = req.headers.find("KeyId");
             key && api && api->api_key_allowed) {
    // WIRE-9: the application's API key instead of a bearer token.
    if (key->empty()) return no_credentials(ctx, realm);
    auto ref = ctx.index.api_key(ctx.channel, *key);
    if (ref) facts.exchange.application = ref->application->id;
    if (!ref || !ref->key->enabled)
      return challenge(401, realm, "invalid_token", "The API key is invalid");
    caller.app = ref->application;
  } else {
    return no_credentials(ctx, realm);
  }

  facts.app = caller.app;
  if (!api) {
    Response r;  // WIRE-7
    r.status = 404;
    r.diagnostic =
        "no API of " + std::string(to_string(ctx.channel)) + " has a base path matching " + path;
    return r;
  }
  const Application& app = *caller.app;
  if (caller.token && !api->oauth_allowed)
    return forbidden(ctx, "This API does not accept OAuth tokens");
  if (!app.active) return forbidden(ctx, "The application is deactivated");
  const Subscription* sub = app.subscription(api->id);
  if (!sub || sub->status != SubscriptionStatus::Approved)
    return forbidden(
        ctx,
        "The application " + app.id + " has no approved access to API " + api->id +
            (sub ? " (request " + std::string(to_string(sub->status)) + ")" : " (not subscribed)"));
  // No CGU check here: consent is what lets a user subscribe (000 §5, §6.2), checked on whoever
  // subscribed, owner or OrgAdmin (§10, §11.7); an approved subscription is the whole grant.
  if (caller.token && !api->scopes.empty()) {
    // Token scopes are fixed at issue: access granted after the token needs a new token.
    const auto& allowed = sub->scopes.empty() ? api->scopes : sub->scopes;
    bool scoped = std::any_of(allowed.begin(), allowed.end(),
                              [&](const std::string& s) { return caller.token->has_scope(s); });
    if (!scoped) return forbidden(ctx, "The access token does not carry a scope of this API");
  }

  EffectiveQuota quota = effective_quota(ctx.world, app, *api, *sub);
  QuotaDecision decision = ctx.quotas.shared()
                               ? ctx.quotas.shared()->decide(
                                     shared_quota_key(app, *api, *sub, quota), quota.spec, ctx.now)
                               : ctx.quotas.decide(quota.slot, quota.spec, ctx.now);
  if (!decision.admitted) {
    facts.throttled = true;
    facts.quota = quota;
    facts.window_end = decision.window_end_ms;
    Response r;
    r.status = 429;
    r.diagnostic = "quota " + to_string(quota.spec) + " of application " + app.id + " exhausted";
    if (ctx.profile == Profile::Rfc) {
      // RFC 9110 §10.2.3: whole seconds, rounded up, never less than the real wait.
      Millis wait = decision.window_end_ms - ctx.now;
      r.headers.set("Retry-After", std::to_string(std::max<Millis>(1, (wait + 999) / 1000)));
    }
    r.headers.set("x-rate-limit", rate_limit_header(quota.spec, 0));
    return r;
  }
  // Injected provider failures: after the call was admitted and counted, as a failing
  // provider behind the gateway would be.
  facts.reached_provider = true;
  if (auto fault =
          ctx.faults.take(api->id, app.id, {FaultKind::Respond, FaultKind::DropConnection})) {
    // The delay is the server's to wait, on a timer (embedded callers wait it themselves):
    // a thousand slow calls must not hold a thousand threads.
    const Millis delay = fault->latency_ms;
    if (fault->kind == FaultKind::DropConnection) {
      Response f;
      f.status = 502;  // what a proxy would log; the client never sees it
      f.drop_connection = true;
      f.delay_ms = delay;
      f.diagnostic = "injected fault " + std::to_string(fault->id) + ": connection dropped";
      return f;
    }
    if (fault->status != 0) {
      Response f;
      f.status = fault->status;
      if (!fault->body.empty()) f.headers.set("Content-Type", fault->content_type);
      f.body = fault->body;
      f.diagnostic = "injected fault " + std::to_string(fault->id);
      f.headers.set("x-rate-limit", rate_limit_header(quota.spec, decision.remaining));
      f.delay_ms = delay;
      return f;
    }
    Response r = provider_answer(ctx.world, *api, app, resource, req);
    r.headers.set("x-rate-limit", rate_limit_header(quota.spec, decision.remaining));
    r.delay_ms = delay;
    return r;
  }
  Response r = provider_answer(ctx.world, *api, app, resource, req);
  r.headers.set("x-rate-limit", rate_limit_header(quota.spec, decision.remaining));
  return r;
}

}  // namespace

Response handle_gateway_request(const Request& request, const GatewayContext& ctx,
                                ExchangeFacts* exchange) {
  CallFacts facts;
  Response r = decide(request, ctx, facts);
  if (exchange) {
    *exchange = std::move(facts.exchange);
    // A refusal's RFC 6750 error code is in its challenge (error paths only).
    if (r.status == 400 || r.status == 401)
      if (const std::string* challenge = r.headers.find("WWW-Authenticate"))
        exchange->error = challenge_error(*challenge);
  }
  if (ctx.usage && facts.app && facts.api) {
    ctx.usage->record(facts.app->id, facts.api->id, r.status, facts.reached_provider, ctx.now);
    if (facts.throttled && ctx.on_quota_exceeded &&
        ctx.usage->first_refusal_in_window(facts.quota.slot, facts.window_end))
      if (const Subscription* sub = facts.app->subscription(facts.api->id))
        (*ctx.on_quota_exceeded)(
            QuotaExceeded{*facts.app, *facts.api, facts.quota.spec, ctx.now, facts.window_end,
                          shared_quota_key(*facts.app, *facts.api, *sub, facts.quota)});
  }
  r.headers.reserve(r.headers.size() + 5);
  // WIRE-8, GW-4: on every answer.
  r.headers.set("x-correlation-id", ctx.correlation_ids.next());
  if (!r.headers.find("x-rate-limit")) r.headers.set("x-rate-limit", "[]");
  r.headers.set("Access-Control-Allow-Origin", request.headers.get("Origin", "*"));
  r.headers.set("Access-Control-Expose-Headers", "x-correlation-id, x-rate-limit");
  if (request.headers.find("Origin")) r.headers.set("Vary", "Origin");
  return r;
}

}  // namespace pistesim
