#include "http/http_client.h"

#include <httplib.h>

namespace pistesim {

HttpClient::HttpClient(const std::string& base_url, bool verify_tls, const std::string& ca_file)
    : client_(std::make_unique<httplib::Client>(base_url)) {
  client_->set_url_encode(false);  // targets are sent exactly as the caller wrote them
  client_->set_keep_alive(true);
  client_->set_tcp_nodelay(true);
  client_->set_connection_timeout(5, 0);
  client_->set_read_timeout(30, 0);
  client_->enable_server_certificate_verification(verify_tls);
  if (!ca_file.empty()) {
    client_->set_ca_cert_path(ca_file.c_str());
    client_->enable_server_certificate_verification(true);
  }
}

HttpClient::~HttpClient() = default;

std::optional<Response> HttpClient::send(const Request& request, std::string* error) {
  httplib::Request req;
  req.method = request.method;
  req.path = request.query.empty() ? request.path : request.path + "?" + request.query;
  for (const auto& h : request.headers) req.headers.emplace(h.name, h.value);
  req.body = request.body;
  auto result = client_->send(req);
  if (!result) {
    if (error) *error = httplib::to_string(result.error());
    return std::nullopt;
  }
  Response r;
  r.status = result->status;
  for (const auto& [name, value] : result->headers) r.headers.add(name, value);
  r.body = result->body;
  return r;
}

}  // namespace pistesim
