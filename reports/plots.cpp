#include "reports/plots.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace icsr::reports {
namespace {

// A number for gnuplot; NaN (missing) for non-finite values, and for values <= 0 on a log axis.
std::string num(const nlohmann::json& value, bool positive = false) {
  if (!value.is_number()) return "NaN";
  const double x = value.get<double>();
  if (!std::isfinite(x) || (positive && x <= 0.0)) return "NaN";
  return fmt::format("{:.9g}", x);
}

int column(const nlohmann::json& table, const std::string& name) {
  const auto& columns = table.at("columns");
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<int>(i);
  }
  throw std::runtime_error("dataset " + table.value("name", std::string("?")) + " has no column " + name);
}

std::string header(const std::string& name) {
  return fmt::format(
      "# {0}: written by icsr report; run `gnuplot {0}.gp` in this folder to re-render.\n"
      "set datafile missing 'NaN'\n", name);
}

// The plot commands run twice: once for PNG, once for SVG.
std::string both_terminals(const std::string& name, const std::string& body, const std::string& size = "960,640") {
  return fmt::format(
      "do for [format_index = 1:2] {{\n"
      "  if (format_index == 1) {{ set terminal pngcairo size {1} enhanced font 'Sans,11'; set output '{0}.png' }} "
      "else {{ set terminal svg size {1} enhanced font 'Sans,11' background rgb 'white'; set output '{0}.svg' }}\n"
      "{2}\n"
      "  unset output\n"
      "}}\n",
      name, size, body);
}

std::string error_vs_K(const nlohmann::json& grid) {
  const int n = column(grid, "n"), ratio = column(grid, "n_over_N0"), K = column(grid, "K"),
            median = column(grid, "error_median"), q95 = column(grid, "error_q95"), bound = column(grid, "bound_median");
  std::map<long, std::vector<nlohmann::json>> by_n;
  for (const auto& row : grid.at("rows")) by_n[row[n].get<long>()].push_back(row);
  std::string data = "$grid << EOD\n";
  std::string plots;
  int block = 0;
  for (const auto& [value, rows] : by_n) {
    for (const auto& row : rows) data += fmt::format("{} {} {} {}\n", row[K].get<int>(), num(row[median], true), num(row[q95], true), num(row[bound], true));
    data += "\n\n";
    const double over = rows.front()[ratio].get<double>();
    plots += fmt::format("{}$grid index {} using 1:2 with linespoints lc {} pt 7 ps 0.6 title 'median error, n = {:.0f} N_0', "
                         "$grid index {} using 1:4 with lines lc {} dt 2 title 'bound c_1 e^{{-α_n K}}'",
                         block == 0 ? "" : ", ", block, block + 1, over, block, block + 1);
    ++block;
  }
  data += "EOD\n";
  const std::string body = fmt::format(
      "  set logscale y; set format y '10^{{%L}}'; set xlabel 'K (layers)'; set ylabel '||β^{{(K+1)}} - β^*||'\n"
      "  set key outside right; set grid\n"
      "  set title \"{}\"\n"
      "  plot {}\n",
      grid.at("title").get<std::string>(), plots);
  return data + both_terminals("thm5.1_error_vs_K", body, "1200,640");
}

std::string error_vs_n(const nlohmann::json& grid) {
  const int n = column(grid, "n"), K = column(grid, "K"), median = column(grid, "error_median"),
            q95 = column(grid, "error_q95"), bound = column(grid, "bound_median");
  std::string data = "$curve << EOD\n";
  for (const auto& row : grid.at("rows")) {
    if (row[K].get<int>() != 12) continue;
    data += fmt::format("{} {} {} {}\n", row[n].get<long>(), num(row[median], true), num(row[q95], true), num(row[bound], true));
  }
  data += "EOD\n";
  const std::string body =
      "  set logscale xy; set format y '10^{%L}'; set xlabel 'n (examples)'; set ylabel 'error at K = 12'; set grid\n"
      "  set key top right; set title 'Theorem 5.1 at K = 12: observed error against n, with the bound'\n"
      "  plot $curve using 1:2 with linespoints pt 7 title 'median error', $curve using 1:3 with linespoints pt 5 "
      "title '95% quantile', $curve using 1:4 with lines dt 2 lw 2 title 'bound (median over draws)'\n";
  return data + both_terminals("thm5.1_error_vs_n", body);
}

