#include "loadgen/reports.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

#include "loadgen/chart.h"
#include "wire/markup.h"

namespace pistesim::loadgen {

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string ms(int64_t ns) {
  return fmt("%.3f ms", static_cast<double>(ns) / 1e6);
}

std::string thousands(uint64_t n) {
  std::string s = std::to_string(n), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ' ';
    out += s[i];
  }
  return out;
}

// ", ramp 3.0 s from 0/s" when the rate ramped.
std::string ramp_text(const LoadResult& r) {
  if (!(r.ramp_s > 0)) return "";
  return fmt(", ramp %.1f s", r.ramp_s) + fmt(" from %.0f/s", r.offered_start_rate);
}

}  // namespace

std::string progress_line(const Progress& p, double offered_rate) {
  std::string line = fmt("%6.1f s", p.elapsed_s) + "  sent " + thousands(p.sent) + "  done " +
                     thousands(p.completed);
  if (p.elapsed_s > 0) line += fmt(" (%.0f/s", static_cast<double>(p.completed) / p.elapsed_s);
  line += offered_rate > 0 ? fmt(" of %.0f/s offered)", offered_rate) : ")";
  line += "  2xx " + thousands(p.admitted) + "  429 " + thousands(p.refused) + "  errors " +
          thousands(p.errors);
  return line;
}

std::string text_summary(const LoadResult& r, const Verdict& v) {
  std::ostringstream o;
  o << "pistesim load — " << r.workload << " against " << r.target << " (" << r.model << " model, "
    << fmt("%.1f s", r.duration_s) << ramp_text(r) << ", " << r.connections << " connections, "
    << r.threads << " threads";
  if (r.processes > 1) o << ", " << r.processes << " processes merged";
  o << ")\n";
  o << "  requests   " << thousands(r.completed) << " completed of " << thousands(r.scheduled)
    << " scheduled; " << fmt("%.0f/s achieved", r.achieved_rate());
  if (r.offered_rate > 0) o << fmt(", %.0f/s offered", r.offered_rate);
  o << "\n";
  o << "  latency    (from the intended send time) p50 " << ms(r.latency.percentile(0.50))
    << "  p90 " << ms(r.latency.percentile(0.90)) << "  p99 " << ms(r.latency.percentile(0.99))
    << "  p99.9 " << ms(r.latency.percentile(0.999)) << "  max " << ms(r.latency.max()) << "\n";
  if (r.max_send_lag_ns > 1000000)
    o << "  sender     fell up to " << ms(r.max_send_lag_ns)
      << " behind its schedule (counted in the latencies)\n";
  for (const auto& [kind, s] : r.kinds) {
    o << "  " << kind << std::string(kind.size() < 14 ? 14 - kind.size() : 1, ' ')
      << thousands(s.count) << "  p99 " << ms(s.latency.percentile(0.99)) << "  statuses";
    for (const auto& [code, n] : s.statuses)
      o << " " << (code == 0 ? std::string("none") : std::to_string(code)) << ":" << thousands(n);
    o << "\n";
  }
  o << "  tokens     " << thousands(r.tokens_issued) << " issued, " << r.renewals_on_401
    << " renewed after 401; refusals (429) " << thousands(r.refusals) << "\n";
  if (!r.answers_by_node.empty()) {
    o << "  nodes     ";
    for (const auto& [node, n] : r.answers_by_node) o << " " << node << " " << thousands(n);
    o << " (answers)\n";
  }
  o << "verification:\n";
  for (const auto& c : v.checks)
    o << "  " << (c.ok ? "ok    " : "FAILED") << " " << c.name << " — " << c.detail << "\n";
  size_t shown = 0;
  for (const auto& x : v.violations) {
    if (shown++ == 10) {
      o << "  … " << (v.violations.size() - 10) << " more in the JSON/HTML report\n";
      break;
    }
    o << "    " << x.describe() << "\n";
  }
  o << (v.ok() ? "PASSED" : "FAILED") << "\n";
  return o.str();
}

