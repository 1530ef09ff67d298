// A simulator on a SQLite state file for unit tests, opened and closed as
// `pistesim serve --state` does: destroying it and building another on the same path is a
// restart.
#pragma once

#include <unistd.h>

#include <memory>
#include <string>

#include "store/durable_simulator.h"
#include "support/test_simulator.h"

namespace pistesim::test {

class Durable {
 public:
  explicit Durable(const std::string& path, World world = default_world())
      : clock(std::make_shared<ManualClock>(kStart)), store(std::make_unique<SqliteStore>(path)) {
    sim = open_durable_simulator(*store, std::move(world),
                                 SimulatorOptions{Profile::Piste, "test-admin-token"}, clock)
              .simulator;
  }
  ~Durable() {
    sim.reset();  // the simulator goes first: it holds the store's listeners
    store.reset();
  }

  Response control(const std::string& method, const std::string& target,
                   const nlohmann::json& body = {}) {
    Request r = Request::make(method, target, body.is_null() ? "" : body.dump());
    r.headers.add("Authorization", "Bearer test-admin-token");
    if (!body.is_null()) r.headers.add("Content-Type", "application/json");
    return serve_request(*sim, Endpoint::Control, r);
  }
  std::string token(Channel channel = Channel::Sandbox,
                    const std::string& client_id = kSandboxClientId,
                    const std::string& secret = kSandboxClientSecret) {
    Request r = Request::make(
        "POST", "/api/oauth/token",
        "grant_type=client_credentials&client_id=" + client_id + "&client_secret=" + secret);
    r.headers.add("Content-Type", "application/x-www-form-urlencoded");
    Response answer = sim->handle(
        channel == Channel::Sandbox ? Endpoint::SandboxOAuth : Endpoint::ProductionOAuth, r);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return body_of(answer).value("access_token", "");
  }
  // The status of a gateway call with `token` (200, or 401 for a revoked, expired or unknown one).
  int call(const std::string& token,
           const std::string& path = "/dila/legifrance/lf-engine-app/consult/ping") {
    Request r = Request::make("GET", path);
    r.headers.add("Authorization", "Bearer " + token);
    return sim->handle(Endpoint::SandboxApi, r).status;
  }

  std::shared_ptr<ManualClock> clock;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<Simulator> sim;
};

// A fresh temporary directory.
inline std::string temp_dir() {
  char tmpl[] = "/tmp/pistesim-store-XXXXXX";
  return mkdtemp(tmpl);
}

}  // namespace pistesim::test