std::string heatmap(const std::string& name, const nlohmann::json& grid, const std::string& x_column,
                    const std::string& x_label, const std::string& title) {
  const int x = column(grid, x_column), ratio = column(grid, "n_over_N0"), tightness = column(grid, "tightness_median");
  std::map<double, int> levels;  // n/N0 -> row index of the heatmap
  for (const auto& row : grid.at("rows")) levels.emplace(std::round(row[ratio].get<double>()), 0);
  int index = 0;
  std::string ytics;
  for (auto& [over, slot] : levels) {
    slot = index;
    ytics += fmt::format("{}'{:.0f} N_0' {}", index == 0 ? "" : ", ", over, index);
    ++index;
  }
  std::string data = "$map << EOD\n";
  for (const auto& row : grid.at("rows")) {
    const double xv = row[x].get<double>();
    const double t = row[tightness].is_number() ? row[tightness].get<double>() : std::nan("");
    data += fmt::format("{:.6g} {} {}\n", xv, levels[std::round(row[ratio].get<double>())],
                        !std::isfinite(t) ? std::string("NaN")
                                          : fmt::format("{:.6g}", std::clamp(t > 0.0 ? std::log10(t) : -6.0, -6.0, 6.0)));
  }
  data += "EOD\n";
  const std::string body = fmt::format(
      "  set xlabel '{}'; set ylabel 'n'; set ytics ({}); set cblabel 'log_{{10}}(median observed / bound), clipped to [-6, 6]'\n"
      "  set palette defined (-6 '#1a3a8a', -1 '#8fb8de', 0 '#ffffff', 1 '#f4a582', 6 '#b2182b'); set cbrange [-6:6]\n"
      "  set title \"{}\"; set yrange [-0.5:{}.5]; set offsets graph 0.03, graph 0.03, 0, 0\n"
      "  plot $map using 1:2:3 with points pt 5 ps 5 palette notitle\n",
      x_label, ytics, title, index - 1);
  return data + both_terminals(name, body);
}

std::string lemma3(const nlohmann::json& table) {
  std::string data = "$c << EOD\n";
  const std::vector<std::string> names{"n", "diag_min_q05", "diag_min_median", "bound_lower", "diag_max_median",
                                       "diag_max_q95", "bound_upper", "off_max_median", "off_max_q95", "bound_off"};
  std::vector<int> columns;
  for (const auto& name : names) columns.push_back(column(table, name));
  for (const auto& row : table.at("rows")) {
    for (std::size_t i = 0; i < columns.size(); ++i) data += (i ? " " : "") + num(row[columns[i]]);
    data += "\n";
  }
  data += "EOD\n";
  const std::string body =
      "  set multiplot layout 1,3 title 'Lemma 3: coherence of D_n with X against n (d = 20, S = 3, δ = 0.05)'\n"
      "  set logscale x; set xlabel 'n'; set grid; set key bottom right\n"
      "  set title 'min_{i∈S} D_i^T X_i (first bound)'; set yrange [-1:1.2]\n"
      "  plot $c using 1:2 with linespoints pt 7 title '5% quantile', $c using 1:3 with lines title 'median', "
      "$c using 1:4 with lines dt 2 lw 2 title 'bound'\n"
      "  set title 'max_{i∈S} D_i^T X_i (second bound)'; set yrange [0.8:3]; set key top right\n"
      "  plot $c using 1:6 with linespoints pt 7 title '95% quantile', $c using 1:5 with lines title 'median', "
      "$c using 1:7 with lines dt 2 lw 2 title 'bound'\n"
      "  set title 'max_{i≠j} |D_i^T X_j| (third bound)'; set logscale y; set autoscale y\n"
      "  plot $c using 1:9 with linespoints pt 7 title '95% quantile', $c using 1:8 with lines title 'median', "
      "$c using 1:10 with lines dt 2 lw 2 title 'bound'\n"
      "  unset multiplot\n";
  return data + both_terminals("lemma3_coherence", body, "1500,520");
}

std::string regime(const nlohmann::json& table) {
  const int d = column(table, "d"), S = column(table, "S"), delta = column(table, "delta"), N0 = column(table, "N0");
  std::string data = "$r << EOD\n";
  double paper = 0.0;
  for (int s : {1, 2, 3, 5}) {
    for (const auto& row : table.at("rows")) {
      if (row[S].get<int>() != s || std::abs(row[delta].get<double>() - 0.05) > 1e-12) continue;
      data += fmt::format("{} {}\n", row[d].get<int>(), num(row[N0], true));
      if (s == 3 && row[d].get<int>() == 20) paper = row[N0].get<double>();
    }
    data += "\n\n";
  }
  data += "EOD\n";
  const std::string body = fmt::format(
      "  set logscale xy; set format y '10^{{%L}}'; set xlabel 'd'; set ylabel 'N_0 (examples)'; set grid; set yrange [1:1e6]\n"
      "  set key top left; set title 'Regime map: N_0 of Theorem 5.1 at δ = 0.05 against d and S'\n"
      "  set arrow 1 from graph 0, first 10 to graph 1, first 10 nohead dt 2 lw 2 lc rgb 'red'\n"
      "  set label 1 \"the paper's experiments: N = 10\" at graph 0.02, first 14 tc rgb 'red'\n"
      "  set label 2 sprintf('paper setting d = 20, S = 3: N_0 = %.0f', {0}) at first 20, first {0} point pt 9 ps 1.5 offset 1,-1.2\n"
      "  plot for [i = 0:3] $r index i using 1:2 with linespoints pt 7 title sprintf('S = %d', word('1 2 3 5', i + 1) + 0)\n",
      paper);
  return data + both_terminals("regime_map", body);
}

