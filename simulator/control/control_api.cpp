#include "control/control_api.h"

#include "control/router.h"
#include "web/static_assets.h"

namespace pistesim {

namespace {

Router build_router() {
  Router r;
  register_simulator_routes(r);
  register_application_admin_routes(r);
  register_account_routes(r);
  register_portal_application_routes(r);
  register_access_request_routes(r);
  register_administration_routes(r);
  register_chorus_pro_routes(r);
  register_mail_routes(r);
  register_world_routes(r);
  register_journal_routes(r);
  register_openapi_routes(r);
  register_browser_session_routes(r);
  return r;
}

}  // namespace

const Router& control_router() {
  static const Router r = build_router();
  return r;
}

Response handle_control_request(Simulator& sim, const Request& request) {
  return control_router().dispatch(sim, request);
}

Response serve_request(Simulator& sim, Request request) {
  auto endpoint = Simulator::route(request);
  if (endpoint) return serve_request(sim, *endpoint, request);
  // No PISTE endpoint: the portal's and the console's pages, if the path names one.
  if (auto page = serve_asset(request)) return std::move(*page);
  return Simulator::not_found();
}

Response serve_request(Simulator& sim, Endpoint endpoint, const Request& request) {
  if (endpoint != Endpoint::Control) return sim.handle(endpoint, request);
  // Liveness needs nothing shared: a cluster node whose Redis is down is alive, and says so
  // without waiting on Redis (docs/cluster.md).
  if (request.path == "/health") return handle_control_request(sim, request);
  return sim.guarded([&] { return handle_control_request(sim, request); });
}

std::vector<std::pair<std::string, std::string>> control_routes() {
  return control_router().routes();
}

}  // namespace pistesim
