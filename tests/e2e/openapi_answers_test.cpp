// The control API's answers over a real socket match its OpenAPI document: a representative walk
// (health, ready, world, clock, tokens, faults, journal, quotas, the mailbox, a portal flow from
// registration to an application, and errors) is recorded, then tests/openapi/validate.mjs checks
// every answer's status and body against the document the server itself serves at
// /__pistesim/openapi.json (JSON Schema with Ajv, installed by scripts/install-deps.sh).
#include <gtest/gtest.h>

#include <stdio.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e/served_simulator.h"
#include "wire/encoding.h"

namespace pistesim::test {

namespace {

using nlohmann::json;

const std::string kSource = PISTESIM_SOURCE_DIR;

struct Validation {
  int exit_code = -1;
  std::string output;
};

// Runs validate.mjs on `exchanges` against `document`; a missing node or Ajv is a failure that
// says how to install them.
Validation validate(const std::string& document, const json& exchanges) {
  const std::string dir = make_temp_dir();
  const std::string doc_path = dir + "/openapi.json", exchanges_path = dir + "/exchanges.json";
  std::ofstream(doc_path) << document;
  std::ofstream(exchanges_path) << exchanges.dump(2);
  Validation v;
  if (std::system("command -v node >/dev/null 2>&1") != 0 ||
      !std::filesystem::exists(kSource + "/tests/openapi/node_modules/ajv")) {
    v.output =
        "node or tests/openapi/node_modules/ajv is missing: run scripts/install-deps.sh (it "
        "installs nodejs and npm, then the packages of tests/openapi/package.json)";
    return v;
  }
  const std::string command = "node '" + kSource + "/tests/openapi/validate.mjs' '" + doc_path +
                              "' '" + exchanges_path + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return v;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) v.output.append(buffer, n);
  int status = pclose(pipe);
  v.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::filesystem::remove_all(dir);
  return v;
}

// Sends control API requests and keeps what came back, for validate().
class Recorder {
 public:
  explicit Recorder(const ServedSimulator& server) : server_(server), http_(server.client()) {}

  // `METHOD /__pistesim<path>` with the admin token (and X-Pistesim-Session when given);
  // fails the test when the status is not `expect`. Returns the JSON body (null if not JSON).
  json call(const std::string& method, const std::string& path, const json& body = nullptr,
            int expect = 200, const std::string& session = {}) {
    Request r = control_request(server_, method, path, body);
    if (!session.empty()) r.headers.add("X-Pistesim-Session", session);
    return send(r, expect);
  }

  // The same without the admin token.
  json anonymous(const std::string& method, const std::string& path, int expect) {
    return send(Request::make(method, "/__pistesim" + path), expect);
  }

  json send(const Request& r, int expect) {
    auto answer = http_->send(r);
    if (!answer) {
      ADD_FAILURE() << r.method << " " << r.path << ": " << answer.error().message;
      return nullptr;
    }
    EXPECT_EQ(answer->status, expect) << r.method << " " << r.path << ": " << answer->body;
    const std::string* type = answer->headers.find("Content-Type");
    std::string path = r.path.substr(std::string("/__pistesim").size());
    if (!r.query.empty()) path += "?" + r.query;
    exchanges_.push_back({{"method", r.method},
                          {"path", path},
                          {"status", answer->status},
                          {"content_type", type ? *type : ""},
                          {"body", answer->body},
                          {"request_body", r.body}});
    last_body_ = answer->body;
    return json::parse(answer->body, nullptr, false);
  }

  const json& exchanges() const { return exchanges_; }
  const std::string& last_body() const { return last_body_; }

