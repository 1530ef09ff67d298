#include "scenario_engine/runner.h"

#include "scenario_engine/scenario_run.h"

namespace pistesim::scenario {

namespace running {

ScenarioRun::ScenarioRun(const Scenario& scenario, Target& target)
    : scenario_(scenario), target_(target) {}

ScenarioRun::~ScenarioRun() {
  for (auto& [name, run] : background_) {
    run->cancel = true;
    if (run->thread.joinable()) run->thread.join();
  }
}

// A result that names its scenario (what every outcome reports), before any step ran.
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

ScenarioResult ScenarioRun::run() {
  const auto t0 = SteadyClock::now();
  ScenarioResult result = header_of(scenario_, Outcome::Passed, "");

  if (auto vars = init_variables(); !vars) {
    result.outcome = Outcome::Error;
    result.message = vars.error().message;
  } else if (auto start = target_.journal_position()) {
    marks_["start"] = *start;
  } else {
    result.outcome = Outcome::Error;
    result.message = "cannot read the journal position: " + start.error().message;
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

Result<void> ScenarioRun::init_variables() {
  BaseUrls urls = target_.base_urls();
  vars_.set("sandbox_oauth", urls.sandbox_oauth);
  vars_.set("sandbox_api", urls.sandbox_api);
  vars_.set("production_oauth", urls.production_oauth);
  vars_.set("production_api", urls.production_api);
  vars_.set("control", urls.control);
  auto all = render_all(scenario_.vars, vars_, [&](const std::string& name, Value v) {
    set_variable(name, std::move(v));
  });
  if (!all) return Error{"[vars] " + all.error().name + ": " + all.error().reason};
  return {};
}

void ScenarioRun::set_variable(const std::string& name, Value value) {
  if (names_a_secret(name) && value.is_string()) redactor_.add_secret(value.get<std::string>());
  vars_.set(name, std::move(value));
}

std::string ScenarioRun::row_text(const std::map<std::string, Value>& row) {
  std::string text;
  for (const auto& [k, v] : row) text += (text.empty() ? "" : ", ") + k + "=" + as_text(v);
  return text;
}

void ScenarioRun::run_step(const Step& step, const std::map<std::string, Value>* row,
                           StepResult& sr) {
  const auto t0 = SteadyClock::now();
  Variables vars = vars_;
  if (row) {
    for (const auto& [k, v] : *row) {
      auto rendered = render_value(v, vars_);
      if (!rendered) {
        sr.outcome = Outcome::Error;
        sr.message = "loop row « " + k + " »: " + rendered.error().message;
        return;
      }
      if (names_a_secret(k) && rendered->is_string())
        redactor_.add_secret(rendered->get<std::string>());
      vars.set(k, std::move(*rendered));
    }
  }
  for (const auto& [name, allowed] : step.when) {
    auto seen = render("{{" + name + "}}", vars);
    if (!seen) {
      sr.outcome = Outcome::Error;
      sr.message = "when: " + seen.error().message;
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

Attempt ScenarioRun::execute(const Step& step, const Variables& vars) {
  Attempt a;
  std::visit([&](const auto& action) { perform(step, action, vars, a); }, step.action);
  return a;
}

std::optional<std::string> ScenarioRun::render_or_error(std::string_view text,
                                                        const Variables& vars,
                                                        const std::string& what, Attempt& a) {
  auto out = render(text, vars);
  if (!out) {
    a.error(what + ": " + out.error().message);
    return std::nullopt;
  }
  return std::move(*out);
}

std::optional<Value> ScenarioRun::render_value_or_error(const Value& v, const Variables& vars,
                                                        const std::string& what, Attempt& a) {
  auto out = render_value(v, vars);
  if (!out) {
    a.error(what + ": " + out.error().message);
    return std::nullopt;
  }
  return std::move(*out);
}

Observation ScenarioRun::exchange(const std::string& method, const std::string& url,
                                  Request request, Attempt& a) {
  ExchangeRecord rec;
  rec.method = method;
  rec.url = redactor_.url(url);
  rec.request_headers = redactor_.headers(request.headers);
  rec.request_body = excerpt(redactor_.body(request.body, request.headers.get("Content-Type")));
  const auto t0 = SteadyClock::now();
  Observation seen;
  auto answer = target_.send(method, url, std::move(request));
  seen.duration_us = micros_since(t0);
  if (answer) seen.response = std::move(*answer);
  rec.duration_us = seen.duration_us;
  if (seen.response) {
    rec.status = seen.response->status;
    rec.response_headers = redactor_.headers(seen.response->headers);
    rec.response_body = excerpt(redactor_.body(seen.response->body, seen.response->content_type()));
  } else {
    rec.transport_error = answer.error().message;
  }
  a.exchanges.push_back(std::move(rec));
  return seen;
}

Observation ScenarioRun::control_call(const std::string& method, const std::string& path,
                                      const Value& body, Attempt& a, const Headers& extra) {
  Request r;
  for (const auto& h : extra) r.headers.add(h.name, h.value);
  if (!body.is_null()) {
    r.body = body.dump();
    r.headers.add("Content-Type", "application/json");
  }
  return exchange(method, target_.base_urls().control + path, std::move(r), a);
}

void ScenarioRun::judge(const Step& step, const Observation& seen, const Variables& vars,
                        Attempt& a, bool implicit_2xx) {
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

void ScenarioRun::capture(const Step& step, const Observation& seen, Attempt& a) {
  for (const auto& c : step.captures) {
    auto value = apply_capture(c, seen);
    if (!value) {
      a.fail("capture « " + c.variable + " » (" + c.where.to_string() +
             "): " + value.error().message);
      return;
    }
    a.captures.emplace_back(c.variable, std::move(*value));
  }
}

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

// The world an embedded run of `s` starts from: the scenario's own, resolved against its file's
// directory, or the run's.
std::string world_of(const Scenario& s, const TargetOptions& target) {
  if (s.world.empty() || s.world == "default") return target.world;
  std::filesystem::path p(s.world);
  if (p.is_relative()) p = std::filesystem::path(s.file).parent_path() / p;
  return p.lexically_normal().string();
}

}  // namespace running

using namespace running;

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
    auto made = make_target(options.target);
    Target* target = made ? made->get() : nullptr;
    if (target) summary.target = target->description();
    for (size_t i = 0; i < chosen.size(); ++i) {
      const Scenario& s = *chosen[i];
      const auto started = SteadyClock::now();
      if (auto r = not_run(s)) {
        results[i] = std::move(*r);
      } else if (!target) {
        results[i] = header_of(s, Outcome::Error, made.error().message);
      } else if (auto reset = target->reset(); !reset) {
        results[i] =
            header_of(s, Outcome::Error, "cannot reset the target: " + reset.error().message);
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
          if (auto target = make_target(to)) {
            results[i] = run_scenario(s, **target);
          } else {
            results[i] = header_of(s, Outcome::Error, target.error().message);
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
