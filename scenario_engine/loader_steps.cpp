// The scenario loader's steps: one action each, `use` of step libraries, options, captures,
// retries, loops and step names (loader_reader.h).
#include "scenario_engine/loader_reader.h"

namespace pistesim::scenario::loading {

void Reader::read_steps(const toml::table& root, const Scope& scope, std::vector<Step>& out) {
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

void Reader::read_step(const toml::table& t, const Scope& scope, std::vector<Step>& out) {
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

void Reader::read_use(const toml::table& t, const toml::node& use, const Scope& scope,
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

Value Reader::bind(const Value& v, const Variables& outer) {
  if (v.is_string()) return Value(substitute_known(v.get<std::string>(), outer));
  if (v.is_array() || v.is_object()) {
    Value out = v;
    for (auto& el : out) el = bind(el, outer);
    return out;
  }
  return v;
}

void Reader::check_options(const toml::table& t, std::string_view action) {
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

void Reader::read_captures(const toml::node& n, ActionKind kind, std::string_view action,
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
        error(ck.source(), q(path + "." + std::string(key)) + " does not apply to a " + q(action) +
                               " step; expected one of: " + join_names(sources));
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
      auto s =
          string(sv, path + ".regex", "a regular expression such as \"code=(\\\\w+)\"", true, true);
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
        bool valid =
            exec ? *s == "stdout" : (*s == "body" || (s->starts_with("header:") && s->size() > 7));
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

void Reader::read_retry(const toml::node& n, ActionKind kind, std::string_view action, Step& s) {
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

void Reader::read_when(const toml::node& n,
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

void Reader::read_for_each(const toml::node& n, const Scope& scope, std::vector<Row>& rows) {
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

std::string Reader::default_name(const Action& action) {
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

}  // namespace pistesim::scenario::loading
