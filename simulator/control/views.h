// JSON views of world entities, shared by the control API routes so that an application, a
// user or an access request looks the same wherever it appears.
#pragma once

#include "control/control_support.h"
#include "world/world.h"

namespace pistesim {

class Simulator;
struct WorldSnapshot;

// The application as PISTE shows it (details, credentials, subscriptions with their effective
// quota and what remains of it now, scopes). Client secrets never appear (they have their own
// « Consulter le secret » route); API key values only with show_api_keys (the owner's view).
json application_json(Simulator& sim, const WorldSnapshot& snap, const Application& app,
                      bool show_api_keys = false);
// The user's account (never the password hash).
json user_json(const World& world, const User& user);
json access_request_json(const World& world, const AccessRequest& request);
// « Développeur d'applications » / « Administrateur d'organisation » (ACC-9).
std::string_view role_label(Role r);

}  // namespace pistesim
