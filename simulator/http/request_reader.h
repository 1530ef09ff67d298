// Reads one HTTP/1.x request from bytes as they arrive, strictly (RFC 9112, RFC 9110), into the
// core's Request value. Boost.Beast's parser does the framing (request line, fields, chunked
// bodies, Content-Length); this class adds what the server decides beyond it: the limits, the
// Host rules, the methods it serves, the request-target forms, Expect, and the status each
// refusal gets. One reader per request; the connection keeps the bytes it did not consume.
#pragma once

#include <boost/beast/http/basic_parser.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wire/http_message.h"

namespace pistesim::http {

struct ReaderLimits {
  size_t max_request_line = 8192;   // longer: 414
  size_t max_header_bytes = 8192;   // header fields after the request line; beyond: 431
  size_t max_header_count = 100;    // more fields: 431
  size_t max_body_bytes = 1 << 20;  // larger bodies: 413, at once when announced
};

class RequestReader final : public boost::beast::http::basic_parser<true> {
 public:
  explicit RequestReader(const ReaderLimits& limits);

  // Feeds buffered bytes; returns how many were consumed (the rest stays for the next call or
  // the next request). Afterwards: done(), refusal() != 0, or more bytes are needed. May
  // rewrite a request line's "HTTP/1.9" to "HTTP/1.1" in place (served as 1.1, RFC 9110 §2.5).
  size_t feed(char* data, size_t size);
  // Tells the reader the peer closed: a request cut short is a refusal (400) only once some of
  // it arrived.
  bool done() const { return is_done() && refusal_ == 0; }
  // The status to answer instead of serving (400, 413, 414, 417, 431, 501, 505…), 0 if none.
  // Every refusal closes the connection after its answer.
  int refusal() const { return refusal_; }
  // Why, in a few words, for the access log and the error body.
  const std::string& refusal_reason() const { return reason_; }
  // 405's Allow value, when refusal() is 405.
  static std::string_view allowed_methods();

  // After the head: the client asked for 100 Continue and the body has not started.
  bool wants_continue() const { return expect_continue_ && is_header_done() && !is_done(); }
  // The answer must close the connection (HTTP/1.0 without keep-alive, Connection: close).
  bool closes() const { return closes_; }
  bool is_head() const { return request_.method == "HEAD"; }
  bool http10() const { return version_ == 10; }
  // The request-target for logs: the path, never the query or userinfo.
  const std::string& logged_path() const { return request_.path; }
  const std::string& method() const { return request_.method; }
  Request take_request() { return std::move(request_); }

 private:
  void refuse(int status, std::string reason, boost::beast::error_code& ec);

  void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_str,
                       boost::beast::string_view target, int version,
                       boost::beast::error_code& ec) override;
  void on_response_impl(int, boost::beast::string_view, int, boost::beast::error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         boost::beast::error_code& ec) override;
  std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions,
                            boost::beast::error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, boost::beast::string_view body,
                                 boost::beast::error_code& ec) override;
  void on_finish_impl(boost::beast::error_code& ec) override;

  const ReaderLimits& limits_;
  Request request_;
  std::string authority_;  // from an absolute-form target
  int version_ = 11;
  size_t header_bytes_ = 0;
  size_t host_count_ = 0;
  std::string host_;
  bool expect_continue_ = false;
  bool closes_ = false;
  bool skipped_blank_line_ = false;
  bool line_done_ = false;  // Beast took the request line
  int refusal_ = 0;
  std::string reason_;
};

// True when `value` is a valid Host field value: uri-host [ ":" port ] (RFC 9110 §7.2).
bool valid_host(std::string_view value);

}  // namespace pistesim::http
