// The scenario runner's journal actions: `mark` a point, `journal` checks what the target
// recorded since.
#include "scenario_engine/scenario_run.h"

namespace pistesim::scenario::running {

void ScenarioRun::perform(const Step& step, const JournalAction& j, const Variables& vars,
                          Attempt& a) {
  auto position = [&](const std::optional<std::string>& mark) -> std::optional<uint64_t> {
    std::string name = mark.value_or("start");
    auto it = marks_.find(name);
    if (it != marks_.end()) return it->second;
    std::string known;
    for (const auto& [k, v] : marks_) known += (known.empty() ? "" : ", ") + k;
    a.error("unknown mark « " + name + " » (marks so far: " + known + ")");
    return std::nullopt;
  };
  auto since = position(j.since);
  if (!since) return;
  std::optional<uint64_t> until;
  if (j.until && !(until = position(j.until))) return;
  std::optional<std::string> app, client_id;
  if (j.application && !(app = render_or_error(*j.application, vars, "application", a))) return;
  if (j.client_id && !(client_id = render_or_error(*j.client_id, vars, "client_id", a))) return;
  if (j.kind && *j.kind != "token" && *j.kind != "api") {
    a.error("journal kind « " + *j.kind + " »: expected token or api");
    return;
  }
  auto journal = target_.journal(*since);
  if (!journal) {
    a.error("cannot read the journal: " + journal.error().message);
    return;
  }
  std::vector<JournalEntry>& all = *journal;
  // A client's API calls carry its tokens, not its id: link them through the fetches.
  std::set<std::string> client_tokens;
  if (client_id)
    for (const auto& e : all)
      if (e.kind == JournalKind::Token && e.client_id == *client_id && !e.token_id.empty())
        client_tokens.insert(e.token_id);
  std::vector<JournalEntry> entries;
  nlohmann::json listed = nlohmann::json::array();
  for (auto& e : all) {
    if (until && e.seq > *until) continue;
    if (app && e.application != *app) continue;
    if (j.kind && std::string(to_string(e.kind)) != *j.kind) continue;
    if (client_id && (e.kind == JournalKind::Token ? e.client_id != *client_id
                                                   : !client_tokens.count(e.token_id)))
      continue;
    listed.push_back(journal_entry_json(e));
    entries.push_back(std::move(e));
  }
  Observation seen;
  seen.response = Response{};
  seen.response->headers.set("Content-Type", "application/json");
  seen.response->body = nlohmann::json{{"count", entries.size()}, {"entries", listed}}.dump();
  if (step.expect.client)
    for (auto& r : check_client(*step.expect.client, entries)) a.assertions.push_back(r);
  judge(step, seen, vars, a, false);
}

void ScenarioRun::perform(const Step&, const MarkAction& m, const Variables&, Attempt& a) {
  auto p = target_.journal_position();
  if (!p) {
    a.error("cannot read the journal position: " + p.error().message);
    return;
  }
  a.marks.emplace_back(m.name, *p);
}

}  // namespace pistesim::scenario::running
