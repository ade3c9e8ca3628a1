// SPDX-License-Identifier: MIT
// A small SVG plotting helper for the worked examples (not part of the library): line plots with
// error bars and a legend, and heat maps with a colour bar, with axes, ticks, labels and units.
// Colours: the Okabe-Ito palette for series (distinguishable with every common colour-vision
// deficiency) and viridis for maps (perceptually uniform, readable in grey and by colour-blind
// readers). SVG is written directly: any browser opens it, and nothing beyond the standard library
// is needed to build the examples.
#ifndef VALENCE_EXAMPLES_SVG_PLOT_HPP
#define VALENCE_EXAMPLES_SVG_PLOT_HPP

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace svg_plot {

/// The values of an Eigen vector as a series' coordinates.
inline std::vector<double> as_vector(const Eigen::VectorXd& v) {
  return {v.data(), v.data() + v.size()};
}

/// One curve or set of points of a line plot.
struct series {
  std::vector<double> x, y;
  std::vector<double> error;  ///< optional: error bars on y (same length as y)
  std::string label;          ///< legend text (empty: not in the legend)
  int colour = -1;            ///< index into the palette; -1: the series' position
  bool line = true;           ///< join the points
  bool markers = false;       ///< draw a circle at each point
  bool dashed = false;
};

/// A vertical or horizontal reference line with a label.
struct marker_line {
  double at = 0;
  bool vertical = true;
  std::string label;
};

/// A line plot.
struct line_plot {
  std::string title, x_label, y_label;  ///< labels with their units, e.g. "Energy (eV)"
  std::vector<series> data;
  std::vector<marker_line> markers;
  double x_min = std::numeric_limits<double>::quiet_NaN();  ///< NaN: from the data
  double x_max = std::numeric_limits<double>::quiet_NaN();
  double y_min = std::numeric_limits<double>::quiet_NaN();
  double y_max = std::numeric_limits<double>::quiet_NaN();
  int width = 640;
  int height = 420;
  bool legend_bottom = false;  ///< the legend at the bottom instead of the top
  bool legend_left = false;    ///< the legend on the left instead of the right
};

/// A heat map of a matrix, (row, column) = (y, x), row 0 at the top as an image.
struct heat_map {
  std::string title, x_label, y_label, value_label;
  Eigen::MatrixXd values;                                   ///< NaN cells are drawn grey (masked)
  double x0 = 0, dx = 1;                                    ///< x of the first column's centre and the column spacing
  double y0 = 0, dy = 1;                                    ///< y of the first row's centre and the row spacing
  double v_min = std::numeric_limits<double>::quiet_NaN();  ///< colour range; NaN: from the data
  double v_max = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::pair<double, double>> path;  ///< an overlay polyline in x, y units (e.g. a profile)
  int width = 560;
  int height = 480;
};

namespace detail {

inline const char* palette(int i) {
  static const char* const colours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                        "#E69F00", "#56B4E9", "#000000", "#F0E442"};
  return colours[((i % 8) + 8) % 8];
}

// viridis at ten evenly spaced points (the matplotlib colour map), interpolated linearly.
inline std::string viridis(double t) {
  static const int anchors[10][3] = {{68, 1, 84},    {72, 40, 120},  {62, 74, 137},  {49, 104, 142}, {38, 130, 142},
                                     {31, 158, 137}, {53, 183, 121}, {109, 205, 89}, {180, 222, 44}, {253, 231, 37}};
  t = std::clamp(t, 0.0, 1.0) * 9;
  const int i = std::min(8, static_cast<int>(t));
  const double f = t - i;
  char out[8];
  std::snprintf(out, sizeof out, "#%02x%02x%02x",
                static_cast<int>(std::lround(anchors[i][0] * (1 - f) + anchors[i + 1][0] * f)),
                static_cast<int>(std::lround(anchors[i][1] * (1 - f) + anchors[i + 1][1] * f)),
                static_cast<int>(std::lround(anchors[i][2] * (1 - f) + anchors[i + 1][2] * f)));
  return out;
}

inline std::string escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Ticks at 1, 2 or 5 times a power of ten, about five over [lo, hi].
inline std::vector<double> ticks(double lo, double hi) {
  if (lo > hi) {
    std::swap(lo, hi);
  }
  const double span = hi - lo;
  const double raw = span / 5;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw) {
      step = m * power;
      break;
    }
  }
  std::vector<double> out;
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + 1e-9 * span; t += step) {
    out.push_back(std::abs(t) < 1e-12 * span ? 0.0 : t);
  }
  return out;
}

