#include "journal/journal.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "wire/authorization.h"
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

const FormParam* find_param(const std::vector<FormParam>& params, std::string_view name) {
  for (const auto& p : params)
    if (p.name == name) return &p;
  return nullptr;
}

bool is_form(const Request& r) {
  std::string type = r.headers.get("Content-Type");
  return type.find("application/x-www-form-urlencoded") != std::string::npos;
}

// The error="…" parameter of a Bearer challenge.
std::string challenge_error(const std::string& www_authenticate) {
  auto at = www_authenticate.find("error=\"");
  if (at == std::string::npos) return {};
  at += 7;
  auto end = www_authenticate.find('"', at);
  return end == std::string::npos ? std::string{} : www_authenticate.substr(at, end - at);
}

// The simulator's own token-endpoint bodies are flat objects whose string values hold no quote
// or backslash (tokens are alphanumeric, scopes and error codes exclude both: RFC 6749 App. A):
// the value of "key" is read without a full JSON parse, which cost more than issuing the token.
// nullopt when the body is not of that shape (an injected fault's body): parse it properly.
std::optional<std::string> flat_string_value(std::string_view body, std::string_view key) {
  std::string pattern = "\"" + std::string(key) + "\":\"";
  size_t at = body.find(pattern);
  if (at == std::string_view::npos) return std::nullopt;
  size_t begin = at + pattern.size(), end = body.find('"', begin);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view value = body.substr(begin, end - begin);
  if (value.find('\\') != std::string_view::npos) return std::nullopt;
  return std::string(value);
}

struct TokenAnswer {
  std::string access_token, scope, error;
};

TokenAnswer read_token_answer(const std::string& body) {
  TokenAnswer a;
  const bool own_shape =
      (body.starts_with("{\"access_token\":\"") || body.starts_with("{\"error\":\"")) &&
      body.ends_with("}");
  if (own_shape) {
    auto token = flat_string_value(body, "access_token");
    auto scope = flat_string_value(body, "scope");
    auto error = flat_string_value(body, "error");
    const bool complete = body[2] == 'a' ? token && scope : error.has_value();
    if (complete) {
      a.access_token = token.value_or("");
      a.scope = scope.value_or("");
      a.error = error.value_or("");
      return a;
    }
  }
  auto answer = nlohmann::json::parse(body, nullptr, false);
  if (!answer.is_object()) return a;
  auto text = [&](const char* key) {
    auto it = answer.find(key);
    return it != answer.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  a.access_token = text("access_token");
  a.scope = text("scope");
  a.error = text("error");
  return a;
}

}  // namespace

std::string_view to_string(JournalKind k) {
  return k == JournalKind::Token ? "token" : "api";
}

std::string token_fingerprint(std::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  // Fetched once: OpenSSL 3's SHA256() looks the algorithm up on every call.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (!sha256 || EVP_Digest(token.data(), token.size(), digest, nullptr, sha256, nullptr) != 1)
    SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 6; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

Journal::Journal(size_t capacity) : capacity_(capacity), start_(std::chrono::steady_clock::now()) {}

int64_t Journal::elapsed_us() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start_)
      .count();
}

void Journal::record(JournalEntry entry) {
  if (!enabled()) return;
  if (entry.elapsed_us == 0) entry.elapsed_us = elapsed_us();
  JournalEntry evicted;  // freed after the lock is released: keep every worker's wait short
  std::lock_guard lock(mutex_);
  entry.seq = next_seq_++;
  if (entries_.size() == capacity_) {
    evicted = std::move(entries_.front());
    entries_.pop_front();
    ++dropped_;
  }
  entries_.push_back(std::move(entry));
}

std::vector<JournalEntry> Journal::since(uint64_t after, size_t limit) const {
  std::lock_guard lock(mutex_);
  std::vector<JournalEntry> out;
  auto first = std::partition_point(entries_.begin(), entries_.end(),
                                    [&](const JournalEntry& e) { return e.seq <= after; });
  for (auto it = first; it != entries_.end() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

uint64_t Journal::last_seq() const {
  std::lock_guard lock(mutex_);
  return next_seq_ - 1;
}

uint64_t Journal::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void Journal::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

JournalEntry describe_exchange(JournalKind kind, Channel channel, const Request& request,
                               const Response& response, std::string application) {
  JournalEntry e;
  e.kind = kind;
  e.channel = channel;
  e.method = request.method;
  e.path = request.path;
  e.remote_addr = request.remote_addr;
  e.application = std::move(application);
  e.status = response.status;
  e.dropped = response.drop_connection;
  e.retry_after = response.headers.get("Retry-After");

  auto query = form_of(request.query);
  for (const auto& p : query) {
    e.query_names.push_back(p.name);
    if (is_credential_name(p.name)) e.credentials_in_query.push_back(p.name);
  }
  const std::string* authorization = request.headers.find("Authorization");
  std::string_view scheme = authorization ? auth_scheme(*authorization) : std::string_view{};

  if (kind == JournalKind::Token) {
    auto form = is_form(request) ? form_of(request.body) : std::vector<FormParam>{};
    bool basic = iequals(scheme, "Basic");
    bool body = find_param(form, "client_secret") != nullptr;
    e.auth = basic && body ? "basic+body" : basic ? "basic" : body ? "body" : "none";
    if (basic)
      if (auto creds = parse_basic(*authorization)) e.client_id = creds->client_id;
    if (e.client_id.empty())
      if (const FormParam* id = find_param(form, "client_id")) e.client_id = id->value;
    if (const FormParam* g = find_param(form, "grant_type")) e.grant_type = g->value;
    if (const FormParam* s = find_param(form, "scope")) e.scope = s->value;
    TokenAnswer answer = read_token_answer(response.body);
    if (!answer.access_token.empty()) e.token_id = token_fingerprint(answer.access_token);
    if (response.status == 200 && !answer.scope.empty()) e.scope = answer.scope;
    if (!answer.error.empty()) e.error = answer.error;
    return e;
  }

  if (iequals(scheme, "Bearer")) {
    e.auth = "bearer";
    if (auto token = parse_bearer(*authorization)) e.token_id = token_fingerprint(*token);
  } else if (request.headers.find("KeyId")) {
    e.auth = "api_key";
  } else if (find_param(query, "access_token")) {
    e.auth = "query";
  } else if (is_form(request) && find_param(form_of(request.body), "access_token")) {
    e.auth = "body";
  } else {
    e.auth = authorization ? "other" : "none";
  }
  e.error = challenge_error(response.headers.get("WWW-Authenticate"));
  return e;
}

nlohmann::json journal_entry_json(const JournalEntry& e) {
  return {{"seq", e.seq},
          {"at", format_iso8601(e.at_ms)},
          {"at_ms", e.at_ms},
          {"elapsed_us", e.elapsed_us},
          {"duration_us", e.duration_us},
          {"kind", to_string(e.kind)},
          {"channel", to_string(e.channel)},
          {"method", e.method},
          {"path", e.path},
          {"query_names", e.query_names},
          {"remote_addr", e.remote_addr},
          {"auth", e.auth},
          {"credentials_in_query", e.credentials_in_query},
          {"client_id", e.client_id},
          {"grant_type", e.grant_type},
          {"scope", e.scope},
          {"token_id", e.token_id},
          {"application", e.application},
          {"status", e.status},
          {"error", e.error},
          {"retry_after", e.retry_after},
          {"dropped", e.dropped}};
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
