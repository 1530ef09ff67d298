#include "loadgen/connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

#include "loadgen/tls_client.h"

namespace pistesim::loadgen {

NodeAddress resolve_node(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0 || !res)
    throw std::runtime_error("cannot resolve " + host + ": " + ::gai_strerror(rc));
  NodeAddress out;
  std::memcpy(&out.addr, res->ai_addr, res->ai_addrlen);
  out.len = static_cast<socklen_t>(res->ai_addrlen);
  ::freeaddrinfo(res);
  return out;
}

bool Conn::open(const NodeAddress& to, SSL_CTX* tls, const std::string& host, std::string* why) {
  int s = ::socket(to.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int rc = ::connect(s, reinterpret_cast<const sockaddr*>(&to.addr), to.len);
  if (rc < 0 && errno != EINPROGRESS) {
    *why = std::string("connect: ") + std::strerror(errno);
    ::close(s);
    return false;
  }
  fd = s;
  connecting = rc < 0;
  want_write = connecting;
  if (tls) {
    ssl = new_tls_connection(tls, fd, host);
    if (!ssl) throw std::runtime_error(take_tls_errors("SSL_new failed"));
    if (session) SSL_set_session(ssl, session);
    handshaking = true;
    want_write = true;  // the ClientHello goes first
  }
  epoll_event ev{};
  ev.events = EPOLLIN | (want_write ? EPOLLOUT : 0u);
  ev.data.ptr = this;
  ::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
  return true;
}

void Conn::close() {
  if (ssl) {
    if (!handshaking) {
      if (SSL_SESSION* s = SSL_get1_session(ssl)) {
        if (session) SSL_SESSION_free(session);
        session = s;
      }
    }
    SSL_free(ssl);
    ssl = nullptr;
  }
  handshaking = false;
  if (fd >= 0) {
    ::epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
  }
  fd = -1;
  connecting = false;
  want_write = false;
  out.clear();
  out_off = 0;
}

void Conn::set_write_interest(bool on) {
  if (want_write == on) return;
  want_write = on;
  epoll_event ev{};
  ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
  ev.data.ptr = this;
  ::epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}

ssize_t Conn::read_some(char* buf, size_t len, std::string* why) {
  if (!ssl) {
    for (;;) {
      ssize_t n = ::recv(fd, buf, len, 0);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return -1;
      *why = std::string("recv: ") + std::strerror(errno);
      return -2;
    }
  }
  int n = SSL_read(ssl, buf, static_cast<int>(std::min<size_t>(len, INT32_MAX)));
  if (n > 0) return n;
  switch (SSL_get_error(ssl, n)) {
    case SSL_ERROR_WANT_READ:
      return -1;
    case SSL_ERROR_WANT_WRITE:
      set_write_interest(true);
      return -1;
    case SSL_ERROR_ZERO_RETURN:
      return 0;
    case SSL_ERROR_SYSCALL:
      if (errno == 0 || errno == ECONNRESET) return 0;  // closed without close_notify
      *why = std::string("recv: ") + std::strerror(errno);
      return -2;
    default:
      *why = "TLS: " + take_tls_errors("read failed");
      return -2;
  }
}

ssize_t Conn::write_some(const char* data, size_t len, std::string* why) {
  if (!ssl) {
    for (;;) {
      ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        set_write_interest(true);
        return -1;
      }
      *why = std::string("send: ") + std::strerror(errno);
      return -2;
    }
  }
  int n = SSL_write(ssl, data, static_cast<int>(std::min<size_t>(len, INT32_MAX)));
  if (n > 0) return n;
  switch (SSL_get_error(ssl, n)) {
    case SSL_ERROR_WANT_WRITE:
      set_write_interest(true);
      return -1;
    case SSL_ERROR_WANT_READ:  // on_readable flushes again
      return -1;
    case SSL_ERROR_SYSCALL:
      *why = std::string("send: ") + std::strerror(errno ? errno : EPIPE);
      return -2;
    default:
      *why = "TLS: " + take_tls_errors("write failed");
      return -2;
  }
}

int Conn::handshake(std::string* why) {
  int rc = SSL_do_handshake(ssl);
  if (rc == 1) {
    handshaking = false;
    return 1;
  }
  switch (SSL_get_error(ssl, rc)) {
    case SSL_ERROR_WANT_READ:
      set_write_interest(false);
      return 0;
    case SSL_ERROR_WANT_WRITE:
      set_write_interest(true);
      return 0;
    default:
      *why = take_tls_errors("connection closed during the handshake");
      if (long v = SSL_get_verify_result(ssl); v != X509_V_OK)
        *why = std::string("certificate: ") + X509_verify_cert_error_string(v);
      return -1;
  }
}

}  // namespace pistesim::loadgen
