// Fuzz target: the whole in-process simulator (Simulator::handle) — token endpoints, gateways,
// Host routing and the control API — on arbitrary requests. One Simulator on the default world
// serves every input; it is reset before each one so that an input replays alike on its own.
//
// Input: up to 8 requests separated by a line "===". Each is written like HTTP/1.1:
//   POST /sandbox/oauth/api/oauth/token?x=1     (method, a space, the target)
//   Content-Type: application/x-www-form-urlencoded
//                                              (headers up to an empty line; the rest is body)
//   grant_type=client_credentials&client_id=…
// "$TOKEN" anywhere in a request stands for the last access_token a 200 answer gave, so that
// gateway calls can carry a live token. The control API's admin token is "fuzz-admin-token".
// Besides not crashing: every answer has a real status, and a JSON content type means JSON.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/simulator.h"
#include "fuzz/fuzz_check.h"
#include "world/default_world.h"

using namespace pistesim;

namespace {

constexpr Millis kStart = 1795428000000;  // 2026-11-23T09:00:00Z, as the tests' clock
constexpr size_t kMaxRequests = 8;

struct Fixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
  std::unique_ptr<Simulator> sim;
  Fixture() {
    WorldLoadResult w = load_default_world();
    FUZZ_CHECK(w.ok(), "the default world loads");
    sim = std::make_unique<Simulator>(
        std::move(w.world), SimulatorOptions{Profile::Piste, "fuzz-admin-token", 256}, clock);
  }
};

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}

// One request written as HTTP/1.1 text (see the top of the file).
Request decode(std::string_view text) {
  size_t eol = text.find('\n');
  std::string_view line = text.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t sp = line.find(' ');
  std::string method(line.substr(0, sp));
  std::string_view target = sp == std::string_view::npos ? "/" : line.substr(sp + 1);
  std::string_view rest = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
  Headers headers;
  while (!rest.empty()) {
    eol = rest.find('\n');
    std::string_view h = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 1);
    if (!h.empty() && h.back() == '\r') h.remove_suffix(1);
    if (h.empty()) break;
    size_t colon = h.find(':');
    std::string_view value =
        colon == std::string_view::npos ? std::string_view{} : h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.add(std::string(h.substr(0, colon)), std::string(value));
  }
  Request r = Request::make(method.empty() ? "GET" : method, target, std::string(rest));
  for (const auto& h : headers) r.headers.add(h.name, h.value);
  r.remote_addr = "127.0.0.1";
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture f;
  f.sim->reset();
  f.clock->set(kStart);

  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string token = "no-token-yet";
  for (size_t n = 0; n < kMaxRequests && !in.empty(); ++n) {
    size_t sep = in.find("\n===\n");
    std::string text(in.substr(0, sep));
    in = sep == std::string_view::npos ? std::string_view{} : in.substr(sep + 5);
    replace_all(text, "$TOKEN", token);

    Response resp = f.sim->handle(decode(text));
    FUZZ_CHECK(resp.status >= 100 && resp.status <= 599, "an answer has a real HTTP status");
    if (resp.drop_connection) continue;
    if (resp.content_type().starts_with("application/json") && !resp.body.empty()) {
      auto j = nlohmann::json::parse(resp.body, nullptr, false);
      FUZZ_CHECK(!j.is_discarded(), "a JSON answer is JSON");
      if (resp.status == 200 && j.is_object() && j.contains("access_token") &&
          j["access_token"].is_string())
        token = j["access_token"].get<std::string>();
    }
  }
  return 0;
}
