// {{templates}} in scenario strings (docs/scenarios.md, "Templates").
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "scenario_engine/template.h"

namespace pistesim::scenario {
namespace {

class Templates : public testing::Test {
 protected:
  void SetUp() override {
    vars.set("token", "abc");
    vars.set("n", 42);
    vars.set("flag", true);
    vars.set("app", Value::parse(R"({"oauth_clients": [{"client_id": "c-1"}], "name": "Demo"})"));
    vars.set("secret", "a b&c/d");
  }
  std::string ok(std::string_view text) {
    auto r = render(text, vars);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : "<error>";
  }
  std::string fails(std::string_view text) {
    auto r = render(text, vars);
    EXPECT_FALSE(r) << "rendered " << *r;
    return r ? "" : r.error().message;
  }
  Variables vars;
};

TEST_F(Templates, RendersVariablesWithOrWithoutSpaces) {
  EXPECT_EQ(ok("Bearer {{token}}"), "Bearer abc");
  EXPECT_EQ(ok("{{ token }}-{{token}}"), "abc-abc");
  EXPECT_EQ(ok("no template"), "no template");
  EXPECT_EQ(ok(""), "");
  EXPECT_EQ(ok("a } b }} c"), "a } b }} c");
}

TEST_F(Templates, NonStringValuesRenderAsJson) {
  EXPECT_EQ(ok("n={{n}} flag={{flag}}"), "n=42 flag=true");
  EXPECT_EQ(ok("{{app.oauth_clients}}"), R"([{"client_id":"c-1"}])");
}

TEST_F(Templates, LooksUpObjectKeysAndArrayIndexes) {
  EXPECT_EQ(ok("{{app.oauth_clients.0.client_id}}"), "c-1");
  EXPECT_EQ(ok("{{ app.name }}"), "Demo");
  EXPECT_EQ(fails("{{app.oauth_clients.1.client_id}}"),
            "« app.oauth_clients.1.client_id » not found: « app » has no such field or index");
  EXPECT_EQ(fails("{{app.missing}}"),
            "« app.missing » not found: « app » has no such field or index");
  EXPECT_EQ(fails("{{token.x}}"), "« token.x » not found: « token » has no such field or index");
}

TEST_F(Templates, AnUnknownVariableIsAnError) {
  EXPECT_EQ(fails("x {{tokn}} y"), "unknown variable « tokn »");
}

TEST_F(Templates, ReadsTheEnvironment) {
  setenv("PISTESIM_TEMPLATE_TEST", "from-env", 1);
  EXPECT_EQ(ok("{{env.PISTESIM_TEMPLATE_TEST}}"), "from-env");
  unsetenv("PISTESIM_TEMPLATE_UNSET");
  EXPECT_EQ(fails("{{env.PISTESIM_TEMPLATE_UNSET}}"),
            "environment variable « PISTESIM_TEMPLATE_UNSET » is not set");
}

TEST_F(Templates, BuiltIns) {
  std::string uuid = ok("{{uuid}}");
  EXPECT_TRUE(std::regex_match(
      uuid, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << uuid;
  EXPECT_NE(uuid, ok("{{uuid}}"));
  std::string email = ok("{{random_email}}");
  EXPECT_TRUE(std::regex_match(email, std::regex("dev-[0-9a-f]{8}@example\\.test"))) << email;
  long long now = std::stoll(ok("{{now_ms}}"));
  EXPECT_GT(now, 1'700'000'000'000LL);  // after 2023: milliseconds of the system clock
}

TEST_F(Templates, Filters) {
  EXPECT_EQ(ok("{{secret | urlencode}}"), "a%20b%26c%2Fd");
  EXPECT_EQ(ok("{{token|base64}}"), "YWJj");
  EXPECT_EQ(ok("{{token | json}}"), "\"abc\"");
  EXPECT_EQ(ok("{{n | json}}"), "42");
  EXPECT_EQ(ok("{{app.name | lower}}"), "demo");
  EXPECT_EQ(ok("{{app.name | upper}}"), "DEMO");
  EXPECT_EQ(ok("{{ app.name | upper | base64 }}"), "REVNTw==");  // chained, left to right
  EXPECT_EQ(ok("{{ app.name | lower | json }}"), "\"demo\"");
}

TEST_F(Templates, AStringLiteralEscapesBraces) {
  EXPECT_EQ(ok("{{ \"{{\" }}token}}"), "{{token}}");
  EXPECT_EQ(ok("{{'}}'}}"), "}}");
  EXPECT_EQ(ok("{{ \"Abc\" | upper }}"), "ABC");
}

TEST_F(Templates, SyntaxErrors) {
  EXPECT_EQ(template_syntax_error("{{token}} {{ n | upper }}"), "");
  EXPECT_EQ(template_syntax_error("plain"), "");
  EXPECT_NE(template_syntax_error("{{token").find("unterminated « {{ »"), std::string::npos);
  EXPECT_NE(template_syntax_error("a {{ token"), "");
  EXPECT_NE(template_syntax_error("{{}}").find("empty « {{ }} »"), std::string::npos);
  EXPECT_NE(template_syntax_error("{{ token | shout }}").find("unknown filter « shout »"),
            std::string::npos);
  EXPECT_NE(template_syntax_error("{{ token | }}").find("unknown filter"), std::string::npos);
  EXPECT_NE(template_syntax_error("{{ a b }}").find("unexpected « b »"), std::string::npos);
  EXPECT_NE(template_syntax_error("{{ a..b }}").find("malformed name"), std::string::npos);
  EXPECT_NE(template_syntax_error("{{ env }}").find("{{env.NAME}}"), std::string::npos);
  EXPECT_NE(template_syntax_error("{{ env.A-B }}").find("malformed environment variable"),
            std::string::npos);
  EXPECT_NE(template_syntax_error("{{ \"abc }}").find("unterminated string literal"),
            std::string::npos);
  EXPECT_NE(template_syntax_error("x {{ @ }}").find("offset 2"), std::string::npos);
  // render reports the same errors
  EXPECT_NE(fails("{{token").find("unterminated"), std::string::npos);
}

TEST_F(Templates, RenderValueKeepsTheTypeOfAWholeTemplate) {
  Value in = Value::parse(R"({"n": "{{n}}", "s": "n={{n}}", "f": "{{ flag }}",
      "list": ["{{token}}", 1, null], "obj": "{{app}}", "{{token}}": "k", "u": "{{n | upper}}"})");
  auto out = render_value(in, vars);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ((*out)["n"], 42);
  EXPECT_EQ((*out)["s"], "n=42");
  EXPECT_EQ((*out)["f"], true);
  EXPECT_EQ((*out)["list"], Value::parse(R"(["abc", 1, null])"));
  EXPECT_EQ((*out)["obj"]["name"], "Demo");
  EXPECT_EQ((*out)["abc"], "k");  // keys are rendered too
  EXPECT_EQ((*out)["u"], "42");   // a filter makes a string
  auto unknown = render_value(Value::parse(R"({"a": ["{{nope}}"]})"), vars);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "unknown variable « nope »");
}

TEST_F(Templates, RenderAllResolvesVariablesInAnyOrder) {
  std::map<std::string, Value> pending{{"a_url", "{{z_host}}/token"}, {"z_host", "{{token}}.test"}};
  auto all = render_all(pending, vars,
                        [&](const std::string& name, Value v) { vars.set(name, std::move(v)); });
  ASSERT_TRUE(all) << all.error().name << ": " << all.error().reason;
  EXPECT_EQ(ok("{{a_url}}"), "abc.test/token");
}

TEST_F(Templates, RenderAllNamesTheVariableItCannotRenderAndWhy) {
  std::map<std::string, Value> pending{{"fine", "{{token}}"}, {"broken", "{{missing}}"}};
  auto all = render_all(pending, vars,
                        [&](const std::string& name, Value v) { vars.set(name, std::move(v)); });
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().name, "broken");
  EXPECT_EQ(all.error().reason, "unknown variable « missing »");
  EXPECT_EQ(ok("{{fine}}"), "abc");  // what could be rendered was
}

TEST_F(Templates, SubstituteKnownLeavesTheOthersAsWritten) {
  Variables outer;
  outer.set("id", "abc");
  outer.set("pw", "{{secret}}");
  EXPECT_EQ(substitute_known("{{id}}:{{ token | upper }}:{{pw}}:{{env.HOME}}", outer),
            "abc:{{ token | upper }}:{{secret}}:{{env.HOME}}");
  EXPECT_EQ(substitute_known("{{broken", outer), "{{broken");
}

TEST(Variables, FindReturnsNullForMissingPaths) {
  Variables v;
  v.set("a", Value::parse(R"({"b": [10, 20]})"));
  ASSERT_NE(v.find("a.b.1"), nullptr);
  EXPECT_EQ(*v.find("a.b.1"), 20);
  EXPECT_EQ(v.find("a.b.2"), nullptr);
  EXPECT_EQ(v.find("a.b.x"), nullptr);
  EXPECT_EQ(v.find("a.b.99999999999999999999"), nullptr);
  EXPECT_EQ(v.find("a."), nullptr);
  EXPECT_EQ(v.find("z"), nullptr);
  EXPECT_EQ(v.all().size(), 1u);
}

}  // namespace
}  // namespace pistesim::scenario
