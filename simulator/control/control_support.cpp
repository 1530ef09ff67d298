#include "control/control_support.h"

#include <stdexcept>

#include "clock/clock.h"
#include "wire/spelling.h"

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

Response error(int status, std::string_view code, const Message& message, std::string_view field) {
  json body = {{"code", code}, {"message", message.fr}, {"message_en", message.en}};
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
  json body = {{"code", e.code},
               {"message", e.message},
               {"message_en", e.message_en.empty() ? english_message(e) : e.message_en}};
  if (!e.field.empty()) body["field"] = e.field;
  if (!e.details.empty()) body["details"] = e.details;
  return json_response(http_status(e.kind), body);
}

void Body::check(std::string_view key) const {
  for (auto d : declared_)
    if (d == key) return;
  throw std::logic_error("control route reads the undeclared body field " + std::string(key));
}

bool Body::contains(std::string_view key) const {
  check(key);
  return object_.contains(key);
}

const json& Body::operator[](std::string_view key) const {
  check(key);
  static const json kNull;
  auto it = object_.find(key);
  return it == object_.end() ? kNull : *it;
}

namespace {

std::string in_guillemets(std::string_view s) {
  return "« " + std::string(s) + " »";
}

std::string listed(const std::vector<std::string_view>& names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

}  // namespace

namespace {

// 400 for the first of `names` not in `known`; `what` says whether they are body fields or query
// parameters.
std::optional<Response> unknown_name(const std::vector<std::string>& names,
                                     const std::vector<std::string_view>& known,
                                     std::string_view where, bool parameter) {
  for (const auto& key : names) {
    bool is_known = false;
    for (auto k : known) is_known = is_known || k == key;
    if (is_known) continue;
    const std::string name = std::string(where) + key;
    Message m{(parameter ? "Paramètre inconnu " : "Champ inconnu ") + in_guillemets(name),
              (parameter ? "unknown query parameter " : "unknown field ") + in_guillemets(name)};
    if (auto best = closest_spelling(key, known); !best.empty()) {
      const std::string meant = in_guillemets(std::string(where) + std::string(best));
      m.fr += " : vouliez-vous dire " + meant + " ?";
      m.en += "; did you mean " + meant + "?";
    }
    if (known.empty()) {
      m.fr += parameter ? " : cette opération ne prend aucun paramètre"
                        : " : cette opération ne prend aucun champ";
      m.en += parameter ? "; this operation takes no query parameter"
                        : "; this operation takes no field";
    } else {
      m.fr +=
          (parameter ? " (paramètres acceptés : " : " (champs acceptés : ") + listed(known) + ")";
      m.en += " (expected one of: " + listed(known) + ")";
    }
    return error(400, parameter ? "UNKNOWN_PARAMETER" : "UNKNOWN_FIELD", m, name);
  }
  return std::nullopt;
}

}  // namespace

std::optional<Response> unknown_field(const json& object,
                                      const std::vector<std::string_view>& known,
                                      std::string_view where) {
  std::vector<std::string> names;
  for (const auto& item : object.items()) names.push_back(item.key());
  return unknown_name(names, known, where, false);
}

std::optional<Response> unknown_parameter(const std::vector<std::string>& names,
                                          const std::vector<std::string_view>& known) {
  return unknown_name(names, known, {}, true);
}

std::optional<std::string> string_field(const Body& body, const char* key, Response* err) {
  const json& v = body[key];
  if (v.is_null()) return std::string();
  if (!v.is_string()) {
    *err = error(400, "INVALID_FIELD",
                 {"« " + std::string(key) + " » doit être une chaîne",
                  "« " + std::string(key) + " » must be a string"},
                 key);
    return std::nullopt;
  }
  return v.get<std::string>();
}

std::optional<bool> bool_field(const Body& body, const char* key, bool fallback, Response* err) {
  const json& v = body[key];
  if (v.is_null()) return fallback;
  if (!v.is_boolean()) {
    *err = error(400, "INVALID_FIELD",
                 {"« " + std::string(key) + " » doit valoir true ou false",
                  "« " + std::string(key) + " » must be true or false"},
                 key);
    return std::nullopt;
  }
  return v.get<bool>();
}

std::optional<std::vector<std::string>> strings_field(const Body& body, const char* key,
                                                      Response* err) {
  std::vector<std::string> out;
  const json& v = body[key];
  if (v.is_null()) return out;
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
                 {"« " + std::string(key) + " » doit être une liste de chaînes",
                  "« " + std::string(key) + " » must be a list of strings"},
                 key);
    return std::nullopt;
  }
  return out;
}

std::string format_time(int64_t ms) {
  return ms == 0 ? std::string() : format_iso8601(ms);
}

}  // namespace pistesim
