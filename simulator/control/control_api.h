// The control API (/__pistesim/…, JSON): what tests, scenarios and people use to drive the
// simulator — clock, quotas, tokens, provider business profiles, application state. Every
// route but /health requires `Authorization: Bearer <admin token>`. Errors are JSON
// {"code": …, "message": …, "field": …}. Documented in docs/control-api.md.
#pragma once

#include "wire/http_message.h"

namespace pistesim {

class Simulator;

// `request.path` is relative to /__pistesim ("/clock/advance").
Response handle_control_request(Simulator& sim, const Request& request);

}  // namespace pistesim
