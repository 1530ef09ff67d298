// Control API routes: world reset and snapshot.
#include "control/router.h"

namespace pistesim {

void register_world_routes(Router&) {}

}  // namespace pistesim
