// One client connection on its loop: read a request (RequestReader), hand it to the simulator,
// write the answer, and again while the client keeps the connection alive. Every wait is an
// asynchronous operation or a deadline the loop's sweep enforces; nothing here blocks.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>
#include <optional>

#include "base/fiber.h"
#include "http/answer_writer.h"
#include "http/event_loop.h"
#include "http/server_log.h"

namespace pistesim::http {

namespace {

using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using std::chrono::seconds;

constexpr size_t kFirstBuffer = 4 * 1024;  // most requests fit; an idle connection keeps this
constexpr size_t kReadAtLeast = 2 * 1024;
// A head at its limits (request line + fields) plus a read's worth of body: the reader consumes
// body bytes as they come, so the buffer never needs more.
constexpr size_t kMostBuffer = 64 * 1024;
// After the last answer, how long the server still reads (and drops) what the client sends, so
// that closing does not reset the connection under the answer.
constexpr auto kLingerFor = std::chrono::seconds(2);

// Whether the socket holds a whole TLS record (a client's first: its ClientHello), or bytes
// that cannot begin one (the handshake refuses them at once).
bool whole_record_waiting(int fd) {
  unsigned char head[5];
  const ssize_t n = ::recv(fd, head, sizeof head, MSG_PEEK | MSG_DONTWAIT);
  if (n <= 0) return true;           // closed or failed: the handshake finds out at once
  if (head[0] != 0x16) return true;  // not a handshake record
  if (n < static_cast<ssize_t>(sizeof head)) return false;
  int waiting = 0;
  if (::ioctl(fd, FIONREAD, &waiting) != 0) return true;
  return static_cast<size_t>(waiting) >= sizeof head + (size_t{head[3]} << 8 | head[4]);
}

SteadyTime after(std::chrono::steady_clock::duration d) {
  return std::chrono::steady_clock::now() + d;
}

enum class Phase {
  Handshake,  // TLS
  Idle,       // waiting for a request's first byte
  Head,       // a request head under way
  Body,       // its body under way
  Handling,   // in the simulator
  Delayed,    // an injected latency, on a timer
  Writing,    // an answer going out
  Lingering,  // the last answer sent; dropping what the client still sends
  Closed,
};

// What follows a completed write.
// Linger: after a refusal (the client may still be sending what was refused); Finish: after
// the last answer to a request read whole.
enum class Then { NextRequest, ReadBody, Linger, Finish, Cut };

template <class Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, tcp::socket>;

template <class Stream>
class Connection final : public LoopMember {
 public:
  Connection(Loop& loop, Stream stream, std::string client, std::optional<Endpoint> host)
      : loop_(loop),
        server_(loop.server()),
        stream_(std::move(stream)),
        client_(std::move(client)),
        host_(host) {
    loop_.join(this);
  }

  ~Connection() override {
    loop_.leave(this);
    server_.clients.release(client_);
    server_.connections.fetch_sub(1);
  }

  void start() {
    if constexpr (kIsTls<Stream>) {
      phase_ = Phase::Handshake;
      deadline = after(seconds(server_.options.header_timeout_s));
      // A turn (Loop::begin_handshake) once the client's whole ClientHello is here: a silent
      // connection, or one that sends its hello a byte at a time, holds none.
      socket().async_wait(tcp::socket::wait_read, [self = self()](const error_code& ec) {
        if (self->phase_ != Phase::Handshake) return;
        if (ec) return self->close();
        if (whole_record_waiting(self->socket().native_handle()))
          self->loop_.begin_handshake(self);
        else
          self->on_handshake_turn();  // uncounted, as it waits for the rest
      });
    } else {
      next_request();
    }
  }

  bool on_handshake_turn() override {
    if constexpr (kIsTls<Stream>) {
      if (phase_ != Phase::Handshake) return false;  // closed while it waited
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = self()](const error_code& ec) {
                                self->loop_.end_handshake(self.get());
                                if (self->phase_ != Phase::Handshake) return;
                                if (ec) return self->close();
                                self->next_request();
                              });
      return true;
    }
    return false;
  }

  void on_deadline() override {
    switch (phase_) {
      case Phase::Head:
      case Phase::Body:
        return refuse(408, "request not received in time");
      case Phase::Handling:
      case Phase::Delayed:
        return;  // the server's own time, not the client's
      default:
        return close();
    }
  }

  void on_drain() override {
    if (phase_ == Phase::Idle || phase_ == Phase::Handshake) close();
    // Otherwise the request under way is answered with Connection: close.
  }

