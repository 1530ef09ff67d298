// Control API routes: access requests, approvals and revocations (REQ). A thin JSON layer over
// portal/access_requests.h: the requester's form and list, the approver's « Approbation des
// accès API » and « Révocation des droits d'accès API » pages, and the operator's view of every
// request.
#include "control/router.h"
#include "control/views.h"
#include "core/simulator.h"
#include "portal/access_requests.h"

namespace pistesim {

namespace {

json request_list(const World& world, const std::vector<AccessRequest>& requests) {
  json list = json::array();
  for (const auto& r : requests) list.push_back(access_request_json(world, r));
  return list;
}

// ?status=pending|approved|rejected|all; `fallback` when absent. False (and *err) if invalid.
bool status_filter(const ControlCall& c, std::optional<RequestStatus> fallback,
                   std::optional<RequestStatus>* out, Response* err) {
  std::string s = c.query("status");
  if (s.empty()) {
    *out = fallback;
    return true;
  }
  if (s == "all") {
    *out = std::nullopt;
    return true;
  }
  if (auto st = parse_request_status(s)) {
    *out = *st;
    return true;
  }
  *err = error(400, "INVALID_FIELD",
               {"« status » doit valoir \"pending\", \"approved\", \"rejected\" ou \"all\"",
                "« status » must be \"pending\", \"approved\", \"rejected\" or \"all\""},
               "status");
  return false;
}

// POST /portal/access-requests {"api","application","motif","scopes":[…]}
Response submit(ControlCall& c) {
  Response bad;
  auto api = string_field(c.body, "api", &bad);
  if (!api) return bad;
  auto application = string_field(c.body, "application", &bad);
  if (!application) return bad;
  auto motif = string_field(c.body, "motif", &bad);
  if (!motif) return bad;
  auto scopes = strings_field(c.body, "scopes", &bad);
  if (!scopes) return bad;
  AccessRequestInput in{*api, *application, *motif, *scopes};
  auto r = c.sim.transact([&](Transaction& tx) { return submit_access_request(tx, c.user, in); });
  auto snap = c.sim.snapshot();
  return answer(
      r, [&](const AccessRequest& req) { return access_request_json(snap->world, req); }, 201);
}

// POST /portal/admin/access-requests/{approve|reject} {"ids":[…],"motif":"…"}
Response decide(ControlCall& c, bool approve) {
  Response bad;
  auto ids = strings_field(c.body, "ids", &bad);
  if (!ids) return bad;
  auto motif = string_field(c.body, "motif", &bad);
  if (!motif) return bad;
  DecisionInput in{*ids, *motif};
  auto r = c.sim.transact([&](Transaction& tx) {
    return approve ? approve_access_requests(tx, c.user, in)
                   : reject_access_requests(tx, c.user, in);
  });
  auto snap = c.sim.snapshot();
  return answer(r,
                [&](const std::vector<AccessRequest>& v) { return request_list(snap->world, v); });
}

// GET /portal/admin/accesses?api=…
Response accesses(ControlCall& c) {
  auto snap = c.sim.snapshot();
  const World& w = snap->world;
  auto r = approved_accesses(w, c.user, c.query("api"));
  return answer(r, [&](const std::vector<ApiAccess>& v) {
    json list = json::array();
    for (const auto& a : v) {
      json j = {{"api", a.api}, {"application", a.application}, {"scopes", a.scopes}};
      if (const Api* api = snap->index.api(a.api)) j["api_name"] = api->name;
      if (const Application* app = snap->index.application(a.application)) {
        j["application_name"] = app->name;
        j["owner"] = app->owner;
        j["environment"] = to_string(app->channel);
        const Organisation* org = snap->index.organisation(app->organisation);
        j["organisation"] = org ? org->name : app->organisation.str();
      }
      list.push_back(std::move(j));
    }
    return list;
  });
}

// POST /portal/admin/revocations {"api","applications":[…],"motif"}
Response revoke(ControlCall& c) {
  Response bad;
  auto api = string_field(c.body, "api", &bad);
  if (!api) return bad;
  auto apps = strings_field(c.body, "applications", &bad);
  if (!apps) return bad;
  auto motif = string_field(c.body, "motif", &bad);
  if (!motif) return bad;
  RevocationInput in{*api, *apps, *motif};
  auto r = c.sim.transact([&](Transaction& tx) { return revoke_accesses(tx, c.user, in); });
  return answer(r, [&](const std::vector<std::string>& revoked) {
    return json{{"api", in.api}, {"revoked", revoked}};
  });
}

}  // namespace

void register_access_request_routes(Router& r) {
  r.add("POST", "/portal/access-requests", submit,
        {.as_user = true, .fields = {"api", "application", "motif", "scopes"}});
  r.add("GET", "/portal/access-requests",
        [](ControlCall& c) {
          auto snap = c.sim.snapshot();
          auto mine = my_access_requests(snap->world, c.user);
          return answer(mine, [&](const auto& v) { return request_list(snap->world, v); });
        },
        {.as_user = true});
  r.add("GET", "/portal/admin/access-requests",
        [](ControlCall& c) {
          std::optional<RequestStatus> status;
          Response bad;
          if (!status_filter(c, RequestStatus::Pending, &status, &bad)) return bad;
          auto snap = c.sim.snapshot();
          auto todo = requests_to_decide(snap->world, c.user, status);
          return answer(todo, [&](const auto& v) { return request_list(snap->world, v); });
        },
        {.as_user = true, .query = {"status"}});
  r.add("POST", "/portal/admin/access-requests/approve",
        [](ControlCall& c) { return decide(c, true); },
        {.as_user = true, .fields = {"ids", "motif"}});
  r.add("POST", "/portal/admin/access-requests/reject",
        [](ControlCall& c) { return decide(c, false); },
        {.as_user = true, .fields = {"ids", "motif"}});
  r.add("GET", "/portal/admin/accesses", accesses, {.as_user = true, .query = {"api"}});
  r.add("POST", "/portal/admin/revocations", revoke,
        {.as_user = true, .fields = {"api", "applications", "motif"}});

  // The operator's view of every request (state inspection).
  r.add("GET", "/access-requests",
        [](ControlCall& c) {
          std::optional<RequestStatus> status;
          Response bad;
          if (!status_filter(c, std::nullopt, &status, &bad)) return bad;
          auto snap = c.sim.snapshot();
          json list = json::array();
          for (const auto& req : snap->world.access_requests)
            if (!status || req.status == *status)
              list.push_back(access_request_json(snap->world, req));
          return json_response(200, list);
        },
        {.query = {"status"}});
  r.add("GET", "/access-requests/{id}", [](ControlCall& c) {
    auto snap = c.sim.snapshot();
    for (const auto& req : snap->world.access_requests)
      if (req.id == c.params[0]) return json_response(200, access_request_json(snap->world, req));
    return error(
        404, "UNKNOWN_ACCESS_REQUEST",
        {"Demande d'accès inconnue : " + c.params[0], "unknown access request: " + c.params[0]});
  });
}

}  // namespace pistesim
