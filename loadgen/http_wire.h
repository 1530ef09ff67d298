// HTTP/1.1 on the load generator's side: requests written into a reused buffer, and an
// incremental response parser (Content-Length and chunked bodies) that keeps only what the
// verifier reads. No allocation once buffers have grown to their working size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pistesim::loadgen {

// Appends a request to `out`. `host` is the Host header value; `headers` are complete lines,
// each ending in "\r\n" (may be empty); a body gets its Content-Length.
void write_request(std::string& out, std::string_view method, std::string_view target,
                   std::string_view host, std::string_view headers, std::string_view body);

// What a response said, as far as the load generator cares.
struct ResponseHead {
  int status = 0;
  bool keep_alive = true;     // false: "Connection: close" (or HTTP/1.0 without keep-alive)
  std::string cache_control;  // values of the headers the verifier checks ("" if absent)
  std::string pragma;
  std::string content_type;
  std::string retry_after;
  std::string rate_limit;  // x-rate-limit
  std::string www_authenticate;
  bool has_retry_after = false;
  bool has_rate_limit = false;
  bool has_correlation_id = false;  // x-correlation-id
};

class ResponseParser {
 public:
  enum class State { Incomplete, Complete, Error };

  // Forget the previous response; the next bytes fed start a new one.
  void reset();
  // Feeds bytes received on the connection. Returns Complete once a whole response has been
  // read (`consumed` then says how many of these bytes belonged to it), Error on a malformed
  // response (error() says why). REQUIRES: not called again after Complete without reset().
  State feed(const char* data, size_t size, size_t* consumed);

  const ResponseHead& head() const { return head_; }
  // The body (kept up to `max_body` bytes; longer bodies are read but truncated here).
  const std::string& body() const { return body_; }
  const std::string& error() const { return error_; }
  void set_max_body(size_t n) { max_body_ = n; }

 private:
  enum class Phase { Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, Done };
  State fail(std::string why);
  bool parse_head();
  void keep(const char* p, size_t n);

  Phase phase_ = Phase::Head;
  std::string line_buf_;  // the head, or a partial chunk-size / trailer line
  ResponseHead head_;
  std::string body_;
  std::string error_;
  uint64_t remaining_ = 0;  // bytes of the body (or chunk) still to read
  size_t max_body_ = 64 * 1024;
};

}  // namespace pistesim::loadgen
