// /journal: what clients sent to the four PISTE endpoints and what they got, for scenarios that
// judge a client (token reuse, backoff after 429, authentication method). No secret in it.
// GET /journal?after=SEQ&kind=token|api&limit=N (the oldest N) or &last=N (the newest N: to
// tail it), DELETE /journal.
#include <algorithm>

#include "control/router.h"
#include "core/simulator.h"

namespace pistesim {

namespace {

// A non-negative integer query parameter; `fallback` when absent, nullopt when malformed.
std::optional<uint64_t> count_param(const std::string& text, uint64_t fallback) {
  if (text.empty()) return fallback;
  if (text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    return std::nullopt;
  return std::stoull(text);
}

Response read_journal(ControlCall& c) {
  auto after = count_param(c.query("after"), 0);
  auto not_a_count = [](const char* name) {
    return error(400, "INVALID_FIELD",
                 {"« " + std::string(name) + " » doit être un entier positif",
                  "« " + std::string(name) + " » must be a non-negative integer"},
                 name);
  };
  if (!after) return not_a_count("after");
  auto limit = count_param(c.query("limit"), SIZE_MAX);
  if (!limit) return not_a_count("limit");
  auto last = count_param(c.query("last"), SIZE_MAX);
  if (!last) return not_a_count("last");
  if (!c.query("last").empty() && !c.query("limit").empty())
    return error(400, "INVALID_FIELD",
                 {"« last » (les plus récentes) et « limit » (les plus anciennes) s'excluent",
                  "« last » (the newest) and « limit » (the oldest) exclude each other"},
                 "last");
  std::string kind = c.query("kind");
  if (!kind.empty() && kind != "token" && kind != "api")
    return error(400, "INVALID_FIELD",
                 {"« kind » doit valoir token ou api", "« kind » must be token or api"}, "kind");
  Journal& journal = c.sim.journal();
  std::vector<const JournalEntry*> chosen;
  const std::vector<JournalEntry> found = journal.since(*after);
  for (const auto& e : found) {
    if (!kind.empty() && to_string(e.kind) != kind) continue;
    if (chosen.size() >= *limit) break;
    chosen.push_back(&e);
  }
  // The newest N, still oldest first.
  if (chosen.size() > *last) chosen.erase(chosen.begin(), chosen.end() - static_cast<long>(*last));
  json entries = json::array();
  for (const JournalEntry* e : chosen) entries.push_back(journal_entry_json(*e));
  return json_response(200, {{"entries", entries},
                             {"last_seq", journal.last_seq()},
                             {"dropped", journal.dropped()},
                             {"capacity", journal.capacity()},
                             {"elapsed_us", journal.elapsed_us()}});
}

}  // namespace

void register_journal_routes(Router& r) {
  r.add("GET", "/journal", read_journal, {.query = {"after", "kind", "limit", "last"}});
  r.add("DELETE", "/journal", [](ControlCall& c) {
    uint64_t last = c.sim.journal().last_seq();
    c.sim.journal().clear();
    return json_response(200, {{"cleared", true}, {"last_seq", last}});
  });
}

}  // namespace pistesim
