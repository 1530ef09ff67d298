// The control API (/__pistesim/…, JSON): what tests, scenarios and people use to drive the
// simulator — clock, quotas, tokens, provider business profiles, application state. Every
// route but /health requires `Authorization: Bearer <admin token>`. Errors are JSON
// {"code": …, "message": …, "message_en": …, "field": …}. Documented in docs/control-api.md.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/simulator.h"
#include "wire/http_message.h"

namespace pistesim {

// `request.path` is relative to /__pistesim ("/clock/advance").
Response handle_control_request(Simulator& sim, const Request& request);

// The simulator with its control API, as `pistesim serve` and the embedded targets answer:
// Endpoint::Control goes to the control API (a change that cannot be saved is a 503), every
// other endpoint to the simulator; a request for none gets the portal's and the console's pages
// (web/static_assets.h) or a 404. By value, as Simulator::handle(Request).
Response serve_request(Simulator& sim, Request request);
Response serve_request(Simulator& sim, Endpoint endpoint, const Request& request);

// Every route as {method, pattern} ("PUT", "/applications/{id}/quota"): tests go through all.
std::vector<std::pair<std::string, std::string>> control_routes();

// The route table itself (control/router.h), for tests that read what each route declares.
class Router;
const Router& control_router();

// The control API's OpenAPI 3.1 description (docs/openapi.json as compiled in), served at
// GET /__pistesim/openapi.json.
std::string_view control_api_openapi();

}  // namespace pistesim
