#include "reports/plots.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

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

std::string training_curves(const nlohmann::json& table) {
  const std::vector<std::string> names{"lista_meta", "lista_cp_meta", "lista_vm_meta", "lista_vm_ss_meta"};
  std::string data, plots;
  int block = 0;
  for (const std::string& name : names) {
    std::string rows;
    for (const auto& row : table.at("rows")) {
      if (row[0] == name) rows += fmt::format("{} {}\n", row[1].get<int>(), num(row[4], true));
    }
    if (rows.empty()) continue;
    data += fmt::format("$c{} << EOD\n{}EOD\n", block, rows);
    plots += fmt::format("{}$c{} using 1:2 with lines lw 2 title '{} (meta-trained), fresh X' noenhanced", block ? ", " : "", block,
                         name);
    ++block;
  }
  if (block == 0) return "";
  const std::string body = fmt::format(
      "  set xlabel 'epoch'; set ylabel 'mean ||β̂ - β||^2 on fresh X'; set grid; set key outside right; set logscale y\n"
      "  set title 'Figures 2 and 3: meta-trained baselines by epoch (d = 20, N = 10, S = 3, K = 12)'\n"
      "  set arrow 1 from graph 0, first 3 to graph 1, first 3 nohead dt 2 lc rgb 'gray'\n"
      "  set label 1 'paper, Fig. 2: LISTA, LISTA-CP ≈ 3' at graph 0.02, first 3.6 tc rgb 'gray'\n"
      "  set arrow 2 from graph 0, first 0.68 to graph 1, first 0.68 nohead dt 2 lc rgb 'black'\n"
      "  set label 2 'paper, Fig. 3: LISTA-VM ≈ 0.68' at graph 0.02, first 0.6 tc rgb 'black'\n"
      "  plot {}\n",
      plots);
  return data + both_terminals("fig2_fig3_training", body, "1200,640");
}

std::string label_loss(const nlohmann::json& table, bool prior) {
  std::map<std::string, std::string> blocks;  // "checkpoint|X" -> rows
  for (const auto& row : table.at("rows")) {
    const bool is_prior = row[1] == "support in first 10";
    if (is_prior != prior) continue;
    blocks[row[0].get<std::string>() + "|" + row[2].get<std::string>()] +=
        fmt::format("{} {}\n", row[3].get<int>(), num(row[4], true));
  }
  if (blocks.empty()) return "";
  std::string data, varying, fixed;
  int index = 0;
  for (const auto& [key, rows] : blocks) {
    const std::string name = key.substr(0, key.find('|')), regime = key.substr(key.find('|') + 1);
    data += fmt::format("$b{} << EOD\n{}EOD\n", index, rows);
    std::string& target = regime == "varying X" ? varying : fixed;
    target += fmt::format("{}$b{} using 1:2 with linespoints pt {} ps 1.2 lw 2 title '{}' noenhanced", target.empty() ? "" : ", ",
                          index, 5 + index % 8, name);
    ++index;
  }
  std::string body;
  if (prior) {
    body = fmt::format(
        "  set logscale y; set xlabel 'n (in-context examples)'; set ylabel 'mean (y_{{N+1}} - ŷ)^2'; set grid; set key top right\n"
        "  set title 'Figure 1b: support inside the first 10 entries, varying X'\n"
        "  set arrow 1 from graph 0, first 0.07 to graph 1, first 0.07 nohead dt 2 lc rgb 'gray'\n"
        "  set label 1 'paper: LISTA-VM-SS ≈ 0.07 at n = 10, comparable to Small TF' at graph 0.02, first 0.08 tc rgb 'gray'\n"
        "  plot {}\n", varying);
    return data + both_terminals("fig1b_baselines", body);
  }
  body = fmt::format(
      "  set multiplot layout 1,2 title 'Figure 1a: label prediction loss against n; fixed-shape methods at n = N = 10 only'\n"
      "  set logscale y; set format y '10^{{%L}}'; set xlabel 'n'; set ylabel 'mean (y_{{N+1}} - ŷ)^2'; set grid; set key top right font ',9'\n"
      "  set xrange [0.5:10.5]\n"
      "  set title 'varying X'\n"
      "  set arrow 1 from graph 0, first 0.68 to graph 1, first 0.68 nohead dt 2 lc rgb 'gray'\n"
      "  set label 1 'paper: LISTA-VM ≈ 0.68 (Fig. 3); Small TF and GPT-2 below it' at graph 0.02, first 0.75 tc rgb 'gray'\n"
      "  plot {}\n  unset arrow 1; unset label 1\n"
      "  set title 'fixed X (the training X of each checkpoint)'\n  plot {}\n"
      "  unset multiplot\n", varying, fixed);
  return data + both_terminals("fig1a_baselines", body, "1500,620");
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
  if (datasets.contains("baselines_training") && !datasets.at("baselines_training").at("rows").empty()) {
    out.push_back({{"fig2_fig3_training", "Figures 2 and 3: meta-trained LISTA, LISTA-CP, LISTA-VM (and LISTA-VM-SS) by epoch, with the paper's values",
                    "data/baselines_training.csv", {"exp.meta_no_rescue", "exp.vm_beats_ista"}},
                   training_curves(datasets.at("baselines_training"))});
  }
  if (datasets.contains("figure1_baselines") && !datasets.at("figure1_baselines").at("rows").empty()) {
    out.push_back({{"fig1a_baselines", "Figure 1a: label prediction loss against n on varying and on fixed X (baselines, Small TF, GPT-2)",
                    "data/figure1_baselines.csv", {"exp.fixed_degrades", "exp.vm_beats_ista", "trained.remark2"}},
                   label_loss(datasets.at("figure1_baselines"), false)});
    out.push_back({{"fig1b_baselines", "Figure 1b: support in the first 10 entries: LISTA-VM-SS, LISTA-VM, Small TF and GPT-2 trained with the prior",
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
