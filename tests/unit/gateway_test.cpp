// The API gateway in-process (docs/conformance-checklist.md §F, G5; GW-1..4, WIRE-4..9), in both
// profiles where they differ.
#include <algorithm>
#include <functional>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

const std::string kLegifrance = "/dila/legifrance/lf-engine-app";
const std::string kPing = kLegifrance + "/consult/ping";
const std::string kJudilibre = "/cassation/judilibre/v1.0/healthcheck";
const std::string kNoTokenPiste =
    R"(Bearer realm="PISTE",error="invalid_request",error_description="Unable to find token in the message")";
const std::string kNoTokenDefaultRealm =
    R"(Bearer realm="DefaultRealm",error="invalid_request",error_description="Unable to find token in the message")";

// A gateway call with any headers (name, value), in order.
Response send(TestSimulator& t, Channel channel, const std::string& method,
              const std::string& target,
              const std::vector<std::pair<std::string, std::string>>& headers,
              const std::string& body = {}) {
  Request r = Request::make(method, target, body);
  for (const auto& [name, value] : headers) r.headers.add(name, value);
  return t.sim->handle(TestSimulator::api_endpoint(channel), r);
}

std::string challenge(const Response& r) {
  return r.headers.get("WWW-Authenticate");
}

// The answer when no usable credentials came: PISTE 400 with WIRE-4's exact challenge; RFC 6750
// §3.1 a bare 401 challenge without an error code.
void expect_no_credentials(const Response& r, Profile profile, const std::string& realm = "PISTE") {
  if (profile == Profile::Piste) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(challenge(r), realm == "PISTE" ? kNoTokenPiste : kNoTokenDefaultRealm);
  } else {
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(challenge(r), "Bearer realm=\"" + realm + "\"");
  }
}

void expect_error(const Response& r, int status, const std::string& error) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_TRUE(challenge(r).starts_with("Bearer realm=\"PISTE\",error=\"" + error + "\""))
      << challenge(r);
}

// F6 / WIRE-6: PISTE answers 403 with an empty body and no challenge; RFC 6750 names the error.
void expect_forbidden(const Response& r, Profile profile) {
  EXPECT_EQ(r.status, 403) << r.body;
  if (profile == Profile::Piste) {
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.headers.find("WWW-Authenticate"), nullptr);
  } else {
    EXPECT_TRUE(challenge(r).starts_with(
        R"(Bearer realm="PISTE",error="insufficient_scope",error_description=")"))
        << challenge(r);
  }
}

class GatewayProfiles : public ::testing::TestWithParam<Profile> {
 protected:
  Profile profile() const { return GetParam(); }
  TestSimulator t{GetParam()};
};

INSTANTIATE_TEST_SUITE_P(Gateway, GatewayProfiles, ::testing::Values(Profile::Piste, Profile::Rfc),
                         [](const auto& info) { return std::string(to_string(info.param)); });

// --- F1, F2, WIRE-4 -------------------------------------------------------------------------

TEST_P(GatewayProfiles, EquivalentSpellingsOfAPathRouteAlike) {
  const std::string token = t.token();
  const std::vector<std::string> spellings = {kLegifrance + "/consult/p%69ng",
                                              kLegifrance + "/consult/./ping",
                                              "/dila/legifrance/x/../lf-engine-app/consult/ping",
                                              "/dila/%6Cegifrance/lf-engine-app/consult/ping"};
  for (const std::string& spelling : spellings) {
    Response r = t.call(Channel::Sandbox, "GET", spelling, token);
    EXPECT_EQ(r.status, 200) << spelling;
    EXPECT_EQ(r.body, "pong") << spelling;
  }
}

TEST_P(GatewayProfiles, AValidBearerTokenReachesTheProvider) {
  Response r = t.call(Channel::Sandbox, "GET", kPing, t.token());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "pong");
}

TEST_P(GatewayProfiles, NoTokenOnAKnownApiUsesRealmPiste) {
  expect_no_credentials(t.call(Channel::Sandbox, "GET", kPing, ""), profile(), "PISTE");
}

