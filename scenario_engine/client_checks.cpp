// The client checks of `expect.client` (docs/scenarios.md), judged from journal entries.
//
// Conventions shared by every check:
// - Entries are taken in seq order. A *client* is the application an entry names; failing that,
//   an API call belongs to the client whose token request obtained its token (token_id), and a
//   token request to the application its client_id was seen with, else to that client_id.
// - Token lifetimes use the simulator's clock (at_ms): a scenario advances it with `advance`.
//   A token fetched at F (a token request answered 200) is valid until F +
//   kDefaultTokenLifetimeMs, and *rejected* once an API call presenting it (same token_id) is
//   answered 401.
// - Pacing uses real time (elapsed_us): an entry's answer left at elapsed_us + duration_us. A
//   request that arrived before the answer it would react to left was already in flight (a
//   concurrent client), so it is not counted as a reaction to that answer.
// - A dropped entry (connection cut by a fault) got no answer: its status means nothing to the
//   client and triggers nothing.
// - A boolean check written `= false` asserts the opposite: that the client does show the fault
//   (used by scenarios demonstrating a naive client).
// - A failed check lists the seq numbers of the entries that show the fault.
#include "scenario_engine/client_checks.h"

#include <algorithm>
#include <limits>
#include <map>
#include <string>

#include "scenario_engine/assertions.h"
#include "scenario_engine/template.h"

namespace pistesim::scenario {

namespace {

// WIRE-12: clients seen in the wild renew tokens up to 240 s before expiry. reuses_tokens
// tolerates such a renewal unless refresh_window says how early is too early.
constexpr int64_t kWildRefreshWindowMs = 240'000;
constexpr size_t kMaxListed = 10;

struct Item {
  const JournalEntry* e;
  std::string client;
};

bool is_token(const JournalEntry& e) {
  return e.kind == JournalKind::Token;
}
bool is_api(const JournalEntry& e) {
  return e.kind == JournalKind::Api;
}
bool answered(const JournalEntry& e, int status) {
  return !e.dropped && e.status == status;
}
int64_t answer_left_us(const JournalEntry& e) {
  return e.elapsed_us + e.duration_us;
}
// `later` was sent after the client could have read the answer to `earlier`.
bool reacts_to(const JournalEntry& later, const JournalEntry& earlier) {
  return later.elapsed_us >= answer_left_us(earlier);
}

std::vector<Item> attribute(const std::vector<JournalEntry>& entries) {
  std::vector<const JournalEntry*> sorted;
  for (const auto& e : entries) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const JournalEntry* a, const JournalEntry* b) { return a->seq < b->seq; });
  std::map<std::string, std::string> app_of_client_id;
  for (const JournalEntry* e : sorted)
    if (is_token(*e) && !e->client_id.empty() && !e->application.empty())
      app_of_client_id.emplace(e->client_id, e->application);

  std::map<std::string, std::string> owner_of_token;
  std::vector<Item> items;
  for (const JournalEntry* e : sorted) {
    std::string client;
    if (!e->application.empty()) {
      client = e->application;
    } else if (is_token(*e) && !e->client_id.empty()) {
      auto it = app_of_client_id.find(e->client_id);
      client = it != app_of_client_id.end() ? it->second : "client_id " + e->client_id;
    } else if (is_api(*e) && !e->token_id.empty()) {
      auto it = owner_of_token.find(e->token_id);
      if (it != owner_of_token.end()) client = it->second;
    }
    if (is_token(*e) && answered(*e, 200) && !e->token_id.empty())
      owner_of_token[e->token_id] = client;
    items.push_back({e, std::move(client)});
  }
  return items;
}

std::string seq_list(const std::vector<uint64_t>& seqs) {
  std::string out = seqs.size() == 1 ? "seq " : "seqs ";
  for (size_t i = 0; i < seqs.size() && i < kMaxListed; ++i)
    out += (i ? ", " : "") + std::to_string(seqs[i]);
  if (seqs.size() > kMaxListed) out += " and " + std::to_string(seqs.size() - kMaxListed) + " more";
  return out;
}

