// What every control API route shares: JSON answers, the error body {code, message, message_en,
// field}, the one mapping of portal error kinds to HTTP statuses, the body a route reads (only
// through the fields it declared) and readers of JSON fields that refuse a wrong type with an
// error naming the field.
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

// An error message in both languages of the control API: `fr` is the body's `message` (the
// French PISTE speaks), `en` its `message_en` (the language of the CLI and the docs).
struct Message {
  std::string fr;
  std::string en;
};

Response json_response(int status, const json& body);
Response error(int status, std::string_view code, const Message& message,
               std::string_view field = {});

// The HTTP status of each ErrorKind: 400, 401, 403, 404, 409.
int http_status(ErrorKind kind);
// {code, message, message_en, field?, details?} with http_status(kind). message_en is the
// error's own, else english_message() of its code.
Response error_response(const PortalError& e);
// The English of a portal error code, "{field}" replaced by the error's field: portal operations
// word their messages in French only, as PISTE does (english_messages.cpp).
std::string english_message(const PortalError& e);
// Whether english_message() has a sentence of its own for that code (tests: every code has one).
bool has_english_message(std::string_view code);

// `to_json(value)` with `status` when the operation succeeded, its error otherwise.
template <class T, class F>
Response answer(const PortalResult<T>& r, F&& to_json, int status = 200) {
  if (!r.ok()) return error_response(r.error());
  return json_response(status, to_json(r.value()));
}

// The JSON object body of a control call, seen through the fields its route declared (router.h).
// The router has refused any other field before the route runs, so a route reading a field it
// did not declare would silently never see it: that is a bug in the route, and throws
// std::logic_error at the first read, present or not.
class Body {
 public:
  Body(const json& object, const std::vector<std::string_view>& declared)
      : object_(object), declared_(declared) {}
  // Present (null included).
  bool contains(std::string_view key) const;
  // The value; null when absent.
  const json& operator[](std::string_view key) const;

 private:
  void check(std::string_view key) const;
  const json& object_;
  const std::vector<std::string_view>& declared_;
};

// 400 UNKNOWN_FIELD for the first key of `object` not in `known` (with the closest known one
// suggested), nullopt when all are known. `where` prefixes the name ("accept[0]." for an item).
std::optional<Response> unknown_field(const json& object,
                                      const std::vector<std::string_view>& known,
                                      std::string_view where = {});
// 400 UNKNOWN_PARAMETER for the first of a query's parameter `names` not in `known`.
std::optional<Response> unknown_parameter(const std::vector<std::string>& names,
                                          const std::vector<std::string_view>& known);

// Readers of an optional field of a JSON object body. Absent: the fallback ("" / nullopt-less
// default). Present with another type: nullopt, and *err is set to a 400 INVALID_FIELD naming it.
std::optional<std::string> string_field(const Body& body, const char* key, Response* err);
std::optional<bool> bool_field(const Body& body, const char* key, bool fallback, Response* err);
std::optional<std::vector<std::string>> strings_field(const Body& body, const char* key,
                                                      Response* err);

std::string format_time(int64_t ms);  // ISO 8601 UTC, "" for 0

}  // namespace pistesim
