// A catalogue of malformed, hostile or odd HTTP/1.1 requests, each sent as raw bytes over a
// loopback socket to one `pistesim serve`. Every answer is checked against RFC 9112 (message
// syntax) and RFC 9110 (semantics): its status, that the connection is closed where the RFC
// requires it (or where the request's framing is lost), and the JSON error body of the server's
// own refusals. After each entry a normal GET /__pistesim/health must still get its 200.
//
// Where the RFC allows a choice (obs-fold: reject or unfold; a repeated identical
// Content-Length: reject or use it…) an entry lists every status it allows. Where the server
// and the RFC disagree, the entry says what the RFC says.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "e2e/raw_socket.h"
#include "e2e/served_simulator.h"

// Its own namespace: the helpers below must not meet the shared raw-socket helpers' names.
namespace pistesim::test::malformed_catalogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A loopback answer takes milliseconds; the main server's head timeout is 10 s, so an answer
// that comes only after this bound is a hang, not an answer.
constexpr auto kAnswerWithin = 3s;
// The server ends a connection right after its last answer; this is ample on loopback.
constexpr auto kClosedWithin = 1s;
constexpr std::string_view kAllow = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
constexpr size_t kBodyLimit = 1024 * 1024;
const std::string kToken = "/sandbox/oauth/api/oauth/token";
const std::string kHost = "Host: 127.0.0.1\r\n";

// One answer as read from the wire.
struct Answer {
  int status = 0;  // 0: the connection ended (or the bound passed) before a status line
  std::string head;
  std::string body;
  bool timed_out = false;

  // The first field called `name` (any case), "" when absent.
  std::string header(std::string_view name) const { return header_field(head, name); }
};

std::ostream& operator<<(std::ostream& out, const Answer& a) {
  return out << (a.timed_out ? "(no answer in time) " : "") << "[" << a.head << "] " << a.body;
}

// A client connection to 127.0.0.1:port; every read is bounded in time.
class Wire {
 public:
  explicit Wire(int port) : fd_(connect_loopback(port)) {}
  ~Wire() {
    if (fd_ >= 0) ::close(fd_);
  }
  Wire(const Wire&) = delete;
  Wire& operator=(const Wire&) = delete;
  bool connected() const { return fd_ >= 0; }

  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;  // the server answered and stopped reading: that is its right
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }
  void half_close() { ::shutdown(fd_, SHUT_WR); }

  // One answer: its head, then as many body bytes as its Content-Length says (none for HEAD).
  Answer read_answer(bool head_only = false) {
    Answer a;
    const auto deadline = Clock::now() + kAnswerWithin;
    size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos) {
      if (fill(deadline)) continue;
      a.timed_out = !eof_;
      a.head = in_;  // whatever came, for the failure message
      return a;
    }
    a.head = in_.substr(0, end);
    in_.erase(0, end + 4);
    if (a.head.starts_with("HTTP/1.1 ") && a.head.size() >= 12)
      a.status = std::atoi(a.head.c_str() + 9);
    std::string length = a.header("Content-Length");
    size_t want = head_only || length.empty() ? 0 : std::stoul(length);
    while (in_.size() < want)
      if (!fill(deadline)) break;
    a.body = in_.substr(0, std::min(want, in_.size()));
    in_.erase(0, a.body.size());
    return a;
  }

  // True once the server ends the connection (end of stream or reset) within `limit`; bytes
  // that arrive first are kept (they would be an answer the server should not have sent).
  bool closed_within(Clock::duration limit) {
    const auto deadline = Clock::now() + limit;
    while (fill(deadline)) {
    }
    return eof_;
  }
  const std::string& unread() const { return in_; }

 private:
  // Appends what arrives before `deadline`; false at the end of the stream or the deadline.
  bool fill(Clock::time_point deadline) {
    if (eof_) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[16384];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    in_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  std::string in_;
  bool eof_ = false;
};

// --- Request builders. Each returns the raw bytes of one request. ---------------------------

