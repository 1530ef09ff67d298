// Fuzz target: JSONPath (json_path_select) as captures and assertions use it. The input's first
// line is the path; the rest, when it is JSON, is the document (else a fixed document shaped
// like PISTE answers). Besides not crashing: select and the syntax check agree on what is
// malformed, a singular path selects at most one node, and every node selected is in the doc.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "scenario_engine/json_path.h"

using namespace pistesim::scenario;

namespace {
const Value& fixed_doc() {
  static const Value doc = Value::parse(R"({
    "access_token": "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zA7bC9dE1fG3hI5jK7",
    "token_type": "Bearer", "expires_in": 3600, "scope": "openid",
    "Retry-After": "2", "odd key": {"a'b": 1, "": [null, true, false]},
    "apis": [
      {"api": "Légifrance", "version": 2, "scopes": ["openid"], "quota": {"limit": 20}},
      {"api": "Judilibre", "version": 1, "scopes": []},
      {"api": "RNE", "version": 3.5, "beta": true, "price": -1e300}
    ],
    "nested": {"scope": "outer", "inner": {"scope": "inner", "list": [[1, [2, [3]]]]}}
  })");
  return doc;
}

// Whether `node` is `doc` or inside it (pointer identity: selection never copies).
bool inside(const Value& doc, const Value* node) {
  if (&doc == node) return true;
  if (doc.is_structured())
    for (const auto& child : doc)
      if (inside(child, node)) return true;
  return false;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view path = in.substr(0, nl);
  Value parsed;
  const Value* doc = &fixed_doc();
  if (nl != std::string_view::npos) {
    parsed = Value::parse(in.substr(nl + 1), nullptr, false);
    // Copying and walking JSON recurse: the engine refuses deeper bodies first, so does this.
    if (!parsed.is_discarded() && !json_nested_deeper_than(parsed, 200)) doc = &parsed;
  }

  // An error or nodes, never both (the type says so).
  auto selected = json_path_select(*doc, path);
  const std::string error = selected ? std::string() : selected.error().message;
  std::string syntax = json_path_syntax_error(path);
  FUZZ_CHECK(error == syntax, "select and the syntax check agree");
  if (!selected) {
    FUZZ_CHECK(!json_path_is_singular(path), "a malformed path is not singular");
    return 0;
  }
  const std::vector<const Value*>& nodes = *selected;
  if (json_path_is_singular(path)) FUZZ_CHECK(nodes.size() <= 1, "singular: at most one node");
  for (const Value* n : nodes) FUZZ_CHECK(inside(*doc, n), "nodes selected are in the doc");
  return 0;
}
