// Malformed, hostile or odd requests over raw sockets: each gets an RFC/PISTE error (never a
// crash, a hang or a 500) and the server goes on answering normal requests afterwards
// (docs/conformance-checklist.md A2, A8, A9; RFC 9110/9112 framing).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string_view>

#include "e2e/raw_socket.h"
#include "e2e/served_simulator.h"

namespace pistesim::test {

namespace {

using nlohmann::json;

// How long a raw exchange waits for the answer. A healthy loopback answer takes milliseconds;
// the server's read timeout is 10 s, so an answer that comes only once the server gave up
// waiting for bytes that never come (a hang) arrives after this.
constexpr int kHangLimitMs = 8000;

struct RawReply {
  std::string status_line;  // empty: the server closed (or timed out) without answering
  int status = 0;
  std::string head;  // status line and header fields
  std::string body;
  bool timed_out = false;

  // The value of the first header field called `name` (any case), or "".
  std::string header(std::string_view name) const { return header_field(head, name); }
  json json_body() const { return json::parse(body, nullptr, false); }
};

// Connects to 127.0.0.1:port, sends `bytes` as they are, optionally half-closes, then reads one
// answer (head, and a body of its Content-Length) or until the server closes.
RawReply raw_exchange(int port, const std::string& bytes, bool half_close = false) {
  RawReply reply;
  int fd = connect_loopback(port);
  if (fd < 0) return reply;
  for (size_t sent = 0; sent < bytes.size();) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer and stop reading early
    sent += static_cast<size_t>(n);
  }
  if (half_close) ::shutdown(fd, SHUT_WR);