// `GET target` with Host and `fields` (each ending in CRLF).
std::string get(const std::string& target, const std::string& fields = "") {
  return "GET " + target + " HTTP/1.1\r\n" + kHost + fields + "\r\n";
}
// GET /__pistesim/health with exactly `fields`: no Host unless they carry one.
std::string health_with(const std::string& fields) {
  return "GET /__pistesim/health HTTP/1.1\r\n" + fields + "\r\n";
}
// A request line of our own, with Host.
std::string line(const std::string& request_line) {
  return request_line + "\r\n" + kHost + "\r\n";
}
// POST of a form to the token endpoint, framed by `framing` (field lines), then `body`.
std::string post(const std::string& framing, const std::string& body) {
  return "POST " + kToken + " HTTP/1.1\r\n" + kHost +
         "Content-Type: application/x-www-form-urlencoded\r\n" + framing + "\r\n" + body;
}
std::string chunked_post(const std::string& chunks) {
  return post("Transfer-Encoding: chunked\r\n", chunks);
}
// `body` as one chunk then the last chunk.
std::string one_chunk(const std::string& body, const std::string& extension = "") {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx", body.size());
  return size + extension + "\r\n" + body + "\r\n0\r\n\r\n";
}
std::string length(size_t n) {
  return "Content-Length: " + std::to_string(n) + "\r\n";
}
std::string fields_of(int count, size_t value_size) {
  std::string out;
  for (int i = 0; i < count; ++i)
    out += "X-Field-" + std::to_string(i) + ": " + std::string(value_size, 'v') + "\r\n";
  return out;
}

// `s` with control and non-ASCII bytes as '?', for entry names.
std::string shown(std::string s) {
  for (char& ch : s) ch = ch < 0x20 || ch >= 0x7f ? '?' : ch;
  return s;
}

// One catalogue entry.
struct Case {
  std::string name;
  std::string bytes;
  // The answers the RFC allows (several where it leaves a choice); 0: the connection ends
  // without an answer.
  std::vector<int> statuses;
  // The connection must end after the answer: RFC 9112 requires it after a framing error
  // (§6.1, §6.3), for HTTP/1.0 without keep-alive (§9.3), after "Connection: close" (§9.6,
  // which holds any answer saying it too); and a server that stops reading a request where it
  // refuses it can only close, the bytes that follow being no request it can trust.
  bool must_close;
  bool half_close = false;  // the client shuts its sending side after the bytes
};

// The statuses of the server's own refusals, whose bodies are {"error":"invalid_request",…}.
constexpr int kRefusals[] = {400, 405, 408, 413, 414, 417, 431, 501, 505};

