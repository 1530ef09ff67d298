#include "portal/swagger.h"

#include <algorithm>
#include <map>

#include "portal/catalogue.h"

namespace pistesim {

namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kAnyMethod[] = {"get", "post", "put", "patch", "delete"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string status_description(int status) {
  switch (status) {
    case 200:
      return "Succès";
    case 201:
      return "Créé";
    case 204:
      return "Sans contenu";
    case 400:
      return "Requête invalide";
    case 401:
      return "Non authentifié : jeton absent, invalide ou expiré";
    case 403:
      return "Accès refusé";
    case 404:
      return "Ressource introuvable";
    case 429:
      return "Quota dépassé";
    default:
      return "Réponse " + std::to_string(status);
  }
}

ojson example_of(const ProviderAnswer& a) {
  if (a.content_type.find("json") != std::string::npos) {
    ojson parsed = ojson::parse(a.body, nullptr, false);
    if (!parsed.is_discarded()) return parsed;
  }
  return a.body;
}

void add_response(ojson& responses, const ProviderAnswer& a) {
  const std::string key = std::to_string(a.status);
  if (responses.contains(key)) return;  // the first route answering a status describes it
  ojson r = {{"description", status_description(a.status)}};
  if (!a.body.empty()) r["examples"] = {{a.content_type, example_of(a)}};
  responses[key] = std::move(r);
}

std::string operation_id(std::string_view method, std::string_view path) {
  std::string id(method);
  bool upper = true;
  for (char c : path) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      upper = true;
      continue;
    }
    id += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return id;
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

nlohmann::ordered_json swagger_document(const Api& api, Channel channel) {
  ojson doc;
  doc["swagger"] = "2.0";
  doc["info"] = {{"title", api.name}, {"version", api.version}, {"description", api.description}};
  std::string_view host = piste_api_url(channel);
  doc["host"] = std::string(host.substr(host.find("://") + 3));
  doc["basePath"] = api.base_path.empty() ? "/" : api.base_path;
  doc["schemes"] = {"https"};
  doc["consumes"] = {"application/json"};
  doc["produces"] = {"application/json"};
  ojson tags = ojson::array();
  for (const auto& t : api.tags) tags.push_back({{"name", t}});
  doc["tags"] = tags;

  ojson security_definitions = ojson::object();
  ojson security = ojson::array();
  if (api.oauth_allowed) {
    ojson scopes = ojson::object();
    for (const auto& s : api.scopes) scopes[s] = "Scope " + s;
    security_definitions["oauth2"] = {
        {"type", "oauth2"},
        {"flow", "application"},
        {"tokenUrl", std::string(piste_oauth_url(channel)) + std::string(kTokenPath)},
        {"scopes", scopes}};
    security.push_back({{"oauth2", api.scopes}});
  }
  if (api.api_key_allowed) {
    security_definitions["KeyId"] = {{"type", "apiKey"}, {"in", "header"}, {"name", "KeyId"}};
    security.push_back({{"KeyId", ojson::array()}});
  }
  doc["securityDefinitions"] = security_definitions;
  doc["security"] = security;

  // Routes grouped by path and method, in the order the world declares them.
  struct Operation {
    std::vector<std::string> query;
    std::vector<std::string> json;
    std::vector<const ProviderAnswer*> answers;
  };
  std::vector<std::string> path_order;
  std::map<std::string, std::vector<std::pair<std::string, Operation>>> paths;
  for (const auto& route : api.routes) {
    std::string path = route.path.empty() ? "/" : route.path;
    if (route.prefix) path += (path.ends_with('/') ? "" : "/") + std::string("{chemin}");
    if (!paths.contains(path)) path_order.push_back(path);
    auto& ops = paths[path];
    std::vector<std::string> methods;
    if (route.method == "*")
      methods.assign(std::begin(kAnyMethod), std::end(kAnyMethod));
    else
      methods.push_back(lower(route.method));
    for (const auto& m : methods) {
      auto it = std::find_if(ops.begin(), ops.end(), [&](const auto& op) { return op.first == m; });
      if (it == ops.end()) {
        ops.emplace_back(m, Operation{});
        it = ops.end() - 1;
      }
      for (const auto& q : route.requires_query) add_unique(it->second.query, q);
      for (const auto& j : route.requires_json) add_unique(it->second.json, j);
      it->second.answers.push_back(&route.answer);
    }
  }

  ojson out_paths = ojson::object();
  for (const auto& path : path_order) {
    ojson item = ojson::object();
    for (const auto& [method, op] : paths[path]) {
      ojson params = ojson::array();
      if (path.ends_with("{chemin}"))
        params.push_back(
            {{"name", "chemin"}, {"in", "path"}, {"required", true}, {"type", "string"}});
      for (const auto& q : op.query)
        params.push_back({{"name", q}, {"in", "query"}, {"required", true}, {"type", "string"}});
      if (api.technical_account)
        params.push_back({{"name", api.technical_account->header},
                          {"in", "header"},
                          {"required", true},
                          {"type", "string"},
                          {"description", "base64(login:motDePasse) du compte technique"}});
      if (!op.json.empty()) {
        ojson props = ojson::object();
        for (const auto& j : op.json) props[j] = ojson::object();
        params.push_back(
            {{"name", "body"},
             {"in", "body"},
             {"required", true},
             {"schema", {{"type", "object"}, {"required", op.json}, {"properties", props}}}});
      }
      ojson responses = ojson::object();
      for (const ProviderAnswer* a : op.answers) add_response(responses, *a);
      for (int status : {401, 403, 429})
        if (!responses.contains(std::to_string(status)))
          responses[std::to_string(status)] = {{"description", status_description(status)}};
      ojson operation = {{"tags", api.tags},
                         {"operationId", operation_id(method, path)},
                         {"parameters", params},
                         {"responses", responses}};
      // Swagger 2.0 keys an example by one of the operation's `produces`: an operation answering
      // other than JSON (Légifrance's ping: text/plain;charset=ISO-8859-1) lists what it answers.
      std::vector<std::string> produced;
      for (const ProviderAnswer* a : op.answers)
        if (!a->body.empty()) add_unique(produced, a->content_type);
      if (!produced.empty() && produced != std::vector<std::string>{"application/json"})
        operation["produces"] = produced;
      item[method] = std::move(operation);
    }
    out_paths[path] = std::move(item);
  }
  doc["paths"] = out_paths;
  return doc;
}

}  // namespace pistesim
