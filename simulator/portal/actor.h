// Who acts through the portal. Every operation a logged-in user performs first checks that the
// account may act right now: it exists and is active (ACC-4), it has accepted the current PISTE
// CGU (ACC-5) and it has no temporary password left to change (ACC-8, ADM-2).
#pragma once

#include <string_view>

#include "portal/portal_error.h"
#include "portal/transaction.h"
#include "world/world.h"

namespace pistesim {

// ACC-4, quoted from seed 002 §3.
inline constexpr std::string_view kLoginFailureMessage =
    "Les identifiants ne correspondent pas, ou vous ne disposez pas d'un compte actif.";

PortalResult<const User*> acting_user(const World& world, std::string_view email);
PortalResult<User*> acting_user(Transaction& tx, std::string_view email);

}  // namespace pistesim
