// What an integrator does on Chorus Pro's portal before calling its APIs through PISTE (003
// §2.B, §3.B; 004), as operations on the world: open a structure, « Déclarer un raccordement
// PISTE » for it on an environment, create a technical account once it is connected, deactivate
// either. Chorus Pro keeps these, not PISTE: they need no PISTE user, and the control API offers
// them to scenarios and the operator (control/chorus_pro_routes.cpp).
//
// Choices where the seeds are silent (docs/design.md, « Chorus Pro's raccordement »):
// - The form names the PISTE application by name; a raccordement keeps the name it was given.
// - A structure has one active raccordement per environment and application (declaring it twice
//   is refused); several applications may be connected to one structure.
// - A technical account is created for one environment, where the structure has an active
//   raccordement; its password is generated when not given.
// - Deactivating is final for the simulator's purposes (declare or create anew), and idempotent.
#pragma once

#include <string>
#include <string_view>

#include "portal/portal_error.h"
#include "portal/transaction.h"
#include "world/world.h"

namespace pistesim {

struct CproStructureInput {
  std::string siret;
  std::string name;
};
PortalResult<CproStructure> open_cpro_structure(Transaction& tx, const CproStructureInput& in);

struct RaccordementInput {
  std::string structure;    // SIRET
  std::string environment;  // "QUALIFICATION" / "PRODUCTION"
  std::string application;  // the PISTE application's name
  std::string usage_type;
  std::string editor;
  CproContact technical_contact;
};
PortalResult<CproRaccordement> declare_raccordement(Transaction& tx, const RaccordementInput& in);
PortalResult<CproRaccordement> deactivate_raccordement(Transaction& tx, std::string_view id);

struct TechnicalAccountInput {
  std::string structure;    // SIRET
  std::string environment;  // "QUALIFICATION" / "PRODUCTION"
  std::string login;
  std::string password;  // "": generated
};
PortalResult<CproTechnicalAccount> create_technical_account(Transaction& tx,
                                                            const TechnicalAccountInput& in);
PortalResult<CproTechnicalAccount> deactivate_technical_account(Transaction& tx,
                                                                std::string_view environment,
                                                                std::string_view login);

}  // namespace pistesim
