#include "oauth/token_endpoint.h"

#include <algorithm>

#include "crypto/secrets.h"
#include "wire/authorization.h"
#include "wire/encoding.h"

namespace pistesim {

namespace {

// RFC 6749 §5.2 errors. Descriptions stay within %x20-21 / %x23-5B / %x5D-7E (no '"' or '\').
// The diagnostic starts with the error code and a colon: handle_token_request() reads the code
// back from there for the journal.
Response oauth_error(int status, std::string_view error, std::string_view description) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.body = "{\"error\":\"" + std::string(error) + "\",\"error_description\":\"" +
           std::string(description) + "\"}";
  r.diagnostic = std::string(error) + ": " + std::string(description);
  return r;
}

Response invalid_request(std::string_view d) {
  return oauth_error(400, "invalid_request", d);
}

// RFC 6749 §3.3: scope = scope-token *( SP scope-token ). nullopt on any other character or
// on empty tokens (two spaces, leading/trailing space).
std::optional<std::vector<std::string_view>> split_scope(std::string_view s) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t sp = s.find(' ', pos);
    if (sp == std::string_view::npos) sp = s.size();
    std::string_view tok = s.substr(pos, sp - pos);
    if (!is_scope_token(tok)) return std::nullopt;
    out.push_back(tok);
    pos = sp + 1;
  }
  return out;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "application/x-www-form-urlencoded" with optional parameters (RFC 9110 §8.3.1). Only a UTF-8
// (or US-ASCII) charset is understood; every charset parameter must name one, so that neither
// "xcharset=utf-8; charset=latin1" nor a second charset slips another one through.
bool content_type_is_form(std::string_view ct) {
  size_t semi = ct.find(';');
  if (!iequals(trim_ows(ct.substr(0, semi)), "application/x-www-form-urlencoded")) return false;
  while (semi != std::string_view::npos) {
    size_t start = semi + 1;
    semi = ct.find(';', start);
    std::string_view param = ct.substr(start, semi == std::string_view::npos ? semi : semi - start);
    size_t eq = param.find('=');
    if (!iequals(trim_ows(param.substr(0, eq)), "charset")) continue;
    std::string_view charset =
        eq == std::string_view::npos ? std::string_view{} : trim_ows(param.substr(eq + 1));
    if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"')
      charset = charset.substr(1, charset.size() - 2);
    if (!iequals(charset, "utf-8") && !iequals(charset, "utf8") && !iequals(charset, "us-ascii"))
      return false;
  }
  return true;
}

constexpr std::string_view kTokenParams[] = {"grant_type", "client_id", "client_secret", "scope"};

// The first in byte order of the names given more than once (A8). Token requests carry a
// handful of parameters: comparing each pair costs less than sorting a copy of the names; a long
// list is sorted.
std::optional<std::string_view> repeated_name(const std::vector<FormView::Field>& fields) {
  if (fields.size() <= 16) {
    std::optional<std::string_view> first;
    for (size_t i = 0; i < fields.size(); ++i)
      for (size_t j = i + 1; j < fields.size(); ++j)
        if (fields[i].name == fields[j].name && (!first || fields[i].name < *first))
          first = fields[i].name;
    return first;
  }
  std::vector<std::string_view> names;
  names.reserve(fields.size());
  for (const auto& f : fields) names.push_back(f.name);
  std::sort(names.begin(), names.end());
  auto repeated = std::adjacent_find(names.begin(), names.end());
  if (repeated == names.end()) return std::nullopt;
  return *repeated;
}

}  // namespace

namespace {

// The scopes of the application's approved subscriptions on its channel, once each, as views
// into the world (the token endpoint runs this on every request: no copies).
template <class Scope>
std::vector<Scope> approved_scopes(const WorldIndex& index, const Application& app) {
  std::vector<Scope> granted;
  for (const auto& sub : app.subscriptions) {
    if (sub.status != SubscriptionStatus::Approved) continue;
    const Api* api = index.api(sub.api);
    if (!api || !api->published_on(app.channel)) continue;
    const auto& scopes = sub.scopes.empty() ? api->scopes : sub.scopes;
    for (const auto& s : scopes)
      if (std::find(granted.begin(), granted.end(), s) == granted.end()) granted.emplace_back(s);
  }
  return granted;
}

}  // namespace

std::vector<std::string> granted_scopes(const WorldIndex& index, const Application& app) {
  return approved_scopes<std::string>(index, app);
}

