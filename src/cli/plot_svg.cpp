// SVG rendering for --plot (see plot_svg.h): fixed layout, "nice" y ticks, XML-escaped labels.
#include "cli/plot_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fidcpp {

namespace {

// Set labels (at most 24 characters) are rotated under the last panel: the x padding and the bottom margin
// leave room for them.
constexpr double kPanelWidth = 760, kPanelHeight = 220, kLeft = 110, kRight = 30, kTop = 50,
                 kBottomLabels = 110, kPadX = 40;
const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                         "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};

std::string xml_escape(const std::string& s) {
  std::string o;
  for (unsigned char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0 text; everything else (UTF-8 included) passes.
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
          o += '?';
        else
          o += static_cast<char>(c);
    }
  }
  return o;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Shortens long set names for the axis (the full name stays in the point's tooltip).
std::string short_label(const std::string& s) {
  std::string t = s;
  while (t.size() > 1 && t.back() == '/') t.pop_back();
  const size_t slash = t.find_last_of('/');
  if (slash != std::string::npos && slash + 1 < t.size()) t = t.substr(slash + 1);
  if (t.size() > 24) t = t.substr(0, 11) + "..." + t.substr(t.size() - 10);
  return t;
}

// Tick step 1, 2 or 5 x 10^k giving about `target` intervals over [lo, hi].
double nice_step(double span, int target) {
  const double raw = span / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / mag;
  return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

}  // namespace

std::string render_metrics_svg(const std::string& title, const std::vector<std::string>& set_names,
                               const std::vector<PlotMetric>& metrics) {
  const size_t n = set_names.size();
  const double plot_w = kPanelWidth - kLeft - kRight;
  const double panel_h = kPanelHeight;
  const double total_h = kTop + metrics.size() * (panel_h + 20) + kBottomLabels;
  std::string o;
  o += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt("%.0f", kPanelWidth) + "\" height=\"" +
       fmt("%.0f", total_h) + "\" viewBox=\"0 0 " + fmt("%.0f", kPanelWidth) + " " + fmt("%.0f", total_h) +
       "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o += "<title>" + xml_escape(title) + "</title>\n";
  o += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o += "<text x=\"" + fmt("%.0f", kPanelWidth / 2) + "\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">" +
       xml_escape(title) + "</text>\n";
  auto x_of = [&](size_t i) {
    return kLeft + (n > 1 ? kPadX + (plot_w - 2 * kPadX) * double(i) / double(n - 1) : plot_w / 2);
  };

  for (size_t m = 0; m < metrics.size(); ++m) {
    const PlotMetric& pm = metrics[m];
    const double y0 = kTop + m * (panel_h + 20);  // panel top
    const double inner_top = y0 + 24, inner_bottom = y0 + panel_h - 10;
    double lo = INFINITY, hi = -INFINITY;
    for (double v : pm.values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) {
      const double pad = std::max(std::fabs(hi) * 0.05, 1e-6);
      lo -= pad, hi += pad;
    }
    // Spans computed on halves, so values near the limits of double do not overflow.
    const double step = nice_step(hi / 2 - lo / 2, 2);
    const double lo_tick = std::floor(lo / step) * step, hi_tick = std::ceil(hi / step) * step;
    if (std::isfinite(lo_tick) && std::isfinite(hi_tick)) lo = lo_tick, hi = hi_tick;
    auto y_of = [&](double v) {
      return inner_bottom - (v / 2 - lo / 2) / (hi / 2 - lo / 2) * (inner_bottom - inner_top);
    };
    const char* color = kColors[m % (sizeof kColors / sizeof kColors[0])];

    o += "<g class=\"panel\" data-metric=\"" + xml_escape(pm.name) + "\">\n";
    o += "<text x=\"" + fmt("%.0f", kLeft) + "\" y=\"" + fmt("%.1f", y0 + 14) + "\" font-weight=\"bold\">" +
         xml_escape(pm.name) + "</text>\n";
    // y grid and tick labels
    for (int k = 0; k <= 64; ++k) {
      const double v = lo + k * step;
      if (!std::isfinite(v) || v > hi + step * 1e-9) break;
      const double y = y_of(v);
      o += "<line x1=\"" + fmt("%.1f", kLeft) + "\" x2=\"" + fmt("%.1f", kLeft + plot_w) + "\" y1=\"" +
           fmt("%.1f", y) + "\" y2=\"" + fmt("%.1f", y) + "\" stroke=\"#e0e0e0\"/>\n";
      o += "<text x=\"" + fmt("%.1f", kLeft - 6) + "\" y=\"" + fmt("%.1f", y + 4) +
           "\" text-anchor=\"end\">" + fmt("%.6g", std::fabs(v) < step * 1e-9 ? 0.0 : v) + "</text>\n";
    }
    // axes
    o += "<line x1=\"" + fmt("%.1f", kLeft) + "\" x2=\"" + fmt("%.1f", kLeft) + "\" y1=\"" +
         fmt("%.1f", inner_top) + "\" y2=\"" + fmt("%.1f", inner_bottom) + "\" stroke=\"black\"/>\n";
    o += "<line x1=\"" + fmt("%.1f", kLeft) + "\" x2=\"" + fmt("%.1f", kLeft + plot_w) + "\" y1=\"" +
         fmt("%.1f", inner_bottom) + "\" y2=\"" + fmt("%.1f", inner_bottom) + "\" stroke=\"black\"/>\n";
    // x ticks
    for (size_t i = 0; i < n; ++i)
      o += "<line x1=\"" + fmt("%.1f", x_of(i)) + "\" x2=\"" + fmt("%.1f", x_of(i)) + "\" y1=\"" +
           fmt("%.1f", inner_bottom) + "\" y2=\"" + fmt("%.1f", inner_bottom + 5) + "\" stroke=\"black\"/>\n";
    // the line (broken at missing values) and the points
    std::string path;
    bool pen = false;
    for (size_t i = 0; i < n && i < pm.values.size(); ++i) {
      if (!std::isfinite(pm.values[i])) {
        pen = false;
        continue;
      }
      path += (pen ? " L" : " M") + fmt("%.2f", x_of(i)) + "," + fmt("%.2f", y_of(pm.values[i]));
      pen = true;
    }
    if (!path.empty())
      o += "<path d=\"" + path.substr(1) + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"/>\n";
    for (size_t i = 0; i < n && i < pm.values.size(); ++i) {
      if (!std::isfinite(pm.values[i])) continue;
      o += "<circle class=\"point\" data-metric=\"" + xml_escape(pm.name) + "\" data-set=\"" +
           std::to_string(i) + "\" data-value=\"" + fmt("%.17g", pm.values[i]) + "\" cx=\"" +
           fmt("%.2f", x_of(i)) + "\" cy=\"" + fmt("%.2f", y_of(pm.values[i])) + "\" r=\"4\" fill=\"" +
           color + "\"><title>" + xml_escape(set_names[i]) + ": " + fmt("%.6g", pm.values[i]) +
           "</title></circle>\n";
    }
    o += "</g>\n";
  }
  // set names under the last panel
  const double label_y = kTop + metrics.size() * (panel_h + 20) - 10;
  for (size_t i = 0; i < n; ++i)
    o += "<text class=\"set-label\" x=\"" + fmt("%.1f", x_of(i)) + "\" y=\"" + fmt("%.1f", label_y) +
         "\" text-anchor=\"end\" transform=\"rotate(-30 " + fmt("%.1f", x_of(i)) + " " +
         fmt("%.1f", label_y) + ")\">" + xml_escape(short_label(set_names[i])) + "</text>\n";
  o += "<text x=\"" + fmt("%.0f", kLeft + plot_w / 2) + "\" y=\"" + fmt("%.0f", total_h - 8) +
       "\" text-anchor=\"middle\">generated set</text>\n";
  o += "</svg>\n";
  return o;
}

}  // namespace fidcpp
