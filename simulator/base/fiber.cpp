#include "base/fiber.h"

#include <boost/context/fiber.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>

#include <cstdio>
#include <exception>
#include <vector>

// The sanitizers must be told when a thread changes stacks, or they misread the new one.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PISTESIM_FIBER_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define PISTESIM_FIBER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(PISTESIM_FIBER_ASAN)
#define PISTESIM_FIBER_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__) && !defined(PISTESIM_FIBER_TSAN)
#define PISTESIM_FIBER_TSAN 1
#endif
#ifdef PISTESIM_FIBER_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef PISTESIM_FIBER_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace pistesim {

namespace context = boost::context;

namespace {

// A fiber's stack: its pages are committed only as they are touched, so a generous size costs
// address space, not memory. A guard page below it turns an overflow into a crash, not a
// corruption.
constexpr size_t kStackBytes = 512 * 1024;
// Stacks kept per thread for the next fibers: mapping one is two system calls.
constexpr size_t kStacksKept = 256;

class StackPool {
 public:
  ~StackPool() {
    for (auto& s : free_) context::protected_fixedsize_stack(kStackBytes).deallocate(s);
  }
  context::stack_context take() {
    if (free_.empty()) return context::protected_fixedsize_stack(kStackBytes).allocate();
    context::stack_context s = free_.back();
    free_.pop_back();
    return s;
  }
  void give(context::stack_context& s) {
    if (free_.size() < kStacksKept)
      free_.push_back(s);
    else
      context::protected_fixedsize_stack(kStackBytes).deallocate(s);
  }

 private:
  std::vector<context::stack_context> free_;
};
thread_local StackPool stacks;

// Boost.Context's StackAllocator, over this thread's pool (a fiber starts and ends on one thread).
struct PooledStack {
  context::stack_context* used;
  context::stack_context allocate() { return *used = stacks.take(); }
  void deallocate(context::stack_context& s) noexcept { stacks.give(s); }
};

thread_local Fiber* running = nullptr;

}  // namespace

struct Fiber::Impl {
  std::function<void()> body;
  context::stack_context stack{};
  context::fiber self;  // the suspended fiber (empty while it runs, and once it ended)
  context::fiber back;  // where suspend() returns to (valid while it runs)
  bool ended = false;
#ifdef PISTESIM_FIBER_ASAN
  void* loop_fake_stack = nullptr;  // ASan's fake stacks, saved by the side switching away
  void* fiber_fake_stack = nullptr;
  const void* back_bottom = nullptr;
  size_t back_size = 0;
#endif
#ifdef PISTESIM_FIBER_TSAN
  void* tsan_fiber = nullptr;
  void* tsan_back = nullptr;
#endif

  // ASan's bookkeeping around the switches. TSan's is written in enter() and suspend()
  // themselves (PISTESIM_TSAN_SWITCH): it keeps a stack of the calls of each fiber, and a function
  // returning between the announcement and the switch would pop the wrong fiber's.
  void leaving_loop() {
#ifdef PISTESIM_FIBER_ASAN
    __sanitizer_start_switch_fiber(&loop_fake_stack, static_cast<char*>(stack.sp) - stack.size,
                                   stack.size);
#endif
  }
  void back_in_loop() {
#ifdef PISTESIM_FIBER_ASAN
    __sanitizer_finish_switch_fiber(loop_fake_stack, nullptr, nullptr);
#endif
  }
  void in_fiber() {
#ifdef PISTESIM_FIBER_ASAN
    __sanitizer_finish_switch_fiber(fiber_fake_stack, &back_bottom, &back_size);
#endif
  }
  void leaving_fiber(bool for_good) {
#ifdef PISTESIM_FIBER_ASAN
    __sanitizer_start_switch_fiber(for_good ? nullptr : &fiber_fake_stack, back_bottom, back_size);
#endif
    (void)for_good;
  }
};

// Announces to TSan, in the very frame that then switches, which fiber runs next. The calls
// after it up to the switch (Boost's resume()) are pushed on the next fiber's stack of calls,
// and its own return from resume() pops them: each stack stays balanced.
#ifdef PISTESIM_FIBER_TSAN
#define PISTESIM_TSAN_SWITCH(to) __tsan_switch_to_fiber((to), 0)
#else
#define PISTESIM_TSAN_SWITCH(to) ((void)0)
#endif

Fiber::Fiber(std::function<void()> body) : impl_(new Impl) {
  impl_->body = std::move(body);
#ifdef PISTESIM_FIBER_TSAN
  impl_->tsan_fiber = __tsan_create_fiber(0);
#endif
  Impl* s = impl_;
  impl_->self =
      context::fiber(std::allocator_arg, PooledStack{&s->stack}, [s](context::fiber&& back) {
        s->back = std::move(back);
        s->in_fiber();
        try {
          s->body();
        } catch (const std::exception& e) {
          std::fprintf(stderr, "pistesim: uncaught exception in a fiber: %s\n", e.what());
          std::terminate();
        }
        s->body = nullptr;  // what it captured goes now, on this stack
        s->ended = true;
        s->leaving_fiber(true);
        return std::move(s->back);
      });
}

Fiber::~Fiber() {
#ifdef PISTESIM_FIBER_TSAN
  __tsan_destroy_fiber(impl_->tsan_fiber);
#endif
  delete impl_;
}

void Fiber::start(std::function<void()> body) {
  (new Fiber(std::move(body)))->enter();
}

void Fiber::enter() {
  Fiber* outer = running;
  running = this;
#ifdef PISTESIM_FIBER_TSAN
  impl_->tsan_back = __tsan_get_current_fiber();
#endif
  impl_->leaving_loop();
  PISTESIM_TSAN_SWITCH(impl_->tsan_fiber);
  impl_->self = std::move(impl_->self).resume();
  // A fiber that ended came back through Boost's exit, not through suspend(): TSan still takes
  // it for the running fiber, whose calls that exit popped (its own, and the resume() above).
  if (impl_->ended) PISTESIM_TSAN_SWITCH(impl_->tsan_back);
  impl_->back_in_loop();
  running = outer;
  if (impl_->ended) delete this;
}

void Fiber::resume() {
  enter();
}

void Fiber::suspend() {
  impl_->leaving_fiber(false);
  PISTESIM_TSAN_SWITCH(impl_->tsan_back);
  impl_->back = std::move(impl_->back).resume();
  impl_->in_fiber();
}

Fiber* Fiber::suspendable() {
  return running && running->suspendable_ > 0 ? running : nullptr;
}

Fiber::Suspendable::Suspendable() : fiber_(running) {
  if (fiber_) ++fiber_->suspendable_;
}

Fiber::Suspendable::~Suspendable() {
  if (fiber_) --fiber_->suspendable_;
}

}  // namespace pistesim
