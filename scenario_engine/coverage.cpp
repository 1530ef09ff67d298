#include "scenario_engine/coverage.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <tuple>

#include "toml/toml_reader.h"
#include "wire/spelling.h"

namespace fs = std::filesystem;

namespace pistesim::scenario {

const std::vector<std::string>& known_behaviour_ids() {
  // docs/behaviours.md, in file order; coverage_test checks the two agree.
  static const std::vector<std::string> kIds = {
      "ACC-1",  "ACC-2",  "ACC-3",  "ACC-4",   "ACC-5",   "ACC-6",   "ACC-7",  "ACC-8",  "ACC-9",
      "CAT-1",  "CAT-2",  "CGU-1",  "CGU-2",   "APP-1",   "APP-2",   "APP-3",  "APP-4",  "APP-5",
      "APP-6",  "APP-7",  "APP-8",  "APP-9",   "REQ-1",   "REQ-2",   "REQ-3",  "REQ-4",  "REQ-5",
      "REQ-6",  "REQ-7",  "ADM-1",  "ADM-2",   "ADM-3",   "ADM-4",   "ADM-5",  "OAU-1",  "OAU-2",
      "OAU-3",  "OAU-4",  "GW-1",   "GW-2",    "GW-3",    "GW-4",    "GW-5",   "GW-6",   "NOT-1",
      "NOT-2",  "WLD-1",  "WLD-2",  "WIRE-1",  "WIRE-2",  "WIRE-3",  "WIRE-4", "WIRE-5", "WIRE-6",
      "WIRE-7", "WIRE-8", "WIRE-9", "WIRE-10", "WIRE-11", "WIRE-12",
  };
  return kIds;
}

namespace {

// A behaviours file is a short list; anything this large is not one (the check keeps a stray
// binary out of toml++).
constexpr uintmax_t kMaxBehavioursFileBytes = 1u << 20;
constexpr size_t kMaxIdLength = 64;
constexpr size_t kMaxIdsListed = 30;
const char* const kDeclareHint =
    "declare your own in a behaviours file ([[behaviour]] id = \"MY-1\" title = \"…\": "
    "behaviours.toml beside the scenarios, or run --behaviours FILE)";

std::string q(std::string_view s) {
  return "« " + std::string(s) + " »";
}

std::string family_of(std::string_view id) {
  return std::string(id.substr(0, id.find('-')));
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  size_t shown = std::min(items.size(), kMaxIdsListed);
  for (size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > shown) out += ", … (" + std::to_string(items.size() - shown) + " more)";
  return out;
}

std::vector<std::string> builtin_families() {
  std::vector<std::string> out;
  for (const auto& id : known_behaviour_ids())
    if (std::find(out.begin(), out.end(), family_of(id)) == out.end()) out.push_back(family_of(id));
  return out;
}

bool is_builtin(std::string_view id) {
  const auto& known = known_behaviour_ids();
  return std::find(known.begin(), known.end(), id) != known.end();
}

// What a user's ID may look like: a word a report can print and a shell need not quote.
std::string id_shape_error(std::string_view id) {
  if (id.empty()) return "an empty behaviour ID";
  if (id.size() > kMaxIdLength) return "a behaviour ID longer than 64 characters";
  if (!std::isalpha(static_cast<unsigned char>(id[0])))
    return "behaviour ID " + q(id) + " does not start with a letter";
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return "behaviour ID " + q(id) + " holds " + q(std::string(1, c)) +
             "; only letters, digits, « - », « _ » and « . » may appear";
  return "";
}

}  // namespace

const BehaviourCatalogue& BehaviourCatalogue::builtin() {
  static const BehaviourCatalogue kBuiltin;
  return kBuiltin;
}

bool BehaviourCatalogue::add_file(const std::string& path, std::vector<LoadError>* errors) {
  FileText file = read_input_file(path, kMaxBehavioursFileBytes);
  if (!file.error.empty()) {
    errors->push_back({{path, 0, 0},
                       file.error + "; expected a behaviours file ([[behaviour]] id, "
                                    "title)"});
    return false;
  }
  return add_text(file.text, path, errors);
}

bool BehaviourCatalogue::add_text(const std::string& text, const std::string& path,
                                  std::vector<LoadError>* errors) {
  size_t errors_before = errors->size();
  auto fail = [&](const toml::source_region& r, std::string message) {
    errors->push_back(
        {{path, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)}, message});
  };
  if (text.size() > kMaxBehavioursFileBytes) {
    errors->push_back({{path, 1, 1}, "file too large (at most 1 MiB)"});
    return false;
  }
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    fail(e.source(), "invalid TOML: " + std::string(e.description()));
    return false;
  }

  const std::vector<std::string_view> kTop = {"behaviour"};
  const std::vector<std::string_view> kEntry = {"id", "title"};
  auto unknown_key = [&](const toml::key& k, const std::vector<std::string_view>& allowed,
                         std::string_view where) {
    std::string_view near = closest_spelling(k.str(), allowed);
    fail(k.source(), "unknown key " + q(k.str()) + " in " + std::string(where) + ";" +
                         (near.empty() ? "" : " did you mean " + q(near) + "?") + " expected " +
                         (allowed.size() == 1 ? "[[behaviour]] tables" : "id, title"));
  };
  for (auto&& [k, v] : root)
    if (k.str() != "behaviour") unknown_key(k, kTop, "a behaviours file");

  std::vector<UserBehaviour> found;
  const toml::node* list = root.get("behaviour");
  const toml::array* entries = list ? list->as_array() : nullptr;
  if (list && (!entries || !entries->is_array_of_tables())) {
    fail(list->source(), "« behaviour » must be [[behaviour]] tables, not " +
                             std::string(toml_type_name(*list)) +
                             "; expected [[behaviour]] id = \"MY-1\" title = \"…\"");
  } else if (!list && errors->size() == errors_before) {
    errors->push_back({{path, 1, 1},
                       "the file declares no behaviour; expected [[behaviour]] id = \"MY-1\" "
                       "title = \"…\""});
  }
  const std::vector<std::string> families = builtin_families();
  for (size_t i = 0; entries && entries->is_array_of_tables() && i < entries->size(); ++i) {
    const toml::table& t = *entries->get(i)->as_table();
    for (auto&& [k, v] : t)
      if (k.str() != "id" && k.str() != "title") unknown_key(k, kEntry, "a [[behaviour]]");
    UserBehaviour b;
    b.where = {path, static_cast<int>(t.source().begin.line),
               static_cast<int>(t.source().begin.column)};
    const toml::node* id = t.get("id");
    const toml::node* title = t.get("title");
    if (!id) fail(t.source(), "this [[behaviour]] has no « id »; expected id = \"MY-1\"");
    if (!title)
      fail(t.source(), "this [[behaviour]] has no « title »; expected title = \"what it proves\"");
    if (title && !title->is_string()) {
      fail(title->source(),
           "« title » must be a string, not " + std::string(toml_type_name(*title)));
    } else if (title) {
      b.title = **title->as_string();
      if (b.title.find_first_not_of(" \t") == std::string::npos)
        fail(title->source(), "« title » is empty; expected what the behaviour is, in words");
    }
    if (!id) continue;
    if (!id->is_string()) {
      fail(id->source(),
           "« id » must be a string (\"MY-1\"), not " + std::string(toml_type_name(*id)));
      continue;
    }
    b.id = **id->as_string();
    b.where = {path, static_cast<int>(id->source().begin.line),
               static_cast<int>(id->source().begin.column)};
    if (std::string shape = id_shape_error(b.id); !shape.empty()) {
      fail(id->source(), shape + "; expected an ID such as MY-1");
      continue;
    }
    std::string family = upper(family_of(b.id));
    if (std::find(families.begin(), families.end(), family) != families.end()) {
      fail(id->source(), "behaviour ID " + q(b.id) + " is in pistesim's family " + family +
                             " (docs/behaviours.md); expected a prefix of your own, e.g. MY-1");
      continue;
    }
    const UserBehaviour* earlier = nullptr;
    for (const auto* list : {&user_, &found})
      for (const auto& o : *list)
        if (o.id == b.id && !earlier) earlier = &o;
    if (earlier) {
      fail(id->source(), "behaviour ID " + q(b.id) + " is already declared at " +
                             earlier->where.to_string() + "; expected each ID once");
      continue;
    }
    found.push_back(std::move(b));
  }
  if (errors->size() != errors_before) {
    // toml++ walks keys alphabetically; the reader wants them in file order.
    std::stable_sort(errors->begin() + static_cast<std::ptrdiff_t>(errors_before), errors->end(),
                     [](const LoadError& a, const LoadError& b) {
                       return std::tie(a.where.line, a.where.column) <
                              std::tie(b.where.line, b.where.column);
                     });
    return false;
  }
  user_.insert(user_.end(), found.begin(), found.end());
  files_.push_back(path);
  return true;
}

