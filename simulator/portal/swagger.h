// « Télécharger la documentation : Swagger 2.0 (json) » (CAT-2, 001): the interface contract of
// an API on one channel, generated from the routes its mock provider answers, so that what the
// document promises is what the simulator serves.
//
// Choices: the host is PISTE's (sandbox-api / api.piste.gouv.fr) as on the real sheet; security
// lists OAuth2 client credentials (token URL of the channel, the API's scopes) and, for APIs that
// take one, the `KeyId` API key header (WIRE-9); a provider-checked header (Chorus Pro's
// cpro-account) is a required header parameter; each route's canned answers are its responses,
// with the gateway's own 401/403/429 added; a "path/*" route becomes "path/{chemin}".
#pragma once

#include <nlohmann/json.hpp>

#include "world/world.h"

namespace pistesim {

nlohmann::ordered_json swagger_document(const Api& api, Channel channel);

}  // namespace pistesim
