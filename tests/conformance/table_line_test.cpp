// The terminal table of `pistesim conform`: each check's line shows its title as well as its id,
// and stays within 100 columns whatever the title and evidence (cut with "…").
#include <gtest/gtest.h>

#include <sstream>

#include "conformance/report.h"

namespace pistesim::conformance {
namespace {

size_t columns(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string line_of(const std::string& name, const std::string& evidence) {
  CheckResult r;
  r.id = "B8";
  r.level = Level::Must;
  r.verdict = Verdict::Fail;
  r.name = name;
  r.evidence = evidence;
  std::ostringstream out;
  write_check_line(out, r, false);
  return out.str();
}

TEST(TableLine, ShowsTheTitleAndTheEvidence) {
  EXPECT_EQ(line_of("grant_type is required", "400 invalid_request"),
            "B8   MUST   FAIL    grant_type is required                    400 invalid_request\n");
}

TEST(TableLine, LongTitleAndEvidenceAreCutToOneHundredColumns) {
  std::string line = line_of(
      "A wrong secret or unknown client via Basic: 401 invalid_client with WWW-Authenticate: "
      "Basic",
      "« wrong secret »: status equals 401, saw 200 OK (answer 200) — and a great deal more "
      "evidence than a terminal line can hold, with é and § in it");
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  EXPECT_LE(columns(line), 100u) << line;
  EXPECT_EQ(line.rfind("B8   MUST   FAIL    A wrong secret or unknown client via Ba…  « wrong", 0),
            0u)
      << line;
  EXPECT_EQ(line.substr(line.size() - 3), "…") << line;
}

TEST(TableLine, HeaderNamesTheColumns) {
  EXPECT_EQ(table_header(),
            "ID   LEVEL  VERDICT TITLE                                     EVIDENCE\n");
}

}  // namespace
}  // namespace pistesim::conformance
