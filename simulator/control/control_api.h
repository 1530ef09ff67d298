// The control API (/__pistesim/…, JSON): what tests, scenarios and people use to drive the
// simulator — clock, quotas, tokens, provider business profiles, application state. Every
// route but /health requires `Authorization: Bearer <admin token>`. Errors are JSON
// {"code": …, "message": …, "message_en": …, "field": …}. Documented in docs/control-api.md.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "wire/http_message.h"

namespace pistesim {

class Simulator;

// `request.path` is relative to /__pistesim ("/clock/advance").
Response handle_control_request(Simulator& sim, const Request& request);

// Every route as {method, pattern} ("PUT", "/applications/{id}/quota"): tests go through all.
std::vector<std::pair<std::string, std::string>> control_routes();

}  // namespace pistesim
