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

// Sessions shared by the nodes of a cluster (cluster/cluster_sessions.h), so that a portal
// client may move between nodes: when set, every operation below goes to it. May throw
// StoreError (the request is answered 503).
class SharedSessions {
 public:
  virtual ~SharedSessions() = default;
  virtual void open(const std::string& id, const std::string& email, Millis now) = 0;
  virtual std::optional<std::string> user(std::string_view session, Millis now) = 0;
  virtual bool close(std::string_view session) = 0;
  virtual size_t close_all(const std::string& email) = 0;
  virtual void clear() = 0;
};

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
  // REQUIRES: no request in flight (set before serving). nullptr: this node's own sessions.
  void set_shared(SharedSessions* shared) { shared_ = shared; }

 private:
  SharedSessions* shared_ = nullptr;
  struct Entry {
    std::string email;
    Millis last_seen = 0;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> sessions_;
};

}  // namespace pistesim
