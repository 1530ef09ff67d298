// In-process simulator for unit tests: the default world (or a given one), a manual clock,
// and helpers that build the requests a PISTE client sends.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "control/control_api.h"
#include "core/simulator.h"
#include "support/demo_credentials.h"
#include "wire/encoding.h"
#include "world/default_world.h"

namespace pistesim::test {

// The JSON body of an answer (fails the test when it is not JSON).
inline nlohmann::json body_of(const Response& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

// "404 UNKNOWN_API": an answer's status and error code, for tables of refusals.
inline std::string outcome_of(const Response& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  return std::to_string(r.status) + " " + (j.is_object() ? j.value("code", "") : std::string());
}

inline World default_world() {
  WorldLoadResult r = load_default_world();
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  return std::move(r.world);
}

class TestSimulator {
 public:
  explicit TestSimulator(Profile profile = Profile::Piste, World world = default_world())
      : clock(std::make_shared<ManualClock>(kStart)),
        sim(std::make_unique<Simulator>(std::move(world),
                                        SimulatorOptions{profile, "test-admin-token"}, clock)) {}

  // POST /api/oauth/token with a form body (credentials in the body).
  Response token_request(Channel channel, const std::string& form_body,
                         const std::string& content_type = "application/x-www-form-urlencoded") {
    Request r = Request::make("POST", "/api/oauth/token", form_body);
    if (!content_type.empty()) r.headers.add("Content-Type", content_type);
    return sim->handle(oauth_endpoint(channel), r);
  }

  // A fresh access token for a client; fails the test if none is issued.
  std::string token(Channel channel = Channel::Sandbox,
                    const std::string& client_id = kSandboxClientId,
                    const std::string& secret = kSandboxClientSecret,
                    const std::string& scope = "openid") {
    Response r =
        token_request(channel, "grant_type=client_credentials&client_id=" + form_encode(client_id) +
                                   "&client_secret=" + form_encode(secret) +
                                   (scope.empty() ? "" : "&scope=" + form_encode(scope)));
    EXPECT_EQ(r.status, 200) << r.body;
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("access_token") ? j["access_token"].get<std::string>()
                                                       : std::string();
  }

  // A gateway call with a bearer token (none when token is empty).
  Response call(Channel channel, const std::string& method, const std::string& target,
                const std::string& token, const std::string& body = {},
                const std::string& content_type = {}) {
    Request r = Request::make(method, target, body);
    if (!token.empty()) r.headers.add("Authorization", "Bearer " + token);
    if (!content_type.empty()) r.headers.add("Content-Type", content_type);
    return sim->handle(api_endpoint(channel), r);
  }

  // A control API call (admin token included).
  Response control(const std::string& method, const std::string& target,
                   const std::string& json_body = {}) {
    Request r = Request::make(method, target, json_body);
    r.headers.add("Authorization", "Bearer test-admin-token");
    if (!json_body.empty()) r.headers.add("Content-Type", "application/json");
    return serve_request(*sim, Endpoint::Control, r);
  }

  // A control call acting as a portal user (X-Pistesim-User: the admin token lets the caller act
  // as anyone; the portal still checks that the account may act).
  Response control_as(const std::string& user, const std::string& method, const std::string& target,
                      const std::string& json_body = {}) {
    Request r = Request::make(method, target, json_body);
    r.headers.add("Authorization", "Bearer test-admin-token");
    r.headers.add("X-Pistesim-User", user);
    if (!json_body.empty()) r.headers.add("Content-Type", "application/json");
    return serve_request(*sim, Endpoint::Control, r);
  }

  // "404 UNKNOWN_API": a control call's status and error code, for tables of refusals.
  std::string control_outcome(const std::string& method, const std::string& target,
                              const std::string& json_body = {}) {
    Response r = control(method, target, json_body);
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    return std::to_string(r.status) + " " + (j.is_object() ? j.value("code", "") : std::string());
  }

  static Endpoint oauth_endpoint(Channel c) {
    return c == Channel::Sandbox ? Endpoint::SandboxOAuth : Endpoint::ProductionOAuth;
  }
  static Endpoint api_endpoint(Channel c) {
    return c == Channel::Sandbox ? Endpoint::SandboxApi : Endpoint::ProductionApi;
  }

  std::shared_ptr<ManualClock> clock;
  std::unique_ptr<Simulator> sim;
};

}  // namespace pistesim::test