nlohmann::json report_json(const LoadResult& r, const Verdict& v) {
  nlohmann::json j = r.to_json();
  j["verdict"] = verdict_json(v);
  j["summary"] = {{"p50_ms", static_cast<double>(r.latency.percentile(0.5)) / 1e6},
                  {"p90_ms", static_cast<double>(r.latency.percentile(0.9)) / 1e6},
                  {"p99_ms", static_cast<double>(r.latency.percentile(0.99)) / 1e6},
                  {"p999_ms", static_cast<double>(r.latency.percentile(0.999)) / 1e6},
                  {"max_ms", static_cast<double>(r.latency.max()) / 1e6}};
  return j;
}

namespace {

// Which seconds of the chart the run covered only in part: its first and last (it starts and
// ends within a second) and any after its end (answers still arriving).
std::vector<bool> partial_seconds(const LoadResult& r, int64_t first, size_t n) {
  std::vector<bool> partial(n, false);
  if (r.started_ms <= 0) return partial;
  const double start = static_cast<double>(r.started_ms) / 1000.0 - static_cast<double>(first);
  const double end = start + r.duration_s;
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i);
    partial[i] = std::min(t + 1, end) - std::max(t, start) < 0.999;
  }
  return partial;
}

}  // namespace

std::string html_report(const LoadResult& r, const Verdict& v) {
  using Style = ChartSeries::Style;
  ChartSeries p50{"p50", "#2b8a3e", {}, Style::Line, false},
      p90{"p90", "#1971c2", {}, Style::Line, false}, p99{"p99", "#e8590c", {}, Style::Line, false},
      pmax{"max", "#868e96", {}, Style::Dashed, false};
  ChartSeries admitted{"admitted", "#2b8a3e", {}}, refused{"refused (429)", "#c92a2a", {}},
      quota{"quota (sum of per-second limits)", "#212529", {}, Style::Reference, false};
  ChartSeries sent{"scheduled", "#495057", {}, Style::Reference}, done{"completed", "#1971c2", {}},
      errors{"errors", "#c92a2a", {}};
  // Every second from the first to the last, those without any event at 0.
  const int64_t first = r.seconds.empty() ? 0 : r.seconds.begin()->first;
  const int64_t last = r.seconds.empty() ? -1 : r.seconds.rbegin()->first;
  const SecondStats none;
  for (int64_t t = first; t <= last; ++t) {
    auto it = r.seconds.find(t);
    const SecondStats& s = it == r.seconds.end() ? none : it->second;
    p50.values.push_back(static_cast<double>(s.latency.percentile(0.5)) / 1e6);
    p90.values.push_back(static_cast<double>(s.latency.percentile(0.9)) / 1e6);
    p99.values.push_back(static_cast<double>(s.latency.percentile(0.99)) / 1e6);
    pmax.values.push_back(static_cast<double>(s.latency.max()) / 1e6);
    admitted.values.push_back(static_cast<double>(s.admitted));
    refused.values.push_back(static_cast<double>(s.refused));
    quota.values.push_back(r.quota_capacity_per_s);
    sent.values.push_back(static_cast<double>(s.sent));
    done.values.push_back(static_cast<double>(s.completed));
    errors.values.push_back(static_cast<double>(s.errors));
  }
  ChartOptions counts;
  counts.partial = partial_seconds(r, first, admitted.values.size());
  if (r.ramp_s > 0 && r.started_ms > 0) {
    counts.ramp_start = static_cast<double>(r.started_ms) / 1000.0 - static_cast<double>(first);
    counts.ramp_end = counts.ramp_start + r.ramp_s;
  }
  auto chart = [](ChartOptions o, std::string title, std::string unit,
                  const std::vector<ChartSeries>& series) {
    o.title = std::move(title);
    o.unit = std::move(unit);
    return svg_chart(o, series);
  };
  std::ostringstream o;
  o << "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>pistesim load — "
    << html_escape(r.workload) << "</title><style>"
    << "body{font-family:system-ui,sans-serif;margin:2em;max-width:920px;color:#212529}"
    << "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #dee2e6;padding:4px "
       "8px;text-align:left}.ok{color:#2b8a3e;font-weight:bold}.failed{color:#c92a2a;"
       "font-weight:bold}.banner{padding:.6em 1em;border-radius:6px;font-size:1.3em}"
    << ".pass{background:#d3f9d8}.fail{background:#ffe3e3}</style></head><body>";
  o << "<h1>pistesim load — " << html_escape(r.workload) << "</h1>";
  o << "<p>Target " << html_escape(r.target) << ", " << html_escape(r.model) << " model, "
    << fmt("%.1f s", r.duration_s) << html_escape(ramp_text(r)) << ", " << r.connections
    << " connections, " << r.threads << " threads"
    << (r.processes > 1 ? ", " + std::to_string(r.processes) + " processes" : "") << ".</p>";
  if (!r.answers_by_node.empty()) {
    o << "<p>Answers by node:";
    for (const auto& [node, n] : r.answers_by_node)
      o << " " << html_escape(node) << " " << thousands(n) << ";";
    o << "</p>";
  }
  o << "<div class='banner " << (v.ok() ? "pass'>PASSED" : "fail'>FAILED") << "</div>";
  o << "<h2>Verification</h2><table><tr><th></th><th>check</th><th>detail</th></tr>";
  for (const auto& c : v.checks)
    o << "<tr><td class='" << (c.ok ? "ok'>ok" : "failed'>FAILED") << "</td><td>"
      << html_escape(c.name) << "</td><td>" << html_escape(c.detail) << "</td></tr>";
  o << "</table>";
  if (!v.violations.empty()) {
    o << "<h3>Quota violations (" << v.violations.size() << ")</h3><ul>";
    for (size_t i = 0; i < v.violations.size() && i < 50; ++i)
      o << "<li>" << html_escape(v.violations[i].describe()) << "</li>";
    o << "</ul>";
  }
  o << "<h2>Quotas</h2>"
    << chart(counts, "Admitted and refused calls per second, against the quota", "calls/s",
             {admitted, refused, quota})
    << "<p>Calls of the applications under a per-second quota; admitted calls stay on or under "
       "the grey band (the sum of their limits) when quotas hold, give or take calls answered "
       "across a second's boundary; the verification above decides per application and window. "
       "Seconds are wall-clock seconds: the run starts and ends within one, so its first and "
       "last (and any of answers arriving after the end) are partial, hatched, and their counts "
       "drawn as hollow dots off the lines.</p>";
  o << "<h2>Latency</h2><p>Measured from each request's intended send time (no coordinated "
       "omission).</p>"
    << chart(counts, "Latency percentiles per second", "ms", {p50, p90, p99, pmax});
  o << "<table><tr><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr><tr><td>"
    << ms(r.latency.percentile(0.5)) << "</td><td>" << ms(r.latency.percentile(0.9)) << "</td><td>"
    << ms(r.latency.percentile(0.99)) << "</td><td>" << ms(r.latency.percentile(0.999))
    << "</td><td>" << ms(r.latency.max()) << "</td></tr></table>";
  o << "<h2>Throughput</h2>"
    << chart(counts, "Requests per second", "requests/s", {sent, done, errors});
  o << "<p>" << thousands(r.completed) << " requests completed, "
    << fmt("%.0f/s achieved", r.achieved_rate())
    << (r.offered_rate > 0 ? fmt(", %.0f/s offered", r.offered_rate) : std::string()) << ".</p>";
  o << "<h2>Requests by kind</h2><table><tr><th>kind</th><th>count</th><th>p99</th>"
       "<th>statuses</th></tr>";
  for (const auto& [kind, s] : r.kinds) {
    o << "<tr><td>" << html_escape(kind) << "</td><td>" << s.count << "</td><td>"
      << ms(s.latency.percentile(0.99)) << "</td><td>";
    for (const auto& [code, n] : s.statuses)
      o << (code == 0 ? std::string("no answer") : std::to_string(code)) << ": " << n << " ";
    o << "</td></tr>";
  }
  o << "</table>";
  if (!r.errors.empty()) {
    o << "<h2>Errors</h2><table><tr><th>kind</th><th>count</th></tr>";
    for (const auto& [k, n] : r.errors)
      o << "<tr><td>" << html_escape(k) << "</td><td>" << n << "</td></tr>";
    o << "</table>";
  }
  o << "</body></html>\n";
  return o.str();
}

}  // namespace pistesim::loadgen
