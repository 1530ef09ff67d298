// One event loop's connection to the cluster's Redis, shared by every fiber of that loop
// (base/fiber.h): the commands of all the round trips begun in one pass of the loop leave in one
// write, Redis answers them in order, and each fiber is resumed once its replies are in. A
// request waiting on Redis thus costs neither a thread nor a context switch, and many requests
// share each system call (docs/cluster.md, "On the event loop").
//
// Failures: a connection that fails (Redis gone, restarted, or silent beyond the command
// timeout) fails every round trip in flight with StoreUnavailable, and the next round trip
// connects afresh. Nothing is sent twice.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "base/fiber.h"
#include "base/loop_driver.h"
#include "cluster/redis_client.h"

struct redisContext;
struct redisReader;

namespace pistesim {

class RedisLink final : public LoopDriver::Attachment {
 public:
  RedisLink(RedisAddress address, RedisClient::Options options, LoopDriver& loop);
  ~RedisLink() override;

  // Sends `commands` and suspends `fiber` (the running one) until their replies are in. Throws
  // StoreUnavailable as RedisClient::pipeline does (an error reply included).
  std::vector<RedisReply> round_trip(Fiber& fiber,
                                     const std::vector<std::vector<std::string>>& commands);

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  // A suspended round trip (on its fiber's stack).
  struct Waiter {
    Fiber* fiber;
    size_t expected;
    SteadyTime deadline;
    std::vector<RedisReply> replies;
    std::string failure;  // set: the connection failed before all replies came
  };

  void open();
  bool peer_closed() const;
  void flush();
  void read();
  void arm_reading();
  void arm_alarm();
  void on_alarm();
  // Closes the connection and resumes every waiter with `why`.
  void fail_all(const std::string& why);
  void close();

  RedisAddress address_;
  RedisClient::Options options_;
  LoopDriver& loop_;
  redisContext* context_ = nullptr;  // owns the socket; its buffers are not used
  redisReader* reader_ = nullptr;
  std::unique_ptr<LoopDriver::Watch> watch_;
  std::unique_ptr<LoopDriver::Alarm> alarm_;
  std::string out_;  // framed commands not yet written
  size_t written_ = 0;
  bool flush_posted_ = false, reading_ = false, writing_ = false, alarm_set_ = false;
  std::deque<Waiter*> waiters_;  // in the order their commands were sent
};

}  // namespace pistesim
