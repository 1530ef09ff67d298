// API CGU consent (CGU-1, CGU-2, 000 §5): the « Consentement des CGU API » page lists the CGU
// of the APIs the user can see, per API and per channel (PRODUCTION / SANDBOX); the user accepts
// a selection (« Validez mes choix CGU ») and accepted CGU stay accepted (greyed). An API with
// CGU cannot be subscribed to, nor its access requested, before the acting user (owner or
// OrgAdmin, 000 §10, §11.7) accepted them for that channel; the gateway does not ask again.
//
// Choices the seeds are silent on (also in docs/control-api.md):
// - A consent holds for the API and channel whatever the CGU version: a new version of a CGU
//   document does not ask again.
// - A selection is all or nothing: an unknown or invisible API, an API without CGU or one not
//   published on the channel refuses the whole selection, naming it; nothing is accepted.
// - Accepting CGU already accepted changes nothing (they are greyed, not an error).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "portal/portal_error.h"
#include "portal/transaction.h"
#include "world/world.h"

namespace pistesim {

// CGU-2: true when the API has no CGU, or `user` accepted them for `channel`.
bool cgu_satisfied(const World& world, const User& user, const Api& api, Channel channel);

// One line of the consent page. Points into the World queried.
struct ApiCguLine {
  const Api* api = nullptr;
  Channel channel = Channel::Sandbox;
  const Cgu* cgu = nullptr;  // null if the world names a CGU it does not define
  bool accepted = false;
};

// CGU-1: every (API, channel) with CGU the acting user can see, by API name then channel.
PortalResult<std::vector<ApiCguLine>> api_cgu_lines(const World& world, std::string_view actor);

// Refusal of subscriptions and access requests before consent (CGU-2), with the page's name.
PortalError cgu_not_accepted_error(const Api& api, Channel channel);

// CGU-1: accepts the CGU of each (API, channel). Returns the consents newly recorded (those
// already accepted are left as they are and not returned).
PortalResult<std::vector<CguConsent>> accept_api_cgu(Transaction& tx, std::string_view actor,
                                                     const std::vector<CguConsent>& selection);

}  // namespace pistesim
