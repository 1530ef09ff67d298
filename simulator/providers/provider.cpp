#include "providers/provider.h"

#include <nlohmann/json.hpp>

#include "providers/chorus_pro_gate.h"
#include "wire/encoding.h"

namespace pistesim {

namespace {

bool method_matches(const ProviderRoute& route, std::string_view method) {
  if (route.method == "*" || route.method == method) return true;
  return method == "HEAD" && route.method == "GET";
}

bool path_matches(const ProviderRoute& route, std::string_view resource) {
  if (resource.empty()) resource = "/";
  if (!route.prefix) return resource == route.path;
  return resource == route.path ||
         (resource.starts_with(route.path) && resource.size() > route.path.size() &&
          (route.path == "/" || resource[route.path.size()] == '/'));
}

bool query_has(std::string_view query, const std::vector<std::string>& names) {
  if (names.empty()) return true;
  auto params = parse_form(query);
  if (!params) return false;
  for (const auto& n : names) {
    bool found = false;
    for (const auto& p : *params)
      if (p.name == n && !p.value.empty()) found = true;
    if (!found) return false;
  }
  return true;
}

bool json_has(std::string_view body, const std::vector<std::string>& keys) {
  if (keys.empty()) return true;
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return false;
  for (const auto& k : keys)
    if (!doc.contains(k)) return false;
  return true;
}

}  // namespace

const ProviderRoute* match_route(const Api& api, std::string_view resource,
                                 const Request& request) {
  for (const auto& route : api.routes) {
    if (!method_matches(route, request.method) || !path_matches(route, resource)) continue;
    if (!query_has(request.query, route.requires_query)) continue;
    if (!json_has(request.body, route.requires_json)) continue;
    return &route;
  }
  return nullptr;
}

namespace {

Response answer(const World& world, const Api& api, const Application& app,
                std::string_view resource, const Request& request) {
  if (api.technical_account)
    if (auto refusal = technical_account_refusal(world, *api.technical_account, app, request))
      return std::move(*refusal);
  if (api.business_profile_gate && !app.has_business_profile(api.id))
    return to_response(*api.business_profile_gate);
  if (const ProviderRoute* route = match_route(api, resource, request))
    return to_response(route->answer);
  Response r;
  r.status = 404;
  r.headers.set("Content-Type", "application/json");
  r.body = R"({"code":"404","message":"Ressource introuvable"})";
  return r;
}

}  // namespace

Response provider_answer(const World& world, const Api& api, const Application& app,
                         std::string_view resource, const Request& request) {
  Response r = answer(world, api, app, resource, request);
  if (request.method == "HEAD")
    r.body.clear();  // RFC 9110 §9.3.2: GET's headers, no content, whatever the answer
  return r;
}

Response to_response(const ProviderAnswer& a) {
  Response r;
  r.status = a.status;
  if (!a.body.empty() || !a.content_type.empty()) r.headers.set("Content-Type", a.content_type);
  for (const auto& h : a.headers) r.headers.set(h.name, h.value);
  r.body = a.body;
  return r;
}

}  // namespace pistesim
