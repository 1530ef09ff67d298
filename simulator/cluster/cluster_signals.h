// Signals between the nodes of a cluster, over Redis pub/sub: a node tells the others that
// something changed ("faults": re-read what is armed) or that it wants something done now
// ("journal": flush your buffered entries), and waits until every listening node has done it.
// That wait is what makes a fault armed on A hit the very next call on B, and a journal read on
// B see A's last exchange, without any Redis read on the gateway's hot path. Each node has one
// subscriber connection and thread; handlers run on that thread. Safe for concurrent use.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cluster/redis_client.h"

struct redisContext;  // hiredis

namespace pistesim {

class ClusterSignals {
 public:
  using Handler = std::function<void()>;
  // `prefix` names the keys and the channel (the channel carries the database number: pub/sub
  // channels are shared by every database of a Redis).
  ClusterSignals(RedisClient& redis, std::string prefix);
  ~ClusterSignals();  // stop()
  ClusterSignals(const ClusterSignals&) = delete;
  ClusterSignals& operator=(const ClusterSignals&) = delete;

  // Before start(): what to do on a signal of `kind`, and whenever the subscription is
  // (re)established or lost (a node then re-reads what it caches). Handlers may throw
  // StoreError (ignored: the next signal or reconnection tries again).
  void on(const std::string& kind, Handler handler);
  void on_subscribed(Handler handler) { subscribed_.push_back(std::move(handler)); }
  void on_lost(Handler handler) { lost_.push_back(std::move(handler)); }
  // Starts listening; returns once subscribed (or after `wait_ms` if Redis cannot be reached:
  // the thread keeps trying).
  void start(int wait_ms = 2000);
  void stop();
  bool listening() const { return listening_.load(); }
  // Listening, and known to have handled every signal sent more than kFreshForMs ago: each
  // PING the subscriber sends (every kPingEveryMs) comes back after everything Redis published
  // before it, so its PONG dates what this node has handled. A node that is not fresh may have
  // missed a signal: what it caches must then be read again. broadcast() waits longer than
  // kFreshForMs, so a node that did not acknowledge in time is no longer fresh when it returns.
  bool fresh() const;
  static constexpr int kPingEveryMs = 100;
  static constexpr int kFreshForMs = 500;

  // Sends `kind` to every node (this one included) and returns once each node that was
  // listening has run its handler, or after `timeout_ms` (a node that hangs does not hang the
  // cluster). Throws StoreUnavailable when Redis cannot be reached.
  void broadcast(const std::string& kind, int timeout_ms = 2000);
  const std::string& channel() const { return channel_; }

 private:
  void run();
  // Reads messages and PONGs on the subscribed connection `c` and pings, until it fails or stop().
  void listen(::redisContext* c);
  void dispatch(const std::string& payload);
  void each(const std::vector<Handler>& handlers);

  RedisClient& redis_;
  const std::string prefix_;
  const std::string channel_;
  std::map<std::string, Handler> handlers_;
  std::vector<Handler> subscribed_, lost_;
  std::atomic<bool> listening_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> fresh_until_ns_{0};  // steady clock
  std::mutex mutex_;                        // guards socket_ and the wake-up
  std::condition_variable wake_;
  int socket_ = -1;
  std::thread thread_;
};

}  // namespace pistesim