std::optional<std::string> BehaviourCatalogue::check(std::string_view id) const {
  if (is_builtin(id)) return std::nullopt;
  for (const auto& b : user_)
    if (b.id == id) return std::nullopt;

  std::vector<std::string> user_ids;
  for (const auto& b : user_) user_ids.push_back(b.id);
  // A suggestion from either list: the same ID in other case, else the closest spelling.
  std::vector<std::string_view> every(known_behaviour_ids().begin(), known_behaviour_ids().end());
  every.insert(every.end(), user_ids.begin(), user_ids.end());
  std::string_view near = closest_spelling(id, every);
  for (auto candidate : every)
    if (upper(candidate) == upper(id)) near = candidate;
  std::string message = "unknown behaviour ID " + q(id);
  std::string hint = near.empty() ? "" : " did you mean " + q(near) + "?";

  std::string family = family_of(id);
  std::vector<std::string> builtin_family, user_family;
  for (const auto& k : known_behaviour_ids())
    if (family_of(k) == family) builtin_family.push_back(k);
  for (const auto& k : user_ids)
    if (family_of(k) == family) user_family.push_back(k);
  std::string files;
  for (const auto& f : files_) files += (files.empty() ? "" : ", ") + f;

  if (!builtin_family.empty())
    return message + " (docs/behaviours.md);" + hint + " expected one of: " + join(builtin_family);
  if (!user_family.empty())
    return message + " (not declared in " + files + ");" + hint +
           " expected one of: " + join(user_family);
  std::string builtin_list;
  for (const auto& f : builtin_families()) builtin_list += (builtin_list.empty() ? "" : ", ") + f;
  message += ";" + hint + " expected an ID such as ACC-1 from the families: " + builtin_list +
             " (docs/behaviours.md)";
  if (user_ids.empty()) return message + ", or " + kDeclareHint;
  return message + ", or one declared in " + files + ": " + join(user_ids);
}