// WIRE-5: only the missing-token answer varies its realm with the path; a bad token is PISTE's.
TEST_P(GatewayProfiles, AnInvalidTokenOnAnUnknownPathIsRefusedInRealmPiste) {
  Response r = t.call(Channel::Sandbox, "GET", "/no/such/api", "NotAValidTokenAtAll");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(
      r.headers.get("WWW-Authenticate").rfind("Bearer realm=\"PISTE\",error=\"invalid_token\"", 0),
      0u)
      << r.headers.get("WWW-Authenticate");
}

TEST_P(GatewayProfiles, NoTokenOnAnUnknownPathUsesDefaultRealm) {
  expect_no_credentials(t.call(Channel::Sandbox, "GET", "/no/such/api/v1/x", ""), profile(),
                        "DefaultRealm");
}

TEST_P(GatewayProfiles, AnAuthorizationHeaderOfAnotherSchemeCountsAsNoCredentials) {
  for (const char* value : {"Basic dXNlcjpwYXNz", "Token abc", "", "Bearerabc"}) {
    SCOPED_TRACE(value);
    expect_no_credentials(send(t, Channel::Sandbox, "GET", kPing, {{"Authorization", value}}),
                          profile());
  }
}

TEST_P(GatewayProfiles, TheBearerSchemeNameIsCaseInsensitive) {
  std::string token = t.token();
  for (const char* scheme : {"bearer", "BEARER", "BeArEr"}) {
    SCOPED_TRACE(scheme);
    Response r = send(t, Channel::Sandbox, "GET", kPing,
                      {{"Authorization", std::string(scheme) + " " + token}});
    EXPECT_EQ(r.status, 200) << r.body;
  }
}

TEST_P(GatewayProfiles, TwoAuthorizationHeadersAreRefused) {
  std::string token = t.token();
  Response r = send(t, Channel::Sandbox, "GET", kPing,
                    {{"Authorization", "Bearer " + token}, {"Authorization", "Bearer " + token}});
  expect_error(r, 400, "invalid_request");
}

// --- F3, F9, WIRE-5 -------------------------------------------------------------------------

