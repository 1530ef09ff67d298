#include "quota/quota_core.h"

#include <stdexcept>

namespace pistesim {

namespace {
constexpr unsigned kCountBits = 30;
constexpr uint64_t kCountMask = (uint64_t{1} << kCountBits) - 1;

struct DayCache {
  Millis start = 1, end = 0;  // empty range: first use computes
  uint64_t index = 0;
};
}  // namespace

QuotaCore::QuotaCore() : chunks_(new std::atomic<Chunk*>[kMaxChunks]) {
  for (size_t i = 0; i < kMaxChunks; ++i) chunks_[i].store(nullptr, std::memory_order_relaxed);
}

QuotaCore::~QuotaCore() {
  for (size_t i = 0; i < kMaxChunks; ++i) delete chunks_[i].load(std::memory_order_relaxed);
}

uint32_t QuotaCore::allocate() {
  uint64_t slot = next_.fetch_add(1, std::memory_order_relaxed);
  if (slot > UINT32_MAX) throw std::length_error("quota core: no slot left");
  size_t chunk = slot >> kChunkBits;
  if (!chunks_[chunk].load(std::memory_order_acquire)) {
    std::lock_guard lock(grow_mutex_);  // only when a new chunk of 4096 slots is needed
    if (!chunks_[chunk].load(std::memory_order_relaxed)) {
      auto* c = new Chunk();
      for (auto& a : *c) a.store(0, std::memory_order_relaxed);
      chunks_[chunk].store(c, std::memory_order_release);
    }
  }
  return static_cast<uint32_t>(slot);
}

std::atomic<uint64_t>& QuotaCore::cell(uint32_t slot) const {
  Chunk* c = chunks_[slot >> kChunkBits].load(std::memory_order_acquire);
  return (*c)[slot & (kChunkSize - 1)];
}

uint64_t QuotaCore::window_index(QuotaWindow w, Millis now) {
  if (w == QuotaWindow::Second) return static_cast<uint64_t>(now / 1000);
  // The Paris day changes once a day: remember its bounds per thread instead of redoing the
  // calendar arithmetic on every call.
  thread_local DayCache cache;
  if (now < cache.start || now >= cache.end) {
    cache.index = static_cast<uint64_t>(paris_day_index(now));
    cache.start = paris_day_start_ms(static_cast<int64_t>(cache.index));
    cache.end = paris_day_start_ms(static_cast<int64_t>(cache.index) + 1);
  }
  return cache.index;
}

Millis QuotaCore::window_end(QuotaWindow w, uint64_t index) {
  if (w == QuotaWindow::Second) return static_cast<Millis>(index + 1) * 1000;
  return paris_day_start_ms(static_cast<int64_t>(index) + 1);
}

QuotaDecision QuotaCore::decide(uint32_t slot, const QuotaSpec& spec, Millis now) {
  const uint64_t window = window_index(spec.window, now);
  const uint64_t limit = static_cast<uint64_t>(spec.limit);
  std::atomic<uint64_t>& c = cell(slot);
  uint64_t cur = c.load(std::memory_order_relaxed);
  for (;;) {
    uint64_t cur_window = cur >> kCountBits;
    uint64_t count = cur & kCountMask;
    uint64_t next;
    // A window index behind the stored one means another thread saw a later "now" first:
    // count this call in that later window rather than reopen an old one.
    uint64_t effective = cur_window > window ? cur_window : window;
    if (cur_window < window) {
      next = (window << kCountBits) | 1;
      count = 0;
    } else if (count >= limit) {
      return {false, spec.limit, 0, window_end(spec.window, effective)};
    } else {
      next = cur + 1;
    }
    if (c.compare_exchange_weak(cur, next, std::memory_order_acq_rel, std::memory_order_relaxed))
      return {true, spec.limit, static_cast<int64_t>(limit - (count + 1)), window_end(spec.window, effective)};
  }
}

QuotaDecision QuotaCore::peek(uint32_t slot, const QuotaSpec& spec, Millis now) const {
  const uint64_t window = window_index(spec.window, now);
  uint64_t cur = cell(slot).load(std::memory_order_acquire);
  uint64_t count = (cur >> kCountBits) >= window ? (cur & kCountMask) : 0;
  int64_t remaining = spec.limit - static_cast<int64_t>(count);
  return {remaining > 0, spec.limit, remaining < 0 ? 0 : remaining, window_end(spec.window, window)};
}

void QuotaCore::reset(uint32_t slot) { cell(slot).store(0, std::memory_order_release); }

}  // namespace pistesim
