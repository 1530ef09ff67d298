// Drives a workload against a target over HTTP/1.1 keep-alive connections (or HTTPS: OpenSSL on
// the same non-blocking sockets, sessions resumed on reconnection): one epoll event loop
// per thread, non-blocking sockets, requests written into reused buffers. Open workloads send
// each request at its scheduled time (queued when every connection is busy, latency still
// counted from the schedule); closed ones keep each connection busy back to back. Each thread
// owns a share of the applications: their tokens (fetched, reused, renewed before expiry or
// after a 401), their quota ledgers and their verification.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "loadgen/load_result.h"
#include "loadgen/protocol_checks.h"
#include "loadgen/tls_client.h"
#include "loadgen/workload.h"

namespace pistesim::loadgen {

// One application the run plays, with the quota the target is expected to apply to it.
struct AppCredentials {
  std::string id;
  Channel channel = Channel::Production;
  std::string client_id;
  std::string client_secret;  // never printed
  QuotaSpec quota;
  size_t group = 0;  // index in Workload::groups
};

// One node of a target that has several (`load --target A --target B`): every application's
// calls go to each node in turn.
struct TargetNode {
  std::string label;  // its URL
  std::string host;
  int port = 0;
  std::string host_header;
  Millis clock_offset_ms = 0;  // its clock minus ours, and how uncertain that is
  Millis clock_uncertainty_ms = 0;
};

// Where requests go and what the answers should look like.
struct TargetInfo {
  std::string label;  // "embedded" or the URL, for reports
  std::string host = "127.0.0.1";
  int port = 0;
  bool tls = false;  // https://: every connection does TLS (handshakes before the first request)
  TlsClientOptions tls_options;
  std::string host_header;           // "127.0.0.1:8080"
  std::string oauth_prefix[2];       // per Channel: "/sandbox/oauth", "/production/oauth"
  std::string api_prefix[2];         // "/sandbox/api", "/production/api"
  std::vector<AppCredentials> apps;  // this process's applications
  // The target's clock minus ours, and how uncertain that is (quota windows are on its clock).
  Millis clock_offset_ms = 0;
  Millis clock_uncertainty_ms = 0;
  RefusalRules refusal_rules;
  int missing_token_status = 400;  // PISTE answers 400 invalid_request; RFC 6750 401
  // Several nodes serving one PISTE (a cluster): empty, the one node above. Each application's
  // calls go round the nodes, one call each in turn; its token comes from its home node (its
  // index modulo the nodes) and is used on all of them, as a cluster promises.
  std::vector<TargetNode> nodes;
  // Each application fetches a token from every node and uses each on its own node: for
  // independent nodes serving the same world, which share no tokens.
  bool token_per_node = false;
};

// The nodes of `t`: its `nodes`, or the one its own fields describe.
std::vector<TargetNode> nodes_of(const TargetInfo& t);

// What the live progress line shows, summed over threads.
struct Progress {
  double elapsed_s = 0;
  uint64_t sent = 0, completed = 0, admitted = 0, refused = 0, errors = 0;
};

struct RunOptions {
  // Called about once a second from the calling thread while the run goes on.
  std::function<void(const Progress&)> on_progress;
  // In-flight requests get this long after the schedule ends before counting as unanswered.
  Nanos drain_timeout = Nanos{5} * 1000000000;
};

// Runs the workload; throws std::runtime_error when it cannot start (no address, bad workload).
LoadResult run_load(const Workload& workload, const TargetInfo& target, const RunOptions& options);

}  // namespace pistesim::loadgen
