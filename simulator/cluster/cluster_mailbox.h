// The captured outbox shared by the nodes of a cluster (docs/cluster.md): an account registered
// on A has its activation e-mail on B's /__pistesim/mail. One Redis list, oldest first, bounded
// like a node's mailbox (the oldest leave first and are counted); ids come from one Redis
// counter, so they are unique across nodes. A notice sent once per window by whichever node
// meets the condition first (« quota exceeded ») is claimed with a key that only one node can set.
#pragma once

#include "cluster/redis_client.h"
#include "mail/mailbox.h"

namespace pistesim {

class ClusterMailbox final : public SharedMailbox {
 public:
  ClusterMailbox(RedisClient& redis, std::string prefix, size_t capacity);

  uint64_t deliver(Email email) override;
  uint64_t reserve_ids(size_t n) override;
  std::vector<Email> list() const override;
  size_t clear() override;
  uint64_t dropped() const override;
  bool first_notice(const std::string& notice, Millis valid_for_ms) override;

 private:
  std::string key(const char* name) const { return prefix_ + name; }
  RedisClient& redis_;
  const std::string prefix_;
  const size_t capacity_;
};

// An e-mail as Redis keeps it, and back (nullopt: not one).
std::string email_to_json(const Email& e);
std::optional<Email> email_from_json(const std::string& text);

}  // namespace pistesim
