#include "mail/mailbox.h"

#include <iterator>

#include "world/world.h"

namespace pistesim {

uint64_t Mailbox::deliver(Email email) {
  if (shared_) return shared_->deliver(std::move(email));
  std::unique_lock lock(mutex_);
  if (email.id == 0 || email.id >= next_id_) email.id = next_id_++;
  if (messages_.size() >= capacity_) {
    messages_.pop_front();
    ++dropped_;
  }
  // Oldest first, by id: a reserved id may arrive after a later one was assigned.
  auto at = messages_.end();
  while (at != messages_.begin() && std::prev(at)->id > email.id) --at;
  const uint64_t id = email.id;
  if (!listener_) {
    messages_.insert(at, std::move(email));
    return id;
  }
  messages_.insert(at, email);
  lock.unlock();
  try {
    listener_->delivered(email);
  } catch (...) {
    lock.lock();
    std::erase_if(messages_, [&](const Email& m) { return m.id == id; });
    throw;
  }
  return id;
}

uint64_t Mailbox::reserve_ids(size_t n) {
  if (shared_) return shared_->reserve_ids(n);
  std::lock_guard lock(mutex_);
  uint64_t first = next_id_;
  next_id_ += n;
  return first;
}

void Mailbox::restore(std::vector<Email> messages, uint64_t next_id, uint64_t dropped) {
  std::lock_guard lock(mutex_);
  messages_.clear();
  dropped_ = dropped;
  next_id_ = next_id;
  for (auto& m : messages) {
    if (m.id >= next_id_) next_id_ = m.id + 1;
    if (messages_.size() >= capacity_) {
      messages_.pop_front();
      ++dropped_;
    }
    messages_.push_back(std::move(m));
  }
}

std::vector<Email> Mailbox::list(std::string_view to, std::string_view kind) const {
  auto wanted = [&](const Email& m) {
    return (to.empty() || iequals(m.to, to)) && (kind.empty() || m.kind == kind);
  };
  std::vector<Email> out;
  if (shared_) {
    for (auto& m : shared_->list())
      if (wanted(m)) out.push_back(std::move(m));
    return out;
  }
  std::lock_guard lock(mutex_);
  for (const auto& m : messages_)
    if (wanted(m)) out.push_back(m);
  return out;
}

std::optional<Email> Mailbox::get(uint64_t id) const {
  if (shared_) {
    for (auto& m : shared_->list())
      if (m.id == id) return std::move(m);
    return std::nullopt;
  }
  std::lock_guard lock(mutex_);
  for (const auto& m : messages_)
    if (m.id == id) return m;
  return std::nullopt;
}

size_t Mailbox::clear() {
  if (shared_) return shared_->clear();
  std::unique_lock lock(mutex_);
  size_t n = messages_.size();
  messages_.clear();
  uint64_t next_id = next_id_;
  lock.unlock();
  if (listener_) listener_->cleared(next_id);
  return n;
}

uint64_t Mailbox::dropped() const {
  if (shared_) return shared_->dropped();
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace pistesim
