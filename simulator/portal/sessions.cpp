#include "portal/sessions.h"

#include "crypto/secrets.h"
#include "world/world.h"

namespace pistesim {

std::string SessionStore::open(std::string_view email, Millis now) {
  std::string id = random_alphanumeric(40);
  if (shared_) {
    shared_->open(id, ascii_lower(email), now);
    return id;
  }
  std::lock_guard lock(mutex_);
  // Forget expired sessions now and then so the map stays as large as the live ones.
  if (sessions_.size() > 1024)
    std::erase_if(sessions_, [&](const auto& e) { return now - e.second.last_seen > kLifetime; });
  sessions_[id] = Entry{ascii_lower(email), now};
  return id;
}

std::optional<std::string> SessionStore::user(std::string_view session, Millis now) {
  if (shared_) return shared_->user(session, now);
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(std::string(session));
  if (it == sessions_.end()) return std::nullopt;
  if (now - it->second.last_seen > kLifetime) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = std::max(it->second.last_seen, now);
  return it->second.email;
}

bool SessionStore::close(std::string_view session) {
  if (shared_) return shared_->close(session);
  std::lock_guard lock(mutex_);
  return sessions_.erase(std::string(session)) > 0;
}

size_t SessionStore::close_all(std::string_view email) {
  const std::string key = ascii_lower(email);
  if (shared_) return shared_->close_all(key);
  std::lock_guard lock(mutex_);
  return std::erase_if(sessions_, [&](const auto& e) { return e.second.email == key; });
}

void SessionStore::clear() {
  if (shared_) return shared_->clear();
  std::lock_guard lock(mutex_);
  sessions_.clear();
}

}  // namespace pistesim
