#include "journal/journal.h"

#include "wire/json_text.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "wire/encoding.h"

namespace pistesim {

namespace {

// Parameter names that carry credentials and have no business in a URI (RFC 6749 §2.3.1,
// §3.2; RFC 6750 §2.3).
bool is_credential_name(std::string_view name) {
  static constexpr std::string_view kNames[] = {"client_id",    "client_secret",
                                                "access_token", "refresh_token",
                                                "password",     "client_assertion",
                                                "keyid",        "api_key",
                                                "apikey"};  // the last three: API keys (WIRE-9)
  return std::any_of(std::begin(kNames), std::end(kNames),
                     [&](std::string_view known) { return iequals(known, name); });
}

std::vector<FormParam> form_of(std::string_view text) {
  auto params = parse_form(text);
  return params ? std::move(*params) : std::vector<FormParam>{};
}

}  // namespace

std::string_view to_string(JournalKind k) {
  return k == JournalKind::Token ? "token" : "api";
}

Journal::Journal(size_t capacity)
    : capacity_(capacity),
      start_(std::chrono::steady_clock::now()),
      wall_start_(std::chrono::system_clock::now()) {}

int64_t Journal::elapsed_us() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start_)
      .count();
}

void Journal::record(JournalEntry entry) {
  if (!enabled()) return;
  if (entry.elapsed_us == 0) entry.elapsed_us = elapsed_us();
  if (shared_) return record_shared(entry);
  // The oldest entry leaves into `evicted`, freed after the lock is released: every worker's
  // wait stays short. Two moves, where a swap made three.
  JournalEntry evicted;
  std::lock_guard lock(mutex_);
  entry.seq = next_seq_++;
  if (ring_.size() < capacity_) {
    ring_.push_back(std::move(entry));
    return;
  }
  evicted = std::move(ring_[head_]);
  ring_[head_] = std::move(entry);
  head_ = (head_ + 1) % ring_.size();
  ++dropped_;
}

void Journal::record_shared(const JournalEntry& entry) {
  // Arrival on the wall clock: the one clock nodes share (their steady clocks start apart).
  const int64_t arrived =
      std::chrono::duration_cast<std::chrono::microseconds>(wall_start_.time_since_epoch())
          .count() +
      entry.elapsed_us;
  shared_->record(entry, arrived);
}

void Journal::record(const JournalExchange& exchange) {
  if (!enabled()) return;
  if (shared_) {
    // Filled into this thread's entry, whose strings keep their storage from call to call.
    thread_local JournalEntry scratch;
    fill_journal_entry(scratch, exchange);
    if (scratch.elapsed_us == 0) scratch.elapsed_us = elapsed_us();
    return record_shared(scratch);
  }
  std::lock_guard lock(mutex_);
  JournalEntry* slot;
  if (ring_.size() < capacity_) {
    slot = &ring_.emplace_back();
  } else {
    slot = &ring_[head_];
    head_ = (head_ + 1) % ring_.size();
    ++dropped_;
  }
  fill_journal_entry(*slot, exchange);
  slot->seq = next_seq_++;
}

std::vector<JournalEntry> Journal::since(uint64_t after, size_t limit) const {
  if (shared_) return shared_->since(after, limit);
  std::lock_guard lock(mutex_);
  std::vector<JournalEntry> out;
  if (ring_.empty()) return out;
  const uint64_t oldest = at(0).seq;
  size_t i = after < oldest ? 0 : std::min<uint64_t>(after - oldest + 1, ring_.size());
  for (; i < ring_.size() && out.size() < limit; ++i) out.push_back(at(i));
  return out;
}

uint64_t Journal::last_seq() const {
  if (shared_) return shared_->last_seq();
  std::lock_guard lock(mutex_);
  return next_seq_ - 1;
}

uint64_t Journal::dropped() const {
  if (shared_) return shared_->dropped();
  std::lock_guard lock(mutex_);
  return dropped_;
}

void Journal::clear() {
  if (shared_) return shared_->clear();
  std::lock_guard lock(mutex_);
  ring_.clear();
  head_ = 0;
}

