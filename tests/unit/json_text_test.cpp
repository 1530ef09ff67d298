// JSON text written by hand (wire/json_text.h): always valid JSON, whatever the bytes, and read
// back by nlohmann::json as the same strings when they are valid UTF-8.
#include "wire/json_text.h"

#include <gtest/gtest.h>

#include <limits>

#include <nlohmann/json.hpp>
#include <random>

#include "journal/journal.h"
#include "wire/encoding.h"

namespace pistesim {
namespace {

std::string as_json(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonText, EscapesWhatJsonRequiresAndKeepsValidUtf8) {
  EXPECT_EQ(as_json("plain /path?x=1"), R"("plain /path?x=1")");
  EXPECT_EQ(as_json("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(as_json("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(as_json(std::string_view("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(as_json("é € 😀"), "\"é € 😀\"");
  EXPECT_EQ(as_json(""), "\"\"");
}

TEST(JsonText, ReplacesEachByteThatStartsNoValidUtf8Sequence) {
  // A lone continuation byte, an overlong '/', a UTF-16 surrogate, a lead byte above U+10FFFF,
  // a sequence cut short: each offending byte becomes U+FFFD, the rest is kept.
  EXPECT_EQ(as_json("a\x80z"), R"("a\ufffdz")");
  EXPECT_EQ(as_json("\xC0\xAF"), R"("\ufffd\ufffd")");
  EXPECT_EQ(as_json("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");
  EXPECT_EQ(as_json("\xF5\x80\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");
  EXPECT_EQ(as_json("x\xE2\x82"), R"("x\ufffd\ufffd")");
  EXPECT_EQ(as_json("\xF4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");
  EXPECT_EQ(as_json("\xF4\x8F\xBF\xBF"), "\"\xF4\x8F\xBF\xBF\"");  // U+10FFFF itself
}

TEST(JsonText, AnyBytesGiveJsonThatParsesAndValidTextComesBackUnchanged) {
  std::mt19937 random(20261207);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 40);
  for (int i = 0; i < 20000; ++i) {
    std::string s(static_cast<size_t>(length(random)), '\0');
    for (char& c : s) c = static_cast<char>(byte(random));
    const std::string text = as_json(s);
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(text)) << text;
    ASSERT_TRUE(parsed.is_string());
    // Valid UTF-8 (as nlohmann::json judges it) comes back as it went.
    std::string strict;
    try {
      strict = nlohmann::json(s).dump();
    } catch (const nlohmann::json::type_error&) {
      EXPECT_FALSE(is_valid_utf8(s));  // our judgement of UTF-8 is nlohmann::json's
      continue;
    }
    EXPECT_TRUE(is_valid_utf8(s));
    EXPECT_EQ(parsed.get<std::string>(), s);
    EXPECT_EQ(nlohmann::json::parse(strict), parsed);
  }
}

TEST(JsonText, AnObjectsNumbersAndNamesComeBackAsWritten) {
  std::string out;
  JsonObjectWriter w(out);
  w.field("low", std::numeric_limits<int64_t>::min());
  w.field("high", std::numeric_limits<uint64_t>::max());
  w.field("zero", 0);
  w.field("yes", true);
  w.close();
  EXPECT_EQ(out, R"({"low":-9223372036854775808,"high":18446744073709551615,"zero":0,"yes":true})");
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j.at("low").get<int64_t>(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(j.at("high").get<uint64_t>(), std::numeric_limits<uint64_t>::max());
}

TEST(JsonText, AJournalLineCarriesEveryFieldAndWhenItArrived) {
  JournalEntry e;
  e.seq = 42;
  e.at_ms = 1'796'670'990'973;
  e.elapsed_us = 17;
  e.duration_us = 3;
  e.kind = JournalKind::Token;
  e.channel = Channel::Production;
  e.method = "POST";
  e.path = "/api/oauth/token";
  e.query_names = {"client_secret", "\xFF"};
  e.remote_addr = "127.0.0.1";
  e.auth = "basic+body";
  e.credentials_in_query = {"client_secret"};
  e.client_id = "c\"1";
  e.grant_type = "client_credentials";
  e.scope = "openid";
  e.token_id = "ee7e921c70b8";
  e.application = "app";
  e.status = 400;
  e.error = "invalid_request";
  e.retry_after = "2";
  e.dropped = true;
  const nlohmann::json j = nlohmann::json::parse(journal_entry_text(e, 1234));
  EXPECT_EQ(j.at("arrived_us"), 1234);
  EXPECT_EQ(j.at("query_names"), (nlohmann::json{"client_secret", "\xEF\xBF\xBD"}));
  EXPECT_EQ(j.at("at"), "2026-12-07T19:16:30.973Z");
  auto back = journal_entry_from_json(j);
  ASSERT_TRUE(back);
  e.query_names[1] = "\xEF\xBF\xBD";
  EXPECT_EQ(journal_entry_json(*back), journal_entry_json(e));
  EXPECT_EQ(journal_entry_json(e).size(), 22u);  // every field, and no arrived_us
  EXPECT_EQ(back->client_id, "c\"1");
  EXPECT_TRUE(back->dropped);
  EXPECT_EQ(back->kind, JournalKind::Token);
}

}  // namespace
}  // namespace pistesim
