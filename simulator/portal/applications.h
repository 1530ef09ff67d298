// A user's applications on the portal (APP-2..5, APP-8): the list and the sheet of each, the
// creation of a production application with its naming rules and generated credentials, the
// details that can change afterwards (never the name), deactivation, deletion, and the
// subscription to APIs that need no approval (« Sélectionner les API »). Credentials are in
// portal/credentials.h; access requests to APIs that need approval in portal/access_requests.h.
//
// Choices the seeds are silent on (also in docs/control-api.md):
// - Who may see and manage an application: its owner, and the OrgAdmins of its organisation
//   (ADM-5); anybody else is told it does not exist (UNKNOWN_APPLICATION, 404).
// - Names: 1 to 100 ASCII letters, digits, '-' and '_'; unique case-insensitively.
// - Phone (optional): digits, spaces, '+', '.', '-' only, at least one digit, 30 characters at
//   most. E-mail: the syntax the registration form accepts (not verified, 001). Text fields are
//   trimmed; a required one holding only spaces is missing. Description: 1000 characters at most.
// - The organisation of an application cannot change after creation (the form shows it fixed).
// - A production application created by its user can be deleted (owner or OrgAdmin); its live
//   tokens are revoked and its access requests dropped. Applications PISTE made (APP_SANDBOX_*,
//   enrolment; any SANDBOX application, since users cannot create one) cannot: 000 §6.3 sends
//   the user to the support.
// - Deactivation keeps live tokens: they get 403 until the application is reactivated.
// - Subscribing to an API that needs no approval grants every scope of the API at once;
//   selecting an API the application already has approved access to is a no-op (even one that
//   needs approval). An access revoked by an approver can neither be selected again nor
//   withdrawn (ACCESS_REVOKED): that would undo the revocation. Withdrawing an API (« retrait »)
//   also closes a pending access request for it (rejected, decided by the withdrawing user).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/portal_error.h"
#include "portal/transaction.h"
#include "world/world.h"

namespace pistesim {

// 000 §7.1, §6.1, §6.3 and §7.2, quoted.
inline constexpr std::string_view kNameRuleMessage =
    "Le nom de votre application doit être unique et ne peut pas contenir de caractères spéciaux "
    "autres que « - » OU « _ ».";
inline constexpr std::string_view kNoSandboxCreationMessage =
    "En tant qu'utilisateur, il n'est pas possible de créer d'application SANDBOX.";
inline constexpr std::string_view kSandboxNameFixedMessage =
    "Le nom de votre application SANDBOX ne peut pas être changé.";
inline constexpr std::string_view kNameFixedMessage =
    "Il n'est plus possible de modifier le nom de l'application.";
inline constexpr std::string_view kDeleteThroughSupportMessage =
    "Pour supprimer votre application, il est nécessaire d'envoyer une sollicitation au support "
    "PISTE.";

inline constexpr size_t kMaxApplicationName = 100;
inline constexpr size_t kMaxDescription = 1000;
inline constexpr size_t kMaxPhone = 30;

// The owner, or an OrgAdmin of the application's organisation.
bool may_manage_application(const User& user, const Application& app);

// The acting user's applications and those of the organisations they administer, by name.
PortalResult<std::vector<const Application*>> list_applications(const World& world,
                                                                std::string_view actor);
// One of them; UNKNOWN_APPLICATION otherwise.
PortalResult<const Application*> view_application(const World& world, std::string_view actor,
                                                  std::string_view id);

// « Création d'Application » (APP-3).
struct NewApplication {
  std::string organisation;  // id of one of the user's organisations
  std::string name;
  std::string description;
  std::string phone;
  std::string email;
  std::string structure_info;
  std::string responsible;
  bool active = true;
  Channel channel = Channel::Production;  // SANDBOX is refused (APP-2)
};

// Creates the application (PRODUCTION, owned by the acting user) with one API key and one
// confidential OAuth client. Returns it as stored.
PortalResult<Application> create_application(Transaction& tx, std::string_view actor,
                                             const NewApplication& in);

// « Modifier l'application »: absent fields are left as they are (APP-4, APP-8).
struct ApplicationChanges {
  std::optional<std::string> name;          // must be the current name
  std::optional<std::string> organisation;  // must be the current organisation
  std::optional<std::string> description;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::optional<std::string> structure_info;
  std::optional<std::string> responsible;
  std::optional<bool> active;
};

PortalResult<Application> update_application(Transaction& tx, std::string_view actor,
                                             std::string_view id,
                                             const ApplicationChanges& changes);

// Deletes a production application the user created (APP-2 forbids it for the others).
PortalResult<Done> delete_application(Transaction& tx, std::string_view actor, std::string_view id);

// APP-5: subscribes the application to an API that needs no approval. Refused with
// APPROVAL_REQUIRED when the API needs one (submit an access request instead), and with
// CGU_NOT_ACCEPTED before the acting user accepted its CGU for the application's channel.
PortalResult<Subscription> subscribe_application(Transaction& tx, std::string_view actor,
                                                 std::string_view id, std::string_view api);

// « Retrait d'API »: removes the application's access to the API, whatever its status.
PortalResult<Done> unsubscribe_application(Transaction& tx, std::string_view actor,
                                           std::string_view id, std::string_view api);

// Shared with credentials.h: the application the acting user may manage, in the transaction.
PortalResult<Application*> managed_application(Transaction& tx, std::string_view actor,
                                               std::string_view id);
PortalError unknown_application_error(std::string_view id);

}  // namespace pistesim
