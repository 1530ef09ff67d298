#include "toml/toml_reader.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "clock/clock.h"
#include "wire/spelling.h"

namespace pistesim {

std::string InputError::to_string() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

void sort_in_file_order(std::vector<InputError>& errors) {
  std::stable_sort(errors.begin(), errors.end(), [](const InputError& a, const InputError& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
}

FileText read_input_file(const std::string& path, uintmax_t max_bytes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return {"", "cannot open: it is a directory"};
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return {"", std::string("cannot open: ") + (errno ? std::strerror(errno) : "unknown")};
  // A device or a FIFO has no size: the read below stops at the limit anyway.
  if (auto size = fs::file_size(path, ec); !ec && size > max_bytes)
    return {"", "file too large (" + std::to_string(size) + " bytes; at most " +
                    std::to_string(max_bytes) + ")"};
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > max_bytes)
      return {"", "file too large (more than " + std::to_string(max_bytes) + " bytes)"};
  }
  if (in.bad()) return {"", "cannot read: read error"};
  return {std::move(text), ""};
}

const char* toml_type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date/time";
  }
}

std::string quote_field(std::string_view name) {
  return "« " + std::string(name) + " »";
}

std::string quote_value(std::string_view value) {
  return "\"" + std::string(value) + "\"";
}

std::string join_names(const std::vector<std::string_view>& names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& options) {
  std::string_view best = closest_spelling(word, options);
  return best.empty() ? "" : " did you mean " + quote_field(best) + "?";
}

TomlReader::TomlReader(std::string file, std::vector<InputError>& errors, std::string note)
    : file_(std::move(file)), errors_(errors), note_(std::move(note)) {}

void TomlReader::error(int line, int column, std::string message) {
  errors_.push_back({file_, line, column, std::move(message) + note_});
}

void TomlReader::error(const toml::source_region& where, std::string message) {
  // toml++ gives 0:0 to nodes it made up; the file's start is the nearest true position.
  int line = std::max(1, static_cast<int>(where.begin.line));
  int column = std::max(1, static_cast<int>(where.begin.column));
  error(line, column, std::move(message));
}

void TomlReader::file_error(std::string message) {
  error(0, 0, std::move(message));
}

std::optional<toml::table> TomlReader::parse_file() {
  FileText f = read_input_file(file_, max_bytes_);
  if (!f.error.empty()) {
    file_error(f.error);
    return std::nullopt;
  }
  return parse(f.text);
}

std::optional<toml::table> TomlReader::parse(std::string_view text) {
  if (text.size() > max_bytes_) {
    error(1, 1,
          "file too large (" + std::to_string(text.size()) + " bytes; at most " +
              std::to_string(max_bytes_) + ")");
    return std::nullopt;
  }
  try {
    return toml::parse(text, file_);
  } catch (const toml::parse_error& e) {
    error(e.source(), "invalid TOML: " + std::string(e.description()));
    return std::nullopt;
  }
}

bool TomlReader::check_keys(const toml::table& t, const Keys& allowed, std::string_view where) {
  bool ok = true;
  for (auto&& [k, v] : t) {
    if (std::find(allowed.begin(), allowed.end(), k.str()) != allowed.end()) continue;
    error(k.source(), "unknown key " + quote_field(k.str()) + " in " + std::string(where) + ";" +
                          did_you_mean(k.str(), allowed) +
                          " expected one of: " + join_names(allowed));
    ok = false;
  }
  return ok;
}

const toml::node* TomlReader::require(const toml::table& t, std::string_view key,
                                      std::string_view field, std::string_view expected) {
  const toml::node* n = t.get(key);
  if (!n) error(t, "missing " + quote_field(field) + "; expected " + std::string(expected));
  return n;
}

void TomlReader::must_be(const toml::node& n, std::string_view field, std::string_view expected) {
  must_be(n, field, expected, toml_type_name(n));
}

void TomlReader::must_be(const toml::node& n, std::string_view field, std::string_view expected,
                         std::string_view found) {
  must(n, field, "be " + std::string(expected), found);
}

