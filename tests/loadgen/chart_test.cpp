#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "loadgen/chart.h"

namespace pistesim::loadgen {
namespace {

bool is_one_two_five(double step) {
  const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  return std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 ||
         std::abs(mantissa - 5) < 1e-9;
}

std::vector<std::string> labels(double end, double step) {
  std::vector<std::string> out;
  for (double v : ticks_up_to(end, step)) out.push_back(tick_label(v, step));
  return out;
}

// The report once put y ticks at a quarter of 1.1 × the maximum: 5501, 11002, 16502.
TEST(ChartTicks, YTicksAreOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_EQ(nice_step(20003 * 1.1, 5), 5000);
  EXPECT_EQ(labels(25000, 5000),
            (std::vector<std::string>{"0", "5 000", "10 000", "15 000", "20 000", "25 000"}));
  EXPECT_EQ(nice_step(220, 5), 50);
  EXPECT_EQ(nice_step(13.9, 5), 5);
  EXPECT_EQ(nice_step(0.37, 5), 0.1);
  EXPECT_EQ(labels(0.4, 0.1), (std::vector<std::string>{"0", "0.1", "0.2", "0.3", "0.4"}));
  EXPECT_EQ(nice_step(0, 5), 0.2) << "an empty chart still gets an axis";
  for (double span = 0.013; span < 2e6; span *= 1.37) {
    double step = nice_step(span, 5);
    EXPECT_TRUE(is_one_two_five(step)) << span << " -> " << step;
    EXPECT_LE(std::ceil(span / step - 1e-9), 5) << span << " -> " << step;
    EXPECT_GE(std::ceil(span / step - 1e-9), 2) << span << ": a step not needlessly large";
  }
}

// The report once put x ticks at fifths of the run, rounded: 0 s, 1 s, 1 s, 2 s, 2 s, 3 s.
TEST(ChartTicks, TimeTicksAreWholeSecondsWithoutRepeats) {
  EXPECT_EQ(nice_step(3, 10, 1), 1);
  EXPECT_EQ(labels(3, 1), (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(nice_step(31, 10, 1), 5);
  EXPECT_EQ(nice_step(600, 10, 1), 100);
  for (int n = 1; n <= 4000; ++n) {
    const double step = nice_step(n, 10, 1);
    EXPECT_EQ(step, std::round(step)) << n << " seconds: whole-second steps";
    const auto ls = labels(n, step);
    EXPECT_EQ(std::set<std::string>(ls.begin(), ls.end()).size(), ls.size()) << n << " seconds";
    EXPECT_LE(ls.size(), 11u) << n << " seconds";
  }
}

TEST(ChartTicks, TicksAreExactMultiples) {
  const auto t = ticks_up_to(0.9, 0.1);
  ASSERT_EQ(t.size(), 10u);
  EXPECT_EQ(t[3], 0.3) << "3 × 0.1 rounded to the step's decimals";
  EXPECT_EQ(tick_label(0.30000000000000004, 0.1), "0.3");
  EXPECT_EQ(tick_label(1234567, 1000), "1 234 567");
  EXPECT_EQ(tick_label(900, 100), "900");
  EXPECT_EQ(tick_label(0, 0.1), "0");
  EXPECT_EQ(tick_label(0.05, 0.05), "0.05");
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Admitted calls equal to the quota once vanished under its dashed line: the reference is now
// a band drawn first, the data line on top of it.
TEST(ChartSvg, ReferenceBandIsDrawnUnderTheDataLines) {
  ChartOptions o;
  o.title = "Quota";
  std::vector<ChartSeries> s = {
      {"admitted", "#2b8a3e", {20, 20, 20}},
      {"quota", "#212529", {20, 20, 20}, ChartSeries::Style::Reference, false}};
  const std::string svg = svg_chart(o, s);
  const size_t band = svg.find("<polyline fill='none' stroke='#212529'");
  const size_t line = svg.find("<polyline fill='none' stroke='#2b8a3e'");
  ASSERT_NE(band, std::string::npos);
  ASSERT_NE(line, std::string::npos);
  EXPECT_LT(band, line) << "the band is drawn first, under the line";
  EXPECT_NE(svg.find("stroke-width='7.0'", band), std::string::npos) << "wider than the line";
}

// A partial first or last second is hatched and its count drawn apart, not as a drop.
TEST(ChartSvg, PartialSecondsAreHatchedAndOffTheLine) {
  ChartOptions o;
  o.title = "Requests";
  o.partial = {true, false, false, false, true};
  std::vector<ChartSeries> s = {{"completed", "#1971c2", {120, 250, 250, 250, 130}}};
  const std::string svg = svg_chart(o, s);
  EXPECT_EQ(count(svg, "fill='url(#hatch-requests)'"), 3u) << "two seconds and the legend";
  EXPECT_EQ(count(svg, "<polyline"), 1u);
  EXPECT_EQ(count(svg, "r='3.5' fill='#fff' stroke='#1971c2'"), 2u) << "hollow dots";
  // The line joins the three full seconds only: its points are the middles of seconds 1..3.
  const size_t pl = svg.find("<polyline");
  const std::string points = svg.substr(svg.find("points='", pl) + 8);
  EXPECT_EQ(count(points.substr(0, points.find('\'')), ","), 3u);
  EXPECT_NE(svg.find("partial second"), std::string::npos) << "in the legend";

  s[0].count = false;  // latencies: a partial second's percentiles are no drop
  const std::string joined = svg_chart(o, s);
  EXPECT_EQ(count(joined, "r='3.5' fill='#fff'"), 0u);

  // A reference that counts (requests scheduled) drops in a partial second just the same.
  s = {{"scheduled", "#5c940d", {120, 250, 250, 250, 130}, ChartSeries::Style::Reference}};
  EXPECT_EQ(count(svg_chart(o, s), "r='3.5' fill='#fff' stroke='#5c940d'"), 2u);
}

TEST(ChartSvg, XTicksAreWholeSecondsLabelledOnce) {
  ChartOptions o;
  o.title = "t";
  std::vector<ChartSeries> s = {{"a", "#000", {1, 2, 3}}};
  const std::string svg = svg_chart(o, s);
  for (const char* label : {">0 s<", ">1 s<", ">2 s<", ">3 s<"})
    EXPECT_EQ(count(svg, label), 1u) << label;
}

}  // namespace
}  // namespace pistesim::loadgen
