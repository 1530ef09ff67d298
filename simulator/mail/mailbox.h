// The captured outbox (NOT-1): every e-mail PISTE would send lands here instead of in a real
// mailbox, readable by scenarios (follow the activation link) and by people (control API).
// Thread-safe; bounded: past `capacity` messages the oldest are dropped (and counted).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clock/clock.h"

namespace pistesim {

struct EmailLink {
  std::string label;  // the anchor text as PISTE words it (« Activer votre compte »)
  std::string url;
};

struct Email {
  uint64_t id = 0;  // assigned on delivery, increasing
  Millis sent_at = 0;
  std::string kind;  // "activation", "password_reset_request", … (docs/control-api.md)
  std::string to;
  std::string subject;
  std::string body;  // plain text; French, then English where PISTE sends both
  std::vector<EmailLink> links;
};

// Told of deliveries and of clear(), synchronously, before the call returns (durable state,
// core/state_store.h). May throw (StoreError): deliver() then takes the message back.
class MailboxListener {
 public:
  virtual ~MailboxListener() = default;
  virtual void delivered(const Email& email) = 0;
  virtual void cleared(uint64_t next_id) = 0;
};

// A mailbox shared by the nodes of a cluster (cluster/cluster_mailbox.h): when set, messages
// are delivered to it and read from it, ids are its own. May throw StoreError.
class SharedMailbox {
 public:
  virtual ~SharedMailbox() = default;
  virtual uint64_t deliver(Email email) = 0;  // keeps a reserved id, else assigns the next
  virtual uint64_t reserve_ids(size_t n) = 0;
  virtual std::vector<Email> list() const = 0;  // oldest first
  virtual size_t clear() = 0;
  virtual uint64_t dropped() const = 0;
  // True for the first claim of `notice` (a name for one message, such as a quota's « quota
  // exceeded » for one window) across every node, until `valid_for_ms` passed or the mailbox is
  // cleared; false for every later claim.
  virtual bool first_notice(const std::string& notice, Millis valid_for_ms) = 0;
};

class Mailbox {
 public:
  explicit Mailbox(size_t capacity = 10000) : capacity_(capacity) {}

  // Keeps email.id when it is a reserved one (reserve_ids()), else assigns the next id.
  uint64_t deliver(Email email);
  // `n` consecutive ids for messages delivered later (so that they can be saved, ids included,
  // together with the change that sends them); returns the first.
  uint64_t reserve_ids(size_t n);
  // Back to saved contents (oldest first); past `capacity` the oldest are dropped and counted.
  void restore(std::vector<Email> messages, uint64_t next_id, uint64_t dropped);
  size_t capacity() const { return capacity_; }
  // REQUIRES: no concurrent use of the mailbox while it is set. nullptr: none.
  void set_listener(MailboxListener* listener) { listener_ = listener; }
  // REQUIRES: as set_listener(). nullptr: this node's own messages.
  void set_shared(SharedMailbox* shared) { shared_ = shared; }
  // SharedMailbox::first_notice with a shared mailbox; alone, always true (the sender knows
  // what it already sent).
  bool first_notice(const std::string& notice, Millis valid_for_ms) {
    return !shared_ || shared_->first_notice(notice, valid_for_ms);
  }

  // Oldest first; `to` filters by recipient (case-insensitive), `kind` by kind; empty = any.
  std::vector<Email> list(std::string_view to = {}, std::string_view kind = {}) const;
  std::optional<Email> get(uint64_t id) const;
  size_t clear();
  uint64_t dropped() const;

 private:
  mutable std::mutex mutex_;
  std::deque<Email> messages_;
  size_t capacity_;
  uint64_t next_id_ = 1;
  uint64_t dropped_ = 0;
  MailboxListener* listener_ = nullptr;
  SharedMailbox* shared_ = nullptr;
};

}  // namespace pistesim
