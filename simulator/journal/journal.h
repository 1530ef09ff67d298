// The request journal (ARCHITECTURE.md "journal"): a bounded record of every exchange on the
// four PISTE endpoints, so that scenarios can judge what a client did — how many tokens it
// fetched for how many calls, whether it reused them, how it paced itself after a 429, how it
// authenticated. Holds no secret: credentials are reduced to how they were sent, tokens to a
// short fingerprint. The oldest entries go first when it is full. Safe for concurrent use.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "clock/clock.h"
#include "journal/exchange_facts.h"
#include "wire/http_message.h"
#include "world/world.h"

namespace pistesim {

enum class JournalKind { Token, Api };
std::string_view to_string(JournalKind k);

struct JournalEntry {
  uint64_t seq = 0;         // 1, 2, … in arrival order; never reused (clear() keeps counting)
  Millis at_ms = 0;         // the simulator's clock when the request arrived
  int64_t elapsed_us = 0;   // real time since the journal began (steady clock): client pacing
  int64_t duration_us = 0;  // real time the simulator took to answer
  JournalKind kind = JournalKind::Api;
  Channel channel = Channel::Sandbox;
  std::string method;
  std::string path;                      // the PISTE path, without the query
  std::vector<std::string> query_names;  // names only: values may be credentials
  std::string remote_addr;

  // How the client presented itself. Token requests: "basic", "body", "basic+body" (two
  // methods, RFC 6749 §2.3), "none". API calls: "bearer", "api_key", "query" (access_token in
  // the URI), "body" (access_token in a form body), or "none".
  std::string auth;
  // Names in the query string that carry credentials (client_secret, access_token, …).
  std::vector<std::string> credentials_in_query;
  std::string client_id;   // token requests: the identifier (not secret) the client gave
  std::string grant_type;  // token requests
  std::string scope;       // token requests: the scope asked for; on 200, the one granted
  // Fingerprint (12 hex digits of SHA-256) of the bearer token an API call presented, or of the
  // token a token request obtained. Links calls to the fetch that produced their token.
  std::string token_id;
  std::string application;  // the application identified, when one was

  int status = 0;
  std::string error;        // OAuth / RFC 6750 `error` code of the answer, if any
  std::string retry_after;  // the answer's Retry-After header, if any
  bool dropped = false;     // an injected fault cut the connection

  bool operator==(const JournalEntry&) const = default;
};

// One exchange with a PISTE endpoint as the simulator answered it, for Journal::record: views
// into the request, the answer and the facts the endpoint decided, copied into an entry under the
// journal's lock (into the storage of the slot it reuses, once the journal is full).
struct JournalExchange {
  JournalKind kind = JournalKind::Api;
  Channel channel = Channel::Sandbox;
  const Request* request = nullptr;      // REQUIRES: set
  const ExchangeFacts* facts = nullptr;  // REQUIRES: set
  int status = 0;
  std::string_view retry_after;
  bool dropped = false;
  Millis at_ms = 0;
  int64_t elapsed_us = 0;
  int64_t duration_us = 0;
};

// A journal shared by the nodes of a cluster (cluster/cluster_journal.h): when set, record()
// hands it each entry (with when it arrived, wall-clock microseconds) and reads come from it.
// May throw StoreError (the read is answered 503).
class SharedJournal {
 public:
  virtual ~SharedJournal() = default;
  virtual void record(const JournalEntry& entry, int64_t arrived_wall_us) = 0;
  virtual std::vector<JournalEntry> since(uint64_t after, size_t limit) = 0;
  virtual uint64_t last_seq() = 0;
  virtual uint64_t dropped() = 0;
  virtual void clear() = 0;
};

class Journal {
 public:
  // capacity 0 disables recording (load tests that do not want its cost).
  explicit Journal(size_t capacity = 10000);

  bool enabled() const { return capacity_ != 0; }
  // Fills in seq and elapsed_us, and appends.
  void record(JournalEntry entry);
  // Fills in seq and appends the exchange's entry. A full journal writes it over its oldest
  // entry's strings: nothing is allocated or freed per request.
  void record(const JournalExchange& exchange);
  // Entries with seq > after, oldest first, at most `limit`.
  std::vector<JournalEntry> since(uint64_t after, size_t limit = SIZE_MAX) const;
  // The seq of the latest entry (0 if none yet): a marker to read "what happened after".
  uint64_t last_seq() const;
  // Entries pushed out because the journal was full.
  uint64_t dropped() const;
  size_t capacity() const { return capacity_; }
  // Microseconds of real time since the journal began.
  int64_t elapsed_us() const;
  void clear();
  // REQUIRES: no request in flight (set before serving). nullptr: this node's own journal.
  void set_shared(SharedJournal* shared) { shared_ = shared; }

 private:
  void record_shared(const JournalEntry& entry);

  const size_t capacity_;
  const std::chrono::steady_clock::time_point start_;
  const std::chrono::system_clock::time_point wall_start_;
  SharedJournal* shared_ = nullptr;
  mutable std::mutex mutex_;
  // A ring, oldest at head_: a full journal overwrites a slot instead of allocating one (a
  // deque of entries this size takes a block per entry). Seqs are consecutive within it.
  std::vector<JournalEntry> ring_;
  size_t head_ = 0;
  JournalEntry& at(size_t i) { return ring_[(head_ + i) % ring_.size()]; }
  const JournalEntry& at(size_t i) const { return ring_[(head_ + i) % ring_.size()]; }
  uint64_t next_seq_ = 1;
  uint64_t dropped_ = 0;
};

// The exchange of `request` answered by `response`, with the facts the endpoint decided (no
// credential, no token value is kept); timing left to the caller.
JournalExchange journal_exchange(JournalKind kind, Channel channel, const Request& request,
                                 const Response& response, const ExchangeFacts& facts);
// Writes every field of `e` (seq 0) from `x`, reusing the storage of `e`'s strings.
void fill_journal_entry(JournalEntry& e, const JournalExchange& x);

// The control API's form of an entry (GET /__pistesim/journal), and back: a scenario runner
// reading a remote simulator's journal gets the same values as one reading an embedded one.
// An entry as JSON text, with `arrived_us` when given (a cluster node's journal lines in Redis).
std::string journal_entry_text(const JournalEntry& e, std::optional<int64_t> arrived_us = {});
nlohmann::json journal_entry_json(const JournalEntry& e);
// nullopt when `j` is not an entry of that form.
std::optional<JournalEntry> journal_entry_from_json(const nlohmann::json& j);

}  // namespace pistesim
