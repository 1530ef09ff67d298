// The whole RunSummary as JSON, for tools. Key names are stable (a change bumps "version"):
//
// { "format": "pistesim-run", "version": 1,
//   "target": "embedded" | URL, "duration_us": int, "exit_code": 0|1|2,
//   "counts": { "total", "passed", "failed", "skipped", "error" },
//   "scenarios": [ {
//     "file", "name", "description", "tags": [str], "covers": [str],
//     "outcome": "passed"|"failed"|"skipped"|"error", "message", "duration_us",
//     "steps": [ {
//       "name", "action", "where": { "file", "line", "column" }, "outcome", "message",
//       "attempts", "row": str|null, "output", "duration_us",
//       "assertions": [ { "subject", "expectation", "actual", "passed", "where" } ],
//       "exchanges": [ { "method", "url", "request_headers": [ { "name", "value" } ],
//                        "request_body", "status": int|null, "response_headers",
//                        "response_body", "transport_error", "duration_us" } ],
//       "captured": [ { "variable", "value" } ] } ] } ] }
//
// Every key is always present (empty strings and lists included) so consumers need no
// existence checks. Strings are kept as recorded; bytes that are not UTF-8 become U+FFFD.
#include <nlohmann/json.hpp>

#include "scenario_engine/reporters/reporters.h"

namespace pistesim::scenario {

namespace {

using Json = nlohmann::ordered_json;

Json location(const SourceLocation& w) {
  return Json{{"file", w.file}, {"line", w.line}, {"column", w.column}};
}

Json headers(const Headers& hs) {
  Json out = Json::array();
  for (const auto& h : hs) out.push_back(Json{{"name", h.name}, {"value", h.value}});
  return out;
}

Json exchange(const ExchangeRecord& x) {
  return Json{{"method", x.method},
              {"url", x.url},
              {"request_headers", headers(x.request_headers)},
              {"request_body", x.request_body},
              {"status", x.status ? Json(*x.status) : Json(nullptr)},
              {"response_headers", headers(x.response_headers)},
              {"response_body", x.response_body},
              {"transport_error", x.transport_error},
              {"duration_us", x.duration_us}};
}

Json step(const StepResult& s) {
  Json assertions = Json::array();
  for (const auto& a : s.assertions)
    assertions.push_back(Json{{"subject", a.subject},
                              {"expectation", a.expectation},
                              {"actual", a.actual},
                              {"passed", a.passed},
                              {"where", location(a.where)}});
  Json exchanges = Json::array();
  for (const auto& x : s.exchanges) exchanges.push_back(exchange(x));
  Json captured = Json::array();
  for (const auto& [variable, value] : s.captured)
    captured.push_back(Json{{"variable", variable}, {"value", value}});
  return Json{{"name", s.name},
              {"action", s.action},
              {"where", location(s.where)},
              {"outcome", to_string(s.outcome)},
              {"message", s.message},
              {"attempts", s.attempts},
              {"row", s.row ? Json(*s.row) : Json(nullptr)},
              {"output", s.output},
              {"duration_us", s.duration_us},
              {"assertions", std::move(assertions)},
              {"exchanges", std::move(exchanges)},
              {"captured", std::move(captured)}};
}

Json scenario(const ScenarioResult& s) {
  Json steps = Json::array();
  for (const auto& st : s.steps) steps.push_back(step(st));
  return Json{{"file", s.file},
              {"name", s.name},
              {"description", s.description},
              {"tags", s.tags},
              {"covers", s.covers},
              {"outcome", to_string(s.outcome)},
              {"message", s.message},
              {"duration_us", s.duration_us},
              {"steps", std::move(steps)}};
}

}  // namespace

void write_json_report(std::ostream& out, const RunSummary& run) {
  Json scenarios = Json::array();
  for (const auto& s : run.scenarios) scenarios.push_back(scenario(s));
  Json doc{{"format", "pistesim-run"},
           {"version", 1},
           {"target", run.target},
           {"duration_us", run.duration_us},
           {"exit_code", run.exit_code()},
           {"counts",
            {{"total", run.scenarios.size()},
             {"passed", run.count(Outcome::Passed)},
             {"failed", run.count(Outcome::Failed)},
             {"skipped", run.count(Outcome::Skipped)},
             {"error", run.count(Outcome::Error)}}},
           {"scenarios", std::move(scenarios)}};
  out << doc.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}

}  // namespace pistesim::scenario
