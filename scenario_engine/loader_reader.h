// The scenario loader's shared parts: limits, key lists, the file-reading context and the
// Reader class, whose methods live in loader*.cpp by concern (values, steps, actions,
// expectations). Internal to scenario_engine.
#pragma once

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

#include "base/text.h"
#include "clock/clock.h"
#include "scenario_engine/coverage.h"
#include "scenario_engine/json_path.h"
#include "scenario_engine/template.h"
#include "toml/toml_reader.h"
#include "wire/spelling.h"

namespace pistesim::scenario::loading {

namespace fs = std::filesystem;

// Guards for hostile input (the loader is fuzzed): nothing it reads may make it crash or hang.
constexpr size_t kMaxUseDepth = 16;
constexpr size_t kMaxSteps = 10000;
constexpr int kMaxValueDepth = 128;
constexpr size_t kMaxRegexLength = 1000;
constexpr int kMaxRegexNesting = 32;

using Row = std::map<std::string, Value>;
using Tables = std::map<std::string, std::vector<Row>>;
using Keys = std::vector<std::string_view>;

inline const Keys kActionKeys = {"request", "control", "mail", "advance", "fault", "quota", "exec",
                                 "wait",    "journal", "mark", "sleep",   "reset", "use"};
inline const Keys kCommonKeys = {"name", "expect", "capture", "retry", "for_each",
                                 "skip", "only",   "with",    "when"};
inline const Keys kRequestOptions = {"headers", "form", "json", "body", "basic", "bearer"};
inline const Keys kControlOptions = {"json", "as", "session"};
inline const Keys kExecOptions = {"env", "application", "client_id",
                                  "cwd", "timeout",     "background"};
inline const Keys kReservedNames = {
    "env",           "uuid",        "now_ms",           "random_email",
    "sandbox_oauth", "sandbox_api", "production_oauth", "production_api",
    "control"};

inline std::string q(std::string_view s) {
  return quote_field(s);
}

inline bool contains(const Keys& keys, std::string_view k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

inline bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

inline bool has_template(std::string_view s) {
  return s.find("{{") != std::string_view::npos;
}

// The keys of a table in the order they were written (toml++ keeps them sorted).
inline std::vector<std::pair<const toml::key*, const toml::node*>> in_written_order(
    const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  for (auto&& [k, v] : t) out.emplace_back(&k, &v);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto& x = a.first->source().begin;
    const auto& y = b.first->source().begin;
    return std::tie(x.line, x.column) < std::tie(y.line, y.column);
  });
  return out;
}

inline std::string canonical_key(const std::string& path) {
  std::error_code ec;
  auto p = fs::weakly_canonical(path, ec);
  return ec ? fs::path(path).lexically_normal().string() : p.string();
}

inline std::string resolve(const std::string& dir, const std::string& relative) {
  fs::path p(relative);
  if (p.is_absolute() || dir.empty()) return p.lexically_normal().string();
  return (fs::path(dir) / p).lexically_normal().string();
}

inline std::string dir_of(const std::string& file) {
  return fs::path(file).parent_path().string();
}

