// The quota core (GW-5): fixed windows aligned on the second or on the Europe/Paris calendar
// day, one counter per slot. A slot is one 64-bit atomic word (window kind and index, count)
// updated by compare-and-swap, so a window never admits more than its limit whatever the
// concurrency, and takes no lock. Slots are allocated once and never move; their storage grows in
// chunks. Safe for concurrent use.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "clock/clock.h"
#include "world/world.h"

namespace pistesim {

struct QuotaDecision {
  bool admitted = false;
  int64_t limit = 0;
  int64_t remaining = 0;     // after this decision
  Millis window_end_ms = 0;  // when the current window closes (the counter resets)
};

// Counters shared with other simulators (a cluster's Redis, docs/cluster.md): one atomic
// decision per call there, keyed by the quota's identity rather than by this process's slot.
class SharedQuotas {
 public:
  virtual ~SharedQuotas() = default;
  // `key` names the counter (the same on every node); the window comes from `spec` and `now`
  // (QuotaCore::window_index). May throw (StoreError): the call is then answered 503, never
  // admitted.
  virtual QuotaDecision decide(const std::string& key, const QuotaSpec& spec, Millis now) = 0;
};

// Reads a cluster's counter without counting a call (an application's view shows what is
// left). `key` as for SharedQuotas. May throw StoreError.
class SharedQuotaCounts {
 public:
  virtual ~SharedQuotaCounts() = default;
  virtual QuotaDecision peek(const std::string& key, const QuotaSpec& spec, Millis now) = 0;
};

class QuotaCore {
 public:
  QuotaCore();
  ~QuotaCore();
  QuotaCore(const QuotaCore&) = delete;
  QuotaCore& operator=(const QuotaCore&) = delete;

  // A fresh counter. Never fails until 2^32 slots (then throws std::length_error).
  uint32_t allocate();
  // Admits or refuses one call against `spec` at time `now`.
  // REQUIRES: slot came from allocate(); 1 <= spec.limit <= kMaxQuotaLimit.
  QuotaDecision decide(uint32_t slot, const QuotaSpec& spec, Millis now);
  // What decide() would report as remaining, without counting a call.
  QuotaDecision peek(uint32_t slot, const QuotaSpec& spec, Millis now) const;
  // Forgets the calls counted in the current window (after a quota change).
  void reset(uint32_t slot);

  // Where the gateway decides instead (a cluster); nullptr: here. REQUIRES: set before serving.
  void set_shared(SharedQuotas* shared) { shared_ = shared; }
  SharedQuotas* shared() const { return shared_; }
  // Where peeks at a shared counter go (a cluster). REQUIRES: set before serving.
  void set_shared_counts(SharedQuotaCounts* counts) { shared_counts_ = counts; }
  SharedQuotaCounts* shared_counts() const { return shared_counts_; }

  static uint64_t window_index(QuotaWindow w, Millis now);
  static Millis window_end(QuotaWindow w, uint64_t index);

 private:
  struct Window {
    uint64_t index;
    Millis end;
  };
  // The window containing `now` and its end, without calendar arithmetic on the hot path.
  static Window current_window(QuotaWindow w, Millis now);

  // 65 536 slots (512 KiB) a chunk, so the chunk table itself is 512 KiB for 2^32 slots.
  static constexpr unsigned kChunkBits = 16;
  static constexpr size_t kChunkSize = size_t{1} << kChunkBits;
  static constexpr size_t kMaxChunks = size_t{1} << (32 - kChunkBits);
  using Chunk = std::array<std::atomic<uint64_t>, kChunkSize>;

  std::atomic<uint64_t>& cell(uint32_t slot) const;

  std::unique_ptr<std::atomic<Chunk*>[]> chunks_;
  std::atomic<uint64_t> next_{0};
  std::mutex grow_mutex_;
  SharedQuotas* shared_ = nullptr;
  SharedQuotaCounts* shared_counts_ = nullptr;
};

}  // namespace pistesim
