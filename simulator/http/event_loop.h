// The http adapter's internals: an event loop (one thread, one io_context, the connections it
// owns and the sweep that enforces their deadlines), what every connection shares with the
// server, and the per-address connection count.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/loop_driver.h"
#include "http/http_server.h"
#include "http/request_reader.h"
#include "wire/http_message.h"

namespace pistesim::http {

namespace asio = boost::asio;
using SteadyTime = std::chrono::steady_clock::time_point;

// Connections per client address, shared by the acceptor (which admits) and every loop (whose
// connections release their place when they end).
class ClientCounts {
 public:
  // Takes a place for `address`; false when it already holds `limit`.
  bool admit(const std::string& address, size_t limit);
  void release(const std::string& address);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, size_t> counts_;
};

// What the server gives every connection.
struct ServerContext {
  const HttpServerOptions& options;
  ReaderLimits limits;
  // The simulator (behind the adapter's own routes); runs on the loop's thread. `host`: the
  // endpoint of the host port the connection came in on, nullopt on the main port.
  std::function<Response(Request, std::optional<Endpoint> host)> answer;
  std::atomic<bool> draining{false};
  std::atomic<size_t> connections{0};
  ClientCounts clients;
  asio::ssl::context* tls = nullptr;  // null: plain HTTP
  // Where `answer` runs when it may wait on another server (HttpServerOptions::answer_threads);
  // null: on the loop's thread.
  asio::thread_pool* answerers = nullptr;
};

class Loop;

// What the loop knows of a connection: its deadline, and how to end it.
class LoopMember : public std::enable_shared_from_this<LoopMember> {
 public:
  virtual ~LoopMember() = default;
  // The deadline passed: answer 408 where a request was under way, else close.
  virtual void on_deadline() = 0;
  // The server is stopping: close now when idle, else after the answer in progress.
  virtual void on_drain() = 0;
  // Its turn to run its TLS handshake (Loop::begin_handshake); false if it no longer needs one
  // (closed while it waited).
  virtual bool on_handshake_turn() { return false; }

  SteadyTime deadline = SteadyTime::max();

 private:
  friend class Loop;
  LoopMember* prev_ = nullptr;
  LoopMember* next_ = nullptr;
};

// One thread's io_context and its connections. Everything here runs on that thread. Also the
// LoopDriver its fibers' waits go through (base/loop_driver.h).
class Loop final : public LoopDriver {
 public:
  explicit Loop(ServerContext& server);
  ~Loop() override;
  asio::io_context& io() { return io_; }
  ServerContext& server() { return server_; }

  // Membership: a connection joins when it starts and leaves in its destructor.
  void join(LoopMember* m);
  void leave(LoopMember* m);
  // Starts the sweep; the loop runs until stop() and its last connection ended.
  void begin();
  // On the loop's thread: closes idle connections, lets the others finish, then ends the loop.
  void drain();
  size_t size() const { return size_; }
  // TLS handshakes take turns: at most kHandshakesAtOnce under way on a loop; a connection
  // beyond waits for a turn, first come first served. A handshake costs ~300 µs of the loop and
  // as much of the client's: a thousand begun at once (a load test's start) put that work ahead
  // of every request of the connections already served, on both sides, and gave a p99 of
  // 130–280 ms at c=1 000 over HTTPS where nginx, which accepts one connection per pass of its
  // loop, had 11 ms. A turn is taken once a whole ClientHello is here, and ends with its
  // handshake or after kHandshakeTurn (the handshake goes on, uncounted): a client that stops
  // mid-handshake holds one that long, once per connection, and must have made the server sign
  // for it. With the defaults one client address (1 000 connections per head deadline) could
  // delay others' handshakes by 1 000 / 16 × 100 ms at most, and stop none.
  void begin_handshake(std::shared_ptr<LoopMember> m);
  void end_handshake(const LoopMember* m);
  static constexpr size_t kHandshakesAtOnce = 16;
  static constexpr std::chrono::milliseconds kHandshakeTurn{100};
  // Runs the io_context on this thread (LoopDriver::current() is this loop meanwhile).
  void run();

  // LoopDriver
  void post(std::function<void()> fn) override;
  std::unique_ptr<Watch> watch(int fd) override;
  std::unique_ptr<Alarm> alarm() override;
  Attachment* attachment(uint64_t key) override;
  Attachment& attach(uint64_t key, std::unique_ptr<Attachment> a) override;

 private:
  void sweep();
  // Gives the free turns to the connections waiting for one, first ending the turns that lasted
  // too long; arms the turn timer while some wait.
  void give_turns();

  ServerContext& server_;
  // Before io_: connections still held by its pending handlers leave() when it is destroyed.
  LoopMember* head_ = nullptr;
  size_t size_ = 0;
  struct Turn {
    const LoopMember* member;  // compared, never dereferenced
    SteadyTime since;
  };
  std::vector<Turn> turns_;  // oldest first
  std::deque<std::shared_ptr<LoopMember>> waiting_handshakes_;
  bool draining_ = false;
  asio::io_context io_{1};  // one thread: Asio may skip its locks
  asio::steady_timer sweeper_{io_};
  asio::steady_timer turn_timer_{io_};
  bool turn_timer_armed_ = false;
  // After io_: destroyed first, while their watches and alarms can still let go of it.
  std::unordered_map<uint64_t, std::unique_ptr<Attachment>> attachments_;
};

// Starts serving an accepted socket on `loop` (called on the loop's thread); `host` as in
// ServerContext::answer.
void serve_accepted(Loop& loop, asio::ip::tcp::socket socket, std::string client,
                    std::optional<Endpoint> host);

}  // namespace pistesim::http
