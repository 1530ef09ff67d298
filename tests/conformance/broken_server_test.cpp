// Every conformance check must be able to fail: a small OAuth 2.0 server (token endpoint and a
// protected resource, RFC profile) that behaves well, or misbehaves in one switchable way per
// check. Well-behaved, every check that needs no control API passes; with the misbehaviour a
// check is about, that check fails.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/rand.h>

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "conformance/suite.h"

namespace pistesim::conformance {
namespace {

std::string url_decode(const std::string& s, bool plus_is_space = true) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(s[i + 1]) &&
               std::isxdigit(s[i + 2])) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Form fields in order, repeats kept.
std::vector<std::pair<std::string, std::string>> parse_form(const std::string& body) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= body.size() && !body.empty()) {
    size_t end = body.find('&', start);
    std::string part =
        body.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      out.emplace_back(url_decode(part.substr(0, eq)),
                       eq == std::string::npos ? "" : url_decode(part.substr(eq + 1)));
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string random_token() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof bytes);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

bool scope_token_ok(const std::string& t) {
  if (t.empty()) return false;
  for (unsigned char c : t)
    if (!(c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E))) return false;
  return true;
}

bool b64token_ok(const std::string& t) {
  if (t.empty()) return false;
  size_t i = 0;
  while (i < t.size() && (std::isalnum(static_cast<unsigned char>(t[i])) ||
                          std::string("-._~+/").find(t[i]) != std::string::npos))
    ++i;
  if (i == 0) return false;
  while (i < t.size() && t[i] == '=') ++i;
  return i == t.size();
}