 private:
  const ServedSimulator& server_;
  std::unique_ptr<HttpClient> http_;
  json exchanges_ = json::array();
  std::string last_body_;
};

TEST(OpenApiAnswers, ControlApiAnswersMatchTheDocument) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  std::string document;
  json exchanges;
  {
    Recorder x(server);
    x.call("GET", "/openapi.json");
    document = x.last_body();
    x.anonymous("GET", "/health", 200);
    x.anonymous("GET", "/ready", 200);
    x.anonymous("GET", "/world", 401);
    x.call("GET", "/world");
    x.call("GET", "/clock");
    x.call("POST", "/clock/advance", {{"by", "90s"}});
    x.call("POST", "/clock/advance", {{"by", "soon"}}, 400);
    x.call("POST", "/clock/reset", json::object());
    x.call("GET", "/tokens");

    // Tokens: revoke and expire, by token and by application.
    auto http = server.client();
    const std::string token = fetch_token(*http, server, "sandbox");
    x.call("POST", "/tokens/expire", {{"token", token}});
    x.call("POST", "/tokens/revoke", {{"application", "demo-sandbox"}});
    x.call("POST", "/tokens/revoke", {{"application", "no-such-app"}}, 404);
    x.call("POST", "/tokens/revoke", json::object(), 400);

    // Faults and the journal the token request left.
    json fault =
        x.call("POST", "/faults", {{"api", "legifrance"}, {"status", 503}, {"count", 2}}, 201);
    x.call("GET", "/faults");
    x.call("DELETE", "/faults/" + std::to_string(fault.value("id", 0)));
    x.call("DELETE", "/faults/999999", nullptr, 404);
    x.call("DELETE", "/faults");
    x.call("GET", "/journal?kind=token&last=5");
    x.call("GET", "/journal?lmit=3", nullptr, 400);
    x.call("DELETE", "/journal");

    // The operator's levers over an application.
    x.call("GET", "/applications");
    x.call("GET", "/applications/demo-sandbox");
    x.call("GET", "/applications/no-such-app", nullptr, 404);
    x.call("PUT", "/applications/demo-sandbox/quota", {{"limit", 5}, {"window", "1s"}});
    x.call("PUT", "/applications/demo-sandbox/quota", {{"window", "1s"}}, 400);
    x.call("DELETE", "/applications/demo-sandbox/quota");
    x.call("PATCH", "/applications/demo-sandbox", {{"active", true}});

    // A portal flow: register, activate from the e-mail, log in, create an application.
    const std::string email = "openapi.walker@pistesim.test", password = "OpenApi-Walk-2026!";
    x.call("POST", "/portal/register",
           {{"name", "OpenAPI Walker"},
            {"email", email},
            {"password", password},
            {"password_confirmation", password},
            {"cgu_accepted", true},
            {"captcha", "PISTE"}},
           201);
    json mail = x.call("GET", "/mail?to=" + percent_encode(email) + "&kind=activation");
    ASSERT_TRUE(mail.is_array() && mail.size() == 1) << mail;
    x.call("GET", "/mail/" + std::to_string(mail[0].value("id", 0)));
    const std::string link = mail[0]["links"][0].value("url", "");
    ASSERT_EQ(link.rfind(server.base_url(), 0), 0u) << link;
    Request follow = Request::make("GET", link.substr(server.base_url().size()));
    x.send(follow, 200);
    x.call("POST", "/portal/login", {{"email", email}, {"password", "wrong"}}, 401);
    json session_answer =
        x.call("POST", "/portal/login", {{"email", email}, {"password", password}});
    const std::string session = session_answer.value("session", "");
    ASSERT_FALSE(session.empty());
    x.call("GET", "/portal/profile", nullptr, 200, session);
    x.call("GET", "/portal/cgu", nullptr, 200, session);
    x.call("GET", "/portal/catalogue?q=legifrance", nullptr, 200, session);
    x.call("GET", "/portal/api-cgu", nullptr, 200, session);
    json created = x.call("POST", "/portal/applications",
                          {{"organisation", "universelle"},
                           {"name", "openapi-walk"},
                           {"email", email},
                           {"structure_info", "13001070900025"},
                           {"responsible", "OpenAPI Walker"}},
                          201, session);
    const std::string app = created.value("id", "");
    x.call("GET", "/portal/applications", nullptr, 200, session);
    x.call("GET", "/portal/applications/" + app, nullptr, 200, session);
    x.call("POST", "/portal/applications/" + app + "/api-keys", nullptr, 201, session);
    const std::string client_id = created["oauth_clients"][0].value("client_id", "");
    x.call("GET", "/portal/applications/" + app + "/oauth-clients/" + client_id + "/secret",
           nullptr, 200, session);
    x.call("POST", "/portal/applications", {{"organisation", "universelle"}}, 400, session);
    x.call("GET", "/portal/access-requests", nullptr, 200, session);
    x.call("GET", "/users/" + percent_encode(email));
    x.call("GET", "/access-requests");
    x.call("POST", "/portal/logout", nullptr, 200, session);
    x.call("GET", "/portal/profile", nullptr, 401, session);
    x.call("DELETE", "/mail");
    x.call("POST", "/world/reset", json::object());
    exchanges = x.exchanges();
  }
  EXPECT_EQ(server.stop(), 0);

  ASSERT_FALSE(document.empty());
  Validation v = validate(document, exchanges);
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_NE(v.output.find(std::to_string(exchanges.size()) + " of " +
                          std::to_string(exchanges.size()) + " answers match the document"),
            std::string::npos)
      << v.output;
}

// The check bites: an answer that strays from the document (a field missing, an undocumented
// status, an unknown route) is reported, naming the route and what is wrong.
TEST(OpenApiAnswers, AnAnswerThatStraysFromTheDocumentIsReported) {
  std::ifstream in(kSource + "/docs/openapi.json");
  const std::string document((std::istreambuf_iterator<char>(in)), {});
  const json exchanges = {{{"method", "GET"},
                           {"path", "/clock"},
                           {"status", 200},
                           {"content_type", "application/json"},
                           {"body", R"({"now_ms":1,"now":"1970-01-01T00:00:00.001Z"})"}},
                          {{"method", "GET"},
                           {"path", "/clock"},
                           {"status", 418},
                           {"content_type", "application/json"},
                           {"body", "{}"}},
                          {{"method", "GET"},
                           {"path", "/nowhere"},
                           {"status", 200},
                           {"content_type", "application/json"},
                           {"body", "{}"}},
                          {{"method", "GET"},
                           {"path", "/health"},
                           {"status", 200},
                           {"content_type", "application/json"},
                           {"body", R"({"status":"ok"})"}}};
  Validation v = validate(document, exchanges);
  EXPECT_EQ(v.exit_code, 1) << v.output;
  EXPECT_NE(v.output.find("GET /clock → 200: body must have required property 'offset_ms'"),
            std::string::npos)
      << v.output;
  EXPECT_NE(v.output.find("GET /clock → 418: status 418 is not documented"), std::string::npos)
      << v.output;
  EXPECT_NE(v.output.find("GET /nowhere → 200: no such operation"), std::string::npos) << v.output;
  EXPECT_NE(v.output.find("1 of 4 answers match the document"), std::string::npos) << v.output;
}

}  // namespace

}  // namespace pistesim::test
