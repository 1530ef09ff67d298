#include "scenario_engine/redaction.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pistesim::scenario {
namespace {

TEST(Redaction, AuthorizationKeepsItsScheme) {
  Redactor r;
  Headers in;
  in.add("Authorization", "Basic ZGVtbzpzM2NyZXQ=");
  in.add("authorization", "Bearer abcdefABCDEF0123456789");
  in.add("Authorization", "opaque-credential");
  in.add("Content-Type", "application/json");
  in.add("KeyId", "11111111-2222-3333");
  in.add("X-Pistesim-Session", "sess-123456");
  in.add("Set-Cookie", "sid=abc123; Path=/; HttpOnly");
  Headers out = r.headers(in);
  ASSERT_EQ(out.size(), 7u);
  auto it = out.begin();
  EXPECT_EQ(it++->value, "Basic ****");
  EXPECT_EQ(it->name, "authorization");
  EXPECT_EQ(it++->value, "Bearer ****");
  EXPECT_EQ(it++->value, "****");
  EXPECT_EQ(it++->value, "application/json");
  EXPECT_EQ(it++->value, "****");
  EXPECT_EQ(it++->value, "****");
  EXPECT_EQ(it++->value, "sid=****; Path=/; HttpOnly");
}

TEST(Redaction, FormFieldsKeepTheirNamesAndOrder) {
  Redactor r;
  std::string body =
      "grant_type=client_credentials&client_id=demo&client_secret=s%3Dcr3t&scope=openid&"
      "password=hunter2&access_token=abc&refresh_token=def&client_assertion=eyJ";
  EXPECT_EQ(r.body(body, "application/x-www-form-urlencoded; charset=UTF-8"),
            "grant_type=client_credentials&client_id=demo&client_secret=****&scope=openid&"
            "password=****&access_token=****&refresh_token=****&client_assertion=****");
  EXPECT_EQ(r.body("a=1&&b", "application/x-www-form-urlencoded"), "a=1&&b");
}

TEST(Redaction, JsonMembersAtAnyDepth) {
  Redactor r;
  std::string body = R"({"access_token":"tok","token_type":"Bearer","expires_in":3600,
    "user":{"password":"p","new_password":"n","current_password":"c",
    "password_confirmation":"n","email":"a@b.fr"},
    "items":[{"client_secret":"s","client_id":"id"},{"session":{"id":"x"}},{"token":null}]})";
  auto out = nlohmann::json::parse(r.body(body, "application/json"));
  EXPECT_EQ(out["access_token"], "****");
  EXPECT_EQ(out["token_type"], "Bearer");
  EXPECT_EQ(out["expires_in"], 3600);
  EXPECT_EQ(out["user"]["password"], "****");
  EXPECT_EQ(out["user"]["new_password"], "****");
  EXPECT_EQ(out["user"]["current_password"], "****");
  EXPECT_EQ(out["user"]["password_confirmation"], "****");
  EXPECT_EQ(out["user"]["email"], "a@b.fr");
  EXPECT_EQ(out["items"][0]["client_secret"], "****");
  EXPECT_EQ(out["items"][0]["client_id"], "id");
  EXPECT_EQ(out["items"][1]["session"], "****");
  EXPECT_TRUE(out["items"][2]["token"].is_null());
  // Nothing to hide: the document keeps its own layout.
  EXPECT_EQ(r.body("{ \"a\" : 1 }", "application/problem+json"), "{ \"a\" : 1 }");
  // Not JSON after all: treated as text.
  EXPECT_EQ(r.body("{oops", "application/json"), "{oops");
}

TEST(Redaction, DeepJsonDoesNotOverflow) {
  Redactor r;
  std::string deep = std::string(50000, '[') + "{\"password\":\"x\"}" + std::string(50000, ']');
  EXPECT_EQ(r.body(deep, "application/json"),
            "(100016 bytes of JSON nested more than 1000 levels deep, not shown)");
  std::string fine = std::string(500, '[') + "{\"password\":\"x\"}" + std::string(500, ']');
  EXPECT_NE(r.body(fine, "application/json").find("\"password\":\"****\""), std::string::npos);
}