TEST_P(GatewayProfiles, AnUnknownTokenIsInvalid) {
  expect_error(t.call(Channel::Sandbox, "GET", kPing,
                      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
               401, "invalid_token");
}

TEST_P(GatewayProfiles, ARevokedTokenIsInvalid) {
  std::string token = t.token();
  ASSERT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  ASSERT_EQ(t.control("POST", "/tokens/revoke", nlohmann::json{{"token", token}}.dump()).status,
            200);
  expect_error(t.call(Channel::Sandbox, "GET", kPing, token), 401, "invalid_token");
}

TEST_P(GatewayProfiles, ATokenExpiresExactly3600SecondsAfterIssue) {
  std::string token = t.token();
  t.clock->advance(3'599'999);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
  t.clock->advance(1);
  expect_error(t.call(Channel::Sandbox, "GET", kPing, token), 401, "invalid_token");
}

// --- F4, F5, F7 -----------------------------------------------------------------------------

TEST_P(GatewayProfiles, ATokenSentByTwoMethodsIsRefused) {
  std::string token = t.token();
  expect_error(t.call(Channel::Sandbox, "GET", kPing + "?access_token=" + token, token), 400,
               "invalid_request");
  Response form = t.call(Channel::Sandbox, "POST", kLegifrance + "/search", token,
                         "access_token=" + token, "application/x-www-form-urlencoded");
  expect_error(form, 400, "invalid_request");
}

TEST_P(GatewayProfiles, AnAccessTokenFieldInAJsonBodyIsNotASecondMethod) {
  std::string token = t.token();
  Response r =
      t.call(Channel::Sandbox, "POST", kLegifrance + "/search", token,
             R"({"recherche":{},"fond":"CODE_DATE","access_token":"x"})", "application/json");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_P(GatewayProfiles, ABearerWithoutATokenOrWithBadCharactersIsInvalidRequest) {
  for (const char* value : {"Bearer", "Bearer ", "Bearer a b", "Bearer ab$cd", "Bearer =abc",
                            "Bearer abc=d", "Bearer é"}) {
    SCOPED_TRACE(value);
    expect_error(send(t, Channel::Sandbox, "GET", kPing, {{"Authorization", value}}), 400,
                 "invalid_request");
  }
}

TEST_P(GatewayProfiles, AnAccessTokenInTheQueryAloneIsNoCredentials) {
  expect_no_credentials(t.call(Channel::Sandbox, "GET", kPing + "?access_token=" + t.token(), ""),
                        profile());
}

TEST_P(GatewayProfiles, AnAccessTokenInAFormBodyAloneIsNoCredentials) {
  Response r = t.call(Channel::Sandbox, "POST", kLegifrance + "/search", "",
                      "access_token=" + t.token(), "application/x-www-form-urlencoded");
  expect_no_credentials(r, profile());
}

// --- F6, WIRE-6 -----------------------------------------------------------------------------

struct ForbiddenCase {
  const char* name;
  std::string target;
  std::function<void(World&)> change;  // applied to the world before the token is issued
  std::function<void(World&)> after;   // applied after the token is issued
};

Application& app_of(World& w, std::string_view id) {
  for (auto& a : w.applications)
    if (a.id == id) return a;
  throw std::runtime_error("no application " + std::string(id));
}

void set_status(World& w, std::string_view api, SubscriptionStatus s) {
  app_of(w, kSandboxApp).subscription(api)->status = s;
}

std::vector<ForbiddenCase> forbidden_cases() {
  const std::string ping = kPing;
  return {
      {"NotSubscribed", "/dume/acheteurs/v1/healthcheck", nullptr, nullptr},
      {"Pending", "/chorus/v1/carteachat/healthcheck", nullptr, nullptr},
      {"Revoked", ping, [](World& w) { set_status(w, "legifrance", SubscriptionStatus::Revoked); },
       nullptr},
      {"Rejected", ping,
       [](World& w) { set_status(w, "legifrance", SubscriptionStatus::Rejected); }, nullptr},
      {"RevokedAfterIssue", ping, nullptr,
       [](World& w) { set_status(w, "legifrance", SubscriptionStatus::Revoked); }},
      {"TokenIssuedBeforeApproval", "/chorus/v1/carteachat/healthcheck", nullptr,
       [](World& w) { set_status(w, "carte-achat", SubscriptionStatus::Approved); }},
      {"InactiveApplication", ping, nullptr,
       [](World& w) { app_of(w, kSandboxApp).active = false; }},
  };
}

TEST_P(GatewayProfiles, AValidTokenWithoutAccessIsForbidden) {
  for (const auto& c : forbidden_cases()) {
    SCOPED_TRACE(c.name);
    TestSimulator fresh(profile());
    if (c.change) fresh.sim->mutate(c.change);
    std::string token = fresh.token();
    if (c.after) fresh.sim->mutate(c.after);
    Response r = send(fresh, Channel::Sandbox, "GET", c.target,
                      {{"Authorization", "Bearer " + token}, {"cpro-account", cpro_account()}});
    expect_forbidden(r, profile());
  }
}

TEST_P(GatewayProfiles, ANewTokenAfterApprovalCarriesTheApiScope) {
  std::string old_token = t.token();
  t.sim->mutate([](World& w) { set_status(w, "carte-achat", SubscriptionStatus::Approved); });
  const std::string target = "/chorus/v1/carteachat/healthcheck";
  expect_forbidden(t.call(Channel::Sandbox, "GET", target, old_token), profile());
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", target, t.token()).status, 200);
}

TEST_P(GatewayProfiles, AnApprovedSubscriptionIsServedWhoeverAcceptedTheCgu) {
  // CGU consent gates subscribing (000 §5, §6.2), not each call: with nobody's consent on record
  // for Structures, its approved subscriptions still answer on both channels.
  t.sim->mutate([](World& w) {
    for (auto& u : w.users)
      std::erase_if(u.accepted_cgu, [](const CguConsent& c) { return c.api == "cpro-structures"; });
  });
  const std::string target = "/cpro/structures/v1/healthcheck";
  std::string prod = t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  EXPECT_EQ(send(t, Channel::Production, "GET", target,
                 {{"Authorization", "Bearer " + prod}, {"cpro-account", cpro_account()}})
                .status,
            200);
  EXPECT_EQ(send(t, Channel::Sandbox, "GET", target,
                 {{"Authorization", "Bearer " + t.token()}, {"cpro-account", cpro_account()}})
                .status,
            200);
}

// --- F8 -------------------------------------------------------------------------------------

// Splits `Bearer k1="v1",k2="v2"` into its parameters; fails the test on any other shape.
std::vector<std::pair<std::string, std::string>> challenge_params(const std::string& value) {
  std::vector<std::pair<std::string, std::string>> out;
  EXPECT_TRUE(value.starts_with("Bearer ")) << value;
  size_t i = 7;
  while (i < value.size()) {
    size_t eq = value.find('=', i);
    EXPECT_NE(eq, std::string::npos) << value;
    if (eq == std::string::npos || eq + 1 >= value.size() || value[eq + 1] != '"') {
      ADD_FAILURE() << "unquoted value in " << value;
      return out;
    }
    size_t close = value.find('"', eq + 2);
    if (close == std::string::npos) {
      ADD_FAILURE() << "unterminated value in " << value;
      return out;
    }
    out.emplace_back(value.substr(i, eq - i), value.substr(eq + 2, close - eq - 2));
    i = close + 1;
    if (i < value.size()) {
      EXPECT_EQ(value[i], ',') << value;
      ++i;
    }
  }
  return out;
}

TEST_P(GatewayProfiles, EveryChallengeHasOneRealmAndQuotedValues) {
  std::string token = t.token();
  std::vector<Response> answers = {
      t.call(Channel::Sandbox, "GET", kPing, ""),
      t.call(Channel::Sandbox, "GET", "/unknown", ""),
      t.call(Channel::Sandbox, "GET", kPing, "unknown-token"),
      send(t, Channel::Sandbox, "GET", kPing, {{"Authorization", "Bearer"}}),
      t.call(Channel::Sandbox, "GET", kPing + "?access_token=x", token),
      t.call(Channel::Sandbox, "GET", "/dume/acheteurs/v1/healthcheck", token),
  };
  for (const auto& r : answers) {
    if (!r.headers.find("WWW-Authenticate")) continue;  // piste's empty 403
    SCOPED_TRACE(challenge(r));
    auto params = challenge_params(challenge(r));
    EXPECT_EQ(std::count_if(params.begin(), params.end(),
                            [](const auto& p) { return p.first == "realm"; }),
              1);
  }
}

// --- G5, WIRE-7 -----------------------------------------------------------------------------

TEST_P(GatewayProfiles, ChannelsAreIsolated) {
  std::string sandbox = t.token();
  std::string production =
      t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  expect_error(t.call(Channel::Production, "GET", kPing, sandbox), 401, "invalid_token");
  expect_error(t.call(Channel::Sandbox, "GET", kPing, production), 401, "invalid_token");
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, production).status, 200);
}

