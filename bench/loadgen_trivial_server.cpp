// The trivial loopback target of scripts/bench-loadgen.sh: an epoll server that answers every
// request with the same small 200, doing as little work as possible, so that a load generator
// driving it measures its own ceiling. Keep-alive, no request parsing beyond finding each head's
// end (GET requests without bodies only).
//   loadgen_trivial_server PORT [THREADS]
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr char kAnswer[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\npong";

struct Client {
  int fd;
  std::string pending;  // bytes of a head not complete yet
};

void serve(int listen_fd) {
  int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.ptr = nullptr;
  epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev);
  epoll_event events[256];
  std::string out;
  char buf[65536];
  for (;;) {
    int n = epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; ++i) {
      if (!events[i].data.ptr) {
        int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK);
        if (fd < 0) continue;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        epoll_event cev{};
        cev.events = EPOLLIN;
        cev.data.ptr = new Client{fd, {}};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
        continue;
      }
      Client* c = static_cast<Client*>(events[i].data.ptr);
      ssize_t got = recv(c->fd, buf, sizeof buf, 0);
      if (got <= 0) {
        if (got < 0 && errno == EAGAIN) continue;
        close(c->fd);
        delete c;
        continue;
      }
      c->pending.append(buf, static_cast<size_t>(got));
      out.clear();
      size_t pos = 0, end;
      while ((end = c->pending.find("\r\n\r\n", pos)) != std::string::npos) {
        out.append(kAnswer, sizeof kAnswer - 1);
        pos = end + 4;
      }
      c->pending.erase(0, pos);
      if (!out.empty() && send(c->fd, out.data(), out.size(), MSG_NOSIGNAL) < 0) {
        close(c->fd);
        delete c;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: loadgen_trivial_server PORT [THREADS]\n";
    return 2;
  }
  int port = std::atoi(argv[1]);
  int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  if (port < 1 || port > 65535 || threads < 1) {
    std::cerr << "loadgen_trivial_server: bad port or thread count\n";
    return 2;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || listen(fd, SOMAXCONN) < 0) {
    std::cerr << "loadgen_trivial_server: " << std::strerror(errno) << "\n";
    return 1;
  }
  std::cout << "trivial server on 127.0.0.1:" << port << " (" << threads << " threads)"
            << std::endl;
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) pool.emplace_back(serve, fd);
  for (auto& t : pool) t.join();
}
