// How a load run is told: a terminal summary, a live progress line, the JSON result (with its
// verdict; `pistesim load merge` reads it back) and a self-contained HTML page whose plots show
// at a glance whether quotas held. No report ever contains a secret or a token.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "loadgen/load_result.h"
#include "loadgen/runner.h"

namespace pistesim::loadgen {

std::string text_summary(const LoadResult& r, const Verdict& v);
// One line, no newline: "  12.0 s  sent 240 012  done 240 000 (19 998/s)  429: 0  errors: 0".
std::string progress_line(const Progress& p, double offered_rate);
// The result's JSON plus "verdict".
nlohmann::json report_json(const LoadResult& r, const Verdict& v);
std::string html_report(const LoadResult& r, const Verdict& v);

}  // namespace pistesim::loadgen
