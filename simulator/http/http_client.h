// A small HTTP(S) client speaking the core's Request/Response values: used by the demo, the
// end-to-end tests and every tool that drives a simulator (or another server) over sockets.
// Not safe for concurrent use; make one per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "wire/http_message.h"

namespace httplib {
class Client;
}

namespace pistesim {

class HttpClient {
 public:
  // base_url: "http://127.0.0.1:8080" or "https://…" (no path). verify_tls off accepts
  // self-signed certificates (test servers); ca_file, when given, is trusted instead.
  explicit HttpClient(const std::string& base_url, bool verify_tls = false,
                      const std::string& ca_file = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` as is: request.path (+ '?' + query) is the target, sent without re-encoding.
  // nullopt with *error when no HTTP answer came: the whole reason, naming the server
  // ("cannot connect to http://127.0.0.1:1: Connection refused").
  std::optional<Response> send(const Request& request, std::string* error = nullptr);

 private:
  std::unique_ptr<httplib::Client> client_;
  std::string base_url_;
};

}  // namespace pistesim
