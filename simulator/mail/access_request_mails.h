// The e-mails of access requests (NOT-1): the confirmation to the requester and the notice to
// the API's approvers (REQ-3), the decision (REQ-6) and the revocation (REQ-7). French text as
// seed 002 §6 quotes it; what the seeds never show is marked "choice". Who receives a decision
// or a revocation (NOT-2) is decided by portal/access_requests.cpp, not here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "clock/clock.h"
#include "mail/mailbox.h"
#include "world/world.h"

namespace pistesim {

// What the e-mails say about one request: names, not ids, as PISTE prints them.
struct AccessRequestFacts {
  std::string api_name;
  std::string application_name;
  std::string organisation_name;
  std::string motif;
  std::vector<std::string> scopes;
  Millis requested_at = 0;
};

// "17/06/2025 13:35": Europe/Paris wall-clock time, as the e-mails of 002 §6 print dates.
std::string format_paris_datetime(Millis utc_ms);

// « Confirmation de la demande de souscription à l'API … » to the requester (002 §6).
// `login_url`: where « Cliquez ici pour vous connecter » leads.
Email access_request_confirmation_mail(std::string_view to, const AccessRequestFacts& facts,
                                       std::string_view login_url);

// To one approver of the API: a request awaits their decision (000 §10.3). `review_url`: the
// « Approbation des accès API » list.
Email access_request_to_review_mail(std::string_view to, std::string_view requester,
                                    const AccessRequestFacts& facts, std::string_view review_url);

// « Statut de la demande de souscription à l'API … »: accepted or rejected, with the approver's
// message (002 §6).
Email access_request_decision_mail(std::string_view to, const AccessRequestFacts& facts,
                                   bool approved, std::string_view approver_message);

// An approver withdrew the application's access to the API, with the motif (000 §11.4).
Email access_revoked_mail(std::string_view to, std::string_view api_name,
                          std::string_view application_name, std::string_view organisation_name,
                          Millis revoked_at, std::string_view motif);

}  // namespace pistesim
