#include "portal/api_cgu.h"

#include <algorithm>

#include "portal/actor.h"
#include "portal/catalogue.h"

namespace pistesim {

bool cgu_satisfied(const World&, const User& user, const Api& api, Channel channel) {
  return api.cgu.empty() || user.has_accepted_cgu(api.id, channel);
}

PortalResult<std::vector<ApiCguLine>> api_cgu_lines(const World& world, std::string_view actor) {
  auto user = acting_user(world, actor);
  if (!user) return user.error();
  CatalogueQuery all;
  auto entries = browse_catalogue(world, actor, all);
  if (!entries) return entries.error();
  std::vector<ApiCguLine> out;
  for (const auto& e : *entries) {
    if (e.api->cgu.empty()) continue;
    ApiCguLine line{e.api, e.channel, nullptr, (*user)->has_accepted_cgu(e.api->id, e.channel)};
    for (const auto& c : world.cgus)
      if (c.id == e.api->cgu) line.cgu = &c;
    out.push_back(line);
  }
  return out;
}

PortalError cgu_not_accepted_error(const Api& api, Channel channel) {
  return portal_error(ErrorKind::Conflict, "CGU_NOT_ACCEPTED",
                      "L'utilisation de l'API " + api.name +
                          " nécessite de prendre connaissance puis de valider les CGU "
                          "particulières associées (" +
                          std::string(to_string(channel)) +
                          ") : rendez-vous sur la page « Consentement des CGU API ».",
                      "api");
}

PortalResult<std::vector<CguConsent>> accept_api_cgu(Transaction& tx, std::string_view actor,
                                                     const std::vector<CguConsent>& selection) {
  auto user = acting_user(tx, actor);
  if (!user) return user.error();
  if (selection.empty())
    return portal_error(ErrorKind::InvalidInput, "MISSING_FIELD",
                        "Sélectionnez les CGU des API que vous acceptez.", "accept");
  // Check the whole selection before recording anything.
  for (const auto& choice : selection) {
    const Api* api = tx.api(choice.api);
    if (!api || !api_visible_to(*api, *user))
      return portal_error(ErrorKind::NotFound, "UNKNOWN_API", "API inconnue : " + choice.api, "api",
                          {choice.api});
    if (!api->published_on(choice.channel))
      return portal_error(ErrorKind::InvalidInput, "NOT_PUBLISHED",
                          "L'API " + api->name + " n'est pas publiée sur l'environnement " +
                              std::string(to_string(choice.channel)) + ".",
                          "channel", {choice.api});
    if (api->cgu.empty())
      return portal_error(ErrorKind::InvalidInput, "NO_CGU",
                          "L'API " + api->name + " n'a pas de CGU à valider.", "api", {choice.api});
  }
  std::vector<CguConsent> added;
  for (const auto& choice : selection) {
    if ((*user)->has_accepted_cgu(choice.api, choice.channel)) continue;
    (*user)->accepted_cgu.push_back(choice);
    added.push_back(choice);
  }
  return added;
}

}  // namespace pistesim
