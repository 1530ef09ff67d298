#include "loadgen/reports.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

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

struct Series {
  std::string name;
  std::string color;
  std::vector<double> values;
  bool dashed = false;
};

// A line chart as inline SVG: x is seconds since the start of the run.
std::string svg_chart(const std::string& title, const std::string& unit,
                      const std::vector<double>& xs, const std::vector<Series>& series) {
  const double W = 860, H = 260, L = 70, R = 20, T = 30, B = 40;
  double ymax = 0;
  for (const auto& s : series)
    for (double v : s.values) ymax = std::max(ymax, v);
  if (ymax <= 0) ymax = 1;
  ymax *= 1.1;
  double xmax = xs.empty() ? 1 : std::max(1.0, xs.back());
  auto X = [&](double x) { return L + (W - L - R) * x / xmax; };
  auto Y = [&](double y) { return T + (H - T - B) * (1 - y / ymax); };
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << W << "' height='" << H
    << "' viewBox='0 0 " << W << " " << H << "' role='img' aria-label='" << html_escape(title)
    << "'>";
  o << "<text x='" << L << "' y='18' font-weight='bold'>" << html_escape(title) << "</text>";
  for (int k = 0; k <= 4; ++k) {
    double y = ymax * k / 4;
    o << "<line x1='" << L << "' x2='" << W - R << "' y1='" << Y(y) << "' y2='" << Y(y)
      << "' stroke='#ddd'/><text x='" << L - 6 << "' y='" << Y(y) + 4
      << "' text-anchor='end' font-size='11'>" << fmt(ymax < 10 ? "%.2f" : "%.0f", y) << "</text>";
  }
  o << "<text x='12' y='" << T + (H - T - B) / 2 << "' font-size='11' transform='rotate(-90 12 "
    << T + (H - T - B) / 2 << ")' text-anchor='middle'>" << html_escape(unit) << "</text>";
  for (int k = 0; k <= 5; ++k) {
    double x = xmax * k / 5;
    o << "<text x='" << X(x) << "' y='" << H - B + 16 << "' text-anchor='middle' font-size='11'>"
      << fmt("%.0f s", x) << "</text>";
  }
  double lx = L + 10;
  for (const auto& s : series) {
    o << "<polyline fill='none' stroke='" << s.color << "' stroke-width='1.8'"
      << (s.dashed ? " stroke-dasharray='6 4'" : "") << " points='";
    for (size_t i = 0; i < xs.size() && i < s.values.size(); ++i)
      o << fmt("%.1f", X(xs[i])) << "," << fmt("%.1f", Y(s.values[i])) << " ";
    o << "'/>";
    o << "<rect x='" << lx << "' y='" << H - 14 << "' width='12' height='4' fill='" << s.color
      << "'/><text x='" << lx + 16 << "' y='" << H - 9 << "' font-size='11'>" << html_escape(s.name)
      << "</text>";
    lx += 40 + 7.0 * static_cast<double>(s.name.size());
  }
  o << "</svg>";
  return o.str();
}

}  // namespace

std::string html_report(const LoadResult& r, const Verdict& v) {
  std::vector<double> xs;
  Series p50{"p50", "#2b8a3e", {}}, p90{"p90", "#1971c2", {}}, p99{"p99", "#e8590c", {}},
      pmax{"max", "#868e96", {}, true};
  Series admitted{"admitted", "#2b8a3e", {}}, refused{"refused (429)", "#c92a2a", {}},
      quota{"quota (sum of per-second limits)", "#000", {}, true};
  Series sent{"scheduled", "#868e96", {}, true}, done{"completed", "#1971c2", {}},
      errors{"errors", "#c92a2a", {}};
  const int64_t first = r.seconds.empty() ? 0 : r.seconds.begin()->first;
  for (const auto& [t, s] : r.seconds) {
    xs.push_back(static_cast<double>(t - first));
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
    << svg_chart("Admitted and refused calls per second, against the quota", "calls/s", xs,
                 {admitted, refused, quota})
    << "<p>Calls of the applications under a per-second quota; admitted calls stay under the "
       "dashed line (the sum of their limits) when quotas hold, give or take calls answered "
       "across a second's boundary; the verification above decides per application and window."
       "</p>";
  o << "<h2>Latency</h2><p>Measured from each request's intended send time (no coordinated "
       "omission).</p>"
    << svg_chart("Latency percentiles per second", "ms", xs, {p50, p90, p99, pmax});
  o << "<table><tr><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr><tr><td>"
    << ms(r.latency.percentile(0.5)) << "</td><td>" << ms(r.latency.percentile(0.9)) << "</td><td>"
    << ms(r.latency.percentile(0.99)) << "</td><td>" << ms(r.latency.percentile(0.999))
    << "</td><td>" << ms(r.latency.max()) << "</td></tr></table>";
  o << "<h2>Throughput</h2>"
    << svg_chart("Requests per second", "requests/s", xs, {sent, done, errors});
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
