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

namespace {

Error system_error(const char* call, int err) {
  return Error{std::string(call) + ": " + std::strerror(err)};
}

}  // namespace

Result<void> Conn::open(const NodeAddress& to, SSL_CTX* tls, const std::string& host) {
  int s = ::socket(to.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int rc = ::connect(s, reinterpret_cast<const sockaddr*>(&to.addr), to.len);
  if (rc < 0 && errno != EINPROGRESS) {
    const int err = errno;
    ::close(s);
    return system_error("connect", err);
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
  return {};
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

Result<Transfer> Conn::read_some(char* buf, size_t len) {
  if (!ssl) {
    for (;;) {
      ssize_t n = ::recv(fd, buf, len, 0);
      if (n > 0) return Transfer{Transfer::Moved, static_cast<size_t>(n)};
      if (n == 0) return Transfer{Transfer::Closed};
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Transfer{Transfer::Again};
      return system_error("recv", errno);
    }
  }
  int n = SSL_read(ssl, buf, static_cast<int>(std::min<size_t>(len, INT32_MAX)));
  if (n > 0) return Transfer{Transfer::Moved, static_cast<size_t>(n)};
  switch (SSL_get_error(ssl, n)) {
    case SSL_ERROR_WANT_READ:
      return Transfer{Transfer::Again};
    case SSL_ERROR_WANT_WRITE:
      set_write_interest(true);
      return Transfer{Transfer::Again};
    case SSL_ERROR_ZERO_RETURN:
      return Transfer{Transfer::Closed};
    case SSL_ERROR_SYSCALL:
      if (errno == 0 || errno == ECONNRESET)
        return Transfer{Transfer::Closed};  // closed without close_notify
      return system_error("recv", errno);
    default:
      return Error{"TLS: " + take_tls_errors("read failed")};
  }
}

Result<Transfer> Conn::write_some(const char* data, size_t len) {
  if (!ssl) {
    for (;;) {
      ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
      if (n > 0) return Transfer{Transfer::Moved, static_cast<size_t>(n)};
      if (n == 0) return Transfer{Transfer::Closed};  // (only for len 0: callers never ask)
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        set_write_interest(true);
        return Transfer{Transfer::Again};
      }
      return system_error("send", errno);
    }
  }
  int n = SSL_write(ssl, data, static_cast<int>(std::min<size_t>(len, INT32_MAX)));
  if (n > 0) return Transfer{Transfer::Moved, static_cast<size_t>(n)};
  switch (SSL_get_error(ssl, n)) {
    case SSL_ERROR_WANT_WRITE:
      set_write_interest(true);
      return Transfer{Transfer::Again};
    case SSL_ERROR_WANT_READ:  // on_readable flushes again
      return Transfer{Transfer::Again};
    case SSL_ERROR_SYSCALL:
      return system_error("send", errno ? errno : EPIPE);
    default:
      return Error{"TLS: " + take_tls_errors("write failed")};
  }
}

Result<Handshake> Conn::handshake() {
  int rc = SSL_do_handshake(ssl);
  if (rc == 1) {
    handshaking = false;
    return Handshake::Done;
  }
  switch (SSL_get_error(ssl, rc)) {
    case SSL_ERROR_WANT_READ:
      set_write_interest(false);
      return Handshake::UnderWay;
    case SSL_ERROR_WANT_WRITE:
      set_write_interest(true);
      return Handshake::UnderWay;
    default: {
      std::string why = take_tls_errors("connection closed during the handshake");
      if (long v = SSL_get_verify_result(ssl); v != X509_V_OK)
        why = std::string("certificate: ") + X509_verify_cert_error_string(v);
      return Error{std::move(why)};
    }
  }
}

}  // namespace pistesim::loadgen
