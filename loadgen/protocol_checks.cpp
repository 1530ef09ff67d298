#include "loadgen/protocol_checks.h"

#include <charconv>

#include <nlohmann/json.hpp>

namespace pistesim::loadgen {

namespace {

bool icontains(std::string_view hay, std::string_view needle) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && lower(hay[i + k]) == lower(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

}  // namespace

TokenCheck check_token_response(const ResponseHead& head, std::string_view body) {
  TokenCheck out;
  if (head.status != 200) {
    out.problem = "status " + std::to_string(head.status);
    return out;
  }
  if (!icontains(head.content_type, "application/json")) {
    out.problem = "Content-Type is not application/json";
    return out;
  }
  if (!icontains(head.cache_control, "no-store")) {
    out.problem = "no Cache-Control: no-store";
    return out;
  }
  if (!icontains(head.pragma, "no-cache")) {
    out.problem = "no Pragma: no-cache";
    return out;
  }
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) {
    out.problem = "body is not a JSON object";
    return out;
  }
  auto at = j.find("access_token");
  if (at == j.end() || !at->is_string() || at->get_ref<const std::string&>().empty()) {
    out.problem = "no access_token string";
    return out;
  }
  const std::string& token = at->get_ref<const std::string&>();
  for (char c : token)
    if (c < 0x20 || c > 0x7e) {
      out.problem = "access_token has characters outside VSCHAR";
      return out;
    }
  auto tt = j.find("token_type");
  if (tt == j.end() || !tt->is_string()) {
    out.problem = "no token_type string";
    return out;
  }
  const std::string& type = tt->get_ref<const std::string&>();
  if (type.size() != 6 || !icontains(type, "bearer")) {
    out.problem = "token_type is not Bearer";
    return out;
  }
  auto ei = j.find("expires_in");
  if (ei == j.end() || !ei->is_number_integer() || ei->get<int64_t>() <= 0) {
    out.problem = "expires_in is not a positive integer";
    return out;
  }
  out.access_token = token;
  out.expires_in = ei->get<int64_t>();
  return out;
}

std::string check_refusal(const ResponseHead& head, const RefusalRules& rules) {
  if (head.status != 429) return "status " + std::to_string(head.status);
  if (rules.pistesim_headers) {
    if (!head.has_rate_limit) return "no x-rate-limit";
    // [{"window": 1, "type": "throttle", "remaining": 0}]
    std::string_view v = head.rate_limit;
    size_t at = v.find("\"remaining\"");
    if (at == std::string_view::npos) return "x-rate-limit without remaining";
    size_t colon = v.find(':', at);
    size_t digit = colon == std::string_view::npos ? colon : v.find_first_not_of(' ', colon + 1);
    if (digit == std::string_view::npos || v[digit] != '0' ||
        (digit + 1 < v.size() && v[digit + 1] >= '0' && v[digit + 1] <= '9'))
      return "x-rate-limit remaining is not 0";
    if (!head.has_correlation_id) return "no x-correlation-id";
  }
  if (head.has_retry_after) {
    int64_t seconds = -1;
    std::string_view s = head.retry_after;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), seconds);
    if (ec != std::errc() || p != s.data() + s.size() || seconds < 0)
      return "Retry-After is not delta-seconds";
  } else if (rules.require_retry_after) {
    return "no Retry-After";
  }
  return {};
}

uint64_t token_fingerprint(std::string_view token) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : token) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

RecentTokens::RecentTokens(size_t capacity) : capacity_(capacity > 0 ? capacity : 1) {}

bool RecentTokens::insert(uint64_t fingerprint) {
  if (!seen_.insert(fingerprint).second) return false;
  if (order_.size() < capacity_) {
    order_.push_back(fingerprint);
    return true;
  }
  seen_.erase(order_[next_]);
  order_[next_] = fingerprint;
  next_ = (next_ + 1) % capacity_;
  forgot_some_ = true;
  return true;
}

}  // namespace pistesim::loadgen
