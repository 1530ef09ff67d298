// Control API routes: access requests, approvals and revocations (REQ).
#include "control/router.h"

namespace pistesim {

void register_access_request_routes(Router&) {}

}  // namespace pistesim
