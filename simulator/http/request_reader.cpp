#include "http/request_reader.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace pistesim::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// RFC 9110 §5.5: no control characters in a field value but HTAB.
bool has_control_char(std::string_view value) {
  return std::any_of(value.begin(), value.end(), is_field_control);
}

// The methods the simulator serves; TRACE and CONNECT are known to HTTP but refused (405).
constexpr std::array<std::string_view, 7> kServed = {"GET",   "HEAD",   "POST",   "PUT",
                                                     "PATCH", "DELETE", "OPTIONS"};

// "METHOD SP request-target SP HTTP-version" (RFC 9112 §3), checked as soon as the line is in,
// so that garbage is refused at once rather than after waiting for a head that never ends.
bool plausible_request_line(std::string_view line) {
  size_t first = line.find(' ');
  if (first == std::string_view::npos || first == 0) return false;
  if (!std::all_of(line.begin(), line.begin() + static_cast<long>(first), is_tchar)) return false;
  size_t second = line.find(' ', first + 1);
  if (second == std::string_view::npos || second == first + 1) return false;
  std::string_view version = line.substr(second + 1);
  return version.size() == 8 && version.starts_with("HTTP/");
}

bool iequal_prefix(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// A Content-Length of more digits than 64 bits hold: well formed (1*DIGIT) but over any limit,
// so a 413 rather than the 400 Beast gives a number it cannot store.
bool announces_absurd_length(std::string_view fields) {
  for (size_t at = 0; at < fields.size();) {
    size_t eol = fields.find("\r\n", at);
    std::string_view line = fields.substr(at, eol == std::string_view::npos ? eol : eol - at);
    at = eol == std::string_view::npos ? fields.size() : eol + 2;
    if (!iequal_prefix(line, "Content-Length:")) continue;
    std::string_view value = line.substr(15);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.size() > 19 &&
        std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return true;
  }
  return false;
}

// "gzip, chunked" → true; "chunked, gzip", "gzip", "" → false (RFC 9112 §6.3 item 4).
bool last_coding_is_chunked(std::string_view value) {
  size_t comma = value.rfind(',');
  std::string_view last = comma == std::string_view::npos ? value : value.substr(comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  return iequals(last, "chunked");
}

// RFC 9112 §3.2: a request-target is visible ASCII; no fragment (origin-form has none).
bool valid_target_bytes(std::string_view target) {
  return std::all_of(target.begin(), target.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7F && c != '#';
  });
}

// A chunk line (size and extensions) whose quoted string is not closed on the line: Beast
// would look for the closing quote past the line end and hold the connection.
bool unterminated_quote(std::string_view line) {
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (quoted && line[i] == '\\')
      ++i;
    else if (line[i] == '"')
      quoted = !quoted;
  }
  return quoted;
}

}  // namespace

