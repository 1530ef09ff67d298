#include "portal/catalogue.h"

#include <algorithm>

#include "portal/actor.h"

namespace pistesim {

namespace {

// The base letters of Latin-1 accented letters and of the French ligatures; nullptr when the
// code point is kept as it is.
const char* fold_code_point(uint32_t cp) {
  if ((cp >= 0xC0 && cp <= 0xC5) || (cp >= 0xE0 && cp <= 0xE5)) return "a";
  if (cp == 0xC6 || cp == 0xE6) return "ae";
  if (cp == 0xC7 || cp == 0xE7) return "c";
  if ((cp >= 0xC8 && cp <= 0xCB) || (cp >= 0xE8 && cp <= 0xEB)) return "e";
  if ((cp >= 0xCC && cp <= 0xCF) || (cp >= 0xEC && cp <= 0xEF)) return "i";
  if (cp == 0xD1 || cp == 0xF1) return "n";
  if ((cp >= 0xD2 && cp <= 0xD6) || (cp >= 0xF2 && cp <= 0xF6) || cp == 0xD8 || cp == 0xF8)
    return "o";
  if ((cp >= 0xD9 && cp <= 0xDC) || (cp >= 0xF9 && cp <= 0xFC)) return "u";
  if (cp == 0xDD || cp == 0xFD || cp == 0xFF || cp == 0x178) return "y";
  if (cp == 0xDF) return "ss";
  if (cp == 0x152 || cp == 0x153) return "oe";
  return nullptr;
}

std::vector<std::string> words_of(std::string_view folded) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < folded.size()) {
    size_t end = folded.find_first_of(" \t\r\n", pos);
    if (end == std::string_view::npos) end = folded.size();
    if (end > pos) out.emplace_back(folded.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

bool matches(const Api& api, const std::vector<std::string>& words) {
  if (words.empty()) return true;
  std::string haystack = fold_for_search(api.name) + "\n" + fold_for_search(api.description);
  for (const auto& t : api.tags) haystack += "\n" + fold_for_search(t);
  return std::all_of(words.begin(), words.end(),
                     [&](const std::string& w) { return haystack.find(w) != std::string::npos; });
}

PortalError unknown_api(std::string_view id) {
  return portal_error(ErrorKind::NotFound, "UNKNOWN_API", "API inconnue : " + std::string(id),
                      "api");
}

// The acting user, or null for an anonymous caller.
PortalResult<const User*> optional_actor(const World& world, std::string_view actor) {
  if (actor.empty()) return static_cast<const User*>(nullptr);
  return acting_user(world, actor);
}

}  // namespace

std::string_view piste_api_url(Channel c) {
  return c == Channel::Sandbox ? kPisteSandboxApiUrl : kPisteProductionApiUrl;
}

std::string_view piste_oauth_url(Channel c) {
  return c == Channel::Sandbox ? kPisteSandboxOAuthUrl : kPisteProductionOAuthUrl;
}

std::string fold_for_search(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      ++i;
      continue;
    }
    // Every letter folded is a two-byte UTF-8 sequence; anything else is copied byte by byte.
    if ((c & 0xE0) == 0xC0 && i + 1 < s.size() &&
        (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
      uint32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      if (const char* base = fold_code_point(cp)) {
        out += base;
        i += 2;
        continue;
      }
    }
    out += static_cast<char>(c);
    ++i;
  }
  return out;
}

bool api_visible_to(const Api& api, const User* user) {
  if (api.organisations.empty()) return true;
  if (!user) return false;
  return std::any_of(api.organisations.begin(), api.organisations.end(),
                     [&](const std::string& o) { return user->membership(o) != nullptr; });
}

std::optional<CatalogueSort> parse_catalogue_sort(std::string_view s) {
  if (s == "name" || s == "asc" || s == "+name") return CatalogueSort::NameAscending;
  if (s == "-name" || s == "desc") return CatalogueSort::NameDescending;
  return std::nullopt;
}

PortalResult<std::vector<CatalogueEntry>> browse_catalogue(const World& world,
                                                           std::string_view actor,
                                                           const CatalogueQuery& query) {
  auto user = optional_actor(world, actor);
  if (!user) return user.error();
  const auto words = words_of(fold_for_search(query.text));

  struct Line {
    CatalogueEntry entry;
    std::string key;
  };
  std::vector<Line> lines;
  for (const auto& api : world.apis) {
    if (!api_visible_to(api, *user) || !matches(api, words)) continue;
    for (Channel c : kChannels) {
      if (!api.published_on(c)) continue;
      if (query.environment && *query.environment != c) continue;
      lines.push_back({{&api, c}, fold_for_search(api.name)});
    }
  }
  const bool descending = query.sort == CatalogueSort::NameDescending;
  std::stable_sort(lines.begin(), lines.end(), [&](const Line& a, const Line& b) {
    if (a.key != b.key) return descending ? a.key > b.key : a.key < b.key;
    if (a.entry.api->id != b.entry.api->id)
      return descending ? a.entry.api->id > b.entry.api->id : a.entry.api->id < b.entry.api->id;
    return a.entry.channel < b.entry.channel;
  });
  std::vector<CatalogueEntry> out;
  out.reserve(lines.size());
  for (const auto& l : lines) out.push_back(l.entry);
  return out;
}

PortalResult<ApiSheet> api_sheet(const World& world, std::string_view actor,
                                 std::string_view api_id, std::optional<Channel> channel) {
  auto user = optional_actor(world, actor);
  if (!user) return user.error();
  const Api* api = nullptr;
  for (const auto& a : world.apis)
    if (a.id == api_id) api = &a;
  if (!api || !api_visible_to(*api, *user)) return unknown_api(api_id);

  ApiSheet sheet;
  sheet.api = api;
  for (Channel c : kChannels)
    if (api->published_on(c)) sheet.environments.push_back(c);
  if (sheet.environments.empty()) return unknown_api(api_id);
  if (channel) {
    if (!api->published_on(*channel))
      return portal_error(ErrorKind::NotFound, "NOT_PUBLISHED",
                          "L'API " + api->name + " n'est pas publiée sur l'environnement " +
                              std::string(to_string(*channel)) + ".",
                          "environment");
    sheet.channel = *channel;
  } else {
    sheet.channel = sheet.environments.front();
  }
  if (!api->cgu.empty()) {
    for (const auto& c : world.cgus)
      if (c.id == api->cgu) sheet.cgu = &c;
    if (*user) sheet.cgu_accepted = (*user)->has_accepted_cgu(api->id, sheet.channel);
  }
  return sheet;
}

}  // namespace pistesim