std::string base64_decode(const std::string& in, bool* ok) {
  static const std::string chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  *ok = !in.empty() && in.size() % 4 == 0;
  for (size_t i = 0; i < in.size() && *ok; ++i) {
    char c = in[i];
    if (c == '=') {
      *ok = in.find_first_not_of('=', i) == std::string::npos;
      break;
    }
    size_t p = chars.find(c);
    if (p == std::string::npos) {
      *ok = false;
      break;
    }
    val = (val << 6) + static_cast<int>(p);
    bits += 6;
    if (bits >= 0) {
      out += static_cast<char>((val >> bits) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

const std::map<std::string, std::string> kClients = {
    {"client-one", "secret-one-123456"},
    {"client-two", "secret-two-123456"},
    {"sp:ec%ial&1+a b", "s3:c%&+ z-secret"},
};
const std::string kPublicClient = "public-one";

// The server. `fault` names the one misbehaviour ("" behaves).
class FakeOAuthServer {
 public:
  explicit FakeOAuthServer(std::string fault) : fault_(std::move(fault)) {
    server_.set_payload_max_length(1024 * 1024);
    // A server that fails on a large body instead of refusing it with 413.
    if (is("oversize_500"))
      server_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.status == 413) res.status = 500;
      });
    auto token = [this](const httplib::Request& req, httplib::Response& res) {
      on_token(req, res);
    };
    server_.Post("/token", token);
    server_.Get("/token", token);
    server_.Put("/token", token);
    auto api = [this](const httplib::Request& req, httplib::Response& res) { on_api(req, res); };
    server_.Get(R"(/api/(echo|other)/hello)", api);
    server_.Post(R"(/api/(echo|other)/hello)", api);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeOAuthServer() {
    server_.stop();
    thread_.join();
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  bool is(const char* f) const { return fault_ == f; }

  void no_store(httplib::Response& res) {
    if (is("no_store")) return;
    res.set_header("Cache-Control", "no-store");
    res.set_header("Pragma", "no-cache");
  }

  void error(httplib::Response& res, int status, const std::string& code,
             std::string description = "refused") {
    res.status = status;
    no_store(res);
    if (is("error_text")) {
      res.set_content("error=" + code, "text/plain");
      return;
    }
    if (is("error_charset")) description = "refusé";
    res.set_content(nlohmann::json{{"error", code}, {"error_description", description}}.dump(),
                    "application/json");
  }

  void issue(httplib::Response& res, const std::string& granted) {
    std::string token;
    {
      std::lock_guard lock(mutex_);
      token = is("same_token") ? std::string("fixed-token-aaaaaaaaaaaaaaaaaaaa") : random_token();
      tokens_.insert(token);
    }
    nlohmann::json body = {{"access_token", token},
                           {"token_type", is("token_type_mac") ? "mac" : "Bearer"},
                           {"expires_in", 3600}};
    if (is("expires_string")) body["expires_in"] = "3600";
    if (is("refresh")) body["refresh_token"] = random_token();
    if (!is("no_scope_field")) body["scope"] = granted;
    if (is("nested")) body = {{"token", body}};
    res.status = 200;
    no_store(res);
    if (is("text_body"))
      res.set_content("access_token=" + token, "text/plain");
    else
      res.set_content(body.dump(), "application/json");
  }

  void on_token(const httplib::Request& req, httplib::Response& res) {
    if (req.method != "POST" && !is("get_ok")) {
      res.status = 405;
      if (!is("no_allow")) res.set_header("Allow", "POST");
      no_store(res);
      return;
    }
    std::string content_type = req.get_header_value("Content-Type");
    auto fields = parse_form(req.body);
    // cpp-httplib merges a form body into req.params: the URI's own query is read from the target.
    size_t q = req.target.find('?');
    if (q != std::string::npos && q + 1 < req.target.size()) {
      if (!is("query_ok")) return error(res, 400, "invalid_request", "parameters in the query");
      for (const auto& kv : parse_form(req.target.substr(q + 1))) fields.push_back(kv);
    }
    if (req.method == "POST" && !content_type.starts_with("application/x-www-form-urlencoded") &&
        !is("any_content_type"))
      return error(res, 400, "invalid_request", "not a form body");
    if (is("any_content_type") && content_type.starts_with("application/json")) {
      auto j = nlohmann::json::parse(req.body, nullptr, false);
      if (j.is_object())
        for (auto& [k, v] : j.items())
          if (v.is_string()) fields.emplace_back(k, v.get<std::string>());
    }
    std::map<std::string, std::string> p;
    for (const auto& [k, v] : fields) {
      if (p.count(k) && !is("repeats_ok")) return error(res, 400, "invalid_request", "repeated");
      if (!v.empty() || is("empty_is_value")) p[k] = v;
    }
    static const std::set<std::string> known = {"grant_type", "client_id", "client_secret",
                                                "scope"};
    if (is("unknown_param_error"))
      for (const auto& [k, v] : p)
        if (!known.count(k)) return error(res, 400, "invalid_request", "unknown parameter");

    std::optional<std::pair<std::string, std::string>> basic;
    if (req.has_header("Authorization")) {
      std::string h = req.get_header_value("Authorization");
      bool ok = h.starts_with("Basic ") && !is("no_basic");
      std::string decoded = ok ? base64_decode(h.substr(6), &ok) : "";
      size_t colon = decoded.find(':');
      if (!ok || colon == std::string::npos) {
        if (is("no_basic")) return error(res, 400, "invalid_client");
        return error(res, is("malformed_basic_401") ? 401 : 400,
                     is("malformed_basic_401") ? "invalid_client" : "invalid_request",
                     "malformed Basic credentials");
      }
      bool decode = !is("no_basic_decode");
      basic = std::pair{decode ? url_decode(decoded.substr(0, colon)) : decoded.substr(0, colon),
                        decode ? url_decode(decoded.substr(colon + 1)) : decoded.substr(colon + 1)};
      if (p.count("client_secret") && !is("two_methods_ok"))
        return error(res, 400, "invalid_request", "two authentication methods");
      if (p.count("client_id") && p["client_id"] != basic->first && !is("client_id_mismatch_ok"))
        return error(res, 400, "invalid_request", "client_id differs from the Basic user");
    }
    if (!p.count("grant_type")) {
      if (!is("grant_default")) return error(res, 400, "invalid_request", "grant_type missing");
      p["grant_type"] = "client_credentials";
    }
    if (p["grant_type"] != "client_credentials" && !is("grant_any"))
      return error(res, 400, "unsupported_grant_type");
    std::vector<std::string> scopes;
    if (p.count("scope")) {
      std::string s = p["scope"];
      for (size_t start = 0; start <= s.size();) {
        size_t end = s.find(' ', start);
        std::string t = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (!scope_token_ok(t) && !is("scope_any")) return error(res, 400, "invalid_scope");
        scopes.push_back(t);
        if (end == std::string::npos) break;
        start = end + 1;
      }
    } else if (is("no_scope_invalid_request")) {
      return error(res, 400, "invalid_request", "scope required");
    }

    std::string id, secret;
    bool via_basic = basic.has_value();
    if (basic) {
      id = basic->first;
      secret = basic->second;
    } else if (p.count("client_id") && !is("no_body_auth")) {
      id = p["client_id"];
      secret = p.count("client_secret") ? p["client_secret"] : "";
    } else {
      if (is("no_auth_token")) return issue(res, "echo.read");
      return error(res, 400, "invalid_client", "no client authentication");
    }
    if (id == kPublicClient && secret.empty()) {
      if (is("public_ok")) return issue(res, "echo.read");
      return error(res, 400, "unauthorized_client");
    }
    auto client = kClients.find(id);
    if (client == kClients.end() || client->second != secret) {
      std::string description = "client authentication failed";
      if (is("leak")) description = client == kClients.end() ? "unknown client" : "wrong secret";
      if (via_basic) {
        if (!is("no_www_basic")) res.set_header("WWW-Authenticate", "Basic realm=\"fake\"");
        return error(res, 401, "invalid_client", description);
      }
      return error(res, 400, is("body_fail_other") ? "access_denied" : "invalid_client",
                   description);
    }
    std::string granted = "echo.read";
    for (const auto& s : scopes) {
      if (s == "echo.read" || s == "openid") continue;
      if (!is("scope_grant_all") && !is("scope_any")) return error(res, 400, "invalid_scope");
      granted += " " + s;
    }
    issue(res, granted);
  }

  void bearer_error(httplib::Response& res, int status, const std::string& code) {
    res.status = status;
    std::string realm = is("realm_twice") ? "realm=\"fake\", realm=\"fake\"" : "realm=\"fake\"";
    std::string value = "Bearer " + realm;
    if (!code.empty()) value += ", error=\"" + code + "\", error_description=\"refused\"";
    res.set_header("WWW-Authenticate", value);
  }

  void on_api(const httplib::Request& req, httplib::Response& res) {
    std::optional<std::string> header_token;
    bool malformed = false;
    if (req.has_header("Authorization")) {
      std::string h = req.get_header_value("Authorization");
      std::string scheme = h.substr(0, h.find(' '));
      std::string lower = scheme;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      bool bearer = is("bearer_case") ? scheme == "Bearer" : lower == "bearer";
      if (bearer) {
        std::string t = h.size() > scheme.size() + 1 ? h.substr(scheme.size() + 1) : "";
        if (b64token_ok(t))
          header_token = t;
        else
          malformed = true;
      }
    }
    const size_t q = req.target.find('?');
    const std::string query = q == std::string::npos ? "" : req.target.substr(q + 1);
    bool in_query = false;
    std::string query_token;
    for (const auto& [k, v] : parse_form(query))
      if (k == "access_token") {
        in_query = true;
        query_token = v;
      }
    bool in_body = req.method == "POST" && req.body.find("access_token=") != std::string::npos;
    if (malformed)
      return bearer_error(res, is("malformed_401") ? 401 : 400,
                          is("malformed_401") ? "invalid_token" : "invalid_request");
    if (header_token && (in_query || in_body) && !is("two_ways_ok"))
      return bearer_error(res, 400, "invalid_request");
    std::optional<std::string> token = header_token;
    if (!token && in_query && is("query_token_ok")) token = query_token;
    if (!token) return bearer_error(res, 401, is("no_cred_error") ? "invalid_request" : "");
    {
      std::lock_guard lock(mutex_);
      if (!tokens_.count(*token))
        return bearer_error(res, is("invalid_token_400") ? 400 : 401, "invalid_token");
    }
    if (req.path.find("/other/") != std::string::npos && !is("forbidden_200"))
      return bearer_error(res, 403, "insufficient_scope");
    res.set_content("hello", "text/plain");
  }

  std::string fault_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::set<std::string> tokens_;
};

const LoadedChecks& checks() {
  static const LoadedChecks loaded =
      load_checks({std::string(PISTESIM_SOURCE_DIR) + "/conformance/checks"});
  return loaded;
}

TargetProfile profile_for(const FakeOAuthServer& server) {
  TargetProfile p;
  p.target = server.base();
  p.profile = "rfc";
  p.vars = {{"token_url", server.base() + "/token"},
            {"api_base", server.base() + "/api"},
            {"client_id", "client-one"},
            {"client_secret", "secret-one-123456"},
            {"second_client_id", "client-two"},
            {"second_client_secret", "secret-two-123456"},
            {"special_client_id", "sp:ec%ial&1+a b"},
            {"special_client_secret", "s3:c%&+ z-secret"},
            {"public_client_id", kPublicClient},
            {"allowed_path", "/echo/hello"},
            {"forbidden_path", "/other/hello"}};
  return p;
}

CheckResult run_one(const std::string& id, const std::string& fault) {
  FakeOAuthServer server(fault);
  SuiteOptions only;
  only.only = {id};
  auto suite = run_suite(checks().checks, profile_for(server), only);
  EXPECT_EQ(suite.results.size(), 1u) << id;
  return suite.results.empty() ? CheckResult{} : suite.results.front();
}

TEST(ConformanceChecks, LoadWithoutErrors) {
  for (const auto& e : checks().errors) ADD_FAILURE() << e;
  EXPECT_GE(checks().checks.size(), 45u);
}

TEST(ConformanceChecks, WellBehavedServerPassesEveryCheckItCanRun) {
  FakeOAuthServer server("");
  auto suite = run_suite(checks().checks, profile_for(server), {});
  // Every check (one per id: a check may have a variant per profile) has a verdict: an empty
  // run must not pass for a clean one.
  std::set<std::string> ids;
  for (const auto& c : checks().checks) ids.insert(c.id);
  ASSERT_EQ(suite.results.size(), ids.size());
  size_t passed = 0;
  for (const auto& r : suite.results) {
    bool needs_control = false;
    for (const auto& c : checks().checks)
      if (c.id == r.id)
        for (const auto& n : c.needs) needs_control = needs_control || n == "control";
    if (needs_control) {
      EXPECT_EQ(r.verdict, Verdict::Skip) << r.id << ": " << r.evidence;
      continue;
    }
    EXPECT_EQ(r.verdict, Verdict::Pass) << r.id << ": " << r.evidence;
    passed += r.verdict == Verdict::Pass;
  }
  EXPECT_GE(passed, 30u);
  EXPECT_EQ(suite.exit_code(), 0);
}

struct Case {
  const char* id;
  const char* fault;
};

class BrokenServer : public ::testing::TestWithParam<Case> {};

TEST_P(BrokenServer, CheckFails) {
  const Case c = GetParam();
  CheckResult r = run_one(c.id, c.fault);
  EXPECT_EQ(r.verdict, Verdict::Fail) << c.id << " with " << c.fault << ": " << r.evidence;
  EXPECT_FALSE(r.evidence.empty());
}

INSTANTIATE_TEST_SUITE_P(
    EachCheck, BrokenServer,
    ::testing::Values(
        Case{"A1", "get_ok"}, Case{"A1", "no_allow"}, Case{"A2", "any_content_type"},
        Case{"A3", "query_ok"}, Case{"A4", "grant_default"}, Case{"A5", "empty_is_value"},
        Case{"A6", "grant_any"}, Case{"A7", "unknown_param_error"}, Case{"A8", "repeats_ok"},
        Case{"A9", "oversize_500"}, Case{"B1", "no_basic"}, Case{"B2", "no_basic_decode"},
        Case{"B3", "malformed_basic_401"}, Case{"B4", "no_body_auth"}, Case{"B5", "two_methods_ok"},
        Case{"B6", "client_id_mismatch_ok"}, Case{"B7", "no_auth_token"},
        Case{"B8", "no_www_basic"}, Case{"B9", "body_fail_other"}, Case{"B10", "public_ok"},
        Case{"B11", "leak"}, Case{"C1", "scope_any"}, Case{"C2", "scope_grant_all"},
        Case{"C3", "no_scope_invalid_request"}, Case{"C4", "no_scope_field"}, Case{"D1", "nested"},
        Case{"D1", "text_body"}, Case{"D2", "token_type_mac"}, Case{"D3", "expires_string"},
        Case{"D4", "refresh"}, Case{"D5", "no_store"}, Case{"D6", "same_token"},
        Case{"E1", "error_text"}, Case{"E2", "error_charset"}, Case{"F1", "bearer_case"},
        Case{"F2", "no_cred_error"}, Case{"F3", "invalid_token_400"}, Case{"F4", "two_ways_ok"},
        Case{"F5", "malformed_401"}, Case{"F6", "forbidden_200"}, Case{"F7", "query_token_ok"},
        Case{"F8", "realm_twice"}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return std::string(info.param.id) + "_" + info.param.fault;
    });

}  // namespace
}  // namespace pistesim::conformance
