// Reporters: each format says what happened (passed, failed with its exchange and assertions,
// skipped, a file that did not load), and untrusted text (bodies with markup, control
// characters, bytes that are not UTF-8) cannot break the document or the terminal.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "scenario_engine/reporters/report_support.h"
#include "scenario_engine/reporters/reporters.h"

namespace pistesim::scenario {
namespace {

// A response body as a hostile or broken server could send it.
const std::string kHostileBody =
    "<script>alert('x')</script> & \"quoted\" \x01\x1b[31mred\x7f \xff\xfe Légifrance — ✓";
const std::string kHostileName = "Tricky <b>name</b> & 'quotes' # not a directive \\ ok";

RunSummary sample_run() {
  RunSummary run;
  run.target = "embedded";
  run.duration_us = 1'234'000;

  ScenarioResult passed;
  passed.file = "tests/a.toml";
  passed.name = "Token on the sandbox";
  passed.tags = {"smoke", "oauth"};
  passed.covers = {"OAU-1"};
  passed.duration_us = 12'000;
  StepResult ok_step;
  ok_step.name = "token";
  ok_step.action = "request";
  ok_step.where = {"tests/a.toml", 5, 1};
  ok_step.assertions.push_back({"status", "200", "200", true, {"tests/a.toml", 8, 1}});
  passed.steps.push_back(ok_step);
  run.scenarios.push_back(passed);

  ScenarioResult failed;
  failed.file = "tests/b.toml";
  failed.name = kHostileName;
  failed.description = "Checks <everything>";
  failed.covers = {"GW-3", "WIRE-12"};
  failed.outcome = Outcome::Failed;
  failed.duration_us = 45'000;
  StepResult first;
  first.name = "login";
  first.action = "control";
  first.where = {"tests/b.toml", 4, 1};
  failed.steps.push_back(first);
  StepResult bad;
  bad.name = "call the API";
  bad.action = "request";
  bad.where = {"tests/b.toml", 9, 3};
  bad.outcome = Outcome::Failed;
  bad.attempts = 3;
  bad.row = "client=alpha, n=2";
  bad.duration_us = 30'000;
  ExchangeRecord x;
  x.method = "GET";
  x.url = "http://pistesim.embedded/sandbox/api/dila/legifrance/lf-engine-app/consult/ping";
  x.request_headers.add("Authorization", "Bearer •••");
  x.request_headers.add("Accept", "application/json");
  x.status = 401;
  x.response_headers.add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  x.response_body = kHostileBody;
  x.duration_us = 2'000;
  bad.exchanges.push_back(x);
  ExchangeRecord dropped;
  dropped.method = "POST";
  dropped.url = "http://pistesim.embedded/sandbox/oauth/api/oauth/token";
  dropped.request_body = "grant_type=client_credentials&client_secret=•••";
  dropped.transport_error = "connection dropped mid-response";
  bad.exchanges.push_back(dropped);
  bad.assertions.push_back({"status", "in [200, 201]", "401", false, {"tests/b.toml", 12, 1}});
  bad.assertions.push_back({"$.token_type", "equals \"Bearer\"", "\"<bearer>\"", false, {}});
  bad.assertions.push_back({"header Cache-Control", "exists", "\"no-store\"", true, {}});
  bad.captured = {{"token", "•••"}, {"correlation", "c0ffee"}};
  bad.output = "client: got 401\nclient: giving up\n";
  failed.steps.push_back(bad);
  StepResult later;
  later.name = "after";
  later.action = "journal";
  later.outcome = Outcome::Skipped;
  later.message = "an earlier step failed";
  failed.steps.push_back(later);
  run.scenarios.push_back(failed);

  ScenarioResult skipped;
  skipped.file = "tests/c.toml";
  skipped.name = "Someday";
  skipped.outcome = Outcome::Skipped;
  skipped.message = "not on Fridays";
  run.scenarios.push_back(skipped);

  ScenarioResult error;
  error.file = "tests/bad.toml";
  error.name = "tests/bad.toml";
  error.outcome = Outcome::Error;
  error.message =
      "tests/bad.toml:3:7: unknown key « expct »; expected one of: expect, capture\n"
      "tests/bad.toml:9:1: a step needs exactly one action";
  run.scenarios.push_back(error);
  return run;
}

template <typename F>
std::string render(F write) {
  std::ostringstream out;
  write(out);
  return out.str();
}

size_t occurrences(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

// Well-formedness without an XML library: balanced tags, quoted attributes, only the five
// predefined entities and numeric references, no markup character or control byte in text.
std::string xml_problem(const std::string& doc) {
  std::vector<std::string> open;
  size_t i = 0;
  auto bad_text = [&](size_t from, size_t to) -> std::string {
    for (size_t k = from; k < to; ++k) {
      auto c = static_cast<unsigned char>(doc[k]);
      if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return "control byte in text";
      if (c == '>') return "raw '>' in text";
      if (c == '&') {
        size_t semi = doc.find(';', k);
        if (semi == std::string::npos || semi >= to) return "unterminated reference";
        std::string ref = doc.substr(k + 1, semi - k - 1);
        bool numeric = ref.size() > 1 && ref[0] == '#' &&
                       ref.find_first_not_of("0123456789", 1) == std::string::npos;
        if (!numeric && ref != "amp" && ref != "lt" && ref != "gt" && ref != "quot" &&
            ref != "apos")
          return "unknown entity &" + ref + ";";
      }
    }
    return "";
  };
  if (doc.rfind("<?xml", 0) != 0) return "no XML declaration";
  i = doc.find("?>") + 2;
  while (i < doc.size()) {
    size_t lt = doc.find('<', i);
    if (lt == std::string::npos) lt = doc.size();
    if (auto p = bad_text(i, lt); !p.empty()) return p;
    if (lt == doc.size()) break;
    size_t gt = lt + 1;
    char quote = 0;
    for (; gt < doc.size(); ++gt) {
      if (quote) {
        if (doc[gt] == quote) quote = 0;
        if (doc[gt] == '<') return "'<' in an attribute value";
      } else if (doc[gt] == '"' || doc[gt] == '\'') {
        quote = doc[gt];
      } else if (doc[gt] == '>') {
        break;
      }
    }
    if (gt >= doc.size()) return "unterminated tag";
    std::string tag = doc.substr(lt + 1, gt - lt - 1);
    if (tag.empty()) return "empty tag";
    if (tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1)) return "mismatched </" + tag + ">";
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(tag.substr(0, tag.find_first_of(" \n\t")));
    }
    i = gt + 1;
  }
  return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

TEST(ReportSupport, CleanTextKeepsUtf8AndShowsControlCharacters) {
  using report::clean_text;
  EXPECT_EQ(clean_text("Légifrance — ✓"), "Légifrance — ✓");
  EXPECT_EQ(clean_text("a\x1b[31mb"), "a\\x1b[31mb");
  EXPECT_EQ(clean_text("a\r\nb\tc"), "a\nb\tc");
  EXPECT_EQ(clean_text("x\xffy"), "x\xEF\xBF\xBDy");              // invalid byte: U+FFFD
  EXPECT_EQ(clean_text("\xC0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong NUL
  EXPECT_EQ(clean_text("\xC2\x85"), "\\u0085");                   // C1 control
  EXPECT_EQ(clean_text("\xEF\xBF\xBE"), "\xEF\xBF\xBD");          // U+FFFE, not allowed in XML
  EXPECT_EQ(report::one_line("a\nb\tc"), "a\\nb c");
}

TEST(ReportSupport, EscapesForXmlAndYaml) {
  EXPECT_EQ(report::xml_escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(report::xml_escape("a\nb", true), "a&#10;b");
  EXPECT_EQ(report::yaml_quote("say \"hi\"\\\n\x01"), "\"say \\\"hi\\\"\\\\\\n\\\\x01\"");
}

TEST(ReportSupport, DurationsReadNaturally) {
  EXPECT_EQ(report::format_duration(400), "0.4 ms");
  EXPECT_EQ(report::format_duration(12'345), "12 ms");
  EXPECT_EQ(report::format_duration(1'234'000), "1.23 s");
  EXPECT_EQ(report::format_duration(123'000'000), "2 min 03 s");
  EXPECT_EQ(report::seconds(1'234'567), "1.235");
}

TEST(TerminalReport, ShowsEachFailureInFullThenTheSummary) {
  std::string out =
      render([](std::ostream& o) { write_terminal_report(o, sample_run(), TerminalStyle{}); });
  EXPECT_NE(out.find("✗ step 2/3 \"call the API\" (request) at tests/b.toml:9:3 — failed after 3 "
                     "attempts"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("row: client=alpha, n=2"), std::string::npos);
  EXPECT_NE(out.find("> GET http://pistesim.embedded/sandbox/api/dila/"), std::string::npos);
  EXPECT_NE(out.find("> Accept: application/json"), std::string::npos);
  EXPECT_NE(out.find("< 401 Unauthorized"), std::string::npos);
  EXPECT_NE(out.find("< WWW-Authenticate: Bearer error=\"invalid_token\""), std::string::npos);
  EXPECT_NE(out.find("< no response: connection dropped mid-response"), std::string::npos);
  EXPECT_NE(out.find("> grant_type=client_credentials&client_secret=•••"), std::string::npos);
  EXPECT_NE(out.find("✗ status: expected in [200, 201] but got 401  (tests/b.toml:12:1)"),
            std::string::npos);
  EXPECT_NE(out.find("✗ $.token_type: expected equals \"Bearer\" but got \"<bearer>\""),
            std::string::npos);
  EXPECT_EQ(out.find("header Cache-Control"), std::string::npos) << "passed assertions: verbose";
  EXPECT_NE(out.find("captured correlation = c0ffee"), std::string::npos);
  EXPECT_NE(out.find("| client: giving up"), std::string::npos);
  EXPECT_NE(out.find("tests/bad.toml:3:7: unknown key « expct »"), std::string::npos);
  EXPECT_NE(out.find("tests/bad.toml:9:1: a step needs exactly one action"), std::string::npos);
  EXPECT_EQ(out.find("Token on the sandbox"), std::string::npos) << "passed: not repeated";
  EXPECT_NE(out.find("\n4 scenarios: 1 passed, 1 failed, 1 error, 1 skipped (1.23 s) on "
                     "embedded\n"),
            std::string::npos)
      << out;
  // The body's escape sequence is shown, not sent to the terminal.
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_NE(out.find("\\x1b[31mred"), std::string::npos);
  EXPECT_NE(out.find("Légifrance — ✓"), std::string::npos);
}

TEST(TerminalReport, VerboseShowsPassedStepsAndAssertions) {
  std::string out = render([](std::ostream& o) {
    write_terminal_report(o, sample_run(), TerminalStyle{.color = false, .verbose = true});
  });
  EXPECT_NE(out.find("Token on the sandbox"), std::string::npos);
  EXPECT_NE(out.find("✓ step 1/1 \"token\" (request) at tests/a.toml:5:1 — passed"),
            std::string::npos);
  EXPECT_NE(out.find("✓ header Cache-Control: expected exists, got \"no-store\""),
            std::string::npos);
}

TEST(TerminalReport, ProgressLinesAndColourOnlyWhenAsked) {
  RunSummary run = sample_run();
  std::string plain = render([&](std::ostream& o) {
    for (const auto& s : run.scenarios) write_progress_line(o, s, TerminalStyle{});
  });
  EXPECT_NE(plain.find("✓ Token on the sandbox  tests/a.toml  (12 ms)\n"), std::string::npos)
      << plain;
  EXPECT_NE(plain.find("– Someday  tests/c.toml  (0.0 ms) — not on Fridays\n"), std::string::npos);
  EXPECT_NE(plain.find("! tests/bad.toml  (0.0 ms)\n"), std::string::npos);
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
  std::string colored = render(
      [&](std::ostream& o) { write_progress_line(o, run.scenarios[0], TerminalStyle{true}); });
  EXPECT_NE(colored.find("\x1b[32m✓\x1b[0m"), std::string::npos);
  EXPECT_EQ(run.exit_code(), 2);
}

TEST(JunitReport, IsWellFormedAndCountsEachOutcome) {
  std::string xml = render([](std::ostream& o) { write_junit_report(o, sample_run()); });
  EXPECT_EQ(xml_problem(xml), "") << xml;
  EXPECT_NE(xml.find("<testsuites name=\"pistesim\" tests=\"4\" failures=\"1\" errors=\"1\" "
                     "skipped=\"1\" time=\"1.234\">"),
            std::string::npos)
      << xml;
  EXPECT_EQ(occurrences(xml, "<testsuite "), 4u);  // one per file
  EXPECT_NE(xml.find("<testcase classname=\"tests/a.toml\" name=\"Token on the sandbox\""),
            std::string::npos);
  EXPECT_NE(xml.find("<property name=\"covers\" value=\"OAU-1\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"tags\" value=\"smoke, oauth\"/>"), std::string::npos);
  EXPECT_NE(xml.find("name=\"Tricky &lt;b&gt;name&lt;/b&gt; &amp; &#39;quotes&#39;"),
            std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"step &quot;call the API&quot;: status: expected in "
                     "[200, 201] but got 401\" type=\"assertion\">"),
            std::string::npos);
  EXPECT_NE(xml.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(xml.find("<script>"), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"not on Fridays\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<error message=\"tests/bad.toml:3:7: unknown key « expct »; expected one "
                     "of: expect, capture&#10;tests/bad.toml:9:1:"),
            std::string::npos);
  EXPECT_NE(xml.find("type=\"load\""), std::string::npos);
}

// A real XML parser, where the machine has one (Debian: libxml2-utils), reads it back.
TEST(JunitReport, XmllintAcceptsItAndReadsBackTheEscapedName) {
  if (std::system("xmllint --version >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "xmllint not installed; well-formedness is checked by the test above";
  auto path = std::filesystem::temp_directory_path() /
              ("pistesim-junit-" + std::to_string(::getpid()) + ".xml");
  {
    std::ofstream f(path);
    write_junit_report(f, sample_run());
  }
  std::string cmd = "xmllint --noout '" + path.string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::string xpath = "xmllint --xpath 'string(//testcase[@classname=\"tests/b.toml\"]/@name)' '" +
                      path.string() + "'";
  FILE* p = popen(xpath.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string name;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) name += buf;
  pclose(p);
  std::filesystem::remove(path);
  if (!name.empty() && name.back() == '\n') name.pop_back();  // newer xmllint ends the line
  EXPECT_EQ(name, kHostileName);
}

TEST(TapReport, PlanTestPointsDirectivesAndYamlDiagnostics) {
  std::string tap = render([](std::ostream& o) { write_tap_report(o, sample_run()); });
  EXPECT_EQ(tap.rfind("TAP version 14\n1..4\nok 1 - Token on the sandbox\n", 0), 0u) << tap;
  EXPECT_NE(tap.find("\nnot ok 2 - Tricky <b>name</b> & 'quotes' \\# not a directive \\\\ ok\n"
                     "  ---\n  outcome: failed\n"),
            std::string::npos)
      << tap;
  EXPECT_NE(tap.find("\nok 3 - Someday # SKIP not on Fridays\n"), std::string::npos);
  EXPECT_NE(tap.find("\nnot ok 4 - tests/bad.toml\n  ---\n  outcome: error\n"), std::string::npos);
  EXPECT_NE(tap.find("      at: \"tests/b.toml:9:3\"\n"), std::string::npos);
  EXPECT_NE(tap.find("        - subject: \"status\"\n          expected: \"in [200, 201]\"\n"
                     "          actual: \"401\"\n"),
            std::string::npos);
  EXPECT_NE(tap.find("          status: 401\n"), std::string::npos);
  EXPECT_NE(tap.find("          transport_error: \"connection dropped mid-response\"\n"),
            std::string::npos);
  EXPECT_NE(tap.find("\\\\x1b[31mred"), std::string::npos);  // shown, escaped for YAML
  EXPECT_EQ(tap.find('\x1b'), std::string::npos);
  EXPECT_EQ(occurrences(tap, "\n  ---\n"), 2u);
  EXPECT_EQ(occurrences(tap, "\n  ...\n"), 2u);
  EXPECT_NE(tap.find("\n# 4 scenarios: 1 passed, 1 failed, 1 error, 1 skipped"), std::string::npos);
}

TEST(JsonReport, CarriesEveryFieldUnderStableKeys) {
  RunSummary run = sample_run();
  std::string text = render([&](std::ostream& o) { write_json_report(o, run); });
  auto doc = nlohmann::json::parse(text);  // throws on invalid JSON or UTF-8
  EXPECT_EQ(doc["format"], "pistesim-run");
  EXPECT_EQ(doc["version"], 1);
  EXPECT_EQ(doc["target"], "embedded");
  EXPECT_EQ(doc["duration_us"], 1'234'000);
  EXPECT_EQ(doc["exit_code"], 2);
  EXPECT_EQ(
      doc["counts"],
      (nlohmann::json{{"total", 4}, {"passed", 1}, {"failed", 1}, {"skipped", 1}, {"error", 1}}));
  ASSERT_EQ(doc["scenarios"].size(), 4u);
  const auto& s = doc["scenarios"][1];
  EXPECT_EQ(s["file"], "tests/b.toml");
  EXPECT_EQ(s["name"], kHostileName);
  EXPECT_EQ(s["description"], "Checks <everything>");
  EXPECT_EQ(s["tags"], nlohmann::json::array());
  EXPECT_EQ(s["covers"], (nlohmann::json{"GW-3", "WIRE-12"}));
  EXPECT_EQ(s["outcome"], "failed");
  EXPECT_EQ(s["message"], "");
  EXPECT_EQ(s["duration_us"], 45'000);
  const auto& step = s["steps"][1];
  EXPECT_EQ(step["name"], "call the API");
  EXPECT_EQ(step["action"], "request");
  EXPECT_EQ(step["where"], (nlohmann::json{{"file", "tests/b.toml"}, {"line", 9}, {"column", 3}}));
  EXPECT_EQ(step["outcome"], "failed");
  EXPECT_EQ(step["attempts"], 3);
  EXPECT_EQ(step["row"], "client=alpha, n=2");
  EXPECT_EQ(step["output"], "client: got 401\nclient: giving up\n");
  EXPECT_EQ(step["duration_us"], 30'000);
  EXPECT_EQ(step["assertions"][0],
            (nlohmann::json{{"subject", "status"},
                            {"expectation", "in [200, 201]"},
                            {"actual", "401"},
                            {"passed", false},
                            {"where", {{"file", "tests/b.toml"}, {"line", 12}, {"column", 1}}}}));
  EXPECT_EQ(step["captured"][1],
            (nlohmann::json{{"variable", "correlation"}, {"value", "c0ffee"}}));
  const auto& x = step["exchanges"][0];
  EXPECT_EQ(x["method"], "GET");
  EXPECT_EQ(x["status"], 401);
  EXPECT_EQ(x["request_headers"][1],
            (nlohmann::json{{"name", "Accept"}, {"value", "application/json"}}));
  EXPECT_EQ(x["response_headers"][0]["name"], "WWW-Authenticate");
  EXPECT_EQ(x["request_body"], "");
  EXPECT_EQ(x["transport_error"], "");
  EXPECT_EQ(x["duration_us"], 2'000);
  // Kept as recorded, except the two bytes that are not UTF-8.
  std::string body = x["response_body"];
  EXPECT_EQ(body.substr(0, 40), kHostileBody.substr(0, 40));
  EXPECT_NE(body.find("\x01\x1b[31mred\x7f \xEF\xBF\xBD\xEF\xBF\xBD Légifrance"),
            std::string::npos);
  EXPECT_TRUE(step["exchanges"][1]["status"].is_null());
  EXPECT_EQ(step["exchanges"][1]["transport_error"], "connection dropped mid-response");
  EXPECT_TRUE(s["steps"][0]["row"].is_null());
  EXPECT_EQ(doc["scenarios"][3]["message"], run.scenarios[3].message);
}

TEST(HtmlReport, IsSelfContainedAndEscapesEverything) {
  std::string html = render([](std::ostream& o) { write_html_report(o, sample_run()); });
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(occurrences(html, "<script"), 1u) << "only the page's own script";
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("Tricky &lt;b&gt;name&lt;/b&gt; &amp; &#39;quotes&#39;"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_EQ(html.find('\x01'), std::string::npos);
  // Nothing loaded from elsewhere, and the policy forbids it anyway.
  for (const char* external : {"src=", "href=", "<link", "url(", "@import", "<iframe"})
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<details class=\"scenario "), 4u);
  EXPECT_NE(html.find("data-outcome=\"failed\" data-search=\"tricky"), std::string::npos);
  EXPECT_NE(html.find("data-filter=\"skipped\">skipped (1)</button>"), std::string::npos);
  EXPECT_NE(html.find("<td><code>in [200, 201]</code></td><td><code>401</code></td>"),
            std::string::npos);
  EXPECT_NE(html.find("no response: connection dropped mid-response"), std::string::npos);
  EXPECT_NE(html.find("tests/bad.toml:3:7: unknown key « expct »"), std::string::npos);
  EXPECT_NE(html.find("4 scenarios: 1 passed, 1 failed, 1 error, 1 skipped"), std::string::npos);
}

// The declarations the page's style gives `selector`, over every rule that lists it.
std::string css_for(const std::string& html, const std::string& selector) {
  const size_t from = html.find("<style>"), to = html.find("</style>");
  std::string css = html.substr(from + 7, to - from - 7), out;
  for (size_t at = 0; at < css.size();) {
    const size_t open = css.find('{', at), close = css.find('}', open);
    if (open == std::string::npos || close == std::string::npos) break;
    std::string selectors = "," + css.substr(at, open - at) + ",";
    selectors.erase(std::remove(selectors.begin(), selectors.end(), '\n'), selectors.end());
    if (selectors.find("," + selector + ",") != std::string::npos)
      out += css.substr(open + 1, close - open - 1) + ";";
    at = close + 1;
  }
  return out;
}

// The ✓/✗ cell of an assertion row was `display:inline-block; width:1.2em` (meant for the
// symbol beside a scenario's name): no longer a table cell, it was squeezed into a sliver.
TEST(HtmlReport, TheOutcomeColumnIsATableCellWideEnoughForItsSymbol) {
  std::string html = render([](std::ostream& o) { write_html_report(o, sample_run()); });
  ASSERT_NE(html.find("<td class=\"sym\">✗</td>"), std::string::npos);
  for (const char* selector : {".sym", "td.sym"})
    EXPECT_EQ(css_for(html, selector).find("display:inline-block"), std::string::npos) << selector;
  EXPECT_NE(css_for(html, "td.sym").find("min-width:2em"), std::string::npos);
  EXPECT_NE(css_for(html, "span.sym").find("display:inline-block"), std::string::npos)
      << "the symbol beside a name keeps its fixed width";
}

TEST(Reports, AnEmptyRunIsStillAValidDocument) {
  RunSummary run;
  run.target = "http://127.0.0.1:8080";
  EXPECT_EQ(xml_problem(render([&](std::ostream& o) { write_junit_report(o, run); })), "");
  EXPECT_EQ(
      render([&](std::ostream& o) { write_tap_report(o, run); }).rfind("TAP version 14\n1..0\n", 0),
      0u);
  auto doc = nlohmann::json::parse(render([&](std::ostream& o) { write_json_report(o, run); }));
  EXPECT_EQ(doc["scenarios"], nlohmann::json::array());
  EXPECT_NE(render([&](std::ostream& o) { write_html_report(o, run); }).find("No scenario ran."),
            std::string::npos);
  EXPECT_NE(render([&](std::ostream& o) { write_terminal_report(o, run, {}); })
                .find("0 scenarios: 0 passed, 0 failed, 0 errors, 0 skipped (0.0 ms) on "
                      "http://127.0.0.1:8080"),
            std::string::npos);
}

}  // namespace
}  // namespace pistesim::scenario
