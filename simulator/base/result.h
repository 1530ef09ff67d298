// A value, or why there is none: the one way pistesim's functions report a failure the caller is
// expected to handle (docs/design.md, "Errors"). Exceptions are kept for failures no caller on
// the way can mend (durable state that stops answering mid-operation: StoreError).
//
//   Result<Url> parse_url(std::string_view text);      // a Url, or Error{"malformed URL …"}
//   Result<void> reset(Target& t);                     // nothing, or an Error
//   Result<User, PortalError> register_user(…);        // an error type of the caller's own
//
// GCC 12 has no std::expected in C++20 mode; this is the part of it pistesim uses.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace pistesim {

// The usual error: a sentence for a person, complete (what failed and why), ready to print.
struct Error {
  std::string message;
};

template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  // REQUIRES ok() (else std::bad_variant_access).
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  // REQUIRES !ok().
  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

// Success carries nothing: `return {};` succeeds, `return Error{…};` fails.
template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(E error) : error_(std::move(error)) {}

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const E& error() const { return *error_; }  // REQUIRES !ok()

 private:
  std::optional<E> error_;
};

}  // namespace pistesim
