#include "loadgen/http_wire.h"

#include <charconv>
#include <cstring>

#include "base/text.h"

namespace pistesim::loadgen {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (iequal(hay.substr(i, needle.size()), needle)) return true;
  return false;
}

}  // namespace

void write_request(std::string& out, std::string_view method, std::string_view target,
                   std::string_view host, std::string_view headers, std::string_view body) {
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(host);
  out.append("\r\n").append(headers);
  if (!body.empty() || method == "POST" || method == "PUT") {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, body.size());
    out.append("Content-Length: ").append(digits, end).append("\r\n");
  }
  out.append("\r\n").append(body);
}

void ResponseParser::reset() {
  phase_ = Phase::Head;
  line_buf_.clear();
  head_ = ResponseHead{};
  body_.clear();
  error_.clear();
  remaining_ = 0;
}

ResponseParser::State ResponseParser::fail(std::string why) {
  error_ = std::move(why);
  return State::Error;
}

void ResponseParser::keep(const char* p, size_t n) {
  size_t room = body_.size() < max_body_ ? max_body_ - body_.size() : 0;
  body_.append(p, std::min(n, room));
}

bool ResponseParser::parse_head() {
  std::string_view head(line_buf_);
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.")) {
    error_ = "malformed status line";
    return false;
  }
  bool http10 = status_line[7] == '0';
  head_.keep_alive = !http10;
  int status = 0;
  auto [p, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
  if (ec != std::errc() || status < 100 || status > 599) {
    error_ = "malformed status code";
    return false;
  }
  head_.status = status;
  bool chunked = false, has_length = false;
  uint64_t length = 0;
  size_t pos = eol + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(pos, end - pos);
    pos = end + 2;
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      error_ = "header line without a colon";
      return false;
    }
    std::string_view name = line.substr(0, colon), value = trim_blanks(line.substr(colon + 1));
    if (iequal(name, "Content-Length")) {
      auto [q, e] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (e != std::errc() || q != value.data() + value.size()) {
        error_ = "malformed Content-Length";
        return false;
      }
      has_length = true;
    } else if (iequal(name, "Transfer-Encoding")) {
      chunked = icontains(value, "chunked");
    } else if (iequal(name, "Connection")) {
      if (icontains(value, "close")) head_.keep_alive = false;
      if (icontains(value, "keep-alive")) head_.keep_alive = true;
    } else if (iequal(name, "Cache-Control")) {
      head_.cache_control = value;
    } else if (iequal(name, "Pragma")) {
      head_.pragma = value;
    } else if (iequal(name, "Content-Type")) {
      head_.content_type = value;
    } else if (iequal(name, "Retry-After")) {
      head_.retry_after = value;
      head_.has_retry_after = true;
    } else if (iequal(name, "x-rate-limit")) {
      head_.rate_limit = value;
      head_.has_rate_limit = true;
    } else if (iequal(name, "x-correlation-id")) {
      head_.has_correlation_id = true;
    } else if (iequal(name, "WWW-Authenticate")) {
      head_.www_authenticate = value;
    }
  }
  // RFC 9112 §6.3: 1xx, 204 and 304 have no body; chunked wins over Content-Length.
  if (status < 200 || status == 204 || status == 304) {
    phase_ = Phase::Done;
  } else if (chunked) {
    phase_ = Phase::ChunkSize;
  } else if (has_length) {
    remaining_ = length;
    phase_ = length ? Phase::Body : Phase::Done;
  } else {
    error_ = "response without Content-Length or chunked encoding (read-until-close unsupported)";
    return false;
  }
  return true;
}

ResponseParser::State ResponseParser::feed(const char* data, size_t size, size_t* consumed) {
  size_t i = 0;
  while (phase_ != Phase::Done) {
    switch (phase_) {
      case Phase::Head: {
        // Look for the blank line, including across the previous feed's tail.
        size_t before = line_buf_.size();
        size_t take = size - i;
        line_buf_.append(data + i, take);
        size_t from = before >= 3 ? before - 3 : 0;
        size_t end = line_buf_.find("\r\n\r\n", from);
        if (end == std::string::npos) {
          if (line_buf_.size() > 64 * 1024) return fail("response head larger than 64 KiB");
          i = size;
          *consumed = i;
          return State::Incomplete;
        }
        size_t head_len = end + 4;
        i += head_len - before;
        line_buf_.resize(head_len);
        if (!parse_head()) return State::Error;
        line_buf_.clear();
        break;
      }
      case Phase::Body: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, size - i));
        keep(data + i, n);
        i += n;
        remaining_ -= n;
        if (remaining_ == 0) phase_ = Phase::Done;
        break;
      }
      case Phase::ChunkSize:
      case Phase::Trailers:
      case Phase::ChunkDataEnd: {
        const char* nl = static_cast<const char*>(std::memchr(data + i, '\n', size - i));
        if (!nl) {
          line_buf_.append(data + i, size - i);
          if (line_buf_.size() > 4096) return fail("chunk line too long");
          i = size;
          break;
        }
        line_buf_.append(data + i, static_cast<size_t>(nl - (data + i)));
        i = static_cast<size_t>(nl - data) + 1;
        std::string_view line = trim_blanks(line_buf_);
        if (phase_ == Phase::ChunkDataEnd) {
          if (!line.empty()) return fail("missing CRLF after chunk data");
          phase_ = Phase::ChunkSize;
        } else if (phase_ == Phase::Trailers) {
          if (line.empty()) phase_ = Phase::Done;
        } else {
          size_t semi = line.find(';');
          if (semi != std::string_view::npos) line = trim_blanks(line.substr(0, semi));
          uint64_t n = 0;
          auto [q, e] = std::from_chars(line.data(), line.data() + line.size(), n, 16);
          if (line.empty() || e != std::errc() || q != line.data() + line.size())
            return fail("malformed chunk size");
          remaining_ = n;
          phase_ = n == 0 ? Phase::Trailers : Phase::ChunkData;
        }
        line_buf_.clear();
        break;
      }
      case Phase::ChunkData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, size - i));
        keep(data + i, n);
        i += n;
        remaining_ -= n;
        if (remaining_ == 0) phase_ = Phase::ChunkDataEnd;
        break;
      }
      case Phase::Done:
        break;
    }
    if (i == size && phase_ != Phase::Done) {
      *consumed = i;
      return State::Incomplete;
    }
  }
  *consumed = i;
  return State::Complete;
}

}  // namespace pistesim::loadgen
