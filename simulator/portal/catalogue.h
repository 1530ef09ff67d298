// The API catalogue as each caller sees it (CAT-1) and an API's sheet (CAT-2). Anonymous callers
// see the public catalogue (APIs reserved to no organisation); a logged-in user also sees the
// APIs reserved to one of their organisations (000 §1.5). The portal lists an API once per
// channel it is published on (« Environment SANDBOX » / « PRODUCTION »), so does the catalogue.
//
// Choices the seeds are silent on (also in docs/control-api.md):
// - A search matches when every word of the text occurs in the name, the description or a tag,
//   ignoring case and French accents (« legifrance » finds « Légifrance »).
// - Sorting is by name (« Nom croissant » / décroissant), case and accents ignored; the two
//   channels of one API follow each other, SANDBOX first.
// - The sheet of an API published on both channels shows SANDBOX unless asked otherwise.
// - An API the caller may not see answers as an unknown one (UNKNOWN_API, 404).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/portal_error.h"
#include "world/world.h"

namespace pistesim {

// PISTE's public hosts (000 §12.2, Internet consumers).
inline constexpr std::string_view kPisteSandboxApiUrl = "https://sandbox-api.piste.gouv.fr";
inline constexpr std::string_view kPisteProductionApiUrl = "https://api.piste.gouv.fr";
inline constexpr std::string_view kPisteSandboxOAuthUrl = "https://sandbox-oauth.piste.gouv.fr";
inline constexpr std::string_view kPisteProductionOAuthUrl = "https://oauth.piste.gouv.fr";
inline constexpr std::string_view kTokenPath = "/api/oauth/token";

// The API host of a channel (« Host » on the sheet).
std::string_view piste_api_url(Channel c);
std::string_view piste_oauth_url(Channel c);

// Lower-case with the accents of French letters removed (« Élève Œuvre » -> « eleve oeuvre »):
// the form search and sorting compare.
std::string fold_for_search(std::string_view text);

// CAT-1: public APIs for anyone (user null), plus those reserved to one of the user's
// organisations.
bool api_visible_to(const Api& api, const User* user);

enum class CatalogueSort { NameAscending, NameDescending };
// "name" / "-name" (also "asc" / "desc"); nullopt otherwise.
std::optional<CatalogueSort> parse_catalogue_sort(std::string_view s);

struct CatalogueQuery {
  std::string text;  // empty: every API
  CatalogueSort sort = CatalogueSort::NameAscending;
  std::optional<Channel> environment;  // nullopt: both channels
};

// One line of the catalogue: an API on one channel. Points into the World queried.
struct CatalogueEntry {
  const Api* api = nullptr;
  Channel channel = Channel::Sandbox;
};

// CAT-1. `actor` empty: anonymous; otherwise the acting user (actor.h rules apply).
PortalResult<std::vector<CatalogueEntry>> browse_catalogue(const World& world,
                                                           std::string_view actor,
                                                           const CatalogueQuery& query);

// CAT-2: what the sheet of an API on one channel shows. Points into the World queried.
struct ApiSheet {
  const Api* api = nullptr;
  Channel channel = Channel::Sandbox;
  std::vector<Channel> environments;  // every channel the API is published on
  const Cgu* cgu = nullptr;           // null: no CGU
  // For a logged-in caller: whether they accepted the CGU for this channel (CGU-1).
  std::optional<bool> cgu_accepted;
};

// CAT-2. `channel` nullopt: SANDBOX when the API is published there, else PRODUCTION.
PortalResult<ApiSheet> api_sheet(const World& world, std::string_view actor,
                                 std::string_view api_id, std::optional<Channel> channel);

}  // namespace pistesim