void TomlReader::must(const toml::node& n, std::string_view field, std::string_view rule,
                      std::string_view found) {
  error(n, quote_field(field) + " must " + std::string(rule) + ", not " + std::string(found));
}

void TomlReader::must_because(const toml::node& n, std::string_view field, std::string_view rule,
                              std::string_view why) {
  error(n, quote_field(field) + " must " + std::string(rule) + "; " + std::string(why));
}

std::optional<std::string> TomlReader::string(const toml::node& n, std::string_view field,
                                              std::string_view expected) {
  if (const auto* s = n.as_string()) return s->get();
  must_be(n, field, expected);
  return std::nullopt;
}

std::optional<bool> TomlReader::boolean(const toml::node& n, std::string_view field) {
  if (const auto* b = n.as_boolean()) return b->get();
  must_be(n, field, "true or false");
  return std::nullopt;
}

std::optional<int64_t> TomlReader::integer(const toml::node& n, std::string_view field, int64_t lo,
                                           int64_t hi, std::string_view expected) {
  std::string what = expected.empty()
                         ? "an integer from " + std::to_string(lo) + " to " + std::to_string(hi)
                         : std::string(expected);
  const auto* i = n.as_integer();
  if (!i) {
    must_be(n, field, what);
    return std::nullopt;
  }
  if (i->get() < lo || i->get() > hi) {
    must_be(n, field, what, std::to_string(i->get()));
    return std::nullopt;
  }
  return i->get();
}

std::optional<double> TomlReader::number(const toml::node& n, std::string_view field, double lo,
                                         double hi, std::string_view expected) {
  double v;
  if (const auto* i = n.as_integer()) {
    v = static_cast<double>(i->get());
  } else if (const auto* f = n.as_floating_point()) {
    v = f->get();
  } else {
    must_be(n, field, expected);
    return std::nullopt;
  }
  if (!std::isfinite(v) || v < lo || v > hi) {
    std::ostringstream found;
    found << v;
    must_be(n, field, expected, found.str());
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> TomlReader::one_of(const toml::node& n, std::string_view field,
                                              const Keys& options) {
  std::string expected;
  for (size_t i = 0; i < options.size(); ++i)
    expected += std::string(i == 0                    ? ""
                            : i + 1 == options.size() ? " or "
                                                      : ", ") +
                "\"" + std::string(options[i]) + "\"";
  auto s = string(n, field, expected);
  if (!s) return std::nullopt;
  if (std::find(options.begin(), options.end(), *s) != options.end()) return s;
  std::string hint = did_you_mean(*s, options);
  must_be(n, field, expected, "\"" + *s + "\"" + (hint.empty() ? "" : ";" + hint));
  return std::nullopt;
}

std::optional<int64_t> TomlReader::duration_ms(const toml::node& n, std::string_view field,
                                               bool positive) {
  const std::string expected = std::string(positive ? "a positive" : "a") +
                               " duration such as \"500ms\", \"5s\" or \"1h30m\"";
  auto s = string(n, field, expected);
  if (!s) return std::nullopt;
  Millis ms = parse_duration_ms(*s);
  if (ms < 0 || (positive && ms == 0)) {
    must_be(n, field, expected, "\"" + *s + "\"");
    return std::nullopt;
  }
  return ms;
}

const toml::table* TomlReader::table(const toml::node& n, std::string_view field,
                                     std::string_view expected) {
  if (const auto* t = n.as_table()) return t;
  must_be(n, field, expected);
  return nullptr;
}

const toml::array* TomlReader::array(const toml::node& n, std::string_view field,
                                     std::string_view expected) {
  if (const auto* a = n.as_array()) return a;
  must_be(n, field, expected);
  return nullptr;
}

std::optional<std::vector<std::string>> TomlReader::strings(const toml::node& n,
                                                            std::string_view field) {
  const toml::array* a = array(n, field, "an array of strings");
  if (!a) return std::nullopt;
  std::vector<std::string> out;
  size_t i = 0;
  for (const auto& el : *a) {
    std::string at = std::string(field) + "[" + std::to_string(i++) + "]";
    if (auto s = string(el, at)) out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace pistesim
