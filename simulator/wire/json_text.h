// JSON text written directly into a string, for the few places where building an nlohmann::json
// value per record costs more than the work it records (a cluster node writes one journal line
// per request: building the object and dumping it took a tenth of the node's CPU).
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace pistesim {

// Appends `s` as a JSON string, quotes included: `"` and `\` escaped, control characters as
// \n, \t… or \u00XX, valid UTF-8 as it is, and each byte that does not start a valid UTF-8
// sequence as U+FFFD (what nlohmann::json's error_handler_t::replace writes): the text always
// parses, whatever bytes a client sent.
void append_json_string(std::string& out, std::string_view s);

// A JSON object written member by member: JsonObjectWriter w(out); w.field("a", 1); w.close().
// REQUIRES: member names need no escaping (no quote, backslash or control character).
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  void field(std::string_view name, std::string_view value) {
    key(name);
    append_json_string(out_, value);
  }
  void field(std::string_view name, const char* value) { field(name, std::string_view(value)); }
  void field(std::string_view name, const std::string& value) {
    field(name, std::string_view(value));
  }
  void field(std::string_view name, int64_t value) {
    key(name);
    number(value);
  }
  void field(std::string_view name, uint64_t value) {
    key(name);
    number(value);
  }
  void field(std::string_view name, int value) { field(name, static_cast<int64_t>(value)); }
  void field(std::string_view name, bool value) {
    key(name);
    out_ += value ? "true" : "false";
  }
  template <typename Strings>
  void strings(std::string_view name, const Strings& values) {
    key(name);
    out_ += '[';
    bool first = true;
    for (const auto& v : values) {
      if (!first) out_ += ',';
      first = false;
      append_json_string(out_, v);
    }
    out_ += ']';
  }
  void close() { out_ += '}'; }

 private:
  // Names are the program's own, and need no escaping: written as they are.
  void key(std::string_view name) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += name;
    out_ += "\":";
  }
  template <typename Integer>
  void number(Integer value) {
    char digits[24];
    out_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace pistesim
