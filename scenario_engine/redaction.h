// Secrets never reach a report (issue 8): Authorization credentials, client_secret / password /
// access_token values in forms, queries and JSON, and any value the run learnt is secret
// (captured secrets, the exec'd client's credentials) wherever it appears in text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scenario_engine/result.h"
#include "wire/http_message.h"

namespace pistesim::scenario {

class Redactor {
 public:
  // A value to hide wherever it appears (only values of 6 characters or more: shorter ones
  // would blank ordinary words).
  void add_secret(std::string value);
  std::string text(std::string_view in) const;
  Headers headers(const Headers& in) const;
  // Form, JSON or raw body, by content type.
  std::string body(std::string_view in, std::string_view content_type) const;
  std::string url(std::string_view in) const;

 private:
  std::vector<std::string> secrets_;
};

// The excerpt of a body kept in results (the first `max` bytes, cut on a UTF-8 boundary).
std::string excerpt(std::string_view body, size_t max = 2048);

}  // namespace pistesim::scenario
