#include "control/control_support.h"

#include "clock/clock.h"

namespace pistesim {

Response json_response(int status, const json& body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.headers.set("Cache-Control", "no-store");
  // Paths and fields echoed back may hold invalid UTF-8: replace it rather than throw.
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

Response error(int status, std::string_view code, std::string_view message,
               std::string_view field) {
  json body = {{"code", code}, {"message", message}};
  if (!field.empty()) body["field"] = field;
  return json_response(status, body);
}

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidInput:
      return 400;
    case ErrorKind::Unauthenticated:
      return 401;
    case ErrorKind::Forbidden:
      return 403;
    case ErrorKind::NotFound:
      return 404;
    case ErrorKind::Conflict:
      return 409;
  }
  return 400;
}

Response error_response(const PortalError& e) {
  json body = {{"code", e.code}, {"message", e.message}};
  if (!e.field.empty()) body["field"] = e.field;
  if (!e.details.empty()) body["details"] = e.details;
  return json_response(http_status(e.kind), body);
}

std::optional<std::string> string_field(const json& body, const char* key, Response* err) {
  if (!body.contains(key) || body[key].is_null()) return std::string();
  if (!body[key].is_string()) {
    *err = error(400, "INVALID_FIELD", std::string("« ") + key + " » doit être une chaîne", key);
    return std::nullopt;
  }
  return body[key].get<std::string>();
}

std::optional<bool> bool_field(const json& body, const char* key, bool fallback, Response* err) {
  if (!body.contains(key) || body[key].is_null()) return fallback;
  if (!body[key].is_boolean()) {
    *err =
        error(400, "INVALID_FIELD", std::string("« ") + key + " » doit valoir true ou false", key);
    return std::nullopt;
  }
  return body[key].get<bool>();
}

std::optional<std::vector<std::string>> strings_field(const json& body, const char* key,
                                                      Response* err) {
  std::vector<std::string> out;
  if (!body.contains(key) || body[key].is_null()) return out;
  const json& v = body[key];
  bool ok = v.is_array();
  if (ok)
    for (const auto& e : v) {
      if (!e.is_string()) {
        ok = false;
        break;
      }
      out.push_back(e.get<std::string>());
    }
  if (!ok) {
    *err = error(400, "INVALID_FIELD",
                 std::string("« ") + key + " » doit être une liste de chaînes", key);
    return std::nullopt;
  }
  return out;
}

std::string format_time(int64_t ms) {
  return ms == 0 ? std::string() : format_iso8601(ms);
}

}  // namespace pistesim
