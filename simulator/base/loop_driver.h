// What an event loop offers the code its fibers run (base/fiber.h), without that code knowing the
// loop's library: a cluster's Redis connection waits for its socket and its deadline through it.
// The http adapter installs one on each loop thread (http/event_loop.h). Everything here is
// called on the loop's own thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace pistesim {

class LoopDriver {
 public:
  virtual ~LoopDriver() = default;

  // Waits for a file descriptor the caller owns (it stays open when the watch goes). Each
  // on_… call waits once; the callback runs on the loop, on readiness or on an error of the
  // descriptor, and never after the watch was destroyed.
  class Watch {
   public:
    virtual ~Watch() = default;
    virtual void on_readable(std::function<void()> then) = 0;
    virtual void on_writable(std::function<void()> then) = 0;
  };
  // One timer: set() replaces what was set; the callback never runs after cancel() or after the
  // alarm was destroyed.
  class Alarm {
   public:
    virtual ~Alarm() = default;
    virtual void set(std::chrono::milliseconds after, std::function<void()> then) = 0;
    virtual void cancel() = 0;
  };
  // Something a module keeps per loop (a Redis connection): destroyed with the loop, after its
  // last callback ran and before the loop's watches and alarms stop working.
  class Attachment {
   public:
    virtual ~Attachment() = default;
  };

  // Runs `fn` on the loop, after what is already queued.
  virtual void post(std::function<void()> fn) = 0;
  virtual std::unique_ptr<Watch> watch(int fd) = 0;
  virtual std::unique_ptr<Alarm> alarm() = 0;
  // The attachment kept under `key` (null when none); attach() keeps one and returns it.
  virtual Attachment* attachment(uint64_t key) = 0;
  virtual Attachment& attach(uint64_t key, std::unique_ptr<Attachment> a) = 0;

  // The loop running on this thread; null on any other thread.
  static LoopDriver* current();
  // Marks this thread as running `driver` for the scope's lifetime.
  class Running {
   public:
    explicit Running(LoopDriver* driver);
    ~Running();
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;

   private:
    LoopDriver* outer_;
  };
};

}  // namespace pistesim
