#include "loadgen/chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "wire/markup.h"

namespace pistesim::loadgen {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Decimals a multiple of `step` needs: 0 for 1, 2, 5, 10 …; 1 for 0.5, 0.2, 0.1; 2 for 0.05 …
int decimals_of(double step) {
  if (step >= 1) return 0;
  return static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
}

// An id for the chart's hatch pattern: several charts share one page, and so one id space.
std::string slug(const std::string& title) {
  std::string s = "hatch-";
  for (char c : title) {
    if (s.size() >= 30) break;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) s += c;
    if (c >= 'A' && c <= 'Z') s += static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string dash_of(ChartSeries::Style s) {
  switch (s) {
    case ChartSeries::Style::Line:
      return "";
    case ChartSeries::Style::Dashed:
      return " stroke-dasharray='6 4'";
    case ChartSeries::Style::Reference:
      return " stroke-dasharray='12 5' stroke-opacity='0.35'";
  }
  return "";
}

double width_of(ChartSeries::Style s) {
  return s == ChartSeries::Style::Reference ? 7 : s == ChartSeries::Style::Line ? 2 : 1.5;
}

}  // namespace

double nice_step(double span, int max_intervals, double min_step) {
  if (!(span > 0)) span = 1;
  if (max_intervals < 1) max_intervals = 1;
  const double raw = std::max(span / max_intervals, min_step);
  const int e = static_cast<int>(std::floor(std::log10(raw)));
  // Divided for negative powers, so that a step of 0.1 is the double nearest 0.1.
  auto times = [e](double m) { return e >= 0 ? m * std::pow(10.0, e) : m / std::pow(10.0, -e); };
  for (double m : {1.0, 2.0, 5.0}) {
    // A little slack so that 0.1 * 3 and the like do not jump to the next step.
    if (times(m) >= raw * (1 - 1e-9)) return times(m);
  }
  return times(10);
}

std::vector<double> ticks_up_to(double end, double step) {
  std::vector<double> ticks;
  const int d = decimals_of(step);
  const double scale = std::pow(10.0, d);
  for (long i = 0;; ++i) {
    // Rounded to the step's decimals: 3 × 0.1 is 0.3, not 0.30000000000000004.
    double v = std::round(static_cast<double>(i) * step * scale) / scale;
    if (v > end + step * 1e-9) break;
    ticks.push_back(v);
  }
  return ticks;
}

std::string tick_label(double value, double step) {
  const int d = decimals_of(step);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", d, value);
  std::string s = buf;
  if (std::abs(value) < step * 1e-9) return "0";  // not "0.0" or "-0"
  if (d > 0 || std::abs(value) < 1000) return s;
  // Group the integer's digits by three, as the text report does ("15 000").
  std::string out;
  const size_t sign = s[0] == '-' ? 1 : 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > sign && (s.size() - i) % 3 == 0) out += ' ';
    out += s[i];
  }
  return out;
}

