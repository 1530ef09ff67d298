// `pistesim serve --tls-cert/--tls-key` serves HTTPS: tokens and API calls over TLS, a client
// that trusts the certificate verifies the server, and an unusable certificate stops the start.
#include <gtest/gtest.h>

#include <openssl/ssl.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <vector>

#include "e2e/raw_socket.h"
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

// A TLS client's first flight (its ClientHello), as OpenSSL writes it.
std::string client_hello() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);
  SSL_set_connect_state(ssl);
  (void)SSL_do_handshake(ssl);  // wants the server's answer
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  std::string hello(data, static_cast<size_t>(size));
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return hello;
}

}  // namespace

// Handshakes take turns on a loop (16 at a time): clients that send their ClientHello and then
// nothing, or nothing at all, or a byte of it, must not keep anyone else's handshake waiting
// until their deadline (10 s): a stalled turn is given on after 100 ms.
TEST(ServeTls, ClientsThatStopMidHandshakeKeepNobodyWaiting) {
  TlsFixture tls;
  ServedSimulator server(
      {"--threads", "1", "--tls-cert", tls.cert.first, "--tls-key", tls.cert.second});
  ASSERT_TRUE(server.started()) << server.output();
  const std::string hello = client_hello();
  ASSERT_GT(hello.size(), 5u);
  ASSERT_EQ(hello[0], 0x16);
  std::vector<int> stalled;
  for (int i = 0; i < 48; ++i) {
    const int fd = connect_loopback(server.port());
    ASSERT_GE(fd, 0);
    stalled.push_back(fd);
    const int kind = i % 3;  // a whole hello, nothing, the hello's first byte
    if (kind == 0) ASSERT_TRUE(send_all(fd, hello));
    if (kind == 2) ASSERT_TRUE(send_all(fd, hello.substr(0, 1)));
  }
  const auto started = std::chrono::steady_clock::now();
  {
    auto client = server.client();
    auto r = client->send(Request::make("GET", "/__pistesim/health"));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
  }
  // 16 stalled hellos hold the turns for 100 ms at most: well under the stalled ones' deadline.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  for (int fd : stalled) ::close(fd);
  EXPECT_EQ(server.stop(), 0) << server.output();
}

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
