#include "http/http_client.h"

#include <httplib.h>

namespace pistesim {

namespace {

constexpr int kConnectTimeoutS = 5;
constexpr int kReadTimeoutS = 30;

// The whole reason, in words a user can act on (cpp-httplib says only "Connection", "Read").
// (errno is not the connection's: cpp-httplib connects without blocking and keeps no SO_ERROR.)
std::string describe_failure(httplib::Error e, const std::string& base_url,
                             const std::string& ca_file) {
  switch (e) {
    case httplib::Error::Connection:
      return "cannot connect to " + base_url + " (refused, unreachable, or nothing listens there)";
    case httplib::Error::ConnectionTimeout:
      return "no connection to " + base_url + " within " + std::to_string(kConnectTimeoutS) + " s";
    case httplib::Error::Read:
      return base_url + " closed the connection or sent no answer within " +
             std::to_string(kReadTimeoutS) + " s";
    case httplib::Error::Write:
      return "could not send the request to " + base_url + " (the connection was closed)";
    case httplib::Error::SSLConnection:
      return "TLS handshake with " + base_url + " failed (does it speak TLS on that port?)";
    case httplib::Error::SSLLoadingCerts:
      return "cannot load the trusted certificates" + (ca_file.empty() ? "" : " of " + ca_file) +
             " to talk to " + base_url;
    case httplib::Error::SSLServerVerification:
      return "the TLS certificate of " + base_url +
             " could not be verified (trust it with --ca-file, or --insecure)";
    default:
      return httplib::to_string(e) + " error talking to " + base_url;
  }
}

}  // namespace

HttpClient::HttpClient(const std::string& base_url, bool verify_tls, const std::string& ca_file)
    : client_(std::make_unique<httplib::Client>(base_url)), base_url_(base_url), ca_file_(ca_file) {
  client_->set_url_encode(false);  // targets are sent exactly as the caller wrote them
  client_->set_keep_alive(true);
  client_->set_tcp_nodelay(true);
  client_->set_connection_timeout(kConnectTimeoutS, 0);
  client_->set_read_timeout(kReadTimeoutS, 0);
  client_->enable_server_certificate_verification(verify_tls);
  if (!ca_file.empty()) {
    client_->set_ca_cert_path(ca_file.c_str());
    client_->enable_server_certificate_verification(true);
  }
}

HttpClient::~HttpClient() = default;

Result<Response> HttpClient::send(const Request& request) {
  httplib::Request req;
  req.method = request.method;
  req.path = request.query.empty() ? request.path : request.path + "?" + request.query;
  for (const auto& h : request.headers) req.headers.emplace(h.name, h.value);
  req.body = request.body;
  auto result = client_->send(req);
  if (!result) return Error{describe_failure(result.error(), base_url_, ca_file_)};
  Response r;
  r.status = result->status;
  for (const auto& [name, value] : result->headers) r.headers.add(name, value);
  r.body = result->body;
  return r;
}

}  // namespace pistesim
