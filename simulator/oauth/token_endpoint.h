// POST /api/oauth/token of one channel (OAU-1..4, docs/conformance-checklist.md §A–§E): the client
// credentials grant of RFC 6749 §4.4 with PISTE's answer shapes (WIRE-1..3).
//
// Checks, in order: method; parameters in the query; content type; body syntax; repeated
// parameters; client authentication method (Basic, body, both); grant_type presence and
// support; client authentication; grant allowed to the client; scope syntax and policy.
// Every answer carries Cache-Control: no-store and Pragma: no-cache.
#pragma once

#include <string>

#include "clock/clock.h"
#include "journal/exchange_facts.h"
#include "oauth/profile.h"
#include "oauth/token_store.h"
#include "wire/http_message.h"
#include "world/world.h"

namespace pistesim {

struct TokenEndpointContext {
  const World& world;
  const WorldIndex& index;
  Channel channel;
  Profile profile;
  Millis now;
  TokenStore& tokens;
};

// The issued scope: "openid" first, then the requested API scopes, or every scope granted to
// the application when the request names none (or only "openid"). nullopt when a requested
// scope is neither "openid" nor granted (→ invalid_scope).
// The scopes an application holds: those of its approved accesses to APIs published on its
// channel (an access that lists none holds all of its API's), in subscription order.
std::vector<std::string> granted_scopes(const WorldIndex& index, const Application& app);
std::optional<std::string> issued_scope(const WorldIndex& index, const Application& app,
                                        const std::vector<std::string_view>& requested);

// `facts`, when given, receives what was decided (for the journal).
Response handle_token_request(const Request& request, const TokenEndpointContext& ctx,
                              ExchangeFacts* facts = nullptr);

// Length of PISTE access tokens (OAU-2).
inline constexpr size_t kAccessTokenLength = 54;

}  // namespace pistesim
