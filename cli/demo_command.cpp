// `pistesim demo`: the SNE-Cotation journey of the seeds (001) over real HTTP against an
// in-process simulator on a free loopback port — token, ERRAUTUSR0001 until the provider
// grants a business profile, then {"version":"1.0","etat":"OK"}.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

#include "commands.h"
#include "core/simulator.h"
#include "exchange_printer.h"
#include "http/http_client.h"
#include "http/http_server.h"
#include "server_info.h"
#include "world/default_world.h"

namespace pistesim::cli {

namespace {

int demo() {
  WorldLoadResult loaded = load_default_world();
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
    return 2;
  }
  Simulator sim(std::move(loaded.world), SimulatorOptions{}, std::make_shared<SystemClock>());
  HttpServerOptions options;
  options.port = 0;
  HttpServer server(sim, options);
  if (Result<void> bound = server.bind(); !bound) {
    std::cerr << "pistesim demo: " << bound.error().message << "\n";
    return 2;
  }
  server.start();
  nlohmann::json info = server_info(sim, server.base_url());
  const auto& creds = info["demo"]["sandbox"];
  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  std::cout << "pistesim demo — the SNE-Cotation journey (seed 001) against an in-process PISTE at "
            << server.base_url() << "\n"
            << "demo application " << creds["name"].get<std::string>() << " (SANDBOX)\n\n";

  // Closed before server.stop(): cpp-httplib waits for open keep-alive connections to idle out.
  auto client = std::make_unique<HttpClient>(server.base_url());
  std::string token;
  auto bearer = [&] { return "Bearer " + token; };

  auto token_request = [&] {
    Request r = Request::make(
        "POST", "/sandbox/oauth/api/oauth/token",
        "grant_type=client_credentials&client_id=" + creds["client_id"].get<std::string>() +
            "&client_secret=" + creds["client_secret"].get<std::string>() + "&scope=openid");
    r.headers.add("Content-Type", "application/x-www-form-urlencoded");
    r.headers.add("Accept", "application/json");
    return r;
  };
  auto healthcheck = [&] {
    Request r = Request::make("GET", "/sandbox/api/mtes/sne-cotation/v1.0/healthcheck");
    r.headers.add("Authorization", bearer());
    return r;
  };
  auto grant_profile = [&] {
    Request r = Request::make("POST",
                              "/__pistesim/applications/" +
                                  creds["application"].get<std::string>() + "/business-profiles",
                              R"({"api":"sne-cotation"})");
    r.headers.add("Authorization", "Bearer " + sim.admin_token());
    r.headers.add("Content-Type", "application/json");
    return r;
  };

  auto body_json = [](const Response& r) { return nlohmann::json::parse(r.body, nullptr, false); };
  struct Step {
    std::string title;
    std::function<Request()> make;
    int status;
    std::function<std::string(const Response&)> check;  // "" when the answer is as expected
  };
  std::vector<Step> steps = {
      {"1. Obtain an access token (client credentials, RFC 6749 §4.4)", token_request, 200,
       [&](const Response& r) -> std::string {
         auto j = body_json(r);
         if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string())
           return "no access_token";
         token = j["access_token"].get<std::string>();
         if (token.size() != 54) return "the token is not 54 characters long";
         if (j.value("token_type", "") != "Bearer" || j.value("expires_in", 0) != 3600)
           return "unexpected token_type/expires_in";
         return "";
       }},
      {"2. Call SNE-Cotation: no business profile is attributed to the application yet",
       healthcheck, 200,
       [&](const Response& r) -> std::string {
         auto j = body_json(r);
         return j.is_object() && j.value("code", "") == "ERRAUTUSR0001"
                    ? ""
                    : "expected code ERRAUTUSR0001";
       }},
      {"3. SNE-Cotation's administrators attribute a business profile (control API)", grant_profile,
       200, [&](const Response&) { return std::string(); }},
      {"4. Call SNE-Cotation again", healthcheck, 200,
       [&](const Response& r) -> std::string {
         auto j = body_json(r);
         return j == nlohmann::json{{"version", "1.0"}, {"etat", "OK"}}
                    ? ""
                    : R"(expected {"version":"1.0","etat":"OK"})";
       }},
  };

  int failures = 0;
  for (auto& step : steps) {
    std::cout << "== " << step.title << "\n";
    Request req = step.make();
    auto res = client->send(req);
    if (!res) {
      std::cout << "!! no answer: " << res.error().message << "\n";
      ++failures;
      break;
    }
    print_exchange(std::cout, host, req, *res);
    std::string problem = res->status == step.status
                              ? step.check(*res)
                              : "expected HTTP " + std::to_string(step.status);
    if (!problem.empty()) {
      std::cout << "!! " << problem << "\n\n";
      ++failures;
      break;
    }
  }
  client.reset();
  server.stop();
  if (failures) {
    std::cout << "demo FAILED\n";
    return 1;
  }
  std::cout << "demo passed: 4 exchanges, as in the SNE-Cotation guide. Next: `pistesim serve` and "
               "point your "
               "client at the printed base URLs.\n";
  return 0;
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "demo", "Walk the SNE-Cotation journey over HTTP against an in-process simulator");
  cmd->callback([&exit_code] { exit_code = demo(); });
}

}  // namespace pistesim::cli