inline std::string number(double v) {
  std::ostringstream s;
  s.imbue(std::locale::classic());
  s << v;
  return s.str();
}

// Widens [lo, hi] by a margin, or around a single value.
inline void pad(double& lo, double& hi, double fraction) {
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
    return;
  }
  const double m = (hi - lo) * fraction;
  lo -= m;
  hi += m;
}

struct frame {
  double left, top, right, bottom;  // pixels of the plot area
  double x_lo, x_hi, y_lo, y_hi;    // data range
  double px(double x) const { return left + (x - x_lo) / (x_hi - x_lo) * (right - left); }
  double py(double y) const { return bottom - (y - y_lo) / (y_hi - y_lo) * (bottom - top); }
};

inline void axes(std::ostringstream& o, const frame& f, const std::string& title, const std::string& x_label,
                 const std::string& y_label, int width) {
  o << "<rect x='" << f.left << "' y='" << f.top << "' width='" << f.right - f.left << "' height='" << f.bottom - f.top
    << "' fill='none' stroke='#333' stroke-width='1'/>\n";
  for (const double t : ticks(f.x_lo, f.x_hi)) {
    const double x = f.px(t);
    o << "<line x1='" << x << "' y1='" << f.bottom << "' x2='" << x << "' y2='" << f.bottom + 5
      << "' stroke='#333'/>\n<text x='" << x << "' y='" << f.bottom + 19 << "' text-anchor='middle'>" << number(t)
      << "</text>\n";
  }
  for (const double t : ticks(f.y_lo, f.y_hi)) {
    const double y = f.py(t);
    o << "<line x1='" << f.left - 5 << "' y1='" << y << "' x2='" << f.left << "' y2='" << y
      << "' stroke='#333'/>\n<text x='" << f.left - 8 << "' y='" << y + 4 << "' text-anchor='end'>" << number(t)
      << "</text>\n";
  }
  o << "<text x='" << (f.left + f.right) / 2 << "' y='" << f.bottom + 42 << "' text-anchor='middle'>" << escape(x_label)
    << "</text>\n";
  o << "<text transform='translate(" << f.left - 58 << "," << (f.top + f.bottom) / 2
    << ") rotate(-90)' text-anchor='middle'>" << escape(y_label) << "</text>\n";
  o << "<text x='" << width / 2 << "' y='22' text-anchor='middle' font-size='15' font-weight='bold'>" << escape(title)
    << "</text>\n";
}

inline std::string header(int width, int height) {
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height << "' viewBox='0 0 "
    << width << " " << height << "' font-family='DejaVu Sans, Arial, sans-serif' font-size='12'>\n"
    << "<rect width='100%' height='100%' fill='white'/>\n";
  return o.str();
}

inline bool write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace detail

