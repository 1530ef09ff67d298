// JSONPath (RFC 9535 subset) for captures and assertions: $, .name, ['name'], [n], [-n], [*],
// .*, ..name (descendants), [a,b] unions, [start:end] slices and [?(@.key == 'v')] filters
// with ==, !=, <, <=, >, >= and existence tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "scenario_engine/model.h"

namespace pistesim::scenario {

// The nodes `path` selects in `doc`, in document order; an error when the path is malformed (or
// would visit too much of the document).
Result<std::vector<const Value*>> json_path_select(const Value& doc, std::string_view path);
// Empty when `path` is well formed, else what is wrong (the loader checks paths up front).
std::string json_path_syntax_error(std::string_view path);
// True when `path` is well formed and can select at most one node (names and indices only, no
// wildcard, slice, filter, union or descendants): "$.apis" is, "$.apis[*]" is not. Assertions
// read a singular path's node, and a non-singular path's matches as an array.
bool json_path_is_singular(std::string_view path);

// Whether `doc` nests arrays and objects more than `limit` levels deep. Parsing is iterative but
// copying and serialising a JSON value recurse, so callers refuse absurdly deep bodies first.
bool json_nested_deeper_than(const Value& doc, size_t limit);
inline constexpr size_t kMaxJsonDepth = 1000;

}  // namespace pistesim::scenario