// The rate figure: per (d, S) a panel of alpha against n/d: the claimed alpha_n, and the delta-quantile of the
// per-draw rate with its 95% interval for the proof's and the searched witness. Rates below -1 (divergence) are
// drawn at -1.
std::string empirical_rate(const nlohmann::json& table) {
  const int d = column(table, "d"), S = column(table, "S"), witness = column(table, "witness"), x = column(table, "n_over_d"),
            alpha = column(table, "alpha_n"), q = column(table, "rate_quantile"), low = column(table, "rate_low"),
            high = column(table, "rate_high");
  const auto clipped = [](const nlohmann::json& value) {
    return value.is_number() ? fmt::format("{:.6g}", std::max(-1.0, value.get<double>())) : std::string("-1");
  };
  std::vector<std::pair<int, int>> settings;
  for (const auto& row : table.at("rows")) {
    const std::pair<int, int> setting{row[d].get<int>(), row[S].get<int>()};
    if (std::find(settings.begin(), settings.end(), setting) == settings.end()) settings.push_back(setting);
  }
  std::string data, plots;
  for (std::size_t panel = 0; panel < settings.size(); ++panel) {
    const auto [dv, Sv] = settings[panel];
    std::string claimed = fmt::format("$claimed{} << EOD\n", panel);
    std::string rates[2] = {fmt::format("$proof{} << EOD\n", panel), fmt::format("$searched{} << EOD\n", panel)};
    for (const auto& row : table.at("rows")) {
      if (row[d].get<int>() != dv || row[S].get<int>() != Sv) continue;
      const bool searched = row[witness] == "searched";
      rates[searched ? 1 : 0] += fmt::format("{} {} {} {}\n", num(row[x], true), clipped(row[q]), clipped(row[low]),
                                             row[high].is_number() ? clipped(row[high]) : std::string("NaN"));
      if (!searched && row[alpha].is_number()) claimed += fmt::format("{} {}\n", num(row[x], true), num(row[alpha]));
    }
    data += claimed + "EOD\n" + rates[0] + "EOD\n" + rates[1] + "EOD\n";
    plots += fmt::format(
        "  set title 'd = {1}, S = {2}'\n"
        "  plot $claimed{0} using 1:2 with lines lw 2 lc rgb 'black' title 'claimed α_n', "
        "$proof{0} using 1:2:3:4 with yerrorbars pt 7 lc rgb '#b2182b' title \"proof's witness: δ-quantile of the rate\", "
        "$searched{0} using 1:2:3:4 with yerrorbars pt 5 lc rgb '#2166ac' title 'searched witness: δ-quantile of the rate'\n",
        panel, dv, Sv);
  }
  const std::string body = fmt::format(
      "  set multiplot layout 1,{}\n  set logscale x; set xlabel 'n / d'; set ylabel 'rate per layer α'; set grid\n"
      "  set yrange [-1.05:*]; set key bottom right font ',9'\n{}  unset multiplot\n",
      settings.size(), plots);
  return data + both_terminals("empirical_n0_rate", body, "1650,560");
}

std::string readout(const nlohmann::json& curve) {
  std::string data = "$g << EOD\n";
  for (const auto& point : curve.at("points")) {
    data += fmt::format("{} {} {} {} {}\n", point.at("n").get<long>(), num(point.at("linear_error_median"), true),
                        num(point.at("query_error_median"), true), num(point.at("linear_bound_median"), true),
                        num(point.at("query_bound_median"), true));
  }
  data += "EOD\n";
  const std::string body = fmt::format(
      "  set logscale xy; set format y '10^{{%L}}'; set xlabel 'n'; set ylabel '|y_n - ŷ_n|'; set grid; set key outside right\n"
      "  set title 'Theorem 5.2 read-outs (d = {}, S = {}, K = {}, γ = {}, δ = {}): medians and bounds'\n"
      "  plot $g using 1:2 with linespoints pt 7 title 'linear read-out (Thm E.1 layer, p = 1)', "
      "$g using 1:3 with linespoints pt 5 title 'query read-out (Cor. E.1)', "
      "$g using 1:4 with lines dt 2 lw 2 title 'Thm E.1 bound', $g using 1:5 with lines dt 3 lw 2 title 'Cor. E.1 bound'\n",
      curve.at("d").get<int>(), curve.at("S").get<int>(), curve.at("K").get<int>(), curve.at("gamma").get<double>(),
      curve.at("delta").get<double>());
  return data + both_terminals("readout_gap", body, "1200,640");
}

