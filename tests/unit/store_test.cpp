// Durable state in-process: a simulator on a SQLite file, closed and reopened as a restart would,
// keeps its accounts, tokens, mailbox and clock; files of the previous schema are migrated.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "control/control_api.h"
#include "support/durable_test_simulator.h"
#include "support/portal_forms.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kPassword = kFormPassword;  // the registration form's

// The token of an activation link ("…/portal/activate?token=XYZ").
std::string activation_target(const Email& m) {
  for (const auto& l : m.links) {
    size_t at = l.url.find("/portal/activate?");
    if (at != std::string::npos) return l.url.substr(at);
  }
  return "";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DurableState : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = temp_dir();
    path = dir + "/state.db";
  }
  void TearDown() override { (void)std::system(("rm -rf '" + dir + "'").c_str()); }

  std::string dir;
  std::string path;
};

TEST_F(DurableState, NewFileIsPrivateAndRecordsTheSchemaVersion) {
  { Durable d(path); }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), SqliteStore::kSchemaVersion);
  sqlite3_finalize(s);
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "wal");
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST_F(DurableState, TokenIssuedBeforeARestartWorksAfterIt) {
  std::string kept, revoked;
  {
    Durable d(path);
    kept = d.token();
    revoked = d.token();
    ASSERT_EQ(d.control("POST", "/tokens/revoke", {{"token", revoked}}).status, 200);
  }
  Durable d(path);
  EXPECT_EQ(d.call(kept), 200);
  EXPECT_EQ(d.call(revoked), 401);
  // Still bound by its lifetime.
  d.clock->advance(3600 * 1000);
  EXPECT_EQ(d.call(kept), 401);
}

TEST_F(DurableState, AccountRegisteredBeforeARestartActivatesAndLogsInAfterIt) {
  const std::string email = "durable@example.com";
  uint64_t mail_id = 0;
  {
    Durable d(path);
    ASSERT_EQ(d.control("POST", "/portal/register", registration_form(email)).status, 201);
    auto mails = d.sim->mailbox().list(email, "activation");
    ASSERT_EQ(mails.size(), 1u);
    mail_id = mails[0].id;
  }
  Durable d(path);
  auto mails = d.sim->mailbox().list(email, "activation");
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].id, mail_id);
  ASSERT_EQ(d.control("GET", activation_target(mails[0])).status, 200);
  Response login = d.control("POST", "/portal/login", {{"email", email}, {"password", kPassword}});
  EXPECT_EQ(login.status, 200) << login.body;
  // Delivered after the restart: ids go on from the saved ones.
  EXPECT_GT(d.sim->mailbox().reserve_ids(1), mail_id);
}

TEST_F(DurableState, ActivationAndItsApplicationSurviveTogether) {
  const std::string email = "together@example.com";
  {
    Durable d(path);
    ASSERT_EQ(d.control("POST", "/portal/register", registration_form(email)).status, 201);
    auto mails = d.sim->mailbox().list(email, "activation");
    ASSERT_EQ(mails.size(), 1u);
    ASSERT_EQ(d.control("GET", activation_target(mails[0])).status, 200);
  }
  Durable d(path);
  const auto& apps = d.sim->snapshot()->world.applications;
  EXPECT_TRUE(std::any_of(apps.begin(), apps.end(), [&](const Application& a) {
    return a.name == "APP_SANDBOX_" + email && a.owner == email;
  }));
  Response login = d.control("POST", "/portal/login", {{"email", email}, {"password", kPassword}});
  EXPECT_EQ(login.status, 200) << login.body;
}

TEST_F(DurableState, ClockAdvanceAndWorldResetAreKept) {
  Millis advanced = 0;
  {
    Durable d(path);
    ASSERT_EQ(d.control("POST", "/clock/advance", {{"by", "2h"}}).status, 200);
    advanced = d.sim->clock().now_ms();
    ASSERT_EQ(d.control("POST", "/portal/register", registration_form("gone@example.com")).status,
              201);
    (void)d.token();
    ASSERT_EQ(d.control("POST", "/world/reset").status, 200);
  }
  Durable d(path);
  EXPECT_EQ(d.sim->clock().now_ms(), advanced);
  EXPECT_FALSE(d.sim->snapshot()->index.user("gone@example.com"));
  EXPECT_TRUE(d.sim->mailbox().list().empty());
  EXPECT_EQ(d.control("GET", "/tokens").body, R"({"production_live":0,"sandbox_live":0})");
}

