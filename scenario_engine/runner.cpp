#include "scenario_engine/runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "clock/clock.h"
#include "scenario_engine/assertions.h"
#include "scenario_engine/client_checks.h"
#include "scenario_engine/exec.h"
#include "scenario_engine/redaction.h"
#include "scenario_engine/template.h"
#include "wire/encoding.h"

namespace pistesim::scenario {

namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t micros_since(SteadyClock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t0).count();
}

// A value as text: strings as they are, anything else as JSON.
std::string as_text(const Value& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Variables whose name says they hold a secret are hidden wherever their value appears:
// "client_secret", "access_token", "token", "new_password" — but not "token_scope" or
// "token_type", which only describe one.
bool names_a_secret(const std::string& variable) {
  std::string n = lower(variable);
  for (std::string_view word : {"secret", "token", "password", "session"})
    if (n.ends_with(word)) return true;
  return n.find("secret") != std::string::npos || n.find("password") != std::string::npos;
}

// The last `max` bytes of an output, marked when cut.
std::string tail(const std::string& text, size_t max = 4096) {
  if (text.size() <= max) return text;
  size_t from = text.size() - max;
  while (from < text.size() && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) ++from;
  return "…" + text.substr(from);
}

// The fields of a finished step that may show secrets, for the last redaction pass.
void redact_step(StepResult& s, const Redactor& r) {
  s.message = r.text(s.message);
  for (auto& a : s.assertions) {
    a.expectation = r.text(a.expectation);
    a.actual = r.text(a.actual);
  }
  for (auto& x : s.exchanges) {
    x.url = r.url(x.url);
    x.request_headers = r.headers(x.request_headers);
    x.request_body = r.text(x.request_body);
    x.response_headers = r.headers(x.response_headers);
    x.response_body = r.text(x.response_body);
    x.transport_error = r.text(x.transport_error);
  }
  for (auto& [name, value] : s.captured) value = r.text(value);
  if (s.row) s.row = r.text(*s.row);
  s.output = r.text(s.output);
}

std::string describe(const AssertionResult& a) {
  return a.subject + ": expected " + a.expectation + ", got " + a.actual;
}

// What one attempt of a step produced.
struct Attempt {
  Outcome outcome = Outcome::Passed;
  std::string message;
  std::vector<AssertionResult> assertions;
  std::vector<ExchangeRecord> exchanges;
  std::vector<std::pair<std::string, Value>> captures;  // applied once the step passes
  std::string output;
  // Marks the step sets once it has run (exec: "<name>:start" / ":end").
  std::vector<std::pair<std::string, uint64_t>> marks;

  void error(std::string why) {
    outcome = Outcome::Error;
    message = std::move(why);
  }
  void fail(std::string why) {
    if (outcome == Outcome::Passed) outcome = Outcome::Failed;
    if (message.empty()) message = std::move(why);
  }
};

// The credentials of an application, as an exec'd client gets them.
struct Credentials {
  std::string channel;  // "SANDBOX" | "PRODUCTION"
  std::string client_id;
  std::string client_secret;
  std::string api_key;
};

// A background exec step: its process runs on a thread until a `wait` step joins it.
struct BackgroundRun {
  const Step* step = nullptr;
  Variables vars;  // as the step saw them (its expectations are rendered with them)
  std::thread thread;
  std::atomic<bool> cancel{false};
  ProcessResult result;
  std::optional<uint64_t> end_position;
  std::string command;
};

class ScenarioRun {
 public:
  ScenarioRun(const Scenario& scenario, Target& target) : scenario_(scenario), target_(target) {}

  ~ScenarioRun() {
    for (auto& [name, run] : background_) {
      run->cancel = true;
      if (run->thread.joinable()) run->thread.join();
    }
  }

  ScenarioResult run() {
    const auto t0 = SteadyClock::now();
    ScenarioResult result;
    result.file = scenario_.file;
    result.name = scenario_.name;
    result.description = scenario_.description;
    result.tags = scenario_.tags;
    result.covers = scenario_.covers;

    std::string why;
    if (!init_variables(&why)) {
      result.outcome = Outcome::Error;
      result.message = why;
    } else if (auto start = target_.journal_position(&why)) {
      marks_["start"] = *start;
    } else {
      result.outcome = Outcome::Error;
      result.message = "cannot read the journal position: " + why;
    }

    const bool only_mode = std::any_of(scenario_.steps.begin(), scenario_.steps.end(),
                                       [](const Step& s) { return s.only; });
    std::string stopped_by = result.outcome == Outcome::Error ? result.message : std::string();
    for (const Step& step : scenario_.steps) {
      std::vector<const std::map<std::string, Value>*> rows;
      for (const auto& row : step.rows) rows.push_back(&row);
      if (rows.empty()) rows.push_back(nullptr);
      for (const auto* row : rows) {
        StepResult sr;
        sr.name = step.name;
        sr.action = std::string(action_name(step.action));
        sr.where = step.where;
        if (row) sr.row = row_text(*row);
        if (!stopped_by.empty()) {
          sr.outcome = Outcome::Skipped;
          sr.message = "not run: " + stopped_by;
        } else if (step.skip) {
          sr.outcome = Outcome::Skipped;
          sr.message = *step.skip;
        } else if (only_mode && !step.only) {
          sr.outcome = Outcome::Skipped;
          sr.message = "another step of this scenario is marked only";
        } else {
          run_step(step, row, sr);
          if (sr.outcome == Outcome::Failed || sr.outcome == Outcome::Error)
            stopped_by = "step « " + step.name + " » (" + step.where.to_string() + ") " +
                         std::string(to_string(sr.outcome));
        }
        result.steps.push_back(std::move(sr));
      }
    }

    for (auto& s : result.steps) {
      redact_step(s, redactor_);
      if (s.outcome == Outcome::Error) result.outcome = Outcome::Error;
      if (s.outcome == Outcome::Failed && result.outcome == Outcome::Passed)
        result.outcome = Outcome::Failed;
    }
    if (result.outcome == Outcome::Failed) {
      for (const auto& s : result.steps)
        if (s.outcome == Outcome::Failed) {
          result.message = "step « " + s.name + " » failed: " + s.message;
          break;
        }
    } else if (result.outcome == Outcome::Error && result.message.empty()) {
      for (const auto& s : result.steps)
        if (s.outcome == Outcome::Error) {
          result.message = s.where.to_string() + ": " + s.message;
          break;
        }
    }
    result.message = redactor_.text(result.message);
    result.duration_us = micros_since(t0);
    return result;
  }

 private:
  // The base URLs, then the scenario's [vars], which may refer to each other in any order.
  bool init_variables(std::string* error) {
    BaseUrls urls = target_.base_urls();
    vars_.set("sandbox_oauth", urls.sandbox_oauth);
    vars_.set("sandbox_api", urls.sandbox_api);
    vars_.set("production_oauth", urls.production_oauth);
    vars_.set("production_api", urls.production_api);
    vars_.set("control", urls.control);
    std::string failed, why;
    if (!render_all(
            scenario_.vars, vars_,
            [&](const std::string& name, Value v) { set_variable(name, std::move(v)); }, &failed,
            &why)) {
      *error = "[vars] " + failed + ": " + why;
      return false;
    }
    return true;
  }

  void set_variable(const std::string& name, Value value) {
    if (names_a_secret(name) && value.is_string()) redactor_.add_secret(value.get<std::string>());
    vars_.set(name, std::move(value));
  }

  static std::string row_text(const std::map<std::string, Value>& row) {
    std::string text;
    for (const auto& [k, v] : row) text += (text.empty() ? "" : ", ") + k + "=" + as_text(v);
    return text;
  }

  void run_step(const Step& step, const std::map<std::string, Value>* row, StepResult& sr) {
    const auto t0 = SteadyClock::now();
    Variables vars = vars_;
    if (row) {
      for (const auto& [k, v] : *row) {
        std::string why;
        auto rendered = render_value(v, vars_, &why);
        if (!rendered) {
          sr.outcome = Outcome::Error;
          sr.message = "loop row « " + k + " »: " + why;
          return;
        }
        if (names_a_secret(k) && rendered->is_string())
          redactor_.add_secret(rendered->get<std::string>());
        vars.set(k, std::move(*rendered));
      }
    }
    for (const auto& [name, allowed] : step.when) {
      std::string why;
      auto seen = render("{{" + name + "}}", vars, &why);
      if (!seen) {
        sr.outcome = Outcome::Error;
        sr.message = "when: " + why;
        return;
      }
      if (std::find(allowed.begin(), allowed.end(), *seen) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : " or ") + a;
        sr.outcome = Outcome::Skipped;
        sr.message = "when: " + name + " is « " + excerpt(*seen, 80) + " », not " + list;
        return;
      }
    }
    const auto deadline = t0 + std::chrono::milliseconds(step.retry ? step.retry->deadline_ms : 0);
    Attempt attempt;
    for (int n = 1;; ++n) {
      attempt = execute(step, vars);
      sr.attempts = n;
      if (attempt.outcome != Outcome::Failed || !step.retry) break;
      auto next = SteadyClock::now() + std::chrono::milliseconds(step.retry->interval_ms);
      if (next > deadline) break;
      std::this_thread::sleep_until(next);
    }
    if (attempt.outcome == Outcome::Passed) {
      for (auto& [name, value] : attempt.captures) {
        set_variable(name, value);
        sr.captured.emplace_back(name, excerpt(as_text(value), 512));
      }
      for (auto& [name, position] : attempt.marks) marks_[name] = position;
    }
    sr.outcome = attempt.outcome;
    sr.message = std::move(attempt.message);
    sr.assertions = std::move(attempt.assertions);
    sr.exchanges = std::move(attempt.exchanges);
    sr.output = std::move(attempt.output);
    if (sr.attempts > 1 && sr.outcome == Outcome::Failed)
      sr.message += " (after " + std::to_string(sr.attempts) + " attempts)";
    sr.duration_us = micros_since(t0);
  }

  // ---- One attempt --------------------------------------------------------------------------

  Attempt execute(const Step& step, const Variables& vars) {
    Attempt a;
    std::visit([&](const auto& action) { perform(step, action, vars, a); }, step.action);
    return a;
  }

  // Renders a template; on failure the attempt is an error naming what was rendered.
  std::optional<std::string> render_or_error(std::string_view text, const Variables& vars,
                                             const std::string& what, Attempt& a) {
    std::string why;
    auto out = render(text, vars, &why);
    if (!out) a.error(what + ": " + why);
    return out;
  }
  std::optional<Value> render_value_or_error(const Value& v, const Variables& vars,
                                             const std::string& what, Attempt& a) {
    std::string why;
    auto out = render_value(v, vars, &why);
    if (!out) a.error(what + ": " + why);
    return out;
  }

  // Sends and records one exchange; the observation's response stays empty on no answer.
  Observation exchange(const std::string& method, const std::string& url, Request request,
                       Attempt& a) {
    ExchangeRecord rec;
    rec.method = method;
    rec.url = redactor_.url(url);
    rec.request_headers = redactor_.headers(request.headers);
    rec.request_body = excerpt(redactor_.body(request.body, request.headers.get("Content-Type")));
    const auto t0 = SteadyClock::now();
    std::string why;
    Observation seen;
    seen.response = target_.send(method, url, std::move(request), &why);
    seen.duration_us = micros_since(t0);
    rec.duration_us = seen.duration_us;
    if (seen.response) {
      rec.status = seen.response->status;
      rec.response_headers = redactor_.headers(seen.response->headers);
      rec.response_body =
          excerpt(redactor_.body(seen.response->body, seen.response->content_type()));
    } else {
      rec.transport_error = why;
    }
    a.exchanges.push_back(std::move(rec));
    return seen;
  }

  // A control-API call with a JSON body (null: none).
  Observation control_call(const std::string& method, const std::string& path, const Value& body,
                           Attempt& a, const Headers& extra = {}) {
    Request r;
    for (const auto& h : extra) r.headers.add(h.name, h.value);
    if (!body.is_null()) {
      r.body = body.dump();
      r.headers.add("Content-Type", "application/json");
    }
    return exchange(method, target_.base_urls().control + path, std::move(r), a);
  }

  // Expectations, then captures. `implicit_2xx`: operator levers and portal set-up steps must
  // succeed unless the step says which status it expects.
  void judge(const Step& step, const Observation& seen, const Variables& vars, Attempt& a,
             bool implicit_2xx) {
    if (a.outcome == Outcome::Error) return;
    if (!seen.response && !seen.exit_code) {
      const std::string& why =
          a.exchanges.empty() ? std::string("no answer") : a.exchanges.back().transport_error;
      // `status = 0` is how a scenario expects no answer at all (a dropped connection).
      const auto& status = step.expect.status;
      bool expected =
          status && std::find(status->codes.begin(), status->codes.end(), 0) != status->codes.end();
      if (expected) {
        a.assertions.push_back(
            {"status", "no answer", "no answer (" + why + ")", true, status->where});
      } else {
        a.fail("no answer: " + why);
      }
      return;
    }
    if (implicit_2xx && seen.response && !step.expect.status) {
      int code = seen.response->status;
      AssertionResult r{"status", "2xx", std::to_string(code), code / 100 == 2, step.where};
      if (!r.passed) {
        std::string body = excerpt(seen.response->body, 300);
        if (!body.empty()) r.actual += " " + body;
      }
      a.assertions.push_back(std::move(r));
    }
    for (auto& r : check_expectations(step.expect, seen, vars)) a.assertions.push_back(r);
    for (const auto& r : a.assertions)
      if (!r.passed) {
        a.fail(describe(r));
        return;
      }
    capture(step, seen, a);
  }

  void capture(const Step& step, const Observation& seen, Attempt& a) {
    for (const auto& c : step.captures) {
      std::string why;
      auto value = apply_capture(c, seen, &why);
      if (!value) {
        a.fail("capture « " + c.variable + " » (" + c.where.to_string() + "): " + why);
        return;
      }
      a.captures.emplace_back(c.variable, std::move(*value));
    }
  }

  // ---- Actions ------------------------------------------------------------------------------

  void perform(const Step& step, const HttpAction& h, const Variables& vars, Attempt& a) {
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

  void perform(const Step& step, const ControlAction& c, const Variables& vars, Attempt& a) {
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

  void perform(const Step& step, const MailAction& m, const Variables& vars, Attempt& a) {
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

  void perform(const Step& step, const ClockAction& c, const Variables& vars, Attempt& a) {
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

  void perform(const Step& step, const FaultAction& f, const Variables& vars, Attempt& a) {
    if (f.clear) {
      judge(step, control_call("DELETE", "/faults", nullptr, a), vars, a, true);
      return;
    }
    auto spec = render_value_or_error(f.spec, vars, "fault", a);
    if (!spec) return;
    judge(step, control_call("POST", "/faults", *spec, a), vars, a, true);
  }

  void perform(const Step& step, const QuotaAction& q, const Variables& vars, Attempt& a) {
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

  void perform(const Step& step, const ExecAction& e, const Variables& vars, Attempt& a) {
    ProcessSpec spec;
    if (!prepare_exec(e, vars, spec, a)) return;
    std::string why;
    auto start = target_.journal_position(&why);
    if (!start) {
      a.error("cannot read the journal position: " + why);
      return;
    }
    a.marks.emplace_back(step.name + ":start", *start);
    if (e.background) {
      if (background_.count(step.name)) {
        a.error("a background step named « " + step.name + " » is already running");
        return;
      }
      auto run = std::make_unique<BackgroundRun>();
      run->step = &step;
      run->vars = vars;
      run->command = spec.argv.back();
      BackgroundRun* raw = run.get();
      Target* target = &target_;
      run->thread = std::thread([raw, target, spec = std::move(spec)] {
        raw->result = run_process(spec, &raw->cancel);
        std::string ignored;
        raw->end_position = target->journal_position(&ignored);
      });
      background_[step.name] = std::move(run);
      // Its expectations are judged by the `wait` step that joins it.
      return;
    }
    ProcessResult result = run_process(spec);
    if (auto end = target_.journal_position(&why)) a.marks.emplace_back(step.name + ":end", *end);
    judge_process(step, result, e.timeout_ms, vars, a);
  }

  void perform(const Step&, const WaitAction& w, const Variables&, Attempt& a) {
    auto it = background_.find(w.step);
    if (it == background_.end()) {
      a.error("no background exec step named « " + w.step + " » has started" +
              (joined_.count(w.step) ? " (it was already waited for)" : ""));
      return;
    }
    std::unique_ptr<BackgroundRun> run = std::move(it->second);
    background_.erase(it);
    joined_.insert(w.step);
    if (run->thread.joinable()) run->thread.join();
    if (run->end_position) a.marks.emplace_back(w.step + ":end", *run->end_position);
    const auto& exec = std::get<ExecAction>(run->step->action);
    judge_process(*run->step, run->result, exec.timeout_ms, run->vars, a);
  }

  void perform(const Step& step, const JournalAction& j, const Variables& vars, Attempt& a) {
    auto position = [&](const std::optional<std::string>& mark) -> std::optional<uint64_t> {
      std::string name = mark.value_or("start");
      auto it = marks_.find(name);
      if (it != marks_.end()) return it->second;
      std::string known;
      for (const auto& [k, v] : marks_) known += (known.empty() ? "" : ", ") + k;
      a.error("unknown mark « " + name + " » (marks so far: " + known + ")");
      return std::nullopt;
    };
    auto since = position(j.since);
    if (!since) return;
    std::optional<uint64_t> until;
    if (j.until && !(until = position(j.until))) return;
    std::optional<std::string> app, client_id;
    if (j.application && !(app = render_or_error(*j.application, vars, "application", a))) return;
    if (j.client_id && !(client_id = render_or_error(*j.client_id, vars, "client_id", a))) return;
    if (j.kind && *j.kind != "token" && *j.kind != "api") {
      a.error("journal kind « " + *j.kind + " »: expected token or api");
      return;
    }
    std::string why;
    std::vector<JournalEntry> all = target_.journal(*since, &why);
    if (!why.empty()) {
      a.error("cannot read the journal: " + why);
      return;
    }
    // A client's API calls carry its tokens, not its id: link them through the fetches.
    std::set<std::string> client_tokens;
    if (client_id)
      for (const auto& e : all)
        if (e.kind == JournalKind::Token && e.client_id == *client_id && !e.token_id.empty())
          client_tokens.insert(e.token_id);
    std::vector<JournalEntry> entries;
    nlohmann::json listed = nlohmann::json::array();
    for (auto& e : all) {
      if (until && e.seq > *until) continue;
      if (app && e.application != *app) continue;
      if (j.kind && std::string(to_string(e.kind)) != *j.kind) continue;
      if (client_id && (e.kind == JournalKind::Token ? e.client_id != *client_id
                                                     : !client_tokens.count(e.token_id)))
        continue;
      listed.push_back(journal_entry_json(e));
      entries.push_back(std::move(e));
    }
    Observation seen;
    seen.response = Response{};
    seen.response->headers.set("Content-Type", "application/json");
    seen.response->body = nlohmann::json{{"count", entries.size()}, {"entries", listed}}.dump();
    if (step.expect.client)
      for (auto& r : check_client(*step.expect.client, entries)) a.assertions.push_back(r);
    judge(step, seen, vars, a, false);
  }

  void perform(const Step&, const MarkAction& m, const Variables&, Attempt& a) {
    std::string why;
    auto p = target_.journal_position(&why);
    if (!p) {
      a.error("cannot read the journal position: " + why);
      return;
    }
    a.marks.emplace_back(m.name, *p);
  }

  void perform(const Step&, const SleepAction& s, const Variables& vars, Attempt& a) {
    auto text = render_or_error(s.duration, vars, "sleep", a);
    if (!text) return;
    Millis ms = parse_duration_ms(*text);
    if (ms < 0) {
      a.error("sleep « " + *text + " »: expected a duration such as 500ms or 2s");
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }

  void perform(const Step&, const ResetAction&, const Variables&, Attempt& a) {
    std::string why;
    if (!target_.reset(&why)) a.fail("reset: " + why);
  }

  // ---- exec ---------------------------------------------------------------------------------

  std::string scenario_dir() const {
    std::filesystem::path dir = std::filesystem::path(scenario_.file).parent_path();
    return dir.empty() ? std::string(".") : dir.string();
  }

  bool prepare_exec(const ExecAction& e, const Variables& vars, ProcessSpec& spec, Attempt& a) {
    for (const auto& arg : e.argv) {
      auto v = render_or_error(arg, vars, "exec", a);
      if (!v) return false;
      spec.argv.push_back(std::move(*v));
    }
    if (spec.argv.empty()) {
      a.error("exec: no command");
      return false;
    }
    std::string why;
    BaseUrls urls = target_.socket_urls(&why);
    if (!why.empty()) {
      a.error(why);
      return false;
    }
    std::map<std::string, std::string> env;
    for (const auto& entry : current_environment()) {
      size_t eq = entry.find('=');
      if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    // The runner's own PISTE_* (a developer's real credentials, say) must not leak into a run
    // against the simulator.
    std::erase_if(env, [](const auto& kv) { return kv.first.starts_with("PISTE_"); });
    env["PISTE_SANDBOX_OAUTH_URL"] = urls.sandbox_oauth;
    env["PISTE_SANDBOX_API_URL"] = urls.sandbox_api;
    env["PISTE_PRODUCTION_OAUTH_URL"] = urls.production_oauth;
    env["PISTE_PRODUCTION_API_URL"] = urls.production_api;
    env["PISTESIM_CONTROL_URL"] = urls.control;
    env["PISTESIM_ADMIN_TOKEN"] = target_.admin_token();
    redactor_.add_secret(target_.admin_token());
    std::string channel = "SANDBOX";
    if (e.application) {
      auto app = render_or_error(*e.application, vars, "application", a);
      std::optional<std::string> client;
      if (app && e.client_id) client = render_or_error(*e.client_id, vars, "client_id", a);
      if (!app || (e.client_id && !client)) return false;
      auto creds = credentials(*app, client, a);
      if (!creds) return false;
      channel = creds->channel;
      env["PISTE_CLIENT_ID"] = creds->client_id;
      env["PISTE_CLIENT_SECRET"] = creds->client_secret;
      env["PISTE_API_KEY"] = creds->api_key;
      redactor_.add_secret(creds->client_secret);
    }
    bool production = channel == "PRODUCTION";
    env["PISTE_CHANNEL"] = channel;
    env["PISTE_OAUTH_URL"] = production ? urls.production_oauth : urls.sandbox_oauth;
    env["PISTE_API_URL"] = production ? urls.production_api : urls.sandbox_api;
    env["PISTE_TOKEN_URL"] = env["PISTE_OAUTH_URL"] + "/api/oauth/token";
    for (const auto& [name, value] : e.env) {
      auto v = render_or_error(value, vars, "env " + name, a);
      if (!v) return false;
      if (names_a_secret(name)) redactor_.add_secret(*v);
      env[name] = std::move(*v);
    }
    for (auto& [name, value] : env) spec.env.push_back(name + "=" + value);
    std::filesystem::path cwd =
        e.cwd.empty() ? std::filesystem::path(".") : std::filesystem::path(e.cwd);
    if (cwd.is_relative()) cwd = std::filesystem::path(scenario_dir()) / cwd;
    spec.cwd = cwd.lexically_normal().string();
    if (std::error_code ec; !std::filesystem::is_directory(spec.cwd, ec)) {
      a.error("exec: the working directory " + spec.cwd + " does not exist");
      return false;
    }
    spec.timeout_ms = e.timeout_ms > 0 ? e.timeout_ms : 60000;
    return true;
  }

  // The client id, secret and API key of an application, read through the control API as its
  // owner would see them on the portal (« Consulter le secret »).
  std::optional<Credentials> credentials(const std::string& app,
                                         const std::optional<std::string>& client_id, Attempt& a) {
    std::string id = percent_encode(app);
    auto get = [&](const std::string& path,
                   const std::string& as) -> std::optional<nlohmann::json> {
      Request r;
      if (!as.empty()) r.headers.add("X-Pistesim-User", as);
      std::string why;
      auto resp = target_.send("GET", target_.base_urls().control + path, std::move(r), &why);
      if (!resp) {
        a.error("reading the credentials of « " + app + " »: " + why);
        return std::nullopt;
      }
      auto j = nlohmann::json::parse(resp->body, nullptr, false);
      if (resp->status != 200 || !j.is_object()) {
        std::string code = j.is_object() ? j.value("code", "") : std::string();
        a.error("reading the credentials of « " + app + " »: GET " + path + " answered " +
                std::to_string(resp->status) + (code.empty() ? "" : " " + code));
        return std::nullopt;
      }
      return j;
    };
    auto admin_view = get("/applications/" + id, "");
    if (!admin_view) return std::nullopt;
    Credentials c;
    c.channel = admin_view->value("channel", "SANDBOX");
    std::string owner = admin_view->value("owner", "");
    for (const auto& client : admin_view->value("oauth_clients", nlohmann::json::array())) {
      std::string cid = client.value("client_id", "");
      if (!client_id || cid == *client_id) {
        c.client_id = cid;
        break;
      }
    }
    if (c.client_id.empty()) {
      a.error(client_id ? "application « " + app + " » has no OAuth client « " + *client_id + " »"
                        : "application « " + app + " » has no OAuth client");
      return std::nullopt;
    }
    if (owner.empty()) {
      a.error("application « " + app + " » has no owner to read its secret as");
      return std::nullopt;
    }
    auto portal_view = get("/portal/applications/" + id, owner);
    if (!portal_view) return std::nullopt;
    for (const auto& key : portal_view->value("api_keys", nlohmann::json::array()))
      if (key.value("enabled", false)) {
        c.api_key = key.value("key", "");
        break;
      }
    auto secret = get(
        "/portal/applications/" + id + "/oauth-clients/" + percent_encode(c.client_id) + "/secret",
        owner);
    if (!secret) return std::nullopt;
    c.client_secret = secret->value("client_secret", "");
    return c;
  }

  static Observation observe(const ProcessResult& p) {
    Observation seen;
    seen.exit_code = p.exit_code;
    seen.stdout_text = p.stdout_text;
    seen.stderr_text = p.stderr_text;
    seen.duration_us = p.duration_us;
    return seen;
  }

  void judge_process(const Step& step, const ProcessResult& p, int64_t timeout_ms,
                     const Variables& vars, Attempt& a) {
    std::string out;
    if (!p.stdout_text.empty()) out += "stdout:\n" + tail(p.stdout_text);
    if (!p.stderr_text.empty()) {
      if (!out.empty() && out.back() != '\n') out += '\n';
      out += "stderr:\n" + tail(p.stderr_text);
    }
    a.output = redactor_.text(out);
    if (!p.started) {
      a.error("cannot run the command: " + p.error);
      return;
    }
    if (p.timed_out) {
      a.fail("timed out after " + std::to_string(timeout_ms) + " ms (process group killed)");
      return;
    }
    if (p.cancelled) {
      a.fail("stopped before its end");
      return;
    }
    Observation seen = observe(p);
    // A command that says nothing about its exit status must succeed, as in CI.
    if (!step.expect.exit_code) {
      int code = p.exit_code.value_or(-1);
      a.assertions.push_back(
          {"exit", "equals 0",
           p.signal ? "killed by signal " + std::to_string(p.signal) : std::to_string(code),
           code == 0, step.where});
    }
    judge(step, seen, vars, a, false);
  }

  const Scenario& scenario_;
  Target& target_;
  Variables vars_;
  Redactor redactor_;
  std::map<std::string, uint64_t> marks_;
  std::map<std::string, std::unique_ptr<BackgroundRun>> background_;
  std::set<std::string> joined_;
};

bool selected(const Scenario& s, const RunOptions& options) {
  if (!options.tags.empty() &&
      std::none_of(options.tags.begin(), options.tags.end(), [&](const std::string& t) {
        return std::find(s.tags.begin(), s.tags.end(), t) != s.tags.end();
      }))
    return false;
  if (!options.names.empty() &&
      std::none_of(options.names.begin(), options.names.end(),
                   [&](const std::string& n) { return s.name.find(n) != std::string::npos; }))
    return false;
  return true;
}

ScenarioResult header_of(const Scenario& s, Outcome outcome, std::string message) {
  ScenarioResult r;
  r.file = s.file;
  r.name = s.name;
  r.description = s.description;
  r.tags = s.tags;
  r.covers = s.covers;
  r.outcome = outcome;
  r.message = std::move(message);
  return r;
}

// The world an embedded run of `s` starts from: the scenario's own, resolved against its file's
// directory, or the run's.
std::string world_of(const Scenario& s, const TargetOptions& target) {
  if (s.world.empty() || s.world == "default") return target.world;
  std::filesystem::path p(s.world);
  if (p.is_relative()) p = std::filesystem::path(s.file).parent_path() / p;
  return p.lexically_normal().string();
}

}  // namespace

ScenarioResult run_scenario(const Scenario& scenario, Target& target) {
  ScenarioRun run(scenario, target);
  return run.run();
}

RunSummary run_all(const std::vector<Scenario>& scenarios,
                   const std::vector<ScenarioResult>& load_errors, const RunOptions& options) {
  const auto t0 = SteadyClock::now();
  RunSummary summary;
  const bool remote = !options.target.url.empty();
  summary.target = remote ? options.target.url : "embedded";
  std::mutex report_mutex;
  auto report = [&](const ScenarioResult& r) {
    if (!options.on_scenario) return;
    std::lock_guard lock(report_mutex);
    options.on_scenario(r);
  };
  for (const auto& e : load_errors) report(e);

  std::vector<const Scenario*> chosen;
  for (const auto& s : scenarios)
    if (selected(s, options)) chosen.push_back(&s);
  const bool only_mode =
      std::any_of(chosen.begin(), chosen.end(), [](const Scenario* s) { return s->only; });
  std::vector<ScenarioResult> results(chosen.size());

  // Scenarios that do not run at all; nullopt for those that do.
  auto not_run = [&](const Scenario& s) -> std::optional<ScenarioResult> {
    if (s.skip) return header_of(s, Outcome::Skipped, *s.skip);
    if (only_mode && !s.only)
      return header_of(s, Outcome::Skipped, "another scenario is marked only");
    return std::nullopt;
  };

  if (remote) {
    std::string why;
    std::unique_ptr<Target> target = make_target(options.target, &why);
    if (target) summary.target = target->description();
    for (size_t i = 0; i < chosen.size(); ++i) {
      const Scenario& s = *chosen[i];
      const auto started = SteadyClock::now();
      if (auto r = not_run(s)) {
        results[i] = std::move(*r);
      } else if (!target) {
        results[i] = header_of(s, Outcome::Error, why);
      } else if (std::string reset_error; !target->reset(&reset_error)) {
        results[i] = header_of(s, Outcome::Error, "cannot reset the target: " + reset_error);
      } else {
        results[i] = run_scenario(s, *target);
      }
      if (results[i].duration_us == 0) results[i].duration_us = micros_since(started);
      report(results[i]);
    }
  } else {
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t i = next++; i < chosen.size(); i = next++) {
        const Scenario& s = *chosen[i];
        const auto started = SteadyClock::now();
        if (auto r = not_run(s)) {
          results[i] = std::move(*r);
        } else {
          TargetOptions to = options.target;
          to.world = world_of(s, options.target);
          std::string why;
          if (auto target = make_target(to, &why)) {
            results[i] = run_scenario(s, *target);
          } else {
            results[i] = header_of(s, Outcome::Error, why);
          }
        }
        if (results[i].duration_us == 0) results[i].duration_us = micros_since(started);
        report(results[i]);
      }
    };
    size_t jobs = std::clamp<size_t>(options.jobs, 1, std::max<size_t>(chosen.size(), 1));
    std::vector<std::thread> pool;
    for (size_t j = 1; j < jobs; ++j) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
  }

  summary.scenarios = load_errors;
  for (auto& r : results) summary.scenarios.push_back(std::move(r));
  std::stable_sort(
      summary.scenarios.begin(), summary.scenarios.end(),
      [](const ScenarioResult& a, const ScenarioResult& b) { return a.file < b.file; });
  summary.duration_us = micros_since(t0);
  return summary;
}

}  // namespace pistesim::scenario
