// A load target's base URL, as `load --target` takes it.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace pistesim::loadgen {

// "http(s)://host[:port]": where the load generator connects, and the Host header it sends.
struct HttpUrl {
  std::string host;       // a name or an address; an IPv6 one without its brackets
  int port = 0;           // as written, else 80 (http) or 443 (https)
  bool tls = false;       // https://
  std::string authority;  // host[:port] as written: the Host header of the requests
};

// An Error naming the URL and what is wrong with it: another scheme, a path, a query, a
// fragment or a user, no host, a port that is not 1-65535, an IPv6 address without brackets.
Result<HttpUrl> parse_http_url(std::string_view url);

}  // namespace pistesim::loadgen
