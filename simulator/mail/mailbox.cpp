#include "mail/mailbox.h"

#include "world/world.h"

namespace pistesim {

uint64_t Mailbox::deliver(Email email) {
  std::lock_guard lock(mutex_);
  email.id = next_id_++;
  if (messages_.size() >= capacity_) {
    messages_.pop_front();
    ++dropped_;
  }
  messages_.push_back(std::move(email));
  return messages_.back().id;
}

std::vector<Email> Mailbox::list(std::string_view to, std::string_view kind) const {
  std::lock_guard lock(mutex_);
  std::vector<Email> out;
  for (const auto& m : messages_)
    if ((to.empty() || iequals(m.to, to)) && (kind.empty() || m.kind == kind)) out.push_back(m);
  return out;
}

std::optional<Email> Mailbox::get(uint64_t id) const {
  std::lock_guard lock(mutex_);
  for (const auto& m : messages_)
    if (m.id == id) return m;
  return std::nullopt;
}

size_t Mailbox::clear() {
  std::lock_guard lock(mutex_);
  size_t n = messages_.size();
  messages_.clear();
  return n;
}

uint64_t Mailbox::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace pistesim
