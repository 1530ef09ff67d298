// `pistesim serve --info-file PATH` writes what a client needs to reach the simulator (URLs,
// admin token, demo credentials), readable by its owner only, and removes it on shutdown.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e/served_simulator.h"

namespace pistesim::test {

namespace {

// The path of `url` below `base` ("http://h:1/sandbox/api" → "/sandbox/api"); fails if it is not
// below.
std::string path_below(const std::string& url, const std::string& base) {
  EXPECT_EQ(url.rfind(base, 0), 0u) << url << " is not under " << base;
  return url.rfind(base, 0) == 0 ? url.substr(base.size()) : url;
}

bool exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

}  // namespace

TEST(ServeInfoFile, GivesUrlsThatReachEachEndpoint) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  const auto& info = server.info();
  const std::string base = server.base_url();
  ASSERT_EQ(base.rfind("http://127.0.0.1:", 0), 0u) << base;
  ASSERT_GT(server.port(), 0);
  auto client = server.client();

  // Each channel's token URL issues that channel's tokens with the channel's demo credentials,
  // and its API URL serves them.
  for (std::string channel : {"sandbox", "production"}) {
    SCOPED_TRACE(channel);
    ASSERT_TRUE(info[channel].contains("token_url"));
    ASSERT_TRUE(info[channel].contains("api_url"));
    const auto& creds = info["demo"][channel];
    ASSERT_TRUE(creds.contains("client_id") && creds.contains("client_secret")) << creds.dump();
    EXPECT_TRUE(creds.contains("api_key")) << creds.dump();
    auto r = client->send(token_request(path_below(info[channel]["token_url"], base),
                                        creds["client_id"], creds["client_secret"]));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->status, 200) << r->body;
    std::string token = nlohmann::json::parse(r->body)["access_token"];
    r = client->send(bearer_get(
        path_below(info[channel]["api_url"], base) + "/dila/legifrance/lf-engine-app/consult/ping",
        token));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->body, "pong");
  }

  // The control URL with the admin token.
  ASSERT_TRUE(info.contains("control_url"));
  ASSERT_FALSE(server.admin_token().empty());
  Request world = Request::make("GET", path_below(info["control_url"], base) + "/world");
  world.headers.add("Authorization", "Bearer " + server.admin_token());
  auto r = client->send(world);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200) << r->body;
  world.headers.set("Authorization", "Bearer not-the-admin-token");
  r = client->send(world);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 401) << "the control API must check the token the info file gives";

  // The browser pages, over the socket (docs/console.md).
  for (const char* page : {"portal_url", "console_url"}) {
    ASSERT_TRUE(info.contains(page)) << page;
    r = client->send(Request::make("GET", path_below(info[page], base)));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200) << page;
    EXPECT_EQ(r->headers.get("Content-Type"), "text/html; charset=utf-8") << page;
    EXPECT_NE(r->body.find("<!doctype html>"), std::string::npos) << page;
  }

  // The demo user's login.
  EXPECT_EQ(info["demo"].value("user", ""), "demo@pistesim.test");
  EXPECT_FALSE(info["demo"].value("password", "").empty());
  client.reset();
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServeInfoFile, IsReadableByItsOwnerOnly) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  struct stat st {};
  ASSERT_EQ(::stat(server.info_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "it holds the admin token and the demo secrets";
  EXPECT_FALSE(exists(server.info_path() + ".tmp"))
      << "the temporary file of the atomic write is left behind";
}

TEST(ServeInfoFile, IsRemovedOnSigtermWhichExitsZero) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  std::string path = server.info_path();
  ASSERT_TRUE(exists(path));
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
  EXPECT_FALSE(exists(path)) << "a stale info file would point clients at a dead server";
  EXPECT_NE(server.output().find("SIGTERM received"), std::string::npos) << server.output();
}

TEST(ServeInfoFile, IsRemovedOnSigintWhichExitsZero) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  std::string path = server.info_path();
  EXPECT_EQ(server.stop(SIGINT), 0) << server.output();
  EXPECT_FALSE(exists(path));
}

}  // namespace pistesim::test
