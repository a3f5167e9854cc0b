// The report's figures, rendered with gnuplot (Debian's gnuplot-nox) as PNG and SVG. Each figure is a
// self-contained script, figures/<name>.gp, that carries its numbers inline (copied from the datasets
// and statement results), so a reader can re-render or restyle it without icsr.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace icsr::reports {

struct Figure {
  std::string name;                     // figures/<name>.png and .svg
  std::string caption;
  std::string data;                     // the CSV behind it, relative to the report directory
  std::vector<std::string> statements;  // the statement pages that show it
};

// The figures the report draws, with the inputs each needs: `datasets` maps dataset name -> table,
// `statements` maps statement id -> result JSON. Figures whose inputs are absent are left out.
std::vector<Figure> planned_figures(const nlohmann::json& datasets, const nlohmann::json& statements);

// Writes DIR/figures/<name>.gp for every planned figure and runs gnuplot on it. Throws
// std::runtime_error naming the figure when gnuplot is missing or fails.
std::vector<Figure> render_figures(const std::string& dir, const nlohmann::json& datasets,
                                   const nlohmann::json& statements);

}  // namespace icsr::reports
