// Self-contained SVG line charts for `fidcpp metrics A B1 B2 ... --plot FILE.svg`: one panel per metric, the
// generated sets along x (in the order given), no dependencies.
#pragma once

#include <string>
#include <vector>

namespace fidcpp {

struct PlotMetric {
  std::string name;            // e.g. "frechet_inception_distance"
  std::vector<double> values;  // one per set; non-finite values are left out of the line
};

// Each point is a <circle class="point"> with data-metric, data-set (index) and data-value (%.17g)
// attributes and a <title> tooltip, so the file is both readable and checkable.
std::string render_metrics_svg(const std::string& title, const std::vector<std::string>& set_names,
                               const std::vector<PlotMetric>& metrics);

}  // namespace fidcpp
