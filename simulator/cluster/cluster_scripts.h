// The Lua scripts a cluster node runs in Redis (docs/cluster.md, "Redis keys"): each is one
// atomic step, so that no interleaving of nodes sees half a change. Keys are built from the
// prefix (ARGV[1]) and the generations inside the scripts: fine on one Redis; Redis Cluster
// would need every key declared and hash-tagged (docs/cluster.md says how).
#pragma once

#include "cluster/redis_client.h"

namespace pistesim::cluster_scripts {

// The world's keys (cluster/cluster_world_log.h): KEYS version, snapshot, initial, base, log, log
// bytes, epoch. ARGV: snapshot text, initial text, version, epoch. Sets up an empty cluster (a
// first node, or one re-seeding a Redis that restarted empty) with an empty log; 1 if it did.
const RedisScript& join();
// KEYS: version, snapshot, initial, token generation, base, log, log bytes, epoch. ARGV: prefix,
// expected version, "delta" | "world" | "" (what the text is: an entry to append, a whole world
// that becomes the snapshot and empties the log, nothing), text, initial text ("" keeps it), clear
// tokens ("1"/"0"), entries and bytes (at least, and at least the snapshot's) that make the log
// due for compaction, expected epoch, count of applications, then their ids (every token of them
// revoked). {1, new version, due for compaction (1/0)} or {0, head version, 0} (refused: the
// version or the epoch moved).
const RedisScript& commit();
// KEYS: version, snapshot, base, log, epoch. ARGV: the version and epoch the caller holds. {head,
// base, epoch, 0, the entries after that version} when the log holds them (and the epoch is the
// caller's), else {head, base, epoch, 1, snapshot, every entry}; {} when Redis holds no world.
const RedisScript& read_world();
// KEYS: version, snapshot, base, log, log bytes. ARGV: version, the world at that version. Makes
// it the snapshot and drops the entries up to it (unless a newer snapshot is there); 1 if it did.
const RedisScript& compact_world();
// KEYS: token generation. ARGV: prefix, channel, token, application, client, scope, issued,
// expires, how long Redis keeps it (ms: relative, as the simulator's clock may be moved away
// from Redis's), now, the most live tokens a client may hold (0: no limit). 1 if stored, 2 if
// stored and the client's oldest tokens beyond the limit expired now (whichever node issued
// them), 0 if the value exists already.
const RedisScript& issue();
// The scripts below that change tokens also increment PREFIX `tokens:changes` (the nodes' token
// caches are valid while it stands still).
// KEYS: token generation. ARGV: prefix, channel, token, "revoke" | expire-at (ms).
const RedisScript& change_token();
// KEYS: token generation. ARGV: prefix, channel, application, "revoke" | expire-at (ms).
const RedisScript& change_application();
// KEYS: token generation. ARGV: prefix, channel, old now, new now (TokenStore::rewind).
const RedisScript& rewind();
// KEYS: token generation. ARGV: prefix, channel, now[, application]. The channel's (or the
// application's) live tokens at `now`, of every node.
const RedisScript& live_tokens();
// KEYS: clock offset, quota generation. ARGV: new offset. Going back starts every quota
// counter afresh (their windows lie ahead), as QuotaCore::reset does on one node.
const RedisScript& set_clock_offset();

}  // namespace pistesim::cluster_scripts
