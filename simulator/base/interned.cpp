#include "base/interned.h"

#include <array>
#include <mutex>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "base/string_map.h"

namespace pistesim {

namespace {

// Sharded so that threads interning different strings (loads, portal writes) rarely meet. A
// set's nodes never move, so a pointer to its string stays valid as the set grows.
struct Shard {
  std::mutex mutex;
  StringSet strings;
};
constexpr size_t kShards = 16;

std::array<Shard, kShards>& shards() {
  // Never destroyed: Interned values in static objects may be read during exit.
  static auto* pool = new std::array<Shard, kShards>();
  return *pool;
}

}  // namespace

const std::string* Interned::intern(std::string_view s) {
  if (s.empty()) return nullptr;
  const size_t hash = StringHash{}(s);
  Shard& shard = shards()[hash % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.strings.find(s);
  if (it == shard.strings.end()) it = shard.strings.emplace(s).first;
  return &*it;
}

const std::string& Interned::empty_string() noexcept {
  static const std::string empty;
  return empty;
}

size_t Interned::pool_size() {
  size_t n = 0;
  for (Shard& shard : shards()) {
    std::lock_guard lock(shard.mutex);
    n += shard.strings.size();
  }
  return n;
}

std::vector<Interned> interned(const std::vector<std::string>& strings) {
  return {strings.begin(), strings.end()};
}

std::vector<std::string> strings_of(const std::vector<Interned>& values) {
  return {values.begin(), values.end()};
}

void to_json(nlohmann::json& j, const Interned& s) {
  j = s.str();
}

}  // namespace pistesim