JournalExchange journal_exchange(JournalKind kind, Channel channel, const Request& request,
                                 const Response& response, const ExchangeFacts& facts) {
  JournalExchange x;
  x.kind = kind;
  x.channel = channel;
  x.request = &request;
  x.facts = &facts;
  x.status = response.status;
  x.dropped = response.drop_connection;
  if (const std::string* retry_after = response.headers.find("Retry-After"))
    x.retry_after = *retry_after;
  return x;
}

void fill_journal_entry(JournalEntry& e, const JournalExchange& x) {
  const Request& request = *x.request;
  const ExchangeFacts& facts = *x.facts;
  e.seq = 0;
  e.at_ms = x.at_ms;
  e.elapsed_us = x.elapsed_us;
  e.duration_us = x.duration_us;
  e.kind = x.kind;
  e.channel = x.channel;
  e.method = request.method;
  e.path = request.path;
  e.query_names.clear();
  e.credentials_in_query.clear();
  if (!request.query.empty())
    for (const auto& p : form_of(request.query)) {
      e.query_names.push_back(p.name);
      if (is_credential_name(p.name)) e.credentials_in_query.push_back(p.name);
    }
  e.remote_addr = request.remote_addr;
  e.auth = facts.auth;
  e.client_id = facts.client_id;
  e.grant_type = facts.grant_type;
  e.scope = facts.scope;
  e.token_id = facts.token_id;
  e.application = facts.application;
  e.status = x.status;
  e.error = facts.error;
  e.retry_after = x.retry_after;
  e.dropped = x.dropped;
}

std::string journal_entry_text(const JournalEntry& e, std::optional<int64_t> arrived_us) {
  std::string out;
  out.reserve(512);
  JsonObjectWriter w(out);
  w.field("seq", e.seq);
  w.field("at", format_iso8601(e.at_ms));
  w.field("at_ms", int64_t{e.at_ms});
  w.field("elapsed_us", e.elapsed_us);
  w.field("duration_us", e.duration_us);
  w.field("kind", to_string(e.kind));
  w.field("channel", to_string(e.channel));
  w.field("method", e.method);
  w.field("path", e.path);
  w.strings("query_names", e.query_names);
  w.field("remote_addr", e.remote_addr);
  w.field("auth", e.auth);
  w.strings("credentials_in_query", e.credentials_in_query);
  w.field("client_id", e.client_id);
  w.field("grant_type", e.grant_type);
  w.field("scope", e.scope);
  w.field("token_id", e.token_id);
  w.field("application", e.application);
  w.field("status", e.status);
  w.field("error", e.error);
  w.field("retry_after", e.retry_after);
  w.field("dropped", e.dropped);
  if (arrived_us) w.field("arrived_us", *arrived_us);
  w.close();
  return out;
}

nlohmann::json journal_entry_json(const JournalEntry& e) {
  return nlohmann::json::parse(journal_entry_text(e));
}

std::optional<JournalEntry> journal_entry_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  try {
    JournalEntry e;
    e.seq = j.at("seq").get<uint64_t>();
    e.at_ms = j.at("at_ms").get<Millis>();
    e.elapsed_us = j.at("elapsed_us").get<int64_t>();
    e.duration_us = j.value("duration_us", int64_t{0});
    e.kind = j.at("kind").get<std::string>() == "token" ? JournalKind::Token : JournalKind::Api;
    auto channel = parse_channel(j.at("channel").get<std::string>());
    if (!channel) return std::nullopt;
    e.channel = *channel;
    e.method = j.at("method").get<std::string>();
    e.path = j.at("path").get<std::string>();
    e.query_names = j.value("query_names", std::vector<std::string>{});
    e.remote_addr = j.value("remote_addr", std::string{});
    e.auth = j.value("auth", std::string{});
    e.credentials_in_query = j.value("credentials_in_query", std::vector<std::string>{});
    e.client_id = j.value("client_id", std::string{});
    e.grant_type = j.value("grant_type", std::string{});
    e.scope = j.value("scope", std::string{});
    e.token_id = j.value("token_id", std::string{});
    e.application = j.value("application", std::string{});
    e.status = j.at("status").get<int>();
    e.error = j.value("error", std::string{});
    e.retry_after = j.value("retry_after", std::string{});
    e.dropped = j.value("dropped", false);
    return e;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace pistesim
