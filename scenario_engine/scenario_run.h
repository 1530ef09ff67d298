// One run of a scenario (runner.h's run_scenario): the steps, their attempts and the
// variables. Its perform() overloads live in a file per action family: runner_http.cpp,
// runner_simulator.cpp, runner_exec.cpp, runner_journal.cpp. Internal to scenario_engine.
#pragma once

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

namespace pistesim::scenario::running {

using SteadyClock = std::chrono::steady_clock;

inline int64_t micros_since(SteadyClock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t0).count();
}

// A value as text: strings as they are, anything else as JSON.
inline std::string as_text(const Value& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

inline std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Variables whose name says they hold a secret are hidden wherever their value appears:
// "client_secret", "access_token", "token", "new_password" — but not "token_scope" or
// "token_type", which only describe one.
inline bool names_a_secret(const std::string& variable) {
  std::string n = lower(variable);
  for (std::string_view word : {"secret", "token", "password", "session"})
    if (n.ends_with(word)) return true;
  return n.find("secret") != std::string::npos || n.find("password") != std::string::npos;
}

// The last `max` bytes of an output, marked when cut.
inline std::string tail(const std::string& text, size_t max = 4096) {
  if (text.size() <= max) return text;
  size_t from = text.size() - max;
  while (from < text.size() && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) ++from;
  return "…" + text.substr(from);
}

// The fields of a finished step that may show secrets, for the last redaction pass.
inline void redact_step(StepResult& s, const Redactor& r) {
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

inline std::string describe(const AssertionResult& a) {
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
  ScenarioRun(const Scenario& scenario, Target& target);
  ~ScenarioRun();
  ScenarioResult run();

 private:
  // The base URLs, then the scenario's [vars], which may refer to each other in any order.
  Result<void> init_variables();
  void set_variable(const std::string& name, Value value);
  static std::string row_text(const std::map<std::string, Value>& row);
  void run_step(const Step& step, const std::map<std::string, Value>* row, StepResult& sr);

  // ---- One attempt --------------------------------------------------------------------------
  Attempt execute(const Step& step, const Variables& vars);
  // Renders a template; on failure the attempt is an error naming what was rendered.
  std::optional<std::string> render_or_error(std::string_view text, const Variables& vars,
                                             const std::string& what, Attempt& a);
  std::optional<Value> render_value_or_error(const Value& v, const Variables& vars,
                                             const std::string& what, Attempt& a);
  // Sends and records one exchange; the observation's response stays empty on no answer.
  Observation exchange(const std::string& method, const std::string& url, Request request,
                       Attempt& a);
  // A control-API call with a JSON body (null: none).
  Observation control_call(const std::string& method, const std::string& path, const Value& body,
                           Attempt& a, const Headers& extra = {});
  // Expectations, then captures. `implicit_2xx`: operator levers and portal set-up steps must
  // succeed unless the step says which status it expects.
  void judge(const Step& step, const Observation& seen, const Variables& vars, Attempt& a,
             bool implicit_2xx);
  void capture(const Step& step, const Observation& seen, Attempt& a);

  // ---- Actions ------------------------------------------------------------------------------
  void perform(const Step& step, const HttpAction& h, const Variables& vars, Attempt& a);
  void perform(const Step& step, const ControlAction& c, const Variables& vars, Attempt& a);
  void perform(const Step& step, const MailAction& m, const Variables& vars, Attempt& a);
  void perform(const Step& step, const ClockAction& c, const Variables& vars, Attempt& a);
  void perform(const Step& step, const FaultAction& f, const Variables& vars, Attempt& a);
  void perform(const Step& step, const QuotaAction& q, const Variables& vars, Attempt& a);
  void perform(const Step& step, const ExecAction& e, const Variables& vars, Attempt& a);
  void perform(const Step&, const WaitAction& w, const Variables&, Attempt& a);
  void perform(const Step& step, const JournalAction& j, const Variables& vars, Attempt& a);
  void perform(const Step&, const MarkAction& m, const Variables&, Attempt& a);
  void perform(const Step&, const SleepAction& s, const Variables& vars, Attempt& a);
  void perform(const Step&, const ResetAction&, const Variables&, Attempt& a);

  // ---- exec ---------------------------------------------------------------------------------
  std::string scenario_dir() const;
  bool prepare_exec(const ExecAction& e, const Variables& vars, ProcessSpec& spec, Attempt& a);
  // The client id, secret and API key of an application, read through the control API as its
  // owner would see them on the portal (« Consulter le secret »).
  std::optional<Credentials> credentials(const std::string& app,
                                         const std::optional<std::string>& client_id, Attempt& a);
  static Observation observe(const ProcessResult& p);
  void judge_process(const Step& step, const ProcessResult& p, int64_t timeout_ms,
                     const Variables& vars, Attempt& a);
  const Scenario& scenario_;
  Target& target_;
  Variables vars_;
  Redactor redactor_;
  std::map<std::string, uint64_t> marks_;
  std::map<std::string, std::unique_ptr<BackgroundRun>> background_;
  std::set<std::string> joined_;
};

}  // namespace pistesim::scenario::running
