#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "world/world_loader.h"
#include "world/world_writer.h"

namespace pistesim {

namespace {

// The schema, one step per version. A step never changes once released: a new layout is a new
// step, so that a file written by any earlier version is brought up to date in order.
constexpr const char* kMigrations[] = {
    // 1: the world (initial and current, as world files), issued tokens, the mailbox.
    R"sql(
      PRAGMA application_id = 1347635533;
      CREATE TABLE world (slot TEXT PRIMARY KEY, toml TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE tokens (
        channel INTEGER NOT NULL, token TEXT NOT NULL, application TEXT NOT NULL,
        client TEXT NOT NULL, scope TEXT NOT NULL, issued_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (channel, token)) WITHOUT ROWID;
      CREATE TABLE mails (
        id INTEGER PRIMARY KEY, sent_at INTEGER NOT NULL, kind TEXT NOT NULL,
        recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, links TEXT NOT NULL);
    )sql",
    // 2: counters that version 1 lost on restart (the clock's advance, the mailbox's next id
    // and dropped count), and an index for revoking an application's tokens.
    R"sql(
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO counters VALUES
        ('clock_offset_ms', 0),
        ('mail_next_id', (SELECT coalesce(max(id), 0) + 1 FROM mails)),
        ('mails_dropped', 0);
      CREATE INDEX tokens_by_application ON tokens (application);
    )sql",
};
static_assert(std::size(kMigrations) == SqliteStore::kSchemaVersion);

// Sweep expired tokens / prune old e-mails from the file every so many inserts.
constexpr uint64_t kTokenSweepEvery = 1024;
constexpr uint64_t kMailPruneEvery = 256;

std::string describe(sqlite3* db) {
  return db ? sqlite3_errmsg(db) : "out of memory";
}

void exec_script(sqlite3* db, const std::string& sql, const std::string& what) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : describe(db);
    sqlite3_free(message);
    throw StoreError(what + ": " + text);
  }
}

int64_t pragma_int(sqlite3* db, const char* pragma, const std::string& where) {
  sqlite3_stmt* s = nullptr;
  std::string sql = std::string("PRAGMA ") + pragma;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
    throw StoreError(where + ": " + describe(db));
  int rc = sqlite3_step(s);
  int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw StoreError(where + ": " + describe(db));
  return v;
}

std::string column_text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t),
                         static_cast<size_t>(sqlite3_column_bytes(s, i)))
           : std::string();
}

std::string links_json(const std::vector<EmailLink>& links) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& l : links) j.push_back({{"label", l.label}, {"url", l.url}});
  return j.dump();
}

std::vector<EmailLink> links_from_json(const std::string& text) {
  std::vector<EmailLink> links;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return links;
  for (const auto& l : j)
    if (l.is_object())
      links.push_back({l.value("label", std::string()), l.value("url", std::string())});
  return links;
}

}  // namespace

// Prepared statements of the writer thread, kept for the store's life.
class SqliteStore::Statements {
 public:
  explicit Statements(sqlite3* db) : db_(db) {}
  ~Statements() {
    for (auto& [_, s] : cache_) sqlite3_finalize(s);
  }

  template <class... Args>
  void exec(const char* sql, const Args&... args) {
    sqlite3_stmt* s = prepare(sql);
    int i = 1;
    (bind(s, i++, args), ...);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) throw StoreError("saving state: " + describe(db_));
  }
  int64_t changes() const { return sqlite3_changes64(db_); }

 private:
  sqlite3_stmt* prepare(const char* sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
      throw StoreError("saving state: " + describe(db_));
    cache_.emplace(sql, s);
    return s;
  }
  void bind(sqlite3_stmt* s, int i, int64_t v) { sqlite3_bind_int64(s, i, v); }
  void bind(sqlite3_stmt* s, int i, int v) { sqlite3_bind_int64(s, i, v); }
  void bind(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }

  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;  // keyed by the literal's address
};

struct SqliteStore::Job {
  Write write;
  std::exception_ptr error;
  bool done = false;
};

class SqliteStore::Tokens final : public TokenStoreListener {
 public:
  Tokens(SqliteStore& store, Channel channel)
      : store_(store), channel_(static_cast<int>(channel)) {}

