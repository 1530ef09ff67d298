#include "cluster/cluster_signals.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <deque>
#include <string_view>

namespace pistesim {

ClusterSignals::ClusterSignals(RedisClient& redis, std::string prefix)
    : redis_(redis),
      prefix_(std::move(prefix)),
      channel_(prefix_ + "signals:" + std::to_string(redis.address().db)) {}

ClusterSignals::~ClusterSignals() {
  stop();
}

void ClusterSignals::on(const std::string& kind, Handler handler) {
  handlers_[kind] = std::move(handler);
}

void ClusterSignals::start(int wait_ms) {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (!listening_ && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

void ClusterSignals::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    // Wakes the thread out of its blocking read.
    if (socket_ >= 0) ::shutdown(socket_, SHUT_RDWR);
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ClusterSignals::each(const std::vector<Handler>& handlers) {
  for (const auto& h : handlers) {
    try {
      h();
    } catch (const StoreError&) {
      // Redis went away meanwhile: the reconnection runs the handlers again.
    }
  }
}

void ClusterSignals::dispatch(const std::string& payload) {
  // "KIND ID": ID 0 asks for no acknowledgement (a script's own notice).
  const size_t space = payload.find(' ');
  const std::string kind = payload.substr(0, space);
  const std::string id = space == std::string::npos ? "0" : payload.substr(space + 1);
  auto it = handlers_.find(kind);
  if (it != handlers_.end()) each({it->second});
  if (id == "0") return;
  try {
    const std::string ack = prefix_ + "signal:ack:" + id;
    redis_.pipeline({{"INCR", ack}, {"PEXPIRE", ack, "60000"}});
  } catch (const StoreError&) {
    // The sender stops waiting after its timeout.
  }
}

namespace {

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool is_pong(const redisReply* r) {
  return r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
         r->element[0]->type == REDIS_REPLY_STRING &&
         std::string_view(r->element[0]->str, r->element[0]->len) == "pong";
}

}  // namespace

bool ClusterSignals::fresh() const {
  return listening_.load() && steady_ns() < fresh_until_ns_.load();
}

void ClusterSignals::listen(redisContext* c) {
  constexpr int64_t kPingEvery = int64_t{kPingEveryMs} * 1'000'000;
  constexpr int64_t kFreshFor = int64_t{kFreshForMs} * 1'000'000;
  std::deque<int64_t> pings;  // when each unanswered PING was sent
  int64_t next_ping = steady_ns();
  // Handles what has been read (messages may have come with the SUBSCRIBE's answer).
  const auto handle_read = [&] {
    for (;;) {
      void* raw = nullptr;
      if (redisGetReplyFromReader(c, &raw) != REDIS_OK) return false;
      if (!raw) return true;
      auto* r = static_cast<redisReply*>(raw);
      if (is_pong(r)) {
        // Everything published before this PING reached Redis has been handled.
        if (!pings.empty()) {
          fresh_until_ns_ = pings.front() + kFreshFor;
          pings.pop_front();
        }
      } else if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
                 r->element[2]->type == REDIS_REPLY_STRING) {
        dispatch(std::string(r->element[2]->str, r->element[2]->len));
      }
      freeReplyObject(r);
    }
  };
  if (!handle_read()) return;
  while (!stopping_) {
    const int64_t now = steady_ns();
    if (now >= next_ping) {
      // Redis that stopped answering (SIGSTOP, a dead link) would let them pile up.
      if (pings.size() * kPingEvery > 4 * kFreshFor) return;
      if (redisAppendCommand(c, "PING") != REDIS_OK) return;
      for (int done = 0; !done;)
        if (redisBufferWrite(c, &done) != REDIS_OK) return;
      pings.push_back(now);
      next_ping = now + kPingEvery;
    }
    pollfd p{c->fd, POLLIN, 0};
    const int wait_ms = static_cast<int>((next_ping - steady_ns()) / 1'000'000) + 1;
    const int ready = ::poll(&p, 1, std::max(0, wait_ms));
    if (ready < 0 && errno != EINTR) return;
    if (ready <= 0) continue;
    if (redisBufferRead(c) != REDIS_OK || !handle_read()) return;
  }
}

void ClusterSignals::run() {
  const RedisAddress& a = redis_.address();
  while (!stopping_) {
    redisContext* c = redisConnectWithTimeout(a.host.c_str(), a.port, {1, 0});
    bool subscribed = false;
    if (c && !c->err) {
      redisSetTimeout(c, {2, 0});  // the SUBSCRIBE's answer; then poll() does the waiting
      {
        std::lock_guard lock(mutex_);
        socket_ = stopping_ ? -1 : c->fd;
      }
      auto* r = socket_ < 0 ? nullptr
                            : static_cast<redisReply*>(redisCommand(
                                  c, "SUBSCRIBE %b", channel_.data(), channel_.size()));
      subscribed = r && r->type == REDIS_REPLY_ARRAY;
      if (r) freeReplyObject(r);
    }
    if (subscribed) {
      each(subscribed_);
      listening_ = true;
      listen(c);
      listening_ = false;
      fresh_until_ns_ = 0;
      each(lost_);
    }
    {
      std::lock_guard lock(mutex_);
      socket_ = -1;
    }
    if (c) redisFree(c);
    // Redis is away: try again soon, unless stopping.
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(100), [&] { return stopping_.load(); });
  }
}

void ClusterSignals::broadcast(const std::string& kind, int timeout_ms) {
  const std::string id = std::to_string(redis_.command({"INCR", prefix_ + "signal:next"}).integer);
  const long long receivers = redis_.command({"PUBLISH", channel_, kind + " " + id}).integer;
  const std::string ack = prefix_ + "signal:ack:" + id;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (redis_.command({"GET", ack}).as_integer(0) < receivers &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
}

}  // namespace pistesim
