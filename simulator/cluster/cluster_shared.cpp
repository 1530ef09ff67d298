#include "cluster/cluster_shared.h"

#include "core/simulator.h"

namespace pistesim {

ClusterShared::ClusterShared(RedisClient& redis, std::string prefix)
    : redis_(redis),
      prefix_(std::move(prefix)),
      signals_(redis, prefix_),
      faults_(redis, signals_, prefix_),
      sessions_(redis, prefix_),
      usage_(redis, signals_, prefix_),
      quota_counts_(redis, prefix_) {}

ClusterShared::~ClusterShared() {
  signals_.stop();
  if (journal_) journal_->stop();
}

void ClusterShared::attach(Simulator& sim, size_t journal_capacity) {
  mailbox_ = std::make_unique<ClusterMailbox>(redis_, prefix_, sim.mailbox().capacity());
  sim.mailbox().set_shared(mailbox_.get());
  sim.faults().set_shared(&faults_);
  sim.sessions().set_shared(&sessions_);
  usage_.attach(sim.usage());
  sim.usage().set_shared(&usage_);
  sim.quotas().set_shared_counts(&quota_counts_);
  if (journal_capacity > 0) {
    // Handlers are registered before the subscription starts.
    journal_ = std::make_unique<ClusterJournal>(redis_, signals_, prefix_, journal_capacity);
    sim.journal().set_shared(journal_.get());
  }
  signals_.start();
  if (journal_) journal_->start();
}

}  // namespace pistesim
