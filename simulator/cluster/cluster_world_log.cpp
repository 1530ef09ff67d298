#include "cluster/cluster_world_log.h"

#include <charconv>

#include "cluster/cluster_scripts.h"
#include "crypto/secrets.h"

namespace pistesim {

namespace {

constexpr std::string_view kEntryPrefix = "# pistesim world log entry ";

// The version an entry's first line gives; nullopt when it has none.
std::optional<uint64_t> entry_version(std::string_view entry) {
  if (!entry.starts_with(kEntryPrefix)) return std::nullopt;
  entry.remove_prefix(kEntryPrefix.size());
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(entry.data(), entry.data() + entry.size(), v);
  if (ec != std::errc() || end == entry.data() || end == entry.data() + entry.size() ||
      *end != '\n')
    return std::nullopt;
  return v;
}

}  // namespace

std::string ClusterWorldLog::entry_header(uint64_t version) {
  return std::string(kEntryPrefix) + std::to_string(version) + "\n";
}

std::optional<uint64_t> ClusterWorldLog::seed(const std::string& world, const std::string& initial,
                                              uint64_t version) {
  const uint64_t epoch = std::stoull(random_hex(7), nullptr, 16) + 1;  // 0: none read yet
  const bool seeded =
      redis_
          .eval(cluster_scripts::join(),
                {key("world:version"), key("world:snapshot"), key("world:initial"),
                 key("world:base"), key("world:log"), key("world:log:bytes"), key("world:epoch")},
                {world, initial, std::to_string(version), std::to_string(epoch)})
          .as_integer() == 1;
  return seeded ? std::optional<uint64_t>(epoch) : std::nullopt;
}

std::optional<ClusterWorldLog::Read> ClusterWorldLog::read(int64_t from, uint64_t epoch) {
  RedisReply r = redis_.eval(cluster_scripts::read_world(),
                             {key("world:version"), key("world:snapshot"), key("world:base"),
                              key("world:log"), key("world:epoch")},
                             {std::to_string(from), std::to_string(epoch)});
  if (r.elements.empty()) return std::nullopt;
  const auto fail = [&](const std::string& why) {
    throw StoreUnavailable("cluster store " + redis_.address().url() + ": its world log " + why);
  };
  if (r.elements.size() < 4) fail("answered a read with too few elements");
  Read out;
  out.head = static_cast<uint64_t>(r.elements[0].as_integer());
  const auto base = static_cast<uint64_t>(r.elements[1].as_integer());
  out.epoch = static_cast<uint64_t>(r.elements[2].as_integer());
  size_t next = 4;
  uint64_t version = static_cast<uint64_t>(from);
  if (r.elements[3].as_integer() == 1) {
    if (r.elements.size() < 5 || r.elements[4].nil()) fail("has no snapshot");
    out.snapshot = std::move(r.elements[4].text);
    next = 5;
    version = base;
  }
  for (; next < r.elements.size(); ++next) {
    if (entry_version(r.elements[next].text) != ++version)
      fail("has an entry out of order (expected version " + std::to_string(version) + ")");
    out.entries.push_back(std::move(r.elements[next].text));
  }
  if (version != out.head)
    fail("ends at version " + std::to_string(version) + ", not at its head " +
         std::to_string(out.head));
  return out;
}

ClusterWorldLog::Appended ClusterWorldLog::append(uint64_t expected, uint64_t epoch,
                                                  const Append& change) {
  std::vector<std::string> args{
      prefix_,
      std::to_string(expected),
      change.delta           ? "delta"
      : change.world.empty() ? ""
                             : "world",
      change.delta ? entry_header(expected + 1) + *change.delta : change.world,
      change.initial,
      change.clear_tokens ? "1" : "0",
      std::to_string(limits_.max_entries),
      std::to_string(limits_.min_bytes),
      std::to_string(epoch),
      std::to_string(change.revoked_applications.size())};
  args.insert(args.end(), change.revoked_applications.begin(), change.revoked_applications.end());
  RedisReply r = redis_.eval(
      cluster_scripts::commit(),
      {key("world:version"), key("world:snapshot"), key("world:initial"), key("tokens:gen"),
       key("world:base"), key("world:log"), key("world:log:bytes"), key("world:epoch")},
      args);
  if (r.elements.size() != 3) throw StoreUnavailable("cluster store: unexpected commit reply");
  Appended out;
  out.ok = r.elements[0].as_integer() == 1;
  out.version = static_cast<uint64_t>(r.elements[1].as_integer());
  out.compact_due = r.elements[2].as_integer() == 1;
  return out;
}

void ClusterWorldLog::compact(uint64_t version, const std::string& world) {
  redis_.eval(cluster_scripts::compact_world(),
              {key("world:version"), key("world:snapshot"), key("world:base"), key("world:log"),
               key("world:log:bytes")},
              {std::to_string(version), world});
}

}  // namespace pistesim