 private:
  std::shared_ptr<Connection> self() {
    return std::static_pointer_cast<Connection>(shared_from_this());
  }
  tcp::socket& socket() {
    if constexpr (kIsTls<Stream>)
      return stream_.next_layer();
    else
      return stream_;
  }

  void next_request() {
    reader_.reset();
    if (server_.draining.load(std::memory_order_relaxed) && begin_ == end_)
      return linger(/*request_read=*/true);
    reader_.emplace(server_.limits);
    if (begin_ != end_) {  // pipelined: the next request is already here
      phase_ = Phase::Head;
      deadline = after(seconds(server_.options.header_timeout_s));
      return parse();
    }
    phase_ = Phase::Idle;
    deadline = after(seconds(server_.options.keep_alive_timeout_s));
    if (capacity_ > kFirstBuffer) {  // an idle connection holds a small buffer
      buffer_.reset();
      capacity_ = begin_ = end_ = 0;
    }
    read();
  }

  // Room for the next read: compacts, grows up to kMostBuffer.
  void make_room() {
    if (begin_ == end_) begin_ = end_ = 0;
    if (capacity_ - end_ >= kReadAtLeast) return;
    if (begin_ > 0) {
      std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
      if (capacity_ - end_ >= kReadAtLeast) return;
    }
    size_t grown = std::min(kMostBuffer, std::max(kFirstBuffer, capacity_ * 2));
    auto bigger = std::make_unique_for_overwrite<char[]>(grown);
    if (end_ > 0) std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ = grown;
  }

  void read() {
    make_room();
    if (capacity_ == end_) return refuse(431, "request head too large");  // cannot happen
    stream_.async_read_some(
        asio::buffer(buffer_.get() + end_, capacity_ - end_),
        [self = self()](const error_code& ec, size_t n) { self->on_read(ec, n); });
  }

  void on_read(const error_code& ec, size_t n) {
    switch (phase_) {
      case Phase::Idle:
      case Phase::Head:
      case Phase::Body:
        break;
      case Phase::Lingering:
        if (ec) return close();
        begin_ = end_ = 0;
        return read();
      default:
        return;  // a deadline answered or closed the connection meanwhile
    }
    if (ec) return close();  // the client left (a request cut short has no one to answer)
    end_ += n;
    if (phase_ == Phase::Idle) {
      phase_ = Phase::Head;
      deadline = after(seconds(server_.options.header_timeout_s));
    }
    parse();
  }

  void parse() {
    for (;;) {
      size_t used = reader_->feed(buffer_.get() + begin_, end_ - begin_);
      begin_ += used;
      if (reader_->refusal()) return refuse(reader_->refusal(), reader_->refusal_reason());
      if (reader_->done()) return handle();
      if (used == 0 || begin_ == end_) break;
    }
    if (reader_->is_header_done() && phase_ == Phase::Head) {
      phase_ = Phase::Body;
      deadline = after(seconds(server_.options.request_timeout_s));
      if (reader_->wants_continue() && begin_ == end_) {
        out_.assign("HTTP/1.1 100 Continue\r\n\r\n");
        return write(Then::ReadBody);
      }
    }
    read();
  }

  void handle() {
    phase_ = Phase::Handling;
    deadline = SteadyTime::max();
    head_only_ = reader_->is_head();
    http10_ = reader_->http10();
    closes_ = reader_->closes() || server_.draining.load(std::memory_order_relaxed) ||
              ++served_ >= server_.options.keep_alive_max_requests;
    if (server_.options.access_log) {
      log_method_ = reader_->method();
      log_path_ = reader_->logged_path();
    }
    Request request = reader_->take_request();
    reader_.reset();
    request.remote_addr = client_;
    if (server_.answerers) {
      // Off the loop: the answer may wait on another server. The work guard keeps the loop
      // running (even draining) until the answer is back on it.
      asio::post(*server_.answerers, [self = self(), request = std::move(request),
                                      work = asio::make_work_guard(loop_.io())]() mutable {
        Response answer = self->server_.answer(std::move(request), self->host_);
        asio::post(work.get_executor(), [self, answer = std::move(answer)]() mutable {
          self->answered(std::move(answer));
        });
      });
      return;
    }
    if (server_.options.fibers) {
      // On the loop's thread: the answer's waits suspend its fiber, not the loop.
      Fiber::start([self = self(), request = std::move(request)]() mutable {
        self->answered(self->server_.answer(std::move(request), self->host_));
      });
      return;
    }
    answered(server_.answer(std::move(request), host_));
  }

