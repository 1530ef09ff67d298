// `pistesim serve --state FILE` as a process: restarts keep tokens and accounts, and a SIGKILL at
// any moment loses nothing that was acknowledged and leaves nothing half made.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "e2e/served_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kAdminToken = "durable-admin-token";
const std::string kPassword = "Mon-Application-2025!";
const std::string kPing = "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping";

std::vector<std::string> serve_args(const std::string& state) {
  return {"--state", state, "--admin-token", kAdminToken};
}

json registration(const std::string& email) {
  return {{"name", "Durable"},     {"email", email},
          {"password", kPassword}, {"password_confirmation", kPassword},
          {"cgu_accepted", true},  {"captcha", "PISTE"}};
}

std::optional<Response> control(HttpClient& client, const std::string& method,
                                const std::string& path, const json& body = nullptr) {
  Request r = Request::make(method, "/__pistesim" + path, body.is_null() ? "" : body.dump());
  r.headers.add("Authorization", "Bearer " + kAdminToken);
  if (!body.is_null()) r.headers.add("Content-Type", "application/json");
  return client.send(r);
}

// The activation e-mails of one address, as the control API lists them.
json activation_mails(HttpClient& client, const std::string& email) {
  auto r = control(client, "GET", "/mail?kind=activation&to=" + email);
  if (!r || r->status != 200) return json::array();
  return json::parse(r->body, nullptr, false);
}

class DurableServe : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = make_temp_dir();
    state = dir + "/state.db";
  }
  void TearDown() override { (void)std::system(("rm -rf '" + dir + "'").c_str()); }

  std::string dir;
  std::string state;
};

TEST_F(DurableServe, TokenAndAccountOutliveAGracefulRestart) {
  std::string token;
  const std::string email = "restart@example.com";
  {
    ServedSimulator server(serve_args(state));
    ASSERT_TRUE(server.started()) << server.output();
    auto client = server.client();
    token = fetch_token(*client, server, "sandbox");
    auto reg = control(*client, "POST", "/portal/register", registration(email));
    ASSERT_TRUE(reg);
    ASSERT_EQ(reg->status, 201) << reg->body;
    client.reset();
    EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
  }
  struct stat st {};
  ASSERT_EQ(::stat(state.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ServedSimulator server(serve_args(state));
  ASSERT_TRUE(server.started()) << server.output();
  EXPECT_NE(server.output().find("resumed from"), std::string::npos) << server.output();
  auto client = server.client();
  auto ping = client->send(bearer_get(kPing, token));
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->status, 200) << ping->body;

  json mails = activation_mails(*client, email);
  ASSERT_EQ(mails.size(), 1u) << mails.dump();
  std::string url = mails[0]["links"][0]["url"];
  auto activate = client->send(Request::make("GET", url.substr(url.find("/__pistesim/"))));
  ASSERT_TRUE(activate);
  EXPECT_EQ(activate->status, 200) << activate->body;
  auto login =
      control(*client, "POST", "/portal/login", {{"email", email}, {"password", kPassword}});
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 200) << login->body;
}

TEST_F(DurableServe, UnusableStateFileRefusesToStart) {
  std::ofstream(state) << "this is not a SQLite database, only some text long enough for a header";
  EXPECT_TRUE(refused_to_start(run_pistesim({"serve", "--port", "0", "--state", state}),
                               "is not a pistesim state file"));
  EXPECT_TRUE(refused_to_start(
      run_pistesim({"serve", "--port", "0", "--state", dir + "/no/such/dir/state.db"}),
      "cannot open state file"));
}

// What clients were told, across every round.
struct Acknowledged {
  std::mutex mutex;
  std::vector<std::string> tokens;
  std::set<std::string> revoked;
  std::set<std::string> revoking;  // revocations sent, answer lost to the kill: either outcome
  std::vector<std::string> users;
};