// POST /clock/reset is saved with what it undid: a restart neither jumps back into the future
// nor revives a token issued there, and the file's sweep of expired tokens (every 1 024 issues)
// does not take the abandoned future for now and drop tokens issued since.
TEST_F(DurableState, ClockPutBackIsKeptWithWhatItUndid) {
  std::string future, present;
  {
    Durable d(path);
    ASSERT_EQ(d.control("POST", "/clock/advance", {{"by", "2d"}}).status, 200);
    future = d.token();
    ASSERT_EQ(d.control("POST", "/clock/reset").status, 200);
    present = d.token();
    for (int i = 0; i < 1024; ++i) (void)d.token();
  }
  Durable d(path);
  EXPECT_EQ(d.sim->clock().now_ms(), kStart);
  EXPECT_EQ(d.call(future), 401);
  EXPECT_EQ(d.call(present), 200);
}

TEST_F(DurableState, StateFileWorldWinsOverTheStartingWorld) {
  { Durable d(path); }
  // A restart with another starting world keeps the saved one (and its initial world for reset).
  WorldLoadResult minimal = load_world_file(PISTESIM_SOURCE_DIR "/tests/data/minimal-world.toml");
  ASSERT_TRUE(minimal.ok());
  Durable d(path, minimal.world);
  EXPECT_EQ(d.sim->snapshot()->world.settings.name, default_world().settings.name);
  EXPECT_EQ(d.sim->initial_world().settings.name, default_world().settings.name);
  EXPECT_EQ(d.sim->initial_world().apis.size(), default_world().apis.size());
}

TEST_F(DurableState, ConcurrentTokensAreAllSaved) {
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::vector<std::string>> issued(kThreads);
  {
    Durable d(path);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) issued[t].push_back(d.token());
      });
    for (auto& th : threads) th.join();
  }
  Durable d(path);
  for (const auto& list : issued)
    for (const auto& token : list) EXPECT_EQ(d.call(token), 200);
}

TEST_F(DurableState, ForeignNewerOrBusyFilesAreRefusedWithTheirReason) {
  {
    std::ofstream(path) << "not a database, just text that is long enough to be read as a header";
    try {
      SqliteStore s(path);
      ADD_FAILURE() << "a text file was opened";
    } catch (const StoreError& e) {
      EXPECT_NE(std::string(e.what()).find("not a pistesim state file"), std::string::npos)
          << e.what();
    }
  }
  ::unlink(path.c_str());
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA application_id = 1347635533; PRAGMA user_version = 99",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    try {
      SqliteStore s(path);
      ADD_FAILURE() << "a newer file was opened";
    } catch (const StoreError& e) {
      EXPECT_NE(std::string(e.what()).find("newer pistesim (schema version 99"), std::string::npos)
          << e.what();
    }
  }
  ::unlink(path.c_str());
  SqliteStore first(path);
  try {
    SqliteStore second(path);
    ADD_FAILURE() << "two stores opened one file";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("in use by another pistesim"), std::string::npos)
        << e.what();
  }
}

TEST_F(DurableState, VersionOneFileIsMigratedAndResumed) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string v1 = read_text(PISTESIM_SOURCE_DIR "/tests/data/state-v1.sql");
  ASSERT_FALSE(v1.empty());
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, v1.c_str(), nullptr, nullptr, &error), SQLITE_OK) << error;
  sqlite3_close(db);

  auto clock = std::make_shared<ManualClock>(kStart);
  auto store = std::make_unique<SqliteStore>(path);
  EXPECT_EQ(store->opened_version(), 1);
  auto sim = open_durable_simulator(*store, default_world(), SimulatorOptions{}, clock).simulator;
  EXPECT_EQ(sim->snapshot()->world.settings.name, "field");
  EXPECT_TRUE(sim->snapshot()->index.user("late@example.test"));
  EXPECT_FALSE(sim->initial_world().users.size() == 2);
  Request call = Request::make("GET", "/alpha/v1/ping");
  call.headers.add("Authorization",
                   "Bearer V1tokenV1tokenV1tokenV1tokenV1tokenV1tokenV1tokenV1tok");
  Response r = sim->handle(Endpoint::SandboxApi, call);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "pong");
  auto mails = sim->mailbox().list();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(mails[0].links.at(0).label, "Activer votre compte");
  // Version 2's counters were initialised from version 1's rows: new mail ids follow them.
  EXPECT_EQ(sim->mailbox().reserve_ids(1), 3u);
  sim.reset();
  store.reset();
  SqliteStore reopened(path);
  EXPECT_EQ(reopened.opened_version(), SqliteStore::kSchemaVersion);
}

}  // namespace
}  // namespace pistesim::test
