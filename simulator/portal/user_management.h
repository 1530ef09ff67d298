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
Result<std::vector<User>> list_managed_users(const World& world, std::string_view actor);

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
Result<User> create_managed_user(Transaction& tx, std::string_view actor, const NewUserInput& in);

// Activation also completes a registration still awaiting its e-mailed link (and gives it its
// sandbox application). Deactivation ends the user's sessions; their applications keep working
// (choice: applications belong to the organisation). An OrgAdmin cannot deactivate themselves.
Result<User> set_managed_user_active(Transaction& tx, std::string_view actor,
                                     std::string_view email, bool active);

struct DeletedUser {
  std::string email;
  std::vector<std::string> applications;  // ids of the removed applications
};

// Removes the account, its applications (their tokens revoked at once) and the access requests
// of those applications; ends its sessions. Refused for oneself and for the world's demo user
// (a world snapshot must keep naming an existing one).
Result<DeletedUser> delete_managed_user(Transaction& tx, std::string_view actor,
                                        std::string_view email);

}  // namespace pistesim
