// `pistesim serve --tls-cert/--tls-key` serves HTTPS: tokens and API calls over TLS, a client
// that trusts the certificate verifies the server, and an unusable certificate stops the start.
#include <gtest/gtest.h>

#include <fstream>

#include "e2e/served_simulator.h"

namespace pistesim::test {

namespace {

struct TlsFixture {
  std::string dir = make_temp_dir();
  std::pair<std::string, std::string> cert = make_self_signed_cert(dir);
  ~TlsFixture() { (void)std::system(("rm -rf '" + dir + "'").c_str()); }
};

// A token from the sandbox endpoint, then Légifrance's ping with it, through `client`.
void expect_token_and_ping(HttpClient& client, const ServedSimulator& server) {
  std::string token = fetch_token(client, server, "sandbox");
  ASSERT_FALSE(token.empty());
  auto r =
      client.send(bearer_get("/sandbox/api/dila/legifrance/lf-engine-app/consult/ping", token));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "pong");
}

}  // namespace

TEST(ServeTls, IssuesATokenAndServesAnApiOverHttps) {
  TlsFixture tls;
  ServedSimulator server({"--tls-cert", tls.cert.first, "--tls-key", tls.cert.second});
  ASSERT_TRUE(server.started()) << server.output();
  ASSERT_EQ(server.base_url().rfind("https://127.0.0.1:", 0), 0u) << server.base_url();
  EXPECT_EQ(server.info()["sandbox"]["token_url"].get<std::string>().rfind("https://", 0), 0u);
  {
    auto client = server.client();
    expect_token_and_ping(*client, server);
  }
  EXPECT_EQ(server.stop(), 0) << server.output();
}

TEST(ServeTls, ClientTrustingTheCertificateVerifiesTheServer) {
  TlsFixture tls;
  ServedSimulator server({"--tls-cert", tls.cert.first, "--tls-key", tls.cert.second});
  ASSERT_TRUE(server.started()) << server.output();
  {
    HttpClient trusting(server.base_url(), /*verify_tls=*/true, /*ca_file=*/tls.cert.first);
    expect_token_and_ping(trusting, server);
  }
  {
    // Verification is real: without the certificate as CA, the handshake is refused.
    HttpClient untrusting(server.base_url(), /*verify_tls=*/true);
    auto r = untrusting.send(Request::make("GET", "/__pistesim/health"));
    ASSERT_FALSE(r) << "a self-signed certificate must not verify against the system CAs";
    EXPECT_EQ(r.error().message, "the TLS certificate of " + server.base_url() +
                                     " could not be verified (trust it with --ca-file, or "
                                     "--insecure)");
  }
  {
    // And plain HTTP on the TLS port gets no HTTP answer.
    std::string url = server.base_url();
    HttpClient plain("http://" + url.substr(std::string("https://").size()));
    auto r = plain.send(Request::make("GET", "/__pistesim/health"));
    EXPECT_TRUE(!r || r->status != 200);
  }
  EXPECT_EQ(server.stop(), 0) << server.output();
}

TEST(ServeTls, MissingCertificateFileIsAUsageError) {
  TlsFixture tls;
  RunResult run = run_pistesim({"serve", "--port", "0", "--tls-cert", tls.dir + "/absent.pem",
                                "--tls-key", tls.cert.second});
  EXPECT_TRUE(refused_to_start(run, "absent.pem"));
}

TEST(ServeTls, UnusableCertificateStopsTheStartWithAClearMessage) {
  TlsFixture tls;
  std::string garbage = tls.dir + "/garbage.pem";
  std::ofstream(garbage)
      << "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n";
  RunResult run =
      run_pistesim({"serve", "--port", "0", "--tls-cert", garbage, "--tls-key", tls.cert.second});
  EXPECT_TRUE(refused_to_start(run, "cannot use the TLS certificate"));
  EXPECT_NE(run.output.find(garbage), std::string::npos) << run.output;

  // A key that is not the certificate's.
  TlsFixture other;
  run = run_pistesim(
      {"serve", "--port", "0", "--tls-cert", tls.cert.first, "--tls-key", other.cert.second});
  EXPECT_TRUE(refused_to_start(run, "cannot use the TLS certificate"));
}

TEST(ServeTls, CertificateWithoutKeyIsAUsageError) {
  TlsFixture tls;
  RunResult run = run_pistesim({"serve", "--port", "0", "--tls-cert", tls.cert.first});
  EXPECT_TRUE(refused_to_start(run, "--tls-key"));
}

}  // namespace pistesim::test