std::optional<std::string> issued_scope(const WorldIndex& index, const Application& app,
                                        const std::vector<std::string_view>& requested) {
  const auto granted = approved_scopes<std::string_view>(index, app);
  std::vector<std::string_view> api_scopes;
  for (const auto& s : requested) {
    if (s == "openid") continue;
    if (std::find(granted.begin(), granted.end(), s) == granted.end()) return std::nullopt;
    if (std::find(api_scopes.begin(), api_scopes.end(), s) == api_scopes.end())
      api_scopes.push_back(s);
  }
  const auto& issued = api_scopes.empty() ? granted : api_scopes;
  std::string out = "openid";
  for (std::string_view s : issued) out.append(" ").append(s);
  return out;
}

namespace {

Response handle(const Request& req, const TokenEndpointContext& ctx, ExchangeFacts& f) {
  // A1: only POST.
  if (req.method != "POST") {
    if (ctx.profile == Profile::Rfc) {
      Response r = oauth_error(405, "invalid_request", "The token endpoint only accepts POST");
      r.headers.set("Allow", "POST");
      return r;
    }
    return invalid_request("The token endpoint only accepts POST");
  }
  // A3: nothing of the token request may travel in the URI.
  FormView form;  // the query's, then the body's
  if (!req.query.empty()) {
    if (!form.parse(req.query)) return invalid_request("Malformed query string");
    for (const auto& p : form.fields())
      for (auto name : kTokenParams)
        if (p.name == name)
          return invalid_request("Parameters must be sent in the request body, not in the URI");
  }
  // A2
  const std::string* ct = req.headers.find("Content-Type");
  if (!ct)
    return invalid_request("Missing Content-Type: application/x-www-form-urlencoded expected");
  if (!content_type_is_form(*ct))
    return invalid_request("Unsupported Content-Type: application/x-www-form-urlencoded expected");
  if (!form.parse(req.body))
    return invalid_request("Malformed application/x-www-form-urlencoded body");
  const auto& params = form.fields();

  // A8 repeated parameters, A5 empty values count as absent, A7 unknown ones ignored.
  std::string_view grant_type, body_client_id, body_client_secret, scope;  // views into params
  bool has_scope = false;
  bool secret_in_body = false;  // even empty: how the client meant to authenticate
  if (auto repeated = repeated_name(params)) {
    // Echo the name only when it is safe in error_description (E2).
    bool safe = repeated->size() <= 64 && is_scope_token(*repeated);
    return invalid_request(safe ? "Parameter " + std::string(*repeated) + " is repeated"
                                : std::string("A parameter is repeated"));
  }
  for (const auto& p : params) {
    secret_in_body = secret_in_body || p.name == "client_secret";
    if (p.value.empty()) continue;
    if (p.name == "grant_type")
      grant_type = p.value;
    else if (p.name == "client_id")
      body_client_id = p.value;
    else if (p.name == "client_secret")
      body_client_secret = p.value;
    else if (p.name == "scope") {
      scope = p.value;
      has_scope = true;
    }
  }

  f.grant_type = grant_type;
  f.scope = scope;
  f.client_id = body_client_id;

  // Client authentication method (B1–B6).
  enum class Method { None, Basic, Body } method = Method::None;
  std::optional<BasicCredentials> basic;  // owns the decoded credentials the views below show
  std::string_view client_id, client_secret;
  size_t auth_headers = req.headers.count("Authorization");
  if (auth_headers > 1) return invalid_request("More than one Authorization header");
  const std::string* auth = req.headers.find("Authorization");
  const bool basic_scheme = auth && iequals(auth_scheme(*auth), "Basic");
  f.auth = basic_scheme && secret_in_body ? "basic+body"
           : basic_scheme                 ? "basic"
           : secret_in_body               ? "body"
                                          : "none";
  if (auth) {
    basic = parse_basic(*auth);
    if (!basic) {
      if (!iequals(auth_scheme(*auth), "Basic"))
        return invalid_request(
            "Unsupported Authorization scheme: HTTP Basic client authentication expected");
      return invalid_request("Malformed HTTP Basic credentials");
    }
    f.client_id = basic->client_id;
    if (!body_client_secret.empty())
      return invalid_request(
          "Client credentials sent both by HTTP Basic and in the body: use one method");
    if (!body_client_id.empty() && body_client_id != basic->client_id)
      return invalid_request("client_id in the body differs from the HTTP Basic user");
    method = Method::Basic;
    client_id = basic->client_id;
    client_secret = basic->client_secret;
  } else if (!body_client_id.empty() || !body_client_secret.empty()) {
    method = Method::Body;
    client_id = body_client_id;
    client_secret = body_client_secret;
  }

  // A4, A6
  if (grant_type.empty()) return invalid_request("Missing grant_type parameter");
  if (grant_type != "client_credentials")
    return oauth_error(400, "unsupported_grant_type",
                       "Only the client_credentials grant is supported");

  // C1 scope syntax before looking the client up: a malformed request says so whoever sends it.
  std::vector<std::string_view> requested;
  if (has_scope) {
    auto split = split_scope(scope);
    if (!split) return oauth_error(400, "invalid_scope", "Malformed scope parameter");
    requested = std::move(*split);
  }

  // B7–B9: authentication failures answer alike whatever was wrong (B11).
  auto client_failure = [&](std::string_view description) {
    if (method == Method::Basic) {
      Response r = oauth_error(401, "invalid_client", description);
      r.headers.set("WWW-Authenticate", "Basic realm=\"PISTE\"");
      return r;
    }
    return oauth_error(400, "invalid_client", description);
  };
  if (method == Method::None) return client_failure("Client authentication is required");
  auto ref = ctx.index.client(ctx.channel, client_id);
  if (!ref) {
    // Spend the time a secret comparison would, so unknown ids are not told apart by timing.
    (void)constant_time_equals(client_secret, std::string(36, 'x'));
    return client_failure("Client authentication failed");
  }
  const OAuthClient& client = *ref->client;
  const Application& app = *ref->application;
  f.application = app.id;
  if (client.type == ClientType::Public) {
    if (client_secret.empty())
      return oauth_error(400, "unauthorized_client",
                         "A public client cannot use the client_credentials grant");
    (void)constant_time_equals(client_secret, std::string(36, 'x'));
    return client_failure("Client authentication failed");
  }
  bool secret_ok = constant_time_equals(client_secret, client.client_secret);
  if (!secret_ok || client.client_secret.empty())
    return client_failure("Client authentication failed");
  if (!client.enabled || !app.active) return client_failure("Client authentication failed");
  const User* owner = ctx.index.user(app.owner);
  if (owner && !owner->active) return client_failure("Client authentication failed");

  // C2, C3
  auto issued = issued_scope(ctx.index, app, requested);
  if (!issued)
    return oauth_error(400, "invalid_scope", "The requested scope is not granted to this client");

  TokenRecord record;
  record.application_id = app.id;  // views: the store keeps its own copies
  record.client_id = client.client_id;
  record.scope = *issued;
  record.issued_ms = ctx.now;
  record.expires_ms = ctx.now + ctx.world.settings.token_lifetime_s * 1000;
  std::string token;
  // 54 alphanumerics carry 321 bits: a collision is not expected, but the store refuses to
  // overwrite one, so draw again rather than hand out a token twice (D6).
  do {
    token = random_alphanumeric(kAccessTokenLength);
    const std::string fingerprint = token_fingerprint(token);
    std::copy_n(fingerprint.begin(), record.fingerprint.size(), record.fingerprint.begin());
  } while (!ctx.tokens.insert(token, record, ctx.now));
  f.token_id = record.fingerprint_view();
  f.scope = *issued;

  Response r;
  r.status = 200;
  r.headers.set("Content-Type", "application/json");
  // WIRE-1 key order: access_token, token_type, expires_in, scope.
  // Appended into one block: a chain of operator+ allocates a temporary at each step.
  const std::string lifetime = std::to_string(ctx.world.settings.token_lifetime_s);
  r.body.reserve(96 + token.size() + issued->size());
  r.body.append("{\"access_token\":\"")
      .append(token)
      .append("\",\"token_type\":\"Bearer\",\"expires_in\":")
      .append(lifetime)
      .append(",\"scope\":\"")
      .append(*issued)
      .append("\"}");
  return r;
}

}  // namespace

Response handle_token_request(const Request& request, const TokenEndpointContext& ctx,
                              ExchangeFacts* facts) {
  ExchangeFacts unused;
  ExchangeFacts& f = facts ? *facts : unused;
  Response r = handle(request, ctx, f);
  if (r.status != 200) {
    f.error = r.diagnostic.substr(0, r.diagnostic.find(':'));
    // A refusal before the client was looked up still names its application, when the
    // identifier it gave is one.
    if (f.application.empty() && !f.client_id.empty())
      if (auto ref = ctx.index.client(ctx.channel, f.client_id))
        f.application = ref->application->id;
  }
  // D5: on every answer, errors included.
  r.headers.set("Cache-Control", "no-store");
  r.headers.set("Pragma", "no-cache");
  return r;
}

}  // namespace pistesim
