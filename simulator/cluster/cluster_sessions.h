// Portal sessions shared by the nodes of a cluster (docs/cluster.md): a portal client logged in
// on A carries its cookie (or X-Pistesim-Session) to B. One Redis hash per session (its user and
// when it was last seen, on the simulator's clock, so that an advanced clock ends it as on one
// node) and one set per user (a password change or a deactivation closes them all). Each
// operation is one script; `POST /reset` starts a new generation instead of scanning.
#pragma once

#include "cluster/redis_client.h"
#include "portal/sessions.h"

namespace pistesim {

class ClusterSessions final : public SharedSessions {
 public:
  ClusterSessions(RedisClient& redis, std::string prefix);

  void open(const std::string& id, const std::string& email, Millis now) override;
  std::optional<std::string> user(std::string_view session, Millis now) override;
  bool close(std::string_view session) override;
  size_t close_all(const std::string& email) override;
  void clear() override;

 private:
  RedisClient& redis_;
  const std::string prefix_;
};

}  // namespace pistesim
