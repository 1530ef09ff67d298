// docs/openapi.json, as compiled into the binary, describes the control API's route table
// exactly: the same (method, path) pairs both ways, and for each route the body fields, required
// fields, query parameters and access level the router enforces (control/router.h RouteOptions).
// A route added without documenting it, or documented without existing, fails here.
#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "control/router.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::vector<std::string> kMethods = {"get", "put", "post", "delete", "patch", "options"};
// Documented, but answered by the HTTP server before the router (simulator/http/http_server.cpp).
const std::set<std::pair<std::string, std::string>> kServerRoutes = {{"GET", "/ready"}};

json parsed_document() {
  json doc = json::parse(control_api_openapi(), nullptr, false);
  EXPECT_TRUE(doc.is_object()) << "the embedded docs/openapi.json is not a JSON object";
  return doc.is_object() ? doc : json::object();
}

// A "#/components/…" reference resolved once; anything else as it is.
const json& resolved(const json& doc, const json& node) {
  if (!node.is_object() || !node.contains("$ref")) return node;
  const std::string ref = node["$ref"].get<std::string>();
  static const json kNull;
  if (ref.rfind("#/", 0) != 0) return kNull;
  const json* at = &doc;
  for (size_t pos = 2; pos <= ref.size();) {
    size_t slash = std::min(ref.find('/', pos), ref.size());
    const std::string key = ref.substr(pos, slash - pos);
    if (!at->is_object() || !at->contains(key)) return kNull;
    at = &(*at)[key];
    pos = slash + 1;
  }
  return *at;
}

std::set<std::string> names_of(const std::vector<std::string_view>& v) {
  return {v.begin(), v.end()};
}

std::string listed(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return "{" + out + "}";
}

// What differs between the document and one route's declaration ("" when they agree).
std::string route_mismatch(const json& doc, const json& operation, const RouteOptions& options) {
  std::string out;
  auto expect_same = [&](const std::string& what, const std::set<std::string>& documented,
                         const std::set<std::string>& declared) {
    if (documented != declared)
      out += " " + what + ": document " + listed(documented) + ", router " + listed(declared) + ";";
  };
  // Body: exactly the declared fields, the required ones marked, nothing else accepted.
  std::set<std::string> fields, required;
  const json body = operation.value("requestBody", json::object());
  const json media = body.value("content", json::object()).value("application/json", json());
  const json schema = resolved(doc, media.is_object() ? media.value("schema", json()) : json());
  if (!body.empty() && !schema.is_object()) {
    out += " the body has no application/json schema;";
  } else if (!body.empty()) {
    const json properties = schema.value("properties", json::object());
    for (const auto& [name, _] : properties.items()) fields.insert(name);
    for (const auto& name : schema.value("required", json::array()))
      required.insert(name.get<std::string>());
    if (schema.value("additionalProperties", true) != false)
      out += " the body schema does not say additionalProperties: false;";
  }
  expect_same("body fields", fields, names_of(options.fields));
  expect_same("required fields", required, names_of(options.required));
  std::set<std::string> query, headers;
  for (const auto& p : operation.value("parameters", json::array())) {
    const json& param = resolved(doc, p);
    if (param.is_object() && param.value("in", "") == "query")
      query.insert(param.value("name", ""));
    if (param.is_object() && param.value("in", "") == "header")
      headers.insert(param.value("name", ""));
  }
  expect_same("query parameters", query, names_of(options.query));
  // A route that acts for a portal user documents the two headers that name one.
  if (options.as_user && !(headers.count("X-Pistesim-Session") && headers.count("X-Pistesim-User")))
    out += " acts for a portal user, but does not document X-Pistesim-Session and X-Pistesim-User;";
  // Open routes say `security: []`; public ones list `{}` (no credential) among their
  // alternatives; the others inherit the admin token.
  const json security = operation.value("security", json());
  const bool open = security.is_array() && security.empty();
  const bool public_route =
      security.is_array() && !security.empty() &&
      std::find(security.begin(), security.end(), json::object()) != security.end();
  if (open != (options.access == Access::Open))
    out += open ? " documented open, but needs the admin token;"
                : " needs no admin token, but is not documented with security: [];";
  if (public_route != (options.access == Access::Public))
    out += public_route ? " documented public (security lists {}), but is not;"
                        : " is public, but its security does not list {};";
  return out;
}