/// Writes a line plot; returns false when the file cannot be written.
inline bool write_line_plot(const std::string& path, const line_plot& p) {
  double x_lo = p.x_min, x_hi = p.x_max, y_lo = p.y_min, y_hi = p.y_max;
  double dx_lo = 1e300, dx_hi = -1e300, dy_lo = 1e300, dy_hi = -1e300;
  for (const auto& s : p.data) {
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        continue;
      }
      const double e = i < s.error.size() && std::isfinite(s.error[i]) ? s.error[i] : 0.0;
      dx_lo = std::min(dx_lo, s.x[i]);
      dx_hi = std::max(dx_hi, s.x[i]);
      dy_lo = std::min(dy_lo, s.y[i] - e);
      dy_hi = std::max(dy_hi, s.y[i] + e);
    }
  }
  if (std::isnan(x_lo) || std::isnan(x_hi)) {
    detail::pad(dx_lo, dx_hi, 0.0);
    x_lo = std::isnan(x_lo) ? dx_lo : x_lo;
    x_hi = std::isnan(x_hi) ? dx_hi : x_hi;
  }
  if (std::isnan(y_lo) || std::isnan(y_hi)) {
    detail::pad(dy_lo, dy_hi, 0.06);
    y_lo = std::isnan(y_lo) ? dy_lo : y_lo;
    y_hi = std::isnan(y_hi) ? dy_hi : y_hi;
  }
  const detail::frame f{80, 36, double(p.width) - 20, double(p.height) - 58, x_lo, x_hi, y_lo, y_hi};
  std::ostringstream o;
  o << detail::header(p.width, p.height);
  o << "<defs><clipPath id='plot'><rect x='" << f.left << "' y='" << f.top << "' width='" << f.right - f.left
    << "' height='" << f.bottom - f.top << "'/></clipPath></defs>\n<g clip-path='url(#plot)'>\n";
  for (const auto& m : p.markers) {
    if (m.vertical) {
      o << "<line x1='" << f.px(m.at) << "' y1='" << f.top << "' x2='" << f.px(m.at) << "' y2='" << f.bottom
        << "' stroke='#888' stroke-dasharray='4 3'/>\n<text x='" << f.px(m.at) + 4 << "' y='" << f.top + 14
        << "' fill='#555'>" << detail::escape(m.label) << "</text>\n";
    } else {
      o << "<line x1='" << f.left << "' y1='" << f.py(m.at) << "' x2='" << f.right << "' y2='" << f.py(m.at)
        << "' stroke='#888' stroke-dasharray='4 3'/>\n<text x='" << f.left + 6 << "' y='" << f.py(m.at) - 4
        << "' fill='#555'>" << detail::escape(m.label) << "</text>\n";
    }
  }
  for (std::size_t k = 0; k < p.data.size(); ++k) {
    const auto& s = p.data[k];
    const char* colour = detail::palette(s.colour >= 0 ? s.colour : static_cast<int>(k));
    if (s.line) {
      o << "<polyline fill='none' stroke='" << colour << "' stroke-width='1.8'"
        << (s.dashed ? " stroke-dasharray='6 4'" : "") << " points='";
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
          o << f.px(s.x[i]) << "," << f.py(s.y[i]) << " ";
        }
      }
      o << "'/>\n";
    }
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        continue;
      }
      if (i < s.error.size() && std::isfinite(s.error[i]) && s.error[i] > 0) {
        o << "<line x1='" << f.px(s.x[i]) << "' y1='" << f.py(s.y[i] - s.error[i]) << "' x2='" << f.px(s.x[i])
          << "' y2='" << f.py(s.y[i] + s.error[i]) << "' stroke='" << colour << "' stroke-width='1.2'/>\n";
      }
      if (s.markers) {
        o << "<circle cx='" << f.px(s.x[i]) << "' cy='" << f.py(s.y[i]) << "' r='3.2' fill='" << colour << "'/>\n";
      }
    }
  }
  o << "</g>\n";
  detail::axes(o, f, p.title, p.x_label, p.y_label, p.width);
  int entries = 0;
  for (const auto& s : p.data) {
    entries += s.label.empty() ? 0 : 1;
  }
  double legend_y = p.legend_bottom ? f.bottom - 17.0 * entries + 8 : f.top + 16;
  for (std::size_t k = 0; k < p.data.size(); ++k) {
    if (p.data[k].label.empty()) {
      continue;
    }
    const char* colour = detail::palette(p.data[k].colour >= 0 ? p.data[k].colour : static_cast<int>(k));
    const double lx = p.legend_left ? f.left + 14 : f.right - 170;  // the legend's left edge
    if (p.data[k].line) {
      o << "<line x1='" << lx << "' y1='" << legend_y - 4 << "' x2='" << lx + 24 << "' y2='" << legend_y - 4
        << "' stroke='" << colour << "' stroke-width='2.5'" << (p.data[k].dashed ? " stroke-dasharray='6 4'" : "")
        << "/>\n";
    }
    if (p.data[k].markers) {
      o << "<circle cx='" << lx + 12 << "' cy='" << legend_y - 4 << "' r='3.2' fill='" << colour << "'/>\n";
    }
    o << "<text x='" << lx + 30 << "' y='" << legend_y << "'>" << detail::escape(p.data[k].label) << "</text>\n";
    legend_y += 17;
  }
  o << "</svg>\n";
  return detail::write(path, o.str());
}

