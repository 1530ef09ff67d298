// Control API routes: catalogue (CAT), API CGU consent (CGU), applications and credentials (APP).
#include "control/router.h"

namespace pistesim {

void register_portal_application_routes(Router&) {}

}  // namespace pistesim
