// An open-addressing hash table (linear probing, at most half full) of positions in containers
// its owner keeps, such as (application, client) indexes into a World, looked up by a key that
// the positioned object holds. A slot is 8 bytes where a std::unordered_map node keyed by a
// string_view costs 48 to 64 bytes and a bucket: the world index of a million applications is
// the difference. Sized once for what it will hold; no erase.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/string_map.h"

namespace pistesim {

class PositionTable {
 public:
  struct Position {
    uint32_t first = 0;
    uint32_t second = 0;
  };

  PositionTable() = default;
  // Room for `count` positions.
  explicit PositionTable(size_t count)
      : slots_(std::bit_ceil(count * 2 < 8 ? size_t{8} : count * 2), Position{kEmpty, 0}),
        mask_(slots_.size() - 1) {}

  // Adds p under key_of(p) unless that key is already held: the first stays, as with emplace.
  // REQUIRES: fewer positions than the table was sized for.
  template <class KeyOf>
  void insert(Position p, const KeyOf& key_of) {
    const std::string_view key = key_of(p);
    for (size_t i = StringHash{}(key)&mask_;; i = (i + 1) & mask_) {
      Position& s = slots_[i];
      if (s.first == kEmpty) {
        s = p;
        return;
      }
      if (key_of(s) == key) return;
    }
  }

  template <class KeyOf>
  std::optional<Position> find(std::string_view key, const KeyOf& key_of) const {
    if (slots_.empty()) return std::nullopt;
    for (size_t i = StringHash{}(key)&mask_;; i = (i + 1) & mask_) {
      const Position& s = slots_[i];
      if (s.first == kEmpty) return std::nullopt;
      if (key_of(s) == key) return s;
    }
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  std::vector<Position> slots_;
  size_t mask_ = 0;
};

}  // namespace pistesim
