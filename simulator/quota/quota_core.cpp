#include "quota/quota_core.h"

#include <stdexcept>

namespace pistesim {

namespace {
// Word layout: bit 63 the window kind (0 second, 1 day), bits 30–62 the window index (33 bits:
// seconds since 1970 fit until 2242), bits 0–29 the count. The kind is part of the key so that
// a counter moved from one kind of window to the other starts a new window.
constexpr unsigned kCountBits = 30;
constexpr uint64_t kCountMask = (uint64_t{1} << kCountBits) - 1;
constexpr unsigned kIndexBits = 33;

uint64_t window_key(QuotaWindow w, uint64_t index) {
  return (uint64_t{w == QuotaWindow::Day} << kIndexBits) |
         (index & ((uint64_t{1} << kIndexBits) - 1));
}

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
    std::lock_guard lock(grow_mutex_);  // only when a new chunk of 65 536 slots is needed
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

QuotaCore::Window QuotaCore::current_window(QuotaWindow w, Millis now) {
  if (w == QuotaWindow::Second) {
    uint64_t index = static_cast<uint64_t>(now / 1000);
    return {index, static_cast<Millis>(index + 1) * 1000};
  }
  // The Paris day changes once a day: remember its bounds per thread instead of redoing the
  // calendar arithmetic on every call.
  thread_local DayCache cache;
  if (now < cache.start || now >= cache.end) {
    cache.index = static_cast<uint64_t>(paris_day_index(now));
    cache.start = paris_day_start_ms(static_cast<int64_t>(cache.index));
    cache.end = paris_day_start_ms(static_cast<int64_t>(cache.index) + 1);
  }
  return {cache.index, cache.end};
}

uint64_t QuotaCore::window_index(QuotaWindow w, Millis now) {
  return current_window(w, now).index;
}

Millis QuotaCore::window_end(QuotaWindow w, uint64_t index) {
  if (w == QuotaWindow::Second) return static_cast<Millis>(index + 1) * 1000;
  return paris_day_start_ms(static_cast<int64_t>(index) + 1);
}

QuotaDecision QuotaCore::decide(uint32_t slot, const QuotaSpec& spec, Millis now) {
  const Window window = current_window(spec.window, now);
  const uint64_t key = window_key(spec.window, window.index);
  const uint64_t limit = static_cast<uint64_t>(spec.limit);
  std::atomic<uint64_t>& c = cell(slot);
  uint64_t cur = c.load(std::memory_order_relaxed);
  for (;;) {
    const uint64_t cur_key = cur >> kCountBits;
    uint64_t count = cur & kCountMask;
    uint64_t next;
    Millis end = window.end;
    const bool same_kind = (cur_key >> kIndexBits) == (key >> kIndexBits);
    if (!same_kind || cur_key < key) {
      next = (key << kCountBits) | 1;
      count = 0;
    } else {
      // A stored window ahead of ours means another thread saw a later "now" first: count
      // this call in that later window rather than reopen an old one.
      if (cur_key > key) end = window_end(spec.window, window.index + (cur_key - key));
      if (count >= limit) return {false, spec.limit, 0, end};
      next = cur + 1;
    }
    if (c.compare_exchange_weak(cur, next, std::memory_order_acq_rel, std::memory_order_relaxed))
      return {true, spec.limit, static_cast<int64_t>(limit - (count + 1)), end};
  }
}

QuotaDecision QuotaCore::peek(uint32_t slot, const QuotaSpec& spec, Millis now) const {
  const Window window = current_window(spec.window, now);
  const uint64_t key = window_key(spec.window, window.index);
  uint64_t cur = cell(slot).load(std::memory_order_acquire);
  uint64_t cur_key = cur >> kCountBits;
  bool counts = (cur_key >> kIndexBits) == (key >> kIndexBits) && cur_key >= key;
  uint64_t count = counts ? (cur & kCountMask) : 0;
  int64_t remaining = spec.limit - static_cast<int64_t>(count);
  return {remaining > 0, spec.limit, remaining < 0 ? 0 : remaining, window.end};
}

void QuotaCore::reset(uint32_t slot) {
  cell(slot).store(0, std::memory_order_release);
}

}  // namespace pistesim