// Paths the runner uses as is, whatever file declared them (a library's step runs in its own
// directory) and whatever the runner's own resolution rule.
inline std::string absolute(const std::string& path) {
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
  Reader(std::string file, Context& ctx, std::vector<SourceLocation> used_from, std::string verb);
  SourceLocation loc(const toml::source_region& r) const;
  SourceLocation loc(const toml::node& n) const { return loc(n.source()); }
  using TomlReader::error;
  void error(const SourceLocation& where, std::string message);

  // ---- scalars ------------------------------------------------------------------------------
  bool check_template(const toml::node& n, std::string_view s, const std::string& path);
  // A string (templates checked unless `plain`). `expected` completes "must be …".
  std::optional<std::string> string(const toml::node& n, const std::string& path,
                                    const char* expected = "a string", bool non_empty = true,
                                    bool plain = false);
  // "500ms", "5s", "1h30m" → milliseconds; an integer is taken as milliseconds when
  // `integer_ms` allows it.
  std::optional<int64_t> duration(const toml::node& n, const std::string& path,
                                  bool integer_ms = false, bool positive = true);
  // A duration kept as text because it may hold a template (advance, sleep).
  std::optional<std::string> duration_text(const toml::node& n, const std::string& path);
  // `advance`: a duration, or "to HH:MM[:SS]" (the next time the Paris wall clock shows it).
  std::optional<std::string> advance_text(const toml::node& n);
  bool regex_ok(const toml::node& n, const std::string& pattern, const std::string& path);
  bool json_path_ok(const toml::source_region& r, std::string_view path, const std::string& ctx);
  bool variable_name(const toml::source_region& r, std::string_view name, const std::string& ctx);
  // TOML → JSON, strings' templates checked.
  std::optional<Value> value(const toml::node& n, const std::string& path, int depth = 0);
  // A table of variables ([vars], `with`, a data table row).
  std::optional<Row> variables(const toml::node& n, const std::string& path);
  void read_tables(const toml::node& n, Tables& out);
  std::optional<std::vector<Row>> table_rows(const toml::node& n, const std::string& path);

  // ---- include files ------------------------------------------------------------------------
  // `include = ["lib/vars.toml"]`: their [vars] and [tables], in order, then nested includes.
  void read_includes(const toml::node& n, Row& vars, Tables& tables);
  // Pushes `path` on the chain of files being read; false (and an error) on a cycle or when
  // the chain is too deep.
  bool enter(const toml::node& at, const std::string& path, const char* what);
  void leave();

  // ---- steps --------------------------------------------------------------------------------
  void read_steps(const toml::table& root, const Scope& scope, std::vector<Step>& out);
  void read_step(const toml::table& t, const Scope& scope, std::vector<Step>& out);
  // `use = "lib/login.toml"` with `with = {..}`: the library's steps, inlined.
  void read_use(const toml::table& t, const toml::node& use, const Scope& scope,
                std::vector<Step>& out);
  static Value bind(const Value& v, const Variables& outer);
  // Option keys (headers, form, env, …) that belong to another kind of action.
  void check_options(const toml::table& t, std::string_view action);

  // ---- actions ------------------------------------------------------------------------------
  ActionKind read_action(const toml::table& t, std::string_view key, const toml::node& n, Step& s);
  // "METHOD target": an HTTP method among `methods`, then the rest.
  std::optional<std::pair<std::string, std::string>> method_and_target(const toml::node& n,
                                                                       const char* key,
                                                                       const char* example);
  // headers = { Name = "v" } / form = { k = "v" }: pairs in written order; an array repeats.
  std::vector<std::pair<std::string, std::string>> pairs(const toml::node& n,
                                                         const std::string& path,
                                                         const char* example);
  HttpAction read_request(const toml::table& t, const toml::node& n);
  ControlAction read_control(const toml::table& t, const toml::node& n);
  const toml::table* table_of(const toml::node& n, const std::string& key, const Keys& allowed,
                              const std::string& example);
  std::optional<std::string> optional_string(const toml::table& t, const std::string& parent,
                                             std::string_view key, const char* expected);
  MailAction read_mail(const toml::node& n);
  FaultAction read_fault(const toml::node& n);
  QuotaAction read_quota(const toml::node& n);
  ExecAction read_exec(const toml::table& t, const toml::node& n);
  JournalAction read_journal(const toml::node& n);

  // ---- expectations -------------------------------------------------------------------------
  static Keys expect_keys(ActionKind k);
  void read_expect(const toml::node& n, ActionKind kind, std::string_view action, Expectations& e);
  std::optional<StatusExpectation> read_status(const toml::node& n);
  static Keys ops_for(MatcherKind k);
  std::vector<Matcher> matchers(const toml::node& n, const std::string& path, MatcherKind kind);
  std::optional<ClientExpectations> read_client(const toml::node& n);

  // ---- captures, retry, loops ---------------------------------------------------------------
  void read_captures(const toml::node& n, ActionKind kind, std::string_view action,
                     std::vector<Capture>& out);
  void read_retry(const toml::node& n, ActionKind kind, std::string_view action, Step& s);
  // `when = { seen = 405, profile = ["piste", "rfc"] }`: variable names, each with a value or a
  // list of values (strings, integers or booleans, compared as text).
  void read_when(const toml::node& n,
                 std::vector<std::pair<std::string, std::vector<std::string>>>& when);
  void read_for_each(const toml::node& n, const Scope& scope, std::vector<Row>& rows);

  // ---- names --------------------------------------------------------------------------------
  static std::string default_name(const Action& action);

 private:
  std::string dir_;
  Context& ctx_;
  std::vector<SourceLocation> used_from_;
};

}  // namespace pistesim::scenario::loading
