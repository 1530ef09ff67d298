// One portal or administration operation in progress: a private copy of the world to edit and
// the side effects it will have (e-mails, token revocations, sessions to close). Simulator::
// transact() publishes the copy and applies the effects only if the operation succeeds, so a
// refused operation leaves nothing behind — no half-made application, no stray e-mail.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "clock/clock.h"
#include "mail/mailbox.h"
#include "world/world.h"

namespace pistesim {

class Transaction {
 public:
  Transaction(World& world, Millis now, std::string public_url)
      : world(world), now(now), public_url_(std::move(public_url)) {}

  World& world;
  const Millis now;

  // Lookups in the copy being edited (pointers stay valid until the vector they live in grows).
  User* user(std::string_view email);  // case-insensitive
  Application* application(std::string_view id);
  const Api* api(std::string_view id) const;
  Organisation* organisation(std::string_view id);
  Organisation* organisation_by_code(std::string_view code);  // case-insensitive
  AccessRequest* access_request(std::string_view id);

  // Staged effects.
  void send(Email email) { mails_.push_back(std::move(email)); }
  void revoke_tokens_of(std::string application_id) {
    revoked_apps_.push_back(std::move(application_id));
  }
  void close_sessions_of(std::string email) { closed_sessions_.push_back(std::move(email)); }

  // An absolute URL on this simulator for a control API path ("/portal/activate?token=…"), for
  // links in e-mails.
  std::string link(std::string_view control_path) const;
  // An absolute URL of a portal page this simulator serves ("/connexion" → …/#/connexion), for
  // e-mail links a person follows to a screen rather than to an operation.
  std::string portal_page(std::string_view route) const {
    return public_url_ + "/#" + std::string(route);
  }
  const std::string& public_url() const { return public_url_; }

  const std::vector<Email>& mails() const { return mails_; }
  const std::vector<std::string>& revoked_applications() const { return revoked_apps_; }
  const std::vector<std::string>& closed_sessions() const { return closed_sessions_; }

 private:
  std::string public_url_;
  std::vector<Email> mails_;
  std::vector<std::string> revoked_apps_;
  std::vector<std::string> closed_sessions_;
};

}  // namespace pistesim