// ---- Figures 1a, 1b, 2 and 3: the paper's panels, readable ----
//
// Every series keeps one colour; a value outside the y-range is drawn at the border as a triangle (up:
// above, down: below) and its value goes into the legend entry, so a diverging method neither stretches
// the axis nor disappears. The paper's values are markers (black stars) with their own legend entries.

struct Style {
  std::string label;   // as the paper names it
  std::string colour;  // '#rrggbb'
  int point = 7;
  std::string dash = "1";
  double width = 2.0;
  int order = 0;       // legend order
};

// The paper's names for the checkpoints and references; an unknown name keeps itself.
Style style_of(const std::string& name) {
  static const std::map<std::string, Style> styles{
      {"ista", {"ISTA", "#7f7f7f", 4, "1", 2, 10}},
      {"fista", {"FISTA", "#17becf", 6, "1", 2, 11}},
      {"lista_fixed", {"LISTA (fixed X)", "#8c564b", 5, "1", 2, 20}},
      {"lista_cp_fixed", {"LISTA-CP (fixed X)", "#e377c2", 13, "1", 2, 21}},
      {"alista_fixed", {"ALISTA (fixed X)", "#bcbd22", 15, "1", 2, 22}},
      {"lista_meta", {"LISTA (meta-trained)", "#d62728", 9, "1", 2, 23}},
      {"lista_cp_meta", {"LISTA-CP (meta-trained)", "#ff7f0e", 11, "1", 2, 24}},
      {"lista_vm_per_layer_meta", {"LISTA-VM, per-layer M^(k) (Thm 4.1)", "#1f77b4", 7, "1", 3, 1}},
      {"lista_vm_meta", {"LISTA-VM, shared M^V (deviation)", "#6baed6", 6, "4", 2, 2}},
      {"lista_vm_ss_per_layer_meta", {"LISTA-VM-SS, per-layer M^(k)", "#2ca02c", 7, "1", 3, 3}},
      {"lista_vm_ss_meta", {"LISTA-VM-SS, shared M^V (deviation)", "#98df8a", 6, "4", 2, 4}},
      {"lista_vm_per_layer_prior_meta", {"LISTA-VM, per-layer, trained on the prior", "#d62728", 7, "1", 3, 5}},
      {"lista_vm_prior_meta", {"LISTA-VM, shared M^V, trained on the prior", "#ff9896", 6, "4", 2, 6}},
      {"lista_vm_per_layer_fixed", {"LISTA-VM, per-layer, trained on fixed X", "#9467bd", 5, "1", 2, 25}},
      {"lista_vm_fixed", {"LISTA-VM, shared M^V, trained on fixed X", "#9467bd", 4, "4", 2, 26}},
      {"lasso", {"Lasso (exact, α = 0.001)", "#000000", 0, "2", 2, 40}},
      {"min-norm least squares", {"min-norm least squares", "#555555", 0, "3", 2, 41}},
      {"lasso (restricted to the support set)", {"Lasso on 𝕊 (exact, α = 0.001)", "#000000", 0, "2", 2, 40}},
      {"min-norm least squares (support set)", {"min-norm least squares on 𝕊", "#555555", 0, "3", 2, 41}},
  };
  const auto found = styles.find(name);
  if (found != styles.end()) return found->second;
  // The trained Transformers: "small_tf_query (reduced)" and the like.
  const std::string stem = name.substr(0, name.find(' '));
  const std::string note = name.size() > stem.size() ? name.substr(stem.size()) : "";
  if (stem.rfind("gpt2", 0) == 0) return {"GPT-2" + note, "#000080", 7, "1", 3, 30};
  if (stem == "small_tf_linear") return {"Small TF, linear read-out" + note, "#b8860b", 5, "1", 2, 32};
  if (stem == "small_tf_query_dagger") return {"Small TF, query read-out†" + note, "#8b4513", 13, "1", 2, 33};
  if (stem.rfind("small_tf", 0) == 0) return {"Small TF" + note, "#daa520", 7, "1", 3, 31};
  return {name, "#444444", 7, "1", 2, 50};
}

std::string compact(double value) { return fmt::format("{:.2g}", value); }

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, value)
};

