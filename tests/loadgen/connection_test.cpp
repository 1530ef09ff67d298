// The load generator's socket calls: what they report, and that the success path (bytes moved,
// or nothing to do yet) allocates nothing, as the hot path needs (docs/design.md, "Errors").
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "loadgen/connection.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// Counts every allocation of this test binary (the counting is all these do).
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace pistesim::loadgen {
namespace {

// A Conn on one end of a socket pair, in its own epoll set; `peer` is the other end.
struct Pair {
  Conn conn;
  int peer = -1;
  Pair() {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    conn.fd = sv[0];
    peer = sv[1];
    conn.epfd = ::epoll_create1(0);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &conn;
    ::epoll_ctl(conn.epfd, EPOLL_CTL_ADD, conn.fd, &ev);
  }
  ~Pair() {
    conn.close();
    ::close(conn.epfd);
    if (peer >= 0) ::close(peer);
  }
};

TEST(Connection, MovesBytesAndWaitsWithoutAllocating) {
  Pair p;
  char buf[64];
  const long before = g_allocations.load();
  auto nothing = p.conn.read_some(buf, sizeof buf);
  auto sent = p.conn.write_some("ping", 4);
  char echo[4];
  const ssize_t peer_read = ::recv(p.peer, echo, sizeof echo, 0);
  const ssize_t peer_wrote = ::send(p.peer, "pong!", 5, 0);
  auto got = p.conn.read_some(buf, sizeof buf);
  const long allocated = g_allocations.load() - before;
  EXPECT_EQ(allocated, 0) << "the success path of read_some/write_some allocated";

  ASSERT_TRUE(nothing) << nothing.error().message;
  EXPECT_EQ(nothing->kind, Transfer::Again);
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(sent->kind, Transfer::Moved);
  EXPECT_EQ(sent->bytes, 4u);
  EXPECT_EQ(peer_read, 4);
  EXPECT_EQ(peer_wrote, 5);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->kind, Transfer::Moved);
  EXPECT_EQ(std::string(buf, got->bytes), "pong!");
}

TEST(Connection, ReportsThePeerClosingThenTheFailureToSend) {
  Pair p;
  ::close(p.peer);
  p.peer = -1;
  char buf[16];
  auto closed = p.conn.read_some(buf, sizeof buf);
  ASSERT_TRUE(closed) << closed.error().message;
  EXPECT_EQ(closed->kind, Transfer::Closed);
  const long before = g_allocations.load();
  auto refused = p.conn.write_some("late", 4);
  EXPECT_GT(g_allocations.load(), before) << "the allocation counter sees the Error's message";
  ASSERT_FALSE(refused) << "a send to a closed peer succeeded";
  EXPECT_EQ(refused.error().message, "send: Broken pipe");
}

TEST(Connection, AFullSocketIsAgainAndAsksToBeToldWhenWritable) {
  Pair p;
  const std::string block(1 << 16, 'x');
  Result<Transfer> last = Transfer{};
  for (int i = 0; i < 1000; ++i) {  // fill the socket buffers: the peer reads nothing
    last = p.conn.write_some(block.data(), block.size());
    if (!last || last->kind != Transfer::Moved) break;
  }
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_EQ(last->kind, Transfer::Again);
  EXPECT_TRUE(p.conn.want_write);
}

}  // namespace
}  // namespace pistesim::loadgen
