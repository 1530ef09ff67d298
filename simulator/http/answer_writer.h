// Turns the core's Response values, and the server's own refusals, into HTTP/1.1 bytes; and
// writes the access log's lines. Serialises into a buffer the connection reuses, so an answer
// costs no allocation once the connection is warm.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "wire/http_message.h"

namespace pistesim::http {

struct AnswerShape {
  bool head_only = false;  // a HEAD request: the fields of the GET answer, no body
  bool closes = false;     // Connection: close, and the server closes after it
  bool http10 = false;     // an HTTP/1.0 client kept alive must be told so
};

// Appends the answer's status line, fields (the core's, then Date, Content-Length and
// Connection) and body to *out. Field values are stripped of control characters: a value the
// core copied from the request (Origin is reflected) must not split the answer.
void serialize_answer(const Response& response, const AnswerShape& shape, std::string* out);

// What a dropped connection shows before the cut: the status line and the fields of an
// answer whose announced body never comes.
void serialize_truncated_head(const Response& response, std::string* out);

// The server's own answer to a request it refused before the core saw it (400, 405, 408, 413,
// 414, 417, 431, 501, 503, 505): a JSON body in PISTE's OAuth error shape, Cache-Control
// no-store, Connection: close.
// `allow`: the Allow field of a 405.
std::string transport_answer(int status, std::string_view detail = {}, std::string_view allow = {});
// The JSON body alone (tests, and 503's when a connection is refused).
std::string transport_error_body(int status, std::string_view detail = {});

// "Sun, 06 Dec 2026 15:14:40 GMT" (RFC 9110 §5.6.7) for the current second, cached per thread.
std::string_view http_date_now();

}  // namespace pistesim::http