std::vector<Case> catalogue(const std::string& form) {
  const std::string n = std::to_string(form.size());
  const std::string pad = form + "&padding=";
  std::vector<Case> c;
  auto add = [&c](std::string name, std::string bytes, std::vector<int> statuses, bool must_close,
                  bool half_close = false) {
    c.push_back({std::move(name), std::move(bytes), std::move(statuses), must_close, half_close});
  };

  // Request lines (RFC 9112 §3: method SP request-target SP HTTP-version; an invalid one is a
  // 400, and without a line the framing of the message is unknown, so the connection closes).
  for (std::string bad :
       {"GET /__pistesim/health", "GET", "/__pistesim/health HTTP/1.1",
        "GET  /__pistesim/health HTTP/1.1", "GET /__pistesim/health  HTTP/1.1",
        " GET /__pistesim/health HTTP/1.1", "GET /__pistesim/health HTTP/1.1 ",
        "GET\t/__pistesim/health HTTP/1.1", "GET /__pistesim/health http/1.1",
        "GET /__pistesim/health HTTP/1", "GET /__pistesim/health HTTP/1.10",
        "GET /__pistesim/health HTTP/11.1", "GET /__pistesim/health HTTP/2",
        "GE(T /__pistesim/health HTTP/1.1", "GET HTTP/1.1", "\x16\x03\x01\xff\xfe garbage"})
    add("request line [" + shown(bad) + "]", line(bad), {400}, true);
  add("request line [GET /\\0]", line(std::string("GET /\0 HTTP/1.1", 15)), {400}, true);
  add("empty line then garbage", "\r\nGARBAGE\r\n\r\n", {400}, true);
  add("empty lines only", "\r\n\r\n", {400}, true);
  // §2.2: a server SHOULD ignore at least one empty line before the request line.
  add("one leading empty line", "\r\n" + get("/__pistesim/health"), {200}, false);
  add("two leading empty lines", "\r\n\r\n" + get("/__pistesim/health"), {400, 200}, false);
  // §3.2: origin-form is an absolute-path, which "//x" is (an empty first segment); a fragment
  // or a raw non-ASCII byte is no part of any request-target: an invalid request line, which
  // §3 says a recipient SHOULD answer with 400 (or a 301 to the encoded target).
  add("origin-form //x is valid (routed, not refused)", get("//x"), {404}, false);
  add("target with a fragment", get("/__pistesim/health#frag"), {400}, false);
  add("target with a raw UTF-8 byte", get("/caf\xc3\xa9"), {400, 301}, false);
  add("target not in origin or absolute form", get("foo"), {400}, true);
  add("authority-form outside CONNECT", get("127.0.0.1:80"), {400}, true);
  add("asterisk-form on GET (§3.2.4)", get("*"), {400}, true);
  // §3.2.4: OPTIONS * is the server's own; whatever it answers, not a 5xx and not a hang.
  add("OPTIONS *", line("OPTIONS * HTTP/1.1"), {200, 204, 404}, false);
  add("query string is kept out of the path", get("/__pistesim/health?a=b?c"), {200}, false);

  // Absolute-form (§3.2.2): accepted, its authority wins over Host; userinfo is an error
  // (RFC 9110 §4.2.4), an empty host is invalid (RFC 9110 §4.2.1), Host is still required (§3.2).
  add("absolute-form", get("http://127.0.0.1/__pistesim/health"), {200}, false);
  add("absolute-form, scheme in capitals", get("HTTP://127.0.0.1/__pistesim/health"), {200}, false);
  add("absolute-form https", get("https://127.0.0.1/__pistesim/health"), {200, 421}, false);
  add("absolute-form overrides another Host",
      "GET http://127.0.0.1/__pistesim/health HTTP/1.1\r\nHost: other.example\r\n\r\n", {200},
      false);
  add("absolute-form without Host", "GET http://127.0.0.1/__pistesim/health HTTP/1.1\r\n\r\n",
      {400}, true);
  add("absolute-form with userinfo", get("http://user:pw@127.0.0.1/x"), {400}, true);
  add("absolute-form with an empty userinfo", get("http://@127.0.0.1/x"), {400}, true);
  add("absolute-form with an empty host", get("http:///__pistesim/health"), {400}, true);
  add("absolute-form with another scheme", get("ftp://127.0.0.1/x"), {400}, true);

  // Methods (RFC 9110 §9.1: case-sensitive; unknown → 501; TRACE and CONNECT are known but
  // refused → 405 with Allow, §15.5.6).
  for (std::string m : std::vector<std::string>{"BREW", "FOO", "get", "Get", "PROPFIND", "MKCOL",
                                                "PRI-X", std::string(100, 'A')})
    add("unknown method " + m.substr(0, 12), line(m + " /__pistesim/health HTTP/1.1"), {501}, true);
  add("TRACE", line("TRACE /__pistesim/health HTTP/1.1"), {405}, true);
  add("CONNECT", line("CONNECT 127.0.0.1:443 HTTP/1.1"), {405}, true);

  // Versions (RFC 9110 §15.6.6: another major version → 505; §2.5: a higher minor version of
  // 1.x SHOULD be processed as the highest 1.x the server implements).
  for (std::string v : {"HTTP/2.0", "HTTP/3.0", "HTTP/0.9", "HTTP/9.9"})
    add("version " + v, line("GET /__pistesim/health " + v), {505}, true);
  add("HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {505}, true);
  add("version HTTP/1.9 is served as 1.1", line("GET /__pistesim/health HTTP/1.9"), {200}, false);
  // HTTP/1.0: no Host needed (§3.2); the connection closes unless kept alive (§9.3).
  add("HTTP/1.0 without Host", "GET /__pistesim/health HTTP/1.0\r\n\r\n", {200}, true);

  // Host (§3.2: missing in 1.1, repeated, or invalid → 400; RFC 9110 §7.2: uri-host [":" port]).
  add("missing Host", health_with(""), {400}, true);
  add("two identical Host fields", health_with(kHost + kHost), {400}, true);
  add("two different Host fields", health_with(kHost + "Host: other\r\n"), {400}, true);
  for (std::string bad : {"a b/c", "x@y", "[::1", "127.0.0.1:http", "a/b", "[::1]x", "h?q"})
    add("invalid Host " + bad, health_with("Host: " + bad + "\r\n"), {400}, true);
  for (std::string ok : {"[::1]:8080", "127.0.0.1:", "LOCALHOST", "", "xn--caf-dma.example"})
    add("valid Host [" + ok + "]", health_with("Host: " + ok + "\r\n"), {200}, false);
  add("Host in any case", health_with("hOsT: 127.0.0.1\r\n"), {200}, false);

  // Field lines (RFC 9112 §5, RFC 9110 §5.1: field-name is a token, no space before the colon
  // (§5.1: MUST 400), values are VCHAR/obs-text/SP/HTAB; CR, LF, NUL MUST be rejected or
  // replaced (RFC 9110 §5.5); obs-fold MUST be rejected or replaced by SP (§5.2)).
  add("space before the colon", health_with("Host : 127.0.0.1\r\n"), {400}, true);
  add("Transfer-Encoding with a space before the colon",
      post("Transfer-Encoding : chunked\r\n", one_chunk(form)), {400}, true);
  const std::pair<std::string, std::string> bad_fields[] = {
      {"field line without a colon", "NoColon"},
      {"space in a field name", "X Bad: v"},
      {"'(' in a field name", "X(bad): v"},
      {"empty field name", ": v"},
      {"NUL in a field name", std::string("X\0Y: v", 6)},
      {"NUL in a field value", std::string("X-A: a\0b", 8)},
      {"bare CR in a field value", "X-A: a\rb"},
      {"bare CR before CRLF", "X-A: a\r"},
      {"DEL in a field value", "X-A: a\x7f b"},
      {"ESC in a field value", "X-A: \x1b[31m"},
  };
  for (const auto& [name, field] : bad_fields)
    add(name, get("/__pistesim/health", field + "\r\n"), {400}, true);
  add("obs-fold (SP)", get("/__pistesim/health", "X-A: a\r\n b\r\n"), {400, 200}, false);
  add("obs-fold (HTAB)", get("/__pistesim/health", "X-A: a\r\n\tb\r\n"), {400, 200}, false);
  // §2.2: whitespace before the first field line: reject, or ignore that line.
  add("whitespace before the first field line",
      "GET /__pistesim/health HTTP/1.1\r\n X-A: a\r\n" + kHost + "\r\n", {400, 200}, false);
  add("obs-text in a field value", get("/__pistesim/health", "X-A: caf\xe9\r\n"), {200}, false);
  add("HTAB and OWS in field values", get("/__pistesim/health", "X-A:\t a\tb \t\r\nX-Empty:\r\n"),
      {200}, false);
  // Bare LF (§2.2: MAY be accepted as a line end; refused here, and at once).
  add("bare LF line ends", "GET /__pistesim/health HTTP/1.1\nHost: 127.0.0.1\n\n", {400}, true);
  add("bare LF after the request line, head unfinished", "GET /__pistesim/health HTTP/1.1\n", {400},
      true);
  add("bare LF in the fields, head unfinished",
      "GET /__pistesim/health HTTP/1.1\r\nHost: 127.0.0.1\nX-A: b\r\n", {400}, true);

  // Limits (RFC 9112 §3: a target too long → 414; RFC 6585 §5: fields too large → 431). The
  // head is left unread: the connection closes.
  add("request line over 8 KiB", get("/" + std::string(9000, 'a')), {414}, true);
  add("request line over 8 KiB, unfinished", "GET /" + std::string(9000, 'a'), {414}, true);
  add("request line just under 8 KiB", get("/__pistesim/health?p=" + std::string(8000, 'p')), {200},
      false);
  add("fields over 8 KiB in total", get("/__pistesim/health", fields_of(9, 1000)), {431}, true);
  add("one field over 8 KiB", get("/__pistesim/health", fields_of(1, 9000)), {431}, true);
  add("one field over 8 KiB, unfinished",
      "GET /__pistesim/health HTTP/1.1\r\n" + kHost + fields_of(1, 9000).substr(0, 9010), {431},
      true);
  add("101 fields", get("/__pistesim/health", fields_of(100, 1)), {431}, true);
  add("100 fields", get("/__pistesim/health", fields_of(99, 1)), {200}, false);
  add("fields just under 8 KiB", get("/__pistesim/health", fields_of(1, 7000)), {200}, false);

  // Content-Length (RFC 9112 §6.3 item 5: invalid → 400 and close; RFC 9110 §8.6: a repeated
  // identical value MAY be used or rejected; §6.3 item 3 and §6.1: with Transfer-Encoding, the
  // server MUST close after answering).
  for (std::string bad :
       std::vector<std::string>{"abc", "-1", "1 2", "+5", "0x10", "", "5.0", "1e3", n + "x"})
    add("Content-Length [" + bad + "]", post("Content-Length: " + bad + "\r\n", form), {400}, true);
  add("two different Content-Lengths", post(length(form.size()) + length(7), form), {400}, true);
  add("Content-Length list of different values", post("Content-Length: " + n + ", 7\r\n", form),
      {400}, true);
  add("two identical Content-Lengths", post(length(form.size()) + length(form.size()), form),
      {200, 400}, false);
  add("Content-Length list of one value twice",
      post("Content-Length: " + n + ", " + n + "\r\n", form), {200, 400}, false);
  add("Content-Length with leading zeros", post("Content-Length: 000" + n + "\r\n", form), {200},
      false);
  add("Content-Length then Transfer-Encoding",
      post(length(form.size()) + "Transfer-Encoding: chunked\r\n", one_chunk(form)), {400}, true);
  add("Transfer-Encoding then Content-Length",
      post("Transfer-Encoding: chunked\r\n" + length(5), one_chunk(form)), {400}, true);
  add("body shorter than Content-Length, then half-close", post(length(form.size() + 20), form),
      {400, 0}, true, true);

  // Body size (RFC 9110 §15.5.14: 413), announced → at once, without waiting for the body; the
  // body is left unread, so the connection closes. RFC 9110 §10.1.1: no 100 Continue first.
  for (std::string big : {"1048577", "1000000000000", "1234567890123456789012345"})
    add("Content-Length " + big, post("Content-Length: " + big + "\r\n", ""), {413}, true);
  add("Expect: 100-continue with 5 000 000 bytes announced",
      post("Expect: 100-continue\r\nContent-Length: 5000000\r\n", ""), {413}, true);
  add("a chunk announcing 2 MiB", chunked_post("200000\r\nabc"), {413}, true);
  {
    std::string chunks;  // 17 chunks of 64 KiB: past the limit while reading
    for (int i = 0; i < 17; ++i) chunks += "10000\r\n" + std::string(65536, 'c') + "\r\n";
    add("a chunked body growing past 1 MiB", chunked_post(chunks + "0\r\n\r\n"), {413}, true);
  }
  add("a body of exactly 1 MiB is read",
      post(length(kBodyLimit), pad + std::string(kBodyLimit - pad.size(), 'p')), {200}, false);

  // Expect (RFC 9110 §10.1.1: anything but 100-continue MAY get 417; the value is
  // case-insensitive; an HTTP/1.0 server MUST ignore 100-continue).
  add("Expect: foo", post("Expect: foo\r\n" + length(form.size()), form), {417}, true);
  add("Expect: 100-continue, foo",
      post("Expect: 100-continue, foo\r\n" + length(form.size()), form), {417}, true);
  add("Expect: 100-Continue with its body at once",
      post("Expect: 100-Continue\r\n" + length(form.size()), form), {200, 100}, false);
  {
    std::string http10 = post("Expect: 100-continue\r\n" + length(form.size()), form);
    http10.replace(http10.find("HTTP/1.1"), 8, "HTTP/1.0");
    add("Expect: 100-continue in HTTP/1.0 is ignored", http10, {200}, true);
  }

  // Transfer-Encoding (RFC 9112 §6.3 item 4: in a request whose final coding is not chunked the
  // length cannot be determined: the server MUST answer 400 and close; §6.1: a coding it does
  // not understand, chunked being final, SHOULD get 501; codings are case-insensitive (§7)).
  for (std::string te : {"gzip", "chunked, gzip", "identity", "xchunked", ""})
    add("Transfer-Encoding [" + te + "]",
        post("Transfer-Encoding: " + te + "\r\n", one_chunk(form)), {400}, true);
  add("Transfer-Encoding [gzip, chunked]",
      post("Transfer-Encoding: gzip, chunked\r\n", one_chunk(form)), {501}, true);
  add("Transfer-Encoding chunked twice",
      post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", one_chunk(form)),
      {400, 501}, true);
  add("Transfer-Encoding [Chunked]", post("Transfer-Encoding: Chunked\r\n", one_chunk(form)), {200},
      false);
  add("Transfer-Encoding with OWS", post("Transfer-Encoding:\t chunked \r\n", one_chunk(form)),
      {200}, false);
  // §6.1: Transfer-Encoding in HTTP/1.0 MUST be taken as faulty framing and the connection
  // closed after the answer, even when the client asked to keep it alive.
  add("Transfer-Encoding in HTTP/1.0 with keep-alive",
      "GET /__pistesim/health HTTP/1.0\r\nConnection: keep-alive\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      {400, 200}, true);

  // Chunked bodies (RFC 9112 §7.1: chunk-size is 1*HEXDIG, an extension is ";" token
  // ["=" value], each chunk's data ends with CRLF; §7.1: mind overflows). A broken chunk loses
  // the framing: 400 and close.
  add("chunked form", chunked_post(one_chunk(form)), {200}, false);
  add("chunk extension", chunked_post(one_chunk(form, ";name=value")), {200}, false);
  add("chunk extension, quoted", chunked_post(one_chunk(form, ";n=\"a b\"")), {200}, false);
  std::string with_trailer = one_chunk(form);
  with_trailer.replace(with_trailer.size() - 2, 2, "X-Trailer: t\r\n\r\n");
  add("trailer field", chunked_post(with_trailer), {200}, false);
  for (std::string size : {"zz", "-5", "0x5", "5 5", "fffffffffffffffffff", ""})
    add("chunk size [" + size + "]", chunked_post(size + "\r\nhello\r\n0\r\n\r\n"), {400}, true);
  for (std::string ext : {";", ";;", "; =", ";\x01", ";a=\"open", " "})
    add("chunk extension [" + shown(ext) + "]", chunked_post("5" + ext + "\r\nhello\r\n0\r\n\r\n"),
        {400}, true);
  add("chunk data not followed by CRLF", chunked_post("5\r\nhelloXX0\r\n\r\n"), {400}, true);
  add("chunk data longer than its size", chunked_post("3\r\nhello\r\n0\r\n\r\n"), {400}, true);
  add("no last chunk, then half-close", chunked_post("5\r\nhello\r\n"), {400, 0}, true, true);
  add("no final CRLF, then half-close", chunked_post("5\r\nhello\r\n0\r\n"), {400, 0}, true, true);
  add("request line cut short, then half-close", "GET /__pistesim/he", {400, 0}, true, true);
  return c;
}

// The main catalogue: one server, default limits.
class MalformedCatalogue : public SharedServerTest {
 protected:
  // A normal client is still served, on a connection of its own.
  static void expect_still_serving() {
    Wire w(port());
    w.send(get("/__pistesim/health", "Connection: close\r\n"));
    Answer a = w.read_answer();
    EXPECT_EQ(a.status, 200) << "the server stopped serving: " << a;
    EXPECT_EQ(json::parse(a.body, nullptr, false).value("status", ""), "ok") << a;
  }
};

// Checks one answer against its entry; `w` is the connection it came on.
void expect_answer(const Case& c, Wire& w, const Answer& a) {
  EXPECT_FALSE(a.timed_out) << "no answer within the bound: " << a;
  EXPECT_TRUE(std::ranges::find(c.statuses, a.status) != c.statuses.end())
      << "status " << a.status << ", the RFC allows " << ::testing::PrintToString(c.statuses)
      << ": " << a;
  if (std::ranges::find(kRefusals, a.status) != std::end(kRefusals)) {
    EXPECT_EQ(json::parse(a.body, nullptr, false).value("error", ""), "invalid_request") << a;
    EXPECT_EQ(a.header("Content-Type"), "application/json") << a;
  }
  if (a.status == 405) {
    EXPECT_EQ(a.header("Allow"), kAllow) << a;
  }
  const bool says_close = iequals(a.header("Connection"), "close");
  if (c.must_close || says_close) {
    EXPECT_TRUE(w.closed_within(kClosedWithin)) << "the connection stayed open after: " << a;
    EXPECT_EQ(w.unread(), "") << "bytes after the answer";
  }
  // A server that closes says so first (RFC 9112 §9.6 SHOULD), unless it did not answer.
  if (c.must_close && a.status != 0) {
    EXPECT_TRUE(says_close) << "closed without Connection: close: " << a;
  }
}

TEST_F(MalformedCatalogue, EachEntryGetsItsRfcAnswerAndTheServerGoesOn) {
  const std::vector<Case> entries = catalogue(credentials_form());
  EXPECT_GE(entries.size(), 110u);
  for (const Case& c : entries) {
    SCOPED_TRACE(c.name);
    {
      Wire w(port());
      ASSERT_TRUE(w.connected());
      w.send(c.bytes);
      if (c.half_close) w.half_close();
      Answer a = w.read_answer();
      expect_answer(c, w, a);
    }
    expect_still_serving();
  }
}

// RFC 9110 §10.1.1: with Expect: 100-continue, the client may wait for the interim answer
// before sending the body; the server sends it once the head is in, then the final answer.
TEST_F(MalformedCatalogue, ExpectContinueGetsTheInterimAnswerThenTheFinalOne) {
  const std::string form = credentials_form();
  Wire w(port());
  w.send(post("Expect: 100-continue\r\n" + length(form.size()), ""));
  Answer interim = w.read_answer();
  EXPECT_EQ(interim.head, "HTTP/1.1 100 Continue") << interim;
  w.send(form);
  Answer final_answer = w.read_answer();
  EXPECT_EQ(final_answer.status, 200) << final_answer;
  EXPECT_TRUE(json::parse(final_answer.body, nullptr, false).contains("access_token"))
      << final_answer;
  expect_still_serving();
}

// RFC 9110 §9.3.2: HEAD is GET without content, with the fields GET would send (Content-Length
// included, §8.6); on a kept-alive connection the next answer follows the head directly.
TEST_F(MalformedCatalogue, HeadGetsTheFieldsOfGetAndNoBody) {
  Wire w(port());
  w.send(get("/__pistesim/health"));
  Answer got = w.read_answer();
  ASSERT_EQ(got.status, 200) << got;
  w.send("HEAD /__pistesim/health HTTP/1.1\r\n" + kHost + "\r\n");
  Answer head = w.read_answer(/*head_only=*/true);
  EXPECT_EQ(head.status, 200) << head;
  EXPECT_EQ(head.header("Content-Length"), std::to_string(got.body.size())) << head;
  w.send(get("/__pistesim/health", "Connection: close\r\n"));
  Answer after = w.read_answer();
  EXPECT_EQ(after.status, 200) << "a body followed the HEAD answer: " << after;
  EXPECT_TRUE(w.closed_within(kClosedWithin));
  expect_still_serving();
}

// RFC 9112 §9.3.2: pipelined requests are answered in the order received; a refused one ends
// the connection after the answers before it.
TEST_F(MalformedCatalogue, PipelinedRequestsAreAnsweredInOrder) {
  {
    Wire w(port());
    w.send(get("/__pistesim/health") + get("/__pistesim/ready") +
           get("/__pistesim/health", "Connection: close\r\n"));
    for (std::string expected : {"ok", "ready", "ok"}) {
      Answer a = w.read_answer();
      EXPECT_EQ(a.status, 200) << a;
      EXPECT_EQ(json::parse(a.body, nullptr, false).value("status", ""), expected) << a;
    }
    EXPECT_TRUE(w.closed_within(kClosedWithin));
  }
  {
    Wire w(port());
    w.send(get("/__pistesim/health") + line("BREW /pot HTTP/1.1") + get("/__pistesim/health"));
    EXPECT_EQ(w.read_answer().status, 200);
    Answer refused = w.read_answer();
    EXPECT_EQ(refused.status, 501) << refused;
    EXPECT_TRUE(w.closed_within(kClosedWithin));
    EXPECT_EQ(w.unread(), "") << "a request after the refused one was answered";
  }
  {
    // RFC 9112 §9.3: HTTP/1.0 with keep-alive persists.
    Wire w(port());
    const std::string again = "GET /__pistesim/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    w.send(again + again);
    for (int i = 0; i < 2; ++i) {
      Answer a = w.read_answer();
      EXPECT_EQ(a.status, 200) << a;
      EXPECT_TRUE(iequals(a.header("Connection"), "keep-alive")) << a;
    }
  }
  expect_still_serving();
}

// A head started and never finished gets 408 once the head timeout passes (RFC 9110 §15.5.9:
// the server closes rather than wait), on a server of its own with a 1 s head timeout.
class MalformedCatalogueTimeouts : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServedSimulator({"--header-timeout", "1", "--request-timeout", "1"});
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static inline ServedSimulator* server_ = nullptr;
};

TEST_F(MalformedCatalogueTimeouts, UnfinishedRequestsGet408AndTheConnectionCloses) {
  ASSERT_TRUE(server_->started()) << server_->output();
  const std::string unfinished_head = "GET /__pistesim/health HTTP/1.1\r\n" + kHost;
  // A TLS ClientHello on the plain port has no line end: refused at once, or at the timeout.
  const std::string client_hello =
      std::string("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11) + std::string(32, '\0');
  const std::vector<Case> entries = {
      {"head without its final empty line", unfinished_head, {408}, true},
      {"request line cut short", "GET /__pistesim/he", {408}, true},
      {"body never finished", post(length(100), "grant_type="), {408}, true},
      {"TLS ClientHello", client_hello, {400, 408}, true},
  };
  // All at once, so that the catalogue waits for one timeout, not one per entry.
  std::vector<std::unique_ptr<Wire>> wires;
  const auto began = Clock::now();
  for (const Case& c : entries) {
    wires.push_back(std::make_unique<Wire>(server_->port()));
    ASSERT_TRUE(wires.back()->connected());
    wires.back()->send(c.bytes);
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    SCOPED_TRACE(entries[i].name);
    Answer a = wires[i]->read_answer();
    expect_answer(entries[i], *wires[i], a);
  }
  EXPECT_LT(Clock::now() - began, 2500ms) << "answered long after the 1 s timeout";
  Wire w(server_->port());
  w.send(get("/__pistesim/health", "Connection: close\r\n"));
  EXPECT_EQ(w.read_answer().status, 200) << "the server stopped serving";
}

}  // namespace
}  // namespace pistesim::test::malformed_catalogue
