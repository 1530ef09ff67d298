#include <gtest/gtest.h>

#include <string>

#include "loadgen/target_url.h"

namespace pistesim::loadgen {
namespace {

TEST(TargetUrl, ReadsHostPortSchemeAndAuthority) {
  auto u = parse_http_url("http://127.0.0.1:8080");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->authority, "127.0.0.1:8080");

  u = parse_http_url("https://piste.example.fr");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->host, "piste.example.fr");
  EXPECT_EQ(u->port, 443);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->authority, "piste.example.fr");

  u = parse_http_url("http://localhost");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->port, 80);

  u = parse_http_url("http://[::1]:9000");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->authority, "[::1]:9000");
}

TEST(TargetUrl, RefusesMalformedUrlsSayingWhy) {
  const std::pair<std::string, std::string> cases[] = {
      {"127.0.0.1:8080", "the scheme must be http:// or https://"},
      {"ftp://host", "the scheme must be http:// or https://"},
      {"HTTP//host", "the scheme must be http:// or https://"},
      {"", "the scheme must be http:// or https://"},
      {"http://host:8080/", "without a path (not even /)"},
      {"http://host/api", "without a path"},
      {"http://host?x=1", "without a query or fragment"},
      {"http://host#top", "without a query or fragment"},
      {"http://user@host", "a user has no place in it"},
      {"http://", "the host is missing"},
      {"http://:8080", "the host is missing"},
      {"http://[]:8080", "the host is missing"},
      {"http://host:", "the port is missing after ':'"},
      {"http://[::1]:", "the port is missing after ':'"},
      {"http://host:0", "the port « 0 » is not a number from 1 to 65535"},
      {"http://host:65536", "the port « 65536 » is not a number from 1 to 65535"},
      {"http://host:80x", "the port « 80x » is not a number from 1 to 65535"},
      {"http://host:-1", "the port « -1 » is not a number from 1 to 65535"},
      {"http://host:99999999999999999999", "is not a number from 1 to 65535"},
      {"http://::1:8080", "an IPv6 address goes in brackets"},
      {"http://[::1", "the IPv6 address has no closing ]"},
      {"http://[::1]x", "only :port may follow the IPv6 address"},
      {"http://ho st", "a space or a control character"},
      {"http://host\n", "a space or a control character"},
  };
  for (const auto& [url, why] : cases) {
    auto u = parse_http_url(url);
    ASSERT_FALSE(u) << url << " was accepted";
    const std::string& message = u.error().message;
    EXPECT_NE(message.find(why), std::string::npos) << url << ": " << message;
    EXPECT_EQ(message.rfind("« " + url + " » is not a target URL: ", 0), 0u) << message;
    EXPECT_NE(message.find("expected http://host:port or https://host:port"), std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace pistesim::loadgen