// One panel: every series drawn within [low, high] (log y). Above `high` and below `low` are grey bands
// that hold the off-scale values as triangles, staggered per series so that none hides another, with
// their values in the legend; `paper` holds (x, value, legend) markers.
std::string panel(const std::string& prefix, std::vector<Series> series, double low, double high,
                  const std::vector<std::tuple<double, double, std::string>>& paper, std::string& data,
                  bool lines_only = false) {
  std::sort(series.begin(), series.end(),
            [](const Series& a, const Series& b) { return style_of(a.name).order < style_of(b.name).order; });
  constexpr double kBand = 4.0;  // the bands span a factor 4 beyond the data range
  std::string plots;
  int index = 0, above_count = 0, below_count = 0;
  for (const Series& s : series) {
    const Style style = style_of(s.name);
    const auto is_above = [&](double value) { return !std::isfinite(value) || value > high; };
    const auto is_below = [&](double value) { return std::isfinite(value) && value < low; };
    int over = 0, under = 0;
    for (const auto& point : s.points) over += is_above(point.second) ? 1 : 0, under += is_below(point.second) ? 1 : 0;
    const double above_y = high * std::pow(1.22, 1 + above_count % 6), below_y = low / std::pow(1.22, 1 + below_count % 6);
    above_count += over > 0 ? 1 : 0;
    below_count += under > 0 ? 1 : 0;
    std::string rows;
    for (const auto& [x, value] : s.points) {
      rows += fmt::format("{} {} {} {}\n", x, is_above(value) || is_below(value) ? "NaN" : fmt::format("{:.9g}", value),
                          is_above(value) ? fmt::format("{:.9g}", above_y) : "NaN",
                          is_below(value) ? fmt::format("{:.9g}", below_y) : "NaN");
    }
    // The off-scale values: listed when one or two, else their count and range of n.
    const auto describe = [&](bool want_above, int count) {
      std::string list;
      double first = 0, last = 0;
      int seen = 0;
      for (const auto& [x, value] : s.points) {
        if (want_above ? !is_above(value) : !is_below(value)) continue;
        if (seen++ == 0) first = x;
        last = x;
        const std::string shown = std::isfinite(value) ? compact(value) : "not finite";
        list += (list.empty() ? "" : ", ") + (s.points.size() > 1 ? fmt::format("{} at n = {}", shown, x) : shown);
      }
      return count > 2 ? fmt::format("{} values, n = {}..{}", count, first, last) : list;
    };
    std::string title = style.label;
    if (over > 0) title += " ▲ " + describe(true, over);
    if (under > 0) title += " ▼ " + describe(false, under);
    const std::string block = fmt::format("${}{}", prefix, index++);
    data += fmt::format("{} << EOD\n{}EOD\n", block, rows);
    const std::string line =
        style.point == 0 || lines_only ? "lines" : fmt::format("linespoints pt {} ps 1.1", style.point);
    // gnuplot drops a plot with no valid point, key entry and all: the legend entry goes on a plot that
    // has points (the in-range line, else the triangles above, else those below).
    const int in_range = static_cast<int>(s.points.size()) - over - under;
    const auto key = [&](bool mine) { return mine ? fmt::format("title '{}' noenhanced", title) : std::string("notitle"); };
    std::string parts;
    if (in_range > 0) {
      parts += fmt::format("{} using 1:2 with {} lc rgb '{}' dt {} lw {} {}", block, line, style.colour, style.dash,
                           style.width, key(true));
    }
    if (over > 0) {
      parts += fmt::format("{}{} using 1:3 with points pt 9 ps 1.6 lc rgb '{}' {}", parts.empty() ? "" : ", ", block,
                           style.colour, key(in_range == 0));
    }
    if (under > 0) {
      parts += fmt::format("{}{} using 1:4 with points pt 11 ps 1.6 lc rgb '{}' {}", parts.empty() ? "" : ", ", block,
                           style.colour, key(in_range == 0 && over == 0));
    }
    if (parts.empty()) continue;
    plots += (plots.empty() ? "" : ", ") + parts;
  }
  for (const auto& [x, value, legend] : paper) {
    plots += fmt::format(", '+' using ({}):({}) every ::0::0 with points pt 3 ps 2.2 lw 2 lc rgb 'black' title '{}' noenhanced",
                         x, value, legend);
  }
  if (lines_only) {  // training curves: no off-scale bands (a value beyond the range is clipped at the border)
    return fmt::format("  set logscale y; set yrange [{}:{}]; unset object; unset label\n  plot {}\n", low, high, plots);
  }
  return fmt::format(
      "  set logscale y; set yrange [{0}:{1}]; unset object; unset label\n"
      "  set object 1 rect from graph 0, first {2} to graph 1, first {1} fc rgb '#e8e8e8' fs solid noborder behind\n"
      "  set object 2 rect from graph 0, first {0} to graph 1, first {3} fc rgb '#e8e8e8' fs solid noborder behind\n"
      "  set label 1 'off scale ▲' at graph 0.01, first {4} left font ',8' tc rgb '#555555' front\n"
      "  set label 2 'off scale ▼' at graph 0.01, first {5} left font ',8' tc rgb '#555555' front\n"
      "  plot {6}\n",
      low / kBand, high * kBand, high, low, high * kBand / 1.12, low / kBand * 1.15, plots);
}