  void answered(Response answer) {
    answer_ = std::move(answer);
    if (answer_.delay_ms > 0) {
      phase_ = Phase::Delayed;
      if (!delay_) delay_.emplace(loop_.io());
      delay_->expires_after(std::chrono::milliseconds(answer_.delay_ms));
      delay_->async_wait([self = self()](const error_code&) {
        if (self->phase_ == Phase::Delayed) self->send_answer();
      });
      return;
    }
    send_answer();
  }

  void send_answer() {
    if (server_.options.access_log)
      write_access_log(server_.options.log_format, client_, log_method_, log_path_, answer_.status,
                       answer_.diagnostic);
    out_.clear();
    if (answer_.drop_connection) {
      // An injected fault: the head of an answer whose body never comes, then the cut.
      serialize_truncated_head(answer_, &out_);
      answer_ = Response{};
      return write(Then::Cut);
    }
    serialize_answer(answer_, AnswerShape{head_only_, closes_, http10_}, &out_);
    answer_ = Response{};
    write(closes_ ? Then::Finish : Then::NextRequest);
  }

  // The server's own answer to a request it will not serve; the connection closes after it.
  void refuse(int status, std::string_view reason) {
    const bool was_reading = phase_ == Phase::Head || phase_ == Phase::Body;
    phase_ = Phase::Writing;
    if (was_reading) {
      error_code ignored;
      socket().cancel(ignored);  // the pending read ends; its handler sees the new phase
    }
    if (server_.options.access_log)
      write_access_log(server_.options.log_format, client_, reader_ ? reader_->method() : "",
                       reader_ ? reader_->logged_path() : "", status, reason);
    out_ = transport_answer(status, reason, status == 405 ? RequestReader::allowed_methods() : "");
    reader_.reset();
    write(Then::Linger);
  }

  void write(Then then) {
    phase_ = Phase::Writing;
    deadline = after(seconds(server_.options.write_timeout_s));
    asio::async_write(stream_, asio::buffer(out_),
                      [self = self(), then](const error_code& ec, size_t) {
                        if (self->phase_ != Phase::Writing) return;
                        if (ec) return self->close();
                        self->after_write(then);
                      });
  }

  void after_write(Then then) {
    switch (then) {
      case Then::NextRequest:
        return next_request();
      case Then::ReadBody:
        phase_ = Phase::Body;
        deadline = after(seconds(server_.options.request_timeout_s));
        return read();
      case Then::Linger:
        return linger(/*request_read=*/false);
      case Then::Finish:
        return linger(/*request_read=*/true);
      case Then::Cut:
        return close();
    }
  }

  // After the last answer: no more sending; what the client still sends is read and dropped
  // for a while, so that the close does not reset the connection under the answer.
  void linger(bool request_read) {
    phase_ = Phase::Lingering;
    deadline = after(kLingerFor);
    begin_ = end_ = 0;
    if constexpr (kIsTls<Stream>) {
      // A client reading to the end of the connection (HTTP/1.0) needs close_notify. Not after
      // a refusal: the client may still be sending the refused body, and a close under it would
      // reset the connection before it reads the answer (whose Content-Length tells its end).
      if (request_read)
        return stream_.async_shutdown([self = self()](const error_code&) { self->close(); });
    } else {
      error_code ignored;
      socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    read();
  }

  void close() {
    if (phase_ == Phase::Closed) return;
    phase_ = Phase::Closed;
    deadline = SteadyTime::max();
    error_code ignored;
    socket().close(ignored);  // pending operations end; their handlers see Closed
    if (delay_) delay_->cancel();
  }

  Loop& loop_;
  ServerContext& server_;
  Stream stream_;
  const std::string client_;
  Phase phase_ = Phase::Idle;
  std::optional<RequestReader> reader_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0, begin_ = 0, end_ = 0;
  std::string out_;
  Response answer_;
  std::optional<asio::steady_timer> delay_;
  size_t served_ = 0;
  bool head_only_ = false;
  bool http10_ = false;
  bool closes_ = false;
  std::string log_method_, log_path_;
  const std::optional<Endpoint> host_;
};

}  // namespace

void serve_accepted(Loop& loop, tcp::socket socket, std::string client,
                    std::optional<Endpoint> host) {
  ServerContext& server = loop.server();
  if (server.tls) {
    using TlsStream = asio::ssl::stream<tcp::socket>;
    auto c = std::make_shared<Connection<TlsStream>>(
        loop, TlsStream(std::move(socket), *server.tls), std::move(client), host);
    c->start();
  } else {
    auto c =
        std::make_shared<Connection<tcp::socket>>(loop, std::move(socket), std::move(client), host);
    c->start();
  }
}

}  // namespace pistesim::http