  // Each write is queued before `held` is released (SqliteStore::run): the file takes the
  // changes in the order memory made them.
  void inserted(std::string_view token, const TokenRecord& r, HeldLocks& held) override {
    store_.run(held, [&, token = std::string(token)](Statements& st) {
      st.exec("INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?, ?)", channel_, token,
              std::string(r.application_id), std::string(r.client_id), std::string(r.scope),
              r.issued_ms, r.expires_ms, r.revoked ? 1 : 0);
      // Expired tokens leave the file as they leave memory (the sweep is the writer's own).
      if (r.issued_ms > store_.latest_issue_ms_) store_.latest_issue_ms_ = r.issued_ms;
      if (++store_.token_inserts_ % kTokenSweepEvery == 0)
        st.exec("DELETE FROM tokens WHERE expires_ms <= ?", store_.latest_issue_ms_);
    });
  }
  void revoked(std::string_view token, HeldLocks& held) override {
    store_.run(held, [&, token = std::string(token)](Statements& st) {
      st.exec("UPDATE tokens SET revoked = 1 WHERE channel = ? AND token = ?", channel_, token);
    });
  }
  void expired(std::string_view token, Millis at, HeldLocks& held) override {
    store_.run(held, [&, token = std::string(token)](Statements& st) {
      st.exec("UPDATE tokens SET expires_ms = min(expires_ms, ?) WHERE channel = ? AND token = ?",
              at, channel_, token);
    });
  }
  void application_revoked(std::string_view application_id, HeldLocks& held) override {
    store_.run(held, [&, id = std::string(application_id)](Statements& st) {
      st.exec("UPDATE tokens SET revoked = 1 WHERE channel = ? AND application = ?", channel_, id);
    });
  }
  void application_expired(std::string_view application_id, Millis at, HeldLocks& held) override {
    store_.run(held, [&, id = std::string(application_id)](Statements& st) {
      st.exec(
          "UPDATE tokens SET expires_ms = min(expires_ms, ?) WHERE channel = ? AND application = ?",
          at, channel_, id);
    });
  }
  void rewound(Millis old_now, Millis new_now, HeldLocks& held) override {
    store_.run(held, [=, this](Statements& st) {
      st.exec(
          "UPDATE tokens SET expires_ms = ? WHERE channel = ? AND expires_ms > ? AND "
          "(issued_ms > ? OR expires_ms <= ?)",
          new_now, channel_, new_now, new_now, old_now);
      // The sweep deletes what expired before the latest issue: that must not stay in the
      // abandoned future, or it would delete tokens issued from now on.
      if (store_.latest_issue_ms_ > new_now) store_.latest_issue_ms_ = new_now;
    });
  }

 private:
  SqliteStore& store_;
  int channel_;
};

namespace {
void insert_mail(auto& st, const Email& m) {
  st.exec("INSERT OR REPLACE INTO mails VALUES (?, ?, ?, ?, ?, ?, ?)", static_cast<int64_t>(m.id),
          m.sent_at, m.kind, m.to, m.subject, m.body, links_json(m.links));
  st.exec("UPDATE counters SET value = max(value, ?) WHERE name = 'mail_next_id'",
          static_cast<int64_t>(m.id + 1));
}
}  // namespace

class SqliteStore::Mails final : public MailboxListener {
 public:
  explicit Mails(SqliteStore& store) : store_(store) {}

  void delivered(const Email& email) override {
    {
      // Saved already, with the change that sent it.
      std::lock_guard lock(store_.committed_mails_mutex_);
      if (store_.committed_mails_.erase(email.id)) return;
    }
    store_.run([&](Statements& st) {
      insert_mail(st, email);
      if (++store_.mail_inserts_ % kMailPruneEvery == 0) store_.prune_mails(st);
    });
  }
  void cleared(uint64_t next_id) override {
    store_.run([&](Statements& st) {
      st.exec("DELETE FROM mails");
      st.exec("UPDATE counters SET value = max(value, ?) WHERE name = 'mail_next_id'",
              static_cast<int64_t>(next_id));
    });
  }

 private:
  SqliteStore& store_;
};

