#include "wire/http_message.h"

#include <algorithm>

namespace pistesim {

namespace {
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool is_field_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && u != '\t') || u == 0x7F;
}

void Headers::add(std::string name, std::string value) {
  // Requests and answers carry a handful of fields: one block for them, not four regrowths.
  if (items_.capacity() == 0) items_.reserve(8);
  items_.push_back({std::move(name), std::move(value)});
}

void Headers::set(std::string name, std::string value) {
  // In place when present (no shifting of the fields after it), appended otherwise.
  auto first = std::find_if(items_.begin(), items_.end(),
                            [&](const Header& h) { return iequals(h.name, name); });
  if (first == items_.end()) return add(std::move(name), std::move(value));
  first->value = std::move(value);
  items_.erase(std::remove_if(first + 1, items_.end(),
                              [&](const Header& h) { return iequals(h.name, name); }),
               items_.end());
}

void Headers::remove(std::string_view name) {
  std::erase_if(items_, [&](const Header& h) { return iequals(h.name, name); });
}

const std::string* Headers::find(std::string_view name) const {
  for (const auto& h : items_)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

std::string Headers::get(std::string_view name, std::string_view fallback) const {
  const std::string* v = find(name);
  return v ? *v : std::string(fallback);
}

size_t Headers::count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(items_.begin(), items_.end(),
                                           [&](const Header& h) { return iequals(h.name, name); }));
}

Request Request::make(std::string method, std::string_view target, std::string body) {
  Request r;
  r.method = std::move(method);
  auto q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  r.body = std::move(body);
  return r;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "";
  }
}

}  // namespace pistesim
