#include "world/world_delta.h"

#include <unordered_map>
#include <unordered_set>

#include "base/string_map.h"
#include "toml/toml_reader.h"
#include "world/world_writer.h"

namespace pistesim {

namespace {

// Calls f(name in the world format, member of World, key of an entity) for each collection.
template <class F>
void each_collection(F&& f) {
  f("organisations", &World::organisations,
    [](const Organisation& o) -> std::string_view { return o.id; });
  f("cgu", &World::cgus, [](const Cgu& c) -> std::string_view { return c.id; });
  f("apis", &World::apis, [](const Api& a) -> std::string_view { return a.id; });
  f("users", &World::users, [](const User& u) -> std::string_view { return u.email; });
  f("applications", &World::applications,
    [](const Application& a) -> std::string_view { return a.id; });
  f("access_requests", &World::access_requests,
    [](const AccessRequest& q) -> std::string_view { return q.id; });
  f("chorus_pro_structures", &World::cpro_structures,
    [](const CproStructure& s) -> std::string_view { return s.siret; });
}

// The entities of `after` added or changed (into `upserts`, in after's order) and the keys of
// `before`'s removed. False when `after` is not `before` with removals, changes in place and
// additions at the end (an entity moved, a key held twice).
template <class T, class Key>
bool diff(const std::vector<T>& before, const std::vector<T>& after, Key key,
          std::vector<T>& upserts, std::vector<std::string>& removed) {
  // The common case: the same keys in the same order, one or two entities changed.
  size_t i = 0;
  for (const size_t common = std::min(before.size(), after.size());
       i < common && key(before[i]) == key(after[i]); ++i)
    if (!(before[i] == after[i])) upserts.push_back(after[i]);
  if (i == before.size() && i == after.size()) return true;
  // Past that prefix: removals, entities kept in order, then additions. An addition's key must
  // be none of before's, or applying it would replace that entity instead.
  std::unordered_set<std::string_view> before_keys, after_keys;
  for (const T& e : before)
    if (!before_keys.insert(key(e)).second) return false;
  for (size_t k = i; k < after.size(); ++k)
    if (!after_keys.insert(key(after[k])).second) return false;
  size_t b = i;
  auto skip_removed = [&] {
    for (; b < before.size() && !after_keys.contains(key(before[b])); ++b)
      removed.emplace_back(key(before[b]));
  };
  size_t j = i;
  for (; j < after.size() && before_keys.contains(key(after[j])); ++j) {
    skip_removed();
    if (b == before.size() || key(before[b]) != key(after[j])) return false;  // moved
    if (!(before[b] == after[j])) upserts.push_back(after[j]);
    ++b;
  }
  skip_removed();
  if (b != before.size()) return false;  // kept, but after an addition: moved
  for (; j < after.size(); ++j) {
    if (before_keys.contains(key(after[j]))) return false;
    upserts.push_back(after[j]);
  }
  return true;
}

// A replaced application keeps the simulator's quota counters (those of its subscriptions to the
// same APIs too): the gateway's counts go on as if the entity had been edited in place.
template <class T>
void keep_counters(const T&, T&) {}
void keep_counters(const Application& old, Application& replacement) {
  replacement.quota_slot = old.quota_slot;
  for (auto& sub : replacement.subscriptions)
    if (const Subscription* was = old.subscription(sub.api)) sub.quota_slot = was->quota_slot;
}

// Removes the entities named by `removed` and puts each of `upserts` in place of the entity of
// its key, or at the end. Reports a removal of an entity the world does not hold.
template <class T, class Key>
void apply(std::vector<T>& items, std::vector<T>& upserts, const std::vector<std::string>& removed,
           Key key, const char* name, TomlReader& r) {
  if (!removed.empty()) {
    const std::unordered_set<std::string_view> gone(removed.begin(), removed.end());
    const size_t held = items.size();
    std::erase_if(items, [&](const T& e) { return gone.contains(key(e)); });
    if (held - items.size() != gone.size())
      r.file_error("[removed] « " + std::string(name) +
                   " » names an entity the world does not hold: the delta is not for this world");
  }
  if (upserts.empty()) return;
  // Keys copied: the views of a replaced entity's key would not outlive the replacement.
  StringMap<size_t> wanted;
  for (size_t k = 0; k < upserts.size(); ++k) wanted.emplace(key(upserts[k]), k);
  std::vector<bool> placed(upserts.size(), false);
  for (T& e : items) {
    auto it = wanted.find(key(e));
    if (it == wanted.end()) continue;
    T& replacement = upserts[it->second];
    keep_counters(e, replacement);
    placed[it->second] = true;
    wanted.erase(it);
    e = std::move(replacement);
    if (wanted.empty()) break;
  }
  for (size_t k = 0; k < upserts.size(); ++k)
    if (!placed[k]) items.push_back(std::move(upserts[k]));
}

}  // namespace

std::optional<std::string> write_world_delta(const World& before, const World& after) {
  World part;
  part.settings = after.settings;  // always written: the loader needs [world], users refer to it
  std::string removed_table;
  bool ok = true;
  each_collection([&](const char* name, auto member, auto key) {
    if (!ok) return;
    std::vector<std::string> removed;
    ok = diff(before.*member, after.*member, key, part.*member, removed);
    if (!ok || removed.empty()) return;
    removed_table += std::string(name) + " = [";
    for (size_t k = 0; k < removed.size(); ++k)
      removed_table += (k ? ", " : "") + toml_string(removed[k]);
    removed_table += "]\n";
  });
  if (!ok) return std::nullopt;
  SnapshotHeader bare;
  bare.comments = false;
  std::string text = write_world_toml(part, bare);
  if (!removed_table.empty()) text += "\n[removed]\n" + removed_table;
  return text;
}

std::vector<WorldError> apply_world_delta(World& world, std::string_view delta,
                                          const std::string& source) {
  std::vector<WorldError> errors;
  TomlReader r(source, errors);
  r.set_max_bytes(kMaxWorldFileBytes);
  std::optional<toml::table> parsed = r.parse(delta);
  if (!parsed) return errors;
  // [removed] read here, then taken out: the rest is read as a world file.
  std::unordered_map<std::string, std::vector<std::string>> removed;
  if (const toml::node* n = parsed->get("removed")) {
    if (const toml::table* t = r.table(*n, "removed")) {
      std::vector<std::string_view> names;
      each_collection([&](const char* name, auto, auto) { names.push_back(name); });
      r.check_keys(*t, names, "[removed]");
      for (auto&& [k, v] : *t)
        if (auto ids = r.strings(v, "removed." + std::string(k.str())))
          removed[std::string(k.str())] = std::move(*ids);
    }
    parsed->erase("removed");
  }
  if (!errors.empty()) return errors;
  WorldLoadResult part = load_world_table(*parsed, source, WorldChecks::Entities);
  if (!part.ok()) return std::move(part.errors);
  world.settings = std::move(part.world.settings);
  each_collection([&](const char* name, auto member, auto key) {
    static const std::vector<std::string> kNone;
    auto it = removed.find(name);
    apply(world.*member, part.world.*member, it == removed.end() ? kNone : it->second, key, name,
          r);
  });
  return errors;
}

}  // namespace pistesim