TEST_P(GatewayProfiles, APathMatchingNoApiOfTheChannelIs404) {
  std::string production =
      t.token(Channel::Production, kProductionClientId, kProductionClientSecret);
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", "/no/such/api", t.token()).status, 404);
  // The Try-it API is published on SANDBOX only.
  EXPECT_EQ(
      t.call(Channel::Production, "GET", "/piste/api-test-try-it/v1/bonjour", production).status,
      404);
  // Base paths match whole segments only.
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kLegifrance + "x/consult/ping", t.token()).status, 404);
}

// --- WIRE-9 ---------------------------------------------------------------------------------

TEST_P(GatewayProfiles, JudilibreAcceptsTheApplicationKey) {
  Response r = send(t, Channel::Sandbox, "GET", kJudilibre, {{"KeyId", kSandboxApiKey}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.headers.get("x-rate-limit"), "[]");
}

TEST_P(GatewayProfiles, AnUnknownOrDisabledKeyIsInvalid) {
  expect_error(send(t, Channel::Sandbox, "GET", kJudilibre, {{"KeyId", "not-a-key"}}), 401,
               "invalid_token");
  // Keys, like tokens, belong to one channel.
  expect_error(send(t, Channel::Sandbox, "GET", kJudilibre, {{"KeyId", kProductionApiKey}}), 401,
               "invalid_token");
  t.sim->mutate([](World& w) { app_of(w, kSandboxApp).api_keys.front().enabled = false; });
  expect_error(send(t, Channel::Sandbox, "GET", kJudilibre, {{"KeyId", kSandboxApiKey}}), 401,
               "invalid_token");
}

TEST_P(GatewayProfiles, AKeyIdOnAnApiWithoutKeysIsIgnored) {
  expect_no_credentials(send(t, Channel::Sandbox, "GET", kPing, {{"KeyId", kSandboxApiKey}}),
                        profile());
  expect_no_credentials(send(t, Channel::Sandbox, "GET", kJudilibre, {{"KeyId", ""}}), profile());
}

TEST_P(GatewayProfiles, AKeyStillNeedsASubscription) {
  t.sim->mutate([](World& w) { set_status(w, "judilibre", SubscriptionStatus::Revoked); });
  expect_forbidden(send(t, Channel::Sandbox, "GET", kJudilibre, {{"KeyId", kSandboxApiKey}}),
                   profile());
}

// --- GW-4, WIRE-8: headers on every answer --------------------------------------------------

TEST_P(GatewayProfiles, EveryAnswerKindCarriesTheGatewayHeaders) {
  std::string token = t.token();
  ASSERT_EQ(t.control("PUT", "/applications/demo-sandbox/quota",
                      R"({"limit":1,"window":"1s","api":"judilibre"})")
                .status,
            200);
  std::vector<std::pair<int, Response>> answers;
  auto keep = [&](int expected, Response r) { answers.emplace_back(expected, std::move(r)); };
  keep(200, t.call(Channel::Sandbox, "GET", kPing, token));
  keep(400, t.call(Channel::Sandbox, "GET", kPing, ""));
  keep(401, t.call(Channel::Sandbox, "GET", kPing, "unknown"));
  keep(403, t.call(Channel::Sandbox, "GET", "/dume/acheteurs/v1/healthcheck", token));
  keep(404, t.call(Channel::Sandbox, "GET", "/nope", token));
  keep(404, t.call(Channel::Sandbox, "GET", kLegifrance + "/no-such-resource",
                   token));  // from the provider
  keep(200, t.call(Channel::Sandbox, "GET", kJudilibre, token));
  keep(429, t.call(Channel::Sandbox, "GET", kJudilibre, token));
  keep(200, send(t, Channel::Sandbox, "OPTIONS", kPing,
                 {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "GET"}}));
  std::set<std::string> ids;
  for (const auto& [expected, r] : answers) {
    if (profile() == Profile::Rfc && expected == 400) {
      EXPECT_EQ(r.status, 401);
    } else {
      EXPECT_EQ(r.status, expected) << r.body;
    }
    SCOPED_TRACE(r.status);
    EXPECT_FALSE(r.headers.get("x-correlation-id").empty());
    EXPECT_TRUE(ids.insert(r.headers.get("x-correlation-id")).second)
        << "repeated x-correlation-id";
    EXPECT_NE(r.headers.find("x-rate-limit"), nullptr);
    EXPECT_NE(r.headers.find("Access-Control-Allow-Origin"), nullptr);
    EXPECT_EQ(r.headers.get("Access-Control-Expose-Headers"), "x-correlation-id, x-rate-limit");
  }
}

