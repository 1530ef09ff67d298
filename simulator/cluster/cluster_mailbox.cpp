#include "cluster/cluster_mailbox.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace pistesim {

namespace {

using nlohmann::json;

// KEYS: the list, the dropped count. ARGV: the message, capacity. Appends; past the capacity
// the oldest leave and are counted.
const RedisScript& deliver_script() {
  static const RedisScript s(R"(
local n = redis.call('RPUSH', KEYS[1], ARGV[1])
local over = n - tonumber(ARGV[2])
if over > 0 then
  redis.call('LTRIM', KEYS[1], over, -1)
  redis.call('INCRBY', KEYS[2], over)
end
return n
)");
  return s;
}

// KEYS: the list, the notices' epoch. How many messages it held, then empty; the notices sent
// so far no longer count (a new epoch).
const RedisScript& clear_script() {
  static const RedisScript s(R"(
local n = redis.call('LLEN', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('INCR', KEYS[2])
return n
)");
  return s;
}

// KEYS: the notices' epoch. ARGV: the key prefix, the notice, its lifetime (ms). 1 for the first
// claim of the notice in this epoch, else 0.
const RedisScript& notice_script() {
  static const RedisScript s(R"(
local epoch = redis.call('GET', KEYS[1]) or '0'
local claimed = redis.call('SET', ARGV[1] .. epoch .. ':' .. ARGV[2], '1', 'NX', 'PX', ARGV[3])
if claimed then return 1 end
return 0
)");
  return s;
}

}  // namespace

std::string email_to_json(const Email& e) {
  json links = json::array();
  for (const auto& l : e.links) links.push_back({{"label", l.label}, {"url", l.url}});
  return json{{"id", e.id},           {"sent_at", e.sent_at}, {"kind", e.kind}, {"to", e.to},
              {"subject", e.subject}, {"body", e.body},       {"links", links}}
      .dump();
}

std::optional<Email> email_from_json(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  try {
    Email e;
    e.id = j.at("id").get<uint64_t>();
    e.sent_at = j.at("sent_at").get<Millis>();
    e.kind = j.at("kind").get<std::string>();
    e.to = j.at("to").get<std::string>();
    e.subject = j.at("subject").get<std::string>();
    e.body = j.at("body").get<std::string>();
    for (const auto& l : j.at("links"))
      e.links.push_back({l.at("label").get<std::string>(), l.at("url").get<std::string>()});
    return e;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

ClusterMailbox::ClusterMailbox(RedisClient& redis, std::string prefix, size_t capacity)
    : redis_(redis), prefix_(std::move(prefix)), capacity_(capacity) {}

// Round trips that suspend a gateway call's fiber rather than block its loop: a quota-exceeded
// notice is claimed and its e-mail delivered inside the call (once per window and application,
// a thousand a second in the issue's workload). Their callers hold no lock; elsewhere (portal
// changes) they block as before (RedisClient::round_trip).
uint64_t ClusterMailbox::reserve_ids(size_t n) {
  const auto last = static_cast<uint64_t>(
      redis_.round_trip({{"INCRBY", key("mail:next"), std::to_string(n)}}).front().as_integer());
  return last - n + 1;
}

uint64_t ClusterMailbox::deliver(Email email) {
  if (email.id == 0) email.id = reserve_ids(1);
  redis_.eval_round_trip(deliver_script(), {key("mail"), key("mail:dropped")},
                         {email_to_json(email), std::to_string(capacity_)});
  return email.id;
}

std::vector<Email> ClusterMailbox::list() const {
  RedisReply r = redis_.command({"LRANGE", key("mail"), "0", "-1"});
  std::vector<Email> out;
  for (const auto& item : r.elements)
    if (auto e = email_from_json(item.text)) out.push_back(std::move(*e));
  // Oldest first, by id: ids reserved by one node may be delivered after another node's.
  std::stable_sort(out.begin(), out.end(),
                   [](const Email& a, const Email& b) { return a.id < b.id; });
  return out;
}

size_t ClusterMailbox::clear() {
  return static_cast<size_t>(
      redis_.eval(clear_script(), {key("mail"), key("mail:notices:epoch")}, {}).as_integer());
}

bool ClusterMailbox::first_notice(const std::string& notice, Millis valid_for_ms) {
  return redis_
             .eval_round_trip(
                 notice_script(), {key("mail:notices:epoch")},
                 {key("mail:notice:"), notice, std::to_string(std::max<Millis>(valid_for_ms, 1))})
             .as_integer() == 1;
}

uint64_t ClusterMailbox::dropped() const {
  return static_cast<uint64_t>(redis_.command({"GET", key("mail:dropped")}).as_integer(0));
}

}  // namespace pistesim
