#include "http/event_loop.h"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

namespace pistesim::http {

namespace {

// How often a loop looks for connections past their deadline: deadlines are whole seconds, so
// a quarter of one is precise enough, and costs one pass over the loop's connections.
constexpr auto kSweepEvery = std::chrono::milliseconds(250);
// While stopping, sooner: the loop ends at the first sweep that finds no connection left.
constexpr auto kDrainSweepEvery = std::chrono::milliseconds(20);

// A descriptor someone else owns, watched on the loop's reactor.
class DescriptorWatch final : public LoopDriver::Watch {
 public:
  DescriptorWatch(asio::io_context& io, int fd) : descriptor_(io, fd) {}
  ~DescriptorWatch() override {
    *alive_ = false;
    boost::system::error_code ignored;
    descriptor_.cancel(ignored);
    (void)descriptor_.release();  // the owner closes it
  }
  void on_readable(std::function<void()> then) override {
    wait(asio::posix::descriptor_base::wait_read, std::move(then));
  }
  void on_writable(std::function<void()> then) override {
    wait(asio::posix::descriptor_base::wait_write, std::move(then));
  }

 private:
  void wait(asio::posix::descriptor_base::wait_type what, std::function<void()> then) {
    descriptor_.async_wait(
        what, [alive = alive_, then = std::move(then)](const boost::system::error_code& ec) {
          if (*alive && ec != asio::error::operation_aborted) then();
        });
  }
  asio::posix::stream_descriptor descriptor_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

class TimerAlarm final : public LoopDriver::Alarm {
 public:
  explicit TimerAlarm(asio::io_context& io) : timer_(io) {}
  ~TimerAlarm() override { cancel(); }
  void set(std::chrono::milliseconds after, std::function<void()> then) override {
    const uint64_t mine = ++*generation_;
    timer_.expires_after(after);
    timer_.async_wait([generation = generation_, mine,
                       then = std::move(then)](const boost::system::error_code& ec) {
      if (!ec && *generation == mine) then();
    });
  }
  void cancel() override {
    ++*generation_;
    timer_.cancel();
  }

 private:
  asio::steady_timer timer_;
  std::shared_ptr<uint64_t> generation_ = std::make_shared<uint64_t>(0);
};

}  // namespace

bool ClientCounts::admit(const std::string& address, size_t limit) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = counts_.try_emplace(address, 0);
  if (it->second >= limit) {
    if (it->second == 0) counts_.erase(it);
    return false;
  }
  ++it->second;
  return true;
}

void ClientCounts::release(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(address);
  if (it != counts_.end() && --it->second == 0) counts_.erase(it);
}

Loop::Loop(ServerContext& server) : server_(server) {}

Loop::~Loop() {
  attachments_.clear();  // before the io_context their watches use
}

void Loop::run() {
  LoopDriver::Running running(this);
  io_.run();
}

void Loop::post(std::function<void()> fn) {
  asio::post(io_, std::move(fn));
}

std::unique_ptr<LoopDriver::Watch> Loop::watch(int fd) {
  return std::make_unique<DescriptorWatch>(io_, fd);
}

std::unique_ptr<LoopDriver::Alarm> Loop::alarm() {
  return std::make_unique<TimerAlarm>(io_);
}

LoopDriver::Attachment* Loop::attachment(uint64_t key) {
  auto it = attachments_.find(key);
  return it == attachments_.end() ? nullptr : it->second.get();
}

LoopDriver::Attachment& Loop::attach(uint64_t key, std::unique_ptr<Attachment> a) {
  return *(attachments_[key] = std::move(a));
}

void Loop::join(LoopMember* m) {
  m->next_ = head_;
  m->prev_ = nullptr;
  if (head_) head_->prev_ = m;
  head_ = m;
  ++size_;
}

void Loop::leave(LoopMember* m) {
  if (m->prev_)
    m->prev_->next_ = m->next_;
  else if (head_ == m)
    head_ = m->next_;
  else
    return;  // not a member
  if (m->next_) m->next_->prev_ = m->prev_;
  m->prev_ = m->next_ = nullptr;
  --size_;
}

void Loop::begin() {
  sweep();
}

void Loop::begin_handshake(std::shared_ptr<LoopMember> m) {
  waiting_handshakes_.push_back(std::move(m));
  give_turns();
}

void Loop::end_handshake(const LoopMember* m) {
  std::erase_if(turns_, [m](const Turn& t) { return t.member == m; });
  give_turns();
}

void Loop::give_turns() {
  const SteadyTime now = std::chrono::steady_clock::now();
  std::erase_if(turns_, [now](const Turn& t) { return now - t.since >= kHandshakeTurn; });
  while (turns_.size() < kHandshakesAtOnce && !waiting_handshakes_.empty()) {
    std::shared_ptr<LoopMember> m = std::move(waiting_handshakes_.front());
    waiting_handshakes_.pop_front();
    if (m->on_handshake_turn()) turns_.push_back({m.get(), now});
  }
  if (waiting_handshakes_.empty() || turn_timer_armed_) return;
  turn_timer_armed_ = true;  // the turns are all taken: the oldest ends by this time at the latest
  turn_timer_.expires_at(turns_.front().since + kHandshakeTurn);
  turn_timer_.async_wait([this](const boost::system::error_code& ec) {
    turn_timer_armed_ = false;
    if (!ec) give_turns();
  });
}

void Loop::drain() {
  draining_ = true;
  for (LoopMember* m = head_; m;) {
    LoopMember* next = m->next_;
    auto keep = m->shared_from_this();  // on_drain may release the last handler holding it
    m->on_drain();
    m = next;
  }
  waiting_handshakes_.clear();  // closed by on_drain: nothing else holds them
  turn_timer_.cancel();
  sweeper_.cancel();  // the sweep runs again soon, at the drain pace
}

void Loop::sweep() {
  const SteadyTime now = std::chrono::steady_clock::now();
  for (LoopMember* m = head_; m;) {
    LoopMember* next = m->next_;
    if (m->deadline <= now) {
      auto keep = m->shared_from_this();
      m->deadline = SteadyTime::max();
      m->on_deadline();
    }
    m = next;
  }
  if (draining_ && size_ == 0) return;  // nothing holds the io_context: run() returns
  sweeper_.expires_after(draining_ ? kDrainSweepEvery : kSweepEvery);
  sweeper_.async_wait([this](const boost::system::error_code&) { sweep(); });
}

}  // namespace pistesim::http
