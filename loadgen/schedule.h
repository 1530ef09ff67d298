// When requests should be sent. An open workload is a set of arrival streams, each with a rate
// that is constant or ramps linearly; every arrival has an intended send time fixed in advance,
// and latency is measured from it, so a stalled server cannot hide its stall by slowing the
// sender (coordinated omission). Pure arithmetic on nanosecond offsets from the run's start:
// tests drive it with any clock they like.
#pragma once

#include <cstddef>
#include <cstdint>
#include <queue>
#include <vector>

namespace pistesim::loadgen {

using Nanos = int64_t;

// Arrivals of one stream: rate(t) = start_rate + (end_rate - start_rate) * t / ramp for t < ramp,
// end_rate afterwards; arrival n (from 0) is sent when the integral of the rate reaches
// n + phase. The phase is a fraction of one arrival, not a time, so that streams spread evenly
// over [0, 1) stay spread during a ramp from 0 too (a time shift would fire every stream's
// first arrival together at the start). Nothing is sent at or after `duration`.
class ArrivalSchedule {
 public:
  // REQUIRES: rates >= 0, not both 0; ramp >= 0; duration > 0; 0 <= phase < 1.
  ArrivalSchedule(double start_rate, double end_rate, Nanos ramp, Nanos duration, double phase = 0);

  // Intended offset of arrival n, or -1 when it falls at or after the end of the run.
  Nanos offset_of(uint64_t n) const;
  // How many arrivals the whole run holds (the first n with offset_of(n) == -1).
  uint64_t total() const;

 private:
  double r0_, r1_;
  double ramp_s_, duration_s_, phase_;
};

// Several streams merged in time order: next() yields the earliest pending arrival.
class ArrivalQueue {
 public:
  struct Arrival {
    Nanos at;       // intended offset from the run's start
    size_t stream;  // index of the stream in the order add() was called
    uint64_t n;     // its rank within the stream
  };
  size_t add(ArrivalSchedule schedule);
  bool empty() const { return heap_.empty(); }
  // REQUIRES: !empty().
  const Arrival& peek() const { return heap_.top(); }
  // Removes the earliest arrival and queues the next of its stream.
  Arrival pop();

 private:
  struct Later {
    bool operator()(const Arrival& a, const Arrival& b) const { return a.at > b.at; }
  };
  std::vector<ArrivalSchedule> streams_;
  std::priority_queue<Arrival, std::vector<Arrival>, Later> heap_;
};

}  // namespace pistesim::loadgen
