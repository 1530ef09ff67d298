// The request journal of a cluster (docs/cluster.md): per-node journals in Redis with a merged
// read. Each node appends its exchanges to a list of its own, bounded like a node's journal, in
// batches written by a background thread (never on the request's path); a read asks every node
// to write what it holds (ClusterSignals), then merges the lists by arrival time. An entry's
// seq is when it arrived, in microseconds since the cluster's journal began (so seqs increase
// in arrival order across nodes, and `after=` cursors keep working); elapsed_us counts from the
// same start.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "cluster/cluster_signals.h"
#include "journal/journal.h"

namespace pistesim {

class ClusterJournal final : public SharedJournal {
 public:
  // `capacity`: entries each node's list keeps (the oldest leave first and are counted).
  ClusterJournal(RedisClient& redis, ClusterSignals& signals, std::string prefix, size_t capacity);
  ~ClusterJournal() override;  // stop()

  // Sets the cluster journal's start (if no node did) and starts the writer thread.
  void start();
  // Writes what is buffered (best effort) and stops the writer.
  void stop();

  // Writes the entry's line at once, on the caller's thread; the writer thread sends lines.
  void record(const JournalEntry& entry, int64_t arrived_wall_us) override;
  std::vector<JournalEntry> since(uint64_t after, size_t limit) override;
  uint64_t last_seq() override;
  uint64_t dropped() override;
  void clear() override;

  // Writes this node's buffered entries now. Throws StoreUnavailable (they stay buffered).
  void flush();
  const std::string& node() const { return node_; }

 private:
  // Every node's buffered entries written (this one's included).
  void flush_everywhere();
  std::vector<JournalEntry> merged();
  int64_t epoch();
  std::string key(const std::string& name) const { return prefix_ + name; }

  RedisClient& redis_;
  ClusterSignals& signals_;
  const std::string prefix_;
  const size_t capacity_;
  const std::string node_;  // this node's list: journal:n:NODE
  std::mutex flush_mutex_;  // one write at a time, in order
  std::mutex mutex_;        // guards what follows
  std::condition_variable wake_;
  std::deque<std::string> pending_;       // entries' lines (journal_entry_text), not written yet
  std::atomic<int64_t> last_arrived_{0};  // arrivals made unique within this node
  uint64_t lost_ = 0;                     // pushed out of a full buffer before they were written
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace pistesim
