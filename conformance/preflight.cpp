#include "conformance/preflight.h"

#include <nlohmann/json.hpp>

#include "conformance/target_access.h"
#include "scenario_engine/template.h"
#include "wire/encoding.h"

namespace pistesim::conformance {

namespace {

using nlohmann::json;
using scenario::Target;

PreflightResult failed(std::string problem, std::string remedy) {
  PreflightResult r;
  r.problem = std::move(problem);
  r.remedy = std::move(remedy);
  return r;
}

// "400 invalid_client (Client authentication failed)": the status, the OAuth error and its
// description when the body holds them.
std::string answer_text(const Response& r) {
  std::string out = std::to_string(r.status);
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    out += " " + j["error"].get<std::string>();
    if (j.contains("error_description") && j["error_description"].is_string())
      out += " (" + j["error_description"].get<std::string>() + ")";
  }
  return out;
}

std::string oauth_error(const Response& r) {
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string())
    return j["error"].get<std::string>();
  return {};
}

// The profile's variables rendered as the checks will see them (token_url may name
// {{sandbox_oauth}}, a secret {{env.X}}), or an error naming the key.
Result<void> render_vars(const TargetProfile& p, Target& t, scenario::Variables& out) {
  scenario::BaseUrls urls = t.base_urls();
  out.set("sandbox_oauth", urls.sandbox_oauth);
  out.set("sandbox_api", urls.sandbox_api);
  out.set("production_oauth", urls.production_oauth);
  out.set("production_api", urls.production_api);
  out.set("control", urls.control);
  std::map<std::string, scenario::Value> pending = with_profile_vars({}, p).vars;
  pending.erase("oversized_body");
  // Values may refer to each other in any order.
  auto all = scenario::render_all(
      std::move(pending), out,
      [&](const std::string& name, scenario::Value v) { out.set(name, std::move(v)); });
  if (!all)
    return Error{"the target profile's « " + all.error().name + " »: " + all.error().reason};
  return {};
}

