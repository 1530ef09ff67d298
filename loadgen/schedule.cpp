#include "loadgen/schedule.h"

#include <cmath>
#include <stdexcept>

namespace pistesim::loadgen {

ArrivalSchedule::ArrivalSchedule(double start_rate, double end_rate, Nanos ramp, Nanos duration,
                                 double phase)
    : r0_(start_rate),
      r1_(end_rate),
      ramp_s_(static_cast<double>(ramp) / 1e9),
      duration_s_(static_cast<double>(duration) / 1e9),
      phase_(phase) {
  if (!(r0_ >= 0) || !(r1_ >= 0) || (r0_ == 0 && r1_ == 0))
    throw std::invalid_argument("arrival rates must be >= 0 and not both 0");
  if (ramp < 0 || duration <= 0) throw std::invalid_argument("ramp must be >= 0, duration > 0");
  if (!(phase >= 0 && phase < 1)) throw std::invalid_argument("phase must lie in [0, 1)");
  if (ramp_s_ == 0) r0_ = r1_;
}

Nanos ArrivalSchedule::offset_of(uint64_t n) const {
  const double k = static_cast<double>(n) + phase_;
  double t;
  // Arrivals during the ramp: k = r0 t + a t^2 with a = (r1 - r0) / (2 ramp).
  const double during_ramp = ramp_s_ > 0 ? (r0_ + r1_) / 2 * ramp_s_ : 0;
  if (ramp_s_ > 0 && k < during_ramp) {
    const double a = (r1_ - r0_) / (2 * ramp_s_);
    if (k == 0) {
      t = 0;
    } else if (std::abs(a) < 1e-12) {
      t = k / r0_;
    } else {
      // The root that is stable when b^2 >> 4ak (no cancellation): t = 2k / (b + sqrt(b^2+4ak)).
      const double disc = r0_ * r0_ + 4 * a * k;
      t = 2 * k / (r0_ + std::sqrt(std::max(0.0, disc)));
    }
  } else {
    if (r1_ == 0) return -1;  // a ramp down to zero: nothing after it
    t = ramp_s_ + (k - during_ramp) / r1_;
  }
  if (t >= duration_s_) return -1;
  return static_cast<Nanos>(std::llround(t * 1e9));
}

uint64_t ArrivalSchedule::total() const {
  // offset_of is increasing in n: find the first n past the end by doubling, then bisection.
  if (offset_of(0) < 0) return 0;
  uint64_t lo = 0, hi = 1;
  while (offset_of(hi) >= 0) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    uint64_t mid = lo + (hi - lo) / 2;
    (offset_of(mid) >= 0 ? lo : hi) = mid;
  }
  return hi;
}

size_t ArrivalQueue::add(ArrivalSchedule schedule) {
  size_t id = streams_.size();
  streams_.push_back(schedule);
  Nanos first = streams_.back().offset_of(0);
  if (first >= 0) heap_.push({first, id, 0});
  return id;
}

ArrivalQueue::Arrival ArrivalQueue::pop() {
  Arrival a = heap_.top();
  heap_.pop();
  Nanos next = streams_[a.stream].offset_of(a.n + 1);
  if (next >= 0) heap_.push({next, a.stream, a.n + 1});
  return a;
}

}  // namespace pistesim::loadgen
