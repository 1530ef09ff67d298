// ADM-1: an OrgAdmin enrols already-registered PISTE users in an organisation they administer —
// membership « developer » plus a SANDBOX and a PRODUCTION application each,
// APP_<prefix>_SBX_<email> and APP_<prefix>_PROD_<email> (000 §11.1; 002 §4–§5) — or
// decommissions them: membership and every application of theirs in that organisation removed.
//
// The result is reported per user and per channel with PISTE's messages (000 §11.1). A user who
// cannot be enrolled (unknown, inactive, already enrolled, listed twice…) is reported with the
// reason and nothing changes for them, while the others are enrolled: the operation itself
// succeeds as soon as the acting user may act on that organisation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "portal/portal_error.h"
#include "portal/transaction.h"
#include "world/world.h"

namespace pistesim {

// 000 §11.1, quoted: « PRODUCTION: L'utilisateur a été ajouté avec succès. » and
// « … décommissionné avec succès. », one line per channel.
inline constexpr std::string_view kEnrolledMessage = "L'utilisateur a été ajouté avec succès.";
inline constexpr std::string_view kDecommissionedMessage =
    "L'utilisateur a été décommissionné avec succès.";

struct EnrolmentInput {
  std::string actor;         // the acting OrgAdmin's e-mail
  std::string organisation;  // organisation id, or its name (case-insensitive)
  std::vector<std::string> emails;
};

struct ChannelResult {
  Channel channel = Channel::Production;
  bool ok = false;
  std::string message;  // without the channel: « L'utilisateur a été ajouté avec succès. »
  std::string application;  // id of the application created / removed ("" if none)
  std::string application_name;
};

struct EnrolmentLine {
  std::string email;  // the account's e-mail when known, else as given
  bool ok = false;    // « Résultat Appel »: ✓ / ✗
  std::string code;   // why not, when !ok: UNKNOWN_USER, USER_INACTIVE, ALREADY_ENROLLED, …
  std::vector<ChannelResult> channels;            // PRODUCTION then SANDBOX, as PISTE lists them
  std::vector<std::string> removed_applications;  // decommissioning: every id removed
};

struct EnrolmentReport {
  std::string organisation;       // id
  std::string organisation_name;  // « SERVICE-DIHAL »
  std::vector<EnrolmentLine> users;

  size_t succeeded() const;
  size_t failed() const { return users.size() - succeeded(); }
};

// Application names of an enrolment (seed 002 shows APP_DIHAL_SBX_<email>; the PROD spelling is
// a choice).
std::string enrolment_application_name(const Organisation& org, Channel channel,
                                       std::string_view email);

// Refused as a whole (nothing changes) when the actor may not act (actor.h), no organisation or
// no e-mail is given (400), the organisation is unknown (404) or the actor is not its OrgAdmin
// (403).
PortalResult<EnrolmentReport> enrol_users(Transaction& tx, const EnrolmentInput& input);
PortalResult<EnrolmentReport> decommission_users(Transaction& tx, const EnrolmentInput& input);

}  // namespace pistesim
