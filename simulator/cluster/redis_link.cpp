#include "cluster/redis_link.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "cluster/redis_glue.h"

namespace pistesim {

RedisLink::RedisLink(RedisAddress address, RedisClient::Options options, LoopDriver& loop)
    : address_(std::move(address)), options_(options), loop_(loop), alarm_(loop.alarm()) {}

RedisLink::~RedisLink() {
  close();
}

void RedisLink::open() {
  // Blocking, as the pool's connect: once per loop, and again only after a failure.
  context_ = redis_glue::connect(address_, options_);
  reader_ = redisReaderCreate();
  watch_ = loop_.watch(context_->fd);
}

void RedisLink::close() {
  watch_.reset();  // its pending waits never call back
  if (reader_) redisReaderFree(reader_);
  if (context_) redisFree(context_);
  reader_ = nullptr;
  context_ = nullptr;
  out_.clear();
  written_ = 0;
  reading_ = writing_ = false;
}

bool RedisLink::peer_closed() const {
  // Nothing is due on an idle connection: readable means Redis closed it (it restarted).
  pollfd p{context_->fd, POLLIN, 0};
  return ::poll(&p, 1, 0) != 0;
}

std::vector<RedisReply> RedisLink::round_trip(
    Fiber& fiber, const std::vector<std::vector<std::string>>& commands) {
  if (context_ && waiters_.empty() && peer_closed()) close();
  if (!context_) open();
  for (const auto& args : commands) redis_glue::append_command(out_, args);
  Waiter w{
      &fiber,
      commands.size(),
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.command_timeout_ms),
      {},
      {}};
  w.replies.reserve(commands.size());
  waiters_.push_back(&w);
  if (!flush_posted_) {
    // After what the loop already has queued: the round trips those begin leave in this write.
    flush_posted_ = true;
    loop_.post([this] {
      flush_posted_ = false;
      flush();
    });
  }
  fiber.suspend();
  if (!w.failure.empty()) redis_glue::fail(address_, w.failure);
  for (const auto& r : w.replies)
    if (r.type == RedisReply::Type::Error) redis_glue::fail(address_, r.text);
  return std::move(w.replies);
}

void RedisLink::flush() {
  if (!context_ || writing_) return;
  while (written_ < out_.size()) {
    const ssize_t n = ::send(context_->fd, out_.data() + written_, out_.size() - written_,
                             MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      written_ += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      writing_ = true;
      watch_->on_writable([this] {
        writing_ = false;
        flush();
      });
      break;
    } else {
      return fail_all(std::string("cannot send: ") + std::strerror(errno));
    }
  }
  if (written_ == out_.size()) {
    out_.clear();
    written_ = 0;
  }
  arm_reading();
  arm_alarm();
}

void RedisLink::arm_reading() {
  if (reading_ || waiters_.empty() || !context_) return;
  reading_ = true;
  watch_->on_readable([this] {
    reading_ = false;
    read();
  });
}

void RedisLink::arm_alarm() {
  if (alarm_set_ || waiters_.empty()) return;
  alarm_set_ = true;
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
      waiters_.front()->deadline - std::chrono::steady_clock::now());
  alarm_->set(std::max(wait, std::chrono::milliseconds(1)), [this] {
    alarm_set_ = false;
    on_alarm();
  });
}

void RedisLink::on_alarm() {
  if (waiters_.empty()) return;
  if (waiters_.front()->deadline <= std::chrono::steady_clock::now())
    return fail_all("no reply within " + std::to_string(options_.command_timeout_ms) + " ms");
  arm_alarm();
}

void RedisLink::read() {
  if (!context_) return;
  std::string failure;
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::recv(context_->fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      redisReaderFeed(reader_, buffer, static_cast<size_t>(n));
      if (static_cast<size_t>(n) < sizeof buffer) break;
    } else if (n == 0) {
      failure = "connection closed by Redis";
      break;
    } else if (errno != EINTR) {
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        failure = std::string("cannot read: ") + std::strerror(errno);
      break;
    }
  }
  // Replies go to the round trips in the order their commands were sent.
  std::vector<Waiter*> ready;
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
      failure = std::string("unreadable reply: ") + reader_->errstr;
      break;
    }
    if (!raw) break;
    RedisReply reply = redis_glue::copy_reply(static_cast<redisReply*>(raw));
    freeReplyObject(raw);
    if (waiters_.empty()) {
      failure = "a reply to no command";
      break;
    }
    Waiter* w = waiters_.front();
    w->replies.push_back(std::move(reply));
    if (w->replies.size() == w->expected) {
      waiters_.pop_front();
      ready.push_back(w);
    }
  }
  if (!failure.empty()) {
    for (Waiter* w : ready) w->fiber->resume();
    return fail_all(failure);
  }
  if (waiters_.empty() && alarm_set_) {
    alarm_->cancel();  // nothing pending must keep the loop alive
    alarm_set_ = false;
  }
  arm_reading();
  // Last: a resumed fiber may begin its next round trip on this link.
  for (Waiter* w : ready) w->fiber->resume();
}

void RedisLink::fail_all(const std::string& why) {
  std::deque<Waiter*> failed;
  failed.swap(waiters_);
  close();
  if (alarm_set_) {
    alarm_->cancel();
    alarm_set_ = false;
  }
  for (Waiter* w : failed) {
    w->failure = why;
    w->fiber->resume();
  }
}

}  // namespace pistesim