TEST_P(GatewayProfiles, CorrelationIdsAreUniqueAndShapedLikePistes) {
  std::string token = t.token();
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    std::string id =
        t.call(Channel::Sandbox, "GET", kPing, i % 2 ? token : "").headers.get("x-correlation-id");
    EXPECT_TRUE(ids.insert(id).second) << id;
    // "1d-055dede0e29d8b72e118fe0d": hex, a dash, hex.
    EXPECT_EQ(std::count(id.begin(), id.end(), '-'), 1) << id;
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef-"), std::string::npos) << id;
  }
}

TEST_P(GatewayProfiles, ACorsPreflightNeedsNoToken) {
  Response r = send(t, Channel::Sandbox, "OPTIONS", kPing,
                    {{"Origin", "https://app.example"},
                     {"Access-Control-Request-Method", "POST"},
                     {"Access-Control-Request-Headers", "authorization, content-type"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.headers.get("Access-Control-Allow-Methods").find("POST"), std::string::npos);
  EXPECT_EQ(r.headers.get("Access-Control-Allow-Headers"), "authorization, content-type");
  EXPECT_EQ(r.headers.get("Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(r.headers.get("Vary"), "Origin");
  EXPECT_EQ(r.headers.find("WWW-Authenticate"), nullptr);
}

TEST_P(GatewayProfiles, AnOptionsCallThatIsNotAPreflightNeedsAToken) {
  expect_no_credentials(
      send(t, Channel::Sandbox, "OPTIONS", kPing, {{"Origin", "https://app.example"}}), profile());
}

TEST_P(GatewayProfiles, HeadAnswersCarryNoBody) {
  std::string token = t.token();
  for (const std::string& target : {kPing, kLegifrance + "/no-such-resource",
                                    std::string("/mtes/sne-cotation/v1.0/healthcheck")}) {
    SCOPED_TRACE(target);
    Response r = t.call(Channel::Sandbox, "HEAD", target, token);
    EXPECT_NE(r.status, 405);
    EXPECT_EQ(r.body, "");
    EXPECT_FALSE(r.content_type().empty());
  }
}

// --- Simulator::handle routing (GW-1) -------------------------------------------------------

struct RouteCase {
  const char* name;
  std::string host;
  std::string target;
  bool production_token;
  int status;
};

// Named in failure messages instead of a byte dump.
void PrintTo(const RouteCase& c, std::ostream* os) {
  *os << c.name;
}

class GatewayRouting : public ::testing::TestWithParam<RouteCase> {};

TEST_P(GatewayRouting, RoutesByHostThenPathPrefix) {
  const RouteCase& c = GetParam();
  TestSimulator t;
  std::string token = c.production_token ? t.token(Channel::Production, kProductionClientId,
                                                   kProductionClientSecret)
                                         : t.token();
  Request r = Request::make("GET", c.target);
  if (!c.host.empty()) r.headers.add("Host", c.host);
  r.headers.add("Authorization", "Bearer " + token);
  Response answer = t.sim->handle(r);
  EXPECT_EQ(answer.status, c.status) << answer.body;
  if (c.status == 200) {
    EXPECT_EQ(answer.body, "pong");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Gateway, GatewayRouting,
    ::testing::Values(
        RouteCase{"SandboxHost", "sandbox-api.piste.gouv.fr", kPing, false, 200},
        RouteCase{"SandboxHostWithPortAnyCase", "SANDBOX-API.piste.gouv.fr:443", kPing, false, 200},
        RouteCase{"ProductionHost", "api.piste.gouv.fr", kPing, true, 200},
        RouteCase{"SandboxTokenOnProductionHost", "api.piste.gouv.fr", kPing, false, 401},
        RouteCase{"SandboxPrefix", "", "/sandbox/api" + kPing, false, 200},
        RouteCase{"SandboxPrefixOnLocalhost", "localhost:8080", "/sandbox/api" + kPing, false, 200},
        RouteCase{"ProductionPrefix", "127.0.0.1:8080", "/production/api" + kPing, true, 200},
        RouteCase{"ProductionTokenOnSandboxPrefix", "", "/sandbox/api" + kPing, true, 401},
        RouteCase{"UnknownPrefix", "", "/staging/api" + kPing, false, 404},
        RouteCase{"PrefixIsAWholeSegment", "", "/sandbox/apix" + kPing, false, 404},
        RouteCase{"NoPrefixOnLocalhost", "localhost", kPing, false, 404},
        RouteCase{"UnknownHostLabel", "www.piste.gouv.fr", kPing, false, 404}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(GatewayRouting, TheUnknownPlaceAnswerNamesThePrefixes) {
  TestSimulator t;
  Response r = t.sim->handle(Request::make("GET", "/elsewhere"));
  EXPECT_EQ(r.status, 404);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["code"], "NOT_FOUND");
  EXPECT_NE(j["message"].get<std::string>().find("/sandbox/api"), std::string::npos);
}

TEST(GatewayRouting, TheOAuthHostServesOnlyTheTokenEndpoint) {
  TestSimulator t;
  Request r = Request::make("POST", "/api/oauth/token",
                            std::string("grant_type=client_credentials&client_id=") +
                                kSandboxClientId + "&client_secret=" + kSandboxClientSecret);
  r.headers.add("Host", "sandbox-oauth.piste.gouv.fr");
  r.headers.add("Content-Type", "application/x-www-form-urlencoded");
  EXPECT_EQ(t.sim->handle(r).status, 200);
  r.path = kPing;
  EXPECT_EQ(t.sim->handle(r).status, 404);
}

}  // namespace
}  // namespace pistesim::test
