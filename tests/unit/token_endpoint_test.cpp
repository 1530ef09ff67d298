// The token endpoint in process: docs/conformance-checklist.md §A–§E, OAU-1..4 and WIRE-1..3.
// Every test runs in both profiles (TokenEndpoint.X/piste, TokenEndpoint.X/rfc); where the
// profiles differ (A1) the test says which answer belongs to which.
//
// Not here: A9 (413 for oversized bodies) is the HTTP adapter's limit (simulator/http), proven
// over sockets; B11's constant-time comparison is proven in secrets_test.cpp.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <ostream>
#include <regex>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <vector>

#include "oauth/token_endpoint.h"
#include "support/test_simulator.h"
#include "wire/authorization.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

constexpr const char* kFormType = "application/x-www-form-urlencoded";
// Issued to demo-sandbox without a requested scope: SNE-Cotation is approved (resource.READ),
// Carte Achat is pending (chorus.carteachat, cnf: nothing).
constexpr const char* kDemoScope = "openid resource.READ";
// mtes-admin-sandbox, an application of the default world without any subscription.
constexpr const char* kAdminClientId = "b7d2e8a1-4c6f-4a93-8e05-6f1c3d9b2a47";
constexpr const char* kAdminClientSecret = "e4a9c1d7-0b3f-4e62-9a58-c2d7f0b6e193";

// ---------------------------------------------------------------------------------------------
// Requests

std::string credentials_form(std::string_view id, std::string_view secret) {
  return "client_id=" + form_encode(id) + "&client_secret=" + form_encode(secret);
}

// The request of OAU-1 for the demo sandbox client, without scope, plus `extra`.
std::string demo_form(std::string_view extra = {}) {
  return "grant_type=client_credentials&" +
         credentials_form(kSandboxClientId, kSandboxClientSecret) + std::string(extra);
}

// RFC 6749 §2.3.1: user and password are form-encoded, then joined and base64-encoded.
std::string basic_header(std::string_view id, std::string_view secret) {
  return "Basic " + base64_encode(form_encode(id) + ":" + form_encode(secret));
}

Request post(std::string body, std::string_view content_type = kFormType,
             std::string_view target = "/api/oauth/token") {
  Request r = Request::make("POST", target, std::move(body));
  if (!content_type.empty()) r.headers.add("Content-Type", std::string(content_type));
  return r;
}

Request with_authorization(Request r, std::string value) {
  r.headers.add("Authorization", std::move(value));
  return r;
}

Request basic_post(std::string_view id, std::string_view secret,
                   std::string body = "grant_type=client_credentials") {
  return with_authorization(post(std::move(body)), basic_header(id, secret));
}

Response send_to(TestSimulator& t, const Request& r, Channel channel = Channel::Sandbox) {
  return t.sim->handle(TestSimulator::oauth_endpoint(channel), r);
}

// ---------------------------------------------------------------------------------------------
// Answers

// D5: on every token endpoint answer.
bool is_not_cacheable(const Response& r) {
  return r.headers.get("Cache-Control") == "no-store" && r.headers.get("Pragma") == "no-cache";
}

// E2: error = 1*( %x20-21 / %x23-5B / %x5D-7E ), the same for error_description.
bool is_error_text(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
  });
}

// E1, E2, D5: the status, a JSON object with `error` and `error_description` in the E2
// character set, and no caching.
testing::AssertionResult IsOAuthError(const Response& r, int status, std::string_view error) {
  auto failure = [&] {
    return testing::AssertionFailure() << "answer " << r.status << " " << r.body << ": ";
  };
  if (r.status != status) return failure() << "expected status " << status;
  if (r.content_type() != "application/json")
    return failure() << "Content-Type is " << r.content_type();
  json j = json::parse(r.body, nullptr, false);
  if (!j.is_object()) return failure() << "body is not a JSON object";
  for (const char* key : {"error", "error_description"}) {
    if (!j.contains(key) || !j[key].is_string()) return failure() << "no string member " << key;
    if (!is_error_text(j[key].get<std::string>()))
      return failure() << key << " has characters outside %x20-21 / %x23-5B / %x5D-7E";
  }
  if (j["error"].get<std::string>() != error) return failure() << "expected error " << error;
  if (!is_not_cacheable(r))
    return failure() << "Cache-Control: no-store and Pragma: no-cache missing";
  return testing::AssertionSuccess();
}

// D1, D5: a 200 JSON answer, not cacheable. Returns the body's object (empty on failure).
json token_json(const Response& r) {
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type(), "application/json");
  EXPECT_TRUE(is_not_cacheable(r));
  json j = json::parse(r.body, nullptr, false);
  EXPECT_TRUE(j.is_object()) << r.body;
  return j.is_object() ? j : json::object();
}

std::string member(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                               : std::string("<no ") + key + ">";
}
std::string scope_of(const Response& r) {
  return member(token_json(r), "scope");
}
std::string access_token_of(const Response& r) {
  return member(token_json(r), "access_token");
}

