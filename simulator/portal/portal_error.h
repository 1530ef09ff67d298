// Typed outcomes of portal and administration operations. An operation returns Result<T>: the
// value, or a PortalError whose kind says what went wrong (the control API maps kinds to HTTP
// statuses in one place: control/control_support.cpp), with a stable code, the French message a
// PISTE user would read, and the field at fault.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace pistesim {

enum class ErrorKind {
  InvalidInput,     // a field breaks a rule (400)
  Unauthenticated,  // no valid session, wrong credentials (401)
  Forbidden,        // the acting user may not do this (403)
  NotFound,         // unknown user, application, API, request… (404)
  Conflict,         // the state forbids it: e-mail taken, name taken, already member (409)
};

struct PortalError {
  ErrorKind kind = ErrorKind::InvalidInput;
  std::string code;     // stable, upper snake case: "PASSWORD_POLICY", "EMAIL_TAKEN", …
  std::string message;  // French, as PISTE words it where the seeds quote it
  std::string field;    // the field at fault, if one is
  std::vector<std::string> details;  // e.g. every failed password rule (ACC-2)
  // English, when the code that made the error words one; else the control API renders the
  // code's (control/english_messages.cpp).
  std::string message_en = {};
};

inline PortalError portal_error(ErrorKind kind, std::string code, std::string message,
                                std::string field = {}, std::vector<std::string> details = {}) {
  return PortalError{kind, std::move(code), std::move(message), std::move(field),
                     std::move(details)};
}

// Result<void> is spelled Result<Done>.
struct Done {};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(PortalError error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const PortalError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, PortalError> v_;
};

}  // namespace pistesim
