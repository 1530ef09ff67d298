// The cluster's world in Redis (docs/cluster.md, "The world: a log of deltas"): a snapshot (the
// world at version `world:base`, as the world writer prints it) and, in order, one entry per
// change since, each carrying only what changed (world/world_delta.h). Nodes change it by
// compare-and-append and catch up by applying the entries they missed; the appending node writes
// a new snapshot from time to time, which drops the entries before it (Redis's memory stays
// bounded). Each seeding draws a new epoch: a node whose world came from another seeding (Redis
// restarted empty and another node gave it its world) is not "at version N" of this one, and
// reloads the snapshot. Safe for concurrent use (each call is one atomic script).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cluster/redis_client.h"

namespace pistesim {

class ClusterWorldLog {
 public:
  // When the appending node writes a new snapshot: once the log holds `max_entries` entries, or
  // `min_bytes` and at least the snapshot's size (a node that joins then reads at most about
  // twice the world).
  struct Limits {
    int64_t max_entries = 1000;
    int64_t min_bytes = 256 * 1024;
  };

  ClusterWorldLog(RedisClient& redis, std::string prefix) : redis_(redis), prefix_(prefix) {}
  void set_limits(Limits limits) { limits_ = limits; }

  // Sets up a cluster that has no world (none yet, or a Redis restarted empty): `world` becomes
  // its snapshot at `version`, with an empty log and a new epoch, returned. nullopt if the
  // cluster had a world.
  std::optional<uint64_t> seed(const std::string& world, const std::string& initial,
                               uint64_t version);

  // What a node at (`from`, `epoch`) needs: the entries after it, or the snapshot and every entry
  // after the snapshot when the log no longer holds them or the epoch moved (a node far behind,
  // one that joins: from -1). Entries are checked to follow one another up to the head. nullopt
  // when Redis holds no world (it restarted empty).
  struct Read {
    uint64_t head = 0;
    uint64_t epoch = 0;
    std::optional<std::string> snapshot;
    std::vector<std::string> entries;  // in order; the last is `head`'s
  };
  std::optional<Read> read(int64_t from, uint64_t epoch);

  // Compare-and-append of a change made on the world at (`expected`, `epoch`): an entry (`delta`,
  // from write_world_delta), or, when `delta` is null, the whole `world` as the new snapshot.
  // `initial` ("": unchanged) is the world POST /reset returns to; the listed applications'
  // tokens are revoked (after a new token generation if `clear_tokens`) in the same step.
  struct Append {
    std::optional<std::string> delta;
    std::string world;
    std::string initial;
    bool clear_tokens = false;
    std::vector<std::string> revoked_applications;
  };
  struct Appended {
    bool ok = false;       // false: refused, another node changed the world first
    uint64_t version = 0;  // the new version (refused: the head)
    bool compact_due = false;
  };
  Appended append(uint64_t expected, uint64_t epoch, const Append& change);

  // Makes `world`, the world at `version`, the snapshot, dropping the entries up to it.
  void compact(uint64_t version, const std::string& world);

  // The first line of each entry: "# pistesim world log entry VERSION" (a TOML comment).
  static std::string entry_header(uint64_t version);

 private:
  std::string key(const char* name) const { return prefix_ + name; }

  RedisClient& redis_;
  const std::string prefix_;
  Limits limits_;
};

}  // namespace pistesim
