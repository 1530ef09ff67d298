// Making applications the way PISTE does: each comes with one API key and one confidential
// OAuth client, drawn from the CSPRNG in PISTE's UUID shape (APP-1, APP-3, ADM-1).
#pragma once

#include <string>
#include <string_view>

#include "portal/transaction.h"
#include "world/world.h"

namespace pistesim {

// « Administrateur API Manager »: who PISTE shows as creator of the applications it makes itself.
inline constexpr std::string_view kPisteCreator = "Administrateur API Manager";

OAuthClient new_oauth_client(Millis now, ClientType type = ClientType::Confidential);
ApiKey new_api_key(Millis now);

// A new application (fresh UUID id, one API key, one confidential client), appended to the world.
// The caller has validated name and organisation.
Application& add_application(Transaction& tx, Application app);

// APP-1: APP_SANDBOX_<email>, « SandBox Application », in the user's first organisation,
// created at activation.
Application& add_sandbox_application(Transaction& tx, const User& user);

// True if some application already has this name (case-insensitive; APP-3 names are unique).
bool application_name_taken(const World& world, std::string_view name);

}  // namespace pistesim