SqliteStore::SqliteStore(const std::string& path, Options options)
    : path_(path), options_(options) {
  try {
    open_file();
    load();
  } catch (...) {
    if (db_) sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
  statements_ = std::make_unique<Statements>(db_);
  tokens_[0] = std::make_unique<Tokens>(*this, Channel::Sandbox);
  tokens_[1] = std::make_unique<Tokens>(*this, Channel::Production);
  mails_ = std::make_unique<Mails>(*this);
  writer_ = std::thread([this] { writer_loop(); });
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  statements_.reset();
  if (db_) sqlite3_close(db_);
}

void SqliteStore::open_file() {
  const std::string where = "state file " + path_;
  // Created here rather than by SQLite so that it is never, even briefly, readable by others
  // (SQLite gives its -wal file the same mode).
  int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw StoreError("cannot open " + where + ": " + std::strerror(errno));
  ::close(fd);
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
    throw StoreError("cannot open " + where + ": " + describe(db_));
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 100);  // the lock is held for a server's life: no use waiting

  // One simulator per file: the lock is taken by the first access and held until close.
  exec_script(db_, "PRAGMA locking_mode = EXCLUSIVE", where);
  int64_t objects = 0;
  try {
    objects = pragma_int(db_, "schema_version", where);
  } catch (const StoreError& e) {
    std::string text = e.what();
    if (text.find("locked") != std::string::npos || text.find("busy") != std::string::npos)
      throw StoreError(where + " is in use by another pistesim process");
    throw StoreError(where + " is not a pistesim state file (" + describe(db_) + ")");
  }
  const int64_t app_id = pragma_int(db_, "application_id", where);
  opened_version_ = static_cast<int>(pragma_int(db_, "user_version", where));
  if (objects != 0 && app_id != kApplicationId)
    throw StoreError(where + " is not a pistesim state file (another SQLite database)");
  if (opened_version_ > kSchemaVersion)
    throw StoreError(where + " was written by a newer pistesim (schema version " +
                     std::to_string(opened_version_) + "; this one reads up to " +
                     std::to_string(kSchemaVersion) + ")");

  // WAL: a commit appends to the log, readers never block; synchronous=FULL syncs the log on
  // every commit, so an acknowledged change survives a crash of the process or of the machine.
  sqlite3_stmt* s = nullptr;
  std::string mode;
  if (sqlite3_prepare_v2(db_, "PRAGMA journal_mode = WAL", -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    mode = column_text(s, 0);
  sqlite3_finalize(s);
  if (mode != "wal") {
    std::string why = describe(db_);
    if (why.find("locked") != std::string::npos || why.find("busy") != std::string::npos)
      throw StoreError(where + " is in use by another pistesim process");
    throw StoreError(where + ": cannot use WAL journaling (" + why + ")");
  }
  exec_script(db_, "PRAGMA synchronous = FULL", where);
  migrate(db_, opened_version_, kSchemaVersion);
}

void SqliteStore::migrate(sqlite3* db, int from, int to) {
  for (int v = from + 1; v <= to; ++v) {
    const std::string what = "migrating the state file to schema version " + std::to_string(v);
    exec_script(db, "BEGIN IMMEDIATE", what);
    try {
      exec_script(db, kMigrations[v - 1], what);
      exec_script(db, "PRAGMA user_version = " + std::to_string(v), what);
      exec_script(db, "COMMIT", what);
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
}

void SqliteStore::load() {
  const std::string where = "reading state file " + path_;
  auto query = [&](const char* sql, auto&& row) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK)
      throw StoreError(where + ": " + describe(db_));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) row(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) throw StoreError(where + ": " + describe(db_));
  };
  query("SELECT slot, toml FROM world", [&](sqlite3_stmt* s) {
    std::string slot = column_text(s, 0);
    WorldLoadResult loaded =
        load_world_string(column_text(s, 1), path_ + " (" + slot + " world)", WorldChecks::Saved);
    if (!loaded.ok())
      throw StoreError(where + ": its saved " + slot +
                       " world does not load: " + loaded.errors.front().to_string());
    if (slot == "initial")
      restored_.initial_world = std::move(loaded.world);
    else if (slot == "current")
      restored_.world = std::move(loaded.world);
  });
  if (restored_.initial_world.has_value() != restored_.world.has_value())
    throw StoreError(where + ": it holds only one of the initial and current worlds");
  query(
      "SELECT channel, token, application, client, scope, issued_ms, expires_ms, revoked "
      "FROM tokens",
      [&](sqlite3_stmt* s) {
        StoredToken t;
        t.channel = sqlite3_column_int(s, 0) == 1 ? Channel::Production : Channel::Sandbox;
        t.token = column_text(s, 1);
        t.application_id = column_text(s, 2);
        t.client_id = column_text(s, 3);
        t.scope = column_text(s, 4);
        t.issued_ms = sqlite3_column_int64(s, 5);
        t.expires_ms = sqlite3_column_int64(s, 6);
        t.revoked = sqlite3_column_int(s, 7) != 0;
        restored_.tokens.push_back(std::move(t));
      });
  query("SELECT id, sent_at, kind, recipient, subject, body, links FROM mails ORDER BY id",
        [&](sqlite3_stmt* s) {
          Email m;
          m.id = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
          m.sent_at = sqlite3_column_int64(s, 1);
          m.kind = column_text(s, 2);
          m.to = column_text(s, 3);
          m.subject = column_text(s, 4);
          m.body = column_text(s, 5);
          m.links = links_from_json(column_text(s, 6));
          restored_.mails.push_back(std::move(m));
        });
  query("SELECT name, value FROM counters", [&](sqlite3_stmt* s) {
    std::string name = column_text(s, 0);
    int64_t value = sqlite3_column_int64(s, 1);
    if (name == "clock_offset_ms") restored_.clock_offset_ms = value;
    if (name == "mail_next_id" && value > 0) restored_.next_mail_id = static_cast<uint64_t>(value);
    if (name == "mails_dropped" && value > 0)
      restored_.mails_dropped = static_cast<uint64_t>(value);
  });
}

TokenStoreListener& SqliteStore::token_listener(Channel channel) {
  return *tokens_[static_cast<int>(channel)];
}

MailboxListener& SqliteStore::mailbox_listener() {
  return *mails_;
}

void SqliteStore::commit(const StateChange& change) {
  // Serialised here, on the caller's thread, so the writer only writes.
  const std::string initial = change.initial_world ? write_world_toml(*change.initial_world) : "";
  const std::string current = change.world ? write_world_toml(*change.world) : "";
  run([&](Statements& st) {
    if (change.initial_world)
      st.exec("INSERT OR REPLACE INTO world VALUES ('initial', ?)", initial);
    if (change.world) st.exec("INSERT OR REPLACE INTO world VALUES ('current', ?)", current);
    if (change.clear_tokens) st.exec("DELETE FROM tokens");
    for (const auto& id : change.revoked_applications)
      st.exec("UPDATE tokens SET revoked = 1 WHERE application = ?", id);
    if (change.clear_mailbox) st.exec("DELETE FROM mails");
    for (const auto& m : change.mails) insert_mail(st, m);
  });
  if (!change.mails.empty()) {
    std::lock_guard lock(committed_mails_mutex_);
    for (const auto& m : change.mails) committed_mails_.insert(m.id);
  }
}

void SqliteStore::save_clock_offset(Millis offset_ms) {
  run([&](Statements& st) {
    st.exec("UPDATE counters SET value = ? WHERE name = 'clock_offset_ms'", offset_ms);
  });
}

void SqliteStore::prune_mails(Statements& st) {
  st.exec("DELETE FROM mails WHERE id <= (SELECT id FROM mails ORDER BY id DESC LIMIT 1 OFFSET ?)",
          static_cast<int64_t>(options_.mailbox_capacity));
  if (int64_t n = st.changes(); n > 0)
    st.exec("UPDATE counters SET value = value + ? WHERE name = 'mails_dropped'", n);
}

void SqliteStore::run(HeldLocks* held, Write write) {
  Job job{std::move(write), nullptr, false};
  std::unique_lock lock(queue_mutex_);
  if (stopping_) throw StoreError("state file " + path_ + " is closed");
  queue_.push_back(&job);
  queue_cv_.notify_all();
  // Queued: the writer takes jobs in this order, so the caller's locks may go.
  if (held) held->release();
  queue_cv_.wait(lock, [&] { return job.done; });
  if (job.error) std::rethrow_exception(job.error);
}

void SqliteStore::writer_loop() {
  std::deque<Job*> batch;
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to write
    batch.swap(queue_);
    lock.unlock();
    apply_batch(batch);
    lock.lock();
    for (Job* job : batch) job->done = true;
    batch.clear();
    queue_cv_.notify_all();
  }
}

void SqliteStore::apply_batch(std::deque<Job*>& batch) {
  auto transaction = [&](auto first, auto last) {
    exec_script(db_, "BEGIN IMMEDIATE", "saving state");
    try {
      for (auto it = first; it != last; ++it) (*it)->write(*statements_);
      exec_script(db_, "COMMIT", "saving state");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  };
  try {
    transaction(batch.begin(), batch.end());
    return;
  } catch (...) {
    if (batch.size() == 1) {
      batch.front()->error = std::current_exception();
      return;
    }
  }
  // Something in the batch failed: each write alone, so that only the failing one fails.
  for (auto it = batch.begin(); it != batch.end(); ++it) {
    try {
      transaction(it, std::next(it));
    } catch (...) {
      (*it)->error = std::current_exception();
    }
  }
}

}  // namespace pistesim
