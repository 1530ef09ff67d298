// What a PISTE endpoint decided about one exchange, told by the endpoint itself (the token
// endpoint, the gateway) as it decides, so that the journal need not work it out again from
// the request and the answer: no second parse of the form, the Basic header or the answer, no
// second token lookup, no SHA-256 of a bearer token per call.
#pragma once

#include <string>
#include <string_view>

namespace pistesim {

struct ExchangeFacts {
  // How the client presented itself (JournalEntry::auth): token requests "basic", "body",
  // "basic+body", "none"; API calls "bearer", "api_key", "query", "body", "other", "none".
  std::string_view auth = "none";
  std::string client_id;   // token requests: the identifier the client gave
  std::string grant_type;  // token requests
  std::string scope;       // token requests: asked for; on 200, the one granted
  std::string token_id;    // fingerprint of the token obtained or presented
  std::string application;
  std::string error;  // the OAuth / RFC 6750 error code answered, if any
};

}  // namespace pistesim