bool valid_host(std::string_view value) {
  if (value.empty()) return false;  // an empty Host is allowed only without an authority
  std::string_view host = value;
  std::string_view port;
  if (host.front() == '[') {  // IP-literal
    size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    for (char c : host.substr(1, close - 1))
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) return false;
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    port = rest.empty() ? rest : rest.substr(1);
  } else {
    size_t colon = host.rfind(':');
    if (colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
    }
    // reg-name: unreserved / pct-encoded / sub-delims (RFC 3986 §3.2.2).
    for (char c : host) {
      bool ok = std::isalnum(static_cast<unsigned char>(c)) ||
                std::string_view("-._~%!$&'()*+,;=").find(c) != std::string_view::npos;
      if (!ok) return false;
    }
  }
  return std::all_of(port.begin(), port.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

RequestReader::RequestReader(const ReaderLimits& limits) : limits_(limits) {
  eager(true);
  // Beast's own ceiling sits above ours: the checks below answer first, with their status.
  header_limit(static_cast<std::uint32_t>(limits.max_request_line + limits.max_header_bytes + 8));
  body_limit(limits.max_body_bytes);
}

std::string_view RequestReader::allowed_methods() {
  return "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
}

void RequestReader::refuse(int status, std::string reason, beast::error_code& ec) {
  if (refusal_ == 0) {
    refusal_ = status;
    reason_ = std::move(reason);
  }
  ec = bhttp::error::bad_field;  // any error stops Beast; refusal_ says which
}

size_t RequestReader::feed(char* data, size_t size) {
  std::string_view bytes(data, size);
  if (refusal_ != 0 || is_done()) return 0;
  // RFC 9112 §2.2: one empty line before a request line is ignored.
  size_t skipped = 0;
  if (!got_some() && !skipped_blank_line_ && bytes.starts_with("\r\n")) {
    bytes.remove_prefix(2);
    skipped = 2;
    skipped_blank_line_ = true;
  }
  beast::error_code ec;
  if (!is_header_done()) {
    // Beast looks at a head only once it is whole; these refusals cannot wait for that.
    // RFC 9112 §2.2 lets a recipient accept a bare LF; a server answering PISTE's clients does
    // not, and says so at once rather than waiting for a CRLF CRLF that will never come.
    // Only the head: the body after it may hold any bytes.
    size_t head_end = bytes.find("\r\n\r\n");
    std::string_view head_bytes =
        bytes.substr(0, head_end == std::string_view::npos ? bytes.size() : head_end);
    for (size_t at = head_bytes.find('\n'); at != std::string_view::npos;
         at = head_bytes.find('\n', at + 1))
      if (at == 0 || head_bytes[at - 1] != '\r') {
        refuse(400, "bare LF in the request head", ec);
        return skipped;
      }
    // Beast takes the request line as soon as it is whole, the fields only once all are in.
    std::string_view fields = bytes;
    if (!line_done_) {
      // The method's first bytes tell garbage (a TLS ClientHello on the plain port) at once.
      std::string_view method = bytes.substr(0, bytes.find(' '));
      if (!std::all_of(method.begin(), method.end(), is_tchar)) {
        refuse(400, "not an HTTP request", ec);
        return skipped;
      }
      size_t line_end = bytes.find("\r\n");
      if ((line_end == std::string_view::npos ? bytes.size() : line_end) >
          limits_.max_request_line) {
        refuse(414, "request line too long", ec);
        return skipped;
      }
      if (line_end == std::string_view::npos) return skipped;  // the line is not in yet
      std::string_view line = bytes.substr(0, line_end);
      if (!plausible_request_line(line)) {
        refuse(400, "malformed request line", ec);
        return skipped;
      }
      // "HTTP/2.0", "HTTP/3.0": a version this server does not speak (Beast calls it malformed).
      std::string_view version = line.substr(line.size() - 8);
      if (version[5] != '1' && std::isdigit(static_cast<unsigned char>(version[5])) &&
          version[6] == '.' && std::isdigit(static_cast<unsigned char>(version[7]))) {
        refuse(505, "HTTP version not supported", ec);
        return skipped;
      }
      // RFC 9110 §2.5: a higher minor version of HTTP/1 is served as HTTP/1.1 (Beast knows
      // only 1.0 and 1.1): the digit is rewritten in the connection's buffer.
      if (version.starts_with("HTTP/1.") && version[7] > '1' && version[7] <= '9')
        data[skipped + line_end - 1] = '1';
      fields = bytes.substr(line_end + 2);
    }
    size_t fields_end = fields.starts_with("\r\n") ? 0 : fields.find("\r\n\r\n");
    size_t field_bytes = fields_end == std::string_view::npos ? fields.size() : fields_end + 2;
    if (field_bytes > limits_.max_header_bytes) {
      refuse(431, "header fields too large", ec);
      return skipped;
    }
    if (fields_end != std::string_view::npos &&
        announces_absurd_length(fields.substr(0, fields_end))) {
      refuse(413, "body too large", ec);
      return skipped;
    }
  }
  if (is_header_done() && chunked()) {
    // Unconsumed bytes of a chunked body start at a chunk line (Beast takes chunk data as it
    // comes).
    std::string_view rest = bytes.starts_with("\r\n") ? bytes.substr(2) : bytes;
    size_t eol = rest.find("\r\n");
    if (eol != std::string_view::npos && unterminated_quote(rest.substr(0, eol))) {
      refuse(400, "malformed chunk extension", ec);
      return skipped;
    }
  }
  size_t used = skipped + put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  if (!ec || ec == bhttp::error::need_more) return used;
  if (refusal_ != 0) return used;
  if (ec == bhttp::error::body_limit)
    refusal_ = 413, reason_ = "body too large";
  else if (ec == bhttp::error::header_limit)
    refusal_ = 431, reason_ = "header fields too large";
  else if (ec == bhttp::error::bad_transfer_encoding || ec == bhttp::error::bad_content_length ||
           ec == bhttp::error::multiple_content_length)
    refusal_ = 400, reason_ = "conflicting or malformed message framing (" + ec.message() + ")";
  else
    refusal_ = 400, reason_ = "malformed request (" + ec.message() + ")";
  return used;
}

void RequestReader::on_request_impl(bhttp::verb, boost::beast::string_view method,
                                    boost::beast::string_view target, int version,
                                    beast::error_code& ec) {
  version_ = version;
  line_done_ = true;
  request_.method.assign(method);
  if (version / 10 != 1) return refuse(505, "HTTP version not supported", ec);
  if (std::find(kServed.begin(), kServed.end(), method) == kServed.end()) {
    if (method == "TRACE" || method == "CONNECT")
      return refuse(405, "method " + std::string(method) + " not allowed", ec);
    return refuse(501, "method not implemented", ec);
  }
  // RFC 9112 §3.2: origin-form, or absolute-form (taking the authority from it, §3.2.2);
  // asterisk-form only for OPTIONS, authority-form only for CONNECT (refused above).
  std::string_view rest = target;
  if (iequal_prefix(rest, "http://") || iequal_prefix(rest, "https://")) {
    rest.remove_prefix(rest.find("//") + 2);
    size_t end = rest.find_first_of("/?");
    authority_.assign(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view("/") : rest.substr(end);
    // RFC 9110 §4.2.4: userinfo in an http(s) URI is an error (and a credential to keep out of
    // logs, which see only the path).
    if (authority_.find('@') != std::string::npos)
      return refuse(400, "userinfo in the request target", ec);
    if (!valid_host(authority_)) return refuse(400, "invalid authority in the request target", ec);
  } else if (target == "*") {
    if (method != "OPTIONS") return refuse(400, "asterisk-form target outside OPTIONS", ec);
  } else if (!target.starts_with('/')) {
    return refuse(400, "request target is not in origin or absolute form", ec);
  }
  if (!valid_target_bytes(target))
    return refuse(400, "invalid character in the request target", ec);
  size_t q = rest.find('?');
  if (rest.starts_with('?')) {
    request_.path = "/";
  } else {
    request_.path.assign(rest.substr(0, q));
  }
  if (q != std::string_view::npos) request_.query.assign(rest.substr(q + 1));
}

void RequestReader::on_response_impl(int, boost::beast::string_view, int, beast::error_code& ec) {
  ec = bhttp::error::bad_method;  // never called for a request parser
}

void RequestReader::on_field_impl(bhttp::field name, boost::beast::string_view name_string,
                                  boost::beast::string_view value, beast::error_code& ec) {
  header_bytes_ += name_string.size() + value.size() + 4;
  if (header_bytes_ > limits_.max_header_bytes) return refuse(431, "header fields too large", ec);
  if (request_.headers.size() >= limits_.max_header_count)
    return refuse(431, "too many header fields", ec);
  if (has_control_char(value)) return refuse(400, "control character in a field value", ec);
  switch (name) {
    case bhttp::field::host:
      if (++host_count_ > 1 && value != host_) return refuse(400, "two different Host fields", ec);
      if (host_count_ > 1) return refuse(400, "repeated Host field", ec);
      host_.assign(value);
      if (!value.empty() && !valid_host(value)) return refuse(400, "invalid Host field", ec);
      break;
    case bhttp::field::transfer_encoding:
      // RFC 9112 §6.1: an HTTP/1.0 message with a transfer coding has faulty framing;
      // §6.3: chunked not last is a 400; a coding the server does not know, a 501.
      if (version_ < 11) return refuse(400, "Transfer-Encoding in an HTTP/1.0 request", ec);
      if (!last_coding_is_chunked(value))
        return refuse(400, "Transfer-Encoding whose final coding is not chunked", ec);
      if (!iequals(value, "chunked"))
        return refuse(501, "Transfer-Encoding not implemented: only chunked is", ec);
      break;
    case bhttp::field::expect:
      if (!iequals(value, "100-continue")) return refuse(417, "unsupported expectation", ec);
      expect_continue_ = version_ >= 11;
      break;
    default:
      break;
  }
  request_.headers.add(std::string(name_string), std::string(value));
}

void RequestReader::on_header_impl(beast::error_code& ec) {
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400.
  if (version_ >= 11 && host_count_ == 0) return refuse(400, "missing Host field", ec);
  if (!authority_.empty()) request_.headers.set("Host", authority_);
  closes_ = !keep_alive();
}

void RequestReader::on_body_init_impl(const boost::optional<std::uint64_t>& length,
                                      beast::error_code&) {
  if (length) request_.body.reserve(static_cast<size_t>(*length));
}

std::size_t RequestReader::on_body_impl(boost::beast::string_view body, beast::error_code&) {
  request_.body.append(body);
  return body.size();
}

void RequestReader::on_chunk_header_impl(std::uint64_t, boost::beast::string_view,
                                         beast::error_code&) {}

std::size_t RequestReader::on_chunk_body_impl(std::uint64_t, boost::beast::string_view body,
                                              beast::error_code& ec) {
  if (request_.body.size() + body.size() > limits_.max_body_bytes) {
    refuse(413, "body too large", ec);
    return 0;
  }
  request_.body.append(body);
  return body.size();
}

void RequestReader::on_finish_impl(beast::error_code&) {}

}  // namespace pistesim::http
