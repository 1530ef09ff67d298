// A StateStore in one SQLite file (docs/durable-state.md): WAL journal, synchronous=FULL (a
// change is on disk before the call saving it returns), exclusive lock (one simulator per file),
// created with mode 0600 (it holds client secrets and live tokens). The schema version is
// PRAGMA user_version; older files are brought up to date by explicit migrations, in order.
//
// Writes go through one writer thread that commits whatever is queued as a single transaction
// (group commit): concurrent token requests share a disk flush instead of queueing for one each.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/state_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pistesim {

class SqliteStore final : public StateStore {
 public:
  // The schema this build writes; files of older versions are migrated on open.
  static constexpr int kSchemaVersion = 2;
  // PRAGMA application_id of pistesim state files ("PSIM").
  static constexpr int kApplicationId = 0x5053494d;

  struct Options {
    size_t mailbox_capacity = 10000;  // older e-mails are pruned from the file past this
  };

  // Opens `path`, creating it (mode 0600) if absent, migrates it and reads its contents
  // (restored()). Throws StoreError with a message naming the file: not a pistesim state file,
  // a newer schema than this build knows, in use by another process, unreadable.
  explicit SqliteStore(const std::string& path, Options options);
  explicit SqliteStore(const std::string& path) : SqliteStore(path, Options{}) {}
  // Finishes queued writes and closes the file (checkpointing the WAL into it).
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // What the file held when opened. Its version before migration is opened_version().
  const StoredState& restored() const { return restored_; }
  int opened_version() const { return opened_version_; }
  const std::string& path() const { return path_; }

  void commit(const StateChange& change) override;
  void save_clock_offset(Millis offset_ms) override;
  TokenStoreListener& token_listener(Channel channel) override;
  MailboxListener& mailbox_listener() override;

  // Brings an open database from `from` to `to` (used on open; exposed for tests of the
  // migrations themselves). Each step runs in its own transaction with its version bump.
  static void migrate(sqlite3* db, int from, int to);

 private:
  class Tokens;
  class Mails;
  class Statements;
  using Write = std::function<void(Statements&)>;
  struct Job;

  void open_file();
  void load();
  // Queues `write` for the writer thread, releases `held` (the locks under which the change
  // was made in memory; may be null) and waits until it is committed (or failed). Writes are
  // committed in the order they were queued.
  void run(HeldLocks* held, Write write);
  void run(HeldLocks& held, Write write) { run(&held, std::move(write)); }
  void run(Write write) { run(nullptr, std::move(write)); }
  void writer_loop();
  void apply_batch(std::deque<Job*>& batch);
  void prune_mails(Statements& st);

  std::string path_;
  Options options_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statements> statements_;
  StoredState restored_;
  int opened_version_ = 0;
  std::unique_ptr<Tokens> tokens_[2];
  std::unique_ptr<Mails> mails_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  std::thread writer_;

  // Writer-thread state: housekeeping counters.
  uint64_t token_inserts_ = 0;
  Millis latest_issue_ms_ = 0;
  uint64_t mail_inserts_ = 0;
  // Ids of e-mails saved by commit(), so that their delivery is not saved a second time.
  std::mutex committed_mails_mutex_;
  std::unordered_set<uint64_t> committed_mails_;
};

}  // namespace pistesim
