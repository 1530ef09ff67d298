// Credentials and fixed times of the default world (fixtures/piste-default.toml, WLD-2),
// shared by tests and benchmarks.
#pragma once

#include <string>

#include "clock/clock.h"
#include "wire/encoding.h"

namespace pistesim::test {

inline constexpr const char* kSandboxClientId = "9c4a1f7e-3b2d-4e8a-9f61-5d7c2b8e4a10";
inline constexpr const char* kSandboxClientSecret = "6f2e9d41-8c3b-47a5-b0e9-1d5c7a3f2e86";
inline constexpr const char* kSandboxApiKey = "d1e8b5c2-7a4f-4c39-8e21-3f6b9a0c5d74";
inline constexpr const char* kSandboxApp = "demo-sandbox";
inline constexpr const char* kProductionClientId = "3e7b2c94-5a1d-4f86-b2c0-8d9e6f1a7b35";
inline constexpr const char* kProductionClientSecret = "a8c3e5f0-2d7b-4b19-9e64-7f1a0c2d8b53";
inline constexpr const char* kProductionApiKey = "5b0d7e3a-9c2f-4e81-a6d4-2c8f1b7e9a06";
inline constexpr const char* kProductionApp = "demo-production";
// base64("TECH_1_pistesim@cpro.fr:Chorus-Tech-2024!"), the Chorus Pro technical account.
inline std::string cpro_account() {
  return base64_encode("TECH_1_pistesim@cpro.fr:Chorus-Tech-2024!");
}

// 2026-11-23T10:00:00Z: a fixed start so window and day boundaries are predictable.
inline constexpr Millis kStart = 1795428000000;

}  // namespace pistesim::test
