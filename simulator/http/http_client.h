// A small HTTP(S) client speaking the core's Request/Response values: used by the demo, the
// end-to-end tests and every tool that drives a simulator (or another server) over sockets.
// Not safe for concurrent use; make one per thread.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
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
  // The answer, whatever its status; an Error when no HTTP answer came, with the whole reason
  // and the request it concerns ("GET /__pistesim/health: cannot connect to
  // http://127.0.0.1:1 (refused, unreachable, or nothing listens there)").
  Result<Response> send(const Request& request);

 private:
  std::unique_ptr<httplib::Client> client_;
  std::string base_url_;
  std::string ca_file_;
};

}  // namespace pistesim
