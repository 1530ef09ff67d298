// The scenario loader's expectations: the `expect` tables of each kind of step and their
// matchers (loader_reader.h).
#include "scenario_engine/loader_reader.h"

namespace pistesim::scenario::loading {

Keys Reader::expect_keys(ActionKind k) {
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

void Reader::read_expect(const toml::node& n, ActionKind kind, std::string_view action,
                         Expectations& e) {
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
        error(k.source(), "unknown key " + q(key) + " in « expect »;" + did_you_mean(key, allowed) +
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

std::optional<StatusExpectation> Reader::read_status(const toml::node& n) {
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

Keys Reader::ops_for(MatcherKind k) {
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

std::vector<Matcher> Reader::matchers(const toml::node& n, const std::string& path,
                                      MatcherKind kind) {
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

std::optional<ClientExpectations> Reader::read_client(const toml::node& n) {
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

}  // namespace pistesim::scenario::loading
