#include "portal/application_factory.h"

#include "crypto/secrets.h"

namespace pistesim {

OAuthClient new_oauth_client(Millis now, ClientType type) {
  OAuthClient c;
  c.client_id = random_uuid();
  // A public client cannot keep a secret (000 §7.5.1): it gets none.
  if (type == ClientType::Confidential) c.client_secret = random_uuid();
  c.type = type;
  c.created_at = now;
  return c;
}

ApiKey new_api_key(Millis now) {
  ApiKey k;
  k.key = random_uuid();
  k.created_at = now;
  return k;
}

Application& add_application(Transaction& tx, Application app) {
  app.id = random_uuid();
  app.created_at = tx.now;
  app.api_keys.push_back(new_api_key(tx.now));
  app.oauth_clients.push_back(new_oauth_client(tx.now));
  tx.world.applications.push_back(std::move(app));
  return tx.world.applications.back();
}

Application& add_sandbox_application(Transaction& tx, const User& user) {
  Application app;
  app.name = "APP_SANDBOX_" + user.email;
  app.channel = Channel::Sandbox;
  app.organisation = user.memberships.empty() ? "" : user.memberships.front().organisation;
  app.owner = user.email;
  app.description = "SandBox Application";
  app.email = user.email;
  app.structure_info = "Autre";
  app.responsible = user.name;
  app.origin = ApplicationOrigin::AutoSandbox;
  return add_application(tx, std::move(app));
}

bool application_name_taken(const World& world, std::string_view name) {
  for (const auto& a : world.applications)
    if (iequals(a.name, name)) return true;
  return false;
}

}  // namespace pistesim
