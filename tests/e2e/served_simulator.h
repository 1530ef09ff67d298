// Starts `pistesim serve` as a child process on a free loopback port, as a user or a CI job
// would, and reads what it wrote to --info-file. Stops it with SIGTERM on destruction.
// Also: one-shot runs of the binary (for commands that must fail) and the requests every
// end-to-end test sends (tokens, control API).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <gtest/gtest.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/http_client.h"

namespace pistesim::test {

// Writes a self-signed certificate for localhost/127.0.0.1 and its key (PEM) into `dir`;
// returns {cert path, key path}.
std::pair<std::string, std::string> make_self_signed_cert(const std::string& dir);

// A fresh temporary directory (removed by the caller if it cares).
std::string make_temp_dir();

class ServedSimulator {
 public:
  // extra_args go after `serve --port 0 --info-file …` (e.g. {"--profile", "rfc"}).
  explicit ServedSimulator(std::vector<std::string> extra_args = {});
  ~ServedSimulator();
  ServedSimulator(const ServedSimulator&) = delete;
  ServedSimulator& operator=(const ServedSimulator&) = delete;

  bool started() const { return pid_ > 0 && !info_.is_null(); }
  const nlohmann::json& info() const { return info_; }
  std::string base_url() const { return info_.value("base_url", ""); }
  // The TCP port, from base_url ("http://127.0.0.1:PORT").
  int port() const;
  std::string admin_token() const { return info_.value("admin_token", ""); }
  // Where --info-file pointed.
  const std::string& info_path() const { return info_path_; }
  // Everything the process printed on stdout/stderr so far (for failure messages).
  std::string output() const;
  // Sends `signal` and waits; returns the exit status (or -1 if it had to be killed).
  int stop(int signal = SIGTERM);
  pid_t pid() const { return pid_; }

  // A client for this server (TLS verification off: the test certificate is self-signed).
  // Release clients before stop(): an open keep-alive connection delays shutdown by its idle
  // timeout.
  std::unique_ptr<HttpClient> client() const { return std::make_unique<HttpClient>(base_url()); }

  // The demo application's credentials on "sandbox" or "production" (client_id,
  // client_secret, api_key, application), as the info file gives them.
  const nlohmann::json& demo(const std::string& channel) const { return info_["demo"][channel]; }

 private:
  pid_t pid_ = -1;
  std::string dir_;
  std::string log_path_;
  std::string info_path_;
  nlohmann::json info_;
};

// A test suite sharing one `pistesim serve` with default options: started before its first
// test, stopped after its last; each test first checks it started.
class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServedSimulator(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(server_->started()) << server_->output(); }
  static int port() { return server_->port(); }
  // The demo sandbox application's client-credentials form body.
  static std::string credentials_form() {
    const auto& demo = server_->demo("sandbox");
    return "grant_type=client_credentials&client_id=" + demo["client_id"].get<std::string>() +
           "&client_secret=" + demo["client_secret"].get<std::string>();
  }
  static inline ServedSimulator* server_ = nullptr;
};

// A run of the pistesim binary to its end.
struct RunResult {
  int exit_code = -1;  // -1: killed (it did not end, or it started serving)
  bool started_serving = false;
  std::string output;  // stdout and stderr together
};
// Runs `pistesim ARGS…` and waits for it to exit. A `serve` that starts listening instead of
// failing is stopped at once and reported with started_serving (so a test expecting a
// startup failure fails fast rather than hangs).
RunResult run_pistesim(const std::vector<std::string>& args);
// Success when `run` refused to start as a usage or input error should: exit code 2, never
// serving, and `says` in what it printed.
::testing::AssertionResult refused_to_start(const RunResult& run, const std::string& says);

// POST `token_path` (e.g. "/sandbox/oauth/api/oauth/token") with a client-credentials form body.
Request token_request(const std::string& token_path, const std::string& client_id,
                      const std::string& client_secret);
// A token for the demo application of `channel` ("sandbox" or "production"), fetched through
// its prefix path; fails the calling test (ADD_FAILURE) and returns "" when none comes.
std::string fetch_token(HttpClient& client, const ServedSimulator& server,
                        const std::string& channel);
// The status of an answer; -1 when none came, and then the reason fails the calling test.
int status_of(const Result<Response>& r);
// What came back, for an assertion's message: "STATUS BODY", or why no answer came.
std::string outcome(const Result<Response>& r);
// A control API request (/__pistesim + path) carrying the admin token; body is JSON or empty.
Request control_request(const ServedSimulator& server, const std::string& method,
                        const std::string& path, const nlohmann::json& body = nullptr);
// The same for a server known by its admin token alone (several nodes of one cluster).
Request control_request(const std::string& admin_token, const std::string& method,
                        const std::string& path, const nlohmann::json& body = nullptr);
// A portal registration body (POST /portal/register) that passes every check.
nlohmann::json portal_registration(const std::string& name, const std::string& email,
                                   const std::string& password);
// `GET path` with `Authorization: Bearer token`.
Request bearer_get(const std::string& path, const std::string& token);

}  // namespace pistesim::test
