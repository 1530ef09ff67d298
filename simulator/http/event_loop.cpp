#include "http/event_loop.h"

namespace pistesim::http {

namespace {

// How often a loop looks for connections past their deadline: deadlines are whole seconds, so
// a quarter of one is precise enough, and costs one pass over the loop's connections.
constexpr auto kSweepEvery = std::chrono::milliseconds(250);
// While stopping, sooner: the loop ends at the first sweep that finds no connection left.
constexpr auto kDrainSweepEvery = std::chrono::milliseconds(20);

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

void Loop::drain() {
  draining_ = true;
  for (LoopMember* m = head_; m;) {
    LoopMember* next = m->next_;
    auto keep = m->shared_from_this();  // on_drain may release the last handler holding it
    m->on_drain();
    m = next;
  }
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
