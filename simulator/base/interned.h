// A string held once in a process-wide pool and referred to by one pointer: the values a large
// world repeats in every application (owner and contact e-mails, organisations, API ids, scopes)
// cost 8 bytes each instead of a 32-byte std::string and a heap copy. Pooled strings are
// immutable and live until the process ends, so an Interned is trivially copyable, compares by
// pointer, and reads without a lock; creating one takes a lock on one shard of the pool.
#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pistesim {

class Interned {
 public:
  Interned() noexcept = default;  // ""
  Interned(std::string_view s) : text_(intern(s)) {}
  Interned(const std::string& s) : text_(intern(s)) {}
  Interned(const char* s) : text_(intern(s)) {}

  const std::string& str() const noexcept { return text_ ? *text_ : empty_string(); }
  operator const std::string&() const noexcept { return str(); }
  operator std::string_view() const noexcept { return str(); }

  bool empty() const noexcept { return text_ == nullptr; }
  size_t size() const noexcept { return str().size(); }
  const char* data() const noexcept { return str().data(); }
  const char* c_str() const noexcept { return str().c_str(); }
  std::string::const_iterator begin() const noexcept { return str().begin(); }
  std::string::const_iterator end() const noexcept { return str().end(); }

  // Equal strings are the same pooled string. A template so that comparing with a std::string
  // or a literal takes the string_view overload rather than interning the other side.
  template <std::same_as<Interned> T>
  friend bool operator==(const Interned& a, const T& b) noexcept {
    return a.text_ == b.text_;
  }
  friend bool operator==(const Interned& a, std::string_view b) noexcept { return a.str() == b; }
  template <std::same_as<Interned> T>
  friend auto operator<=>(const Interned& a, const T& b) noexcept {
    return a.str() <=> b.str();
  }
  friend auto operator<=>(const Interned& a, std::string_view b) noexcept {
    return std::string_view(a.str()) <=> b;
  }

  // Distinct strings pooled so far.
  static size_t pool_size();

 private:
  static const std::string* intern(std::string_view s);
  static const std::string& empty_string() noexcept;

  const std::string* text_ = nullptr;  // nullptr: ""
};

inline std::string operator+(const std::string& a, const Interned& b) {
  return a + b.str();
}
inline std::string operator+(const Interned& a, const std::string& b) {
  return a.str() + b;
}
inline std::string operator+(const char* a, const Interned& b) {
  return a + b.str();
}
inline std::string operator+(const Interned& a, const char* b) {
  return a.str() + b;
}

std::vector<Interned> interned(const std::vector<std::string>& strings);
std::vector<std::string> strings_of(const std::vector<Interned>& values);

// JSON views write an Interned as its string.
void to_json(nlohmann::json& j, const Interned& s);

}  // namespace pistesim