  std::string in;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kHangLimitMs);
  for (;;) {
    size_t end = in.find("\r\n\r\n");
    if (end != std::string::npos) {
      reply.head = in.substr(0, end);
      std::string length = reply.header("Content-Length");
      size_t want = length.empty() ? 0 : std::stoul(length);
      if (in.size() >= end + 4 + want) {
        reply.body = in.substr(end + 4, want);
        break;
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
      reply.timed_out = true;
      break;
    }
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (reply.head.empty()) reply.head = in.substr(0, in.find("\r\n\r\n"));
  reply.status_line = reply.head.substr(0, reply.head.find("\r\n"));
  if (reply.status_line.rfind("HTTP/1.1 ", 0) == 0)
    reply.status = std::atoi(reply.status_line.c_str() + 9);
  return reply;
}

std::ostream& operator<<(std::ostream& out, const RawReply& r) {
  return out << "[" << r.head << "]\n" << r.body << (r.timed_out ? "\n(timed out)" : "");
}

class BadInput : public SharedServerTest {
 protected:
  // Every test ends by checking that the server still serves a normal client.
  void TearDown() override { expect_still_serving(); }

  // A token request with `body` framed by Content-Length; extra_headers end with CRLF each.
  static std::string token_post(
      const std::string& body,
      const std::string& content_type = "application/x-www-form-urlencoded",
      const std::string& extra_headers = "") {
    std::string head =
        "POST /sandbox/oauth/api/oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!content_type.empty()) head += "Content-Type: " + content_type + "\r\n";
    return head + "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers +
           "\r\n" + body;
  }
  static void expect_still_serving() {
    RawReply r = raw_exchange(port(), token_post(credentials_form()));
    EXPECT_EQ(r.status, 200) << "the server stopped serving normal requests: " << r << "\n"
                             << server_->output();
    EXPECT_TRUE(r.json_body().contains("access_token")) << r;
  }
  // An OAuth error: `status`, JSON `error` == `error`, the token endpoint's no-store headers.
  static void expect_oauth_error(const RawReply& r, int status, const std::string& error) {
    EXPECT_EQ(r.status, status) << r;
    EXPECT_EQ(r.json_body().value("error", ""), error) << r;
    EXPECT_EQ(r.header("Cache-Control"), "no-store") << r;
    EXPECT_EQ(r.header("Pragma"), "no-cache") << r;
  }
  static std::string chunked(const std::string& body) {
    std::string out;
    for (size_t i = 0; i < body.size(); i += 65536) {
      std::string piece = body.substr(i, 65536);
      char size[32];
      std::snprintf(size, sizeof(size), "%zx\r\n", piece.size());
      out += size + piece + "\r\n";
    }
    return out + "0\r\n\r\n";
  }
};

constexpr size_t kBodyLimit = 1024 * 1024;

}  // namespace

TEST_F(BadInput, BodyOverTheLimitGets413WithAJsonError) {
  std::string body = credentials_form() + "&padding=" + std::string(kBodyLimit, 'a');
  expect_oauth_error(raw_exchange(port(), token_post(body)), 413, "invalid_request");
}

TEST_F(BadInput, ChunkedBodyOverTheLimitGets413) {
  // Chunked bodies have no Content-Length to check up front: the limit applies while reading.
  std::string json_body =
      "{\"recherche\":\"" + std::string(2 * kBodyLimit, 'a') + "\",\"fond\":\"CODE_DATE\"}";
  std::string request =
      "POST /sandbox/api/dila/legifrance/lf-engine-app/search HTTP/1.1\r\nHost: "
      "127.0.0.1\r\nConnection: close\r\n"
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
      chunked(json_body);
  RawReply r = raw_exchange(port(), request);
  EXPECT_EQ(r.status, 413) << r;
  EXPECT_EQ(r.json_body().value("error", ""), "invalid_request") << r;
}

TEST_F(BadInput, AbsurdContentLengthGets413WithoutWaitingForTheBody) {
  // 10^20 bytes announced, none sent: the answer must not wait for them.
  for (std::string length : {"100000000000000000000", "9999999999"}) {
    std::string request =
        "POST /sandbox/oauth/api/oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        "application/x-www-form-urlencoded\r\nContent-Length: " +
        length + "\r\n\r\ngrant_type=client_credentials";
    RawReply r = raw_exchange(port(), request);
    EXPECT_FALSE(r.timed_out) << length;
    EXPECT_EQ(r.status, 413) << length << ": " << r;
    EXPECT_EQ(r.json_body().value("error", ""), "invalid_request") << r;
  }
}

TEST_F(BadInput, BodiesUnderTheLimitReachTheCore) {
  // A form body of 64 KiB is under the 1 MiB limit: unknown parameters are ignored (A7) and the
  // token is issued, whatever limit the HTTP library has for forms of its own.
  std::string body = credentials_form() + "&padding=" + std::string(64 * 1024, 'a');
  RawReply r = raw_exchange(port(), token_post(body));
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_TRUE(r.json_body().contains("access_token")) << r;
  // The same, chunked.
  std::string request =
      "POST /sandbox/oauth/api/oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n" +
      chunked(body);
  r = raw_exchange(port(), request);
  EXPECT_EQ(r.status, 200) << r;
}

TEST_F(BadInput, HugeHeaderGets4xx) {
  std::string request = "GET /__pistesim/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: " +
                        std::string(100 * 1024, 'h') + "\r\nConnection: close\r\n\r\n";
  RawReply r = raw_exchange(port(), request);
  EXPECT_TRUE(r.status == 400 || r.status == 431) << r;
  EXPECT_EQ(r.json_body().value("error", ""), "invalid_request") << r;
}

TEST_F(BadInput, TenThousandHeadersGet4xx) {
  std::string request =
      "GET /__pistesim/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (int i = 0; i < 10000; ++i) request += "X-Field-" + std::to_string(i) + ": v\r\n";
  RawReply r = raw_exchange(port(), request + "\r\n");
  EXPECT_TRUE(r.status == 400 || r.status == 431) << r;
  EXPECT_EQ(r.json_body().value("error", ""), "invalid_request") << r;

  // A request with a usual number of fields is served.
  request = "GET /__pistesim/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (int i = 0; i < 40; ++i) request += "X-Field-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(raw_exchange(port(), request + "\r\n").status, 200);
}

TEST_F(BadInput, ControlCharactersInHeaderValuesAreRefused) {
  // The gateway reflects Origin: a bare CR in it must not reach the response, where clients
  // that end lines at CR would read an injected header field (RFC 9110 §5.5: reject).
  const std::string ping =
      "GET /sandbox/api/dila/legifrance/lf-engine-app/consult/ping HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\nConnection: close\r\n";
  for (std::string field :
       {std::string("Origin: http://a\rSet-Cookie: injected=1\r\n"),
        std::string("X-Field: a\0b\r\n", 14), std::string("X-Field: a\x1b[31m\r\n")}) {
    SCOPED_TRACE(field);
    RawReply r = raw_exchange(port(), ping + field + "\r\n");
    EXPECT_EQ(r.status, 400) << r;
    EXPECT_EQ(r.head.find("injected"), std::string::npos) << r;
    EXPECT_EQ(r.json_body().value("error", ""), "invalid_request") << r;
  }
  // Tabs and non-ASCII bytes (obs-text) are allowed in values.
  RawReply r = raw_exchange(port(), ping + "X-Field: a\tb \xc3\xa9\r\n\r\n");
  EXPECT_EQ(r.status, 400) << r;  // no token: PISTE's 400, from the gateway this time
  EXPECT_NE(r.header("WWW-Authenticate").find("Unable to find token"), std::string::npos) << r;
}

TEST_F(BadInput, InvalidUtf8InTheFormBodyIsInvalidRequest) {
  expect_oauth_error(raw_exchange(port(), token_post(credentials_form() + "&scope=\xff\xfe")), 400,
                     "invalid_request");
  // Invalid once decoded: %C3%28 is not UTF-8.
  expect_oauth_error(raw_exchange(port(), token_post(credentials_form() + "&scope=%C3%28")), 400,
                     "invalid_request");
}

TEST_F(BadInput, MalformedPercentEscapesAreInvalidRequest) {
  for (std::string tail : {"&scope=%zz", "&scope=openid%4", "&scope=%", "&client%ZZ=1"}) {
    SCOPED_TRACE(tail);
    expect_oauth_error(raw_exchange(port(), token_post(credentials_form() + tail)), 400,
                       "invalid_request");
  }
}

TEST_F(BadInput, RepeatedParametersAreInvalidRequest) {
  for (std::string tail :
       {"&grant_type=client_credentials", "&scope=openid&scope=openid", "&client_id=other"}) {
    SCOPED_TRACE(tail);
    expect_oauth_error(raw_exchange(port(), token_post(credentials_form() + tail)), 400,
                       "invalid_request");
  }
}

TEST_F(BadInput, ContentTypesOtherThanFormAreInvalidRequest) {
  const std::string form = credentials_form();
  for (std::string type :
       {"application/json", "text/plain", "application/x-www-form-urlencoded; charset=iso-8859-1",
        "application/octet-stream", "x-www-form-urlencoded", ""}) {
    SCOPED_TRACE("Content-Type: " + type);
    expect_oauth_error(raw_exchange(port(), token_post(form, type)), 400, "invalid_request");
  }
  // multipart/form-data, well-formed.
  std::string multipart =
      "--XYZ\r\nContent-Disposition: form-data; "
      "name=\"grant_type\"\r\n\r\nclient_credentials\r\n--XYZ--\r\n";
  expect_oauth_error(
      raw_exchange(port(), token_post(multipart, "multipart/form-data; boundary=XYZ")), 400,
      "invalid_request");
  // multipart/form-data that is not.
  RawReply r = raw_exchange(port(), token_post("garbage", "multipart/form-data; boundary=XYZ"));
  EXPECT_EQ(r.status, 400) << r;
  EXPECT_EQ(r.json_body().value("error", ""), "invalid_request") << r;
}

TEST_F(BadInput, MalformedRequestLinesGet400) {
  for (std::string request :
       {std::string("\x00\x01\x02garbage\r\n\r\n", 14), std::string("GET /\r\n"),
        std::string("GET  HTTP/1.1\r\n\r\n"), std::string("\r\n\r\n\r\n")}) {
    SCOPED_TRACE(request);
    RawReply r = raw_exchange(port(), request);
    EXPECT_EQ(r.status, 400) << r;
    EXPECT_EQ(r.json_body().value("error", ""), "invalid_request") << r;
  }
}

TEST_F(BadInput, MethodsAndVersionsTheServerDoesNotServe) {
  // RFC 9110 §9.1: an unknown method is 501 (methods are case-sensitive: "get" is unknown); a
  // known one the server refuses is 405 with Allow. RFC 9110 §15.6.6: HTTP/2.0 here is 505.
  struct Case {
    std::string request;
    int status;
  };
  for (const Case& c : {Case{"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 501},
                        Case{"get / HTTP/1.1\r\nHost: x\r\n\r\n", 501},
                        Case{"TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", 405},
                        Case{"CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: x\r\n\r\n", 405},
                        Case{"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505}}) {
    SCOPED_TRACE(c.request);
    RawReply r = raw_exchange(port(), c.request);
    EXPECT_EQ(r.status, c.status) << r;
    if (c.status == 405) {
      EXPECT_EQ(r.header("Allow"), "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    }
  }
}

TEST_F(BadInput, BodyWithoutContentLengthIsNoBody) {
  // RFC 9112 §6.3: without Content-Length or Transfer-Encoding a request has no body; the bytes
  // that follow are not waited for as one. The token endpoint sees an empty form.
  std::string request =
      "POST /sandbox/oauth/api/oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\n\r\n" +
      credentials_form();
  RawReply r = raw_exchange(port(), request);
  EXPECT_FALSE(r.timed_out);
  expect_oauth_error(r, 400, "invalid_request");
  EXPECT_NE(r.json_body().value("error_description", "").find("grant_type"), std::string::npos)
      << "the core must have answered an empty body: " << r;
}

TEST_F(BadInput, MalformedFramingIsRefused) {
  const std::string form = credentials_form();
  const std::string start =
      "POST /sandbox/oauth/api/oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
      "application/x-www-form-urlencoded\r\n";
  struct Case {
    std::string framing;
    int status;
  };
  const std::string n = std::to_string(form.size());
  for (const Case& c :
       {Case{"Content-Length: -5\r\n", 400}, Case{"Content-Length: " + n + "x\r\n", 400},
        Case{"Content-Length: \r\n", 400}, Case{"Content-Length: 0x10\r\n", 400},
        Case{"Content-Length: " + n + "\r\nContent-Length: 7\r\n", 400},
        Case{"Transfer-Encoding: gzip, chunked\r\n", 501},
        // RFC 9112 §6.3: chunked not the final coding is a 400 (a known final one: 501).
        Case{"Transfer-Encoding: identity\r\n", 400},
        Case{"Transfer-Encoding: chunked\r\nContent-Length: " + n + "\r\n", 400}}) {
    SCOPED_TRACE(c.framing);
    RawReply r = raw_exchange(port(), start + c.framing + "\r\n" + form);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.status, c.status) << r;
    EXPECT_EQ(r.json_body().value("error", ""), "invalid_request") << r;
  }
  // A chunk size that is not hexadecimal.
  RawReply r = raw_exchange(
      port(), start + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + form + "\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 400) << r;
}

TEST_F(BadInput, TruncatedBodyThenCloseLeavesTheServerServing) {
  std::string request = token_post(credentials_form());
  request.resize(request.size() - 20);  // 20 bytes short of the announced Content-Length
  RawReply r = raw_exchange(port(), request, /*half_close=*/true);
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.status == 0 || r.status == 400) << r;  // nothing to answer to, or 400
}

TEST_F(BadInput, SilentClientLeavesTheServerServing) {
  RawReply r = raw_exchange(port(), "", /*half_close=*/true);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r;
  // Connect and close without a byte, several times over.
  for (int i = 0; i < 20; ++i) {
    int fd = connect_loopback(port());
    EXPECT_GE(fd, 0);
    if (fd >= 0) ::close(fd);
  }
}

TEST_F(BadInput, PartialRequestLineThenCloseLeavesTheServerServing) {
  RawReply r = raw_exchange(port(), "POST /sandbox/oauth/api/oa", /*half_close=*/true);
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.status == 0 || r.status == 400) << r;
}

}  // namespace pistesim::test

namespace pistesim::test {

// A body sent with GET is read and ignored: its bytes are never parsed as a second request on
// the connection (a desync an attacker could use to smuggle one past a proxy).
TEST_F(BadInput, AGetBodyIsNeverReadAsAnotherRequest) {
  RawReply token = raw_exchange(port(), token_post(credentials_form()));
  ASSERT_EQ(token.status, 200) << token;
  const std::string bearer = token.json_body()["access_token"].get<std::string>();
  const std::string smuggled = "GET /__pistesim/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  for (const std::string method : {"GET", "HEAD", "OPTIONS"}) {
    const std::string request =
        method +
        " /sandbox/api/dila/legifrance/lf-engine-app/consult/ping HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\nAuthorization: Bearer " +
        bearer + "\r\nConnection: close\r\nContent-Length: " + std::to_string(smuggled.size()) +
        "\r\n\r\n" + smuggled;
    int fd = connect_loopback(port());
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    std::string in;
    char buf[4096];
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, kHangLimitMs) > 0) {
      ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;  // closed by the server (Connection: close)
      in.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    size_t answers = 0;
    for (size_t at = in.find("HTTP/1.1 "); at != std::string::npos;
         at = in.find("HTTP/1.1 ", at + 1))
      ++answers;
    EXPECT_EQ(answers, 1u) << method << ": the body was served as a second request:\n" << in;
    EXPECT_EQ(in.find("\"status\""), std::string::npos)
        << method << ": the smuggled request was answered:\n"
        << in;
  }
}

}  // namespace pistesim::test
