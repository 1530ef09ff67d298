#include "scenario_engine/loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "clock/clock.h"
#include "scenario_engine/coverage.h"
#include "scenario_engine/json_path.h"
#include "scenario_engine/template.h"
#include "toml/toml_reader.h"
#include "wire/spelling.h"

namespace fs = std::filesystem;

namespace pistesim::scenario {

std::string LoadError::to_string() const {
  if (where.line <= 0) return where.file + ": " + message;
  return where.to_string() + ": " + message;
}

namespace {

// Guards for hostile input (the loader is fuzzed): nothing it reads may make it crash or hang.
constexpr size_t kMaxUseDepth = 16;
constexpr size_t kMaxSteps = 10000;
constexpr int kMaxValueDepth = 128;
constexpr size_t kMaxRegexLength = 1000;
constexpr int kMaxRegexNesting = 32;

using Row = std::map<std::string, Value>;
using Tables = std::map<std::string, std::vector<Row>>;
using Keys = std::vector<std::string_view>;

const Keys kActionKeys = {"request", "control", "mail", "advance", "fault", "quota", "exec",
                          "wait",    "journal", "mark", "sleep",   "reset", "use"};
const Keys kCommonKeys = {"name", "expect", "capture", "retry", "for_each",
                          "skip", "only",   "with",    "when"};
const Keys kRequestOptions = {"headers", "form", "json", "body", "basic", "bearer"};
const Keys kControlOptions = {"json", "as", "session"};
const Keys kExecOptions = {"env", "application", "client_id", "cwd", "timeout", "background"};
const Keys kReservedNames = {"env",           "uuid",        "now_ms",           "random_email",
                             "sandbox_oauth", "sandbox_api", "production_oauth", "production_api",
                             "control"};

std::string q(std::string_view s) {
  return quote_field(s);
}

bool contains(const Keys& keys, std::string_view k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool has_template(std::string_view s) {
  return s.find("{{") != std::string_view::npos;
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// The keys of a table in the order they were written (toml++ keeps them sorted).
std::vector<std::pair<const toml::key*, const toml::node*>> in_written_order(const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  for (auto&& [k, v] : t) out.emplace_back(&k, &v);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto& x = a.first->source().begin;
    const auto& y = b.first->source().begin;
    return std::tie(x.line, x.column) < std::tie(y.line, y.column);
  });
  return out;
}

std::string canonical_key(const std::string& path) {
  std::error_code ec;
  auto p = fs::weakly_canonical(path, ec);
  return ec ? fs::path(path).lexically_normal().string() : p.string();
}

std::string resolve(const std::string& dir, const std::string& relative) {
  fs::path p(relative);
  if (p.is_absolute() || dir.empty()) return p.lexically_normal().string();
  return (fs::path(dir) / p).lexically_normal().string();
}

std::string dir_of(const std::string& file) {
  return fs::path(file).parent_path().string();
}

// Paths the runner uses as is, whatever file declared them (a library's step runs in its own
// directory) and whatever the runner's own resolution rule.
std::string absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path.empty() ? "." : path, ec);
  return (ec ? fs::path(path) : p).lexically_normal().string();
}

// What every file of one load shares: errors, the chain of files being read (cycles), limits.
struct Context {
  std::vector<InputError> errors;
  std::vector<std::string> stack;  // canonical paths of the files being read, outermost first
  std::set<std::string> failed_libraries;
  size_t steps = 0;
};

// How the steps of a file are read: inside a `use`, they inherit the `with` variables, the
// using step's name, skip and only.
struct Scope {
  const Tables* tables = nullptr;
  Row row;
  std::string name_prefix;
  std::optional<std::string> skip;
  bool only = false;
};

enum class MatcherKind { Text, Header, Json, Number, Duration };

enum class ActionKind {
  Request,
  Control,
  Mail,
  Advance,
  Fault,
  Quota,
  Exec,
  Wait,
  Journal,
  Mark,
  Sleep,
  Reset
};

// Reads one file (a scenario, an included file or a step library).
class Reader : public TomlReader {
 public:
  Reader(std::string file, Context& ctx, std::vector<SourceLocation> used_from, std::string verb)
      : TomlReader(
            std::move(file), ctx.errors,
            used_from.empty() ? "" : " (" + verb + " from " + used_from.front().to_string() + ")"),
        dir_(dir_of(file_)),
        ctx_(ctx),
        used_from_(std::move(used_from)) {}

