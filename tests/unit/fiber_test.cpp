// Fibers (base/fiber.h): they run now, suspend back to their starter, resume where they were,
// and may suspend only inside a Suspendable stretch.
#include "base/fiber.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pistesim {
namespace {

TEST(Fiber, RunsNowUntilItSuspendsThenResumesWhereItWas) {
  std::vector<std::string> steps;
  Fiber* waiting = nullptr;
  Fiber::start([&] {
    steps.push_back("begun");
    Fiber::Suspendable scope;
    waiting = Fiber::suspendable();
    waiting->suspend();
    steps.push_back("resumed");
  });
  steps.push_back("starter goes on");
  ASSERT_NE(waiting, nullptr);
  waiting->resume();
  EXPECT_EQ(steps, (std::vector<std::string>{"begun", "starter goes on", "resumed"}));
}

TEST(Fiber, MaySuspendOnlyInsideASuspendableStretch) {
  EXPECT_EQ(Fiber::suspendable(), nullptr);  // not in a fiber
  {
    Fiber::Suspendable outside;  // no effect outside a fiber
    EXPECT_EQ(Fiber::suspendable(), nullptr);
  }
  Fiber::start([] {
    EXPECT_EQ(Fiber::suspendable(), nullptr);  // in a fiber, but maybe holding a lock
    {
      Fiber::Suspendable outer;
      EXPECT_NE(Fiber::suspendable(), nullptr);
      {
        Fiber::Suspendable inner;
        EXPECT_NE(Fiber::suspendable(), nullptr);
      }
      EXPECT_NE(Fiber::suspendable(), nullptr);
    }
    EXPECT_EQ(Fiber::suspendable(), nullptr);
  });
  EXPECT_EQ(Fiber::suspendable(), nullptr);
}

TEST(Fiber, ManySuspendedAtOnceEachResumeInAnyOrderWithItsOwnStack) {
  constexpr int kFibers = 1000;
  std::vector<Fiber*> suspended;
  std::vector<int> seen;
  for (int i = 0; i < kFibers; ++i)
    Fiber::start([&, i] {
      const int mine = i * 7;  // on this fiber's stack, across the suspension
      Fiber::Suspendable scope;
      suspended.push_back(Fiber::suspendable());
      suspended.back()->suspend();
      seen.push_back(mine);
    });
  ASSERT_EQ(suspended.size(), static_cast<size_t>(kFibers));
  for (int i = kFibers - 1; i >= 0; --i) suspended[static_cast<size_t>(i)]->resume();
  ASSERT_EQ(seen.size(), static_cast<size_t>(kFibers));
  for (int i = 0; i < kFibers; ++i) EXPECT_EQ(seen[static_cast<size_t>(i)], (kFibers - 1 - i) * 7);
  // Stacks are reused: as many again start and end at once.
  int ended = 0;
  for (int i = 0; i < kFibers; ++i) Fiber::start([&] { ++ended; });
  EXPECT_EQ(ended, kFibers);
}

TEST(Fiber, AnExceptionCaughtInsideTheFiberStaysThere) {
  std::string caught;
  Fiber* waiting = nullptr;
  Fiber::start([&] {
    try {
      Fiber::Suspendable scope;
      waiting = Fiber::suspendable();
      waiting->suspend();
      throw std::runtime_error("after the suspension");
    } catch (const std::exception& e) {
      caught = e.what();
    }
  });
  waiting->resume();
  EXPECT_EQ(caught, "after the suspension");
}

TEST(Fiber, AFiberStartedFromAFiberReturnsToItWhenItSuspends) {
  std::vector<std::string> steps;
  Fiber* inner = nullptr;
  Fiber::start([&] {
    Fiber::start([&] {
      Fiber::Suspendable scope;
      inner = Fiber::suspendable();
      steps.push_back("inner suspends");
      inner->suspend();
      steps.push_back("inner resumed");
    });
    steps.push_back("outer goes on");
  });
  steps.push_back("loop");
  inner->resume();
  EXPECT_EQ(steps,
            (std::vector<std::string>{"inner suspends", "outer goes on", "loop", "inner resumed"}));
}

}  // namespace
}  // namespace pistesim
