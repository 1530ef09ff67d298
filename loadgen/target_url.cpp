#include "loadgen/target_url.h"

#include <charconv>

namespace pistesim::loadgen {

namespace {

Error bad(std::string_view url, const std::string& why) {
  return Error{"« " + std::string(url) + " » is not a target URL: " + why +
               " (expected http://host:port or https://host:port)"};
}

}  // namespace

Result<HttpUrl> parse_http_url(std::string_view url) {
  HttpUrl out;
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    out.tls = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return bad(url, "the scheme must be http:// or https://");
  }
  if (const size_t at = rest.find_first_of("/?#"); at != std::string_view::npos)
    return bad(url, rest[at] == '/' ? "give the server's base URL, without a path (not even /)"
                                    : "give the server's base URL, without a query or fragment");
  if (rest.find('@') != std::string_view::npos) return bad(url, "a user has no place in it");
  for (char c : rest)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
      return bad(url, "it contains a space or a control character");
  out.authority = std::string(rest);

  std::string_view port;
  if (rest.starts_with('[')) {  // [IPv6]:port
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad(url, "the IPv6 address has no closing ]");
    out.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty() && !after.starts_with(':'))
      return bad(url, "only :port may follow the IPv6 address");
    if (!after.empty()) port = after.substr(1);
    if (after == ":") return bad(url, "the port is missing after ':'");
  } else {
    const size_t colon = rest.find(':');
    if (colon != std::string_view::npos && rest.find(':', colon + 1) != std::string_view::npos)
      return bad(url, "an IPv6 address goes in brackets, e.g. http://[::1]:8080");
    out.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) return bad(url, "the port is missing after ':'");
    }
  }
  if (out.host.empty()) return bad(url, "the host is missing");

  out.port = out.tls ? 443 : 80;
  if (!port.empty()) {
    int n = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc() || end != port.data() + port.size() || n < 1 || n > 65535)
      return bad(url, "the port « " + std::string(port) + " » is not a number from 1 to 65535");
    out.port = n;
  }
  return out;
}

}  // namespace pistesim::loadgen