// Offence descriptions, each naming its seqs, joined; the first few only.
std::string join_offences(const std::vector<std::string>& offences) {
  std::string out;
  for (size_t i = 0; i < offences.size() && i < kMaxListed; ++i)
    out += (i ? "; " : "") + offences[i];
  if (offences.size() > kMaxListed)
    out += "; and " + std::to_string(offences.size() - kMaxListed) + " more";
  return out;
}

std::string seconds(int64_t ms) {
  return std::to_string(ms / 1000) + (ms % 1000 ? "." + std::to_string(ms % 1000 / 100) : "") +
         " s";
}

AssertionResult verdict(const std::string& check, std::string expectation, bool expect_clean,
                        const std::vector<std::string>& offences, std::string clean_actual,
                        const SourceLocation& where) {
  AssertionResult r;
  r.subject = "journal " + check;
  r.expectation = expect_clean ? std::move(expectation) : "not: " + expectation;
  r.actual = offences.empty() ? std::move(clean_actual) : join_offences(offences);
  r.passed = offences.empty() == expect_clean;
  r.where = where;
  return r;
}

AssertionResult count_check(const std::string& check, const Matcher& m,
                            const std::vector<Item>& items, JournalKind kind, const char* noun) {
  std::vector<uint64_t> seqs;
  for (const auto& it : items)
    if (it.e->kind == kind) seqs.push_back(it.e->seq);
  AssertionResult r = check_matcher(m, "journal " + check, Value(seqs.size()), false, Variables{});
  r.actual = std::to_string(seqs.size()) + " " + noun + (seqs.size() == 1 ? "" : "s");
  if (!seqs.empty()) r.actual += " (" + seq_list(seqs) + ")";
  return r;
}

// Token requests made while the client's latest token (from a request answered 200) was still
// valid for more than `window_ms` and not rejected. `successful_only` limits the judged requests
// to those answered 200 (renewals).
std::vector<std::string> early_fetches(const std::vector<Item>& items, int64_t window_ms,
                                       bool successful_only) {
  struct Held {
    uint64_t seq;
    Millis fetched_at;
    std::string token_id;
    bool rejected = false;
  };
  std::map<std::string, Held> held;
  std::vector<std::string> offences;
  for (const auto& it : items) {
    const JournalEntry& e = *it.e;
    if (is_api(e)) {
      if (answered(e, 401) && !e.token_id.empty())
        for (auto& [client, h] : held)
          if (h.token_id == e.token_id) h.rejected = true;
      continue;
    }
    auto h = held.find(it.client);
    if (h != held.end() && !h->second.rejected && (!successful_only || answered(e, 200))) {
      int64_t left = h->second.fetched_at + kDefaultTokenLifetimeMs - e.at_ms;
      if (left > window_ms)
        offences.push_back(
            "seq " + std::to_string(e.seq) + " fetched a token while the one from seq " +
            std::to_string(h->second.seq) + " had " + seconds(left) + " left and was not rejected");
    }
    if (answered(e, 200)) held[it.client] = Held{e.seq, e.at_ms, e.token_id};
  }
  return offences;
}

