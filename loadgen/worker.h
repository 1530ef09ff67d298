// One load thread of a run (loadgen/runner.h drives several): its epoll event loop over its
// connections to the target's nodes, its share of the applications with their tokens (fetched,
// reused, renewed before expiry or after a 401), their quota ledgers, and the check of every
// answer as it arrives.
#pragma once

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "loadgen/connection.h"
#include "loadgen/runner.h"

namespace pistesim::loadgen {

// The monotonic clock (ns) and the wall clock (ms).
Nanos mono_now();
Millis wall_ms();

// Deterministic per-thread choice of the next request of the mix.
class MixPicker {
 public:
  MixPicker(const std::vector<MixEntry>& mix, uint64_t seed) : state_(seed * 2654435761u + 1) {
    double total = 0;
    for (const auto& m : mix) cumulative_.push_back(total += m.weight);
  }
  size_t next() {
    if (cumulative_.size() == 1) return 0;
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    double x = static_cast<double>(state_ >> 11) / 9007199254740992.0 * cumulative_.back();
    return static_cast<size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), x) -
                               cumulative_.begin()) %
           cumulative_.size();
  }

 private:
  uint64_t state_;
  std::vector<double> cumulative_;
};

// A token of an application: one, from its home node, or one per node (token_per_node).
struct TokenSlot {
  std::string auth_header;  // "Authorization: Bearer …\r\n"; empty: no token yet
  uint64_t token_fp = 0;
  Nanos renew_at = 0;    // monotonic: fetch a new token from then on
  Nanos expires_at = 0;  // monotonic: the token may not be used after
  bool fetching = false;
  std::deque<Pending> waiting;  // requests parked until a token arrives
};

struct AppState {
  const AppCredentials* cred = nullptr;
  std::vector<TokenSlot> tokens;
  uint16_t home = 0;       // the node its shared token comes from
  uint32_t next_node = 0;  // its calls go round the nodes
  std::string token_form;  // the token request's body (holds the secret: never logged)
  QuotaLedger* ledger = nullptr;
};

// The requests ready to go to one node, and the connections to it.
struct NodeQueue {
  std::deque<Pending> ready;
  std::vector<size_t> conns;  // indices into the worker's connections
  size_t next_conn = 0;       // where pump() starts looking for a free connection
};

struct ProgressCounters {
  alignas(64) std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> completed{0};
  std::atomic<uint64_t> admitted{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> errors{0};
};

class Worker {
 public:
  Worker(size_t id, const Workload& w, const TargetInfo& t, std::vector<const AppCredentials*> apps,
         size_t connections, std::vector<NodeAddress> addrs, SSL_CTX* tls);
  ~Worker();

  void run(Nanos start_mono, Millis start_wall, Nanos drain_timeout);

  LoadResult result;
  ProgressCounters progress;

 private:
  void open_arrivals();
  void dispatch(const Pending& p, Nanos now);
  // The token slot a request to `node` uses, and the node that slot's token comes from.
  size_t slot_of(uint16_t node) const { return t_.token_per_node ? node : 0; }
  uint16_t issuer_of(const AppState& a, size_t slot) const {
    return t_.token_per_node ? static_cast<uint16_t>(slot) : a.home;
  }
  void start_fetch(uint32_t app, size_t slot, Nanos now);
  void pump(Nanos now);
  void pump_node(NodeQueue& q, Nanos now);
  void send_on(Conn& c, const Pending& p, Nanos now);
  bool connect(Conn& c, Nanos now);
  void flush(Conn& c);
  void handshake(Conn& c);
  void on_readable(Conn& c);
  void on_writable(Conn& c);
  void complete(Conn& c);
  void fail(Conn& c, const std::string& why);
  void record_latency(const Pending& p, Nanos latency, Millis done_wall);
  void error(const std::string& kind, Millis when_wall);
  Millis wall_of(Nanos mono) const { return start_wall_ + (mono - start_mono_) / 1000000; }
  size_t outstanding() const;

  size_t id_;
  const Workload& w_;
  const TargetInfo& t_;
  std::vector<TargetNode> nodes_;
  MixPicker picker_;
  std::vector<NodeAddress> addrs_;  // per node
  SSL_CTX* tls_;                    // null: plain HTTP
  std::vector<AppState> apps_;
  std::vector<Conn> conns_;
  std::vector<bool> needs_token_;
  std::string token_target_[2];
  std::vector<std::string> targets_[2];  // per channel, per mix entry
  std::vector<std::string> content_type_;
  std::vector<NodeQueue> queues_;       // per node
  std::vector<uint64_t> node_answers_;  // per node
  ArrivalQueue arrivals_;
  RecentTokens recent_tokens_;
  int epfd_ = -1;
  Nanos start_mono_ = 0;
  Millis start_wall_ = 0;
  Nanos end_mono_ = 0;
  size_t inflight_ = 0;
  size_t parked_ = 0;
  uint32_t closed_next_app_ = 0;
  std::string hdr_;  // scratch for request headers
};

}  // namespace pistesim::loadgen
