// In-process simulator for unit tests: the default world (or a given one), a manual clock,
// and helpers that build the requests a PISTE client sends.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "core/simulator.h"
#include "wire/encoding.h"
#include "world/default_world.h"

namespace pistesim::test {

// Credentials of the default world's demo applications (fixtures/piste-default.toml, WLD-2).
inline constexpr const char* kSandboxClientId = "9c4a1f7e-3b2d-4e8a-9f61-5d7c2b8e4a10";
inline constexpr const char* kSandboxClientSecret = "6f2e9d41-8c3b-47a5-b0e9-1d5c7a3f2e86";
inline constexpr const char* kSandboxApiKey = "d1e8b5c2-7a4f-4c39-8e21-3f6b9a0c5d74";
inline constexpr const char* kSandboxApp = "demo-sandbox";
inline constexpr const char* kProductionClientId = "3e7b2c94-5a1d-4f86-b2c0-8d9e6f1a7b35";
inline constexpr const char* kProductionClientSecret = "a8c3e5f0-2d7b-4b19-9e64-7f1a0c2d8b53";
inline constexpr const char* kProductionApiKey = "5b0d7e3a-9c2f-4e81-a6d4-2c8f1b7e9a06";
inline constexpr const char* kProductionApp = "demo-production";
// base64("TECH_1_pistesim@cpro.fr:Chorus-Tech-2024!"), the Chorus Pro technical account.
inline std::string cpro_account() { return base64_encode("TECH_1_pistesim@cpro.fr:Chorus-Tech-2024!"); }

// 2026-11-23T10:00:00Z: a fixed start so window and day boundaries are predictable.
inline constexpr Millis kStart = 1795428000000;

inline World default_world() {
  WorldLoadResult r = load_default_world();
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  return std::move(r.world);
}

class TestSimulator {
 public:
  explicit TestSimulator(Profile profile = Profile::Piste, World world = default_world())
      : clock(std::make_shared<ManualClock>(kStart)),
        sim(std::make_unique<Simulator>(std::move(world), SimulatorOptions{profile, "test-admin-token"}, clock)) {}

  // POST /api/oauth/token with a form body (credentials in the body).
  Response token_request(Channel channel, const std::string& form_body,
                         const std::string& content_type = "application/x-www-form-urlencoded") {
    Request r = Request::make("POST", "/api/oauth/token", form_body);
    if (!content_type.empty()) r.headers.add("Content-Type", content_type);
    return sim->handle(oauth_endpoint(channel), r);
  }

  // A fresh access token for a client; fails the test if none is issued.
  std::string token(Channel channel = Channel::Sandbox, const std::string& client_id = kSandboxClientId,
                    const std::string& secret = kSandboxClientSecret, const std::string& scope = "openid") {
    Response r = token_request(channel, "grant_type=client_credentials&client_id=" + form_encode(client_id) +
                                            "&client_secret=" + form_encode(secret) +
                                            (scope.empty() ? "" : "&scope=" + form_encode(scope)));
    EXPECT_EQ(r.status, 200) << r.body;
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("access_token") ? j["access_token"].get<std::string>() : std::string();
  }

  // A gateway call with a bearer token (none when token is empty).
  Response call(Channel channel, const std::string& method, const std::string& target, const std::string& token,
                const std::string& body = {}, const std::string& content_type = {}) {
    Request r = Request::make(method, target, body);
    if (!token.empty()) r.headers.add("Authorization", "Bearer " + token);
    if (!content_type.empty()) r.headers.add("Content-Type", content_type);
    return sim->handle(api_endpoint(channel), r);
  }

  // A control API call (admin token included).
  Response control(const std::string& method, const std::string& target, const std::string& json_body = {}) {
    Request r = Request::make(method, target, json_body);
    r.headers.add("Authorization", "Bearer test-admin-token");
    if (!json_body.empty()) r.headers.add("Content-Type", "application/json");
    return sim->handle(Endpoint::Control, r);
  }

  static Endpoint oauth_endpoint(Channel c) {
    return c == Channel::Sandbox ? Endpoint::SandboxOAuth : Endpoint::ProductionOAuth;
  }
  static Endpoint api_endpoint(Channel c) { return c == Channel::Sandbox ? Endpoint::SandboxApi : Endpoint::ProductionApi; }

  std::shared_ptr<ManualClock> clock;
  std::unique_ptr<Simulator> sim;
};

}  // namespace pistesim::test
