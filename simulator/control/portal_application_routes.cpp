// Control API routes: catalogue (CAT), API CGU consent (CGU), applications and credentials (APP).
// A thin JSON layer over portal/catalogue.h, api_cgu.h, applications.h, credentials.h and
// swagger.h. Catalogue routes act for the user named by X-Pistesim-Session / X-Pistesim-User
// when one is given, anonymously otherwise; every other route needs an acting user.
#include "control/browser_session.h"
#include "control/router.h"
#include "control/views.h"
#include "core/simulator.h"
#include "portal/api_cgu.h"
#include "portal/applications.h"
#include "portal/catalogue.h"
#include "portal/credentials.h"
#include "portal/swagger.h"
#include "wire/encoding.h"

namespace pistesim {

namespace {

// --- Acting user ---------------------------------------------------------------------------

// The acting user's e-mail, or "" for an anonymous caller (no session or user header with the
// admin token, no live session cookie: a browser whose session ended sees the public catalogue).
PortalResult<std::string> optional_actor(const ControlCall& c) {
  if (c.admin &&
      (c.request.headers.find("X-Pistesim-Session") || c.request.headers.find("X-Pistesim-User")))
    return c.actor();
  if (request_cookie(c.request, kSessionCookie))
    if (auto user = c.actor(); user.ok()) return user;
  return std::string();
}

// --- Body readers --------------------------------------------------------------------------

bool read(const Body& body, const char* key, std::string& out, Response* err) {
  auto v = string_field(body, key, err);
  if (!v) return false;
  out = std::move(*v);
  return true;
}

// A field that may be absent (left unchanged) or present.
bool read_optional(const Body& body, const char* key, std::optional<std::string>& out,
                   Response* err) {
  if (!body.contains(key) || body[key].is_null()) return true;
  auto v = string_field(body, key, err);
  if (!v) return false;
  out = std::move(*v);
  return true;
}

bool read_optional(const Body& body, const char* key, std::optional<bool>& out, Response* err) {
  if (!body.contains(key) || body[key].is_null()) return true;
  auto v = bool_field(body, key, false, err);
  if (!v) return false;
  out = *v;
  return true;
}

// Callback URLs as a list of strings or as the form's text, one URL per line.
bool read_callbacks(const Body& body, std::optional<std::vector<std::string>>& out, Response* err) {
  const char* key = "callback_urls";
  if (!body.contains(key) || body[key].is_null()) return true;
  if (body[key].is_string()) {
    out = callback_lines(body[key].get<std::string>());
    return true;
  }
  auto v = strings_field(body, key, err);
  if (!v) {
    *err =
        error(400, "INVALID_FIELD",
              {"« callback_urls » doit être une liste de chaînes ou un texte (une URL par ligne)",
               "« callback_urls » must be a list of strings or a text (one URL a line)"},
              key);
    return false;
  }
  out = std::move(*v);
  return true;
}

std::optional<Channel> read_channel(std::string_view text, const char* field, Response* err) {
  auto c = parse_channel(text);
  if (!c)
    *err = error(400, "INVALID_FIELD",
                 {std::string("« ") + field + " » doit valoir SANDBOX ou PRODUCTION",
                  std::string("« ") + field + " » must be SANDBOX or PRODUCTION"},
                 field);
  return c;
}

// --- Views ---------------------------------------------------------------------------------

std::string control_url(Simulator& sim, const std::string& path) {
  return sim.public_url() + "/__pistesim" + path;
}

std::string sheet_path(const Api& api, Channel c) {
  return "/portal/catalogue/" + percent_encode(api.id) +
         "?environment=" + std::string(to_string(c));
}

std::string swagger_path(const Api& api, Channel c) {
  return "/portal/catalogue/" + percent_encode(api.id) +
         "/swagger.json?environment=" + std::string(to_string(c));
}

json cgu_json(const Cgu* cgu, const std::string& id) {
  if (!cgu) return {{"id", id}, {"title", id}, {"version", ""}};
  return {{"id", cgu->id}, {"title", cgu->title}, {"version", cgu->version}};
}

// The sheet's « Tags »: PISTE shows the environment there (000 §1.5, §6.2, 001: « Tags SANDBOX »),
// then the world's own tags (which search also reads).
json tags_json(const Api& api, Channel c) {
  json tags = json::array({to_string(c)});
  for (const auto& t : api.tags) tags.push_back(t);
  return tags;
}

json entry_json(Simulator& sim, const CatalogueEntry& e) {
  const Api& api = *e.api;
  return {{"api", api.id},
          {"name", api.name},
          {"version", api.version},
          {"description", api.description},
          {"status", "Published"},
          {"type", "REST"},
          {"tags", tags_json(api, e.channel)},
          {"environment", to_string(e.channel)},
          {"approval_required", api.approval_required},
          {"cgu", !api.cgu.empty()},
          {"sheet_url", control_url(sim, sheet_path(api, e.channel))}};
}

json endpoints_json(std::string_view sandbox_api, std::string_view production_api,
                    std::string_view sandbox_oauth, std::string_view production_oauth) {
  return {{"url_sdbx", sandbox_api},
          {"url_prod", production_api},
          {"url_oauth_sdbx", sandbox_oauth},
          {"url_oauth", production_oauth},
          {"token_url_sdbx", std::string(sandbox_oauth) + std::string(kTokenPath)},
          {"token_url", std::string(production_oauth) + std::string(kTokenPath)}};
}

json sheet_json(Simulator& sim, const ApiSheet& s) {
  const Api& api = *s.api;
  const std::string base = sim.public_url();
  json environments = json::array();
  for (Channel c : s.environments) environments.push_back(to_string(c));
  const Endpoint api_endpoint =
      s.channel == Channel::Sandbox ? Endpoint::SandboxApi : Endpoint::ProductionApi;
  const Endpoint oauth_endpoint =
      s.channel == Channel::Sandbox ? Endpoint::SandboxOAuth : Endpoint::ProductionOAuth;
  json pistesim = endpoints_json(base + std::string(path_prefix(Endpoint::SandboxApi)),
                                 base + std::string(path_prefix(Endpoint::ProductionApi)),
                                 base + std::string(path_prefix(Endpoint::SandboxOAuth)),
                                 base + std::string(path_prefix(Endpoint::ProductionOAuth)));
  pistesim["host"] = base + std::string(path_prefix(api_endpoint));
  pistesim["base_url"] = base + std::string(path_prefix(api_endpoint)) + api.base_path;
  pistesim["token_url_environment"] =
      base + std::string(path_prefix(oauth_endpoint)) + std::string(kTokenPath);
  json j = {{"api", api.id},
            {"name", api.name},
            {"version", api.version},
            {"description", api.description},
            {"status", "Published"},
            {"type", "REST"},
            {"tags", tags_json(api, s.channel)},
            {"environment", to_string(s.channel)},
            {"environments", environments},
            {"host", piste_api_url(s.channel)},
            {"base_path", api.base_path},
            {"cors", "Enabled"},
            {"scopes", api.scopes},
            {"approval_required", api.approval_required},
            {"approval_required_label", api.approval_required ? "Yes" : "No"},
            {"approvers", api.approvers},
            {"authentication", {{"oauth", api.oauth_allowed}, {"api_key", api.api_key_allowed}}},
            {"piste", endpoints_json(kPisteSandboxApiUrl, kPisteProductionApiUrl,
                                     kPisteSandboxOAuthUrl, kPisteProductionOAuthUrl)},
            {"pistesim", pistesim},
            {"swagger_url", control_url(sim, swagger_path(api, s.channel))}};
  if (!api.cgu.empty()) {
    j["cgu"] = cgu_json(s.cgu, api.cgu);
    if (s.cgu_accepted) j["cgu"]["accepted"] = *s.cgu_accepted;
  } else {
    j["cgu"] = nullptr;
  }
  if (api.added_at != 0) j["added_at"] = format_time(api.added_at);
  return j;
}

json cgu_line_json(const ApiCguLine& l) {
  return {{"api", l.api->id},
          {"api_name", l.api->name},
          {"channel", to_string(l.channel)},
          {"cgu", cgu_json(l.cgu, l.api->cgu)},
          {"accepted", l.accepted}};
}

json api_key_json(const ApiKey& k) {
  return {{"key", k.key}, {"enabled", k.enabled}, {"created_at", format_time(k.created_at)}};
}

// Never the secret: it has its own route.
json client_json(const OAuthClient& c) {
  return {{"client_id", c.client_id},
          {"type", to_string(c.type)},
          {"enabled", c.enabled},
          {"callback_urls", c.callback_urls},
          {"x509", c.x509},
          {"has_secret", !c.client_secret.empty()},
          {"created_at", format_time(c.created_at)}};
}

// The application as it is now, as its owner sees it.
Response application_answer(Simulator& sim, const std::string& id, int status = 200) {
  auto snap = sim.snapshot();
  const Application* app = snap->index.application(id);
  if (!app)
    return error(404, "UNKNOWN_APPLICATION",
                 {"Application inconnue : " + id, "unknown application: " + id});
  return json_response(status, application_json(sim, *snap, *app, true));
}

// --- Catalogue (CAT-1, CAT-2) --------------------------------------------------------------

Response browse(ControlCall& c) {
  auto actor = optional_actor(c);
  if (!actor) return error_response(actor.error());
  CatalogueQuery q;
  q.text = c.query("q");
  if (std::string sort = c.query("sort"); !sort.empty()) {
    auto s = parse_catalogue_sort(sort);
    if (!s)
      return error(400, "INVALID_FIELD",
                   {"« sort » doit valoir name ou -name", "« sort » must be name or -name"},
                   "sort");
    q.sort = *s;
  }
  if (std::string env = c.query("environment"); !env.empty()) {
    Response bad;
    auto ch = read_channel(env, "environment", &bad);
    if (!ch) return bad;
    q.environment = *ch;
  }
  auto snap = c.sim.snapshot();
  auto entries = browse_catalogue(snap->world, *actor, q);
  return answer(entries, [&](const std::vector<CatalogueEntry>& list) {
    json apis = json::array();
    for (const auto& e : list) apis.push_back(entry_json(c.sim, e));
    return json{{"count", list.size()}, {"apis", apis}};
  });
}

// The sheet or the Swagger of c.params[0], with ?environment=.
PortalResult<ApiSheet> sheet_of(ControlCall& c, const World& world) {
  auto actor = optional_actor(c);
  if (!actor) return actor.error();
  std::optional<Channel> channel;
  if (std::string env = c.query("environment"); !env.empty()) {
    channel = parse_channel(env);
    if (!channel) {
      PortalError e =
          portal_error(ErrorKind::InvalidInput, "INVALID_FIELD",
                       "« environment » doit valoir SANDBOX ou PRODUCTION", "environment");
      e.message_en = "« environment » must be SANDBOX or PRODUCTION";
      return e;
    }
  }
  return api_sheet(world, *actor, c.params[0], channel);
}

Response sheet(ControlCall& c) {
  auto snap = c.sim.snapshot();
  auto s = sheet_of(c, snap->world);
  return answer(s, [&](const ApiSheet& sh) { return sheet_json(c.sim, sh); });
}

Response swagger(ControlCall& c) {
  auto snap = c.sim.snapshot();
  auto s = sheet_of(c, snap->world);
  if (!s) return error_response(s.error());
  Response r;
  r.status = 200;
  r.headers.set("Content-Type", "application/json");
  r.headers.set("Content-Disposition", "attachment; filename=\"" + s->api->id + "-" +
                                           ascii_lower(to_string(s->channel)) + "-swagger.json\"");
  r.body = swagger_document(*s->api, s->channel).dump(2);
  return r;
}

// --- API CGU consent (CGU-1) ---------------------------------------------------------------

Response list_cgu(ControlCall& c) {
  auto snap = c.sim.snapshot();
  auto lines = api_cgu_lines(snap->world, c.user);
  return answer(lines, [](const std::vector<ApiCguLine>& list) {
    json out = json::array();
    for (const auto& l : list) out.push_back(cgu_line_json(l));
    return json{{"count", list.size()}, {"cgu", out}};
  });
}

Response accept_cgu(ControlCall& c) {
  const Message bad_accept{
      "« accept » doit être une liste d'objets {\"api\": …, \"channel\": "
      "\"SANDBOX\"|\"PRODUCTION\"}",
      "« accept » must be a list of objects {\"api\": …, \"channel\": "
      "\"SANDBOX\"|\"PRODUCTION\"}"};
  if (!c.body["accept"].is_array())  // required: the router refused a body without it
    return error(400, "INVALID_FIELD", bad_accept, "accept");
  std::vector<CguConsent> selection;
  for (const auto& item : c.body["accept"]) {
    if (item.is_object())
      if (auto refused = unknown_field(item, {"api", "channel"},
                                       "accept[" + std::to_string(selection.size()) + "]."))
        return *refused;
    if (!item.is_object() || !item.contains("api") || !item["api"].is_string() ||
        !item.contains("channel") || !item["channel"].is_string())
      return error(400, "INVALID_FIELD", bad_accept, "accept");
    auto ch = parse_channel(item["channel"].get<std::string>());
    if (!ch) return error(400, "INVALID_FIELD", bad_accept, "accept");
    selection.push_back({item["api"].get<std::string>(), *ch});
  }
  auto added =
      c.sim.transact([&](Transaction& tx) { return accept_api_cgu(tx, c.user, selection); });
  if (!added) return error_response(added.error());
  json accepted = json::array();
  for (const auto& k : *added)
    accepted.push_back({{"api", k.api}, {"channel", to_string(k.channel)}});
  auto snap = c.sim.snapshot();
  auto lines = api_cgu_lines(snap->world, c.user);
  json out = json::array();
  if (lines)
    for (const auto& l : *lines) out.push_back(cgu_line_json(l));
  return json_response(200, {{"accepted", accepted}, {"cgu", out}});
}

// --- Applications (APP-2..5, APP-8) ---------------------------------------------------------

Response list_apps(ControlCall& c) {
  auto snap = c.sim.snapshot();
  auto apps = list_applications(snap->world, c.user);
  return answer(apps, [&](const std::vector<const Application*>& list) {
    json out = json::array();
    for (const Application* a : list) out.push_back(application_json(c.sim, *snap, *a, true));
    return json{{"count", list.size()}, {"applications", out}};
  });
}

Response get_app(ControlCall& c) {
  auto snap = c.sim.snapshot();
  auto app = view_application(snap->world, c.user, c.params[0]);
  return answer(app,
                [&](const Application* a) { return application_json(c.sim, *snap, *a, true); });
}

Response create_app(ControlCall& c) {
  NewApplication in;
  Response bad;
  std::string channel;
  if (!read(c.body, "organisation", in.organisation, &bad) ||
      !read(c.body, "name", in.name, &bad) || !read(c.body, "description", in.description, &bad) ||
      !read(c.body, "phone", in.phone, &bad) || !read(c.body, "email", in.email, &bad) ||
      !read(c.body, "structure_info", in.structure_info, &bad) ||
      !read(c.body, "responsible", in.responsible, &bad) || !read(c.body, "channel", channel, &bad))
    return bad;
  auto active = bool_field(c.body, "active", true, &bad);
  if (!active) return bad;
  in.active = *active;
  if (!channel.empty()) {
    auto ch = read_channel(channel, "channel", &bad);
    if (!ch) return bad;
    in.channel = *ch;
  }
  auto created =
      c.sim.transact([&](Transaction& tx) { return create_application(tx, c.user, in); });
  if (!created) return error_response(created.error());
  return application_answer(c.sim, created->id, 201);
}

Response patch_app(ControlCall& c) {
  ApplicationChanges ch;
  Response bad;
  if (!read_optional(c.body, "name", ch.name, &bad) ||
      !read_optional(c.body, "organisation", ch.organisation, &bad) ||
      !read_optional(c.body, "description", ch.description, &bad) ||
      !read_optional(c.body, "phone", ch.phone, &bad) ||
      !read_optional(c.body, "email", ch.email, &bad) ||
      !read_optional(c.body, "structure_info", ch.structure_info, &bad) ||
      !read_optional(c.body, "responsible", ch.responsible, &bad) ||
      !read_optional(c.body, "active", ch.active, &bad))
    return bad;
  const std::string id = c.params[0];
  auto updated =
      c.sim.transact([&](Transaction& tx) { return update_application(tx, c.user, id, ch); });
  if (!updated) return error_response(updated.error());
  return application_answer(c.sim, id);
}

Response delete_app(ControlCall& c) {
  const std::string id = c.params[0];
  auto done = c.sim.transact([&](Transaction& tx) { return delete_application(tx, c.user, id); });
  if (!done) return error_response(done.error());
  return json_response(200, {{"deleted", id}});
}

Response subscribe(ControlCall& c) {
  const std::string id = c.params[0], api = c.params[1];
  auto sub =
      c.sim.transact([&](Transaction& tx) { return subscribe_application(tx, c.user, id, api); });
  if (!sub) return error_response(sub.error());
  return application_answer(c.sim, id);
}

Response unsubscribe(ControlCall& c) {
  const std::string id = c.params[0], api = c.params[1];
  auto done =
      c.sim.transact([&](Transaction& tx) { return unsubscribe_application(tx, c.user, id, api); });
  if (!done) return error_response(done.error());
  return application_answer(c.sim, id);
}

// --- Credentials (APP-6, APP-7) -------------------------------------------------------------

Response add_key(ControlCall& c) {
  const std::string id = c.params[0];
  auto key = c.sim.transact([&](Transaction& tx) { return generate_api_key(tx, c.user, id); });
  return answer(key, api_key_json, 201);
}

Response patch_key(ControlCall& c) {
  Response bad;
  auto enabled_field = bool_field(c.body, "enabled", false, &bad);  // required: no fallback
  if (!enabled_field) return bad;
  const bool enabled = *enabled_field;
  const std::string id = c.params[0], key = c.params[1];
  auto k = c.sim.transact(
      [&](Transaction& tx) { return set_api_key_enabled(tx, c.user, id, key, enabled); });
  return answer(k, api_key_json);
}

Response delete_key(ControlCall& c) {
  const std::string id = c.params[0], key = c.params[1];
  auto done = c.sim.transact([&](Transaction& tx) { return delete_api_key(tx, c.user, id, key); });
  if (!done) return error_response(done.error());
  return application_answer(c.sim, id);
}

Response add_client(ControlCall& c) {
  NewOAuthClient in;
  Response bad;
  std::string type;
  std::optional<std::vector<std::string>> urls;
  if (!read(c.body, "type", type, &bad) || !read_callbacks(c.body, urls, &bad) ||
      !read(c.body, "x509", in.x509, &bad))
    return bad;
  if (!type.empty()) {
    auto t = parse_client_type(ascii_lower(type));
    if (!t)
      return error(400, "INVALID_FIELD",
                   {"« type » doit valoir confidential ou public",
                    "« type » must be confidential or public"},
                   "type");
    in.type = *t;
  }
  if (urls) in.callback_urls = std::move(*urls);
  const std::string id = c.params[0];
  auto client =
      c.sim.transact([&](Transaction& tx) { return generate_oauth_client(tx, c.user, id, in); });
  return answer(client, client_json, 201);
}

Response patch_client(ControlCall& c) {
  OAuthClientChanges ch;
  Response bad;
  if (!read_callbacks(c.body, ch.callback_urls, &bad) ||
      !read_optional(c.body, "x509", ch.x509, &bad) ||
      !read_optional(c.body, "enabled", ch.enabled, &bad))
    return bad;
  if (c.body.contains("type"))
    return error(400, "INVALID_FIELD",
                 {"Le type d'un client OAuth ne peut pas être changé",
                  "an OAuth client's type cannot be changed"},
                 "type");
  const std::string id = c.params[0], client_id = c.params[1];
  auto client = c.sim.transact(
      [&](Transaction& tx) { return update_oauth_client(tx, c.user, id, client_id, ch); });
  return answer(client, client_json);
}

Response delete_client(ControlCall& c) {
  const std::string id = c.params[0], client_id = c.params[1];
  auto done = c.sim.transact(
      [&](Transaction& tx) { return delete_oauth_client(tx, c.user, id, client_id); });
  if (!done) return error_response(done.error());
  return application_answer(c.sim, id);
}

Response get_secret(ControlCall& c) {
  auto snap = c.sim.snapshot();
  auto secret = oauth_client_secret(snap->world, c.user, c.params[0], c.params[1]);
  return answer(secret, [&](const std::string& s) {
    return json{{"client_id", c.params[1]}, {"client_secret", s}};
  });
}

Response regenerate_secret(ControlCall& c) {
  const std::string id = c.params[0], client_id = c.params[1];
  auto client = c.sim.transact(
      [&](Transaction& tx) { return regenerate_client_secret(tx, c.user, id, client_id); });
  return answer(client, [](const OAuthClient& cl) {
    json j = client_json(cl);
    j["client_secret"] = cl.client_secret;
    return j;
  });
}

}  // namespace

void register_portal_application_routes(Router& r) {
  r.add("GET", "/portal/catalogue", browse,
        {.access = Access::Public, .query = {"q", "sort", "environment"}});
  r.add("GET", "/portal/catalogue/{api}", sheet,
        {.access = Access::Public, .query = {"environment"}});
  r.add("GET", "/portal/catalogue/{api}/swagger.json", swagger,
        {.access = Access::Public, .query = {"environment"}});
  r.add("GET", "/portal/api-cgu", list_cgu, {.as_user = true});
  r.add("POST", "/portal/api-cgu", accept_cgu, {.as_user = true, .required = {"accept"}});
  r.add("GET", "/portal/applications", list_apps, {.as_user = true});
  r.add("POST", "/portal/applications", create_app,
        {.as_user = true,
         .fields = {"organisation", "name", "description", "phone", "email", "structure_info",
                    "responsible", "channel", "active"}});
  r.add("GET", "/portal/applications/{id}", get_app, {.as_user = true});
  r.add("PATCH", "/portal/applications/{id}", patch_app,
        {.as_user = true,
         .fields = {"name", "organisation", "description", "phone", "email", "structure_info",
                    "responsible", "active"}});
  r.add("DELETE", "/portal/applications/{id}", delete_app, {.as_user = true});
  r.add("PUT", "/portal/applications/{id}/subscriptions/{api}", subscribe, {.as_user = true});
  r.add("DELETE", "/portal/applications/{id}/subscriptions/{api}", unsubscribe, {.as_user = true});
  r.add("POST", "/portal/applications/{id}/api-keys", add_key, {.as_user = true});
  r.add("PATCH", "/portal/applications/{id}/api-keys/{key}", patch_key,
        {.as_user = true, .required = {"enabled"}});
  r.add("DELETE", "/portal/applications/{id}/api-keys/{key}", delete_key, {.as_user = true});
  r.add("POST", "/portal/applications/{id}/oauth-clients", add_client,
        {.as_user = true, .fields = {"type", "callback_urls", "x509"}});
  // "type" is read only to refuse it with its own message: it cannot change.
  r.add("PATCH", "/portal/applications/{id}/oauth-clients/{client_id}", patch_client,
        {.as_user = true, .fields = {"callback_urls", "x509", "enabled", "type"}});
  r.add("DELETE", "/portal/applications/{id}/oauth-clients/{client_id}", delete_client,
        {.as_user = true});
  r.add("GET", "/portal/applications/{id}/oauth-clients/{client_id}/secret", get_secret,
        {.as_user = true});
  r.add("POST", "/portal/applications/{id}/oauth-clients/{client_id}/secret", regenerate_secret,
        {.as_user = true});
}

}  // namespace pistesim
