// Portal sessions: what « Se connecter » gives a user (ACC-4). A session names the user; the
// portal checks on every operation that the account may still act (portal/actor.h). Sessions end
// on logout, on a password change (ACC-7: « Vous devez vous reconnecter ») and on deactivation.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "clock/clock.h"

namespace pistesim {

class SessionStore {
 public:
  // Idle sessions end after this long (choice: PISTE's portal session cookie lasts a browser
  // session; a day keeps long scenario runs logged in).
  static constexpr Millis kLifetime = 24LL * 3600 * 1000;

  std::string open(std::string_view email, Millis now);
  // The session's user (lower-cased e-mail), extending its life; nullopt if unknown or expired.
  std::optional<std::string> user(std::string_view session, Millis now);
  bool close(std::string_view session);
  size_t close_all(std::string_view email);
  void clear();

 private:
  struct Entry {
    std::string email;
    Millis last_seen = 0;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> sessions_;
};

}  // namespace pistesim