// Every disagreement between the document and the router, one line each.
std::vector<std::string> mismatches(const json& doc, const Router& router) {
  std::vector<std::string> out;
  std::set<std::pair<std::string, std::string>> routed;
  const json paths = doc.value("paths", json::object());
  for (const auto& [method, pattern] : router.routes()) {
    routed.insert({method, pattern});
    json operation;
    std::string lower = method;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (paths.contains(pattern)) operation = paths[pattern].value(lower, json());
    if (!operation.is_object()) {
      out.push_back(method + " " + pattern + " is a route but is not in docs/openapi.json");
      continue;
    }
    const std::string diff = route_mismatch(doc, operation, *router.options(method, pattern));
    if (!diff.empty()) out.push_back(method + " " + pattern + ":" + diff);
  }
  for (const auto& [path, item] : paths.items())
    for (const auto& lower : kMethods) {
      if (!item.contains(lower)) continue;
      std::string method = lower;
      std::transform(method.begin(), method.end(), method.begin(), ::toupper);
      if (!routed.count({method, path}) && !kServerRoutes.count({method, path}))
        out.push_back(method + " " + path + " is in docs/openapi.json but is not a route");
    }
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST(OpenApi, TheDocumentDescribesEveryRouteAndNothingElse) {
  const json doc = parsed_document();
  EXPECT_EQ(doc.value("openapi", ""), "3.1.0");
  ASSERT_GT(control_router().routes().size(), 60u);
  const auto found = mismatches(doc, control_router());
  EXPECT_TRUE(found.empty()) << "docs/openapi.json and the router disagree:\n" << joined(found);
}

TEST(OpenApi, ARouteAddedWithoutDocumentingItIsCaught) {
  const json doc = parsed_document();
  Router router = control_router();
  router.add("GET", "/undocumented", [](ControlCall&) { return Response{}; });
  EXPECT_EQ(joined(mismatches(doc, router)),
            "GET /undocumented is a route but is not in docs/openapi.json\n");
}

TEST(OpenApi, ADocumentedRouteThatDoesNotExistIsCaught) {
  json doc = parsed_document();
  doc["paths"]["/clock"]["post"] = doc["paths"]["/clock"]["get"];
  EXPECT_EQ(joined(mismatches(doc, control_router())),
            "POST /clock is in docs/openapi.json but is not a route\n");
}

TEST(OpenApi, FieldsParametersAndAccessMustAgree) {
  json doc = parsed_document();
  json& quota = doc["paths"]["/applications/{id}/quota"]["put"];
  json& schema = quota["requestBody"]["content"]["application/json"]["schema"];
  schema["properties"].erase("window");
  schema["required"] = json::array();
  quota["parameters"] = json::array();
  doc["paths"]["/clock"]["get"]["security"] = json::array();
  EXPECT_EQ(joined(mismatches(doc, control_router())),
            "GET /clock: documented open, but needs the admin token;\n"
            "PUT /applications/{id}/quota: body fields: document {api, limit}, router {api, "
            "limit, window}; required fields: document {}, router {limit}; query parameters: "
            "document {}, router {api};\n");
}

TEST(OpenApi, ServedAtOpenApiJsonWithTheAdminToken) {
  TestSimulator t;
  Response r = t.control("GET", "/openapi.json");
  EXPECT_EQ(r.status, 200);
  ASSERT_NE(r.headers.find("Content-Type"), nullptr);
  EXPECT_EQ(*r.headers.find("Content-Type"), "application/json");
  EXPECT_EQ(r.body, control_api_openapi());
  EXPECT_EQ(body_of(r)["paths"].count("/openapi.json"), 1u);

  Request anonymous = Request::make("GET", "/openapi.json");
  EXPECT_EQ(serve_request(*t.sim, Endpoint::Control, anonymous).status, 401);
}

}  // namespace
}  // namespace pistesim::test
