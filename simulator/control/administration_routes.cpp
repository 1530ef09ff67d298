// Control API routes: enrolment, top consumers, API health, perimeter (ADM-1, 3, 4, 5).
#include "control/router.h"

namespace pistesim {

void register_administration_routes(Router&) {}

}  // namespace pistesim