std::string training_curves(const nlohmann::json& table) {
  std::map<std::string, Series> by_name;
  for (const auto& row : table.at("rows")) {
    const std::string name = row[0].get<std::string>();
    if (name.find("_meta") == std::string::npos) continue;
    by_name[name].name = name;
    by_name[name].points.emplace_back(row[1].get<int>(), row[4].is_number() ? row[4].get<double>() : std::nan(""));
  }
  std::vector<Series> figure2, figure3;
  for (auto& [name, series] : by_name) (name.rfind("lista_vm", 0) == 0 ? figure3 : figure2).push_back(series);
  if (figure2.empty() && figure3.empty()) return "";
  std::string data;
  const std::string body =
      "  set multiplot layout 1,2 title 'Figures 2 and 3: meta-trained baselines, mean ||β̂ - β||^2 on fresh X after each "
      "epoch (d = 20, N = 10, S = 3, K = 12)' noenhanced\n"
      "  set xlabel 'epoch'; set ylabel 'mean ||β̂ - β||^2 on fresh X' noenhanced; set grid; set xrange [0:350]\n"
      "  set key bottom left font ',9' opaque box\n"
      "  set title 'Figure 2: LISTA and LISTA-CP'\n" +
      panel("f2_", figure2, 1.0, 10.0, {{340, 3.0, "paper, Fig. 2: ≈ 3 (varying X)"}}, data, true) +
      "  set title 'Figure 3: LISTA-VM (and LISTA-VM-SS, support in the first 10)'; set key bottom left font ',9' opaque box\n" +
      panel("f3_", figure3, 0.1, 3.0, {{340, 0.68, "paper, Fig. 3: ≈ 0.68 after 340 epochs"}}, data, true) +
      "  unset multiplot\n";
  return data + both_terminals("fig2_fig3_training", body, "1600,640");
}

// Figure 1a (two panels: varying X, fixed X) and 1b: mean label loss against n, with the references.
std::string label_loss(const nlohmann::json& table, bool prior) {
  std::map<std::string, Series> varying, fixed;
  for (const auto& row : table.at("rows")) {
    if ((row[1] == "support in first 10") != prior) continue;
    const std::string name = row[0].get<std::string>();
    // A meta-trained model has no training X of its own worth the name: the fixed-X panel leaves it out.
    if (row[2] != "varying X" && name.find("_meta") != std::string::npos) continue;
    auto& target = row[2] == "varying X" ? varying : fixed;
    target[name].name = name;
    target[name].points.emplace_back(row[3].get<int>(), row[4].is_number() ? row[4].get<double>() : std::nan(""));
  }
  if (varying.empty()) return "";
  const auto values = [](const std::map<std::string, Series>& m) {
    std::vector<Series> out;
    for (const auto& [name, series] : m) out.push_back(series);
    return out;
  };
  std::string data;
  const std::string common =
      "  set xlabel 'n (in-context examples)'; set ylabel 'mean label loss (y_{N+1} - ŷ_{N+1})^2'; set grid\n"
      "  set xrange [0.5:10.7]; set xtics 1; set key outside right font ',9' spacing 1.15\n";
  if (prior) {
    const std::string body =
        common + "  set title 'Figure 1b: S = 3, support inside the first 10 entries, varying X'\n" +
        panel("b", values(varying), 0.01, 30.0, {{10.3, 0.07, "paper: LISTA-VM-SS ≈ 0.07 at n = 10 (Sec. 6)"}}, data);
    return data + both_terminals("fig1b_baselines", body, "1400,640");
  }
  const std::string body =
      "  set multiplot layout 2,1 title 'Figure 1a: S = 3, d = 20, N = 10; the fixed-shape methods (LISTA, LISTA-CP, ALISTA) "
      "at n = N = 10 only'\n" + common +
      "  set title 'varying X'\n" +
      panel("v", values(varying), 0.05, 30.0,
            {{10.3, 0.68, "paper: LISTA-VM ≈ 0.68 at n = 10 (Fig. 3)"}, {10.3, 3.0, "paper: meta LISTA, LISTA-CP ≈ 3 at n = 10 (Fig. 2)"}}, data) +
      "  set title 'fixed X (each checkpoint on its own training X)'\n" + panel("f", values(fixed), 0.01, 30.0, {}, data) +
      "  unset multiplot\n";
  return data + both_terminals("fig1a_baselines", body, "1500,1250");
}

// Figure 1c: the trained Small TF's three read-outs against n (trained.readout_gap's curve).
std::string trained_readouts(const nlohmann::json& result) {
  const auto& rows = result.at("figures").at("curve").at("rows");
  if (rows.empty()) return "";
  std::string data = "$c << EOD\n";
  for (const auto& row : rows) data += fmt::format("{} {} {} {}\n", row[0].get<int>(), num(row[1], true), num(row[2], true), num(row[3], true));
  data += "EOD\n";
  const bool reduced = result.at("figures").value("reduced", true);
  const std::string body = fmt::format(
      "  set logscale y; set xlabel 'n (in-context examples)'; set ylabel 'mean (y_{{n+1}} - ŷ)^2'; set grid; set key top right\n"
      "  set title 'Figure 1c: Small TF with three read-outs{}'\n"
      "  plot $c using 1:2 with linespoints pt 7 lw 2 title 'Linear Readout', $c using 1:3 with linespoints pt 5 lw 2 title "
      "'Query Readout', $c using 1:4 with linespoints pt 9 lw 2 title 'Query Readout† (V of the proof)'\n",
      reduced ? " (REDUCED checkpoints: trained far below the paper budget)" : "");
  return data + both_terminals("fig1c_readouts", body);
}

