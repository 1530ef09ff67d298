#include "loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace pistesim::loadgen {

LatencyHistogram::LatencyHistogram(int precision_bits, int64_t max_value)
    : bits_(precision_bits), max_value_(max_value) {
  if (bits_ < 2 || bits_ > 16) throw std::invalid_argument("histogram precision_bits out of 2..16");
  if (max_value_ < 1) throw std::invalid_argument("histogram max_value must be positive");
  counts_.assign(index_of(max_value_) + 1, 0);
}

// Values below 2^bits have a bucket each; above, a value v with highest bit m falls in the
// sub-bucket (v >> shift) of level shift = m - bits + 1, whose 2^(bits-1) sub-buckets follow
// the previous level's without a gap.
size_t LatencyHistogram::index_of(int64_t value) const {
  uint64_t v = static_cast<uint64_t>(std::clamp<int64_t>(value, 0, max_value_));
  if (v < (uint64_t{1} << bits_)) return static_cast<size_t>(v);
  int m = 63 - std::countl_zero(v);
  int shift = m - bits_ + 1;
  return (static_cast<size_t>(shift) << (bits_ - 1)) + static_cast<size_t>(v >> shift);
}

int64_t LatencyHistogram::lowest_in(size_t index) const {
  if (index < (size_t{1} << bits_)) return static_cast<int64_t>(index);
  size_t shift = (index >> (bits_ - 1)) - 1;
  size_t q = index - (shift << (bits_ - 1));
  return static_cast<int64_t>(q << shift);
}

int64_t LatencyHistogram::highest_in(size_t index) const {
  if (index < (size_t{1} << bits_)) return static_cast<int64_t>(index);
  size_t shift = (index >> (bits_ - 1)) - 1;
  size_t q = index - (shift << (bits_ - 1));
  return static_cast<int64_t>(((q + 1) << shift) - 1);
}

void LatencyHistogram::record(int64_t value, uint64_t count) {
  if (count == 0) return;
  value = std::clamp<int64_t>(value, 0, max_value_);
  counts_[index_of(value)] += count;
  if (total_ == 0 || value < min_) min_ = value;
  if (total_ == 0 || value > max_) max_ = value;
  total_ += count;
  sum_ += static_cast<long double>(value) * count;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.bits_ != bits_ || other.max_value_ != max_value_)
    throw std::invalid_argument("cannot merge histograms of different precision or range");
  if (other.total_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  if (total_ == 0 || other.min_ < min_) min_ = other.min_;
  if (total_ == 0 || other.max_ > max_) max_ = other.max_;
  total_ += other.total_;
  sum_ += other.sum_;
}

void LatencyHistogram::clear() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = 0;
  min_ = max_ = 0;
  sum_ = 0;
}

double LatencyHistogram::mean() const {
  return total_ ? static_cast<double>(sum_ / static_cast<long double>(total_)) : 0.0;
}

int64_t LatencyHistogram::percentile(double q) const {
  if (total_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total_)));
  rank = std::clamp<uint64_t>(rank, 1, total_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(highest_in(i), min_, max_);
  }
  return max_;
}

nlohmann::json LatencyHistogram::to_json() const {
  nlohmann::json buckets = nlohmann::json::array();
  for (size_t i = 0; i < counts_.size(); ++i)
    if (counts_[i]) buckets.push_back({i, counts_[i]});
  return {{"precision_bits", bits_},
          {"max_value", max_value_},
          {"count", total_},
          {"min", min()},
          {"max", max()},
          {"sum", static_cast<double>(sum_)},
          {"buckets", buckets}};
}

LatencyHistogram LatencyHistogram::from_json(const nlohmann::json& j) {
  try {
    LatencyHistogram h(j.at("precision_bits").get<int>(), j.at("max_value").get<int64_t>());
    for (const auto& b : j.at("buckets")) {
      size_t i = b.at(0).get<size_t>();
      uint64_t n = b.at(1).get<uint64_t>();
      if (i >= h.counts_.size()) throw std::invalid_argument("histogram bucket index out of range");
      h.counts_[i] += n;
      h.total_ += n;
    }
    if (h.total_ != j.at("count").get<uint64_t>())
      throw std::invalid_argument("histogram count does not match its buckets");
    h.min_ = j.at("min").get<int64_t>();
    h.max_ = j.at("max").get<int64_t>();
    h.sum_ = j.at("sum").get<double>();
    return h;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("malformed histogram: ") + e.what());
  }
}

}  // namespace pistesim::loadgen
