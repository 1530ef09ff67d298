// The Lua scripts a cluster node runs in Redis (docs/cluster.md, "Redis keys"): each is one
// atomic step, so that no interleaving of nodes sees half a change. Keys are built from the
// prefix (ARGV[1]) and the generations inside the scripts: fine on one Redis; Redis Cluster
// would need every key declared and hash-tagged (docs/cluster.md says how).
#pragma once

#include "cluster/redis_client.h"

namespace pistesim::cluster_scripts {

// KEYS: version, current, initial. ARGV: current text, initial text, version. Sets up an empty
// cluster (a first node, or one re-seeding a Redis that restarted empty); 1 if it did.
const RedisScript& join();
// KEYS: version, current, initial, token generation. ARGV: prefix, expected version, current
// text, initial text ("" keeps it), clear tokens ("1"/"0"), count of applications, then their
// ids (every token of them revoked). {1, new version} or {0, head version} (refused).
const RedisScript& commit();
// KEYS: token generation. ARGV: prefix, channel, token, application, client, scope, issued,
// expires, how long Redis keeps it (ms: relative, as the simulator's clock may be moved away
// from Redis's). 1 if stored, 0 if the value exists already.
const RedisScript& issue();
// KEYS: token generation. ARGV: prefix, channel, token, "revoke" | expire-at (ms).
const RedisScript& change_token();
// KEYS: token generation. ARGV: prefix, channel, application, "revoke" | expire-at (ms).
const RedisScript& change_application();
// KEYS: token generation. ARGV: prefix, channel, old now, new now (TokenStore::rewind).
const RedisScript& rewind();
// KEYS: clock offset, quota generation. ARGV: new offset. Going back starts every quota
// counter afresh (their windows lie ahead), as QuotaCore::reset does on one node.
const RedisScript& set_clock_offset();

}  // namespace pistesim::cluster_scripts