// The mechanism: probe error by layer for the trained Small TF and the construction, with LISTA-VM's.
std::string probe_plot(const nlohmann::json& result) {
  const auto& probe = result.at("figures").at("probe");
  const auto& mine = probe.at("error_by_layer");
  std::string data = "$p << EOD\n";
  for (std::size_t k = 0; k < mine.size(); ++k) {
    const auto pick = [&](const char* key, const char* inner) -> std::string {
      if (!probe.contains(key)) return "NaN";
      const auto& series = inner ? probe.at(key).at(inner) : probe.at(key);
      return k < series.size() ? num(series[k], true) : "NaN";
    };
    data += fmt::format("{} {} {} {} {}\n", k, num(mine[k], true), pick("construction", "error_by_layer"),
                        pick("lista_vm_error_by_layer", nullptr), pick("distance_to_lista_vm_iterate", nullptr));
  }
  data += "EOD\n";
  const bool reduced = result.at("figures").value("reduced", true);
  const std::string body = fmt::format(
      "  set logscale y; set format y '10^{{%L}}'; set xlabel 'layer k'; set ylabel 'mean squared error'; set grid; set key outside right\n"
      "  set title 'Linear probes of β from the query token after each layer{}: fitted rate {:.4f} per layer'\n"
      "  plot $p using 1:2 with linespoints pt 7 lw 2 title 'trained Small TF: probe vs β*', "
      "$p using 1:3 with linespoints pt 5 lw 2 title 'construction (App. C.1): probe vs β*', "
      "$p using 1:4 with lines dt 2 lw 2 title 'LISTA-VM iterate vs β*', "
      "$p using 1:5 with linespoints pt 9 title 'trained probe vs LISTA-VM iterate'\n",
      reduced ? " (REDUCED checkpoint)" : "", probe.value("rate_per_layer", 0.0));
  return data + both_terminals("mechanism_probes", body, "1200,640");
}

struct Planned {
  Figure figure;
  std::string script;
};