TEST_F(DurableServe, KillNineLosesNothingAcknowledgedAndShowsNothingHalfMade) {
  constexpr int kRounds = 12;
  Acknowledged ack;
  std::mt19937 rng(std::random_device{}());
  size_t checked_tokens = 0, checked_users = 0;
  int unique = 0;

  for (int round = 0; round <= kRounds; ++round) {
    ServedSimulator server(serve_args(state));
    ASSERT_TRUE(server.started()) << "round " << round << ":\n" << server.output();
    auto client = server.client();

    // Everything acknowledged before the last kill is there, whole.
    std::vector<std::string> tokens, users;
    std::set<std::string> revoked, revoking;
    {
      std::lock_guard lock(ack.mutex);
      tokens = ack.tokens;
      users = ack.users;
      revoked = ack.revoked;
      revoking = ack.revoking;
    }
    // Each round checks what the previous one acknowledged; the last checks everything.
    size_t token_from = round == kRounds ? 0 : checked_tokens;
    size_t user_from = round == kRounds ? 0 : checked_users;
    for (size_t i = token_from; i < tokens.size(); ++i) {
      auto r = client->send(bearer_get(kPing, tokens[i]));
      ASSERT_TRUE(r) << "round " << round;
      if (revoking.count(tokens[i])) {
        EXPECT_TRUE(r->status == 200 || r->status == 401) << r->status;
        continue;
      }
      EXPECT_EQ(r->status, revoked.count(tokens[i]) ? 401 : 200)
          << "round " << round << ": acknowledged token #" << i << " ("
          << (revoked.count(tokens[i]) ? "revoked" : "live") << ")";
    }
    for (size_t i = user_from; i < users.size(); ++i) {
      auto r = control(*client, "GET", "/users/" + users[i]);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 200) << "round " << round << ": acknowledged account " << users[i];
    }
    checked_tokens = tokens.size();
    checked_users = users.size();
    // Nothing half made: every account in the world has its activation e-mail and every
    // activation e-mail its account (they are saved together).
    auto listed = control(*client, "GET", "/users");
    ASSERT_TRUE(listed);
    json all_users = json::parse(listed->body, nullptr, false);
    json list =
        all_users.is_object() && all_users.contains("users") ? all_users["users"] : all_users;
    ASSERT_TRUE(list.is_array()) << listed->body.substr(0, 200);
    std::set<std::string> registered;
    for (const auto& u : list) {
      std::string email = u.value("email", "");
      if (email.starts_with("kill-")) registered.insert(email);
    }
    auto mails = control(*client, "GET", "/mail?kind=activation");
    ASSERT_TRUE(mails);
    std::set<std::string> mailed;
    for (const auto& m : json::parse(mails->body)) {
      std::string to = m.value("to", "");
      if (to.starts_with("kill-")) mailed.insert(to);
    }
    EXPECT_EQ(registered, mailed) << "round " << round;
    if (round == kRounds) break;

    // Load from several threads, then SIGKILL at a random moment.
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        auto c = server.client();
        int n = 0;
        while (!stop.load()) {
          if (t < 2) {
            auto r = c->send(token_request("/sandbox/oauth/api/oauth/token",
                                           server.demo("sandbox")["client_id"],
                                           server.demo("sandbox")["client_secret"]));
            if (!r) break;
            if (r->status != 200) continue;
            std::string token = json::parse(r->body)["access_token"];
            {
              std::lock_guard lock(ack.mutex);
              ack.tokens.push_back(token);
            }
            if (++n % 5 == 0) {
              {
                std::lock_guard lock(ack.mutex);
                ack.revoking.insert(token);
              }
              auto rv = control(*c, "POST", "/tokens/revoke", {{"token", token}});
              if (!rv) break;
              std::lock_guard lock(ack.mutex);
              ack.revoking.erase(token);
              if (rv->status == 200) ack.revoked.insert(token);
            }
          } else {
            std::string email;
            {
              std::lock_guard lock(ack.mutex);
              email =
                  "kill-" + std::to_string(round) + "-" + std::to_string(++unique) + "@example.com";
            }
            auto r = control(*c, "POST", "/portal/register", registration(email));
            if (!r) break;
            if (r->status == 201) {
              std::lock_guard lock(ack.mutex);
              ack.users.push_back(email);
            }
          }
        }
      });
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 600));
    kill(server.pid(), SIGKILL);
    stop.store(true);
    for (auto& th : threads) th.join();
    client.reset();
    server.stop(SIGKILL);  // reaps it
  }
  std::lock_guard lock(ack.mutex);
  RecordProperty("acknowledged_tokens", static_cast<int>(ack.tokens.size()));
  RecordProperty("acknowledged_revocations", static_cast<int>(ack.revoked.size()));
  RecordProperty("acknowledged_accounts", static_cast<int>(ack.users.size()));
  EXPECT_GT(ack.tokens.size(), 100u);
  EXPECT_GT(ack.users.size(), 10u);
  EXPECT_GT(ack.revoked.size(), 10u);
}

}  // namespace
}  // namespace pistesim::test
