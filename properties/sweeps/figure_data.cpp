// The report's sweeps. Setting: the paper's experiment (d = 20, S = 3, isotropic Gaussian rows,
// delta = 0.05, which the paper does not give) with the proof's parameters, M^V = 2I, gamma^(k) = gamma
// and Lemma 1's thresholds from the realised D_n. Gram matrices come from the exact Wishart law, so a
// draw costs O(d^3) whatever n is. c is --c or the derived Gaussian value.
#include "properties/sweeps/figure_data.hpp"

#include <algorithm>
#include <filesystem>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

#include "models/training/baseline_training.hpp"
#include "models/lista_vm.hpp"
#include "models/tensor_convert.hpp"
#include "properties/harness/checkpoints.hpp"
#include "properties/statements/trained_models.hpp"
#include "properties/statements/thm5_1_convergence.hpp"
#include "properties/sweeps/empirical_n0.hpp"
#include "properties/sweeps/section6.hpp"
#include "theory/bounds.hpp"
#include "theory/problem.hpp"
#include "theory/reference_estimators.hpp"
#include "theory/subexponential.hpp"
#include "theory/summary.hpp"

namespace icsr::properties {
namespace {

constexpr int kD = 20, kS = 3, kKmax = 24;
constexpr double kDelta = 0.05;

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(std::floor(q * static_cast<double>(values.size() - 1)));
  return values[std::min(index, values.size() - 1)];
}

double alpha_or_nan(long n, double gamma, double c) {
  try {
    return theory::theorem51_alpha(static_cast<double>(n), kD, kS, gamma, kDelta, c);
  } catch (const std::invalid_argument&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

// One draw: the errors ||beta^(k+1) - beta*|| for k = 1..K (index k - 1) and c1 = ||beta*||_1.
struct ErrorPath {
  std::vector<double> errors;
  double c1 = 0.0;
};

ErrorPath error_path(long n, double gamma, int K, std::mt19937_64& rng) {
  const ProofRun run = proof_parameter_run(kD, kS, n, gamma, K, rng);
  ErrorPath path;
  path.c1 = run.c1;
  for (int k = 1; k <= K; ++k) path.errors.push_back((run.iterates[k] - run.beta_star).norm());
  return path;
}

nlohmann::json table(const std::string& name, const std::string& title, nlohmann::json parameters,
                     std::vector<std::string> columns, nlohmann::json rows) {
  return {{"name", name}, {"title", title}, {"parameters", std::move(parameters)}, {"columns", columns},
          {"rows", std::move(rows)}};
}

double c_of(const CheckOptions& options) { return effective_c(options); }

nlohmann::json thm51_grid(const CheckOptions& options) {
  const double c = c_of(options), gamma = 1.0;
  const int draws = options.budget == Budget::quick ? 60 : 400;
  const double N0 = theory::theorem51_N0(kD, kS, kDelta, c);
  std::mt19937_64 rng(options.seed ^ 0x51a7e5d1ULL);
  nlohmann::json rows = nlohmann::json::array();
  for (int j = 0; j <= 4; ++j) {
    const long n = static_cast<long>(std::ceil(N0 * std::pow(2.0, j)));
    const double alpha = alpha_or_nan(n, gamma, c);
    std::vector<ErrorPath> paths;
    for (int t = 0; t < draws; ++t) paths.push_back(error_path(n, gamma, kKmax, rng));
    for (int K = 1; K <= kKmax; ++K) {
      std::vector<double> errors, bounds, ratios;
      int failures = 0;
      for (const ErrorPath& path : paths) {
        const double bound = path.c1 * std::exp(-alpha * K);
        errors.push_back(path.errors[K - 1]);
        bounds.push_back(bound);
        ratios.push_back(path.errors[K - 1] / bound);
        failures += path.errors[K - 1] > bound ? 1 : 0;
      }
      rows.push_back({n, n / N0, K, alpha, quantile(errors, 0.5), quantile(errors, 1.0 - kDelta), quantile(bounds, 0.5),
                      quantile(ratios, 0.5), failures, draws});
    }
  }
  return table("thm5.1_grid", "Theorem 5.1: error and bound over (n, K), d = 20, S = 3, gamma = 1, delta = 0.05",
               {{"d", kD}, {"S", kS}, {"gamma", gamma}, {"delta", kDelta}, {"c", c}, {"N0", N0}, {"draws", draws},
                {"seed", options.seed}},
               {"n", "n_over_N0", "K", "alpha_n", "error_median", "error_q95", "bound_median", "tightness_median",
                "failures", "draws"},
               rows);
}

nlohmann::json thm51_gamma_grid(const CheckOptions& options) {
  const double c = c_of(options);
  const int K = 12;
  const int draws = options.budget == Budget::quick ? 40 : 200;
  const double N0 = theory::theorem51_N0(kD, kS, kDelta, c);
  std::mt19937_64 rng(options.seed ^ 0x9a33a5e1ULL);
  nlohmann::json rows = nlohmann::json::array();
  for (int g = 1; g <= 15; ++g) {
    const double gamma = 0.1 * g;
    for (int j = 0; j <= 4; ++j) {
      const long n = static_cast<long>(std::ceil(N0 * std::pow(2.0, j)));
      const double alpha = alpha_or_nan(n, gamma, c);
      std::vector<double> errors, bounds, ratios;
      int failures = 0;
      for (int t = 0; t < draws; ++t) {
        const ErrorPath path = error_path(n, gamma, K, rng);
        const double bound = path.c1 * std::exp(-alpha * K);
        errors.push_back(path.errors.back());
        bounds.push_back(bound);
        ratios.push_back(path.errors.back() / bound);
        failures += path.errors.back() > bound ? 1 : 0;
      }
      rows.push_back({gamma, n, n / N0, alpha, quantile(errors, 0.5), quantile(bounds, 0.5), quantile(ratios, 0.5),
                      failures, draws});
    }
  }
  return table("thm5.1_gamma_grid", "Theorem 5.1: tightness over (gamma, n) at K = 12, d = 20, S = 3, delta = 0.05",
               {{"d", kD}, {"S", kS}, {"K", K}, {"delta", kDelta}, {"c", c}, {"N0", N0}, {"draws", draws},
                {"seed", options.seed}},
               {"gamma", "n", "n_over_N0", "alpha_n", "error_median", "bound_median", "tightness_median", "failures",
                "draws"},
               rows);
}

nlohmann::json lemma3_coherence(const CheckOptions& options) {
  const double c = c_of(options);
  const int draws = options.budget == Budget::quick ? 200 : 2000;
  const double N0 = theory::theorem51_N0(kD, kS, kDelta, c);
  std::mt19937_64 rng(options.seed ^ 0x13c0e4e7ULL);
  theory::ProblemConfig config;
  config.d = kD;
  config.S = kS;
  const std::vector<int> support{0, 1, 2};  // isotropic rows: any S indices are alike
  nlohmann::json rows = nlohmann::json::array();
  const int points = 12;
  for (int i = 0; i < points; ++i) {
    const long n = std::lround(10.0 * std::pow(16.0 * N0 / 10.0, static_cast<double>(i) / (points - 1)));
    std::vector<double> low, high, off;
    for (int t = 0; t < draws; ++t) {
      const Eigen::MatrixXd gram = theory::sample_gram(config, n, rng);
      const theory::GeneralisedCoherence coherence =
          theory::generalised_coherence((2.0 / (2.0 * n + 1.0)) * gram, support);
      low.push_back(coherence.sigma_min);
      high.push_back(coherence.support_diagonal_max);
      off.push_back(coherence.sigma_max);
    }
    rows.push_back({n, n / N0, quantile(low, kDelta), quantile(low, 0.5), theory::lemma3_diagonal_lower(static_cast<double>(n), kS, kDelta, c),
                    quantile(high, 0.5), quantile(high, 1.0 - kDelta), theory::lemma3_diagonal_upper(static_cast<double>(n), kS, kDelta, c),
                    quantile(off, 0.5), quantile(off, 1.0 - kDelta), theory::lemma3_off_diagonal(static_cast<double>(n), kD, kDelta, c),
                    draws});
  }
  return table("lemma3_coherence", "Lemma 3: generalised coherence of D_n with X against n, d = 20, S = 3, delta = 0.05",
               {{"d", kD}, {"S", kS}, {"delta", kDelta}, {"c", c}, {"N0", N0}, {"draws", draws}, {"seed", options.seed}},
               {"n", "n_over_N0", "diag_min_q05", "diag_min_median", "bound_lower", "diag_max_median", "diag_max_q95",
                "bound_upper", "off_max_median", "off_max_q95", "bound_off", "draws"},
               rows);
}

nlohmann::json regime_map(const CheckOptions& options) {
  const double c = c_of(options);
  nlohmann::json rows = nlohmann::json::array();
  for (int d : {5, 10, 20, 50, 100, 200, 500, 1000}) {
    for (int S : {1, 2, 3, 5}) {
      for (double delta : {0.01, 0.05, 0.1}) rows.push_back({d, S, delta, theory::theorem51_N0(d, S, delta, c)});
    }
  }
  return table("regime_map", "N_0 of Theorem 5.1 against d, S and delta (the paper's experiments use N = 10)",
               {{"c", c}, {"paper_N", 10}, {"paper_d", 20}, {"paper_S", 3}}, {"d", "S", "delta", "N0"}, rows);
}

// Figures 2 and 3: each meta- or fixed-trained checkpoint's evaluation after every epoch.
const std::vector<std::string>& checkpoint_names() {
  static const std::vector<std::string> names{"ista",           "fista",          "lista_fixed",
                                              "lista_meta",     "lista_cp_fixed", "lista_cp_meta",
                                              "alista_fixed",   "lista_vm_fixed", "lista_vm_meta",
                                              "lista_vm_ss_meta", "lista_vm_per_layer_fixed", "lista_vm_per_layer_meta",
                                              "lista_vm_ss_per_layer_meta", "lista_vm_per_layer_prior_meta",
                                              "lista_vm_prior_meta"};
  return names;
}

// Trained on the support prior (LISTA-VM-SS, and LISTA-VM trained on prior data): drawn in Figure 1b only.
bool trained_on_prior(const models::TrainedBaseline& trained) { return !trained.config.support_prior.empty(); }
// LISTA-VM trained on the prior data: its training curve is not Figure 3's (that one is on uniform supports).
bool prior_trained_lista_vm(const std::string& name) { return name.find("_prior_meta") != std::string::npos; }

// Under the prior only the meta-trained LISTA-VM forms and ISTA/FISTA are drawn (Figure 1b).
bool fresh_only_ok(const std::string& name) { return name.find("_fixed") == std::string::npos; }

// The summary columns every Figure 1 row carries after "loss_mean", "loss_median", "instances".
// A diverged model's losses may overflow: then the intervals are missing (NaN) and the mean says so.
nlohmann::json with_intervals(nlohmann::json row, const std::vector<double>& losses) {
  if (!std::all_of(losses.begin(), losses.end(), [](double value) { return std::isfinite(value); })) {
    for (int i = 0; i < 4; ++i) row.push_back(std::numeric_limits<double>::quiet_NaN());
    return row;
  }
  const theory::Summary summary = theory::summarize(losses);
  for (double value : {summary.mean_low, summary.mean_high, summary.median_low, summary.median_high}) row.push_back(value);
  return row;
}

// The statistical references of Figure 1a/1b on one batch (reference_losses, restricted to the support
// set under the prior): their label losses as two rows.
void reference_rows(const models::Batch& batch, const torch::Tensor& query, const std::vector<int>& support, int n,
                    bool prior, nlohmann::json& rows) {
  const int T = static_cast<int>(batch.X.size(0));
  const ReferenceLosses references = reference_losses(batch, query, support);
  const std::vector<double>& lasso_loss = references.lasso_label;
  const std::vector<double>& least_squares_loss = references.least_squares_label;
  const int unconverged = references.lasso_unconverged;
  const std::string regime = prior ? "support in first 10" : "uniform support";
  rows.push_back(with_intervals({prior ? "lasso (restricted to the support set)" : "lasso", regime, "varying X", n,
                                 theory::summarize(lasso_loss).mean, theory::median(lasso_loss), T},
                                lasso_loss));
  rows.back().push_back(unconverged);
  rows.push_back(with_intervals({prior ? "min-norm least squares (support set)" : "min-norm least squares", regime,
                                 "varying X", n, theory::summarize(least_squares_loss).mean,
                                 theory::median(least_squares_loss), T},
                                least_squares_loss));
  rows.back().push_back(0);
}

nlohmann::json baselines_training(const CheckOptions&) {
  nlohmann::json rows = nlohmann::json::array();
  for (const std::string& name : checkpoint_names()) {
    const std::string path = checkpoint_dir() + "/" + name + ".safetensors";
    if (!std::filesystem::exists(path) || prior_trained_lista_vm(name)) continue;
    const models::TrainedBaseline trained = models::load_baseline(path);
    for (const models::EpochRecord& record : trained.history) {
      rows.push_back({name, record.epoch, record.train_loss, record.eval_fixed, record.eval_varying});
    }
  }
  return table("baselines_training", "Baselines: error ||beta^ - beta||^2 after each epoch (Figures 2 and 3)",
               {{"checkpoints", checkpoint_dir()}, {"paper_figure2_varying_X", 3.0}, {"paper_figure3_lista_vm", 0.68}},
               {"checkpoint", "epoch", "train_loss", "eval_fixed_X", "eval_varying_X"}, rows);
}

// Figure 1a/1b, baseline part: label prediction loss (y_{N+1} - y^)^2 against n on varying X and on
// each checkpoint's training X (its first n rows), with the support prior for Figure 1b.
nlohmann::json figure1_baselines(const CheckOptions& options) {
  const int T = options.budget == Budget::quick ? 2000 : 20000;
  nlohmann::json rows = nlohmann::json::array();
  for (const std::string& name : checkpoint_names()) {
    const std::string path = checkpoint_dir() + "/" + name + ".safetensors";
    if (!std::filesystem::exists(path)) continue;
    models::TrainedBaseline trained = models::load_baseline(path);
    const auto& config = trained.config;
    for (bool prior : {false, true}) {
      // Figure 1b: ISTA, FISTA, LISTA-VM and LISTA-VM-SS (the fixed-shape methods are Figure 1a's point).
      if (prior && name.rfind("lista_vm", 0) != 0 && name != "ista" && name != "fista") continue;
      if (prior && !fresh_only_ok(name)) continue;
      if (!prior && trained_on_prior(trained)) continue;
      std::vector<int> support;
      if (prior) {
        for (int i = 0; i < 10; ++i) support.push_back(i);
      }
      for (bool fresh : {true, false}) {
        for (int n = trained.model->takes_any_n() ? 1 : config.N; n <= config.N; ++n) {
          torch::NoGradGuard no_grad;
          torch::manual_seed(options.seed * 104729 + static_cast<std::uint64_t>(n));
          const torch::Tensor X = fresh ? torch::Tensor() : trained.train_X.narrow(0, 0, n);
          const models::Batch batch =
              models::sample_batch(T, n, config.d, config.S, support, X, 0, torch::TensorOptions().dtype(torch::kFloat32));
          const torch::Tensor query = torch::randn({T, config.d}, torch::kFloat32);
          const torch::Tensor estimate = trained.model->forward(batch.X, batch.y);
          const torch::Tensor loss = ((estimate - batch.beta) * query).to(torch::kFloat64).sum(1).pow(2);
          rows.push_back(with_intervals({name, prior ? "support in first 10" : "uniform support", fresh ? "varying X" : "fixed X",
                                         n, loss.mean().item<double>(), loss.median().item<double>(), T},
                                        models::to_values(loss)));
          rows.back().push_back(0);
        }
      }
    }
  }
  // The references, on the instances the baselines saw on varying X (the same seeds).
  const int T_reference = options.budget == Budget::quick ? 200 : 5000;  // quick: the report runs in tests
  for (bool prior : {false, true}) {
    std::vector<int> support;
    if (prior) {
      for (int i = 0; i < 10; ++i) support.push_back(i);
    }
    for (int n = 1; n <= 10; ++n) {
      torch::NoGradGuard no_grad;
      torch::manual_seed(options.seed * 104729 + static_cast<std::uint64_t>(n));
      const models::Batch batch = models::sample_batch(T_reference, n, kD, kS, support, torch::Tensor(), 0,
                                                       torch::TensorOptions().dtype(torch::kFloat32));
      const torch::Tensor query = torch::randn({T_reference, kD}, torch::kFloat32);
      reference_rows(batch, query, support, n, prior, rows);
    }
  }
  // The trained Transformers (varying X; Figure 1b: those trained with the support prior), every prefix
  // of one batch of instances.
  for (auto row : transformer_label_loss_rows(options)) rows.push_back(row);
  return table("figure1_baselines",
               "Label prediction loss (y_{N+1} - y^)^2 against n: baselines, Small TF and GPT-2 (Figure 1a; Figure 1b with "
               "the support prior)",
               {{"checkpoints", checkpoint_dir()}, {"d", 20}, {"S", 3}, {"N", 10}, {"seed", options.seed},
                {"lasso_alpha", kReferenceLassoAlpha}, {"lasso_kkt_tolerance", theory::LassoOptions{}.kkt_tolerance},
                {"reference_instances", T_reference},
                {"intervals", "95%: mean +- 1.96 s / sqrt(T); median by order statistics"}},
               {"checkpoint", "support", "X", "n", "loss_mean", "loss_median", "instances", "loss_mean_low", "loss_mean_high",
                "loss_median_low", "loss_median_high", "lasso_unconverged"},
               rows);
}

// Where Theorem 5.1 starts to hold, for the proof's and the searched witness: at the quick budget the README's
// numbers (empirical-n0 --readme), at the full budget four times the draws.
nlohmann::json empirical_n0_data(const CheckOptions& options) {
  EmpiricalN0Options study = readme_empirical_n0_options();
  study.seed = options.seed;
  study.c = options.c;
  const bool full = options.budget == Budget::full;
  if (full) study.trials *= 4;
  return empirical_n0_table(empirical_n0_study(study, full ? 4 * kReadmeGammaTrials : kReadmeGammaTrials));
}

}  // namespace

const std::vector<Dataset>& datasets() {
  static const std::vector<Dataset> all{
      {"thm5.1_grid", "Theorem 5.1 error against K and n, with the bound", thm51_grid},
      {"thm5.1_gamma_grid", "Theorem 5.1 tightness over (gamma, n)", thm51_gamma_grid},
      {"lemma3_coherence", "Lemma 3 coherences against n, with the three bounds", lemma3_coherence},
      {"regime_map", "N_0 against d, S and delta", regime_map},
      {"empirical_n0", "Where Theorem 5.1 starts to hold: empirical N_0 and rate, proof's and searched witness", empirical_n0_data},
      {"baselines_training", "Baselines' error by epoch (Figures 2, 3)", baselines_training},
      {"figure1_baselines", "Baselines' label prediction loss against n (Figure 1a, 1b)", figure1_baselines},
      {"section6_baselines", "Section 6 like for like: means and medians with intervals beside the paper's values",
       section6_baselines},
      {"section6_robustness", "LISTA-VM's training choices against Fig. 3's 0.68", section6_robustness},
  };
  return all;
}

const Dataset& find_dataset(const std::string& name) {
  for (const Dataset& dataset : datasets()) {
    if (dataset.name == name) return dataset;
  }
  std::string known;
  for (const Dataset& dataset : datasets()) known += (known.empty() ? "" : ", ") + dataset.name;
  throw std::invalid_argument("unknown dataset '" + name + "'; known: " + known);
}

}  // namespace icsr::properties