std::vector<std::string> reauthentication_faults(const std::vector<Item>& items, size_t* seen) {
  std::vector<std::string> offences;
  *seen = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const JournalEntry& a = *items[i].e;
    if (!is_api(a) || !answered(a, 401) || a.error != "invalid_token") continue;
    ++*seen;
    const std::string& client = items[i].client;
    std::string at = " after the 401 invalid_token at seq " + std::to_string(a.seq);

    // The client's requests sent once it had read that 401.
    std::vector<const JournalEntry*> after;
    for (size_t j = i + 1; j < items.size(); ++j)
      if (items[j].client == client && reacts_to(*items[j].e, a)) after.push_back(items[j].e);

    if (after.empty()) {
      offences.push_back("seq " + std::to_string(a.seq) +
                         ": the 401 invalid_token was the client's last request; it never fetched "
                         "a new token");
      continue;
    }
    if (is_api(*after.front())) {
      offences.push_back("seq " + std::to_string(after.front()->seq) + ": an API call right" + at +
                         ", without fetching a new token");
    } else {
      // The token requests before the next API call: one success, possibly after failures the
      // server caused (5xx, 429, cut connection); never a second success, never a retry of a
      // request the server refused (4xx: a loop).
      std::vector<uint64_t> successes;
      const JournalEntry* refused = nullptr;
      for (const JournalEntry* t : after) {
        if (is_api(*t)) break;
        if (refused) {
          offences.push_back("seq " + std::to_string(t->seq) + ": token request again after seq " +
                             std::to_string(refused->seq) + " was refused with " +
                             std::to_string(refused->status) + at);
          break;
        }
        if (answered(*t, 200))
          successes.push_back(t->seq);
        else if (!t->dropped && t->status >= 400 && t->status < 500 && t->status != 429)
          refused = t;
      }
      if (successes.size() > 1)
        offences.push_back(seq_list(successes) + ": " + std::to_string(successes.size()) +
                           " new tokens" + at + " (one is enough)");
    }
    if (!a.token_id.empty()) {
      for (const JournalEntry* later : after) {
        if (is_api(*later) && later->token_id == a.token_id) {
          offences.push_back("seq " + std::to_string(later->seq) +
                             ": presented the token already rejected at seq " +
                             std::to_string(a.seq));
          break;
        }
      }
    }
  }
  return offences;
}

// Retry-After as delta-seconds (RFC 9110 §10.2.3); an HTTP date is not used (it is on the
// simulator's clock, not the client's).
std::optional<int64_t> retry_after_ms(const std::string& v) {
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoll(v) * 1000;
}

AssertionResult backoff_check(const std::vector<Item>& items, int64_t threshold_ms,
                              const SourceLocation& where) {
  std::vector<std::string> offences;
  int64_t shortest_us = std::numeric_limits<int64_t>::max();
  size_t answers = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const JournalEntry& a = *items[i].e;
    if (!is_api(a) || !answered(a, 429)) continue;
    ++answers;
    int64_t needed_ms = std::max(threshold_ms, retry_after_ms(a.retry_after).value_or(0));
    for (size_t j = i + 1; j < items.size(); ++j) {
      const JournalEntry& b = *items[j].e;
      if (items[j].client != items[i].client || !is_api(b) || !reacts_to(b, a)) continue;
      int64_t gap_us = b.elapsed_us - answer_left_us(a);
      shortest_us = std::min(shortest_us, gap_us);
      if (gap_us < needed_ms * 1000)
        offences.push_back("seq " + std::to_string(b.seq) + " came " +
                           std::to_string(gap_us / 1000) + " ms after the 429 at seq " +
                           std::to_string(a.seq) + " (needed " + std::to_string(needed_ms) + " ms" +
                           (a.retry_after.empty() ? "" : ", Retry-After " + a.retry_after) + ")");
      break;
    }
  }
  std::string shortest =
      shortest_us == std::numeric_limits<int64_t>::max()
          ? "no call followed a 429"
          : "shortest gap after a 429: " + std::to_string(shortest_us / 1000) + " ms";
  AssertionResult r;
  r.subject = "journal backoff_after_429";
  r.expectation = "at least " + std::to_string(threshold_ms) +
                  " ms (or the Retry-After, if longer) between a 429 and the next call";
  r.passed = offences.empty();
  r.actual = offences.empty()
                 ? (answers == 0 ? "no API call was answered 429"
                                 : shortest + " (" + std::to_string(answers) + " answers 429)")
                 : join_offences(offences) + "; " + shortest;
  r.where = where;
  return r;
}

bool same_request(const JournalEntry& a, const JournalEntry& b) {
  return a.kind == b.kind && a.method == b.method && a.path == b.path &&
         a.query_names == b.query_names && a.auth == b.auth && a.client_id == b.client_id &&
         a.grant_type == b.grant_type && (!is_token(a) || a.scope == b.scope);
}

