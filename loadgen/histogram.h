// A latency histogram in the manner of HdrHistogram: log-linear buckets (each power of two split
// into 2^(precision_bits-1) equal sub-buckets), so memory is fixed whatever the number of values
// and every recorded value is known to within 1 / 2^(precision_bits-1) of itself. Two histograms
// of the same precision merge by adding counts, which is what lets several load processes combine
// their results. Not safe for concurrent use: one per thread, merged at the end.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pistesim::loadgen {

class LatencyHistogram {
 public:
  // precision_bits 8: 128 sub-buckets per power of two (error <= 0.8 %); 6: 32 (<= 3.2 %).
  // Values (nanoseconds) above max_value are counted as max_value.
  explicit LatencyHistogram(int precision_bits = 8, int64_t max_value = int64_t{3600} * 1000000000);

  void record(int64_t value, uint64_t count = 1);
  // REQUIRES: same precision_bits and max_value; otherwise throws std::invalid_argument.
  void merge(const LatencyHistogram& other);
  void clear();

  uint64_t count() const { return total_; }
  int64_t min() const { return total_ ? min_ : 0; }
  int64_t max() const { return total_ ? max_ : 0; }
  double mean() const;
  // The value below which a fraction q (0..1) of the recorded values lie: the highest value
  // equivalent to the bucket holding rank ceil(q * count), never above max(). 0 when empty.
  int64_t percentile(double q) const;
  int precision_bits() const { return bits_; }

  // {"precision_bits", "max_value", "count", "min", "max", "sum", "buckets": [[index, count]…]}
  // (only non-empty buckets).
  nlohmann::json to_json() const;
  // Throws std::invalid_argument on a malformed object.
  static LatencyHistogram from_json(const nlohmann::json& j);

  // Bucket arithmetic, public for tests: the bucket of a value and the range a bucket covers.
  size_t index_of(int64_t value) const;
  int64_t lowest_in(size_t index) const;
  int64_t highest_in(size_t index) const;

 private:
  int bits_;
  int64_t max_value_;
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace pistesim::loadgen