std::vector<std::string> scope_tokens(const std::string& scope) {
  std::vector<std::string> out;
  for (size_t pos = 0; pos <= scope.size();) {
    size_t sp = std::min(scope.find(' ', pos), scope.size());
    out.push_back(scope.substr(pos, sp - pos));
    pos = sp + 1;
  }
  return out;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// D6: 54 characters of [A-Za-z0-9] (a subset of RFC 6750's b64token).
bool is_piste_token(const std::string& token) {
  static const std::regex kShape("[A-Za-z0-9]{54}");
  return std::regex_match(token, kShape);
}

// ---------------------------------------------------------------------------------------------
// Worlds

template <class T, class Pred>
T& find_in(std::vector<T>& items, std::string_view what, Pred pred) {
  auto it = std::find_if(items.begin(), items.end(), pred);
  if (it == items.end()) throw std::logic_error("default world has no " + std::string(what));
  return *it;
}

Application& application(World& w, std::string_view id) {
  return find_in(w.applications, id, [&](const Application& a) { return a.id == id; });
}
User& user(World& w, std::string_view email) {
  return find_in(w.users, email, [&](const User& u) { return u.email == email; });
}
Subscription& subscription(World& w, std::string_view app, std::string_view api) {
  return find_in(application(w, app).subscriptions, api,
                 [&](const Subscription& s) { return s.api == api; });
}

// The default world with more OAuth clients on the demo sandbox application.
OAuthClient client(std::string id, std::string secret, ClientType type = ClientType::Confidential) {
  OAuthClient c;
  c.client_id = std::move(id);
  c.client_secret = std::move(secret);
  c.type = type;
  return c;
}

World world_with_demo_clients(std::vector<OAuthClient> clients) {
  World w = default_world();
  auto& own = application(w, kSandboxApp).oauth_clients;
  own.insert(own.end(), clients.begin(), clients.end());
  return w;
}

World changed_world(const std::function<void(World&)>& change) {
  World w = default_world();
  change(w);
  return w;
}

// ---------------------------------------------------------------------------------------------

// The test parameter: a profile that prints as its name in failure messages.
struct InProfile {
  Profile profile;
  friend void PrintTo(const InProfile& p, std::ostream* os) { *os << to_string(p.profile); }
};

class TokenEndpoint : public testing::TestWithParam<InProfile> {
 protected:
  Profile profile() const { return GetParam().profile; }
  // A simulator of this test's profile over another world.
  TestSimulator simulator(World world) const { return TestSimulator(profile(), std::move(world)); }
  Response send(const Request& r, Channel channel = Channel::Sandbox) {
    return send_to(t, r, channel);
  }

  TestSimulator t{profile()};
};

INSTANTIATE_TEST_SUITE_P(, TokenEndpoint,
                         testing::Values(InProfile{Profile::Piste}, InProfile{Profile::Rfc}),
                         [](const testing::TestParamInfo<InProfile>& info) {
                           return std::string(to_string(info.param.profile));
                         });

// ----- A. Request ----------------------------------------------------------------------------

TEST_P(TokenEndpoint, RejectsMethodsOtherThanPost) {
  for (const char* method : {"GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "post"}) {
    SCOPED_TRACE(method);
    Request r = post(demo_form());
    r.method = method;
    Response answer = send(r);
    if (profile() == Profile::Piste) {
      EXPECT_TRUE(IsOAuthError(answer, 400, "invalid_request"));
    } else {
      EXPECT_TRUE(IsOAuthError(answer, 405, "invalid_request"));
      EXPECT_EQ(answer.headers.get("Allow"), "POST");
    }
  }
}

TEST_P(TokenEndpoint, RejectsAJsonBody) {
  json body = {{"grant_type", "client_credentials"},
               {"client_id", kSandboxClientId},
               {"client_secret", kSandboxClientSecret}};
  EXPECT_TRUE(IsOAuthError(send(post(body.dump(), "application/json")), 400, "invalid_request"));
}

TEST_P(TokenEndpoint, RejectsAMultipartBody) {
  std::string body;
  for (auto [name, value] :
       {std::pair{"grant_type", "client_credentials"}, std::pair{"client_id", kSandboxClientId},
        std::pair{"client_secret", kSandboxClientSecret}})
    body += std::string("--XyZ\r\nContent-Disposition: form-data; name=\"") + name + "\"\r\n\r\n" +
            value + "\r\n";
  body += "--XyZ--\r\n";
  EXPECT_TRUE(
      IsOAuthError(send(post(body, "multipart/form-data; boundary=XyZ")), 400, "invalid_request"));
}

TEST_P(TokenEndpoint, RejectsABodyWithoutContentType) {
  EXPECT_TRUE(IsOAuthError(send(post(demo_form(), "")), 400, "invalid_request"));
}

TEST_P(TokenEndpoint, ToleratesAUtf8Charset) {
  for (const char* type :
       {"application/x-www-form-urlencoded; charset=UTF-8",
        "application/x-www-form-urlencoded;charset=utf-8",
        "application/x-www-form-urlencoded; charset=\"UTF-8\"",
        "application/x-www-form-urlencoded ; Charset=UTF-8",
        "application/x-www-form-urlencoded; charset=US-ASCII",  // a subset of UTF-8
        "Application/X-WWW-Form-URLEncoded"}) {
    SCOPED_TRACE(type);
    EXPECT_EQ(scope_of(send(post(demo_form(), type))), kDemoScope);
  }
}

TEST_P(TokenEndpoint, RefusesOtherCharsets) {
  for (const char* type : {"application/x-www-form-urlencoded; charset=ISO-8859-1",
                           "application/x-www-form-urlencoded; charset=windows-1252",
                           "application/x-www-form-urlencoded; charset=UTF-16",
                           "application/x-www-form-urlencoded; charset=",
                           "application/x-www-form-urlencoded; xcharset=utf-8; charset=latin1",
                           "application/x-www-form-urlencoded; charset=utf-8; charset=latin1"}) {
    SCOPED_TRACE(type);
    EXPECT_TRUE(IsOAuthError(send(post(demo_form(), type)), 400, "invalid_request"));
  }
}

TEST_P(TokenEndpoint, RejectsAMalformedFormBody) {
  for (const char* extra :
       {"&x=%ZZ", "&x=%4", "&x=%", "&x=%FF", "&x=%C0%AF", "&x=%ED%A0%80", "&x=\xE9t\xE9"}) {
    SCOPED_TRACE(extra);
    EXPECT_TRUE(IsOAuthError(send(post(demo_form(extra))), 400, "invalid_request"));
  }
}

TEST_P(TokenEndpoint, RejectsTokenParametersInTheQuery) {
  for (const char* query : {"grant_type=client_credentials", "client_id=x", "client_secret=x",
                            "scope=openid", "client_secret=", "foo=1&client_id=x"}) {
    SCOPED_TRACE(query);
    EXPECT_TRUE(
        IsOAuthError(send(post(demo_form(), kFormType, std::string("/api/oauth/token?") + query)),
                     400, "invalid_request"));
  }
  // The mistake H5 names: everything in the URI, nothing in the body.
  std::string all_in_query = "/api/oauth/token?" + demo_form();
  EXPECT_TRUE(IsOAuthError(send(post("", kFormType, all_in_query)), 400, "invalid_request"));
}

TEST_P(TokenEndpoint, RejectsAMalformedQuery) {
  EXPECT_TRUE(IsOAuthError(send(post(demo_form(), kFormType, "/api/oauth/token?x=%G1")), 400,
                           "invalid_request"));
}

// RFC 6749 §3.1: the endpoint URI may carry a query of its own.
TEST_P(TokenEndpoint, IgnoresQueryParametersOfItsOwn) {
  EXPECT_EQ(scope_of(send(post(demo_form(), kFormType, "/api/oauth/token?tenant=demo"))),
            kDemoScope);
}

TEST_P(TokenEndpoint, RequiresGrantType) {
  std::string without_grant =
      credentials_form(kSandboxClientId, kSandboxClientSecret) + "&scope=openid";
  EXPECT_TRUE(IsOAuthError(send(post(without_grant)), 400, "invalid_request"));
  EXPECT_TRUE(IsOAuthError(send(basic_post(kSandboxClientId, kSandboxClientSecret, "scope=openid")),
                           400, "invalid_request"));
}

TEST_P(TokenEndpoint, TreatsAnEmptyGrantTypeAsAbsent) {
  for (const char* grant : {"grant_type=", "grant_type"}) {
    SCOPED_TRACE(grant);
    std::string body =
        std::string(grant) + "&" + credentials_form(kSandboxClientId, kSandboxClientSecret);
    EXPECT_TRUE(IsOAuthError(send(post(body)), 400, "invalid_request"));
  }
}

TEST_P(TokenEndpoint, TreatsAnEmptyScopeAsAbsent) {
  EXPECT_EQ(scope_of(send(post(demo_form("&scope=")))), kDemoScope);
  EXPECT_EQ(scope_of(send(post(demo_form("&scope")))), kDemoScope);
}

TEST_P(TokenEndpoint, RejectsUnsupportedGrantTypes) {
  for (const char* grant :
       {"password&username=demo%40pistesim.test&password=Demo-Piste-2024%21",
        "authorization_code&code=abc&redirect_uri=https%3A%2F%2Fexample.org%2Fcb",
        "refresh_token&refresh_token=abc", "implicit",
        "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer", "Client_Credentials",
        "client_credentials%20"}) {
    SCOPED_TRACE(grant);
    std::string body = "grant_type=" + std::string(grant) + "&" +
                       credentials_form(kSandboxClientId, kSandboxClientSecret);
    EXPECT_TRUE(IsOAuthError(send(post(body)), 400, "unsupported_grant_type"));
  }
}

TEST_P(TokenEndpoint, IgnoresUnknownParameters) {
  std::string extra =
      "&audience=piste&state=xyz&redirect_uri=https%3A%2F%2Fexample.org&flag&%C3%A9t%C3%A9=oui";
  EXPECT_EQ(scope_of(send(post(demo_form(extra)))), kDemoScope);
}

TEST_P(TokenEndpoint, RejectsRepeatedParameters) {
  for (const char* extra :
       {"&grant_type=client_credentials", "&client_id=" /* empty, still a repeat */,
        "&scope=openid&scope=openid", "&scope=&scope=openid", "&foo=1&foo=2", "&foo&foo",
        "&client_secret=6f2e9d41-8c3b-47a5-b0e9-1d5c7a3f2e86"}) {
    SCOPED_TRACE(extra);
    EXPECT_TRUE(IsOAuthError(send(post(demo_form(extra))), 400, "invalid_request"));
  }
}

// The answer names the repeated parameter; with several, the first in byte order, whatever their
// order in the body (so that the answer does not depend on how a client orders its form).
TEST_P(TokenEndpoint, NamesTheRepeatedParameter) {
  for (const char* extra : {"&scope=openid&scope=openid", "&zeta=1&scope=a&zeta=2&scope=b",
                            "&scope=a&zeta=1&scope=b&zeta=2"}) {
    SCOPED_TRACE(extra);
    Response r = send(post(demo_form(extra)));
    ASSERT_TRUE(IsOAuthError(r, 400, "invalid_request"));
    EXPECT_EQ(json::parse(r.body)["error_description"], "Parameter scope is repeated");
  }
}

// ----- B. Client authentication --------------------------------------------------------------

TEST_P(TokenEndpoint, AuthenticatesWithCredentialsInTheBody) {
  EXPECT_EQ(scope_of(send(post(demo_form()))), kDemoScope);
}

TEST_P(TokenEndpoint, AuthenticatesWithHttpBasic) {
  EXPECT_EQ(scope_of(send(basic_post(kSandboxClientId, kSandboxClientSecret))), kDemoScope);
}

TEST_P(TokenEndpoint, ReadsTheBasicSchemeCaseInsensitively) {
  std::string credentials =
      base64_encode(std::string(kSandboxClientId) + ":" + kSandboxClientSecret);
  for (const char* scheme : {"basic ", "BASIC ", "bAsIc "}) {
    SCOPED_TRACE(scheme);
    Request r = with_authorization(post("grant_type=client_credentials"), scheme + credentials);
    EXPECT_EQ(scope_of(send(r)), kDemoScope);
  }
}

// Client ids and secrets with the characters form encoding must protect (B2).
const std::vector<OAuthClient> kAwkwardClients = {
    client("client:with:colons", "secret:with:colons"),
    client("100%-id", "50%off%41"),
    client("a&b=c", "x&y=z;"),
    client("plus+id", "plus+secret"),
    client("space id", " secret with spaces "),
    client("all :%&+= of them", ":%&+= é"),
};

TEST_P(TokenEndpoint, AcceptsReservedCharactersInIdsAndSecretsViaBasic) {
  TestSimulator s = simulator(world_with_demo_clients(kAwkwardClients));
  for (const auto& c : kAwkwardClients) {
    SCOPED_TRACE(c.client_id);
    EXPECT_EQ(scope_of(send_to(s, basic_post(c.client_id, c.client_secret))), kDemoScope);
  }
}

TEST_P(TokenEndpoint, AcceptsReservedCharactersInIdsAndSecretsViaTheBody) {
  TestSimulator s = simulator(world_with_demo_clients(kAwkwardClients));
  for (const auto& c : kAwkwardClients) {
    SCOPED_TRACE(c.client_id);
    std::string body =
        "grant_type=client_credentials&" + credentials_form(c.client_id, c.client_secret);
    EXPECT_EQ(scope_of(send_to(s, post(body))), kDemoScope);
  }
}

// Proof that the Basic parts are form-decoded: sent raw, "plus+secret" reads "plus secret".
TEST_P(TokenEndpoint, FormDecodesTheBasicUserAndPassword) {
  TestSimulator s = simulator(world_with_demo_clients({client("plus-id", "plus+secret")}));
  Request raw = with_authorization(post("grant_type=client_credentials"),
                                   "Basic " + base64_encode("plus-id:plus+secret"));
  EXPECT_TRUE(IsOAuthError(send_to(s, raw), 401, "invalid_client"));
  Request decoded_to_match = with_authorization(post("grant_type=client_credentials"),
                                                "Basic " + base64_encode("plus-id:plus%2Bsecret"));
  EXPECT_EQ(scope_of(send_to(s, decoded_to_match)), kDemoScope);
}

TEST_P(TokenEndpoint, RejectsMalformedBasicCredentials) {
  std::string padded = base64_encode(std::string(kSandboxClientId) + ":" + kSandboxClientSecret);
  ASSERT_TRUE(padded.ends_with("=")) << "the case below needs a padded encoding";
  std::string unpadded = padded.substr(0, padded.find('='));
  for (const std::string& value :
       {std::string("Basic"), std::string("Basic "), std::string("Basic !!!!"), "Basic " + unpadded,
        "Basic " + padded + "=", "Basic " + base64_encode("no-colon-at-all"),
        "Basic " + base64_encode(std::string(":") + kSandboxClientSecret),
        "Basic " + base64_encode("%ZZ:secret"), "Basic " + base64_encode("id:%FF"),
        "Basic" + padded, std::string("Digest username=\"x\", realm=\"PISTE\""),
        std::string("Bearer abcdef"), std::string("")}) {
    SCOPED_TRACE(value);
    Response answer = send(with_authorization(post("grant_type=client_credentials"), value));
    EXPECT_TRUE(IsOAuthError(answer, 400, "invalid_request"));
    EXPECT_EQ(answer.headers.find("WWW-Authenticate"), nullptr);
  }
}

TEST_P(TokenEndpoint, RejectsTwoAuthorizationHeaders) {
  Request r = basic_post(kSandboxClientId, kSandboxClientSecret);
  r.headers.add("Authorization", basic_header(kSandboxClientId, kSandboxClientSecret));
  EXPECT_TRUE(IsOAuthError(send(r), 400, "invalid_request"));
}

TEST_P(TokenEndpoint, RejectsBothBasicAndBodyCredentials) {
  EXPECT_TRUE(IsOAuthError(send(basic_post(kSandboxClientId, kSandboxClientSecret, demo_form())),
                           400, "invalid_request"));
  std::string secret_only =
      "grant_type=client_credentials&client_secret=" + std::string(kSandboxClientSecret);
  EXPECT_TRUE(IsOAuthError(send(basic_post(kSandboxClientId, kSandboxClientSecret, secret_only)),
                           400, "invalid_request"));
}

TEST_P(TokenEndpoint, ToleratesABodyClientIdEqualToTheBasicUser) {
  std::string body = "grant_type=client_credentials&client_id=" + std::string(kSandboxClientId);
  EXPECT_EQ(scope_of(send(basic_post(kSandboxClientId, kSandboxClientSecret, body))), kDemoScope);
}

TEST_P(TokenEndpoint, RejectsABodyClientIdDifferentFromTheBasicUser) {
  std::string body = "grant_type=client_credentials&client_id=" + std::string(kAdminClientId);
  EXPECT_TRUE(IsOAuthError(send(basic_post(kSandboxClientId, kSandboxClientSecret, body)), 400,
                           "invalid_request"));
}

TEST_P(TokenEndpoint, TreatsEmptyBodyCredentialsBesideBasicAsAbsent) {
  std::string body = "grant_type=client_credentials&client_id=&client_secret=";
  EXPECT_EQ(scope_of(send(basic_post(kSandboxClientId, kSandboxClientSecret, body))), kDemoScope);
}

TEST_P(TokenEndpoint, RequiresClientAuthentication) {
  for (const char* body :
       {"grant_type=client_credentials", "grant_type=client_credentials&scope=openid",
        "grant_type=client_credentials&client_id=&client_secret="}) {
    SCOPED_TRACE(body);
    Response answer = send(post(body));
    EXPECT_TRUE(IsOAuthError(answer, 400, "invalid_client"));
    EXPECT_EQ(answer.headers.find("WWW-Authenticate"), nullptr);
  }
}

// Credentials that do not authenticate the demo sandbox client.
struct WrongCredentials {
  const char* what;
  std::string id, secret;
};
const std::vector<WrongCredentials> kWrongCredentials = {
    {"unknown client", "00000000-0000-4000-8000-000000000000", kSandboxClientSecret},
    {"wrong secret", kSandboxClientId, "6f2e9d41-8c3b-47a5-b0e9-1d5c7a3f2e87"},
    {"another client's secret", kSandboxClientId, kAdminClientSecret},
    {"secret in another case", kSandboxClientId, "6F2E9D41-8C3B-47A5-B0E9-1D5C7A3F2E86"},
    {"secret prefix", kSandboxClientId, "6f2e9d41"},
    {"empty secret", kSandboxClientId, ""},
    {"id with a quote", "\"x\\y\"", "z"},
};

TEST_P(TokenEndpoint, ChallengesFailedBasicAuthenticationWith401) {
  for (const auto& c : kWrongCredentials) {
    SCOPED_TRACE(c.what);
    Response answer = send(basic_post(c.id, c.secret));
    EXPECT_TRUE(IsOAuthError(answer, 401, "invalid_client"));
    EXPECT_TRUE(std::regex_match(answer.headers.get("WWW-Authenticate"),
                                 std::regex(R"(Basic realm="[^"\\]+")")))
        << answer.headers.get("WWW-Authenticate");
  }
}

TEST_P(TokenEndpoint, AnswersFailedBodyAuthenticationWith400) {
  for (const auto& c : kWrongCredentials) {
    SCOPED_TRACE(c.what);
    Response answer =
        send(post("grant_type=client_credentials&" + credentials_form(c.id, c.secret)));
    EXPECT_TRUE(IsOAuthError(answer, 400, "invalid_client"));
    EXPECT_EQ(answer.headers.find("WWW-Authenticate"), nullptr);
  }
  Response without_secret =
      send(post("grant_type=client_credentials&client_id=" + std::string(kSandboxClientId)));
  EXPECT_TRUE(IsOAuthError(without_secret, 400, "invalid_client"));
}

constexpr const char* kPublicClientId = "public-client";

World world_with_a_public_client() {
  OAuthClient pub = client(kPublicClientId, "", ClientType::Public);
  return world_with_demo_clients({pub});
}

TEST_P(TokenEndpoint, RefusesTheGrantToPublicClients) {
  TestSimulator s = simulator(world_with_a_public_client());
  std::string body = "grant_type=client_credentials&client_id=" + std::string(kPublicClientId);
  EXPECT_TRUE(IsOAuthError(send_to(s, post(body)), 400, "unauthorized_client"));
  EXPECT_TRUE(
      IsOAuthError(send_to(s, basic_post(kPublicClientId, "")), 400, "unauthorized_client"));
}

TEST_P(TokenEndpoint, RejectsAPublicClientPresentingASecret) {
  TestSimulator s = simulator(world_with_a_public_client());
  EXPECT_TRUE(IsOAuthError(
      send_to(s, post("grant_type=client_credentials&" + credentials_form(kPublicClientId, "x"))),
      400, "invalid_client"));
  EXPECT_TRUE(IsOAuthError(send_to(s, basic_post(kPublicClientId, "x")), 401, "invalid_client"));
}

// Right credentials, but something around the client is switched off.
struct SwitchedOff {
  const char* what;
  std::function<void(World&)> change;
};
const std::vector<SwitchedOff> kSwitchedOff = {
    {"disabled client",
     [](World& w) { application(w, kSandboxApp).oauth_clients.front().enabled = false; }},
    {"inactive application", [](World& w) { application(w, kSandboxApp).active = false; }},
    {"inactive owner", [](World& w) { user(w, application(w, kSandboxApp).owner).active = false; }},
};

TEST_P(TokenEndpoint, RejectsClientsThatAreSwitchedOff) {
  for (const auto& off : kSwitchedOff) {
    SCOPED_TRACE(off.what);
    TestSimulator s = simulator(changed_world(off.change));
    EXPECT_TRUE(IsOAuthError(send_to(s, post(demo_form())), 400, "invalid_client"));
    EXPECT_TRUE(IsOAuthError(send_to(s, basic_post(kSandboxClientId, kSandboxClientSecret)), 401,
                             "invalid_client"));
  }
}

// B11: whatever was wrong, the answer is the same, so failures tell an attacker nothing.
TEST_P(TokenEndpoint, AnswersAlikeWhateverPartOfTheCredentialsIsWrong) {
  auto fingerprint = [](const Response& r) {
    std::string out = std::to_string(r.status) + "\n";
    for (const auto& h : r.headers) out += h.name + ": " + h.value + "\n";
    return out + r.body;
  };
  TestSimulator disabled = simulator(changed_world(kSwitchedOff.front().change));
  const WrongCredentials& unknown = kWrongCredentials[0];
  const WrongCredentials& wrong_secret = kWrongCredentials[1];

  std::string basic = fingerprint(send(basic_post(unknown.id, unknown.secret)));
  EXPECT_EQ(fingerprint(send(basic_post(wrong_secret.id, wrong_secret.secret))), basic);
  EXPECT_EQ(fingerprint(send_to(disabled, basic_post(kSandboxClientId, kSandboxClientSecret))),
            basic);

  auto body_post = [](const WrongCredentials& c) {
    return post("grant_type=client_credentials&" + credentials_form(c.id, c.secret));
  };
  std::string body = fingerprint(send(body_post(unknown)));
  EXPECT_EQ(fingerprint(send(body_post(wrong_secret))), body);
  EXPECT_EQ(fingerprint(send_to(disabled, post(demo_form()))), body);
}

// OAU-4: a channel's credentials work on that channel only; its tokens live in its store.
TEST_P(TokenEndpoint, IsolatesChannels) {
  struct Crossing {
    Channel endpoint;
    const char* id;
    const char* secret;
  };
  for (auto [endpoint, id, secret] :
       {Crossing{Channel::Production, kSandboxClientId, kSandboxClientSecret},
        Crossing{Channel::Sandbox, kProductionClientId, kProductionClientSecret}}) {
    SCOPED_TRACE(id);
    std::string body = "grant_type=client_credentials&" + credentials_form(id, secret);
    EXPECT_TRUE(IsOAuthError(send(post(body), endpoint), 400, "invalid_client"));
    EXPECT_TRUE(IsOAuthError(send(basic_post(id, secret), endpoint), 401, "invalid_client"));
  }
  std::string production_form = "grant_type=client_credentials&" +
                                credentials_form(kProductionClientId, kProductionClientSecret);
  std::string production_token = access_token_of(send(post(production_form), Channel::Production));
  std::string sandbox_token = access_token_of(send(post(demo_form())));
  auto state_in = [&](Channel store, const std::string& token) {
    return t.sim->tokens(store).lookup(token, t.clock->now_ms()).first;
  };
  EXPECT_EQ(state_in(Channel::Production, production_token), TokenState::Valid);
  EXPECT_EQ(state_in(Channel::Sandbox, production_token), TokenState::Unknown);
  EXPECT_EQ(state_in(Channel::Sandbox, sandbox_token), TokenState::Valid);
  EXPECT_EQ(state_in(Channel::Production, sandbox_token), TokenState::Unknown);
}

// ----- C. Scope ------------------------------------------------------------------------------

TEST_P(TokenEndpoint, RejectsIllegalScopeCharacters) {
  for (const char* scope :
       {"openid%22", "a%5Cb", "r%C3%A9sum%C3%A9", "openid++resource.READ", "+openid", "openid+",
        "+", "openid%09resource.READ", "openid%7F", "openid%00", "openid%0D%0A"}) {
    SCOPED_TRACE(scope);
    EXPECT_TRUE(
        IsOAuthError(send(post(demo_form(std::string("&scope=") + scope))), 400, "invalid_scope"));
  }
}

// The documented order (docs/design.md): scope syntax (C1) before client authentication, so a
// malformed request is told so whoever sends it.
TEST_P(TokenEndpoint, ChecksScopeSyntaxBeforeAuthenticatingTheClient) {
  EXPECT_TRUE(IsOAuthError(send(post("grant_type=client_credentials&scope=openid++resource.READ")),
                           400, "invalid_scope"));
}

TEST_P(TokenEndpoint, RejectsScopesNotGrantedToTheClient) {
  for (const char* scope :
       {"cnf", "chorus.carteachat" /* pending */, "piste.captchetat" /* not subscribed */,
        "resource.read" /* scopes are case-sensitive */, "OPENID", "openid+unknown.scope",
        "resource.READ+cnf"}) {
    SCOPED_TRACE(scope);
    EXPECT_TRUE(
        IsOAuthError(send(post(demo_form(std::string("&scope=") + scope))), 400, "invalid_scope"));
  }
}

TEST_P(TokenEndpoint, GivesOpenidAndTheGrantedScopesWhenScopeIsOmitted) {
  std::string scope = scope_of(send(post(demo_form())));
  EXPECT_EQ(scope, kDemoScope);
  EXPECT_EQ(scope_tokens(scope).front(), "openid");
  EXPECT_TRUE(contains(scope_tokens(scope), "resource.READ"));
}

TEST_P(TokenEndpoint, GivesTheDefaultScopeForOpenidAlone) {
  EXPECT_EQ(scope_of(send(post(demo_form("&scope=openid")))), kDemoScope);
}

TEST_P(TokenEndpoint, GivesOpenidAloneToAnApplicationWithoutScopes) {
  std::string body =
      "grant_type=client_credentials&" + credentials_form(kAdminClientId, kAdminClientSecret);
  EXPECT_EQ(scope_of(send(post(body))), "openid");
}

TEST_P(TokenEndpoint, GrantsScopesOfApprovedSubscriptionsOnly) {
  for (auto status : {SubscriptionStatus::Pending, SubscriptionStatus::Rejected,
                      SubscriptionStatus::Revoked, SubscriptionStatus::Approved}) {
    SCOPED_TRACE(to_string(status));
    TestSimulator s = simulator(changed_world(
        [&](World& w) { subscription(w, kSandboxApp, "carte-achat").status = status; }));
    auto scope = scope_tokens(scope_of(send_to(s, post(demo_form()))));
    Response asked = send_to(s, post(demo_form("&scope=chorus.carteachat")));
    if (status == SubscriptionStatus::Approved) {
      EXPECT_TRUE(contains(scope, "chorus.carteachat") && contains(scope, "cnf"));
      EXPECT_EQ(scope_of(asked), "openid chorus.carteachat");
    } else {
      EXPECT_FALSE(contains(scope, "chorus.carteachat") || contains(scope, "cnf"));
      EXPECT_TRUE(IsOAuthError(asked, 400, "invalid_scope"));
    }
  }
}

TEST_P(TokenEndpoint, GrantsOnlyTheScopesASubscriptionNames) {
  TestSimulator s = simulator(changed_world([](World& w) {
    Subscription& carte = subscription(w, kSandboxApp, "carte-achat");
    carte.status = SubscriptionStatus::Approved;
    carte.scopes = {"cnf"};
  }));
  auto scope = scope_tokens(scope_of(send_to(s, post(demo_form()))));
  EXPECT_TRUE(contains(scope, "cnf"));
  EXPECT_FALSE(contains(scope, "chorus.carteachat"));
  EXPECT_TRUE(
      IsOAuthError(send_to(s, post(demo_form("&scope=chorus.carteachat"))), 400, "invalid_scope"));
}

TEST_P(TokenEndpoint, ReturnsTheIssuedScopeWhenItDiffersFromTheRequest) {
  for (const char* requested :
       {"resource.READ", "openid+resource.READ", "resource.READ+resource.READ+openid"}) {
    SCOPED_TRACE(requested);
    EXPECT_EQ(scope_of(send(post(demo_form(std::string("&scope=") + requested)))), kDemoScope);
  }
}

// ----- D. Success ----------------------------------------------------------------------------

// D1–D4, WIRE-1: exactly PISTE's body, key order included, by either authentication method.
const std::regex kPisteTokenBody(
    R"(\{"access_token":"[A-Za-z0-9]{54}","token_type":"Bearer","expires_in":3600,)"
    R"("scope":"openid resource\.READ"\})");

TEST_P(TokenEndpoint, AnswersWithPistesTokenBody) {
  for (const Request& r : {post(demo_form()), basic_post(kSandboxClientId, kSandboxClientSecret)}) {
    Response answer = send(r);
    json j = token_json(answer);
    EXPECT_TRUE(std::regex_match(answer.body, kPisteTokenBody)) << answer.body;
    EXPECT_EQ(j.size(), 4u);
    EXPECT_FALSE(j.contains("refresh_token"));
    EXPECT_TRUE(j["expires_in"].is_number_integer());
  }
}

TEST_P(TokenEndpoint, RecordsTheIssuedTokenForItsApplication) {
  std::string token = access_token_of(send(post(demo_form("&scope=resource.READ"))));
  auto [state, record] = t.sim->tokens(Channel::Sandbox).lookup(token, t.clock->now_ms());
  ASSERT_EQ(state, TokenState::Valid);
  EXPECT_EQ(record->application_id, kSandboxApp);
  EXPECT_EQ(record->client_id, kSandboxClientId);
  EXPECT_EQ(record->scope, kDemoScope);
}

TEST_P(TokenEndpoint, ExpiresInFollowsTheWorldTokenLifetime) {
  TestSimulator s = simulator(changed_world([](World& w) { w.settings.token_lifetime_s = 120; }));
  json j = token_json(send_to(s, post(demo_form())));
  EXPECT_EQ(j["expires_in"], 120);
}

TEST_P(TokenEndpoint, MeasuresTokenLifetimeOnTheSimulatorClock) {
  t.clock->advance(5'000);
  std::string token = access_token_of(send(post(demo_form())));
  TokenStore& store = t.sim->tokens(Channel::Sandbox);
  auto [state, record] = store.lookup(token, t.clock->now_ms());
  ASSERT_EQ(state, TokenState::Valid);
  EXPECT_EQ(record->issued_ms, kStart + 5'000);
  EXPECT_EQ(record->expires_ms, kStart + 5'000 + 3'600'000);
  t.clock->advance(3'600'000 - 1);
  EXPECT_EQ(store.lookup(token, t.clock->now_ms()).first, TokenState::Valid);
  t.clock->advance(1);
  EXPECT_EQ(store.lookup(token, t.clock->now_ms()).first, TokenState::Expired);
}

// D6: `count` tokens issued by `threads` threads at once.
std::vector<std::string> issue_tokens(TestSimulator& t, int threads, int count) {
  std::vector<std::vector<std::string>> issued(threads);
  std::vector<std::thread> workers;
  for (int w = 0; w < threads; ++w)
    workers.emplace_back([&, w] {
      for (int i = w; i < count; i += threads) {
        Response r = send_to(t, post(demo_form()));
        json j = json::parse(r.body, nullptr, false);
        issued[w].push_back(r.status == 200 && j.is_object() ? member(j, "access_token") : r.body);
      }
    });
  for (auto& worker : workers) worker.join();
  std::vector<std::string> all;
  for (auto& v : issued) all.insert(all.end(), v.begin(), v.end());
  return all;
}

void expect_unique_piste_tokens(TestSimulator& t, const std::vector<std::string>& tokens) {
  std::unordered_set<std::string> seen;
  for (const auto& token : tokens) {
    ASSERT_TRUE(is_piste_token(token)) << token;
    ASSERT_TRUE(seen.insert(token).second) << "issued twice: " << token;
    ASSERT_EQ(parse_bearer("Bearer " + token), token);  // usable as an RFC 6750 bearer token
    ASSERT_EQ(t.sim->tokens(Channel::Sandbox).lookup(token, t.clock->now_ms()).first,
              TokenState::Valid);
  }
}

TEST_P(TokenEndpoint, IssuesDistinctAlphanumericTokens) {
  auto tokens = issue_tokens(t, 1, 10'000);
  ASSERT_EQ(tokens.size(), 10'000u);
  expect_unique_piste_tokens(t, tokens);
}

// The store's per-client limit: a client that asks for a token on every call does not grow the
// store for the tokens' whole lifetime. One more than the limit makes its oldest expire (and
// durable state is told, like any expiry); other clients are untouched.
TEST(TokenStoreLimit, OneTokenOverTheLimitMakesTheClientsOldestExpire) {
  struct Expiries : TokenStoreListener {
    void inserted(std::string_view, const TokenRecord&, HeldLocks&) override {}
    void revoked(std::string_view, HeldLocks&) override {}
    void expired(std::string_view token, Millis, HeldLocks&) override {
      expired_.emplace_back(token);
    }
    void application_revoked(std::string_view, HeldLocks&) override {}
    void application_expired(std::string_view, Millis, HeldLocks&) override {}
    void rewound(Millis, Millis, HeldLocks&) override {}
    std::vector<std::string> expired_;
  } listener;
  TokenStore store;
  store.set_max_live_per_client(3);
  store.set_listener(&listener);
  const Millis now = 1'000;
  auto record = [&](const char* client) {
    TokenRecord r;
    r.application_id = "app";
    r.client_id = client;
    r.scope = "openid";
    r.issued_ms = now;
    r.expires_ms = now + 3'600'000;
    return r;
  };
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(store.insert("a" + std::to_string(i), record("A"), now));
  for (int i = 1; i <= 2; ++i) ASSERT_TRUE(store.insert("b" + std::to_string(i), record("B"), now));
  for (const char* t : {"a1", "a2"})
    EXPECT_EQ(store.lookup(t, now).first, TokenState::Expired) << t;
  for (const char* t : {"a3", "a4", "a5", "b1", "b2"})
    EXPECT_EQ(store.lookup(t, now).first, TokenState::Valid) << t;
  EXPECT_EQ(listener.expired_, (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(store.live_count(now), 5u);
  // Tokens that left by themselves (revoked) still count their turn: no valid token is lost early.
  EXPECT_TRUE(store.revoke("a3"));
  ASSERT_TRUE(store.insert("a6", record("A"), now));
  EXPECT_EQ(store.lookup("a4", now).first, TokenState::Valid);
  EXPECT_EQ(store.lookup("a3", now).first, TokenState::Revoked);
}

// A token of client "A" of application "app", valid until `expires_ms`.
TokenRecord client_a_token(Millis expires_ms) {
  TokenRecord r;
  r.application_id = "app";
  r.client_id = "A";
  r.expires_ms = expires_ms;
  return r;
}

// Saving the eviction fails (a full disk): the new token is issued all the same.
TEST(TokenStoreLimit, AnEvictionThatCannotBeSavedDoesNotUndoTheNewToken) {
  struct FailingExpiry : TokenStoreListener {
    void inserted(std::string_view, const TokenRecord&, HeldLocks&) override {}
    void revoked(std::string_view, HeldLocks&) override {}
    void expired(std::string_view, Millis, HeldLocks&) override {
      throw std::runtime_error("disk full");
    }
    void application_revoked(std::string_view, HeldLocks&) override {}
    void application_expired(std::string_view, Millis, HeldLocks&) override {}
    void rewound(Millis, Millis, HeldLocks&) override {}
  } listener;
  TokenStore store;
  store.set_max_live_per_client(1);
  store.set_listener(&listener);
  const TokenRecord r = client_a_token(3'600'000);
  ASSERT_TRUE(store.insert("first", r, 0));
  EXPECT_TRUE(store.insert("second", r, 0));
  EXPECT_EQ(store.lookup("second", 0).first, TokenState::Valid);
  EXPECT_EQ(store.lookup("first", 0).first, TokenState::Expired);
}

// The window evicts through pointers into the store: after clear() (world/reset) they are
// stale and must not be followed (ASan would see the freed nodes); tokens whose lifetime ended
// leave the window without expiring a live one.
TEST(TokenStoreLimit, ClearAndNaturalExpiryLeaveTheWindowSafe) {
  TokenStore store;
  store.set_max_live_per_client(2);
  TokenRecord r = client_a_token(1'000);
  ASSERT_TRUE(store.insert("old1", r, 0));
  ASSERT_TRUE(store.insert("old2", r, 0));
  store.clear();
  r.expires_ms = 5'000;
  for (const char* t : {"new1", "new2", "new3"}) ASSERT_TRUE(store.insert(t, r, 0));
  EXPECT_EQ(store.lookup("new1", 0).first, TokenState::Expired);
  EXPECT_EQ(store.lookup("new3", 0).first, TokenState::Valid);
  r.issued_ms = 6'000;  // new2 and new3 have lived their hour; the window takes new ones
  r.expires_ms = 9'000;
  ASSERT_TRUE(store.insert("later1", r, 6'000));
  ASSERT_TRUE(store.insert("later2", r, 6'000));
  EXPECT_EQ(store.lookup("later1", 6'000).first, TokenState::Valid);
  EXPECT_EQ(store.lookup("later2", 6'000).first, TokenState::Valid);
  EXPECT_EQ(store.live_count(6'000), 2u);
}

// Tokens pushed out of a client's window, and tokens whose hour is over, are reclaimed as the
// store is written: memory follows the live tokens, not every token ever issued.
TEST(TokenStoreLimit, EvictedAndExpiredTokensAreReclaimed) {
  TokenStore store;
  store.set_max_live_per_client(2);
  const TokenRecord r = client_a_token(3'600'000);
  for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(store.insert("t" + std::to_string(i), r, 0));
  EXPECT_EQ(store.live_count(0), 2u);
  EXPECT_LT(store.held_count(), 10'000u);

  TokenStore unlimited;
  unlimited.set_max_live_per_client(0);
  for (int hour = 0; hour < 20; ++hour) {
    const Millis now = hour * 3'600'000;
    for (int i = 0; i < 5'000; ++i)
      ASSERT_TRUE(unlimited.insert(std::to_string(hour) + "-" + std::to_string(i),
                                   client_a_token(now + 3'600'000), now));
  }
  EXPECT_EQ(unlimited.live_count(19 * 3'600'000), 5'000u);
  EXPECT_LT(unlimited.held_count(), 20'000u);
}

TEST(TokenStoreLimit, ZeroMeansNoLimit) {
  TokenStore store;
  store.set_max_live_per_client(0);
  const TokenRecord r = client_a_token(3'600'000);
  for (int i = 0; i < 1'000; ++i) ASSERT_TRUE(store.insert("t" + std::to_string(i), r, 0));
  EXPECT_EQ(store.live_count(0), 1'000u);
}

// Through the token endpoint: the simulator's option sets the limit.
TEST(TokenStoreLimit, TheSimulatorsOptionLimitsEachClient) {
  WorldLoadResult world = load_default_world();
  ASSERT_TRUE(world.ok());
  SimulatorOptions o;
  o.max_live_tokens_per_client = 2;
  auto clock = std::make_shared<ManualClock>(kStart);
  Simulator sim(std::move(world.world), o, clock);
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i) {
    Request r = post(demo_form());
    tokens.push_back(access_token_of(sim.handle(Endpoint::SandboxOAuth, r)));
  }
  TokenStore& store = sim.tokens(Channel::Sandbox);
  EXPECT_EQ(store.lookup(tokens[0], clock->now_ms()).first, TokenState::Expired);
  EXPECT_EQ(store.lookup(tokens[1], clock->now_ms()).first, TokenState::Valid);
  EXPECT_EQ(store.lookup(tokens[2], clock->now_ms()).first, TokenState::Valid);
}

TEST_P(TokenEndpoint, IssuesDistinctTokensFromSeveralThreadsAtOnce) {
  auto tokens = issue_tokens(t, 4, 10'000);
  ASSERT_EQ(tokens.size(), 10'000u);
  expect_unique_piste_tokens(t, tokens);
  EXPECT_EQ(t.sim->tokens(Channel::Sandbox).live_count(t.clock->now_ms()), 10'000u);
}

// ----- E. Errors -----------------------------------------------------------------------------

// E2 where the request could leak into the answer: names echoed by the repeated-parameter error,
// client ids that are never echoed.
TEST_P(TokenEndpoint, KeepsErrorTextWithinTheRfcCharacterSet) {
  for (const std::string& name :
       {std::string("%22q%22"), std::string("back%5Cslash"), std::string("%C3%A9t%C3%A9"),
        std::string("two+words"), std::string("%01ctl"), std::string("%7F"), std::string(""),
        std::string(200, 'n')}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(IsOAuthError(send(post(demo_form("&" + name + "=1&" + name + "=2"))), 400,
                             "invalid_request"));
  }
  std::string sneaky =
      "grant_type=client_credentials&" + credentials_form("\"}\\u0000\xC3\xA9", "x");
  EXPECT_TRUE(IsOAuthError(send(post(sneaky)), 400, "invalid_client"));
}

}  // namespace
}  // namespace pistesim::test
