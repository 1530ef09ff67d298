// `pistesim serve --host-ports`: a port per PISTE host, each answering the host's own paths
// without pistesim's prefixes (a client that knows only https://sandbox-oauth.piste.gouv.fr
// works with the host swapped for 127.0.0.1:PORT), listed in --info-file and the banner.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <set>
#include <sstream>

#include "e2e/served_simulator.h"

namespace pistesim::test {

namespace {

const char* const kPing = "/dila/legifrance/lf-engine-app/consult/ping";

// A client for the URL under info["host_ports"][channel][key].
std::unique_ptr<HttpClient> host_client(const ServedSimulator& server, const std::string& channel,
                                        const std::string& key) {
  return std::make_unique<HttpClient>(server.info()["host_ports"][channel][key].get<std::string>());
}

}  // namespace

TEST(HostPorts, EachPortAnswersItsHostsPathsUnprefixed) {
  ServedSimulator server({"--host-ports", "0"});
  ASSERT_TRUE(server.started()) << server.output();
  const auto& hosts = server.info()["host_ports"];
  ASSERT_TRUE(hosts.contains("sandbox") && hosts.contains("production")) << hosts.dump();

  std::string tokens[2];
  for (int i = 0; i < 2; ++i) {
    const std::string channel = i == 0 ? "sandbox" : "production";
    SCOPED_TRACE(channel);
    const auto& creds = server.demo(channel);
    auto oauth = host_client(server, channel, "oauth_url");
    auto api = host_client(server, channel, "api_url");
    auto r =
        oauth->send(token_request("/api/oauth/token", creds["client_id"], creds["client_secret"]));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->status, 200) << r->body;
    tokens[i] = nlohmann::json::parse(r->body)["access_token"];
    r = api->send(bearer_get(kPing, tokens[i]));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->body, "pong");

    // As on the real host: pistesim's prefixes mean nothing there, the token path is the OAuth
    // host's only, and the control API lives on the main port alone.
    r = api->send(bearer_get("/" + channel + "/api" + kPing, tokens[i]));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 404) << r->body;
    r = oauth->send(bearer_get(kPing, tokens[i]));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 404) << r->body;
    r = oauth->send(control_request(server, "GET", "/world"));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 404) << r->body;
    r = api->send(control_request(server, "GET", "/world"));  // the gateway: not a PISTE token
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 401) << r->body;
  }

  // The port names the channel: a token is refused on the other channel's API port, as on the
  // host-routed path; and a sandbox client is unknown on the production OAuth port (PISTE's 400
  // invalid_client for credentials in the body).
  auto r = host_client(server, "production", "api_url")->send(bearer_get(kPing, tokens[0]));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 401) << r->body;
  r = host_client(server, "sandbox", "api_url")->send(bearer_get(kPing, tokens[1]));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 401) << r->body;
  r = host_client(server, "production", "oauth_url")
          ->send(token_request("/api/oauth/token", server.demo("sandbox")["client_id"],
                               server.demo("sandbox")["client_secret"]));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("invalid_client"), std::string::npos) << r->body;

  // The main port is unchanged: prefixes and the control API.
  auto main = server.client();
  r = main->send(bearer_get(std::string("/sandbox/api") + kPing, tokens[0]));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "pong");
  r = main->send(control_request(server, "GET", "/world"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  main.reset();
  ASSERT_EQ(server.stop(), 0);
}

TEST(HostPorts, InfoFileAndBannerListThem) {
  ServedSimulator server({"--host-ports", "0"});
  ASSERT_TRUE(server.started()) << server.output();
  const auto& hosts = server.info()["host_ports"];
  const std::string prefix = "http://127.0.0.1:";
  const std::string main = server.base_url();
  std::set<std::string> urls;
  for (std::string channel : {"sandbox", "production"}) {
    const auto& c = hosts[channel];
    const std::string oauth_host = channel == "sandbox" ? "sandbox-oauth" : "oauth";
    EXPECT_EQ(c["oauth_host"], oauth_host + ".piste.gouv.fr");
    EXPECT_EQ(c["api_host"],
              (channel == "sandbox" ? "sandbox-api" : "api") + std::string(".piste.gouv.fr"));
    for (const char* key : {"oauth_url", "api_url"}) {
      const std::string url = c[key];
      EXPECT_EQ(url.rfind(prefix, 0), 0u) << url;
      EXPECT_NE(url, main);
      urls.insert(url);
      // The banner names each host beside its URL, on one line.
      const std::string host =
          c[std::string(key) == "oauth_url" ? "oauth_host" : "api_host"].get<std::string>();
      const std::string output = server.output();
      const size_t at = output.find("    " + host + " ");
      ASSERT_NE(at, std::string::npos) << output;
      EXPECT_NE(output.substr(at, output.find('\n', at) - at).find(url), std::string::npos)
          << output;
    }
    EXPECT_EQ(c["token_url"], c["oauth_url"].get<std::string>() + "/api/oauth/token");
  }
  EXPECT_EQ(urls.size(), 4u) << "four distinct ports";
  ASSERT_EQ(server.stop(), 0);
}

// One host port alone, from the environment (PISTESIM_<OPTION>), and JSON log lines naming it.
TEST(HostPorts, OneHostFromTheEnvironmentWithJsonLogs) {
  ASSERT_EQ(setenv("PISTESIM_SANDBOX_API_PORT", "0", 1), 0);
  ServedSimulator server({"--log-format", "json", "--quiet"});
  unsetenv("PISTESIM_SANDBOX_API_PORT");  // the server has it; the next tests must not
  ASSERT_TRUE(server.started()) << server.output();
  const auto& hosts = server.info()["host_ports"];
  ASSERT_TRUE(hosts.contains("sandbox")) << server.info().dump();
  EXPECT_FALSE(hosts.contains("production"));
  EXPECT_FALSE(hosts["sandbox"].contains("oauth_url"));
  const std::string api_url = hosts["sandbox"]["api_url"];
  auto client = std::make_unique<HttpClient>(api_url);
  auto r = client->send(bearer_get(kPing, "not-a-token"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 401);
  client.reset();
  ASSERT_EQ(server.stop(), 0);
  std::istringstream lines(server.output());
  std::string line;
  bool named = false;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (j.value("message", "") == "sandbox-api.piste.gouv.fr on " + api_url) named = true;
  }
  EXPECT_TRUE(named) << server.output();
}

TEST(HostPorts, RefusesPortsThatCollide) {
  EXPECT_TRUE(refused_to_start(
      run_pistesim(
          {"serve", "--port", "0", "--host-ports", "39000", "--sandbox-api-port", "39000"}),
      "--sandbox-api-port: port 39000 is given to both sandbox-oauth.piste.gouv.fr and "
      "sandbox-api.piste.gouv.fr"));
  EXPECT_TRUE(refused_to_start(run_pistesim({"serve", "--port", "39002", "--host-ports", "39001"}),
                               "--host-ports: port 39002 is already --port's"));
  EXPECT_TRUE(refused_to_start(run_pistesim({"serve", "--host-ports", "65533"}), "--host-ports"));
}

}  // namespace pistesim::test
