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

class Mailbox {
 public:
  explicit Mailbox(size_t capacity = 10000) : capacity_(capacity) {}

  uint64_t deliver(Email email);
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
};

}  // namespace pistesim
