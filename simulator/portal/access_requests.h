// Access requests (REQ-1..7): a user asks for an application's access to an API with a motif
// and scopes; the request replaces the application's access at once (it stays unusable until
// approved); the API's approvers approve or reject requests one by one or in batch, and revoke
// accesses. An OrgAdmin's request for an application of their perimeter is approved at once.
// E-mails: mail/access_request_mails.h; decisions and revocations reach only the users who opted
// in to PISTE notifications (NOT-2).
//
// Choices the seeds are silent on (also in docs/control-api.md):
// - Target application: one the acting user owns, one of a non-universal organisation they
//   belong to (000 §10.1.2: « les applications rattachées à l'organisation de l'utilisateur »;
//   the universal organisation holds everyone's APP_SANDBOX_* and gives no right on others'), or
//   one of an organisation they administer (000 §11.7).
// - An API outside the acting user's catalogue answers as an unknown one (UNKNOWN_API).
// - A still-pending request for the same application and API is closed as rejected, with the
//   message kRequestSupersededMessage and no e-mail, when a new one is submitted.
// - An API not subject to validation (approval_required false) is granted at once: there is
//   nobody to decide (decided_by empty, message kGrantedWithoutValidationMessage).
// - Motifs (request, approval message, rejection, revocation) are trimmed, then must hold 3 to
//   200 characters (Unicode code points); an approval message may be empty.
// - Batches are all or nothing: one unknown, already decided or foreign request refuses the whole
//   batch, naming it (in `details` too).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/portal_error.h"
#include "portal/transaction.h"
#include "world/world.h"

namespace pistesim {

inline constexpr std::string_view kRequestSupersededMessage =
    "Demande annulée et remplacée par une nouvelle demande.";

inline constexpr std::string_view kGrantedWithoutValidationMessage =
    "API non soumise à validation : accès accordé automatiquement.";

struct AccessRequestInput {
  std::string api;
  std::string application;
  std::string motif;
  std::vector<std::string> scopes;
};

// REQ-1..4: the acting user submits a request. Returns it as stored (status Approved when
// granted at once: OrgAdmin of the application's organisation, or API without validation).
PortalResult<AccessRequest> submit_access_request(Transaction& tx, std::string_view actor,
                                                  const AccessRequestInput& in);

// The requests the acting user submitted or that concern an application they own, oldest first.
PortalResult<std::vector<AccessRequest>> my_access_requests(const World& world,
                                                            std::string_view actor);

// True if `email` is one of the API's approvers (case-insensitive).
bool is_approver(const Api& api, std::string_view email);

// REQ-5: requests to the APIs the acting user approves, oldest first; nullopt status = any.
PortalResult<std::vector<AccessRequest>> requests_to_decide(const World& world,
                                                            std::string_view actor,
                                                            std::optional<RequestStatus> status);

struct DecisionInput {
  std::vector<std::string> ids;
  std::string motif;  // one for the whole batch; required for a rejection
};

// REQ-5/6: approve (grant the requested scopes) or reject (no access) pending requests.
PortalResult<std::vector<AccessRequest>> approve_access_requests(Transaction& tx,
                                                                 std::string_view actor,
                                                                 const DecisionInput& in);
PortalResult<std::vector<AccessRequest>> reject_access_requests(Transaction& tx,
                                                                std::string_view actor,
                                                                const DecisionInput& in);

// An application's approved access to an API the acting user approves (what can be revoked).
struct ApiAccess {
  std::string api;
  std::string application;
  std::vector<std::string> scopes;
};

// The approved accesses to the acting user's APIs (or to one of them, `api` non-empty).
PortalResult<std::vector<ApiAccess>> approved_accesses(const World& world, std::string_view actor,
                                                       std::string_view api);

struct RevocationInput {
  std::string api;
  std::vector<std::string> applications;
  std::string motif;
};

// REQ-7: withdraws the applications' access to the API (subscription Revoked: the next gateway
// call is 403). Returns the ids of the applications revoked.
PortalResult<std::vector<std::string>> revoke_accesses(Transaction& tx, std::string_view actor,
                                                       const RevocationInput& in);

}  // namespace pistesim
