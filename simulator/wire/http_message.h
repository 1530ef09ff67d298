// Request and Response values: what the core speaks instead of an HTTP library.
// The http adapter (simulator/http) converts sockets to these; tests and the embedded
// simulator build them directly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pistesim {

// ASCII case-insensitive equality, as header names and auth schemes compare.
bool iequals(std::string_view a, std::string_view b);
// RFC 9110 §5.5: a control character, which a field value may not hold (HTAB excepted).
bool is_field_control(char c);

struct Header {
  std::string name;
  std::string value;
  bool operator==(const Header&) const = default;
};

// Ordered header list with case-insensitive lookup; repeated names are kept because some
// checks (two Authorization headers) depend on them.
class Headers {
 public:
  void add(std::string name, std::string value);
  // Replaces every header of that name with one value (where the first was; else at the end).
  void set(std::string name, std::string value);
  void remove(std::string_view name);
  // First value of that name, or nullptr.
  const std::string* find(std::string_view name) const;
  std::string get(std::string_view name, std::string_view fallback = {}) const;
  size_t count(std::string_view name) const;
  bool empty() const { return items_.empty(); }
  void reserve(size_t n) { items_.reserve(n); }
  size_t size() const { return items_.size(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<Header> items_;
};

struct Request {
  std::string method = "GET";
  std::string path = "/";  // as sent, percent-encoding kept, without the query
  std::string query;       // raw query string, without '?'
  Headers headers;
  std::string body;
  std::string remote_addr;

  // Builds a Request from a target such as "/a/b?x=1".
  static Request make(std::string method, std::string_view target, std::string body = {});
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // Why the simulator answered so, for people reading the access log; never sent on the wire
  // (PISTE's 403 has an empty body). Holds no secret.
  std::string diagnostic;
  // An injected fault: the server cuts the connection instead of sending a complete answer
  // (the http adapter aborts mid-response; embedded callers see a transport error).
  bool drop_connection = false;
  // An injected latency: the answer is due this many milliseconds after the request. The http
  // adapter waits on a timer; embedded callers wait it themselves (the core never sleeps).
  int64_t delay_ms = 0;

  std::string content_type() const { return headers.get("Content-Type"); }
};

// The standard reason phrase of a status code ("Too Many Requests").
std::string_view reason_phrase(int status);

}  // namespace pistesim