std::string var(const scenario::Variables& vars, const std::string& name) {
  const scenario::Value* v = vars.find(name);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

class Preflight {
 public:
  Preflight(const TargetProfile& p, Target& t, scenario::Variables vars, std::string world_file)
      : p_(p),
        t_(t),
        vars_(std::move(vars)),
        token_url_(var(vars_, "token_url")),
        world_file_(std::move(world_file)) {}

  // A token for the client whose variables start with `prefix` ("" or "second_"), or why not.
  std::optional<std::string> token(const std::string& prefix, PreflightResult& r) {
    const std::string id = var(vars_, prefix + "client_id");
    const std::string secret = var(vars_, prefix + "client_secret");
    const std::string option = "--" + std::string(prefix == "second_" ? "second-" : "");
    std::optional<uint64_t> mark;
    if (p_.control())
      if (auto position = t_.journal_position()) mark = *position;

    std::optional<Response> last;
    for (bool basic : {true, false}) {
      Request req;
      req.headers.add("Content-Type", "application/x-www-form-urlencoded");
      req.body = "grant_type=client_credentials";
      if (basic)
        req.headers.add("Authorization",
                        "Basic " + base64_encode(form_encode(id) + ":" + form_encode(secret)));
      else
        req.body += "&client_id=" + form_encode(id) + "&client_secret=" + form_encode(secret);
      auto resp = t_.send("POST", token_url_, std::move(req));
      if (!resp) {
        r = failed("cannot reach the token endpoint " + token_url_ + ": " + resp.error().message,
                   p_.control() ? "check --target: is `pistesim serve` running there?"
                                : "check --token-url, and that the server is running");
        return std::nullopt;
      }
      if (resp->status == 200) {
        auto j = json::parse(resp->body, nullptr, false);
        if (j.is_object() && j.contains("access_token") && j["access_token"].is_string())
          return j["access_token"].get<std::string>();
      }
      if (!last || oauth_error(*last) != "invalid_client") last = std::move(*resp);
    }
    const std::string seen = "POST " + token_url_ + " answered " + answer_text(*last);
    if (last->status == 404 || last->status == 405) {
      r = failed(seen + ": no token endpoint there", "check --token-url (the token endpoint)");
      return std::nullopt;
    }
    if (oauth_error(*last) != "invalid_client") {
      r = failed("client « " + id + " » got no token: " + seen,
                 "give a confidential client allowed the client_credentials grant (" + option +
                     "client-id, " + option + "client-secret)");
      return std::nullopt;
    }
    r = refused_client(id, option, seen, mark);
    return std::nullopt;
  }

  // A call with the token to the path `name` holds (under api_base): true when it answered as
  // the checks need (allowed_path: 2xx; forbidden_path: anything but 404), else false with r.
  bool api(const std::string& name, const std::string& token, PreflightResult& r,
           std::string& seen) {
    const std::string path = var(vars_, name);
    const std::string url = var(vars_, "api_base") + path;
    Request req;
    req.headers.add("Authorization", "Bearer " + token);
    auto resp = t_.send("GET", url, std::move(req));
    const std::string option = name == "allowed_path" ? "--allowed-path" : "--forbidden-path";
    if (!resp) {
      r = failed("cannot reach the API at " + url + ": " + resp.error().message,
                 p_.control() ? "check --target: is `pistesim serve` running there?"
                              : "check --api-url, and that the server is running");
      return false;
    }
    const std::string answer = "GET " + url + " with the client's token answered ";
    const std::string anyway = p_.control() ? "" : "; or --no-preflight to run the checks anyway";
    if (resp->status == 404) {
      r = failed(answer + "404: no API there",
                 "give " + option + " an API path that exists under --api-url" + anyway);
      return false;
    }
    if (name == "allowed_path" && resp->status / 100 != 2) {
      r = failed(answer + answer_text(*resp) + ": the client may not call it",
                 "give --allowed-path a path its token may call, or subscribe the client's "
                 "application to that API" +
                     anyway);
      return false;
    }
    seen = name + " " + std::to_string(resp->status);
    return true;
  }

 private:
  // invalid_client: on a pistesim, its journal says whether the client exists there (the
  // token endpoint rightly does not, RFC 6749 §10.10); elsewhere nothing can tell.
  PreflightResult refused_client(const std::string& id, const std::string& option,
                                 const std::string& seen, std::optional<uint64_t> mark) {
    const std::string ids = option + "client-id/" + option + "client-secret";
    const std::string plain_remedy = "check " + ids + " (the server does not know the client, " +
                                     "or the secret is wrong)" +
                                     (option == "--" ? " — the secret may come from "
                                                       "CONFORM_CLIENT_SECRET"
                                                     : "");
    if (!mark) return failed("client « " + id + " » refused: " + seen, plain_remedy);
    const JournalEntry* entry = nullptr;
    auto entries = t_.journal(*mark);
    if (entries)
      for (const auto& e : *entries)
        if (e.kind == JournalKind::Token && e.client_id == id) entry = &e;
    if (!entry) return failed("client « " + id + " » refused: " + seen, plain_remedy);
    if (!entry->application.empty())
      return failed("the target knows client « " + id + " » (application « " + entry->application +
                        " ») but refused its secret: " + seen,
                    "give the client's secret with " + option + "client-secret" +
                        (option == "--" ? " or CONFORM_CLIENT_SECRET" : ""));
    // Unknown: a typo if the profile's application is there, else most likely another world.
    const std::string app = var(vars_, "application");
    if (!app.empty()) {
      auto resp = t_.send("GET", t_.base_urls().control + "/applications/" + percent_encode(app),
                          Request{});
      auto j = resp && resp->status == 200 ? json::parse(resp->body, nullptr, false) : json();
      if (j.is_object() && j.contains("oauth_clients") && j["oauth_clients"].is_array()) {
        std::string known;
        for (const auto& c : j["oauth_clients"])
          if (c.is_object() && c.value("client_id", "") != "")
            known += (known.empty() ? "" : ", ") + c.value("client_id", "");
        return failed("the target has no client « " + id + " »: " + seen,
                      "give " + option + "client-id of a client of application « " + app + " »" +
                          (known.empty() ? "" : " (" + known + ")"));
      }
    }
    std::string world_name;
    if (auto resp = t_.send("GET", t_.base_urls().control + "/world", Request{});
        resp && resp->status == 200) {
      auto j = json::parse(resp->body, nullptr, false);
      if (j.is_object() && j.contains("name") && j["name"].is_string())
        world_name = " « " + j["name"].get<std::string>() + " »";
    }
    return failed("the target's world" + world_name + " has no client « " + id +
                      " », so it likely runs another world: " + seen,
                  "start the server with --world " + world_file_ + ", or give " + ids +
                      " of one of its applications");
  }

  const TargetProfile& p_;
  Target& t_;
  scenario::Variables vars_;
  std::string token_url_;
  const std::string world_file_;
};

}  // namespace

PreflightResult preflight(const TargetProfile& p, const std::string& world_file) {
  auto access = open_target(p);
  if (!access)
    return failed("cannot open the target: " + access.error().message,
                  "check --target and --world");
  Target& t = *(*access)->target;
  // A pistesim is reset as before each check: what an earlier run left must not be judged.
  if (auto reset = p.control() ? t.reset() : Result<void>(); !reset) {
    const std::string& why = reset.error().message;
    const bool token = why.find("admin token") != std::string::npos;
    return failed("cannot reset the target: " + why,
                  token ? "give the admin token `pistesim serve` printed (--admin-token)"
                        : "check --target: is `pistesim serve` running there?");
  }
  scenario::Variables vars;
  if (auto rendered = render_vars(p, t, vars); !rendered)
    return failed(rendered.error().message,
                  "fix it in --profile-file or give it on the command line");
  Preflight run(p, t, vars, world_file);
  PreflightResult r;
  auto token = run.token("", r);
  if (!token) return r;
  r.summary = "OK: 1 client got a token";
  if (p.provides("second_client")) {
    if (!run.token("second_", r)) return r;
    r.summary = "OK: 2 clients got a token";
  }
  for (const char* path : {"allowed_path", "forbidden_path"}) {
    if (!p.provides(path)) continue;
    std::string seen;
    if (!run.api(path, *token, r, seen)) return r;
    r.summary += (r.summary.find(';') == std::string::npos ? "; " : ", ") + seen;
  }
  r.ok = true;
  return r;
}

}  // namespace pistesim::conformance
