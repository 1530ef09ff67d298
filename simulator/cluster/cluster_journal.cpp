#include "cluster/cluster_journal.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "crypto/secrets.h"

namespace pistesim {

namespace {

using nlohmann::json;

// A batch of a node's entries is written at most this long after the first of them arrived.
constexpr auto kWriteEvery = std::chrono::milliseconds(20);
// ...or as soon as this many wait.
constexpr size_t kBatch = 256;
// Entries per script call.
constexpr size_t kChunk = 1000;

// KEYS: the node's list, the dropped count, the set of nodes. ARGV: capacity, entries lost
// before writing, then the entries. Appends; past the capacity the oldest leave and are counted.
const RedisScript& append_script() {
  static const RedisScript s(R"(
redis.call('SADD', KEYS[3], KEYS[1])
local n = redis.call('RPUSH', KEYS[1], unpack(ARGV, 3))
local over = n - tonumber(ARGV[1])
if over > 0 then redis.call('LTRIM', KEYS[1], over, -1) else over = 0 end
local lost = over + tonumber(ARGV[2])
if lost > 0 then redis.call('INCRBY', KEYS[2], lost) end
return n
)");
  return s;
}

// KEYS: the set of nodes, the cleared mark. ARGV: the last seq before clearing. Empties every
// node's list; seqs keep counting from the mark.
const RedisScript& clear_script() {
  static const RedisScript s(R"(
for _, list in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', list) end
redis.call('DEL', KEYS[1])
local mark = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[1]) > mark then redis.call('SET', KEYS[2], ARGV[1]) end
return 1
)");
  return s;
}

int64_t wall_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ClusterJournal::ClusterJournal(RedisClient& redis, ClusterSignals& signals, std::string prefix,
                               size_t capacity)
    : redis_(redis),
      signals_(signals),
      prefix_(std::move(prefix)),
      capacity_(capacity),
      node_(prefix_ + "journal:n:" + random_alphanumeric(12)) {
  signals_.on("journal", [this] { flush(); });
}

ClusterJournal::~ClusterJournal() {
  stop();
}

void ClusterJournal::start() {
  redis_.command({"SET", key("journal:epoch"), std::to_string(wall_now_us()), "NX"});
  std::lock_guard lock(mutex_);
  if (writer_.joinable()) return;
  stopping_ = false;
  writer_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, kWriteEvery, [&] { return stopping_ || pending_.size() >= kBatch; });
      if (pending_.empty()) continue;
      lock.unlock();
      try {
        flush();
      } catch (const StoreError&) {
        // Redis is away: the entries wait (bounded) for the next attempt.
      }
      lock.lock();
    }
  });
}

void ClusterJournal::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
  try {
    flush();
  } catch (const StoreError&) {
  }
}

void ClusterJournal::record(const JournalEntry& entry, int64_t arrived_wall_us) {
  // Unique within the node: two requests may arrive in the same microsecond.
  int64_t last = last_arrived_.load();
  while (!last_arrived_.compare_exchange_weak(last, std::max(arrived_wall_us, last + 1))) {
  }
  std::string line = journal_entry_text(entry, std::max(arrived_wall_us, last + 1));
  std::lock_guard lock(mutex_);
  pending_.push_back(std::move(line));
  if (pending_.size() > capacity_) {
    pending_.pop_front();
    ++lost_;
  }
  if (pending_.size() == kBatch) wake_.notify_one();
}

void ClusterJournal::flush() {
  std::lock_guard order(flush_mutex_);
  std::deque<std::string> batch;
  uint64_t lost = 0;
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_);
    std::swap(lost, lost_);
  }
  if (batch.empty() && lost == 0) return;
  try {
    if (batch.empty()) redis_.command({"INCRBY", key("journal:dropped"), std::to_string(lost)});
    // In chunks: a script's arguments go through Lua's stack.
    while (!batch.empty()) {
      const size_t n = std::min(batch.size(), kChunk);
      std::vector<std::string> args{std::to_string(capacity_), std::to_string(lost)};
      args.reserve(2 + n);
      for (size_t i = 0; i < n; ++i) args.push_back(std::move(batch[i]));
      try {
        redis_.eval(append_script(), {node_, key("journal:dropped"), key("journal:nodes")}, args);
      } catch (const StoreError&) {
        for (size_t i = 0; i < n; ++i) batch[i] = std::move(args[2 + i]);  // kept for a retry
        throw;
      }
      batch.erase(batch.begin(), batch.begin() + static_cast<long>(n));
      lost = 0;
    }
  } catch (const StoreError&) {
    // Back in front of what arrived meanwhile, within the bound.
    std::lock_guard lock(mutex_);
    lost_ += lost;
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) pending_.push_front(std::move(*it));
    while (pending_.size() > capacity_) {
      pending_.pop_front();
      ++lost_;
    }
    throw;
  }
}

void ClusterJournal::flush_everywhere() {
  flush();
  signals_.broadcast("journal");
}

int64_t ClusterJournal::epoch() {
  return redis_.command({"GET", key("journal:epoch")}).as_integer(0);
}

std::vector<JournalEntry> ClusterJournal::merged() {
  flush_everywhere();
  RedisReply nodes = redis_.command({"SMEMBERS", key("journal:nodes")});
  std::vector<std::vector<std::string>> reads{{"GET", key("journal:epoch")}};
  for (const auto& n : nodes.elements) reads.push_back({"LRANGE", n.text, "0", "-1"});
  std::vector<RedisReply> replies = redis_.pipeline(reads);
  const int64_t start = replies[0].as_integer(0);
  struct Arrived {
    int64_t at;
    size_t node;
    JournalEntry entry;
  };
  std::vector<Arrived> all;
  for (size_t n = 1; n < replies.size(); ++n)
    for (const auto& item : replies[n].elements) {
      if (item.text.empty()) continue;
      json j = json::parse(item.text, nullptr, false);
      auto e = journal_entry_from_json(j);
      if (!e || !j.contains("arrived_us")) continue;
      const int64_t at = j["arrived_us"].get<int64_t>();
      all.push_back({at, n, std::move(*e)});
    }
  std::sort(all.begin(), all.end(), [](const Arrived& a, const Arrived& b) {
    return a.at != b.at ? a.at < b.at : a.node < b.node;
  });
  std::vector<JournalEntry> out;
  out.reserve(all.size());
  for (auto& a : all) {
    a.entry.elapsed_us = std::max<int64_t>(0, a.at - start);
    a.entry.seq = static_cast<uint64_t>(a.entry.elapsed_us) + 1;
    out.push_back(std::move(a.entry));
  }
  return out;
}

std::vector<JournalEntry> ClusterJournal::since(uint64_t after, size_t limit) {
  std::vector<JournalEntry> out;
  for (auto& e : merged()) {
    if (out.size() >= limit) break;
    if (e.seq > after) out.push_back(std::move(e));
  }
  return out;
}

uint64_t ClusterJournal::last_seq() {
  std::vector<JournalEntry> all = merged();
  const auto cleared =
      static_cast<uint64_t>(redis_.command({"GET", key("journal:cleared")}).as_integer(0));
  return all.empty() ? cleared : std::max(cleared, all.back().seq);
}

uint64_t ClusterJournal::dropped() {
  return static_cast<uint64_t>(redis_.command({"GET", key("journal:dropped")}).as_integer(0));
}

void ClusterJournal::clear() {
  const uint64_t last = last_seq();
  redis_.eval(clear_script(), {key("journal:nodes"), key("journal:cleared")},
              {std::to_string(last)});
}

}  // namespace pistesim
