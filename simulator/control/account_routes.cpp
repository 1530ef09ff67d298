// Control API routes: accounts (ACC) and user management (ADM-2).
#include "control/router.h"

namespace pistesim {

void register_account_routes(Router&) {}

}  // namespace pistesim
