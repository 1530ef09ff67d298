// /applications: the levers PISTE's operators and API providers hold over any application —
// quotas, access decisions set directly, business profiles, deactivation (GW-5, GW-6, APP-8).
#include "control/router.h"
#include "control/views.h"
#include "core/simulator.h"

namespace pistesim {

namespace {

// 200 with the application as it is now (after a change was published).
Response application_answer(Simulator& sim, const std::string& id) {
  auto snap = sim.snapshot();
  return json_response(200, application_json(sim, *snap, *snap->index.application(id)));
}

Response unknown_application(const std::string& id) {
  return error(404, "UNKNOWN_APPLICATION",
               {"Application inconnue : " + id, "unknown application: " + id});
}

Response unknown_api(const std::string& id) {
  return error(404, "UNKNOWN_API", {"API inconnue : " + id, "unknown API: " + id}, "api");
}

// `limit` is a required field of the route: the router has refused a body without it.
std::optional<QuotaSpec> parse_quota_body(const Body& body, Response* err) {
  const Message bad_limit{"« limit » doit être un entier de 1 à 1073741823",
                          "« limit » must be an integer from 1 to 1073741823"};
  if (!body["limit"].is_number_integer()) {
    *err = error(400, "INVALID_FIELD", bad_limit, "limit");
    return std::nullopt;
  }
  int64_t limit = body["limit"].get<int64_t>();
  if (limit < 1 || limit > kMaxQuotaLimit) {
    *err = error(400, "INVALID_FIELD", bad_limit, "limit");
    return std::nullopt;
  }
  auto window = string_field(body, "window", err);
  if (!window) return std::nullopt;
  auto w = parse_quota_window(body.contains("window") ? *window : "1s");
  if (!w) {
    *err = error(400, "INVALID_FIELD",
                 {"« window » doit valoir \"1s\" ou \"1d\"", "« window » must be \"1s\" or \"1d\""},
                 "window");
    return std::nullopt;
  }
  return QuotaSpec{limit, *w};
}

// PUT /applications/ID/quota {"limit":5,"window":"1s","api":"x"?}; DELETE …/quota[?api=x]
Response set_quota(ControlCall& c) {
  const std::string& id = c.params[0];
  if (!c.sim.snapshot()->index.application(id)) return unknown_application(id);
  Response bad;
  auto api_field = string_field(c.body, "api", &bad);
  if (!api_field) return bad;
  std::string api_id = api_field->empty() ? c.query("api") : *api_field;
  std::optional<QuotaSpec> spec;
  if (c.request.method == "PUT") {
    Response err;
    spec = parse_quota_body(c.body, &err);
    if (!spec) return err;
  }
  Response failure;
  bool ok = c.sim.mutate([&](World& w) {
    for (auto& app : w.applications) {
      if (app.id != id) continue;
      if (api_id.empty()) {
        app.quota = spec;
        // A fresh counter, published together with the new limit: calls still reading the old
        // snapshot keep counting on the old one.
        app.quota_slot = c.sim.quotas().allocate();
        return true;
      }
      Subscription* sub = app.subscription(api_id);
      if (!sub) {
        failure = error(404, "UNKNOWN_SUBSCRIPTION",
                        {"L'application n'a pas d'accès à l'API " + api_id,
                         "the application has no access to the API " + api_id},
                        "api");
        return false;
      }
      sub->quota = spec;
      sub->quota_slot = c.sim.quotas().allocate();
      return true;
    }
    return false;
  });
  if (!ok) return failure;
  return application_answer(c.sim, id);
}

// PATCH /applications/ID {"active": false}: deactivate or reactivate (APP-8). A deactivated
// application gets invalid_client at the token endpoint and 403 at the gateway.
Response patch_application(ControlCall& c) {
  const std::string& id = c.params[0];
  if (!c.sim.snapshot()->index.application(id)) return unknown_application(id);
  Response bad;
  auto active = bool_field(c.body, "active", false, &bad);  // required: never the fallback
  if (!active) return bad;
  c.sim.mutate([&](World& w) {
    for (auto& app : w.applications)
      if (app.id == id) app.active = *active;
  });
  return application_answer(c.sim, id);
}

// PUT /applications/ID/subscriptions/API {"status": "revoked", "scopes": [...]}: set the
// application's access to an API as an approver's decision would (created if absent);
// DELETE removes it. The next gateway call sees it; tokens keep the scopes they were issued.
Response set_subscription(ControlCall& c) {
  const std::string& id = c.params[0];
  const std::string& api_id = c.params[1];
  auto snap = c.sim.snapshot();
  const Application* current = snap->index.application(id);
  if (!current) return unknown_application(id);
  const Api* api = snap->index.api(api_id);
  if (!api) return unknown_api(api_id);
  if (c.request.method == "DELETE") {
    if (!current->subscription(api_id))
      return error(404, "UNKNOWN_SUBSCRIPTION",
                   {"L'application n'a pas d'accès à l'API " + api_id,
                    "the application has no access to the API " + api_id});
    c.sim.mutate([&](World& w) {
      for (auto& app : w.applications)
        if (app.id == id)
          std::erase_if(app.subscriptions,
                        [&](const Subscription& sub) { return sub.api == api_id; });
    });
    return application_answer(c.sim, id);
  }
  if (!api->published_on(current->channel))
    return error(
        409, "WRONG_CHANNEL",
        {"L'API " + api_id + " n'est pas publiée sur " + std::string(to_string(current->channel)),
         "the API " + api_id + " is not published on " + std::string(to_string(current->channel))});
  Response bad;
  auto status_text = string_field(c.body, "status", &bad);
  if (!status_text) return bad;
  auto status = parse_subscription_status(status_text->empty() ? "approved" : *status_text);
  if (!status)
    return error(400, "INVALID_FIELD",
                 {"« status » doit valoir approved, pending, rejected ou revoked",
                  "« status » must be approved, pending, rejected or revoked"},
                 "status");
  std::optional<std::vector<std::string>> scopes;
  if (c.body.contains("scopes")) {
    const json& list = c.body["scopes"];
    bool ok = list.is_array();
    std::vector<std::string> values;
    for (const auto& v : ok ? list : json::array()) {
      if (!v.is_string() || !api->has_scope(v.get<std::string>()))
        ok = false;
      else
        values.push_back(v.get<std::string>());
    }
    if (!ok)
      return error(400, "INVALID_FIELD",
                   {"« scopes » doit lister des scopes de l'API " + api_id,
                    "« scopes » must list scopes of the API " + api_id},
                   "scopes");
    scopes = std::move(values);
  }
  c.sim.mutate([&](World& w) {
    for (auto& app : w.applications) {
      if (app.id != id) continue;
      Subscription* sub = app.subscription(api_id);
      if (!sub) {
        Subscription created;
        created.api = api_id;
        app.subscriptions.push_back(std::move(created));
        sub = &app.subscriptions.back();
      }
      sub->status = *status;
      if (scopes) sub->scopes = interned(*scopes);
    }
  });
  return application_answer(c.sim, id);
}

// POST /applications/ID/business-profiles {"api":"sne-cotation"}; DELETE …/business-profiles/API
Response set_business_profile(ControlCall& c) {
  const std::string& id = c.params[0];
  auto snap = c.sim.snapshot();
  if (!snap->index.application(id)) return unknown_application(id);
  Response bad;
  auto api_field = c.params.size() == 2 ? std::optional<std::string>(c.params[1])
                                        : string_field(c.body, "api", &bad);
  if (!api_field) return bad;
  const std::string api_id = *api_field;
  if (api_id.empty())
    return error(400, "MISSING_FIELD", {"Indiquer « api »", "give « api »"}, "api");
  if (!snap->index.api(api_id)) return unknown_api(api_id);
  const bool grant = c.request.method == "POST";
  c.sim.mutate([&](World& w) {
    for (auto& app : w.applications) {
      if (app.id != id) continue;
      std::erase(app.business_profiles, api_id);
      if (grant) app.business_profiles.push_back(api_id);
    }
  });
  return application_answer(c.sim, id);
}

}  // namespace

void register_application_admin_routes(Router& r) {
  r.add("GET", "/applications", [](ControlCall& c) {
    auto snap = c.sim.snapshot();
    json list = json::array();
    for (const auto& app : snap->world.applications)
      list.push_back({{"id", app.id},
                      {"name", app.name},
                      {"channel", to_string(app.channel)},
                      {"organisation", app.organisation},
                      {"owner", app.owner}});
    return json_response(200, list);
  });
  r.add("GET", "/applications/{id}", [](ControlCall& c) {
    auto snap = c.sim.snapshot();
    const Application* app = snap->index.application(c.params[0]);
    if (!app) return unknown_application(c.params[0]);
    return json_response(200, application_json(c.sim, *snap, *app));
  });
  r.add("PATCH", "/applications/{id}", patch_application, {.required = {"active"}});
  r.add("PUT", "/applications/{id}/quota", set_quota,
        {.fields = {"window", "api"}, .required = {"limit"}, .query = {"api"}});
  r.add("DELETE", "/applications/{id}/quota", set_quota, {.fields = {"api"}, .query = {"api"}});
  r.add("PUT", "/applications/{id}/subscriptions/{api}", set_subscription,
        {.fields = {"status", "scopes"}});
  r.add("DELETE", "/applications/{id}/subscriptions/{api}", set_subscription);
  r.add("POST", "/applications/{id}/business-profiles", set_business_profile,
        {.required = {"api"}});
  r.add("DELETE", "/applications/{id}/business-profiles/{api}", set_business_profile);
}

}  // namespace pistesim