  SourceLocation loc(const toml::source_region& r) const {
    return {file_, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
  }
  SourceLocation loc(const toml::node& n) const { return loc(n.source()); }

  using TomlReader::error;
  void error(const SourceLocation& where, std::string message) {
    TomlReader::error(where.line, where.column, std::move(message));
  }

  // ---- scalars ------------------------------------------------------------------------------

  bool check_template(const toml::node& n, std::string_view s, const std::string& path) {
    std::string err = template_syntax_error(s);
    if (err.empty()) return true;
    error(n, q(path) + ": " + err + "; a literal « {{ » is written {{ \"{{\" }}");
    return false;
  }

  // A string (templates checked unless `plain`). `expected` completes "must be …".
  std::optional<std::string> string(const toml::node& n, const std::string& path,
                                    const char* expected = "a string", bool non_empty = true,
                                    bool plain = false) {
    auto text = TomlReader::string(n, path, expected);
    if (!text) return std::nullopt;
    std::string s = std::move(*text);
    if (non_empty && trim(s).empty()) {
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

  // "500ms", "5s", "1h30m" → milliseconds; an integer is taken as milliseconds when
  // `integer_ms` allows it.
  std::optional<int64_t> duration(const toml::node& n, const std::string& path,
                                  bool integer_ms = false, bool positive = true) {
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

  // A duration kept as text because it may hold a template (advance, sleep).
  std::optional<std::string> duration_text(const toml::node& n, const std::string& path) {
    auto s = string(n, path, "a duration such as \"3601s\", \"500ms\" or \"1h30m\"");
    if (!s) return std::nullopt;
    if (!has_template(*s) && !duration(n, path)) return std::nullopt;
    return s;
  }

  // `advance`: a duration, or "to HH:MM[:SS]" (the next time the Paris wall clock shows it).
  std::optional<std::string> advance_text(const toml::node& n) {
    const auto* text = n.as_string();
    if (!text || !text->get().starts_with("to ")) return duration_text(n, "advance");
    const std::string time = text->get().substr(3);
    if (!has_template(time) && parse_time_of_day_ms(time) < 0) {
      error(n,
            "« advance » must be \"to HH:MM\" or \"to HH:MM:SS\" (Europe/Paris, 24-hour), not \"" +
                text->get() + "\"");
      return std::nullopt;
    }
    return text->get();
  }

  bool regex_ok(const toml::node& n, const std::string& pattern, const std::string& path) {
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

  bool json_path_ok(const toml::source_region& r, std::string_view path, const std::string& ctx) {
    std::string err = json_path_syntax_error(path);
    if (err.empty()) return true;
    error(r, q(ctx) + ": invalid JSONPath " + q(path) + ": " + err +
                 "; expected e.g. \"$.access_token\", \"$.apis[0].name\", \"$..scope\"");
    return false;
  }

  bool variable_name(const toml::source_region& r, std::string_view name, const std::string& ctx) {
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

  // TOML → JSON, strings' templates checked.
  std::optional<Value> value(const toml::node& n, const std::string& path, int depth = 0) {
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

  // A table of variables ([vars], `with`, a data table row).
  std::optional<Row> variables(const toml::node& n, const std::string& path) {
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

  void read_tables(const toml::node& n, Tables& out) {
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

  std::optional<std::vector<Row>> table_rows(const toml::node& n, const std::string& path) {
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

  // ---- include files ------------------------------------------------------------------------

  // `include = ["lib/vars.toml"]`: their [vars] and [tables], in order, then nested includes.
  void read_includes(const toml::node& n, Row& vars, Tables& tables) {
    std::vector<const toml::node*> items;
    if (n.is_string()) {
      items.push_back(&n);
    } else if (const toml::array* a = n.as_array()) {
      for (const auto& el : *a) items.push_back(&el);
    } else {
      error(n, "« include » must be a list of files ([\"lib/vars.toml\"]), not " +
                   std::string(toml_type_name(n)));
      return;
    }
    for (const toml::node* item : items) {
      auto rel = string(*item, "include", "a file path such as \"lib/vars.toml\"", true, true);
      if (!rel) continue;
      std::string path = resolve(dir_, *rel);
      auto child = enter(*item, path, "include");
      if (!child) continue;
      FileText f = read_input_file(path);
      if (!f.error.empty()) {
        error(*item, "cannot include " + q(*rel) + " (" + path + "): " + f.error);
        leave();
        continue;
      }
      std::vector<SourceLocation> chain = {loc(*item)};
      chain.insert(chain.end(), used_from_.begin(), used_from_.end());
      Reader r(path, ctx_, chain, "included");
      if (auto root = r.parse(f.text)) {
        r.check_keys(*root, {"vars", "tables", "include", "description"}, "an included file");
        if (const toml::node* inc = root->get("include")) r.read_includes(*inc, vars, tables);
        if (const toml::node* v = root->get("vars"))
          if (auto row = r.variables(*v, "vars"))
            for (auto& [k, val] : *row) vars[k] = std::move(val);
        if (const toml::node* t = root->get("tables")) r.read_tables(*t, tables);
      }
      leave();
    }
  }

  // Pushes `path` on the chain of files being read; false (and an error) on a cycle or when
  // the chain is too deep.
  bool enter(const toml::node& at, const std::string& path, const char* what) {
    std::string key = canonical_key(path);
    auto it = std::find(ctx_.stack.begin(), ctx_.stack.end(), key);
    if (it != ctx_.stack.end()) {
      std::string chain;
      for (; it != ctx_.stack.end(); ++it) chain += fs::path(*it).filename().string() + " → ";
      error(at, std::string(what) + " cycle: " + chain + fs::path(key).filename().string() +
                    "; expected files that do not " + what + " one another in a loop");
      return false;
    }
    if (ctx_.stack.size() >= kMaxUseDepth) {
      error(at, std::string(what) + " nested too deeply (at most " + std::to_string(kMaxUseDepth) +
                    " files)");
      return false;
    }
    ctx_.stack.push_back(key);
    return true;
  }
  void leave() { ctx_.stack.pop_back(); }

  // ---- steps --------------------------------------------------------------------------------

  void read_steps(const toml::table& root, const Scope& scope, std::vector<Step>& out) {
    const toml::node* n = root.get("step");
    if (!n) return;
    const toml::array* a = n->as_array();
    if (!a) {
      error(*n, "« step » must be an array of tables ([[step]] entries), not " +
                    std::string(toml_type_name(*n)));
      return;
    }
    for (const auto& el : *a) {
      const toml::table* t = el.as_table();
      if (!t) {
        error(el, "each step must be a table ([[step]]), not " + std::string(toml_type_name(el)));
        continue;
      }
      read_step(*t, scope, out);
    }
  }

  void read_step(const toml::table& t, const Scope& scope, std::vector<Step>& out) {
    Keys all = kActionKeys;
    for (const Keys* k : {&kCommonKeys, &kRequestOptions, &kControlOptions, &kExecOptions})
      for (auto key : *k)
        if (!contains(all, key)) all.push_back(key);
    check_keys(t, all, "a step");

    std::vector<std::pair<std::string_view, const toml::node*>> actions;
    for (auto key : kActionKeys)
      if (const toml::node* n = t.get(key)) actions.emplace_back(key, n);
    if (actions.empty()) {
      error(t, "step has no action; expected exactly one of: " + join_names(kActionKeys));
      return;
    }
    if (actions.size() > 1) {
      std::string names;
      for (auto& [k, n] : actions) names += (names.empty() ? "" : ", ") + q(k);
      error(*actions[1].second,
            "step has several actions (" + names + "); expected exactly one per [[step]]");
      return;
    }
    if (actions[0].first == "use") {
      read_use(t, *actions[0].second, scope, out);
      return;
    }
    if (const toml::node* w = t.get("with"))
      error(*w, "« with » belongs to « use » steps; expected « use = \"lib/x.toml\" » beside it");

    if (++ctx_.steps > kMaxSteps) {
      if (ctx_.steps == kMaxSteps + 1)
        error(t,
              "too many steps (at most " + std::to_string(kMaxSteps) + " once « use » is inlined)");
      return;
    }

    Step s;
    s.where = loc(t);
    s.included_from = used_from_;
    size_t errors_before = ctx_.errors.size();
    auto [key, node] = actions[0];
    ActionKind kind = read_action(t, key, *node, s);
    check_options(t, key);

    if (const toml::node* n = t.get("name")) {
      if (auto name = string(*n, "name", "a step name", true, true)) s.name = *name;
    } else {
      s.name = default_name(s.action);
    }
    if (!scope.name_prefix.empty()) s.name = scope.name_prefix + " / " + s.name;

    if (const toml::node* n = t.get("expect")) read_expect(*n, kind, key, s.expect);
    if (const toml::node* n = t.get("capture")) read_captures(*n, kind, key, s.captures);
    if (const toml::node* n = t.get("retry")) read_retry(*n, kind, key, s);
    if (const toml::node* n = t.get("for_each")) read_for_each(*n, scope, s.rows);
    if (const toml::node* n = t.get("skip"))
      s.skip = string(*n, "skip", "the reason for skipping (skip = \"not on PRODUCTION\")");
    if (const toml::node* n = t.get("only")) s.only = boolean(*n, "only").value_or(false);
    if (const toml::node* n = t.get("when")) read_when(*n, s.when);
    if (!s.skip && scope.skip) s.skip = scope.skip;
    s.only = s.only || scope.only;

    if (kind == ActionKind::Exec && std::get<ExecAction>(s.action).background) {
      if (!t.get("name"))
        error(t, "a background « exec » step needs a « name »: its « wait » step names it");
      if (!s.rows.empty())
        error(*t.get("for_each"), "« for_each » does not apply to a background « exec » step");
    }

    if (!scope.row.empty()) {
      if (s.rows.empty()) {
        s.rows.push_back(scope.row);
      } else {
        for (auto& row : s.rows)
          for (const auto& [k, v] : scope.row) row.emplace(k, v);  // the loop's row wins
      }
    }
    if (ctx_.errors.size() == errors_before) out.push_back(std::move(s));
  }

  // `use = "lib/login.toml"` with `with = {..}`: the library's steps, inlined.
  void read_use(const toml::table& t, const toml::node& use, const Scope& scope,
                std::vector<Step>& out) {
    for (auto&& [k, v] : t) {
      std::string_view key = k.str();
      if (key == "use" || key == "with" || key == "name" || key == "skip" || key == "only" ||
          !(contains(kCommonKeys, key) || contains(kRequestOptions, key) ||
            contains(kControlOptions, key) || contains(kExecOptions, key)))
        continue;
      error(k.source(), q(key) +
                            " cannot be combined with « use »; expected it on the library's "
                            "steps (a « use » step takes only name, with, skip and only)");
    }
    auto rel = string(use, "use", "a library file such as \"lib/login.toml\"", true, true);
    Scope inner;
    inner.row = scope.row;
    inner.skip = scope.skip;
    inner.only = scope.only;
    inner.name_prefix = scope.name_prefix;
    std::optional<Row> with;
    if (const toml::node* w = t.get("with")) with = variables(*w, "with");
    if (const toml::node* n = t.get("name"))
      if (auto name = string(*n, "name", "a step name", true, true))
        inner.name_prefix = inner.name_prefix.empty() ? *name : inner.name_prefix + " / " + *name;
    if (const toml::node* n = t.get("skip"))
      if (auto reason = string(*n, "skip", "the reason for skipping")) inner.skip = reason;
    if (const toml::node* n = t.get("only"))
      inner.only = inner.only || boolean(*n, "only").value_or(false);
    if (!rel) return;

    std::string path = resolve(dir_, *rel);
    if (ctx_.failed_libraries.count(canonical_key(path))) return;  // already reported
    if (!enter(use, path, "use")) return;
    FileText f = read_input_file(path);
    if (!f.error.empty()) {
      error(use, "cannot use " + q(*rel) + " (" + path + "): " + f.error +
                     "; expected a step library relative to this file");
      leave();
      return;
    }
    std::vector<SourceLocation> chain = {loc(use)};
    chain.insert(chain.end(), used_from_.begin(), used_from_.end());
    Reader lib(path, ctx_, chain, "used");
    size_t errors_before = ctx_.errors.size();
    if (auto root = lib.parse(f.text)) {
      lib.check_keys(*root, {"name", "description", "vars", "tables", "step"}, "a step library");
      if (!root->get("step")) lib.error(*root, "a step library needs at least one [[step]]");
      // Defaults of the library, then the caller's `with`; values that name an enclosing
      // `with` variable are bound now, the rest are rendered when the step runs.
      Variables outer;
      for (const auto& [k, v] : scope.row) outer.set(k, v);
      Row bound;
      if (with)
        for (const auto& [k, v] : *with) bound[k] = bind(v, outer);
      for (const auto& [k, v] : bound) outer.set(k, v);
      if (const toml::node* v = root->get("vars"))
        if (auto defaults = lib.variables(*v, "vars"))
          for (const auto& [k, val] : *defaults) inner.row[k] = bind(val, outer);
      for (auto& [k, v] : bound) inner.row[k] = std::move(v);
      Tables tables = scope.tables ? *scope.tables : Tables{};
      if (const toml::node* tb = root->get("tables")) {
        Tables own;
        lib.read_tables(*tb, own);
        for (auto& [k, v] : own) tables[k] = std::move(v);
      }
      inner.tables = &tables;
      lib.read_steps(*root, inner, out);
    }
    if (ctx_.errors.size() != errors_before) ctx_.failed_libraries.insert(canonical_key(path));
    leave();
  }

  static Value bind(const Value& v, const Variables& outer) {
    if (v.is_string()) return Value(substitute_known(v.get<std::string>(), outer));
    if (v.is_array() || v.is_object()) {
      Value out = v;
      for (auto& el : out) el = bind(el, outer);
      return out;
    }
    return v;
  }

  // Option keys (headers, form, env, …) that belong to another kind of action.
  void check_options(const toml::table& t, std::string_view action) {
    const Keys* own = action == "request"   ? &kRequestOptions
                      : action == "control" ? &kControlOptions
                      : action == "exec"    ? &kExecOptions
                                            : nullptr;
    std::set<std::string_view> reported;
    for (const Keys* k : {&kRequestOptions, &kControlOptions, &kExecOptions}) {
      for (auto key : *k) {
        const toml::node* n = t.get(key);
        if (!n || (own && contains(*own, key)) || !reported.insert(key).second) continue;
        std::string owners;
        if (contains(kRequestOptions, key)) owners += "request";
        if (contains(kControlOptions, key))
          owners += std::string(owners.empty() ? "" : ", ") + "control";
        if (contains(kExecOptions, key)) owners += std::string(owners.empty() ? "" : ", ") + "exec";
        error(*n, q(key) + " does not apply to a " + q(action) + " step; expected it on " + owners +
                      " steps" +
                      (own ? " (a " + std::string(action) + " step takes: " + join_names(*own) + ")"
                           : ""));
      }
    }
  }

  // ---- actions ------------------------------------------------------------------------------

  ActionKind read_action(const toml::table& t, std::string_view key, const toml::node& n, Step& s) {
    if (key == "request") {
      s.action = read_request(t, n);
      return ActionKind::Request;
    }
    if (key == "control") {
      s.action = read_control(t, n);
      return ActionKind::Control;
    }
    if (key == "mail") {
      s.action = read_mail(n);
      return ActionKind::Mail;
    }
    if (key == "advance") {
      s.action = ClockAction{advance_text(n).value_or("")};
      return ActionKind::Advance;
    }
    if (key == "fault") {
      s.action = read_fault(n);
      return ActionKind::Fault;
    }
    if (key == "quota") {
      s.action = read_quota(n);
      return ActionKind::Quota;
    }
    if (key == "exec") {
      s.action = read_exec(t, n);
      return ActionKind::Exec;
    }
    if (key == "wait") {
      s.action = WaitAction{
          string(n, "wait", "the name of a background exec step", true, true).value_or("")};
      return ActionKind::Wait;
    }
    if (key == "journal") {
      s.action = read_journal(n);
      return ActionKind::Journal;
    }
    if (key == "mark") {
      s.action = MarkAction{
          string(n, "mark", "a name for this point of the journal", true, true).value_or("")};
      return ActionKind::Mark;
    }
    if (key == "sleep") {
      s.action = SleepAction{duration_text(n, "sleep").value_or("")};
      return ActionKind::Sleep;
    }
    auto reset = boolean(n, "reset");
    if (reset && !*reset)
      error(n, "« reset » must be true (reset = true); remove the step instead");
    s.action = ResetAction{};
    return ActionKind::Reset;
  }

  // "METHOD target": an HTTP method among `methods`, then the rest.
  std::optional<std::pair<std::string, std::string>> method_and_target(const toml::node& n,
                                                                       const char* key,
                                                                       const char* example) {
    std::string form = std::string("\"METHOD ") +
                       (std::string(key) == "request" ? "URL" : "/path") + "\", e.g. \"" + example +
                       "\"";
    auto s = string(n, key, form.c_str());
    if (!s) return std::nullopt;
    std::string text = trim(*s);
    size_t sp = text.find_first_of(" \t");
    std::string method = text.substr(0, sp);
    std::string target = sp == std::string::npos ? "" : trim(text.substr(sp));
    static const Keys kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    if (!contains(kMethods, method)) {
      error(n, q(key) + " must start with an HTTP method (" + join_names(kMethods) + "), not " +
                   q(method) + "; expected " + form);
      return std::nullopt;
    }
    if (target.empty()) {
      error(n, q(key) + " has no " + (std::string(key) == "request" ? "URL" : "path") +
                   "; expected " + form);
      return std::nullopt;
    }
    return std::make_pair(method, target);
  }

  // headers = { Name = "v" } / form = { k = "v" }: pairs in written order; an array repeats.
  std::vector<std::pair<std::string, std::string>> pairs(const toml::node& n,
                                                         const std::string& path,
                                                         const char* example) {
    std::vector<std::pair<std::string, std::string>> out;
    const toml::table* t = n.as_table();
    if (!t) {
      error(n, q(path) + " must be a table such as " + example + ", not " + toml_type_name(n));
      return out;
    }
    auto text_of = [&](const toml::node& v, const std::string& p) -> std::optional<std::string> {
      if (v.is_integer()) return std::to_string(v.as_integer()->get());
      if (v.is_boolean()) return v.as_boolean()->get() ? "true" : "false";
      return string(v, p, "a string (or a list of strings to repeat it)", false);
    };
    for (auto [k, v] : in_written_order(*t)) {
      std::string name(k->str());
      std::string p = path + "." + name;
      if (name.empty()) {
        error(k->source(), q(path) + ": empty name; expected " + example);
        continue;
      }
      check_template(*v, name, p);
      if (const toml::array* a = v->as_array()) {
        for (const auto& el : *a)
          if (auto s = text_of(el, p)) out.emplace_back(name, *s);
      } else if (auto s = text_of(*v, p)) {
        out.emplace_back(name, *s);
      }
    }
    return out;
  }

  HttpAction read_request(const toml::table& t, const toml::node& n) {
    HttpAction a;
    if (auto mt = method_and_target(n, "request", "POST {{sandbox_oauth}}/api/oauth/token")) {
      a.method = mt->first;
      a.url = mt->second;
      if (!a.url.starts_with("{{") && !a.url.starts_with("http://") &&
          !a.url.starts_with("https://"))
        error(n, "« request » URL " + q(a.url) +
                     " must be absolute or start with a base URL variable; expected e.g. "
                     "\"GET {{sandbox_api}}/dila/legifrance/lf-engine-app/consult/ping\"");
    }
    if (const toml::node* h = t.get("headers"))
      a.headers = pairs(*h, "headers", "{ Accept = \"application/json\" }");
    std::vector<std::string_view> bodies;
    for (auto key : {"form", "json", "body"})
      if (t.get(key)) bodies.push_back(key);
    if (bodies.size() > 1)
      error(*t.get(bodies[1]), "a request has one body: « " + std::string(bodies[0]) + " » and « " +
                                   std::string(bodies[1]) +
                                   " » both set it; expected one of form, json, body");
    if (const toml::node* f = t.get("form")) {
      a.body_kind = HttpAction::BodyKind::Form;
      a.form = pairs(*f, "form", "{ grant_type = \"client_credentials\", scope = \"openid\" }");
    }
    if (const toml::node* j = t.get("json")) {
      a.body_kind = HttpAction::BodyKind::Json;
      if (j->is_string()) {
        // Raw JSON text (a template): sent as written once rendered.
        if (auto s = string(*j, "json", "a table or JSON text", false)) {
          a.json = *s;  // a JSON string: the JSON text itself
          if (!has_template(*s)) {
            try {
              Value parsed = Value::parse(*s);
              (void)parsed;
            } catch (const Value::exception& e) {
              error(*j, "« json » text is not valid JSON (" + std::string(e.what()) +
                            "); expected a table ({ a = 1 }) or JSON text ('''{\"a\": 1}''')");
            }
          }
        }
      } else if (auto v = value(*j, "json")) {
        a.json = std::move(*v);
      }
    }
    if (const toml::node* b = t.get("body")) {
      a.body_kind = HttpAction::BodyKind::Raw;
      a.raw = string(*b, "body", "the raw body text", false).value_or("");
    }
    if (const toml::node* b = t.get("basic")) {
      const toml::table* bt = b->as_table();
      const char* form = "{ user = \"{{client_id}}\", password = \"{{client_secret}}\" }";
      if (!bt) {
        error(*b, std::string("« basic » must be a table ") + form + ", not " + toml_type_name(*b));
      } else {
        check_keys(*bt, {"user", "password"}, "« basic »");
        const toml::node* u = bt->get("user");
        const toml::node* p = bt->get("password");
        if (!u || !p) error(*b, std::string("« basic » needs user and password; expected ") + form);
        auto user = u ? string(*u, "basic.user", "a string", false) : std::nullopt;
        auto pass = p ? string(*p, "basic.password", "a string", false) : std::nullopt;
        if (user && pass) a.basic = std::make_pair(*user, *pass);
      }
    }
    if (const toml::node* b = t.get("bearer")) {
      a.bearer = string(*b, "bearer", "a token such as \"{{token}}\"");
      if (t.get("basic"))
        error(*b, "« basic » and « bearer » both set Authorization; expected one of them");
    }
    return a;
  }

  ControlAction read_control(const toml::table& t, const toml::node& n) {
    ControlAction a;
    if (auto mt = method_and_target(n, "control", "POST /portal/register")) {
      a.method = mt->first;
      a.path = mt->second;
      if (a.path.starts_with("/__pistesim"))
        error(n, "« control » paths are relative to /__pistesim; expected e.g. " +
                     q(a.method + " " + a.path.substr(11)));
      else if (!a.path.starts_with("/"))
        error(n, "« control » path must start with /; expected e.g. \"POST /portal/register\"");
    }
    if (const toml::node* j = t.get("json")) {
      if (!j->is_table() && !j->is_array())
        error(*j,
              "« json » of a control step must be a table ({ email = \"…\" }) or an array, not " +
                  std::string(toml_type_name(*j)));
      else if (auto v = value(*j, "json"))
        a.json = std::move(*v);
    }
    if (const toml::node* u = t.get("as")) a.as_user = string(*u, "as", "a user's e-mail");
    if (const toml::node* s = t.get("session"))
      a.session = string(*s, "session", "a session such as \"{{session}}\"");
    return a;
  }

  const toml::table* table_of(const toml::node& n, const std::string& key, const Keys& allowed,
                              const std::string& example) {
    const toml::table* t = n.as_table();
    if (!t) {
      error(n, q(key) + " must be a table such as " + example + ", not " + toml_type_name(n));
      return nullptr;
    }
    check_keys(*t, allowed, q(key));
    return t;
  }

  std::optional<std::string> optional_string(const toml::table& t, const std::string& parent,
                                             std::string_view key, const char* expected) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    return string(*n, parent + "." + std::string(key), expected);
  }

  MailAction read_mail(const toml::node& n) {
    MailAction a;
    const toml::table* t = table_of(n, "mail", {"to", "kind", "subject", "follow"},
                                    "{ to = \"{{email}}\", kind = \"activation\", follow = "
                                    "\"activ\" }");
    if (!t) return a;
    a.to = optional_string(*t, "mail", "to", "an e-mail address");
    a.kind = optional_string(*t, "mail", "kind", "a mail kind such as \"activation\"");
    a.subject_contains = optional_string(*t, "mail", "subject", "text of the subject");
    a.follow = optional_string(*t, "mail", "follow", "text of the link's label or URL");
    return a;
  }

  FaultAction read_fault(const toml::node& n) {
    FaultAction a;
    const char* example = "{ api = \"legifrance\", status = 503, count = 2 }";
    if (n.is_string()) {
      if (n.as_string()->get() == "clear") {
        a.clear = true;
      } else {
        error(n, std::string("« fault » must be a table such as ") + example +
                     " or \"clear\", not \"" + n.as_string()->get() + "\"");
      }
      return a;
    }
    const toml::table* t = table_of(n, "fault",
                                    {"kind", "api", "application", "status", "latency_ms", "count",
                                     "after", "body", "content_type"},
                                    std::string(example) + " or \"clear\"");
    if (!t) return a;
    a.spec = Value::object();
    std::string kind = "respond";
    if (const toml::node* k = t->get("kind")) {
      static const Keys kKinds = {"respond", "drop_connection", "expire_token"};
      auto s = string(*k, "fault.kind", "respond, drop_connection or expire_token", true, true);
      if (s && !contains(kKinds, *s))
        error(*k, "« fault.kind » must be one of respond, drop_connection, expire_token, not " +
                      q(*s) + ";" + did_you_mean(*s, kKinds));
      if (s) kind = *s;
    }
    a.spec["kind"] = kind;
    for (auto key : {"api", "application", "body", "content_type"})
      if (auto s = optional_string(*t, "fault", key, "a string")) a.spec[key] = *s;
    if (const toml::node* s = t->get("status")) {
      if (auto v = integer(*s, "fault.status", 0, 599,
                           "an HTTP status (100 to 599), or 0 for latency only")) {
        if (*v != 0 && *v < 100)
          error(*s, "« fault.status » must be an HTTP status (100 to 599), or 0 for latency only");
        else if (kind != "respond" && *v != 0)
          error(*s,
                "« fault.status » applies to kind = \"respond\" only; remove it for " + q(kind));
        a.spec["status"] = *v;
      }
    }
    if (const toml::node* l = t->get("latency_ms"))
      if (auto v = integer(*l, "fault.latency_ms", 0, 60000, "milliseconds from 0 to 60000"))
        a.spec["latency_ms"] = *v;
    if (const toml::node* c = t->get("count")) {
      auto v = integer(*c, "fault.count", -1, 1000000000,
                       "a number of calls (1 or more), or -1 for until cleared");
      if (v && *v == 0)
        error(*c, "« fault.count » must be a number of calls (1 or more), or -1 for until cleared");
      else if (v)
        a.spec["count"] = *v;
    }
    if (const toml::node* af = t->get("after"))
      if (auto v = integer(*af, "fault.after", 0, 1000000000,
                           "the number of matching calls to let through first (0 or more)"))
        a.spec["after"] = *v;
    if (kind == "respond" && a.spec.contains("status") && a.spec["status"] == 0 &&
        a.spec.value("latency_ms", 0) == 0)
      error(
          n,
          "« fault » with status = 0 needs latency_ms; expected { status = 0, latency_ms = 200 }");
    return a;
  }

  QuotaAction read_quota(const toml::node& n) {
    QuotaAction a;
    const toml::table* t =
        table_of(n, "quota", {"application", "api", "limit", "window"},
                 "{ application = \"demo-sandbox\", limit = 5, window = \"1s\" }");
    if (!t) return a;
    if (const toml::node* app = t->get("application"))
      a.application = string(*app, "quota.application", "an application id").value_or("");
    else
      error(n,
            "« quota » needs « application »; expected { application = \"demo-sandbox\", "
            "limit = 5, window = \"1s\" }");
    a.api = optional_string(*t, "quota", "api", "an API id such as \"legifrance\"");
    if (const toml::node* l = t->get("limit"))
      a.limit = integer(*l, "quota.limit", 0, 1000000000, "a number of calls (0 or more)");
    if (const toml::node* w = t->get("window")) {
      auto s = string(*w, "quota.window", "\"1s\" or \"1d\"", true, true);
      if (s && *s != "1s" && *s != "1d")
        error(*w, "« quota.window » must be \"1s\" or \"1d\", not " + q(*s));
      else if (s)
        a.window = *s;
      if (!t->get("limit"))
        error(*w,
              "« quota.window » needs « limit » (without a limit the step removes the "
              "override)");
    }
    return a;
  }

  ExecAction read_exec(const toml::table& t, const toml::node& n) {
    ExecAction a;
    const char* form = "a command: [\"./client\", \"--check\"] or \"shell command\"";
    if (n.is_string()) {
      if (auto s = string(n, "exec", form)) a.argv = {"sh", "-c", *s};
    } else if (const toml::array* arr = n.as_array()) {
      size_t i = 0;
      for (const auto& el : *arr) {
        std::string path = "exec[" + std::to_string(i) + "]";
        if (auto s = string(el, path, "a string", i++ == 0)) a.argv.push_back(*s);
      }
      if (arr->empty()) error(n, std::string("« exec » must not be empty; expected ") + form);
    } else {
      error(n, std::string("« exec » must be ") + form + ", not " + toml_type_name(n));
    }
    if (const toml::node* e = t.get("env")) {
      if (const toml::table* et = e->as_table()) {
        for (auto&& [k, v] : *et) {
          std::string name(k.str());
          std::string p = "env." + name;
          if (!is_identifier(name)) {
            error(k.source(), q(p) + ": " + q(name) +
                                  " is not an environment variable name; expected letters, "
                                  "digits and _");
            continue;
          }
          if (v.is_integer())
            a.env[name] = std::to_string(v.as_integer()->get());
          else if (v.is_boolean())
            a.env[name] = v.as_boolean()->get() ? "true" : "false";
          else if (auto s = string(v, p, "a string", false))
            a.env[name] = *s;
        }
      } else {
        error(*e, "« env » must be a table such as { CLIENT_MODE = \"strict\" }, not " +
                      std::string(toml_type_name(*e)));
      }
    }
    if (const toml::node* app = t.get("application"))
      a.application = string(*app, "application", "an application id such as \"demo-sandbox\"");
    if (const toml::node* c = t.get("client_id")) {
      a.client_id = string(*c, "client_id", "an OAuth client id of the application");
      if (!t.get("application"))
        error(*c,
              "« client_id » picks one of an application's clients; expected « application » "
              "beside it");
    }
    a.cwd = absolute(dir_);
    if (const toml::node* c = t.get("cwd"))
      if (auto s = string(*c, "cwd", "a directory relative to this file", true, true))
        a.cwd = absolute(resolve(dir_, *s));
    if (const toml::node* to = t.get("timeout"))
      if (auto ms = duration(*to, "timeout")) a.timeout_ms = *ms;
    if (const toml::node* b = t.get("background"))
      a.background = boolean(*b, "background").value_or(false);
    return a;
  }

  JournalAction read_journal(const toml::node& n) {
    JournalAction a;
    const toml::table* t =
        table_of(n, "journal", {"since", "until", "application", "client_id", "kind"},
                 "{ since = \"client-start\", application = \"demo-sandbox\" }");
    if (!t) return a;
    if (const toml::node* s = t->get("since"))
      a.since = string(*s, "journal.since", "the name of an earlier mark step", true, true);
    if (const toml::node* s = t->get("until"))
      a.until = string(*s, "journal.until", "the name of an earlier mark step", true, true);
    a.application = optional_string(*t, "journal", "application", "an application id");
    a.client_id = optional_string(*t, "journal", "client_id", "an OAuth client id");
    if (const toml::node* k = t->get("kind")) {
      auto s = string(*k, "journal.kind", "\"token\" or \"api\"", true, true);
      if (s && *s != "token" && *s != "api")
        error(*k, "« journal.kind » must be \"token\" or \"api\", not " + q(*s));
      else
        a.kind = s;
    }
    return a;
  }

  // ---- expectations -------------------------------------------------------------------------

  static Keys expect_keys(ActionKind k) {
    switch (k) {
      case ActionKind::Request:
      case ActionKind::Control:
      case ActionKind::Mail:
        return {"status", "headers", "body", "json", "duration"};
      case ActionKind::Exec:
        return {"exit", "stdout", "stderr", "duration"};
      case ActionKind::Journal:
        return {"client"};
      default:
        return {};
    }
  }

  void read_expect(const toml::node& n, ActionKind kind, std::string_view action, Expectations& e) {
    Keys allowed = expect_keys(kind);
    if (allowed.empty()) {
      error(n, "« expect » does not apply to a " + q(action) + " step" +
                   (kind == ActionKind::Wait
                        ? "; put the expectations on the background exec step it waits for"
                        : "; expected it on request, control, mail, exec or journal steps"));
      return;
    }
    const toml::table* t = n.as_table();
    if (!t) {
      error(n, "« expect » must be a table such as { status = 200 }, not " +
                   std::string(toml_type_name(n)));
      return;
    }
    static const Keys kAll = {"status", "headers", "body",   "json",  "duration",
                              "exit",   "stdout",  "stderr", "client"};
    for (auto&& [k, v] : *t) {
      std::string key(k.str());
      std::string path = "expect." + key;
      if (!contains(allowed, key)) {
        if (contains(kAll, key))
          error(k.source(), q(path) + " does not apply to a " + q(action) +
                                " step; expected one of: " + join_names(allowed));
        else
          error(k.source(), "unknown key " + q(key) + " in « expect »;" +
                                did_you_mean(key, allowed) +
                                " expected one of: " + join_names(allowed));
        continue;
      }
      if (key == "status") {
        e.status = read_status(v);
      } else if (key == "headers") {
        const toml::table* h = v.as_table();
        if (!h) {
          error(v,
                "« expect.headers » must be a table such as { \"Cache-Control\" = \"no-store\" "
                "}, not " +
                    std::string(toml_type_name(v)));
          continue;
        }
        for (auto [hk, hv] : in_written_order(*h)) {
          HeaderExpectation he;
          he.name = std::string(hk->str());
          if (he.name.empty()) error(hk->source(), "« expect.headers »: empty header name");
          he.matchers = matchers(*hv, path + "." + he.name, MatcherKind::Header);
          e.headers.push_back(std::move(he));
        }
      } else if (key == "body") {
        e.body = matchers(v, path, MatcherKind::Text);
      } else if (key == "json") {
        const toml::table* j = v.as_table();
        if (!j) {
          error(v,
                "« expect.json » must be a table of JSONPath = value, such as { "
                "\"$.token_type\" = \"Bearer\" }, not " +
                    std::string(toml_type_name(v)));
          continue;
        }
        for (auto [jk, jv] : in_written_order(*j)) {
          JsonPathExpectation je;
          je.path = std::string(jk->str());
          json_path_ok(jk->source(), je.path, "expect.json");
          je.matchers = matchers(*jv, path + "." + je.path, MatcherKind::Json);
          e.json.push_back(std::move(je));
        }
      } else if (key == "duration") {
        auto m = matchers(v, path, MatcherKind::Duration);
        if (m.size() == 1)
          e.duration_ms = m[0];
        else if (m.size() > 1)
          error(v,
                "« expect.duration » takes one bound; expected { max = \"2s\" } or { min = "
                "\"1s\" }");
      } else if (key == "exit") {
        auto m = matchers(v, path, MatcherKind::Number);
        if (m.size() == 1)
          e.exit_code = m[0];
        else if (m.size() > 1)
          error(v, "« expect.exit » takes one comparison; expected 0, or { one_of = [0, 3] }");
      } else if (key == "stdout") {
        e.stdout_text = matchers(v, path, MatcherKind::Text);
      } else if (key == "stderr") {
        e.stderr_text = matchers(v, path, MatcherKind::Text);
      } else if (key == "client") {
        e.client = read_client(v);
      }
    }
  }

  std::optional<StatusExpectation> read_status(const toml::node& n) {
    const char* expected =
        "« expect.status » must be an HTTP status (200), a list ([200, 201]) or a class (\"2xx\")";
    StatusExpectation s;
    s.where = loc(n);
    auto code = [&](const toml::node& c) {
      if (c.is_integer() && c.as_integer()->get() >= 100 && c.as_integer()->get() <= 599) {
        s.codes.push_back(static_cast<int>(c.as_integer()->get()));
        return true;
      }
      if (c.is_string()) {
        const std::string& t = c.as_string()->get();
        if (t.size() == 3 && t[0] >= '1' && t[0] <= '5' && (t[1] == 'x' || t[1] == 'X') &&
            (t[2] == 'x' || t[2] == 'X')) {
          s.classes.push_back(t[0] - '0');
          return true;
        }
      }
      std::string seen = c.is_integer()  ? std::to_string(c.as_integer()->get())
                         : c.is_string() ? "\"" + c.as_string()->get() + "\""
                                         : toml_type_name(c);
      error(c, std::string(expected) + "; " + seen + " is none of these");
      return false;
    };
    bool ok = true;
    if (const toml::array* a = n.as_array()) {
      if (a->empty()) {
        error(n, std::string(expected) + "; the list is empty");
        return std::nullopt;
      }
      for (const auto& el : *a) ok = code(el) && ok;
    } else {
      ok = code(n);
    }
    return ok ? std::optional<StatusExpectation>(std::move(s)) : std::nullopt;
  }

  static Keys ops_for(MatcherKind k) {
    switch (k) {
      case MatcherKind::Text:
        return {"equals",  "not_equals",  "contains", "not_contains",
                "matches", "not_matches", "one_of"};
      case MatcherKind::Header:
        return {"equals",  "not_equals",  "contains", "not_contains",
                "matches", "not_matches", "exists",   "one_of"};
      case MatcherKind::Json:
        return {"equals", "not_equals", "contains", "not_contains", "matches", "not_matches",
                "exists", "count",      "one_of",   "min",          "max"};
      case MatcherKind::Number:
        return {"equals", "not_equals", "one_of", "min", "max"};
      case MatcherKind::Duration:
        return {"min", "max"};
    }
    return {};
  }

  std::vector<Matcher> matchers(const toml::node& n, const std::string& path, MatcherKind kind) {
    std::vector<Matcher> out;
    Keys ops = ops_for(kind);
    const toml::table* t = n.as_table();
    if (!t) {
      if (kind == MatcherKind::Duration) {
        error(n, q(path) + " must be a table such as { max = \"2s\" }, not " + toml_type_name(n));
        return out;
      }
      if (kind == MatcherKind::Number && !n.is_integer()) {
        error(n, q(path) + " must be an integer (0) or a table such as { one_of = [0, 3] }, not " +
                     toml_type_name(n));
        return out;
      }
      if ((kind == MatcherKind::Text || kind == MatcherKind::Header) && !n.is_string()) {
        error(n, q(path) +
                     " must be the expected text or a table such as { contains = \"…\" }, "
                     "not " +
                     toml_type_name(n));
        return out;
      }
      if (auto v = value(n, path)) out.push_back(Matcher{Matcher::Op::Equals, *v, false, loc(n)});
      return out;
    }
    if (t->empty())
      error(n, q(path) + " has no matcher; expected one or more of: " + join_names(ops));
    for (auto [k, v] : in_written_order(*t)) {
      std::string op(k->str());
      std::string p = path + "." + op;
      if (!contains(ops, op)) {
        error(k->source(), "unknown matcher " + q(op) + " in " + q(path) + ";" +
                               did_you_mean(op, ops) + " expected one of: " + join_names(ops));
        continue;
      }
      Matcher m;
      m.where = loc(*v);
      m.negate = op.starts_with("not_");
      std::string base = m.negate ? op.substr(4) : op;
      std::optional<Value> expected;
      if (base == "equals") {
        m.op = Matcher::Op::Equals;
        if (kind == MatcherKind::Number) {
          if (auto i = integer(*v, p, INT32_MIN, INT32_MAX, "an integer")) expected = *i;
        } else if (kind == MatcherKind::Text || kind == MatcherKind::Header) {
          if (auto s = string(*v, p, "a string", false)) expected = *s;
        } else {
          expected = value(*v, p);
        }
      } else if (base == "contains") {
        m.op = Matcher::Op::Contains;
        if (kind == MatcherKind::Json)
          expected = value(*v, p);
        else if (auto s = string(*v, p, "a string", false))
          expected = *s;
      } else if (base == "matches") {
        m.op = Matcher::Op::Matches;
        if (auto s = string(*v, p, "a regular expression", false); s && regex_ok(*v, *s, p))
          expected = *s;
      } else if (base == "exists") {
        m.op = Matcher::Op::Exists;
        if (auto b = boolean(*v, p)) expected = *b;
      } else if (base == "count") {
        m.op = Matcher::Op::Count;
        if (auto i = integer(*v, p, 0, INT32_MAX, "a count (0 or more)")) expected = *i;
      } else if (base == "one_of") {
        m.op = Matcher::Op::OneOf;
        const toml::array* a = v->as_array();
        if (!a || a->empty())
          error(*v, q(p) + " must be a non-empty list of allowed values ([\"a\", \"b\"])");
        else
          expected = value(*v, p);
      } else {  // min / max
        m.op = base == "min" ? Matcher::Op::Min : Matcher::Op::Max;
        if (kind == MatcherKind::Duration) {
          if (auto ms = duration(*v, p, true, false)) expected = *ms;
        } else if (v->is_integer()) {
          expected = v->as_integer()->get();
        } else if (v->is_floating_point() && std::isfinite(v->as_floating_point()->get())) {
          expected = v->as_floating_point()->get();
        } else {
          error(*v, q(p) + " must be a number, not " + toml_type_name(*v));
        }
      }
      if (expected) {
        m.expected = std::move(*expected);
        out.push_back(std::move(m));
      }
    }
    return out;
  }

  std::optional<ClientExpectations> read_client(const toml::node& n) {
    static const Keys kKeys = {
        "token_requests",       "api_calls",          "reuses_tokens",
        "reauthenticates_once", "backoff_after_429",  "no_credentials_in_query",
        "single_auth_method",   "no_retry_after_400", "refresh_window"};
    const toml::table* t = n.as_table();
    if (!t) {
      error(n,
            "« expect.client » must be a table such as { token_requests = { max = 2 }, "
            "reuses_tokens = true }, not " +
                std::string(toml_type_name(n)));
      return std::nullopt;
    }
    check_keys(*t, kKeys, "« expect.client »");
    if (t->empty())
      error(n, "« expect.client » has no check; expected one or more of: " + join_names(kKeys));
    ClientExpectations c;
    c.where = loc(n);
    auto count = [&](std::string_view key) -> std::optional<Matcher> {
      const toml::node* v = t->get(key);
      if (!v) return std::nullopt;
      auto m = matchers(*v, "expect.client." + std::string(key), MatcherKind::Number);
      if (m.size() == 1) return m[0];
      if (m.size() > 1) {
        error(*v, "« expect.client." + std::string(key) +
                      " » takes one comparison; expected 3, { max = 2 } or { min = 10 }");
      }
      return std::nullopt;
    };
    // `= false` asserts the opposite (a naive client shows the fault): both are checks.
    auto flag = [&](std::string_view key) -> std::optional<bool> {
      const toml::node* v = t->get(key);
      if (!v) return std::nullopt;
      return boolean(*v, "expect.client." + std::string(key));
    };
    auto span = [&](std::string_view key) -> std::optional<int64_t> {
      const toml::node* v = t->get(key);
      if (!v) return std::nullopt;
      return duration(*v, "expect.client." + std::string(key), true, false);
    };
    c.token_requests = count("token_requests");
    c.api_calls = count("api_calls");
    c.reuses_tokens = flag("reuses_tokens");
    c.reauthenticates_once = flag("reauthenticates_once");
    c.backoff_after_429_ms = span("backoff_after_429");
    c.no_credentials_in_query = flag("no_credentials_in_query");
    c.single_auth_method = flag("single_auth_method");
    c.no_retry_after_400 = flag("no_retry_after_400");
    c.refresh_window_ms = span("refresh_window");
    return c;
  }

  // ---- captures, retry, loops ---------------------------------------------------------------

  void read_captures(const toml::node& n, ActionKind kind, std::string_view action,
                     std::vector<Capture>& out) {
    bool http =
        kind == ActionKind::Request || kind == ActionKind::Control || kind == ActionKind::Mail;
    bool exec = kind == ActionKind::Exec;
    if (!http && !exec) {
      error(n, "« capture » does not apply to a " + q(action) +
                   " step; expected it on request, control, mail or exec steps");
      return;
    }
    const toml::table* t = n.as_table();
    if (!t) {
      error(n, "« capture » must be a table such as { token = \"$.access_token\" }, not " +
                   std::string(toml_type_name(n)));
      return;
    }
    static const Keys kSources = {"json", "header", "regex", "status", "body", "stdout", "exit"};
    Keys sources =
        http ? Keys{"json", "header", "regex", "status", "body"} : Keys{"regex", "stdout", "exit"};
    for (auto [k, v] : in_written_order(*t)) {
      std::string var(k->str());
      std::string path = "capture." + var;
      if (!variable_name(k->source(), var, "capture")) continue;
      Capture c;
      c.variable = var;
      c.where = loc(*v);
      if (v->is_string()) {
        if (!http) {
          error(*v, q(path) +
                        ": a JSONPath capture needs a response; on an exec step expected "
                        "{ stdout = true }, { exit = true } or { regex = \"…\" }");
          continue;
        }
        c.source = Capture::Source::JsonPath;
        c.expression = v->as_string()->get();
        if (json_path_ok(v->source(), c.expression, path)) out.push_back(std::move(c));
        continue;
      }
      const toml::table* ct = v->as_table();
      if (!ct) {
        error(*v, q(path) +
                      " must be a JSONPath (\"$.access_token\") or a table such as { header "
                      "= \"Retry-After\" }, not " +
                      toml_type_name(*v));
        continue;
      }
      Keys allowed = sources;
      allowed.push_back("from");
      allowed.push_back("default");
      std::vector<std::string_view> found;
      for (auto&& [ck, cv] : *ct) {
        std::string_view key = ck.str();
        if (contains(sources, key)) {
          found.push_back(key);
        } else if (contains(kSources, key)) {
          error(ck.source(), q(path + "." + std::string(key)) + " does not apply to a " +
                                 q(action) + " step; expected one of: " + join_names(sources));
        } else if (key != "from" && key != "default") {
          error(ck.source(), "unknown key " + q(key) + " in " + q(path) + ";" +
                                 did_you_mean(key, allowed) +
                                 " expected one of: " + join_names(allowed));
        }
      }
      if (found.size() != 1) {
        if (found.size() > 1)
          error(*v,
                q(path) + " has several sources; expected exactly one of: " + join_names(sources));
        else
          error(*v, q(path) + " has no source; expected exactly one of: " + join_names(sources));
        continue;
      }
      std::string src(found[0]);
      const toml::node& sv = *ct->get(src);
      bool ok = true;
      if (src == "json") {
        c.source = Capture::Source::JsonPath;
        auto s = string(sv, path + ".json", "a JSONPath such as \"$.access_token\"", true, true);
        ok = s && json_path_ok(sv.source(), *s, path);
        if (s) c.expression = *s;
      } else if (src == "header") {
        c.source = Capture::Source::Header;
        auto s = string(sv, path + ".header", "a header name such as \"Retry-After\"", true, true);
        ok = s.has_value();
        if (s) c.expression = *s;
      } else if (src == "regex") {
        c.source = Capture::Source::Regex;
        auto s = string(sv, path + ".regex", "a regular expression such as \"code=(\\\\w+)\"", true,
                        true);
        ok = s && regex_ok(sv, *s, path + ".regex");
        if (s) c.expression = *s;
        c.regex_input = exec ? "stdout" : "body";
      } else {
        c.source = src == "status"   ? Capture::Source::Status
                   : src == "body"   ? Capture::Source::Body
                   : src == "stdout" ? Capture::Source::Stdout
                                     : Capture::Source::ExitCode;
        auto b = boolean(sv, path + "." + src);
        ok = b && *b;
        if (b && !*b) error(sv, q(path + "." + src) + " must be true (" + src + " = true)");
      }
      if (const toml::node* from = ct->get("from")) {
        const char* form = exec ? "\"stdout\"" : "\"body\" or \"header:<Name>\"";
        auto s = string(*from, path + ".from", form, true, true);
        if (src != "regex") {
          error(*from, q(path + ".from") + " applies to regex captures only");
          ok = false;
        } else if (s) {
          bool valid = exec ? *s == "stdout"
                            : (*s == "body" || (s->starts_with("header:") && s->size() > 7));
          if (!valid) {
            error(*from, q(path + ".from") + " must be " + form + ", not " + q(*s));
            ok = false;
          } else {
            c.regex_input = *s;
          }
        }
      }
      if (const toml::node* d = ct->get("default")) {
        if (d->is_integer())
          c.fallback = std::to_string(d->as_integer()->get());
        else if (d->is_boolean())
          c.fallback = d->as_boolean()->get() ? "true" : "false";
        else if (auto s = string(*d, path + ".default", "a string", false))
          c.fallback = *s;
        else
          ok = false;
      }
      if (ok) out.push_back(std::move(c));
    }
  }

  void read_retry(const toml::node& n, ActionKind kind, std::string_view action, Step& s) {
    const toml::table* t =
        table_of(n, "retry", {"until", "every"}, "{ until = \"5s\", every = \"200ms\" }");
    if (!t) return;
    bool runs_again = kind == ActionKind::Request || kind == ActionKind::Control ||
                      kind == ActionKind::Mail || kind == ActionKind::Journal ||
                      (kind == ActionKind::Exec && !std::get<ExecAction>(s.action).background);
    if (!runs_again) {
      error(n, "« retry » does not apply to a " + q(action) +
                   " step; expected it on request, control, mail, journal or foreground exec "
                   "steps");
      return;
    }
    if (s.expect.empty())
      error(n,
            "« retry » runs the step again until its expectations hold; expected an « expect » "
            "on this step");
    Retry r;
    if (const toml::node* u = t->get("until")) {
      if (auto ms = duration(*u, "retry.until")) r.deadline_ms = *ms;
    } else {
      error(n,
            "« retry » needs « until », the deadline; expected { until = \"5s\", every = "
            "\"200ms\" }");
    }
    if (const toml::node* e = t->get("every")) {
      if (auto ms = duration(*e, "retry.every")) {
        r.interval_ms = *ms;
        if (r.deadline_ms > 0 && *ms > r.deadline_ms)
          error(*e, "« retry.every » is longer than « retry.until »; expected a shorter interval");
      }
    }
    s.retry = r;
  }

  // `when = { seen = 405, profile = ["piste", "rfc"] }`: variable names, each with a value or a
  // list of values (strings, integers or booleans, compared as text).
  void read_when(const toml::node& n,
                 std::vector<std::pair<std::string, std::vector<std::string>>>& when) {
    const toml::table* t = n.as_table();
    if (!t || t->empty()) {
      error(n, "« when » must be a table of variables and their values (when = { seen = 405 })");
      return;
    }
    for (auto&& [k, v] : *t) {
      const std::string name(k.str());
      if (!variable_name(v.source(), name, "when")) continue;
      std::vector<std::string> values;
      auto add = [&](const toml::node& x) {
        if (const auto* s = x.as_string()) {
          values.push_back(s->get());
        } else if (const auto* i = x.as_integer()) {
          values.push_back(std::to_string(i->get()));
        } else if (const auto* b = x.as_boolean()) {
          values.push_back(b->get() ? "true" : "false");
        } else {
          error(x, "« when." + name +
                       " » must be a string, an integer, a boolean or a list of them, not " +
                       std::string(toml_type_name(x)));
          return false;
        }
        return true;
      };
      if (const toml::array* a = v.as_array()) {
        if (a->empty()) error(v, "« when." + name + " » lists no value");
        for (const toml::node& x : *a)
          if (!add(x)) break;
      } else {
        add(v);
      }
      if (!values.empty()) when.emplace_back(name, std::move(values));
    }
  }

  void read_for_each(const toml::node& n, const Scope& scope, std::vector<Row>& rows) {
    if (n.is_string()) {
      std::string name = n.as_string()->get();
      if (scope.tables) {
        auto it = scope.tables->find(name);
        if (it != scope.tables->end()) {
          rows = it->second;
          return;
        }
      }
      Keys known;
      if (scope.tables)
        for (const auto& [k, v] : *scope.tables) known.push_back(k);
      error(n, "« for_each » names no data table " + q(name) + ";" + did_you_mean(name, known) +
                   (known.empty() ? " expected a [[tables." + name +
                                        "]] entry or an inline list "
                                        "[ { a = 1 }, { a = 2 } ]"
                                  : " expected one of: " + join_names(known)));
      return;
    }
    if (n.is_array()) {
      if (auto r = table_rows(n, "for_each")) rows = std::move(*r);
      return;
    }
    error(n,
          "« for_each » must name a data table (\"clients\") or be a list of tables ([ { a = 1 "
          "}, { a = 2 } ]), not " +
              std::string(toml_type_name(n)));
  }

  // ---- names --------------------------------------------------------------------------------

  static std::string default_name(const Action& action) {
    struct Name {
      std::string operator()(const HttpAction& a) const { return a.method + " " + a.url; }
      std::string operator()(const ControlAction& a) const {
        return "control " + a.method + " " + a.path;
      }
      std::string operator()(const MailAction& a) const {
        std::string s = "mail";
        if (a.kind) s += " " + *a.kind;
        if (a.to) s += " to " + *a.to;
        if (a.subject_contains) s += " subject " + *a.subject_contains;
        if (a.follow) s += " → follow " + *a.follow;
        return s;
      }
      std::string operator()(const ClockAction& a) const { return "advance " + a.advance; }
      std::string operator()(const FaultAction& a) const {
        if (a.clear) return "fault clear";
        if (!a.spec.is_object()) return "fault";
        std::string s = "fault " + a.spec.value("kind", std::string("respond"));
        if (a.spec.contains("status")) s += " " + a.spec["status"].dump();
        if (a.spec.contains("api")) s += " on " + a.spec["api"].get<std::string>();
        if (a.spec.contains("application")) s += " for " + a.spec["application"].get<std::string>();
        return s;
      }
      std::string operator()(const QuotaAction& a) const {
        std::string s = "quota " + a.application;
        if (a.api) s += " " + *a.api;
        return s + (a.limit ? " " + std::to_string(*a.limit) + "/" + a.window : " removed");
      }
      std::string operator()(const ExecAction& a) const {
        std::string cmd;
        if (a.argv.size() == 3 && a.argv[0] == "sh" && a.argv[1] == "-c") {
          cmd = a.argv[2];
        } else {
          for (const auto& arg : a.argv) cmd += (cmd.empty() ? "" : " ") + arg;
        }
        if (cmd.size() > 60) cmd = cmd.substr(0, 57) + "...";
        return "exec " + cmd;
      }
      std::string operator()(const WaitAction& a) const { return "wait " + a.step; }
      std::string operator()(const JournalAction& a) const {
        std::string s = "journal";
        if (a.since) s += " since " + *a.since;
        if (a.until) s += " until " + *a.until;
        if (a.application) s += " of " + *a.application;
        if (a.kind) s += " (" + *a.kind + ")";
        return s;
      }
      std::string operator()(const MarkAction& a) const { return "mark " + a.name; }
      std::string operator()(const SleepAction& a) const { return "sleep " + a.duration; }
      std::string operator()(const ResetAction&) const { return "reset"; }
    };
    return std::visit(Name{}, action);
  }

 private:
  std::string dir_;
  Context& ctx_;
  std::vector<SourceLocation> used_from_;
};

// Checks that need the whole, inlined sequence: `wait` and `journal` name earlier steps.
void check_references(const std::vector<Step>& steps, std::vector<InputError>& errors) {
  std::set<std::string> marks;
  std::map<std::string, const Step*> background;
  auto report = [&](const Step& s, std::string message) {
    if (!s.included_from.empty())
      message += " (used from " + s.included_from.front().to_string() + ")";
    errors.push_back({s.where.file, s.where.line, s.where.column, std::move(message)});
  };
  auto names = [](const auto& set) {
    std::string out;
    for (const auto& n : set) {
      if constexpr (std::is_same_v<std::decay_t<decltype(n)>, std::string>)
        out += (out.empty() ? "" : ", ") + n;
      else
        out += (out.empty() ? "" : ", ") + n.first;
    }
    return out.empty() ? std::string("none") : out;
  };
  for (const auto& s : steps) {
    if (const auto* m = std::get_if<MarkAction>(&s.action)) marks.insert(m->name);
    if (const auto* e = std::get_if<ExecAction>(&s.action); e && e->background) {
      if (background.count(s.name))
        report(s, "two background exec steps are named « " + s.name +
                      " »; expected unique names (« wait » names one)");
      background[s.name] = &s;
    }
    if (const auto* w = std::get_if<WaitAction>(&s.action)) {
      if (!background.count(w->step))
        report(s, "« wait » names no earlier background exec step « " + w->step +
                      " »; expected one of: " + names(background));
    }
    if (const auto* j = std::get_if<JournalAction>(&s.action)) {
      for (const auto* mark : {&j->since, &j->until})
        if (*mark && !marks.count(**mark))
          report(s, "« journal » names no earlier mark « " + **mark + " »; expected one of: " +
                        names(marks) + " (a step « mark = \"" + **mark + "\" » before it)");
    }
  }
}

std::string id_family(const std::string& id) {
  return id.substr(0, id.find('-'));
}

// The errors of a load, each file's in the order of its lines, the files in the order met.
std::vector<LoadError> sorted_errors(const std::vector<InputError>& found) {
  std::vector<LoadError> errors;
  for (const auto& e : found) errors.push_back({{e.file, e.line, e.column}, e.message});
  std::vector<std::string> files;
  for (const auto& e : errors)
    if (std::find(files.begin(), files.end(), e.where.file) == files.end())
      files.push_back(e.where.file);
  auto rank = [&](const LoadError& e) {
    return std::find(files.begin(), files.end(), e.where.file) - files.begin();
  };
  std::stable_sort(errors.begin(), errors.end(), [&](const LoadError& a, const LoadError& b) {
    return std::make_tuple(rank(a), a.where.line, a.where.column) <
           std::make_tuple(rank(b), b.where.line, b.where.column);
  });
  errors.erase(std::unique(errors.begin(), errors.end(),
                           [](const LoadError& a, const LoadError& b) {
                             return a.to_string() == b.to_string();
                           }),
               errors.end());
  return errors;
}

std::variant<Scenario, std::vector<LoadError>> load(const std::string& text,
                                                    const std::string& path) {
  Context ctx;
  ctx.stack.push_back(canonical_key(path));
  Reader r(path, ctx, {}, "");
  Scenario sc;
  sc.file = path;
  sc.where = {path, 1, 1};
  auto root = r.parse(text);
  if (!root) return sorted_errors(ctx.errors);

  static const Keys kTop = {"name", "description", "tags", "covers", "world", "skip",
                            "only", "include",     "vars", "tables", "step",  "conformance"};
  r.check_keys(*root, kTop, "the scenario (top level)");
  if (const toml::node* n = root->get("name")) {
    if (auto s = r.string(*n, "name", "the scenario's name", true, true)) sc.name = *s;
  } else {
    r.error(SourceLocation{path, 1, 1},
            "the scenario has no « name »; expected name = \"Token then API call\" at the top");
  }
  if (const toml::node* n = root->get("description"))
    sc.description = r.string(*n, "description", "a string", false, true).value_or("");
  for (auto key : {"tags", "covers"}) {
    const toml::node* n = root->get(key);
    if (!n) continue;
    const toml::array* a = n->as_array();
    if (!a) {
      r.error(*n, q(key) + " must be a list of strings ([\"oauth\", \"gateway\"]), not " +
                      toml_type_name(*n));
      continue;
    }
    for (const auto& el : *a) {
      auto s = r.string(el, key, "a string", true, true);
      if (!s) continue;
      if (std::string(key) == "tags") {
        sc.tags.push_back(*s);
        continue;
      }
      const auto& known = known_behaviour_ids();
      if (std::find(known.begin(), known.end(), *s) != known.end()) {
        sc.covers.push_back(*s);
        continue;
      }
      Keys family;
      for (const auto& id : known)
        if (id_family(id) == id_family(*s)) family.push_back(id);
      if (family.empty()) {
        Keys families;
        for (const auto& id : known) {
          std::string_view f(id.data(), id.find('-'));
          if (!contains(families, f)) families.push_back(f);
        }
        r.error(el, "unknown behaviour ID " + q(*s) +
                        " (BEHAVIOURS.md); expected an ID such as ACC-1 from the families: " +
                        join_names(families));
      } else {
        r.error(el, "unknown behaviour ID " + q(*s) +
                        " (BEHAVIOURS.md); expected one of: " + join_names(family));
      }
    }
  }
  if (const toml::node* n = root->get("world")) {
    if (auto s = r.string(*n, "world", "\"default\" or a world file", true, true)) {
      if (*s == "default") {
        sc.world = "default";
      } else {
        sc.world = absolute(resolve(dir_of(path), *s));
        std::error_code ec;
        if (!fs::is_regular_file(sc.world, ec))
          r.error(*n, "world file " + q(*s) + " not found (" + sc.world +
                          "); expected \"default\" or a world file relative to this file");
      }
    }
  }
  if (const toml::node* n = root->get("skip"))
    sc.skip = r.string(*n, "skip", "the reason for skipping (skip = \"needs TLS\")");
  if (const toml::node* n = root->get("only")) sc.only = r.boolean(*n, "only").value_or(false);
  if (const toml::node* n = root->get("include")) r.read_includes(*n, sc.vars, sc.tables);
  if (const toml::node* n = root->get("vars"))
    if (auto row = r.variables(*n, "vars"))
      for (auto& [k, v] : *row) sc.vars[k] = std::move(v);
  if (const toml::node* n = root->get("tables")) r.read_tables(*n, sc.tables);
  if (const toml::node* n = root->get("conformance")) {
    // A conformance check's metadata (conformance/, docs/conformance.md): kept for that tool.
    if (!n->is_table())
      r.error(*n, std::string("« conformance » must be a table ([conformance] id = \"A1\"), not ") +
                      toml_type_name(*n));
    else if (auto v = r.value(*n, "conformance"))
      sc.meta["conformance"] = std::move(*v);
  }

  if (!root->get("step")) {
    r.error(SourceLocation{path, 1, 1},
            "the scenario has no [[step]]; expected at least one, e.g. [[step]] request = \"GET "
            "{{sandbox_api}}/…\"");
  }
  Scope scope;
  scope.tables = &sc.tables;
  r.read_steps(*root, scope, sc.steps);
  if (ctx.errors.empty()) check_references(sc.steps, ctx.errors);
  if (!ctx.errors.empty()) return sorted_errors(ctx.errors);
  return sc;
}

}  // namespace

std::variant<Scenario, std::vector<LoadError>> load_scenario_text(const std::string& text,
                                                                  const std::string& path) {
  return load(text, path);
}

std::variant<Scenario, std::vector<LoadError>> load_scenario_file(const std::string& path) {
  FileText f = read_input_file(path);
  if (!f.error.empty()) return std::vector<LoadError>{{{path, 0, 0}, f.error}};
  return load(f.text, path);
}

std::vector<std::string> find_scenario_files(const std::vector<std::string>& paths,
                                             std::vector<LoadError>* errors) {
  std::vector<std::string> out;
  auto fail = [&](const std::string& p, std::string message) {
    if (errors) errors->push_back({{p, 0, 0}, std::move(message)});
  };
  for (const auto& p : paths) {
    std::error_code ec;
    auto status = fs::status(p, ec);
    if (ec || !fs::exists(status)) {
      fail(p, "no such file or directory; expected a scenario file or a directory of them");
      continue;
    }
    if (!fs::is_directory(status)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) {
      fail(p, "cannot read directory: " + ec.message());
      continue;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) {
        fail(p, "cannot read directory: " + ec.message());
        break;
      }
      if (it->is_directory(ec) && it->path().filename() == "lib") {
        it.disable_recursion_pending();  // step libraries for `use`, not scenarios
        continue;
      }
      if (it->is_regular_file(ec) && it->path().extension() == ".toml")
        found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace pistesim::scenario
