// The scenario loader's actions: request, control, mail, fault, quota, exec, journal …
// (loader_reader.h).
#include "scenario_engine/loader_reader.h"

namespace pistesim::scenario::loading {

ActionKind Reader::read_action(const toml::table& t, std::string_view key, const toml::node& n,
                               Step& s) {
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
  if (reset && !*reset) error(n, "« reset » must be true (reset = true); remove the step instead");
  s.action = ResetAction{};
  return ActionKind::Reset;
}

std::optional<std::pair<std::string, std::string>> Reader::method_and_target(const toml::node& n,
                                                                             const char* key,
                                                                             const char* example) {
  std::string form = std::string("\"METHOD ") + (std::string(key) == "request" ? "URL" : "/path") +
                     "\", e.g. \"" + example + "\"";
  auto s = string(n, key, form.c_str());
  if (!s) return std::nullopt;
  std::string text(trim_blanks(*s));
  size_t sp = text.find_first_of(" \t");
  std::string method = text.substr(0, sp);
  std::string target = sp == std::string::npos ? "" : std::string(trim_blanks(text.substr(sp)));
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

std::vector<std::pair<std::string, std::string>> Reader::pairs(const toml::node& n,
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

HttpAction Reader::read_request(const toml::table& t, const toml::node& n) {
  HttpAction a;
  if (auto mt = method_and_target(n, "request", "POST {{sandbox_oauth}}/api/oauth/token")) {
    a.method = mt->first;
    a.url = mt->second;
    if (!a.url.starts_with("{{") && !a.url.starts_with("http://") && !a.url.starts_with("https://"))
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

ControlAction Reader::read_control(const toml::table& t, const toml::node& n) {
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
      error(*j, "« json » of a control step must be a table ({ email = \"…\" }) or an array, not " +
                    std::string(toml_type_name(*j)));
    else if (auto v = value(*j, "json"))
      a.json = std::move(*v);
  }
  if (const toml::node* u = t.get("as")) a.as_user = string(*u, "as", "a user's e-mail");
  if (const toml::node* s = t.get("session"))
    a.session = string(*s, "session", "a session such as \"{{session}}\"");
  return a;
}

const toml::table* Reader::table_of(const toml::node& n, const std::string& key,
                                    const Keys& allowed, const std::string& example) {
  const toml::table* t = n.as_table();
  if (!t) {
    error(n, q(key) + " must be a table such as " + example + ", not " + toml_type_name(n));
    return nullptr;
  }
  check_keys(*t, allowed, q(key));
  return t;
}

std::optional<std::string> Reader::optional_string(const toml::table& t, const std::string& parent,
                                                   std::string_view key, const char* expected) {
  const toml::node* n = t.get(key);
  if (!n) return std::nullopt;
  return string(*n, parent + "." + std::string(key), expected);
}

MailAction Reader::read_mail(const toml::node& n) {
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

FaultAction Reader::read_fault(const toml::node& n) {
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
        error(*s, "« fault.status » applies to kind = \"respond\" only; remove it for " + q(kind));
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
    error(n,
          "« fault » with status = 0 needs latency_ms; expected { status = 0, latency_ms = 200 }");
  return a;
}

QuotaAction Reader::read_quota(const toml::node& n) {
  QuotaAction a;
  const toml::table* t = table_of(n, "quota", {"application", "api", "limit", "window"},
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

ExecAction Reader::read_exec(const toml::table& t, const toml::node& n) {
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

JournalAction Reader::read_journal(const toml::node& n) {
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

}  // namespace pistesim::scenario::loading
