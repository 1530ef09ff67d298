// The scenario runner's simulator controls: mail, clock, faults, quotas, reset, sleep.
#include "scenario_engine/scenario_run.h"

namespace pistesim::scenario::running {

void ScenarioRun::perform(const Step& step, const MailAction& m, const Variables& vars,
                          Attempt& a) {
  std::string query;
  std::optional<std::string> subject, follow;
  auto add = [&](const char* name, const std::optional<std::string>& value) {
    if (!value) return true;
    auto v = render_or_error(*value, vars, std::string("mail ") + name, a);
    if (!v) return false;
    query += (query.empty() ? "?" : "&") + std::string(name) + "=" + form_encode(*v);
    return true;
  };
  if (!add("to", m.to) || !add("kind", m.kind)) return;
  if (m.subject_contains && !(subject = render_or_error(*m.subject_contains, vars, "subject", a)))
    return;
  if (m.follow && !(follow = render_or_error(*m.follow, vars, "follow", a))) return;

  Observation list = control_call("GET", "/mail" + query, nullptr, a);
  if (!list.response || list.response->status != 200) {
    judge(step, list, vars, a, true);
    return;
  }
  auto mails = nlohmann::json::parse(list.response->body, nullptr, false);
  if (!mails.is_array()) {
    a.error("the mailbox answer is not a list of e-mails");
    return;
  }
  const nlohmann::json* newest = nullptr;
  for (const auto& mail : mails) {
    if (subject && mail.value("subject", "").find(*subject) == std::string::npos) continue;
    newest = &mail;  // oldest first: the last match is the newest
  }
  if (!newest) {
    std::string what = query.empty() ? "any address" : query.substr(1);
    if (subject) what += ", subject containing « " + *subject + " »";
    a.fail("no e-mail matches (" + what + ")");
    return;
  }
  Observation seen;
  seen.duration_us = list.duration_us;
  seen.response = Response{};
  seen.response->headers.set("Content-Type", "application/json");
  seen.response->body = newest->dump();
  if (follow) {
    std::string link;
    for (const auto& l : newest->value("links", nlohmann::json::array()))
      if (l.value("label", "").find(*follow) != std::string::npos ||
          l.value("url", "").find(*follow) != std::string::npos) {
        link = l.value("url", "");
        break;
      }
    if (link.empty()) {
      a.fail("the e-mail « " + newest->value("subject", "") + " » has no link matching « " +
             *follow + " »");
      return;
    }
    seen = exchange("GET", link, Request{}, a);
  }
  judge(step, seen, vars, a, follow.has_value());
}

void ScenarioRun::perform(const Step& step, const ClockAction& c, const Variables& vars,
                          Attempt& a) {
  auto by = render_or_error(c.advance, vars, "advance", a);
  if (!by) return;
  if (by->starts_with("to ")) {
    const std::string time = by->substr(3);
    if (parse_time_of_day_ms(time) < 0) {
      a.error("advance « " + *by + " »: expected \"to HH:MM\" or \"to HH:MM:SS\" (Europe/Paris)");
      return;
    }
    judge(step, control_call("POST", "/clock/advance", {{"to", time}}, a), vars, a, true);
    return;
  }
  if (parse_duration_ms(*by) < 0) {
    a.error("advance « " + *by + " »: expected a duration such as 3601s, 90m, 1h30m, 2d");
    return;
  }
  judge(step, control_call("POST", "/clock/advance", {{"by", *by}}, a), vars, a, true);
}

void ScenarioRun::perform(const Step& step, const FaultAction& f, const Variables& vars,
                          Attempt& a) {
  if (f.clear) {
    judge(step, control_call("DELETE", "/faults", nullptr, a), vars, a, true);
    return;
  }
  auto spec = render_value_or_error(f.spec, vars, "fault", a);
  if (!spec) return;
  judge(step, control_call("POST", "/faults", *spec, a), vars, a, true);
}

void ScenarioRun::perform(const Step& step, const QuotaAction& q, const Variables& vars,
                          Attempt& a) {
  auto app = render_or_error(q.application, vars, "quota application", a);
  if (!app) return;
  std::optional<std::string> api;
  if (q.api && !(api = render_or_error(*q.api, vars, "quota api", a))) return;
  nlohmann::json body = nlohmann::json::object();
  if (api) body["api"] = *api;
  std::string path = "/applications/" + percent_encode(*app) + "/quota";
  if (q.limit) {
    body["limit"] = *q.limit;
    body["window"] = q.window;
    judge(step, control_call("PUT", path, body, a), vars, a, true);
  } else {
    judge(step, control_call("DELETE", path, body, a), vars, a, true);
  }
}

void ScenarioRun::perform(const Step&, const SleepAction& s, const Variables& vars, Attempt& a) {
  auto text = render_or_error(s.duration, vars, "sleep", a);
  if (!text) return;
  Millis ms = parse_duration_ms(*text);
  if (ms < 0) {
    a.error("sleep « " + *text + " »: expected a duration such as 500ms or 2s");
    return;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

void ScenarioRun::perform(const Step&, const ResetAction&, const Variables&, Attempt& a) {
  if (auto reset = target_.reset(); !reset) a.fail("reset: " + reset.error().message);
}

}  // namespace pistesim::scenario::running