/// Writes a heat map with a colour bar; returns false when the file cannot be written.
inline bool write_heat_map(const std::string& path, const heat_map& h) {
  double v_lo = h.v_min, v_hi = h.v_max;
  if (std::isnan(v_lo) || std::isnan(v_hi)) {
    double lo = 1e300, hi = -1e300;
    for (Eigen::Index i = 0; i < h.values.size(); ++i) {
      if (std::isfinite(h.values(i))) {
        lo = std::min(lo, h.values(i));
        hi = std::max(hi, h.values(i));
      }
    }
    detail::pad(lo, hi, 0.0);
    v_lo = std::isnan(v_lo) ? lo : v_lo;
    v_hi = std::isnan(v_hi) ? hi : v_hi;
  }
  const Eigen::Index rows = h.values.rows();
  const Eigen::Index cols = h.values.cols();
  const double x_lo = h.x0 - 0.5 * h.dx, x_hi = h.x0 + (double(cols) - 0.5) * h.dx;
  const double y_lo = h.y0 - 0.5 * h.dy, y_hi = h.y0 + (double(rows) - 0.5) * h.dy;
  // Square cells when the map's aspect allows: the plot area's size follows the data's.
  const double area_w = double(h.width) - 80 - 110;
  const double area_h = double(h.height) - 36 - 58;
  const double scale = std::min(area_w / (x_hi - x_lo), area_h / (y_hi - y_lo));
  const double w = scale * (x_hi - x_lo);
  const double ht = scale * (y_hi - y_lo);
  // y grows downwards in an image: the frame maps y_lo to the top.
  detail::frame f{80, 36, 80 + w, 36 + ht, x_lo, x_hi, y_hi, y_lo};
  std::ostringstream o;
  o << detail::header(h.width, h.height);
  const double cw = w / double(cols);
  const double ch = ht / double(rows);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < cols; ++c) {
      const double v = h.values(r, c);
      const std::string fill = std::isfinite(v) ? detail::viridis((v - v_lo) / (v_hi - v_lo)) : "#bbbbbb";
      o << "<rect x='" << f.left + double(c) * cw << "' y='" << f.top + double(r) * ch << "' width='" << cw + 0.3
        << "' height='" << ch + 0.3 << "' fill='" << fill << "'/>\n";
    }
  }
  if (!h.path.empty()) {
    o << "<polyline fill='none' stroke='white' stroke-width='2.5' points='";
    for (const auto& [x, y] : h.path) {
      o << f.px(x) << "," << f.py(y) << " ";
    }
    o << "'/>\n<polyline fill='none' stroke='#D55E00' stroke-width='1.3' points='";
    for (const auto& [x, y] : h.path) {
      o << f.px(x) << "," << f.py(y) << " ";
    }
    o << "'/>\n";
  }
  detail::axes(o, f, h.title, h.x_label, h.y_label, h.width);
  // The colour bar.
  const double bar_x = f.right + 28;
  const int steps = 64;
  for (int i = 0; i < steps; ++i) {
    const double t0 = double(i) / steps;
    o << "<rect x='" << bar_x << "' y='" << f.bottom - (t0 + 1.0 / steps) * ht << "' width='18' height='"
      << ht / steps + 0.3 << "' fill='" << detail::viridis(t0 + 0.5 / steps) << "'/>\n";
  }
  o << "<rect x='" << bar_x << "' y='" << f.top << "' width='18' height='" << ht << "' fill='none' stroke='#333'/>\n";
  for (const double t : detail::ticks(v_lo, v_hi)) {
    const double y = f.bottom - (t - v_lo) / (v_hi - v_lo) * ht;
    o << "<line x1='" << bar_x + 18 << "' y1='" << y << "' x2='" << bar_x + 23 << "' y2='" << y
      << "' stroke='#333'/>\n<text x='" << bar_x + 26 << "' y='" << y + 4 << "'>" << detail::number(t) << "</text>\n";
  }
  o << "<text transform='translate(" << bar_x + 78 << "," << (f.top + f.bottom) / 2
    << ") rotate(-90)' text-anchor='middle'>" << detail::escape(h.value_label) << "</text>\n";
  o << "</svg>\n";
  return detail::write(path, o.str());
}

}  // namespace svg_plot

#endif  // VALENCE_EXAMPLES_SVG_PLOT_HPP
