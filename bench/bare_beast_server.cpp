// The yardstick of scripts/bench-http.sh: the least a Beast server does for a request (one
// io_context per thread, http::async_read into a string_body request, a constant JSON answer
// with http::async_write), so pistesim's own cost above the library shows apart.
// Usage: bare_beast_server PORT [THREADS, default 1]
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket s) : socket_(std::move(s)) {}
  void read() {
    request_ = {};
    http::async_read(socket_, buffer_, request_,
                     [self = shared_from_this()](boost::system::error_code ec, size_t) {
                       if (!ec) self->answer();
                     });
  }

 private:
  void answer() {
    response_ = {};
    response_.result(http::status::ok);
    response_.version(11);
    response_.set(http::field::content_type, "application/json");
    response_.body() = R"({"status":"ok"})";
    response_.keep_alive(request_.keep_alive());
    response_.prepare_payload();
    http::async_write(socket_, response_,
                      [self = shared_from_this()](boost::system::error_code ec, size_t) {
                        if (!ec && self->request_.keep_alive()) self->read();
                      });
  }

  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void accept(tcp::acceptor& acceptor, std::vector<std::unique_ptr<asio::io_context>>& loops,
            size_t next) {
  acceptor.async_accept(*loops[next % loops.size()],
                        [&, next](boost::system::error_code ec, tcp::socket s) {
                          if (!ec) {
                            s.set_option(tcp::no_delay(true));
                            std::make_shared<Session>(std::move(s))->read();
                          }
                          accept(acceptor, loops, next + 1);
                        });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bare_beast_server PORT [THREADS]\n";
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  const size_t threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 1;
  std::vector<std::unique_ptr<asio::io_context>> loops;
  for (size_t i = 0; i < threads; ++i) loops.push_back(std::make_unique<asio::io_context>(1));
  tcp::acceptor acceptor(*loops[0], {asio::ip::make_address("127.0.0.1"), port});
  acceptor.listen(asio::socket_base::max_listen_connections);
  accept(acceptor, loops, 0);
  asio::signal_set stop(*loops[0], SIGINT, SIGTERM);
  stop.async_wait([&](auto, int) {
    for (auto& l : loops) l->stop();
  });
  std::vector<std::thread> others;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (size_t i = 1; i < threads; ++i) {
    guards.push_back(asio::make_work_guard(*loops[i]));
    others.emplace_back([l = loops[i].get()] { l->run(); });
  }
  loops[0]->run();
  for (auto& t : others) t.join();
  return 0;
}