TEST(Redaction, RegisteredSecretsAnywhereInText) {
  Redactor r;
  r.add_secret("s3cr3t-value");
  r.add_secret("short");  // too short to hide: it would blank ordinary words
  r.add_secret("a b+c/d=e");
  EXPECT_EQ(r.text("client said s3cr3t-value twice: s3cr3t-value"), "client said **** twice: ****");
  EXPECT_EQ(r.text("short words stay"), "short words stay");
  EXPECT_EQ(r.text("form a+b%2Bc%2Fd%3De and raw a b+c/d=e"), "form **** and raw ****");
  Headers in;
  in.add("X-Echo", "s3cr3t-value");
  EXPECT_EQ(r.headers(in).begin()->value, "****");
  EXPECT_EQ(r.body("{\"note\":\"s3cr3t-value\"}", "application/json"), "{\"note\":\"****\"}");
}

TEST(Redaction, CredentialsInFreeText) {
  Redactor r;
  EXPECT_EQ(r.text("> Authorization: Bearer abcdefABCDEF0123456789xyz\n"),
            "> Authorization: Bearer ****\n");
  EXPECT_EQ(r.text("curl -H 'Authorization: Basic ZGVtbzpzM2NyZXQ='"),
            "curl -H 'Authorization: Basic ****'");
  EXPECT_EQ(r.text("POST client_id=demo&client_secret=abc&scope=x"),
            "POST client_id=demo&client_secret=****&scope=x");
  // Prose around the same words is kept.
  EXPECT_EQ(r.text("uses Basic authentication; WWW-Authenticate: Bearer realm=\"piste\""),
            "uses Basic authentication; WWW-Authenticate: Bearer realm=\"piste\"");
  EXPECT_EQ(r.text("must_change_password=true"), "must_change_password=true");
}

TEST(Redaction, UrlQueryAndUserinfo) {
  Redactor r;
  EXPECT_EQ(r.url("http://h/api?access_token=abc&x=1&client_secret=zz#frag"),
            "http://h/api?access_token=****&x=1&client_secret=****#frag");
  EXPECT_EQ(r.url("https://user:pass@host:8080/path?q=1"), "https://user:****@host:8080/path?q=1");
  EXPECT_EQ(r.url("http://pistesim.embedded/sandbox/oauth/api/oauth/token"),
            "http://pistesim.embedded/sandbox/oauth/api/oauth/token");
  r.add_secret("client-secret-1");
  EXPECT_EQ(r.url("http://h/cb?state=client-secret-1"), "http://h/cb?state=****");
}

TEST(Excerpt, CutsOnAUtf8Boundary) {
  EXPECT_EQ(excerpt("short"), "short");
  EXPECT_EQ(excerpt("abcdef", 6), "abcdef");
  EXPECT_EQ(excerpt("abcdefgh", 4), "abcd… (8 bytes)");
  // "é" is two bytes: a cut between them backs off to before it.
  EXPECT_EQ(excerpt("abé", 3), "ab… (4 bytes)");
  EXPECT_EQ(excerpt("€€", 4), "€… (6 bytes)");
  EXPECT_EQ(excerpt("abc", 0), "… (3 bytes)");
  EXPECT_EQ(excerpt(std::string(5000, 'x')).size(), 2048u + std::string("… (5000 bytes)").size());
}

}  // namespace
}  // namespace pistesim::scenario

namespace pistesim::scenario {
namespace {

TEST(Redaction, APrefixOfASecretCutByAnExcerptIsHiddenToo) {
  Redactor r;
  const std::string secret = "Zr8qK2mW9xLp4TvB7nYc3HdE6sGj1FaU5oQi0ReNwXyM2kVbCtA8lPz";
  r.add_secret(secret);
  std::string shortened = excerpt("not equals \"" + secret + "\"", 40);
  std::string shown = r.text(shortened);
  EXPECT_EQ(shown.find(secret.substr(0, 12)), std::string::npos) << shown;
  EXPECT_NE(shown.find("****…"), std::string::npos) << shown;
}

}  // namespace
}  // namespace pistesim::scenario