std::string svg_chart(const ChartOptions& opt, const std::vector<ChartSeries>& series) {
  const double W = 860, H = 300, L = 70, R = 20, T = 34, B = 70;
  const double plot_bottom = H - B;
  size_t n = 0;
  double ymax = 0;
  for (const auto& s : series) {
    n = std::max(n, s.values.size());
    for (double v : s.values) ymax = std::max(ymax, v);
  }
  const double xspan = std::max<double>(1, static_cast<double>(n));
  const double ystep = nice_step(ymax > 0 ? ymax * 1.05 : 1, 5);
  const std::vector<double> yticks =
      ticks_up_to(std::ceil((ymax > 0 ? ymax * 1.05 : 1) / ystep - 1e-9) * ystep, ystep);
  const double ytop = yticks.back();
  auto X = [&](double x) { return L + (W - L - R) * x / xspan; };
  auto Y = [&](double y) { return T + (plot_bottom - T) * (1 - y / ytop); };
  auto is_partial = [&](size_t i) { return i < opt.partial.size() && opt.partial[i]; };
  const std::string hatch = slug(opt.title);

  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << W << "' height='" << H
    << "' viewBox='0 0 " << W << " " << H << "' role='img' aria-label='" << html_escape(opt.title)
    << "'><defs><pattern id='" << hatch
    << "' patternUnits='userSpaceOnUse' width='6' height='6' patternTransform='rotate(45)'>"
       "<line x1='0' y1='0' x2='0' y2='6' stroke='#adb5bd' stroke-width='2'/></pattern></defs>";
  o << "<text x='" << L << "' y='20' font-weight='bold'>" << html_escape(opt.title) << "</text>";

  // Backgrounds first: the ramp, then the partial seconds.
  if (opt.ramp_end > opt.ramp_start) {
    const double x0 = X(std::max(0.0, opt.ramp_start)), x1 = X(std::min(xspan, opt.ramp_end));
    o << "<rect x='" << num(x0) << "' y='" << T << "' width='" << num(x1 - x0) << "' height='"
      << plot_bottom - T << "' fill='#e7f5ff'/><text x='" << num(x0 + 4) << "' y='" << T + 12
      << "' font-size='10' fill='#1971c2'>ramp</text>";
  }
  for (size_t i = 0; i < n; ++i)
    if (is_partial(i))
      o << "<rect x='" << num(X(static_cast<double>(i))) << "' y='" << T << "' width='"
        << num(X(1) - X(0)) << "' height='" << plot_bottom - T << "' fill='url(#" << hatch
        << ")' fill-opacity='0.6'><title>partial second: the run covered only part of it"
        << "</title></rect>";

  for (double y : yticks)
    o << "<line x1='" << L << "' x2='" << W - R << "' y1='" << num(Y(y)) << "' y2='" << num(Y(y))
      << "' stroke='#dee2e6'/><text x='" << L - 6 << "' y='" << num(Y(y) + 4)
      << "' text-anchor='end' font-size='11'>" << tick_label(y, ystep) << "</text>";
  o << "<text x='14' y='" << (T + plot_bottom) / 2 << "' font-size='11' transform='rotate(-90 14 "
    << (T + plot_bottom) / 2 << ")' text-anchor='middle'>" << html_escape(opt.unit) << "</text>";
  const double xstep = nice_step(xspan, 10, 1);
  for (double x : ticks_up_to(xspan, xstep))
    o << "<line x1='" << num(X(x)) << "' x2='" << num(X(x)) << "' y1='" << plot_bottom << "' y2='"
      << plot_bottom + 4 << "' stroke='#868e96'/><text x='" << num(X(x)) << "' y='"
      << plot_bottom + 16 << "' text-anchor='middle' font-size='11'>" << tick_label(x, xstep)
      << " s</text>";
  o << "<line x1='" << L << "' x2='" << W - R << "' y1='" << plot_bottom << "' y2='" << plot_bottom
    << "' stroke='#868e96'/>";

  // Reference bands under the data lines, so that a line equal to its reference stays on top.
  std::vector<const ChartSeries*> order;
  for (const auto& s : series)
    if (s.style == ChartSeries::Style::Reference) order.push_back(&s);
  for (const auto& s : series)
    if (s.style != ChartSeries::Style::Reference) order.push_back(&s);
  for (const ChartSeries* s : order) {
    const bool apart = s->count;
    std::string stroke = "fill='none' stroke='" + s->color + "' stroke-width='" +
                         num(width_of(s->style)) + "' stroke-linejoin='round'" + dash_of(s->style);
    std::vector<std::string> run;  // points of the current unbroken segment
    auto flush = [&] {
      if (run.size() == 1) {
        size_t comma = run[0].find(',');
        o << "<circle cx='" << run[0].substr(0, comma) << "' cy='" << run[0].substr(comma + 1)
          << "' r='2.5' fill='" << s->color << "'/>";
      } else if (run.size() > 1) {
        o << "<polyline " << stroke << " points='";
        for (const auto& p : run) o << p << " ";
        o << "'/>";
      }
      run.clear();
    };
    for (size_t i = 0; i < s->values.size(); ++i) {
      const double x = X(static_cast<double>(i) + 0.5), y = Y(s->values[i]);
      if (apart && is_partial(i)) {
        flush();
        o << "<circle cx='" << num(x) << "' cy='" << num(y) << "' r='3.5' fill='#fff' stroke='"
          << s->color << "' stroke-width='1.5'/>";
      } else {
        run.push_back(num(x) + "," + num(y));
      }
    }
    flush();
  }

  // Legend: a swatch drawn as the series is.
  double lx = L;
  const double ly = H - 16;
  for (const auto& s : series) {
    o << "<line x1='" << num(lx) << "' x2='" << num(lx + 22) << "' y1='" << ly - 4 << "' y2='"
      << ly - 4 << "' stroke='" << s.color << "' stroke-width='" << num(width_of(s.style)) << "'"
      << dash_of(s.style) << "/><text x='" << num(lx + 28) << "' y='" << ly << "' font-size='11'>"
      << html_escape(s.name) << "</text>";
    lx += 44 + 6.5 * static_cast<double>(s.name.size());
  }
  if (std::any_of(opt.partial.begin(), opt.partial.end(), [](bool p) { return p; })) {
    const bool counts =
        std::any_of(series.begin(), series.end(), [](const ChartSeries& s) { return s.count; });
    o << "<rect x='" << num(lx) << "' y='" << ly - 11 << "' width='14' height='12' fill='url(#"
      << hatch << ")' stroke='#adb5bd'/>";
    if (counts)
      o << "<circle cx='" << num(lx + 7) << "' cy='" << ly - 5 << "' r='3.5' fill='#fff' "
        << "stroke='#495057' stroke-width='1.5'/>";
    o << "<text x='" << num(lx + 20) << "' y='" << ly << "' font-size='11'>partial second"
      << (counts ? " (its count, off the line)" : "") << "</text>";
  }
  o << "</svg>";
  return o.str();
}

}  // namespace pistesim::loadgen
