#include "http/server_log.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "clock/clock.h"

namespace pistesim {

namespace {

std::string now_iso8601() {
  return format_iso8601(SystemClock().now_ms());
}

// One JSON object on one line; bytes that are not UTF-8 become U+FFFD rather than an exception.
std::string json_line(const nlohmann::ordered_json& object) {
  return object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + '\n';
}

void write_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

std::optional<LogFormat> parse_log_format(std::string_view name) {
  if (name == "text") return LogFormat::Text;
  if (name == "json") return LogFormat::Json;
  return std::nullopt;
}

std::string server_message_line(LogFormat format, std::string_view level,
                                std::string_view message) {
  if (format == LogFormat::Json)
    return json_line({{"time", now_iso8601()}, {"level", level}, {"message", message}});
  std::string line = "pistesim serve: ";
  line += message;
  line += '\n';
  return line;
}

void write_server_message(LogFormat format, std::string_view level, std::string_view message) {
  write_line(server_message_line(format, level, message));
}

std::string access_log_line(LogFormat format, std::string_view client, std::string_view method,
                            std::string_view path, int status, std::string_view why) {
  path = path.substr(0, 512);
  if (format == LogFormat::Json) {
    nlohmann::ordered_json line{{"time", now_iso8601()}, {"client", client}};
    line["method"] = method.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(method);
    line["path"] = path.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(path);
    line["status"] = status;
    if (!why.empty()) line["reason"] = why;
    return json_line(line);
  }
  std::string line = now_iso8601();
  line += ' ';
  line += client;
  line += ' ';
  line += method.empty() ? "-" : method;
  line += ' ';
  line += path.empty() ? "-" : path;
  line += ' ';
  line += std::to_string(status);
  if (!why.empty()) {
    line += ' ';
    line += why;
  }
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // one request, one line
  line += '\n';
  return line;
}

void write_access_log(LogFormat format, std::string_view client, std::string_view method,
                      std::string_view path, int status, std::string_view why) {
  write_line(access_log_line(format, client, method, path, status, why));
}

}  // namespace pistesim
