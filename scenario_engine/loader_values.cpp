// The scenario loader's values: strings, durations, regular expressions, JSONPaths, variables
// and data tables (loader_reader.h).
#include "scenario_engine/loader_reader.h"

namespace pistesim::scenario::loading {

bool Reader::check_template(const toml::node& n, std::string_view s, const std::string& path) {
  std::string err = template_syntax_error(s);
  if (err.empty()) return true;
  error(n, q(path) + ": " + err + "; a literal « {{ » is written {{ \"{{\" }}");
  return false;
}

std::optional<std::string> Reader::string(const toml::node& n, const std::string& path,
                                          const char* expected, bool non_empty, bool plain) {
  auto text = TomlReader::string(n, path, expected);
  if (!text) return std::nullopt;
  std::string s = std::move(*text);
  if (non_empty && trim_blanks(s).empty()) {
    error(n, q(path) + " must not be empty; expected " + expected);
    return std::nullopt;
  }
  if (plain && has_template(s)) {
    error(n, q(path) + " cannot hold {{templates}}; expected " + expected);
    return std::nullopt;
  }
  if (!plain && !check_template(n, s, path)) return std::nullopt;
  return s;
}

std::optional<int64_t> Reader::duration(const toml::node& n, const std::string& path,
                                        bool integer_ms, bool positive) {
  std::string expected = std::string(positive ? "a positive" : "a") +
                         " duration such as \"500ms\", \"5s\"" +
                         (integer_ms ? ", \"1h30m\" or milliseconds" : " or \"1h30m\"");
  if (integer_ms && n.is_integer() && n.as_integer()->get() >= 0) return n.as_integer()->get();
  if (!n.is_string()) {
    error(n, q(path) + " must be " + expected + ", not " + toml_type_name(n));
    return std::nullopt;
  }
  Millis ms = parse_duration_ms(n.as_string()->get());
  if (ms < 0 || (positive && ms == 0)) {
    error(n, q(path) + " must be " + expected + ", not \"" + n.as_string()->get() + "\"");
    return std::nullopt;
  }
  return ms;
}

std::optional<std::string> Reader::duration_text(const toml::node& n, const std::string& path) {
  auto s = string(n, path, "a duration such as \"3601s\", \"500ms\" or \"1h30m\"");
  if (!s) return std::nullopt;
  if (!has_template(*s) && !duration(n, path)) return std::nullopt;
  return s;
}

std::optional<std::string> Reader::advance_text(const toml::node& n) {
  const auto* text = n.as_string();
  if (!text || !text->get().starts_with("to ")) return duration_text(n, "advance");
  const std::string time = text->get().substr(3);
  if (!has_template(time) && parse_time_of_day_ms(time) < 0) {
    error(n, "« advance » must be \"to HH:MM\" or \"to HH:MM:SS\" (Europe/Paris, 24-hour), not \"" +
                 text->get() + "\"");
    return std::nullopt;
  }
  return text->get();
}

bool Reader::regex_ok(const toml::node& n, const std::string& pattern, const std::string& path) {
  if (has_template(pattern)) return true;  // checked once rendered
  std::string why;
  int depth = 0, max_depth = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\')
      ++i;
    else if (pattern[i] == '(')
      max_depth = std::max(max_depth, ++depth);
    else if (pattern[i] == ')')
      --depth;
  }
  if (pattern.size() > kMaxRegexLength) {
    why = "too long (at most " + std::to_string(kMaxRegexLength) + " characters)";
  } else if (max_depth > kMaxRegexNesting) {
    why = "groups nested too deeply";
  } else {
    try {
      std::regex re(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      why = e.what();
    }
  }
  if (why.empty()) return true;
  error(n, q(path) + " is not a valid regular expression (" + why +
               "); expected an ECMAScript regex such as \"^[A-Za-z0-9]{54}$\"");
  return false;
}

bool Reader::json_path_ok(const toml::source_region& r, std::string_view path,
                          const std::string& ctx) {
  std::string err = json_path_syntax_error(path);
  if (err.empty()) return true;
  error(r, q(ctx) + ": invalid JSONPath " + q(path) + ": " + err +
               "; expected e.g. \"$.access_token\", \"$.apis[0].name\", \"$..scope\"");
  return false;
}

bool Reader::variable_name(const toml::source_region& r, std::string_view name,
                           const std::string& ctx) {
  if (!is_identifier(name)) {
    error(r, q(ctx) + ": " + q(name) +
                 " is not a valid variable name; expected letters, digits and _ (not first a "
                 "digit)");
    return false;
  }
  if (contains(kReservedNames, name)) {
    error(r, q(ctx) + ": " + q(name) + " is a built-in name (" + join_names(kReservedNames) +
                 "); choose another variable name");
    return false;
  }
  return true;
}

std::optional<Value> Reader::value(const toml::node& n, const std::string& path, int depth) {
  if (depth > kMaxValueDepth) {
    error(n, q(path) + " is nested too deeply (at most " + std::to_string(kMaxValueDepth) +
                 " levels)");
    return std::nullopt;
  }
  switch (n.type()) {
    case toml::node_type::string: {
      const std::string& s = n.as_string()->get();
      if (!check_template(n, s, path)) return std::nullopt;
      return Value(s);
    }
    case toml::node_type::integer:
      return Value(n.as_integer()->get());
    case toml::node_type::floating_point: {
      double d = n.as_floating_point()->get();
      if (!std::isfinite(d)) {
        error(n, q(path) + ": inf and nan have no JSON form; expected a finite number");
        return std::nullopt;
      }
      return Value(d);
    }
    case toml::node_type::boolean:
      return Value(n.as_boolean()->get());
    case toml::node_type::array: {
      Value out = Value::array();
      bool ok = true;
      size_t i = 0;
      for (const auto& el : *n.as_array()) {
        auto v = value(el, path + "[" + std::to_string(i++) + "]", depth + 1);
        if (v) out.push_back(std::move(*v));
        ok = ok && v;
      }
      return ok ? std::optional<Value>(std::move(out)) : std::nullopt;
    }
    case toml::node_type::table: {
      Value out = Value::object();
      bool ok = true;
      for (auto&& [k, v] : *n.as_table()) {
        std::string key(k.str());
        std::string err = template_syntax_error(key);
        if (!err.empty()) {
          error(k.source(), q(path + "." + key) + ": " + err);
          ok = false;
        }
        auto el = value(v, path + "." + key, depth + 1);
        if (el) out[key] = std::move(*el);
        ok = ok && el;
      }
      return ok ? std::optional<Value>(std::move(out)) : std::nullopt;
    }
    default:
      error(n, q(path) + ": TOML dates and times are not supported; write them as strings");
      return std::nullopt;
  }
}

std::optional<Row> Reader::variables(const toml::node& n, const std::string& path) {
  const toml::table* t = n.as_table();
  if (!t) {
    error(n, q(path) + " must be a table of variables ({ name = \"value\" }), not " +
                 toml_type_name(n));
    return std::nullopt;
  }
  Row row;
  bool ok = true;
  for (auto&& [k, v] : *t) {
    std::string name(k.str());
    if (!variable_name(k.source(), name, path)) {
      ok = false;
      continue;
    }
    auto val = value(v, path + "." + name);
    if (val) row[name] = std::move(*val);
    ok = ok && val;
  }
  return ok ? std::optional<Row>(std::move(row)) : std::nullopt;
}

void Reader::read_tables(const toml::node& n, Tables& out) {
  const toml::table* t = n.as_table();
  if (!t) {
    error(n, "« tables » must be a table of data tables ([[tables.clients]] entries), not " +
                 std::string(toml_type_name(n)));
    return;
  }
  for (auto&& [k, v] : *t) {
    std::string name(k.str());
    std::string path = "tables." + name;
    auto rows = table_rows(v, path);
    if (rows) out[name] = std::move(*rows);
  }
}

std::optional<std::vector<Row>> Reader::table_rows(const toml::node& n, const std::string& path) {
  const toml::array* a = n.as_array();
  if (!a || a->empty()) {
    error(n, q(path) + " must be a non-empty array of tables ([[" + path +
                 "]] entries, or [ { a = 1 }, { a = 2 } ])");
    return std::nullopt;
  }
  std::vector<Row> rows;
  bool ok = true;
  size_t i = 0;
  for (const auto& el : *a) {
    auto row = variables(el, path + "[" + std::to_string(i++) + "]");
    if (row) rows.push_back(std::move(*row));
    ok = ok && row;
  }
  return ok ? std::optional<std::vector<Row>>(std::move(rows)) : std::nullopt;
}

}  // namespace pistesim::scenario::loading
