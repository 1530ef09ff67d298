// Durable state keeps memory's order of token changes (issue 16, item 1): a token issued while
// its application's tokens are revoked or expired, the world reset or the clock put back is,
// after a restart, exactly as memory had it. Each test stops one change just before it reaches
// the store and runs a competing change meanwhile: a store that took changes out of memory's
// order would let the competitor overtake it on disk.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "support/durable_test_simulator.h"

namespace pistesim::test {
namespace {

enum class Held { Insert, ApplicationRevoke };

// Stands between a simulator and its SqliteStore. The first change of the kind held is stopped
// before it reaches the store while `meanwhile` runs on another thread, until that ends or
// 300 ms have passed. A store that keeps memory's order makes `meanwhile` wait for the held
// change's locks, so the wait runs out and the held change is saved first, as it was made.
class Interposer final : public StateStore {
 public:
  Interposer(SqliteStore& inner, Held held, std::function<void()> meanwhile)
      : inner_(inner),
        held_(held),
        meanwhile_(std::move(meanwhile)),
        listeners_{Listener(*this, Channel::Sandbox), Listener(*this, Channel::Production)} {}
  ~Interposer() override { join(); }

  void commit(const StateChange& change) override { inner_.commit(change); }
  void save_clock_offset(Millis offset_ms) override { inner_.save_clock_offset(offset_ms); }
  TokenStoreListener& token_listener(Channel c) override { return listeners_[static_cast<int>(c)]; }
  MailboxListener& mailbox_listener() override { return inner_.mailbox_listener(); }

  // Waits for `meanwhile` to end; true if it ran.
  bool join() {
    if (other_.joinable()) other_.join();
    return started_;
  }

 private:
  class Listener final : public TokenStoreListener {
   public:
    Listener(Interposer& owner, Channel c)
        : owner_(owner), inner_(owner.inner_.token_listener(c)) {}
    void inserted(std::string_view token, const TokenRecord& r, HeldLocks& held) override {
      owner_.hold(Held::Insert);
      inner_.inserted(token, r, held);
    }
    void revoked(std::string_view token, HeldLocks& held) override { inner_.revoked(token, held); }
    void expired(std::string_view token, Millis at, HeldLocks& held) override {
      inner_.expired(token, at, held);
    }
    void application_revoked(std::string_view id, HeldLocks& held) override {
      owner_.hold(Held::ApplicationRevoke);
      inner_.application_revoked(id, held);
    }
    void application_expired(std::string_view id, Millis at, HeldLocks& held) override {
      inner_.application_expired(id, at, held);
    }
    void rewound(Millis old_now, Millis new_now, HeldLocks& held) override {
      inner_.rewound(old_now, new_now, held);
    }

   private:
    Interposer& owner_;
    TokenStoreListener& inner_;
  };

  void hold(Held kind) {
    if (kind != held_ || started_.exchange(true)) return;
    std::unique_lock lock(mutex_);
    other_ = std::thread([this] {
      meanwhile_();
      std::lock_guard done_lock(mutex_);
      done_ = true;
      done_cv_.notify_all();
    });
    done_cv_.wait_for(lock, std::chrono::milliseconds(300), [&] { return done_; });
  }

  SqliteStore& inner_;
  Held held_;
  std::function<void()> meanwhile_;
  Listener listeners_[2];
  std::atomic<bool> started_{false};
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread other_;
};

class DurableOrder : public ::testing::Test {
 protected:
  void SetUp() override { path = (dir = temp_dir()) + "/state.db"; }
  void TearDown() override { (void)std::system(("rm -rf '" + dir + "'").c_str()); }

  // Runs `act` on a simulator whose store is behind an Interposer holding `held` while
  // `meanwhile` runs; then notes how each token named in `tokens` answers, restarts, and checks
  // that each answers the same. Returns the answers before the restart.
  std::map<std::string, int> across_restart(Held held, const std::function<void(Durable&)>& prepare,
                                            const std::function<void(Durable&)>& meanwhile,
                                            const std::function<void(Durable&)>& act,
                                            const std::vector<std::string*>& tokens) {
    std::map<std::string, int> before;
    {
      Durable d(path);
      prepare(d);
      Interposer interposer(*d.store, held, [&] { meanwhile(d); });
      d.sim->attach_store(&interposer);
      act(d);
      EXPECT_TRUE(interposer.join()) << "the change to hold was never made";
      d.sim->attach_store(d.store.get());
      for (const std::string* t : tokens) before[*t] = d.call(*t);
    }
    Durable d(path);
    for (const auto& [token, status] : before)
      EXPECT_EQ(d.call(token), status) << "a token answered " << status << " before the restart";
    return before;
  }

  std::string dir, path;
};

const nlohmann::json kRevokeDemo = {{"application", kSandboxApp}};
auto nothing = [](Durable&) {};

TEST_F(DurableOrder, TokenIssuedDuringARevocationStaysValid) {
  std::string older, newer;
  auto answers = across_restart(
      Held::ApplicationRevoke, [&](Durable& d) { older = d.token(); },
      [&](Durable& d) { newer = d.token(); },
      [&](Durable& d) { EXPECT_EQ(d.control("POST", "/tokens/revoke", kRevokeDemo).status, 200); },
      {&older, &newer});
  EXPECT_EQ(answers[older], 401);
  EXPECT_EQ(answers[newer], 200);
}

TEST_F(DurableOrder, RevocationDuringAnIssueStaysRevoked) {
  std::string token;
  auto answers = across_restart(
      Held::Insert, nothing,
      [&](Durable& d) { EXPECT_EQ(d.control("POST", "/tokens/revoke", kRevokeDemo).status, 200); },
      [&](Durable& d) { token = d.token(); }, {&token});
  EXPECT_EQ(answers[token], 401);
}

TEST_F(DurableOrder, ForcedExpiryDuringAnIssueStaysExpired) {
  std::string token;
  auto answers = across_restart(
      Held::Insert, nothing,
      [&](Durable& d) { EXPECT_EQ(d.control("POST", "/tokens/expire", kRevokeDemo).status, 200); },
      [&](Durable& d) { token = d.token(); }, {&token});
  EXPECT_EQ(answers[token], 401);
}

TEST_F(DurableOrder, WorldResetDuringAnIssueForgetsTheTokenOnDiskToo) {
  std::string token;
  auto answers = across_restart(
      Held::Insert, nothing,
      [&](Durable& d) { EXPECT_EQ(d.control("POST", "/world/reset").status, 200); },
      [&](Durable& d) { token = d.token(); }, {&token});
  EXPECT_EQ(answers[token], 401);
}

TEST_F(DurableOrder, ClockPutBackDuringAnIssueExpiresTheTokenOnDiskToo) {
  std::string token;
  auto answers = across_restart(
      Held::Insert,
      [&](Durable& d) {
        ASSERT_EQ(d.control("POST", "/clock/advance", {{"by", "1h"}}).status, 200);
      },
      [&](Durable& d) { EXPECT_EQ(d.control("POST", "/clock/reset").status, 200); },
      [&](Durable& d) { token = d.token(); }, {&token});
  EXPECT_EQ(answers[token], 401);
}

}  // namespace
}  // namespace pistesim::test
