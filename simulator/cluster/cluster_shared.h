// What a cluster's nodes share beyond the world, tokens, quotas and clock (docs/cluster.md):
// the mailbox, armed faults, the journal (per-node lists, merged read), portal sessions, usage
// statistics and the quota counts an application's view shows, with the signals that keep each
// node's view of them current. Owned by the ClusterStore; attach() hands them to a node's
// simulator.
#pragma once

#include <memory>

#include "cluster/cluster_faults.h"
#include "cluster/cluster_journal.h"
#include "cluster/cluster_mailbox.h"
#include "cluster/cluster_sessions.h"
#include "cluster/cluster_signals.h"
#include "cluster/cluster_usage.h"

namespace pistesim {

class Simulator;

class ClusterShared {
 public:
  ClusterShared(RedisClient& redis, std::string prefix);
  ~ClusterShared();  // the journal's last entries written, the signals' thread stopped

  // From now on `sim`'s mailbox, faults, journal, sessions and usage are the cluster's. Starts the
  // signal subscription and the journal writer. REQUIRES: called once, before serving; this
  // outlives `sim`.
  void attach(Simulator& sim, size_t journal_capacity);

  ClusterSignals& signals() { return signals_; }
  ClusterJournal* journal() { return journal_.get(); }  // nullptr: journal disabled

 private:
  RedisClient& redis_;
  const std::string prefix_;
  ClusterSignals signals_;
  ClusterFaults faults_;
  ClusterSessions sessions_;
  ClusterUsage usage_;
  ClusterQuotaCounts quota_counts_;
  std::unique_ptr<ClusterMailbox> mailbox_;
  std::unique_ptr<ClusterJournal> journal_;
};

}  // namespace pistesim
