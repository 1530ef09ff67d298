// What `serve` writes on stderr (http/server_log.h): text for a person, one JSON object per line
// for a log collector (--log-format json), and in neither a control character that would split
// a line or a byte that would break the JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/server_log.h"

namespace pistesim {
namespace {

TEST(ServerLog, ParsesOnlyTheTwoFormats) {
  EXPECT_EQ(parse_log_format("text"), LogFormat::Text);
  EXPECT_EQ(parse_log_format("json"), LogFormat::Json);
  EXPECT_FALSE(parse_log_format("JSON"));
  EXPECT_FALSE(parse_log_format(""));
}

TEST(ServerLog, TextAccessLineIsOneLine) {
  const std::string line =
      access_log_line(LogFormat::Text, "127.0.0.1", "GET", "/a\r\nb", 404, "no API\nhere");
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  EXPECT_NE(line.find(" 127.0.0.1 GET /a  b 404 no API here\n"), std::string::npos) << line;
  // A request refused before its request line was read has neither method nor path.
  EXPECT_NE(access_log_line(LogFormat::Text, "::1", "", "", 503, "").find(" ::1 - - 503\n"),
            std::string::npos);
}

TEST(ServerLog, JsonAccessLineIsOneObjectWithEveryField) {
  const std::string line = access_log_line(LogFormat::Json, "127.0.0.1", "POST",
                                           "/sandbox/oauth/api/oauth/token", 401, "bad \"secret\"");
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  const auto j = nlohmann::json::parse(line);
  EXPECT_TRUE(j["time"].get<std::string>().ends_with("Z")) << line;
  EXPECT_EQ(j["client"], "127.0.0.1");
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["path"], "/sandbox/oauth/api/oauth/token");
  EXPECT_EQ(j["status"], 401);
  EXPECT_EQ(j["reason"], "bad \"secret\"");
  // The key order is fixed: lines read alike in a terminal.
  EXPECT_LT(line.find("\"time\""), line.find("\"client\""));
  EXPECT_LT(line.find("\"path\""), line.find("\"status\""));
}

TEST(ServerLog, JsonAccessLineSurvivesControlCharactersAndBadUtf8) {
  const std::string line =
      access_log_line(LogFormat::Json, "127.0.0.1", "", std::string("/x\n\xff\xfe", 5), 400, "");
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  const auto j = nlohmann::json::parse(line);  // throws if the bytes were passed through
  EXPECT_TRUE(j["method"].is_null());
  EXPECT_EQ(j["path"].get<std::string>().rfind("/x\n", 0), 0u);
  EXPECT_FALSE(j.contains("reason"));
}

TEST(ServerLog, MessagesInBothFormats) {
  EXPECT_EQ(server_message_line(LogFormat::Text, "info", "resumed from s.db"),
            "pistesim serve: resumed from s.db\n");
  const auto j = nlohmann::json::parse(server_message_line(LogFormat::Json, "error", "bad"));
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["message"], "bad");
  EXPECT_TRUE(j.contains("time"));
}

}  // namespace
}  // namespace pistesim
