// Typed outcomes of portal and administration operations. An operation returns PortalResult<T>,
// base/result.h's Result with a PortalError: the value, or a PortalError whose kind says what went
// wrong (the control API maps kinds to HTTP statuses in one place: control/control_support.cpp),
// with a stable code, the French message a PISTE user would read, and the field at fault.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

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

// A result without a value is PortalResult<Done> (routes answer a Done like any other value).
struct Done {};

template <class T>
using PortalResult = Result<T, PortalError>;

}  // namespace pistesim
