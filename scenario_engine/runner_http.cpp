// The scenario runner's HTTP actions: `request` to the target, `control` to the control API.
#include "scenario_engine/scenario_run.h"

namespace pistesim::scenario::running {

void ScenarioRun::perform(const Step& step, const HttpAction& h, const Variables& vars,
                          Attempt& a) {
  auto url = render_or_error(h.url, vars, "URL", a);
  if (!url) return;
  Request r;
  for (const auto& [name, value] : h.headers) {
    auto n = render_or_error(name, vars, "header name", a);
    auto v = n ? render_or_error(value, vars, "header " + *n, a) : std::nullopt;
    if (!v) return;
    r.headers.add(*n, *v);
  }
  if (h.basic) {
    auto user = render_or_error(h.basic->first, vars, "basic user", a);
    auto password =
        user ? render_or_error(h.basic->second, vars, "basic password", a) : std::nullopt;
    if (!password) return;
    redactor_.add_secret(*password);
    r.headers.add("Authorization", "Basic " + base64_encode(*user + ":" + *password));
  }
  if (h.bearer) {
    auto token = render_or_error(*h.bearer, vars, "bearer", a);
    if (!token) return;
    redactor_.add_secret(*token);
    r.headers.add("Authorization", "Bearer " + *token);
  }
  switch (h.body_kind) {
    case HttpAction::BodyKind::None:
      break;
    case HttpAction::BodyKind::Form: {
      for (const auto& [name, value] : h.form) {
        auto v = render_or_error(value, vars, "form field " + name, a);
        if (!v) return;
        if (!r.body.empty()) r.body += '&';
        r.body += form_encode(name) + "=" + form_encode(*v);
      }
      if (!r.headers.find("Content-Type"))
        r.headers.add("Content-Type", "application/x-www-form-urlencoded");
      break;
    }
    case HttpAction::BodyKind::Json: {
      // A string holds the JSON text itself ('''raw json template''').
      if (h.json.is_string()) {
        auto text = render_or_error(h.json.get<std::string>(), vars, "json body", a);
        if (!text) return;
        r.body = *text;
      } else {
        auto v = render_value_or_error(h.json, vars, "json body", a);
        if (!v) return;
        r.body = v->dump();
      }
      if (!r.headers.find("Content-Type")) r.headers.add("Content-Type", "application/json");
      break;
    }
    case HttpAction::BodyKind::Raw: {
      auto text = render_or_error(h.raw, vars, "body", a);
      if (!text) return;
      r.body = *text;
      break;
    }
  }
  Observation seen = exchange(h.method, *url, std::move(r), a);
  judge(step, seen, vars, a, false);
}

void ScenarioRun::perform(const Step& step, const ControlAction& c, const Variables& vars,
                          Attempt& a) {
  auto path = render_or_error(c.path, vars, "control path", a);
  if (!path) return;
  if (!path->starts_with("/")) *path = "/" + *path;
  auto body = render_value_or_error(c.json, vars, "json body", a);
  if (!body) return;
  Headers extra;
  if (c.as_user) {
    auto user = render_or_error(*c.as_user, vars, "as", a);
    if (!user) return;
    extra.add("X-Pistesim-User", *user);
  }
  if (c.session) {
    auto session = render_or_error(*c.session, vars, "session", a);
    if (!session) return;
    redactor_.add_secret(*session);
    extra.add("X-Pistesim-Session", *session);
  }
  Observation seen = control_call(c.method, *path, *body, a, extra);
  judge(step, seen, vars, a, true);
}

}  // namespace pistesim::scenario::running
