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

Result<Response> control(Target& target, const std::string& method, const std::string& path,
                         const std::string& body) {
  const std::string base = target.base_urls().control;
  if (base.empty()) return Error{"the target has no control API"};
  Request r;
  r.body = body;
  if (!body.empty()) r.headers.add("Content-Type", "application/json");
  auto answer = target.send(method, base + path, std::move(r));
  if (!answer) return Error{method + " /__pistesim" + path + ": " + answer.error().message};
  if (answer->status != 200)
    return Error{method + " /__pistesim" + path + " answered " + std::to_string(answer->status) +
                 " " + answer->body};
  return answer;
}

}  // namespace

Result<int64_t> clock_offset(Target& target) {
  auto r = control(target, "GET", "/clock", "");
  if (!r) return r.error();
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("offset_ms") || !j["offset_ms"].is_number_integer())
    return Error{"GET /__pistesim/clock gave no « offset_ms » (an older pistesim?)"};
  return j["offset_ms"].get<int64_t>();
}

Result<void> set_clock_offset(Target& target, int64_t offset_ms) {
  auto r = control(target, "POST", "/clock/reset", nlohmann::json{{"offset_ms", offset_ms}}.dump());
  if (!r) return r.error();
  return {};
}

TargetClock::TargetClock(const TargetOptions& options) {
  if (options.url.empty() || !options.control) return;  // embedded: its clock dies with it
  auto made = make_target(options);
  if (!made) {
    note_ = "cannot read the target's clock, so it will not be put back: " + made.error().message;
    return;
  }
  target_ = std::move(made).value();
  auto offset = clock_offset(*target_);
  if (offset)
    before_ = *offset;
  else
    note_ = "cannot read the target's clock, so it will not be put back: " + offset.error().message;
}

std::string TargetClock::restore() {
  if (!before_) return {};
  auto now = clock_offset(*target_);
  if (now && *now == *before_) return {};
  const std::string failed = "could not put the target's clock back to where the run found it: ";
  if (!now) return failed + now.error().message;
  if (auto set = set_clock_offset(*target_, *before_); !set) return failed + set.error().message;
  return std::string("the target's clock was put ") + (*now > *before_ ? "back" : "forward") +
         " by " + span(*now - *before_) + ", where the run found it (--keep-clock leaves it)";
}

}  // namespace pistesim::scenario
