// One self-contained HTML page (inline CSS and script, no external resource, so it can be
// attached to a CI job and opened offline): a summary bar, filters by outcome and name, and each
// scenario collapsible with its steps, exchanges and assertions. Reports hold response bodies
// and command output from outside, so every piece of text is escaped, and a Content-Security-
// Policy forbids anything but the page's own inline style and script.
#include "scenario_engine/reporters/report_support.h"
#include "scenario_engine/reporters/reporters.h"

namespace pistesim::scenario {

namespace {

using report::xml_escape;

std::string esc(std::string_view s) {
  return xml_escape(s);
}
std::string attr(std::string_view s) {
  return xml_escape(s, true);
}

constexpr std::string_view kStyle = R"css(
:root{--passed:#1a7f37;--failed:#cf222e;--error:#8250df;--skipped:#9a6700;--muted:#57606a;
--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);padding:12px 20px;z-index:1}
h1{font-size:18px;margin:0 0 4px}
.meta{color:var(--muted)}
.bar{display:flex;height:10px;border-radius:5px;overflow:hidden;margin:8px 0;background:var(--line)}
.bar span{display:block}
.passed .sym,.bar .passed{color:var(--passed);background-color:var(--passed)}
.failed .sym,.bar .failed{color:var(--failed);background-color:var(--failed)}
.error .sym,.bar .error{color:var(--error);background-color:var(--error)}
.skipped .sym,.bar .skipped{color:var(--skipped);background-color:var(--skipped)}
.sym{background:none!important;font-weight:bold}
span.sym{display:inline-block;width:1.2em}
td.sym{min-width:2em;width:2em;text-align:center;white-space:nowrap}
nav button{font:inherit;border:1px solid var(--line);background:#fff;border-radius:6px;padding:2px 10px;cursor:pointer}
nav button.active{background:#1f2328;color:#fff}
nav input{font:inherit;padding:2px 8px;border:1px solid var(--line);border-radius:6px;margin-left:8px;width:18em}
main{padding:12px 20px}
details.scenario{border:1px solid var(--line);border-radius:6px;margin:6px 0;background:#fff}
details.scenario>summary{padding:6px 10px;cursor:pointer}
details.scenario>.body{padding:0 10px 10px 28px}
details.step{border-left:3px solid var(--line);margin:6px 0;padding-left:8px}
details.step.failed{border-color:var(--failed)}details.step.error{border-color:var(--error)}
summary .file,summary .dur,.where{color:var(--muted);font-size:12px;margin-left:8px}
.name{font-weight:600}
pre{background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:6px 8px;margin:4px 0;
white-space:pre-wrap;word-break:break-word;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}
pre.message{border-color:var(--failed)}
table{border-collapse:collapse;margin:4px 0;font-size:13px}
td,th{border:1px solid var(--line);padding:2px 6px;text-align:left;vertical-align:top}
td code{white-space:pre-wrap;word-break:break-word}
.tag{display:inline-block;background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:0 6px;margin-right:4px;font-size:12px}
.hidden{display:none}
)css";

// Filters by outcome (buttons) and by text (scenario name or file). Reads only data attributes
// and never writes markup.
constexpr std::string_view kScript = R"js(
(function(){
  var outcome='all', text='';
  var items=document.querySelectorAll('details.scenario');
  function apply(){
    items.forEach(function(d){
      var okOutcome=outcome==='all'||d.dataset.outcome===outcome;
      var okText=text===''||d.dataset.search.indexOf(text)>=0;
      d.classList.toggle('hidden',!(okOutcome&&okText));
    });
  }
  document.querySelectorAll('nav button[data-filter]').forEach(function(b){
    b.addEventListener('click',function(){
      document.querySelectorAll('nav button[data-filter]').forEach(function(o){o.classList.remove('active');});
      b.classList.add('active'); outcome=b.dataset.filter; apply();
    });
  });
  document.getElementById('search').addEventListener('input',function(e){
    text=e.target.value.toLowerCase(); apply();
  });
  document.getElementById('expand').addEventListener('click',function(){
    items.forEach(function(d){d.open=true;});
  });
})();
)js";

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string exchange_text(const ExchangeRecord& x, bool request) {
  std::string out;
  if (request) {
    out = x.method + " " + x.url + "\n";
    for (const auto& h : x.request_headers) out += h.name + ": " + h.value + "\n";
    if (!x.request_body.empty()) out += "\n" + x.request_body;
    return out;
  }
  if (!x.status)
    return "no response: " + (x.transport_error.empty() ? "no answer" : x.transport_error);
  out = report::status_text(*x.status) + "  (" + report::format_duration(x.duration_us) + ")\n";
  for (const auto& h : x.response_headers) out += h.name + ": " + h.value + "\n";
  if (!x.response_body.empty()) out += "\n" + x.response_body;
  return out;
}

void write_step(std::ostream& out, const StepResult& step, size_t index) {
  bool broken = step.outcome == Outcome::Failed || step.outcome == Outcome::Error;
  std::string_view o = to_string(step.outcome);
  out << "<details class=\"step " << o << "\"" << (broken ? " open" : "") << "><summary><span "
      << "class=\"sym\">" << report::outcome_symbol(step.outcome) << "</span> " << index + 1
      << ". <span class=\"name\">" << esc(step.name) << "</span> <span class=\"where\">"
      << esc(step.action) << " · " << esc(step.where.to_string()) << " · "
      << report::format_duration(step.duration_us);
  if (step.attempts > 1) out << " · " << step.attempts << " attempts";
  out << "</span></summary>\n";
  if (step.row) out << "<div class=\"meta\">row: " << esc(*step.row) << "</div>\n";
  if (!step.message.empty()) out << "<pre class=\"message\">" << esc(step.message) << "</pre>\n";
  for (const auto& x : step.exchanges) {
    out << "<pre class=\"request\">" << esc(exchange_text(x, true)) << "</pre>\n";
    out << "<pre class=\"response\">" << esc(exchange_text(x, false)) << "</pre>\n";
  }
  if (!step.assertions.empty()) {
    out << "<table class=\"assertions\"><tr><th></th><th>subject</th><th>expected</th>"
        << "<th>got</th><th>where</th></tr>\n";
    for (const auto& a : step.assertions) {
      Outcome ao = a.passed ? Outcome::Passed : Outcome::Failed;
      out << "<tr class=\"" << to_string(ao) << "\"><td class=\"sym\">"
          << report::outcome_symbol(ao) << "</td><td><code>" << esc(a.subject)
          << "</code></td><td><code>" << esc(a.expectation) << "</code></td><td><code>"
          << esc(a.actual) << "</code></td><td class=\"where\">"
          << (a.where.line > 0 ? esc(a.where.to_string()) : "") << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  if (!step.captured.empty()) {
    out << "<table class=\"captured\"><tr><th>captured</th><th>value</th></tr>\n";
    for (const auto& [name, value] : step.captured)
      out << "<tr><td><code>" << esc(name) << "</code></td><td><code>" << esc(value)
          << "</code></td></tr>\n";
    out << "</table>\n";
  }
  if (!step.output.empty()) out << "<pre class=\"output\">" << esc(step.output) << "</pre>\n";
  out << "</details>\n";
}

void write_scenario(std::ostream& out, const ScenarioResult& s) {
  std::string_view o = to_string(s.outcome);
  bool broken = s.outcome == Outcome::Failed || s.outcome == Outcome::Error;
  out << "<details class=\"scenario " << o << "\" data-outcome=\"" << o << "\" data-search=\""
      << attr(lower(s.name + " " + s.file)) << "\"" << (broken ? " open" : "")
      << "><summary><span class=\"sym\">" << report::outcome_symbol(s.outcome)
      << "</span> <span class=\"name\">" << esc(s.name.empty() ? s.file : s.name)
      << "</span><span class=\"file\">" << esc(s.file) << "</span><span class=\"dur\">"
      << report::format_duration(s.duration_us) << "</span></summary>\n<div class=\"body\">\n";
  if (!s.description.empty()) out << "<p>" << esc(s.description) << "</p>\n";
  if (!s.tags.empty() || !s.covers.empty()) {
    out << "<div class=\"meta\">";
    for (const auto& t : s.tags) out << "<span class=\"tag\">" << esc(t) << "</span>";
    if (!s.covers.empty()) {
      out << " covers";
      for (const auto& c : s.covers) out << " <span class=\"tag\">" << esc(c) << "</span>";
    }
    out << "</div>\n";
  }
  if (!s.message.empty()) out << "<pre class=\"message\">" << esc(s.message) << "</pre>\n";
  for (size_t i = 0; i < s.steps.size(); ++i) write_step(out, s.steps[i], i);
  out << "</div></details>\n";
}

}  // namespace

void write_html_report(std::ostream& out, const RunSummary& run) {
  const std::string summary = report::summary_line(run);
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>pistesim run — " << esc(summary) << "</title>\n<style>" << kStyle
      << "</style>\n</head>\n<body>\n<header>\n<h1>pistesim run</h1>\n<div class=\"meta\">"
      << esc(summary) << "</div>\n<div class=\"bar\">";
  for (Outcome o : {Outcome::Passed, Outcome::Failed, Outcome::Error, Outcome::Skipped}) {
    size_t n = run.count(o);
    if (n > 0)
      out << "<span class=\"" << to_string(o) << "\" style=\"flex-grow:" << n << "\" title=\"" << n
          << " " << to_string(o) << "\"></span>";
  }
  out << "</div>\n<nav><button class=\"active\" data-filter=\"all\">all (" << run.scenarios.size()
      << ")</button>";
  for (Outcome o : {Outcome::Passed, Outcome::Failed, Outcome::Error, Outcome::Skipped})
    out << " <button data-filter=\"" << to_string(o) << "\">" << to_string(o) << " ("
        << run.count(o) << ")</button>";
  out << " <input id=\"search\" type=\"search\" placeholder=\"filter by name or file\">"
      << " <button id=\"expand\" type=\"button\">expand all</button></nav>\n</header>\n<main>\n";
  for (const auto& s : run.scenarios) write_scenario(out, s);
  if (run.scenarios.empty()) out << "<p>No scenario ran.</p>\n";
  out << "</main>\n<script>" << kScript << "</script>\n</body>\n</html>\n";
}

}  // namespace pistesim::scenario
