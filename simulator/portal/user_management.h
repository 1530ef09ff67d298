// « Gestion des utilisateurs » (ADM-2, 000 §11.2): an OrgAdmin lists, creates, activates,
// deactivates and deletes the users of the organisations they administer. A user outside those
// organisations is answered as unknown (NotFound): an OrgAdmin learns nothing of other
// organisations' accounts (choice).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "portal/portal_error.h"
#include "portal/transaction.h"
#include "world/world.h"

namespace pistesim {

// « Statut » in the list: « Approved » as 000 §11.2 shows it for an active account; the other
// two are choices.
std::string_view user_status_label(const User& u);  // "Approved" / "Pending" / "Disabled"

// The users of the acting OrgAdmin's organisations (the acting user included), in world order;
// each with only the memberships of those organisations (« Organisation / Rôle »).
PortalResult<std::vector<User>> list_managed_users(const World& world, std::string_view actor);

enum class PasswordMode {
  Generated,  // « Mot de passe temporaire généré aléatoirement envoyé par courriel »
  Manual,     // « Définir un mot de passe temporaire manuellement »
};

struct NewUserInput {
  std::string email;
  std::string name;
  std::string organisation;  // id or name; may be empty when the actor administers only one
  Role role = Role::Developer;
  PasswordMode password_mode = PasswordMode::Generated;
  std::string password;  // Manual only; the ACC-2 policy applies (choice)
};

// The account is created active with a temporary password (to change at first login), a
// membership in the organisation and its APP_SANDBOX_<email> (choice: as an activated
// registration gets). A generated password is e-mailed; a manual one the OrgAdmin passes on
// themselves (« Il sera nécessaire de le prévenir en ce sens »), so no e-mail.
PortalResult<User> create_managed_user(Transaction& tx, std::string_view actor,
                                       const NewUserInput& in);

// Activation also completes a registration still awaiting its e-mailed link (and gives it its
// sandbox application). Deactivation ends the user's sessions; their applications keep working
// (choice: applications belong to the organisation). An OrgAdmin cannot deactivate themselves.
// The account is one login for all its organisations, so (choice, 000 §11.2 perimeter) its status
// changes only when the actor administers every organisation it belongs to, the universal one
// aside (every self-registered account is there; nobody answers for it): otherwise 403
// OUTSIDE_PERIMETER, and decommissioning from their own organisations is what is left to them.
PortalResult<User> set_managed_user_active(Transaction& tx, std::string_view actor,
                                           std::string_view email, bool active);

struct DeletedUser {
  std::string email;
  bool account_deleted = false;            // false: it still belongs to another organisation
  std::vector<std::string> organisations;  // ids of the memberships removed
  std::vector<std::string> applications;   // ids of the removed applications
};

// Within the actor's perimeter only (000 §11.2, as a decommissioning, §11.1): removes the user's
// memberships of the organisations the actor administers, and the applications the user owns in
// them (tokens revoked at once, their access requests dropped). The account itself, with its
// sessions, goes only when it belongs to no organisation and owns no application any more.
// Refused for oneself and for the world's demo user (a world snapshot must keep naming an
// existing one).
PortalResult<DeletedUser> delete_managed_user(Transaction& tx, std::string_view actor,
                                              std::string_view email);

}  // namespace pistesim
