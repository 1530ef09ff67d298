#include "scenario_engine/target_clock.h"

#include <nlohmann/json.hpp>

#include <utility>

namespace pistesim::scenario {

namespace {

// "3d 1h 2m 5s" (to the second; "0s" under a second).
std::string span(int64_t ms) {
  int64_t s = (ms < 0 ? -ms : ms) / 1000;
  std::string out;
  constexpr std::pair<const char*, int64_t> kUnits[] = {
      {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}};
  for (auto [unit, size] : kUnits) {
    if (s < size && !(size == 1 && out.empty())) continue;
    out += (out.empty() ? "" : " ") + std::to_string(s / size) + unit;
    s %= size;
  }
  return out;
}

std::optional<Response> control(Target& target, const std::string& method, const std::string& path,
                                const std::string& body, std::string* error) {
  const std::string base = target.base_urls().control;
  if (base.empty()) {
    if (error) *error = "the target has no control API";
    return std::nullopt;
  }
  Request r;
  r.body = body;
  if (!body.empty()) r.headers.add("Content-Type", "application/json");
  std::string why;
  auto answer = target.send(method, base + path, std::move(r), &why);
  if (!answer) {
    if (error) *error = method + " /__pistesim" + path + ": " + why;
    return std::nullopt;
  }
  if (answer->status != 200) {
    if (error)
      *error = method + " /__pistesim" + path + " answered " + std::to_string(answer->status) +
               " " + answer->body;
    return std::nullopt;
  }
  return answer;
}

}  // namespace

std::optional<int64_t> clock_offset(Target& target, std::string* error) {
  auto r = control(target, "GET", "/clock", "", error);
  if (!r) return std::nullopt;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("offset_ms") || !j["offset_ms"].is_number_integer()) {
    if (error) *error = "GET /__pistesim/clock gave no « offset_ms » (an older pistesim?)";
    return std::nullopt;
  }
  return j["offset_ms"].get<int64_t>();
}

bool set_clock_offset(Target& target, int64_t offset_ms, std::string* error) {
  return control(target, "POST", "/clock/reset", nlohmann::json{{"offset_ms", offset_ms}}.dump(),
                 error)
      .has_value();
}

TargetClock::TargetClock(const TargetOptions& options, std::string* note) {
  if (options.url.empty() || !options.control) return;  // embedded: its clock dies with it
  std::string why;
  target_ = make_target(options, &why);
  if (target_) before_ = clock_offset(*target_, &why);
  if (!before_ && note)
    *note = "cannot read the target's clock, so it will not be put back: " + why;
}

std::string TargetClock::restore() {
  if (!before_) return {};
  std::string why;
  auto now = clock_offset(*target_, &why);
  if (now && *now == *before_) return {};
  if (!now || !set_clock_offset(*target_, *before_, &why))
    return "could not put the target's clock back to where the run found it: " + why;
  return std::string("the target's clock was put ") + (*now > *before_ ? "back" : "forward") +
         " by " + span(*now - *before_) + ", where the run found it (--keep-clock leaves it)";
}

}  // namespace pistesim::scenario
