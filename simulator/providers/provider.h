// Mock provider APIs (GW-6, WIRE-9..11): what answers behind the gateway once a call has been
// authenticated, authorised and counted. Declared as data in the world file: a technical
// account check (Chorus Pro), a business-profile gate (SNE-Cotation) and ordered routes.
#pragma once

#include <string_view>

#include "wire/http_message.h"
#include "world/world.h"

namespace pistesim {

// The provider's answer to `request` for resource path `resource` (after the base path).
// Checks in order: technical account header (providers/chorus_pro_gate.h, against `world`'s
// Chorus Pro structures), business profile of the application, routes; no matching route
// answers 404.
Response provider_answer(const World& world, const Api& api, const Application& app,
                         std::string_view resource, const Request& request);

// A canned answer (a route's, a gate's refusal) as the response it stands for.
Response to_response(const ProviderAnswer& answer);

// The route that would answer, or nullptr (exposed for tests and health checks).
const ProviderRoute* match_route(const Api& api, std::string_view resource, const Request& request);

}  // namespace pistesim