std::vector<std::string> resent_400s(const std::vector<Item>& items) {
  std::vector<std::string> offences;
  for (size_t i = 0; i < items.size(); ++i) {
    const JournalEntry& a = *items[i].e;
    if (!answered(a, 400)) continue;
    std::vector<uint64_t> repeats;
    for (size_t j = i + 1; j < items.size(); ++j) {
      const JournalEntry& b = *items[j].e;
      if (items[j].client == items[i].client && reacts_to(b, a) && same_request(a, b))
        repeats.push_back(b.seq);
    }
    if (!repeats.empty())
      offences.push_back(seq_list(repeats) + " resent the " + std::string(to_string(a.kind)) +
                         " request " + a.method + " " + a.path + " answered 400 at seq " +
                         std::to_string(a.seq));
  }
  return offences;
}

}  // namespace

std::vector<AssertionResult> check_client(const ClientExpectations& expect,
                                          const std::vector<JournalEntry>& entries) {
  std::vector<AssertionResult> out;
  std::vector<Item> items = attribute(entries);
  const SourceLocation& where = expect.where;
  size_t tokens = 0;
  for (const auto& it : items) tokens += is_token(*it.e) ? 1 : 0;

  if (expect.token_requests)
    out.push_back(count_check("token_requests", *expect.token_requests, items, JournalKind::Token,
                              "token request"));
  if (expect.api_calls)
    out.push_back(count_check("api_calls", *expect.api_calls, items, JournalKind::Api, "API call"));

  if (expect.reuses_tokens) {
    int64_t window = expect.refresh_window_ms.value_or(kWildRefreshWindowMs);
    out.push_back(verdict("reuses_tokens",
                          "no token request while the last token is valid for more than " +
                              seconds(window) + " and not rejected by a 401",
                          *expect.reuses_tokens, early_fetches(items, window, false),
                          std::to_string(tokens) + " token requests, none wasted", where));
  }

  if (expect.reauthenticates_once) {
    size_t seen = 0;
    auto offences = reauthentication_faults(items, &seen);
    out.push_back(verdict(
        "reauthenticates_once",
        "after a 401 invalid_token: one new token before the next call, and the rejected token "
        "never again",
        *expect.reauthenticates_once, offences,
        seen == 0 ? "no API call was answered 401 invalid_token"
                  : "401 invalid_token answers: " + std::to_string(seen) +
                        ", each followed by one new token",
        where));
  }

  if (expect.backoff_after_429_ms)
    out.push_back(backoff_check(items, *expect.backoff_after_429_ms, where));

  if (expect.no_credentials_in_query) {
    std::vector<std::string> offences;
    for (const auto& it : items) {
      const JournalEntry& e = *it.e;
      if (e.credentials_in_query.empty() && e.auth != "query") continue;
      std::string names;
      for (const auto& n : e.credentials_in_query) names += (names.empty() ? "" : ", ") + n;
      if (names.empty()) names = "access_token";
      offences.push_back("seq " + std::to_string(e.seq) + " sent " + names +
                         " in the query string");
    }
    out.push_back(verdict(
        "no_credentials_in_query", "no credentials in a query string",
        *expect.no_credentials_in_query, offences,
        std::to_string(items.size()) + " requests, none with credentials in the query", where));
  }

  if (expect.single_auth_method) {
    std::vector<uint64_t> seqs;
    for (const auto& it : items)
      if (is_token(*it.e) && it.e->auth == "basic+body") seqs.push_back(it.e->seq);
    std::vector<std::string> offences;
    if (!seqs.empty())
      offences.push_back(seq_list(seqs) +
                         ": client authenticated with both HTTP Basic and client_secret in the "
                         "body");
    out.push_back(verdict("single_auth_method",
                          "one client authentication method per token request (RFC 6749 §2.3)",
                          *expect.single_auth_method, offences,
                          std::to_string(tokens) + " token requests, each with one method", where));
  }

  if (expect.no_retry_after_400)
    out.push_back(verdict("no_retry_after_400", "a request answered 400 is not sent again",
                          *expect.no_retry_after_400, resent_400s(items),
                          "no request answered 400 was resent", where));

  if (expect.refresh_window_ms)
    out.push_back(verdict(
        "refresh_window",
        "tokens renewed at most " + seconds(*expect.refresh_window_ms) + " before expiry", true,
        early_fetches(items, *expect.refresh_window_ms, true), "no token renewed early", where));
  return out;
}

}  // namespace pistesim::scenario
