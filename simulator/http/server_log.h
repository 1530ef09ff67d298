// What `pistesim serve` writes on stderr: its own messages and, with --access-log, one line per
// request. As text for a person, or as one JSON object per line (--log-format json) for a log
// collector. Each line goes out in one write, so lines from several loops never mix.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pistesim {

enum class LogFormat { Text, Json };
std::optional<LogFormat> parse_log_format(std::string_view name);  // "text", "json"

// "pistesim serve: resumed from state.db" or
// {"time":"2026-12-06T22:10:00.000Z","level":"info","message":"resumed from state.db"}.
// `level` is "info" or "error".
std::string server_message_line(LogFormat format, std::string_view level, std::string_view message);
void write_server_message(LogFormat format, std::string_view level, std::string_view message);

// One request: time, client, method, path, status and why the simulator answered so. The path
// is never the query (it may carry credentials) nor userinfo; control characters are blanked
// (text) or escaped (JSON), bytes that are not UTF-8 replaced.
std::string access_log_line(LogFormat format, std::string_view client, std::string_view method,
                            std::string_view path, int status, std::string_view why);
void write_access_log(LogFormat format, std::string_view client, std::string_view method,
                      std::string_view path, int status, std::string_view why);

}  // namespace pistesim
