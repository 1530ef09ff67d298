// What every control API route shares: JSON answers, the error body {code, message, field},
// the one mapping of portal error kinds to HTTP statuses, and readers of JSON fields that refuse
// a wrong type with an error naming the field.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/portal_error.h"
#include "wire/http_message.h"

namespace pistesim {

using nlohmann::json;

Response json_response(int status, const json& body);
Response error(int status, std::string_view code, std::string_view message,
               std::string_view field = {});

// The HTTP status of each ErrorKind: 400, 401, 403, 404, 409.
int http_status(ErrorKind kind);
// {code, message, field?, details?} with http_status(kind).
Response error_response(const PortalError& e);

// `to_json(value)` with `status` when the operation succeeded, its error otherwise.
template <class T, class F>
Response answer(const Result<T>& r, F&& to_json, int status = 200) {
  if (!r.ok()) return error_response(r.error());
  return json_response(status, to_json(r.value()));
}

// Readers of an optional field of a JSON object body. Absent: the fallback ("" / nullopt-less
// default). Present with another type: nullopt, and *err is set to a 400 INVALID_FIELD naming it.
std::optional<std::string> string_field(const json& body, const char* key, Response* err);
std::optional<bool> bool_field(const json& body, const char* key, bool fallback, Response* err);
std::optional<std::vector<std::string>> strings_field(const json& body, const char* key,
                                                      Response* err);

std::string format_time(int64_t ms);  // ISO 8601 UTC, "" for 0

}  // namespace pistesim
