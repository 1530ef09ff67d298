#include "portal/actor.h"

namespace pistesim {

namespace {

template <class U>
PortalResult<U*> check(U* user, const World& world) {
  if (!user || !user->active)
    return portal_error(ErrorKind::Unauthenticated, "NOT_LOGGED_IN",
                        std::string(kLoginFailureMessage));
  if (user->platform_cgu_version != world.settings.platform_cgu_version)
    return portal_error(ErrorKind::Forbidden, "PLATFORM_CGU_REQUIRED",
                        "Afin d'accéder au site, il est nécessaire d'accepter les CGU de PISTE "
                        "(version " +
                            world.settings.platform_cgu_version + ").");
  if (user->must_change_password)
    return portal_error(ErrorKind::Forbidden, "PASSWORD_CHANGE_REQUIRED",
                        "Veuillez changer votre mot de passe temporaire depuis votre Profil.");
  return user;
}

}  // namespace

PortalResult<const User*> acting_user(const World& world, std::string_view email) {
  const User* found = nullptr;
  for (const auto& u : world.users)
    if (iequals(u.email, email)) found = &u;
  return check(found, world);
}

PortalResult<User*> acting_user(Transaction& tx, std::string_view email) {
  return check(tx.user(email), tx.world);
}

}  // namespace pistesim
