// Fibers: an answer that waits on another server (a cluster's Redis) is written as plain blocking
// calls, yet must not block the event loop that runs it, nor cost a thread per waiting request.
// The http adapter runs such answers each on a fiber (a stack of its own, Boost.Context) on the
// loop's thread; a wait inside a Suspendable stretch suspends the fiber, and the loop serves other
// connections until the reply resumes it (docs/design.md, "Fibers"). Fibers never leave the
// thread that started them. Outside a fiber, or outside a Suspendable stretch, waits block.
#pragma once

#include <functional>

namespace pistesim {

class Fiber {
 public:
  // Runs `body` on a new fiber of this thread, now, until it ends or suspends. `body` must not
  // throw: an exception escaping it ends the process.
  static void start(std::function<void()> body);
  // The running fiber when it may suspend (inside a fiber, within a Suspendable stretch); else
  // null, and a wait must block.
  static Fiber* suspendable();

  // In this fiber: returns to whoever started or last resumed it; returns once resume() is called.
  void suspend();
  // Outside this fiber, on its thread: continues it until it suspends again or ends (a fiber that
  // ends is freed).
  void resume();

  // A stretch of a fiber's code that holds no lock: a fiber suspended inside it cannot block
  // another fiber of its thread. Waits elsewhere block (a fiber suspended holding a mutex would
  // deadlock the next fiber of its thread that takes it). Nests; no effect outside a fiber.
  class Suspendable {
   public:
    Suspendable();
    ~Suspendable();
    Suspendable(const Suspendable&) = delete;
    Suspendable& operator=(const Suspendable&) = delete;

   private:
    Fiber* fiber_;
  };

  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

 private:
  struct Impl;
  explicit Fiber(std::function<void()> body);
  ~Fiber();
  void enter();

  Impl* impl_;
  int suspendable_ = 0;  // Suspendable stretches open in this fiber
};

}  // namespace pistesim
