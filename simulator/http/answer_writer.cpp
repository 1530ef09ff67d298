#include "http/answer_writer.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "clock/clock.h"

namespace pistesim::http {

namespace {

void append_number(std::string* out, uint64_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), n);
  out->append(digits, end);
}

void append_status_line(int status, std::string* out) {
  out->append("HTTP/1.1 ");
  append_number(out, static_cast<uint64_t>(status));
  out->push_back(' ');
  out->append(reason_phrase(status));
  out->append("\r\n");
}

// The core's fields, minus those the server alone decides (framing and connection).
void append_core_fields(const Response& response, std::string* out) {
  for (const auto& h : response.headers) {
    if (iequals(h.name, "Content-Length") || iequals(h.name, "Transfer-Encoding") ||
        iequals(h.name, "Connection") || iequals(h.name, "Date"))
      continue;
    out->append(h.name);
    out->append(": ");
    size_t at = out->size();
    out->append(h.value);
    if (std::any_of(h.value.begin(), h.value.end(), is_field_control))
      std::replace_if(out->begin() + static_cast<long>(at), out->end(), is_field_control, ' ');
    out->append("\r\n");
  }
}

// RFC 9110 §6.4.1: 1xx, 204 and 304 answers have no content, and no Content-Length of one.
bool has_no_content(int status) {
  return status < 200 || status == 204 || status == 304;
}

}  // namespace

std::string_view http_date_now() {
  thread_local std::time_t cached_second = 0;
  thread_local char text[32] = {};
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return text;
}

void serialize_answer(const Response& response, const AnswerShape& shape, std::string* out) {
  append_status_line(response.status, out);
  append_core_fields(response, out);
  out->append("Date: ");
  out->append(http_date_now());
  out->append("\r\n");
  if (!has_no_content(response.status)) {
    out->append("Content-Length: ");
    append_number(out, response.body.size());
    out->append("\r\n");
  }
  if (shape.closes)
    out->append("Connection: close\r\n");
  else if (shape.http10)
    out->append("Connection: keep-alive\r\n");
  out->append("\r\n");
  if (!shape.head_only && !has_no_content(response.status)) out->append(response.body);
}

void serialize_truncated_head(const Response& response, std::string* out) {
  append_status_line(response.status, out);
  out->append("Content-Type: application/json\r\nDate: ");
  out->append(http_date_now());
  // A body is announced; the connection is cut before any of it.
  out->append("\r\nContent-Length: 64\r\nConnection: close\r\n\r\n");
}

std::string transport_error_body(int status, std::string_view detail) {
  std::string_view error = status == 503 ? "temporarily_unavailable" : "invalid_request";
  std::string description;
  switch (status) {
    case 408:
      description = "Request not received in time";
      break;
    case 413:
      description = "Request body too large";
      break;
    case 414:
      description = "Request URI too long";
      break;
    case 417:
      description = "Expectation not supported: only 100-continue is";
      break;
    case 431:
      description = "Request header fields too large";
      break;
    case 501:
      description = "Not implemented";
      break;
    case 503:
      description = "Too many connections";
      break;
    case 505:
      description = "HTTP version not supported: HTTP/1.1 and HTTP/1.0 are";
      break;
    default:
      description = "Malformed HTTP request";
      break;
  }
  if (!detail.empty()) {
    if (status == 405 || status == 501)
      description.clear();  // the detail says it all ("method TRACE not allowed")
    else
      description += ": ";
    for (char c : detail)  // the detail is the server's own words, but JSON-safe regardless
      if (c != '"' && c != '\\' && !is_field_control(c)) description += c;
  }
  return R"({"error":")" + std::string(error) + R"(","error_description":")" + description +
         R"("})";
}

std::string transport_answer(int status, std::string_view detail, std::string_view allow) {
  Response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.headers.add("Cache-Control", "no-store");
  r.headers.add("Pragma", "no-cache");  // the token endpoint's rule (D5), whoever answered
  if (status == 503) r.headers.add("Retry-After", "1");
  if (!allow.empty()) r.headers.add("Allow", std::string(allow));
  r.body = transport_error_body(status, detail);
  std::string out;
  serialize_answer(r, AnswerShape{false, true, false}, &out);
  return out;
}

}  // namespace pistesim::http
