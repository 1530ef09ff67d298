// Chorus Pro's own check of each call (WIRE-10, 003 §2.B, §3.B): besides PISTE's token, the
// `cpro-account` header must carry a technical account (base64 of login:password). In a world
// with Chorus Pro structures, the account must be active on the environment the call reaches
// (QUALIFICATION through SANDBOX, PRODUCTION through PRODUCTION), and its structure must have an
// active « raccordement PISTE » on that environment naming the calling application — the one the
// bearer token identifies. Refusals are the API's configured answers, in Chorus Pro's shape.
#pragma once

#include <optional>

#include "wire/http_message.h"
#include "world/world.h"

namespace pistesim {

// The refusal of a call of `app`, or nullopt when Chorus Pro lets it through.
std::optional<Response> technical_account_refusal(const World& world,
                                                  const TechnicalAccountCheck& check,
                                                  const Application& app, const Request& request);

// The structure whose technical account `login` is on `environment` (active or not), or nullptr.
const CproStructure* structure_of_account(const World& world, std::string_view login,
                                          Channel environment);

}  // namespace pistesim