std::vector<std::string> find_behaviour_files(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) return;
    std::string key = fs::weakly_canonical(p, ec).string();
    if (seen.insert(ec ? p.lexically_normal().string() : key).second) out.push_back(p.string());
  };
  for (const auto& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      add(fs::path(path).parent_path() / kBehavioursFileName);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec) && it->path().filename() == "lib") {
        it.disable_recursion_pending();  // step libraries, as for scenarios
        continue;
      }
      if (it->path().filename() == kBehavioursFileName) found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    for (const auto& f : found) add(f);
  }
  return out;
}

Coverage compute_coverage(const std::vector<Scenario>& scenarios,
                          const BehaviourCatalogue& catalogue) {
  std::set<std::string> named;
  for (const auto& s : scenarios) {
    if (s.skip) continue;  // a skipped scenario proves nothing
    named.insert(s.covers.begin(), s.covers.end());
  }
  Coverage c;
  for (const auto& id : known_behaviour_ids())
    (named.count(id) ? c.covered : c.uncovered).push_back(id);
  std::set<std::string> user;
  for (const auto& b : catalogue.user()) {
    (named.count(b.id) ? c.user_covered : c.user_uncovered).push_back(b.id);
    user.insert(b.id);
  }
  for (const auto& id : named)
    if (!is_builtin(id) && !user.count(id)) c.unknown.push_back(id);
  return c;
}

}  // namespace pistesim::scenario
