// Line charts of per-second figures as inline SVG (the HTML load report has no script and no
// external resource), and the axis ticks they use: steps of 1, 2 or 5 times a power of ten,
// labels that never repeat, whole seconds on the time axis.
#pragma once

#include <string>
#include <vector>

namespace pistesim::loadgen {

// The smallest step of 1, 2 or 5 × 10^k that is at least `min_step` and cuts [0, span] into at
// most `max_intervals` intervals (a span <= 0 counts as 1).
double nice_step(double span, int max_intervals, double min_step = 0);
// 0, step, 2 step, … while <= end (within rounding): each a multiple of `step`, exactly printed.
std::vector<double> ticks_up_to(double end, double step);
// A tick's label with as many decimals as `step` needs, digits grouped by three from 1 000,
// zero as "0": tick_label(15000, 5000) == "15 000", tick_label(0.30000000000000004, 0.1) == "0.3".
std::string tick_label(double value, double step);

struct ChartSeries {
  enum class Style {
    Line,       // a solid data line
    Dashed,     // a thin dashed data line
    Reference,  // a wide pale dashed band drawn under every data line: a line equal to it stays
                // visible on top of it, and the band still shows on both sides
  };
  std::string name;
  std::string color;
  std::vector<double> values;  // one per second of the chart
  Style style = Style::Line;
  // Whether a value counts events within its second (calls, requests): then the value of a
  // partial second is drawn as a hollow dot off the line, since a count over part of a second
  // is not a drop in the rate. Latency percentiles and quota limits are not counts.
  bool count = true;
};

struct ChartOptions {
  std::string title;
  std::string unit;  // of the y axis
  // Per second: whether the run covered only part of it (its first and last, the drain after
  // the end). Those seconds are hatched.
  std::vector<bool> partial;
  // The ramp, in seconds from the start of the chart's first second (end <= start: none).
  double ramp_start = 0, ramp_end = 0;
};

// Second i of the chart spans [i, i + 1) on the x axis; its value is drawn at its middle.
std::string svg_chart(const ChartOptions& options, const std::vector<ChartSeries>& series);

}  // namespace pistesim::loadgen
