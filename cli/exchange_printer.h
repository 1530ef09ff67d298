// Prints an HTTP exchange the way `curl -v` does ("> " request lines, "< " response lines),
// with secrets masked: the demo and the tools show what travels without leaking credentials.
#pragma once

#include <ostream>
#include <string>

#include "wire/http_message.h"

namespace pistesim::cli {

void print_exchange(std::ostream& out, const std::string& host, const Request& request,
                    const Response& response);

// "6f2e9d41-8c3b-…" → "6f2e…(redacted)"; keeps enough to recognise a value.
std::string mask_secret(const std::string& secret);

}  // namespace pistesim::cli
