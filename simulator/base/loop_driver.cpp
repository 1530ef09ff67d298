#include "base/loop_driver.h"

namespace pistesim {

namespace {
thread_local LoopDriver* current_driver = nullptr;
}

LoopDriver* LoopDriver::current() {
  return current_driver;
}

LoopDriver::Running::Running(LoopDriver* driver) : outer_(current_driver) {
  current_driver = driver;
}

LoopDriver::Running::~Running() {
  current_driver = outer_;
}

}  // namespace pistesim