std::vector<Planned> plan(const nlohmann::json& datasets, const nlohmann::json& statements) {
  std::vector<Planned> out;
  const std::vector<std::string> convergence{"thm5.1", "thm5.1.iso", "thmD.1", "thmD.1.iso", "conj.rate2x"};
  if (datasets.contains("thm5.1_grid")) {
    const auto& grid = datasets.at("thm5.1_grid");
    out.push_back({{"thm5.1_error_vs_K", "Theorem 5.1: median error against K for n = N_0 .. 16 N_0, with the bound c1 e^{-alpha_n K}",
                    "data/thm5.1_grid.csv", convergence}, error_vs_K(grid)});
    out.push_back({{"thm5.1_error_vs_n", "Theorem 5.1 at K = 12: error quantiles against n, with the bound",
                    "data/thm5.1_grid.csv", convergence}, error_vs_n(grid)});
    out.push_back({{"thm5.1_tightness_nK", "Tightness (median observed/bound) over (n, K); red: the bound is exceeded",
                    "data/thm5.1_grid.csv", convergence},
                   heatmap("thm5.1_tightness_nK", grid, "K", "K (layers)", "Theorem 5.1 tightness over (n, K), γ = 1")});
  }
  if (datasets.contains("thm5.1_gamma_grid")) {
    out.push_back({{"thm5.1_tightness_gamma_n", "Tightness over (gamma, n) at K = 12; red: the bound is exceeded (gamma above about 6/5)",
                    "data/thm5.1_gamma_grid.csv", convergence},
                   heatmap("thm5.1_tightness_gamma_n", datasets.at("thm5.1_gamma_grid"), "gamma", "γ",
                           "Theorem 5.1 tightness over (γ, n), K = 12")});
  }
  if (datasets.contains("lemma3_coherence")) {
    out.push_back({{"lemma3_coherence", "Lemma 3: the three coherence quantities against n, with the three bounds",
                    "data/lemma3_coherence.csv", {"lemma3", "lemma3.lower", "lemma3.upper", "lemma3.offdiag"}},
                   lemma3(datasets.at("lemma3_coherence"))});
  }
  if (datasets.contains("regime_map")) {
    out.push_back({{"regime_map", "N_0 against d and S at delta = 0.05; the paper's experiments use N = 10",
                    "data/regime_map.csv", {"thm5.1", "thmD.1", "empirical"}}, regime(datasets.at("regime_map"))});
  }
  if (datasets.contains("empirical_n0")) {
    out.push_back({{"empirical_n0_rate", "Theorem 5.1's rate against n/d: the claimed alpha_n (black), and the delta-quantile of "
                    "the per-draw rate -log(error/c1)/K with its 95% interval for the proof's witness (red) and the searched "
                    "witness (blue); the claim holds at n where the quantile is above alpha_n. Rates below -1 (divergence) are "
                    "drawn at -1",
                    "data/empirical_n0.csv", {"thm5.1", "thm5.1.iso", "remark2"}},
                   empirical_rate(datasets.at("empirical_n0"))});
  }
  if (datasets.contains("baselines_training") && !datasets.at("baselines_training").at("rows").empty()) {
    out.push_back({{"fig2_fig3_training", "Figures 2 and 3: meta-trained LISTA and LISTA-CP (left), LISTA-VM in both forms and LISTA-VM-SS (right), mean "
                    "error on fresh X by epoch; black stars: the paper's values",
                    "data/baselines_training.csv", {"exp.meta_no_rescue", "exp.vm_beats_ista"}},
                   training_curves(datasets.at("baselines_training"))});
  }
  if (datasets.contains("figure1_baselines") && !datasets.at("figure1_baselines").at("rows").empty()) {
    out.push_back({{"fig1a_baselines", "Figure 1a: mean label loss against n on varying and on fixed X (baselines, Small TF, GPT-2) with the exact "
                    "Lasso and min-norm least squares; triangles: off the axis, value in the legend; black stars: the "
                    "paper's values (mean error; equal to the mean label loss in expectation)",
                    "data/figure1_baselines.csv", {"exp.fixed_degrades", "exp.vm_beats_ista", "exp.meta_no_rescue", "trained.remark2"}},
                   label_loss(datasets.at("figure1_baselines"), false)});
    out.push_back({{"fig1b_baselines", "Figure 1b: support in the first 10 entries: LISTA-VM-SS and LISTA-VM (both forms), ISTA, FISTA, Small TF and "
                    "GPT-2 trained with the prior, and the references restricted to the support set",
                    "data/figure1_baselines.csv", {"exp.ss_beats_vm", "trained.remark3"}},
                   label_loss(datasets.at("figure1_baselines"), true)});
  }
  const auto has = [&](const char* id, const char* key) {
    return statements.contains(id) && statements.at(id).contains("figures") && statements.at(id).at("figures").is_object() &&
           statements.at(id).at("figures").contains(key);
  };
  if (has("trained.readout_gap", "curve") && !statements.at("trained.readout_gap").at("figures").at("curve").at("rows").empty()) {
    out.push_back({{"fig1c_readouts", "Figure 1c: trained Small TF with the linear, query and query-dagger read-outs against n",
                    "statements/trained.readout_gap.json", {"trained.readout_gap"}},
                   trained_readouts(statements.at("trained.readout_gap"))});
  }
  if (has("trained.probe", "probe")) {
    out.push_back({{"mechanism_probes", "Linear probes of beta after each layer: trained Small TF, the construction, LISTA-VM",
                    "statements/trained.probe.json", {"trained.probe"}},
                   probe_plot(statements.at("trained.probe"))});
  }
  if (statements.contains("remark4") && statements.at("remark4").contains("figures") &&
      statements.at("remark4").at("figures").contains("curve")) {
    out.push_back({{"readout_gap", "Figure 1c analogue: linear and query read-out errors against n, with both bounds",
                    "data/remark4_curve.csv", {"remark4", "thmE.1", "corE.1"}},
                   readout(statements.at("remark4").at("figures").at("curve"))});
  }
  return out;
}

}  // namespace

std::vector<Figure> planned_figures(const nlohmann::json& datasets, const nlohmann::json& statements) {
  std::vector<Figure> figures;
  for (const Planned& planned : plan(datasets, statements)) figures.push_back(planned.figure);
  return figures;
}

std::vector<Figure> render_figures(const std::string& dir, const nlohmann::json& datasets,
                                   const nlohmann::json& statements) {
  const std::filesystem::path folder = std::filesystem::path(dir) / "figures";
  std::filesystem::create_directories(folder);
  std::vector<Figure> figures;
  for (const Planned& planned : plan(datasets, statements)) {
    const std::string name = planned.figure.name;
    {
      std::ofstream script(folder / (name + ".gp"));
      script << header(name) << planned.script;
      if (!script) throw std::runtime_error("cannot write " + (folder / (name + ".gp")).string());
    }
    const std::string command = fmt::format("cd '{}' && gnuplot '{}.gp' > '{}.log' 2>&1", folder.string(), name, name);
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error("gnuplot failed on figure " + name + " (see " + (folder / (name + ".log")).string() +
                               "); is gnuplot installed? scripts/setup.sh installs gnuplot-nox");
    }
    std::filesystem::remove(folder / (name + ".log"));
    figures.push_back(planned.figure);
  }
  return figures;
}

}  // namespace icsr::reports
