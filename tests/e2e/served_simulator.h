// Starts `pistesim serve` as a child process on a free loopback port, as a user or a CI job
// would, and reads what it wrote to --info-file. Stops it with SIGTERM on destruction.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <memory>
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
  std::string admin_token() const { return info_.value("admin_token", ""); }
  // Everything the process printed on stdout/stderr so far (for failure messages).
  std::string output() const;
  // Sends SIGTERM and waits; returns the exit status (or -1 if it had to be killed).
  int stop();
  pid_t pid() const { return pid_; }

  // A client for this server (TLS verification off: the test certificate is self-signed).
  // Release clients before stop(): an open keep-alive connection delays shutdown by its idle timeout.
  std::unique_ptr<HttpClient> client() const { return std::make_unique<HttpClient>(base_url()); }

 private:
  pid_t pid_ = -1;
  std::string dir_;
  std::string log_path_;
  nlohmann::json info_;
};

}  // namespace pistesim::test
