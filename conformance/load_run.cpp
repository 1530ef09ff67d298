#include "conformance/load_run.h"

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "conformance/target_access.h"
#include "scenario_engine/runner.h"
#include "scenario_engine/template.h"

namespace pistesim::conformance {

namespace {

constexpr size_t kMaxNotes = 10;

std::string form_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The profile's token URL and client, rendered for this target (they may hold
// {{sandbox_oauth}} or {{env.X}}).
struct TokenRequest {
  std::string url, body;
};

Result<TokenRequest> token_request(const TargetProfile& profile, scenario::Target& target) {
  scenario::Scenario empty;
  scenario::Scenario sc = with_profile_vars(empty, profile);
  scenario::Variables vars;
  const auto urls = target.base_urls();
  vars.set("sandbox_oauth", urls.sandbox_oauth);
  vars.set("sandbox_api", urls.sandbox_api);
  vars.set("production_oauth", urls.production_oauth);
  vars.set("production_api", urls.production_api);
  vars.set("control", urls.control);
  auto get = [&](const std::string& name) -> Result<std::string> {
    auto it = sc.vars.find(name);
    if (it == sc.vars.end() || !it->second.is_string()) return Error{"the profile has no " + name};
    return scenario::render(it->second.get<std::string>(), vars);
  };
  auto url = get("token_url");
  if (!url) return url.error();
  auto id = get("client_id");
  if (!id) return id.error();
  auto secret = get("client_secret");
  if (!secret) return secret.error();
  return TokenRequest{*url, "grant_type=client_credentials&client_id=" + form_encode(*id) +
                                "&client_secret=" + form_encode(*secret)};
}

}  // namespace

bool LoadReport::ok() const {
  return mismatches.empty() && duplicate_tokens == 0 && malformed == 0 && server_errors == 0 &&
         transport_errors == 0 && tokens > 0;
}

std::string LoadReport::summary() const {
  std::string out = "Under load (" + std::to_string(concurrency) + " connections × " +
                    std::to_string(repeat) + " rounds): " + std::to_string(check_runs) +
                    " check runs, " + std::to_string(mismatches.size()) +
                    " verdicts differing from the sequential run; " +
                    std::to_string(token_requests) + " token requests, " + std::to_string(tokens) +
                    " distinct tokens, " + std::to_string(duplicate_tokens) + " duplicated, " +
                    std::to_string(malformed) + " malformed answers, " +
                    std::to_string(server_errors) + " 5xx, " + std::to_string(transport_errors) +
                    " transport errors — " + (ok() ? "OK" : "FAILED");
  for (const auto& m : mismatches) out += "\n  " + m;
  for (const auto& p : problems) out += "\n  " + p;
  return out;
}

LoadReport run_under_load(const std::vector<Check>& checks, const TargetProfile& profile,
                          const SuiteResult& sequential, const LoadOptions& options) {
  LoadReport report;
  report.concurrency = std::max<size_t>(options.concurrency, 1);
  report.repeat = std::max<size_t>(options.repeat, 1);

  // The checks to repeat, with their sequential verdicts.
  std::map<std::string, Verdict> alone;
  for (const auto& r : sequential.results)
    if (r.verdict == Verdict::Pass || r.verdict == Verdict::Fail) alone[r.id] = r.verdict;
  std::vector<const Check*> repeated;
  for (const auto& c : checks)
    if (c.token_endpoint() && alone.count(c.id) &&
        (c.profiles.empty() ||
         std::find(c.profiles.begin(), c.profiles.end(), profile.profile) != c.profiles.end()))
      repeated.push_back(&c);

  std::mutex mutex;
  std::set<std::string> tokens;
  std::map<std::string, size_t> mismatch_count;
  auto note = [&](std::vector<std::string>& list, std::string text) {
    if (list.size() < kMaxNotes) list.push_back(std::move(text));
  };

  std::unique_ptr<TargetAccess> shared;
  if (profile.target == "embedded") {
    auto opened = open_target(profile);
    if (!opened) {
      report.problems.push_back("cannot open the target: " + opened.error().message);
      return report;
    }
    shared = std::move(opened).value();
  }

  auto worker = [&](size_t) {
    auto opened = open_target(profile, shared.get());
    if (!opened) {
      std::lock_guard lock(mutex);
      ++report.transport_errors;
      note(report.problems, "cannot open the target: " + opened.error().message);
      return;
    }
    const std::unique_ptr<TargetAccess>& access = *opened;
    auto request = token_request(profile, *access->target);
    if (!request) {
      std::lock_guard lock(mutex);
      note(report.problems, request.error().message);
      return;
    }
    for (size_t round = 0; round < report.repeat; ++round) {
      for (const Check* c : repeated) {
        auto result =
            scenario::run_scenario(with_profile_vars(c->scenario, profile), *access->target);
        Verdict v = result.outcome == scenario::Outcome::Passed    ? Verdict::Pass
                    : result.outcome == scenario::Outcome::Failed  ? Verdict::Fail
                    : result.outcome == scenario::Outcome::Skipped ? Verdict::Skip
                                                                   : Verdict::Error;
        std::lock_guard lock(mutex);
        ++report.check_runs;
        for (const auto& s : result.steps)
          for (const auto& x : s.exchanges)
            if (x.status && *x.status >= 500) {
              ++report.server_errors;
              note(report.problems,
                   c->id + ": " + x.method + " answered " + std::to_string(*x.status));
            }
        if (v != alone[c->id] && mismatch_count[c->id]++ < 3)
          report.mismatches.push_back(c->id + ": " + std::string(to_string(v)) + " under load, " +
                                      std::string(to_string(alone[c->id])) + " alone — " +
                                      evidence_of(result));
      }
      Request r;
      r.headers.add("Content-Type", "application/x-www-form-urlencoded");
      r.body = request->body;
      auto response = access->target->send("POST", request->url, std::move(r));
      std::lock_guard lock(mutex);
      ++report.token_requests;
      if (!response) {
        ++report.transport_errors;
        note(report.problems, "token request: " + response.error().message);
        continue;
      }
      if (response->status >= 500) {
        ++report.server_errors;
        note(report.problems, "token request answered " + std::to_string(response->status));
        continue;
      }
      auto j = nlohmann::json::parse(response->body, nullptr, false);
      if (response->status != 200 || j.is_discarded() || !j.is_object() ||
          !j.contains("access_token") || !j["access_token"].is_string()) {
        ++report.malformed;
        note(report.problems, "token request answered " + std::to_string(response->status) +
                                  (j.is_discarded() ? " with a body that is not JSON"
                                                    : " without a string access_token"));
        continue;
      }
      // The token itself is never reported: only whether it was seen before.
      if (!tokens.insert(j["access_token"].get<std::string>()).second) ++report.duplicate_tokens;
    }
  };
  std::vector<std::thread> pool;
  for (size_t i = 0; i < report.concurrency; ++i) pool.emplace_back(worker, i);
  for (auto& t : pool) t.join();
  report.tokens = tokens.size();
  return report;
}

}  // namespace pistesim::conformance
