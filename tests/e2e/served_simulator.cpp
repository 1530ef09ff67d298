#include "e2e/served_simulator.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pistesim::test {

std::string make_temp_dir() {
  char tmpl[] = "/tmp/pistesim-test-XXXXXX";
  char* d = mkdtemp(tmpl);
  if (!d) throw std::runtime_error("mkdtemp failed");
  return d;
}

std::pair<std::string, std::string> make_self_signed_cert(const std::string& dir) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* san =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  X509_add_ext(cert, san, -1);
  X509_EXTENSION_free(san);
  X509_sign(cert, key, EVP_sha256());
  std::string cert_path = dir + "/cert.pem", key_path = dir + "/key.pem";
  FILE* f = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
  return {cert_path, key_path};
}

namespace {

// Starts PISTESIM_BINARY with `args`, stdout and stderr to `log_path`.
pid_t spawn_pistesim(std::vector<std::string> args, const std::string& log_path) {
  args.insert(args.begin(), PISTESIM_BINARY);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits up to `limit` for `pid` to exit; its exit code, or -1 if it died by a signal or outlived
// `limit`.
std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  do {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (std::chrono::steady_clock::now() < deadline);
  return std::nullopt;
}

// SIGTERM, then SIGKILL if it has not ended within 10 s; the exit code (-1 if killed).
int terminate(pid_t pid, int signal) {
  kill(pid, signal);
  if (auto code = wait_exit(pid, std::chrono::seconds(10))) return *code;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  return -1;
}

}  // namespace

ServedSimulator::ServedSimulator(std::vector<std::string> extra_args) {
  dir_ = make_temp_dir();
  log_path_ = dir_ + "/serve.log";
  info_path_ = dir_ + "/info.json";
  std::vector<std::string> args = {"serve", "--port", "0", "--info-file", info_path_};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn_pistesim(std::move(args), log_path_);

  // The info file appears once the server listens (written atomically by rename).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(info_path_);
    if (in) {
      info_ = nlohmann::json::parse(in, nullptr, false);
      if (info_.is_discarded())
        info_ = nullptr;
      else
        break;
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ServedSimulator::output() const {
  return read_file(log_path_);
}

int ServedSimulator::port() const {
  std::string url = base_url();
  size_t colon = url.rfind(':');
  return colon == std::string::npos ? -1 : std::atoi(url.c_str() + colon + 1);
}

int ServedSimulator::stop(int signal) {
  if (pid_ <= 0) return -1;
  int code = terminate(pid_, signal);
  pid_ = -1;
  return code;
}

ServedSimulator::~ServedSimulator() {
  stop();
  std::string cmd = "rm -rf '" + dir_ + "'";
  (void)std::system(cmd.c_str());
}

RunResult run_pistesim(const std::vector<std::string>& args) {
  std::string dir = make_temp_dir();
  std::string log_path = dir + "/run.log";
  pid_t pid = spawn_pistesim(args, log_path);
  RunResult result;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    if (auto code = wait_exit(pid, std::chrono::milliseconds(5))) {
      result.exit_code = *code;
      break;
    }
    if (read_file(log_path).find("pistesim is serving") != std::string::npos) {
      result.started_serving = true;
      result.exit_code = terminate(pid, SIGTERM);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      result.exit_code = terminate(pid, SIGKILL);
      break;
    }
  }
  result.output = read_file(log_path);
  std::string cmd = "rm -rf '" + dir + "'";
  (void)std::system(cmd.c_str());
  return result;
}

::testing::AssertionResult refused_to_start(const RunResult& run, const std::string& says) {
  if (run.started_serving)
    return ::testing::AssertionFailure() << "it started serving:\n" << run.output;
  if (run.exit_code != 2)
    return ::testing::AssertionFailure() << "exit code " << run.exit_code << ", not 2:\n"
                                         << run.output;
  if (run.output.find(says) == std::string::npos)
    return ::testing::AssertionFailure() << "its output does not say \"" << says << "\":\n"
                                         << run.output;
  return ::testing::AssertionSuccess();
}

Request token_request(const std::string& token_path, const std::string& client_id,
                      const std::string& client_secret) {
  Request r = Request::make("POST", token_path,
                            "grant_type=client_credentials&client_id=" + client_id +
                                "&client_secret=" + client_secret + "&scope=openid");
  r.headers.add("Content-Type", "application/x-www-form-urlencoded");
  return r;
}

std::string fetch_token(HttpClient& client, const ServedSimulator& server,
                        const std::string& channel) {
  const auto& creds = server.demo(channel);
  auto r = client.send(token_request("/" + channel + "/oauth/api/oauth/token",
                                     creds["client_id"].get<std::string>(),
                                     creds["client_secret"].get<std::string>()));
  if (!r) {
    ADD_FAILURE() << "no answer to the " << channel << " token request: " << r.error().message;
    return "";
  }
  if (r->status != 200) {
    ADD_FAILURE() << channel << " token request: " << r->status << " " << r->body;
    return "";
  }
  auto body = nlohmann::json::parse(r->body, nullptr, false);
  if (!body.is_object() || !body.contains("access_token")) {
    ADD_FAILURE() << channel << " token answer without access_token: " << r->body;
    return "";
  }
  return body["access_token"].get<std::string>();
}

int status_of(const Result<Response>& r) {
  if (r) return r->status;
  ADD_FAILURE() << "no answer: " << r.error().message;
  return -1;
}

std::string outcome(const Result<Response>& r) {
  return r ? std::to_string(r->status) + " " + r->body : "no answer: " + r.error().message;
}

Request control_request(const ServedSimulator& server, const std::string& method,
                        const std::string& path, const nlohmann::json& body) {
  return control_request(server.admin_token(), method, path, body);
}

Request control_request(const std::string& admin_token, const std::string& method,
                        const std::string& path, const nlohmann::json& body) {
  Request r =
      Request::make(method, "/__pistesim" + path, body.is_null() ? std::string() : body.dump());
  r.headers.add("Authorization", "Bearer " + admin_token);
  if (!body.is_null()) r.headers.add("Content-Type", "application/json");
  return r;
}

nlohmann::json portal_registration(const std::string& name, const std::string& email,
                                   const std::string& password) {
  return {{"name", name},         {"email", email},
          {"password", password}, {"password_confirmation", password},
          {"cgu_accepted", true}, {"captcha", "PISTE"}};
}

Request bearer_get(const std::string& path, const std::string& token) {
  Request r = Request::make("GET", path);
  r.headers.add("Authorization", "Bearer " + token);
  return r;
}

}  // namespace pistesim::test
