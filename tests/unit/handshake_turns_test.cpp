// TLS handshakes take turns on a loop (http/event_loop.h, Loop::begin_handshake): at most
// kHandshakesAtOnce under way, the others waiting first come first served; a turn ends with its
// handshake or once it has lasted kHandshakeTurn, so that stalled handshakes cannot hold them.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "http/event_loop.h"

namespace pistesim {
namespace {

constexpr size_t kTurns = http::Loop::kHandshakesAtOnce;

struct OneLoop {
  HttpServerOptions options;
  http::ServerContext context{.options = options, .limits = {}, .answer = {}, .clients = {}};
  http::Loop loop{context};
};

// A connection waiting for its handshake: records when its turn came.
struct Waiter final : http::LoopMember {
  Waiter(std::vector<int>& turns, int id) : turns(turns), id(id) {}
  void on_deadline() override {}
  void on_drain() override { closed = true; }
  bool on_handshake_turn() override {
    if (closed) return false;
    turns.push_back(id);
    return true;
  }
  std::vector<int>& turns;
  const int id;
  bool closed = false;
};

std::vector<std::shared_ptr<Waiter>> waiters(std::vector<int>& turns, int n) {
  std::vector<std::shared_ptr<Waiter>> out;
  for (int i = 0; i < n; ++i) out.push_back(std::make_shared<Waiter>(turns, i));
  return out;
}

TEST(HandshakeTurns, AtMostSoManyAtOnceTheOthersInTheOrderTheyCame) {
  OneLoop l;
  std::vector<int> turns;
  auto w = waiters(turns, kTurns + 3);
  for (auto& m : w) l.loop.begin_handshake(m);
  ASSERT_EQ(turns.size(), kTurns);
  // A handshake ends: the first waiting connection's turn; then the next, in order.
  l.loop.end_handshake(w[5].get());
  ASSERT_EQ(turns.size(), kTurns + 1);
  EXPECT_EQ(turns.back(), static_cast<int>(kTurns));
  l.loop.end_handshake(w[0].get());
  EXPECT_EQ(turns.back(), static_cast<int>(kTurns) + 1);
  // An end told twice, or of a connection that had no turn, frees nothing more.
  l.loop.end_handshake(w[0].get());
  l.loop.end_handshake(w[kTurns + 2].get());
  EXPECT_EQ(turns.size(), kTurns + 2);
}

TEST(HandshakeTurns, AConnectionClosedWhileItWaitedIsPassedOver) {
  OneLoop l;
  std::vector<int> turns;
  auto w = waiters(turns, kTurns + 2);
  for (auto& m : w) l.loop.begin_handshake(m);
  w[kTurns]->closed = true;  // its deadline passed while it waited
  l.loop.end_handshake(w[0].get());
  ASSERT_EQ(turns.size(), kTurns + 1);
  EXPECT_EQ(turns.back(), static_cast<int>(kTurns) + 1);
}

TEST(HandshakeTurns, TurnsThatLastTooLongGoToTheConnectionsWaiting) {
  OneLoop l;
  std::vector<int> turns;
  auto w = waiters(turns, 2 * kTurns + 1);
  for (auto& m : w) l.loop.begin_handshake(m);
  ASSERT_EQ(turns.size(), kTurns);
  // No handshake ends (their clients went silent): after kHandshakeTurn the loop's timer gives
  // their turns to the next ones, and again after that.
  const auto started = std::chrono::steady_clock::now();
  l.loop.io().run_for(http::Loop::kHandshakeTurn * 5 / 2);
  EXPECT_EQ(turns.size(), 2 * kTurns + 1);
  EXPECT_GE(std::chrono::steady_clock::now() - started, http::Loop::kHandshakeTurn);
  for (size_t i = 0; i < turns.size(); ++i) EXPECT_EQ(turns[i], static_cast<int>(i));
}

TEST(HandshakeTurns, StoppingTheLoopLetsGoOfTheConnectionsWaiting) {
  OneLoop l;
  std::vector<int> turns;
  auto w = waiters(turns, kTurns + 4);
  for (auto& m : w) l.loop.begin_handshake(m);
  std::weak_ptr<Waiter> last = w.back();
  w.clear();  // only the loop holds the waiting ones now
  EXPECT_FALSE(last.expired());
  l.loop.drain();
  EXPECT_TRUE(last.expired());
}

}  // namespace
}  // namespace pistesim
