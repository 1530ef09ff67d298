// An application's credentials (APP-6, APP-7): API keys generated, disabled, deleted — seen by
// the gateway's KeyId check (WIRE-9); OAuth clients confidential or public with HTTPS callback
// URLs and an X.509 certificate; secrets viewed and regenerated — the old one is refused at once.
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "portal/credentials.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kDemo = "demo@pistesim.test";
const std::string kAdminMtes = "admin-mtes@pistesim.test";
const std::string kPing = "/dila/legifrance/lf-engine-app/consult/ping";
const std::string kJudilibre = "/cassation/judilibre/v1.0/healthcheck";

// A fresh self-signed certificate (DER), made with OpenSSL for the test.
std::string self_signed_der() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("pistesim test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509_sign(x, key, EVP_sha256());
  unsigned char* buf = nullptr;
  int len = i2d_X509(x, &buf);
  std::string der(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  X509_free(x);
  EVP_PKEY_free(key);
  return der;
}

std::string pem_of(const std::string& der) {
  std::string b64 = base64_encode(der), pem = "-----BEGIN CERTIFICATE-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  return pem + "-----END CERTIFICATE-----\n";
}

class PortalCredentials : public ::testing::Test {
 protected:
  const World& world() { return t.sim->snapshot()->world; }
  std::string app_path(const std::string& app = kProductionApp) {
    return "/portal/applications/" + app;
  }
  Response token_response(Channel c, const std::string& id, const std::string& secret) {
    std::string form = "grant_type=client_credentials&client_id=" + form_encode(id);
    if (!secret.empty()) form += "&client_secret=" + form_encode(secret);
    return t.token_request(c, form);
  }
  std::string error_of(const Response& r) { return body_of(r).value("error", ""); }
  std::string secret_of(const std::string& client, const std::string& app = kProductionApp) {
    Response r = t.control_as(kDemo, "GET", app_path(app) + "/oauth-clients/" + client + "/secret");
    EXPECT_EQ(r.status, 200) << r.body;
    return body_of(r).value("client_secret", "");
  }
  json new_client(const json& body, const std::string& app = kProductionApp) {
    Response r = t.control_as(kDemo, "POST", app_path(app) + "/oauth-clients", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return body_of(r);
  }
  void expect_unchanged(const World& before) {
    EXPECT_EQ(world(), before);
    EXPECT_TRUE(t.sim->mailbox().list().empty());
  }
  Response judilibre_with_key(const std::string& key) {
    Request r = Request::make("GET", kJudilibre);
    r.headers.add("KeyId", key);
    return t.sim->handle(Endpoint::ProductionApi, r);
  }

  TestSimulator t;
};

// --- API keys ------------------------------------------------------------------------------

TEST_F(PortalCredentials, NewApiKeyWorksWithTheKeyIdHeader) {
  Response r = t.control_as(kDemo, "POST", app_path() + "/api-keys");
  ASSERT_EQ(r.status, 201) << r.body;
  json key = body_of(r);
  const std::string value = key["key"];
  EXPECT_EQ(value.size(), 36u);
  EXPECT_EQ(key["enabled"], true);
  EXPECT_EQ(key["created_at"], "2026-11-23T10:00:00.000Z");
  EXPECT_EQ(t.sim->snapshot()->index.application(kProductionApp)->api_keys.size(), 2u);
  EXPECT_EQ(judilibre_with_key(value).status, 200);
  // A production key is unknown on SANDBOX (OAU-4).
  Request sandbox = Request::make("GET", kJudilibre);
  sandbox.headers.add("KeyId", value);
  EXPECT_EQ(t.sim->handle(Endpoint::SandboxApi, sandbox).status, 401);
}

TEST_F(PortalCredentials, DisabledOrDeletedApiKeyIsRefused) {
  const std::string path = app_path() + "/api-keys/" + kProductionApiKey;
  ASSERT_EQ(judilibre_with_key(kProductionApiKey).status, 200);
  Response r = t.control_as(kDemo, "PATCH", path, R"({"enabled":false})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["enabled"], false);
  EXPECT_EQ(judilibre_with_key(kProductionApiKey).status, 401);
  ASSERT_EQ(t.control_as(kDemo, "PATCH", path, R"({"enabled":true})").status, 200);
  EXPECT_EQ(judilibre_with_key(kProductionApiKey).status, 200);
  r = t.control_as(kDemo, "DELETE", path);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(body_of(r)["api_keys"].empty());
  EXPECT_EQ(judilibre_with_key(kProductionApiKey).status, 401);
}

TEST_F(PortalCredentials, ApiKeyRefusals) {
  World before = world();
  struct Case {
    std::string user, method, path, body, outcome;
  };
  const std::string key = app_path() + "/api-keys/" + kProductionApiKey;
  const std::vector<Case> cases = {
      {kDemo, "PATCH", app_path() + "/api-keys/nope", R"({"enabled":false})",
       "404 UNKNOWN_API_KEY"},
      {kDemo, "DELETE", app_path() + "/api-keys/nope", "", "404 UNKNOWN_API_KEY"},
      {kDemo, "PATCH", key, R"({})", "400 MISSING_FIELD"},
      {kDemo, "PATCH", key, R"({"enabled":"no"})", "400 INVALID_FIELD"},
      // Another application's key, through this application.
      {kDemo, "DELETE", app_path() + "/api-keys/" + kSandboxApiKey, "", "404 UNKNOWN_API_KEY"},
      // Someone who may not manage the application.
      {kDemo, "POST", app_path("mtes-admin-sandbox") + "/api-keys", "", "404 UNKNOWN_APPLICATION"},
      {"inactive@pistesim.test", "POST", app_path() + "/api-keys", "", "401 NOT_LOGGED_IN"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(outcome_of(t.control_as(c.user, c.method, c.path, c.body)), c.outcome)
        << c.method << " " << c.path;
    expect_unchanged(before);
  }
}

TEST_F(PortalCredentials, OrgAdminManagesCredentialsOfTheirOrganisation) {
  EXPECT_EQ(t.control_as(kAdminMtes, "POST", app_path() + "/api-keys").status, 201);
  Response r = t.control_as(kAdminMtes, "GET",
                            app_path() + "/oauth-clients/" + kProductionClientId + "/secret");
  EXPECT_EQ(body_of(r)["client_secret"], kProductionClientSecret);
}

// --- OAuth clients -------------------------------------------------------------------------

TEST_F(PortalCredentials, NewConfidentialClientGetsATokenOnItsChannel) {
  json c =
      new_client({{"type", "confidential"},
                  {"callback_urls", {"https://app.example.fr/cb", "https://app.example.fr/cb2"}}});
  EXPECT_EQ(c["type"], "confidential");
  EXPECT_EQ(c["enabled"], true);
  EXPECT_EQ(c["has_secret"], true);
  EXPECT_FALSE(c.contains("client_secret"));
  EXPECT_EQ(c["callback_urls"].size(), 2u);
  const std::string id = c["client_id"];
  std::string secret = secret_of(id);
  ASSERT_EQ(secret.size(), 36u);
  std::string token = t.token(Channel::Production, id, secret, "");
  EXPECT_EQ(t.call(Channel::Production, "GET", kPing, token).status, 200);
  EXPECT_EQ(error_of(token_response(Channel::Sandbox, id, secret)), "invalid_client");
  // The application view lists it, without its secret.
  json app = body_of(t.control_as(kDemo, "GET", app_path()));
  ASSERT_EQ(app["oauth_clients"].size(), 2u);
  EXPECT_EQ(app["oauth_clients"][1]["client_id"], id);
  EXPECT_EQ(app.dump().find(secret), std::string::npos);
}

TEST_F(PortalCredentials, CallbackUrlsAsTheFormsTextOnePerLine) {
  json c = new_client(
      {{"callback_urls",
        "https://a.example.fr/cb\r\n\n  https://b.example.fr/cb  \nhttps://a.example.fr/cb"}});
  EXPECT_EQ(c["callback_urls"], json({"https://a.example.fr/cb", "https://b.example.fr/cb"}));
  EXPECT_EQ(c["type"], "confidential");    // default
  json none = new_client(json::object());  // optional for client credentials (000 §7.5.2)
  EXPECT_TRUE(none["callback_urls"].empty());
}

TEST_F(PortalCredentials, CallbackUrlsMustBeHttps) {
  struct Case {
    std::string url, code;
  };
  const std::vector<Case> cases = {
      {"http://app.example.fr/cb", "CALLBACK_URL_NOT_HTTPS"},
      {"HTTP://app.example.fr/cb", "CALLBACK_URL_NOT_HTTPS"},
      {"ftp://app.example.fr/cb", "INVALID_CALLBACK_URL"},
      {"app.example.fr/cb", "INVALID_CALLBACK_URL"},
      {"/cb", "INVALID_CALLBACK_URL"},
      {"https://", "INVALID_CALLBACK_URL"},
      {"https:///cb", "INVALID_CALLBACK_URL"},
      {"https://:443/cb", "INVALID_CALLBACK_URL"},
      {"https://app.example.fr/c b", "INVALID_CALLBACK_URL"},
      {"https://app.example.fr/cb#frag", "INVALID_CALLBACK_URL"},
      {"https://app.example.fr/" + std::string(2000, 'x'), "INVALID_CALLBACK_URL"},
  };
  World before = world();
  for (const auto& c : cases) {
    json body = {{"callback_urls", {"https://ok.example.fr/cb", c.url}}};
    Response r = t.control_as(kDemo, "POST", app_path() + "/oauth-clients", body.dump());
    json j = body_of(r);
    EXPECT_EQ(r.status, 400) << c.url;
    EXPECT_EQ(j.value("code", ""), c.code) << c.url;
    EXPECT_EQ(j.value("field", ""), "callback_urls");
    EXPECT_NE(j.value("message", "").find(kCallbackRuleMessage.substr(0, 20)), std::string::npos)
        << j.value("message", "");
    expect_unchanged(before);
  }
  // Accepted shapes.
  for (const std::string ok : {"https://app.example.fr", "https://app.example.fr:8443/cb?x=1",
                               "https://[::1]/cb", "HTTPS://app.example.fr/cb"})
    EXPECT_TRUE(check_callback_urls({ok}).ok()) << ok;
}

TEST_F(PortalCredentials, HttpCallbackIsRefusedWithTheFormsMessage) {
  Response r = t.control_as(kDemo, "POST", app_path() + "/oauth-clients",
                            R"({"callback_urls":["http://app.example.fr/cb"]})");
  std::string message = body_of(r)["message"];
  EXPECT_NE(message.find("Une URL de rappel par ligne, veuillez utiliser uniquement du HTTPS"),
            std::string::npos)
      << message;
  EXPECT_EQ(body_of(r)["details"], json({"http://app.example.fr/cb"}));
}

TEST_F(PortalCredentials, X509CertificateInBase64OrPem) {
  const std::string der = self_signed_der();
  const std::string b64 = base64_encode(der);
  json c = new_client({{"x509", b64}});
  EXPECT_EQ(c["x509"], b64);
  json p = new_client({{"x509", pem_of(der)}});
  EXPECT_EQ(p["x509"], b64);  // stored as one Base64 line
  auto checked = check_x509("");
  ASSERT_TRUE(checked.ok());
  EXPECT_EQ(*checked, "");
}

TEST_F(PortalCredentials, X509RefusesWhatIsNotACertificate) {
  const std::string der = self_signed_der();
  const std::vector<std::string> junk = {
      "not base64 !!",
      "abc",                              // bad length
      base64_encode("hello world"),       // base64, not DER
      base64_encode(der + "trailing"),    // a certificate followed by garbage
      base64_encode(der.substr(0, 100)),  // truncated
  };
  World before = world();
  for (const auto& x : junk) {
    json body = {{"x509", x}};
    Response r = t.control_as(kDemo, "POST", app_path() + "/oauth-clients", body.dump());
    EXPECT_EQ(outcome_of(r), "400 INVALID_X509") << x;
    EXPECT_EQ(body_of(r).value("field", ""), "x509");
    expect_unchanged(before);
  }
}

TEST_F(PortalCredentials, PublicClientHasNoSecretAndCannotUseClientCredentials) {
  json c = new_client({{"type", "public"}, {"callback_urls", {"https://spa.example.fr/cb"}}});
  EXPECT_EQ(c["type"], "public");
  EXPECT_EQ(c["has_secret"], false);
  const std::string id = c["client_id"];
  const std::string secret_path = app_path() + "/oauth-clients/" + id + "/secret";
  EXPECT_EQ(outcome_of(t.control_as(kDemo, "GET", secret_path)), "409 NO_SECRET");
  EXPECT_EQ(outcome_of(t.control_as(kDemo, "POST", secret_path)), "409 NO_SECRET");
  // RFC 6749 §4.4: client_credentials is for confidential clients only.
  Response r = token_response(Channel::Production, id, "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_of(r), "unauthorized_client");
  EXPECT_EQ(error_of(token_response(Channel::Production, id, "guess")), "invalid_client");
}

TEST_F(PortalCredentials, ClientRefusals) {
  World before = world();
  struct Case {
    std::string method, path, body, outcome;
  };
  const std::string client = app_path() + "/oauth-clients/" + kProductionClientId;
  const std::vector<Case> cases = {
      {"POST", app_path() + "/oauth-clients", R"({"type":"hybrid"})", "400 INVALID_FIELD"},
      {"POST", app_path() + "/oauth-clients", R"({"callback_urls":5})", "400 INVALID_FIELD"},
      {"POST", app_path() + "/oauth-clients", R"({"x509":5})", "400 INVALID_FIELD"},
      {"PATCH", client, R"({"type":"public"})", "400 INVALID_FIELD"},
      {"PATCH", client, R"({"enabled":"no"})", "400 INVALID_FIELD"},
      {"PATCH", client, R"({"callback_urls":["http://x.example.fr"]})",
       "400 CALLBACK_URL_NOT_HTTPS"},
      {"PATCH", app_path() + "/oauth-clients/nope", R"({"enabled":false})", "404 UNKNOWN_CLIENT"},
      {"DELETE", app_path() + "/oauth-clients/nope", "", "404 UNKNOWN_CLIENT"},
      {"GET", app_path() + "/oauth-clients/nope/secret", "", "404 UNKNOWN_CLIENT"},
      {"POST", app_path() + "/oauth-clients/nope/secret", "", "404 UNKNOWN_CLIENT"},
      // The sandbox application's client through the production application.
      {"GET", app_path() + "/oauth-clients/" + kSandboxClientId + "/secret", "",
       "404 UNKNOWN_CLIENT"},
      {"GET",
       app_path("mtes-admin-sandbox") +
           "/oauth-clients/b7d2e8a1-4c6f-4a93-8e05-6f1c3d9b2a47/secret",
       "", "404 UNKNOWN_APPLICATION"},
      {"POST", app_path("mtes-admin-sandbox") + "/oauth-clients", "{}", "404 UNKNOWN_APPLICATION"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(outcome_of(t.control_as(kDemo, c.method, c.path, c.body)), c.outcome)
        << c.method << " " << c.path << " " << c.body;
    expect_unchanged(before);
  }
}

TEST_F(PortalCredentials, ModifyingAClientKeepsWhatIsNotGiven) {
  const std::string der = self_signed_der();
  json c =
      new_client({{"callback_urls", {"https://a.example.fr/cb"}}, {"x509", base64_encode(der)}});
  const std::string path = app_path() + "/oauth-clients/" + c["client_id"].get<std::string>();
  Response r = t.control_as(kDemo, "PATCH", path, R"({"callback_urls":"https://b.example.fr/cb"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["callback_urls"], json({"https://b.example.fr/cb"}));
  EXPECT_EQ(body_of(r)["x509"], base64_encode(der));
  r = t.control_as(kDemo, "PATCH", path, R"({"x509":"","callback_urls":[]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["x509"], "");
  EXPECT_TRUE(body_of(r)["callback_urls"].empty());
}

TEST_F(PortalCredentials, DisabledClientGetsInvalidClientUntilEnabled) {
  const std::string path = app_path() + "/oauth-clients/" + kProductionClientId;
  Response r = t.control_as(kDemo, "PATCH", path, R"({"enabled":false})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["enabled"], false);
  EXPECT_EQ(
      error_of(token_response(Channel::Production, kProductionClientId, kProductionClientSecret)),
      "invalid_client");
  ASSERT_EQ(t.control_as(kDemo, "PATCH", path, R"({"enabled":true})").status, 200);
  EXPECT_EQ(
      token_response(Channel::Production, kProductionClientId, kProductionClientSecret).status,
      200);
}

TEST_F(PortalCredentials, DeletedClientGetsInvalidClient) {
  Response r = t.control_as(kDemo, "DELETE", app_path() + "/oauth-clients/" + kProductionClientId);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(body_of(r)["oauth_clients"].empty());
  EXPECT_EQ(
      error_of(token_response(Channel::Production, kProductionClientId, kProductionClientSecret)),
      "invalid_client");
}

// --- APP-7: secret regeneration ------------------------------------------------------------

TEST_F(PortalCredentials, RegeneratedSecretReplacesTheOldOneAtOnce) {
  const std::string path = app_path(kSandboxApp) + "/oauth-clients/" + kSandboxClientId + "/secret";
  EXPECT_EQ(body_of(t.control_as(kDemo, "GET", path))["client_secret"], kSandboxClientSecret);
  Response r = t.control_as(kDemo, "POST", path);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string fresh = body_of(r)["client_secret"];
  EXPECT_EQ(fresh.size(), 36u);
  EXPECT_NE(fresh, kSandboxClientSecret);
  EXPECT_EQ(body_of(t.control_as(kDemo, "GET", path))["client_secret"], fresh);

  Response old = token_response(Channel::Sandbox, kSandboxClientId, kSandboxClientSecret);
  EXPECT_EQ(old.status, 400);
  EXPECT_EQ(error_of(old), "invalid_client");
  std::string token = t.token(Channel::Sandbox, kSandboxClientId, fresh, "");
  EXPECT_EQ(t.call(Channel::Sandbox, "GET", kPing, token).status, 200);
}

TEST_F(PortalCredentials, SecretsStayWithWhoMayManageTheApplication) {
  const std::string path = app_path(kSandboxApp) + "/oauth-clients/" + kSandboxClientId + "/secret";
  World before = world();
  EXPECT_EQ(outcome_of(t.control_as(kAdminMtes, "GET", path)), "404 UNKNOWN_APPLICATION");
  EXPECT_EQ(outcome_of(t.control_as(kAdminMtes, "POST", path)), "404 UNKNOWN_APPLICATION");
  EXPECT_EQ(outcome_of(t.control("GET", path)), "401 NOT_LOGGED_IN");
  expect_unchanged(before);
}

// --- Typed checks --------------------------------------------------------------------------

TEST_F(PortalCredentials, CallbackLinesSplitTheFormsText) {
  EXPECT_EQ(callback_lines("https://a\n\n https://b \r\n"),
            (std::vector<std::string>{"https://a", "https://b"}));
  EXPECT_TRUE(callback_lines("  \n").empty());
}

}  // namespace
}  // namespace pistesim::test
