// Durable state: what a long-lived simulator must not forget across restarts (the world with its
// accounts, applications, credentials and requests; issued tokens; the mailbox; how far the clock
// was advanced). The simulator reports every change to a StateStore before the change is visible
// or acknowledged; `pistesim serve --state FILE` uses SqliteStore (store/sqlite_store.h).
// Declared here, by the core that reports to it; store/ implements it. Implementations are safe
// for concurrent use.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "clock/clock.h"
#include "mail/mailbox.h"
#include "oauth/token_store.h"
#include "world/world.h"

namespace pistesim {

// A change could not be saved (disk full, I/O error, a broken file). The change was not made;
// the simulator answers 503. The message never holds a secret.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The shared state of a cluster (its Redis) cannot be reached: nothing was changed or decided,
// the request is answered 503 with this reason in the access log.
class StoreUnavailable : public StoreError {
 public:
  using StoreError::StoreError;
};

// A cluster store refused a world change because another node changed the world first: the
// simulator catches up (StateStore::newer_world) and runs the operation again on the newer world.
class WorldConflict : public StoreError {
 public:
  using StoreError::StoreError;
};

// One change of the simulator's state, saved as a whole or not at all.
struct StateChange {
  const World* initial_world = nullptr;  // the world `reset` returns to (set once, at creation)
  const World* world = nullptr;          // the new current world
  // The world `world` was made from (a cluster's store then saves only the difference); null
  // when it replaces the world (a reset, an install).
  const World* previous_world = nullptr;
  std::vector<Email> mails;  // e-mails it sends, ids reserved (Mailbox::reserve_ids)
  std::vector<std::string> revoked_applications;  // every token of these applications
  bool clear_tokens = false;                      // before revoked_applications
  bool clear_mailbox = false;                     // before mails
};

// A token as saved.
struct StoredToken {
  Channel channel = Channel::Sandbox;
  std::string token;
  std::string application_id;
  std::string client_id;
  std::string scope;
  Millis issued_ms = 0;
  Millis expires_ms = 0;
  bool revoked = false;
};

// What a request will read from a shared store (StateStore::behind): the bearer token of a
// gateway call on `channel`, empty when none.
struct RequestHint {
  Channel channel = Channel::Sandbox;
  std::string_view bearer;
};

// What a store held when it was opened.
struct StoredState {
  std::optional<World> initial_world;  // nullopt: a new, empty store
  std::optional<World> world;
  std::vector<StoredToken> tokens;  // those not expired when the store was opened
  std::vector<Email> mails;         // oldest first
  uint64_t next_mail_id = 1;
  uint64_t mails_dropped = 0;
  Millis clock_offset_ms = 0;  // how far the clock was advanced (POST /clock/advance)
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Each call below returns once its change is durable, or throws StoreError (and then nothing
  // of it is saved).
  virtual void commit(const StateChange& change) = 0;
  virtual void save_clock_offset(Millis offset_ms) = 0;
  // Listeners to attach to the simulator's token stores and mailbox.
  virtual TokenStoreListener& token_listener(Channel channel) = 0;
  virtual MailboxListener& mailbox_listener() = 0;

  // A state shared with other simulators (a cluster, docs/cluster.md). behind(): called before
  // each request; true when another node changed the world since this one last committed or
  // caught up. `hint` says what the request is about to read, so that a store may fetch it in the
  // same round trip. newer_world(): the newest world when it is newer than `current`, this
  // node's (nullopt when it is not), called with the simulator's world changes serialised. Both
  // may throw StoreError.
  virtual bool behind(const RequestHint& hint) {
    (void)hint;
    return false;
  }
  virtual std::optional<World> newer_world(const World& current) {
    (void)current;
    return std::nullopt;
  }
  // The world newer_world() gave is now the one requests read. Until then behind() still says
  // true: a request on another thread must not take the world it replaces for the newest.
  virtual void published_newer_world() {}
};

}  // namespace pistesim
