// Theorem E.1 (Theorem 5.2, linear read-out) and Remark 4, as stated.
//
// The parameters "that exist" are the proof's. The first K layers: M^V = (2/sigma_d^2) I,
// gamma^(k) = gamma, and Lemma 1's theta^(k) from D at the last prefix (as in thm5.1.transformer; one
// parameter set for every token of the sequence). The extra layer (models::theoremE1_readout_layer):
// B' = level sqrt(S), and p = P{x_n^T beta_j >= B'}, estimated (pooled over the n odd tokens) from
// a calibration sample before the checked draws. delta' = P{not E1} + P{not E2(eps)} with
// eps = K sqrt(np) (1 - 2gamma/3)^K, estimated from a second, independent calibration sample.
// Assumption 1's constants are read off each draw: b_x = max_i ||x_i|| (the proof uses ||x_n|| <= b_x
// in (E.1)) and b_beta = ||beta*||_1; C_x is Lemma 4's with N = n.
//
// Verdicts (properties/harness/verdict.hpp, judge_failure_rate_with_excuses): a draw is excused when E1 or E2
// fails. A configuration is vacuous when n delta >= 1, when eta (E.7) is undefined, when no
// calibration draw crossed B' (p = 0, and the layer's 2/p is undefined), when the lower confidence
// bound on delta' + n delta reaches 1 (the claimed probability 1 - delta' - n delta is <= 0), or when
// the median bound is no better than the trivial |y_n| <= b_x b_beta.
#include "properties/statements/thmE1_readout.hpp"

#include <boost/math/distributions/binomial.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <sstream>

#include "models/construction.hpp"
#include "models/embedding.hpp"
#include "models/lista_vm.hpp"
#include "models/tensor_convert.hpp"
#include "models/transformer.hpp"
#include "properties/harness/construction_cases.hpp"
#include "properties/harness/designs.hpp"
#include "properties/harness/runner.hpp"
#include "properties/harness/spec.hpp"
#include "theory/bounds.hpp"
#include "theory/problem.hpp"

namespace icsr::properties {

void showValue(const ReadoutCase& value, std::ostream& os) {
  os << nlohmann::json{{"d", value.d},           {"S", value.S},   {"K", value.K},         {"gamma", value.gamma},
                       {"delta", value.delta},   {"n_step", value.n_step}, {"level", value.level},
                       {"seed", value.seed}}
            .dump();
}

ReadoutDraw readout_draw(const ReadoutCase& value, long n, double N0, double B_prime, double p, bool lemma4_B,
                         double c, std::mt19937_64& rng) {
  (void)c;
  if (n < 2) throw std::invalid_argument("the read-out at token 2n-1 needs n >= 2, got " + std::to_string(n));
  theory::ProblemConfig config;
  config.d = value.d;
  config.N = static_cast<int>(n);
  config.S = value.S;
  config.sigma = column_scales(value);
  const theory::Instance instance = theory::sample_instance(config, rng);
  const Eigen::MatrixXd& X = instance.X;
  const double sigma_d = config.sigma.back();

  ReadoutDraw draw;
  draw.n = n;
  const Eigen::VectorXd x_n = X.row(n - 1).transpose();
  draw.y = instance.y(n - 1);
  draw.b_beta = theory::lemma1_c1(instance.beta_star);
  draw.b_x = X.rowwise().norm().maxCoeff();
  const double smallest = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(X.transpose() * X).eigenvalues()(0);
  draw.Cx = theory::lemma4_Cx(value.d, draw.b_x, draw.b_beta, static_cast<int>(n), smallest);
  if (lemma4_B) B_prime = -draw.b_x * draw.Cx;

  // The first K layers: Lemma 1's thresholds from D at the last prefix n - 1 (token 2n-1).
  const auto prefix = X.topRows(n - 1);
  const Eigen::MatrixXd gram = prefix.transpose() * prefix;
  const double scale = 2.0 / ((2.0 * (n - 1) + 1.0) * sigma_d * sigma_d);
  const theory::GeneralisedCoherence coherence = theory::generalised_coherence(scale * gram, instance.support);
  const double c2 = theory::lemma1_c2(value.gamma, value.S, coherence.sigma_min, coherence.sigma_max);
  models::ListaVmParams params;
  for (int k = 1; k <= value.K; ++k) {
    params.gamma.push_back(value.gamma);
    params.theta.push_back(theory::lemma1_theta(k, value.gamma, coherence.sigma_max, draw.b_beta, c2));
    params.matrix.push_back((2.0 / (sigma_d * sigma_d)) * Eigen::MatrixXd::Identity(value.d, value.d));
  }
  double total = 0.0;
  const long first = static_cast<long>(std::ceil(N0));
  models::lista_vm_for_each_prefix(params, X, instance.y, static_cast<int>(n - 1),
                                   [&](int m, const Eigen::VectorXd& beta) {
                                     const double inner = x_n.dot(beta);
                                     total += std::max(inner - B_prime, 0.0);
                                     if (inner > B_prime) {
                                       ++draw.crossings;
                                       if (m < first) ++draw.crossings_first;
                                     }
                                     if (m == n - 1) draw.query = inner;
                                   });
  draw.linear = p > 0.0 ? 2.0 / p * total / (2.0 * n - 1.0) + B_prime : std::numeric_limits<double>::quiet_NaN();
  return draw;
}

namespace {

struct ReadoutSetting {
  double c = 0.0;
  double N0 = 0.0;
  long n = 0;
  double B_prime = 0.0;
};

ReadoutSetting readout_setting(const ReadoutCase& value, double c) {
  ReadoutSetting setting;
  setting.c = c;
  setting.N0 = theory::theorem51_N0(value.d, value.S, value.delta, c);
  setting.n = static_cast<long>(std::ceil(setting.N0 * std::pow(2.0, value.n_step / 4.0)));
  setting.B_prime = value.level * std::sqrt(static_cast<double>(value.S));
  return setting;
}

// p, delta' and the trivial-bound ratio of one configuration, from the two calibration samples.
struct Calibration {
  double p = 0.0;
  long crossings = 0, tokens = 0;
  int samples = 0, not_E1 = 0, not_E2 = 0;
  double delta_prime_lower = 0.0, delta_prime_upper = 1.0;
  double median_trivial_ratio = 0.0;  // median over the second sample of bound / (b_x b_beta)
  std::string eta_error;
};

double eps_E2(const ReadoutCase& value, long n, double p) {
  return value.K * std::sqrt(n * p) * std::pow(1.0 - 2.0 * value.gamma / 3.0, value.K);
}

bool E2_holds(const ReadoutCase& value, const ReadoutDraw& draw, double p) {
  const double centre = p * draw.n - p / 2.0;
  return std::abs(static_cast<double>(draw.crossings) - centre) <= eps_E2(value, draw.n, p);
}

double readout_bound(const ReadoutCase& value, const ReadoutSetting& setting, const ReadoutDraw& draw, double p,
                     double B_prime) {
  const double eta = theory::theoremE1_eta(value.gamma, value.K, value.d, value.S, value.delta, setting.c, setting.N0);
  const double c4 = theory::theoremE1_c4(draw.b_x, eta, p, value.d, value.S, value.delta, setting.c, B_prime, draw.Cx);
  return theory::theoremE1_bound(draw.b_x, value.gamma, value.K, c4, static_cast<int>(draw.n));
}

Calibration calibrate(const ReadoutCase& value, const ReadoutSetting& setting, int samples, double alpha) {
  Calibration out;
  out.samples = samples;
  try {
    theory::theoremE1_eta(value.gamma, value.K, value.d, value.S, value.delta, setting.c, setting.N0);
  } catch (const std::invalid_argument& error) {
    out.eta_error = error.what();
    return out;
  }
  std::mt19937_64 first(value.seed ^ 0xc2b2ae3d27d4eb4fULL);
  for (int t = 0; t < samples; ++t) {
    const ReadoutDraw draw = readout_draw(value, setting.n, setting.N0, setting.B_prime, 0.0, false, setting.c, first);
    out.crossings += draw.crossings;
    out.tokens += draw.n;
  }
  out.p = static_cast<double>(out.crossings) / static_cast<double>(out.tokens);
  if (out.p <= 0.0) return out;
  std::mt19937_64 second(value.seed ^ 0x165667b19e3779f9ULL);
  std::vector<double> trivial;
  for (int t = 0; t < samples; ++t) {
    const ReadoutDraw draw = readout_draw(value, setting.n, setting.N0, setting.B_prime, out.p, false, setting.c, second);
    out.not_E1 += draw.crossings_first > 0 ? 1 : 0;
    out.not_E2 += E2_holds(value, draw, out.p) ? 0 : 1;
    trivial.push_back(readout_bound(value, setting, draw, out.p, setting.B_prime) / (draw.b_x * draw.b_beta));
  }
  using boost::math::binomial_distribution;
  const double each = alpha / 4.0;  // two events, two sides
  out.delta_prime_lower = binomial_distribution<>::find_lower_bound_on_p(samples, out.not_E1, each) +
                          binomial_distribution<>::find_lower_bound_on_p(samples, out.not_E2, each);
  out.delta_prime_upper = binomial_distribution<>::find_upper_bound_on_p(samples, out.not_E1, each) +
                          binomial_distribution<>::find_upper_bound_on_p(samples, out.not_E2, each);
  std::nth_element(trivial.begin(), trivial.begin() + trivial.size() / 2, trivial.end());
  out.median_trivial_ratio = trivial[trivial.size() / 2];
  return out;
}

// d in [1, d_max], S in [1, min(d, S_max)], K in [1, 24], gamma in (0, 3/2]; inside rc::gen::exec.
void draw_sizes(ReadoutCase& value, const Pins& pins, int d_max, int S_max) {
  value.d = *gen_pinned(pins.d, pins.S.value_or(1), std::max(d_max, pins.S.value_or(1)));
  value.S = *gen_pinned(pins.S, 1, std::min(value.d, S_max));
  value.K = *gen_pinned(pins.K, 1, 24);
  value.gamma = *gen_pinned(pins.gamma, gen_linear_grid(0.01, 1, 150));
}

std::string key_of(const ReadoutCase& value) {
  std::ostringstream shown;
  showValue(value, shown);
  return shown.str();
}

// Pinnable ranges of the read-out statements: d in [1,6], S in [1,2] (the full budget's sizes), K in
// [1,24], gamma in (0, 3/2], delta in [delta_low, 1).
std::vector<ParameterRange> readout_ranges(double delta_low) {
  return {{"d", 1, 6}, {"S", 1, 2}, {"K", 1, 24}, {"delta", delta_low, 1, false, true}, {"gamma", 0, 1.5, true}};
}

}  // namespace

Statement thmE1_statement() {
  const std::string id = "thmE.1";
  const std::string label = "Theorem E.1 / Theorem 5.2 (linear read-out)";
  Statement statement{
      id, label,
      "With the K layers of Section 4.3 and the extra layer of Appendix E.1 (threshold B', MLP y -> (2/p) y + B', "
      "p = P{x_n^T beta_j >= B'}), for n >= N_0, with probability >= 1 - delta' - n delta: |y_n - y^_n| <= "
      "b_x (1 - 2gamma/3)^K + (c4 K / sqrt(n)) (1 - 2gamma/3)^(K-1), c4 = 2 sqrt(2) b_x eta / sqrt(p) "
      "sqrt((log d + log S - log delta)/c) + 2|B'|/sqrt(p) + 2 C_x b_x / sqrt(p), eta of (E.7), "
      "delta' = P{not E1} + P{not E2(K sqrt(np)(1 - 2gamma/3)^K)}.",
      [id, label](const CheckOptions& options) {
        const double c_option = options.c;
        const bool quick = options.budget == Budget::quick;
        const int configurations = options.counts.configurations;
        const int samples = quick ? 100 : 200;
        const double alpha_config = options.alpha / configurations;
        auto cache = std::make_shared<std::map<std::string, Calibration>>();
        auto calibration_of = [cache, samples, alpha_config, c_option](const ReadoutCase& value) -> const Calibration& {
          const std::string key = key_of(value);
          auto found = cache->find(key);
          if (found != cache->end()) return found->second;
          const Calibration made =
              calibrate(value, readout_setting(value, config_c(value, c_option)), samples, alpha_config);
          return cache->emplace(key, made).first->second;
        };
        const Pins pins = options.pins;
        const ProbabilisticProperty<ReadoutCase> property{
            id,
            [pins, quick] {
              return rc::gen::exec([pins, quick] {
                ReadoutCase value;
                draw_sizes(value, pins, quick ? 3 : 6, quick ? 1 : 2);
                value.delta = *gen_pinned(pins.delta, gen_log_grid(1e-9, 1.0, 900));
                value.n_step = *gen_uniform_int(0, 8);
                value.level = *gen_linear_grid(0.25, -16, 16);
                value.seed = *gen_inner_seed();
                return value;
              });
            },
            [c_option, calibration_of](const ReadoutCase& value) {
              const ReadoutSetting setting = readout_setting(value, config_c(value, c_option));
              ConfigurationPlan plan;
              plan.claimed_level = setting.n * value.delta;
              plan.regime = {{"n", setting.n},           {"N0", setting.N0}, {"n_over_N0", setting.n / setting.N0},
                             {"B_prime", setting.B_prime}, {"n_delta", plan.claimed_level}};
              if (plan.claimed_level >= 1.0) {
                plan.vacuous_reason = "n delta >= 1: the claimed probability 1 - delta' - n delta is <= 0";
                return plan;
              }
              const Calibration& calibration = calibration_of(value);
              plan.regime["p"] = calibration.p;
              plan.regime["calibration_samples"] = calibration.samples;
              if (!calibration.eta_error.empty()) {
                plan.vacuous_reason = calibration.eta_error;
                return plan;
              }
              if (calibration.p <= 0.0) {
                plan.vacuous_reason = "p = 0: no inner product reached B' in the calibration sample, so the layer's 2/p "
                                      "is undefined";
                return plan;
              }
              plan.regime["not_E1"] = calibration.not_E1;
              plan.regime["not_E2"] = calibration.not_E2;
              plan.regime["delta_prime_lower"] = calibration.delta_prime_lower;
              plan.regime["delta_prime_upper"] = calibration.delta_prime_upper;
              plan.regime["median_bound_over_trivial"] = calibration.median_trivial_ratio;
              plan.excused_upper = calibration.delta_prime_upper;
              if (calibration.delta_prime_lower + plan.claimed_level >= 1.0) {
                plan.vacuous_reason = "delta' + n delta >= 1 (lower confidence bound on delta' = " +
                                      std::to_string(calibration.delta_prime_lower) +
                                      "): the claimed probability 1 - delta' - n delta is <= 0";
              } else if (calibration.median_trivial_ratio >= 1.0) {
                plan.vacuous_reason = "the median bound is no better than the trivial |y_n| <= b_x b_beta";
              }
              return plan;
            },
            [c_option, calibration_of](const ReadoutCase& value, std::mt19937_64& rng) {
              const ReadoutSetting setting = readout_setting(value, config_c(value, c_option));
              const double p = calibration_of(value).p;
              const ReadoutDraw draw = readout_draw(value, setting.n, setting.N0, setting.B_prime, p, false, setting.c, rng);
              ProbabilisticTrial trial;
              trial.observed = std::abs(draw.y - draw.linear);
              trial.bound = readout_bound(value, setting, draw, p, setting.B_prime);
              trial.failed = !(trial.observed <= trial.bound);
              trial.excused = draw.crossings_first > 0 || !E2_holds(value, draw, p);
              return trial;
            },
            [c_option](const ReadoutCase& value) {
              std::ostringstream shown;
              showValue(value, shown);
              nlohmann::json out = nlohmann::json::parse(shown.str());
              const ReadoutSetting setting = readout_setting(value, config_c(value, c_option));
              out["n"] = setting.n;
              out["N0"] = setting.N0;
              out["c"] = setting.c;
              out["B_prime"] = setting.B_prime;
              return out;
            },
            [](const ReadoutCase& value) { return value.seed; }};
        const ProbabilisticRun run =
            run_probabilistic(property, options.counts, options);
        StatementResult result = probabilistic_result(id, label, run, options);
        result.notes =
            std::string(options.c > 0.0 ? "c = " + exact_number(options.c) + " (set with --c)"
                                        : "c derived for the Gaussian design (0.1534)") +
            ". The extra layer of Appendix E.1 on the LISTA-VM reference (thmE.1.construction checks that the layer "
            "computes this y^_n). p estimated pooled over the odd tokens from " +
            std::to_string(samples) + " calibration draws, delta' from " + std::to_string(samples) +
            " more (Clopper-Pearson bounds at alpha/(4 configurations) each). Ranges: isotropic Gaussian rows, d in [1," +
            (quick ? "3], S = 1" : "6], S in [1,2]") + ", K in [1,24], gamma in (0,3/2], delta in [1e-9,1), n in [N_0, 4 N_0], B' = level sqrt(S), level in [-4,4]. The sizes are capped because every "
            "draw runs the K layers on all n prefixes. Typo read as intended: the proof's final eps uses "
            "(1 - 2gamma/2)^K; the setting of eps two lines above uses (1 - 2gamma/3)^K, which is used here.";
        return result;
      },
      readout_ranges(1e-9)};
  statement.budget = budgets::readout_probability;
  return statement;
}

Statement thmE1_construction_statement() {
  const std::string id = "thmE.1.construction";
  const std::string label = "Theorem E.1's extra layer (construction)";
  Statement statement{
      id, label,
      "The (K+1)-th layer of the proof of Theorem E.1 (one ReLU head with Q h_i = [0; 1; x_n; 0], K h_j = [0; -B'; "
      "beta_j; 0], V h_j = [0; 1{j odd}; 0], and the MLP y -> (2/p) y + B'), placed after the Appendix C.1 layers "
      "in the generic Transformer, outputs at every odd token 2n-1 the proof's y^_n = 2/(2np - p) sum_{o_j = 1} "
      "x_n^T beta_j - 2 (sum o_j) B' / (2np - p) + B'.",
      [id, label](const CheckOptions& options) {
        const IdentityProperty<ConstructionCase> property{
            id, [pins = options.pins] { return gen_construction_case(pins, false); },
            [](const ConstructionCase& value) {
              RealisedCase realised = realise(value);
              const theory::Instance& instance = realised.instance;
              realised.construction.B = models::data_B(realised.construction, instance);
              std::mt19937_64 rng(value.seed ^ 0x27d4eb2f165667c5ULL);
              std::uniform_real_distribution<double> unit(0.0, 1.0);
              const double p = unit(rng) < 0.25 ? 1.0 : std::exp(std::log(0.05) * unit(rng));
              const models::TokenLayout layout(value.d);
              torch::NoGradGuard no_grad;
              const models::TransformerWeights base = models::construct_lista_vm_transformer(realised.construction);
              models::Transformer K_layers = models::transformer_from_weights(base, torch::kFloat64, torch::kCPU);
              const torch::Tensor input = models::embed_batch({instance}, torch::kFloat64, torch::kCPU);
              const Eigen::MatrixXd before = models::to_matrix(K_layers->forward(input)[0]);  // T x D
              // B' between the smallest and largest inner product, so some ReLUs are active and some not.
              const int tokens = 2 * value.N + 1;
              double low = 0.0, high = 0.0;
              for (int i = 0; i < tokens; i += 2) {
                for (int j = 0; j <= i; j += 2) {
                  const double inner = before.row(i).head(value.d).dot(before.row(j).segment(layout.beta_begin(), value.d));
                  low = std::min(low, inner);
                  high = std::max(high, inner);
                }
              }
              const double B_prime = low + (high - low) * unit(rng) - 0.1 * unit(rng);
              models::Transformer all = models::transformer_from_weights(
                  models::with_theoremE1_readout_layer(base, value.d, B_prime, p), torch::kFloat64, torch::kCPU);
              const Eigen::MatrixXd after = models::to_matrix(all->forward(input)[0]);
              const double u = 16.0 * (layout.dim() + tokens) * std::numeric_limits<double>::epsilon();
              TrialOutcome outcome;
              double worst = -1.0;
              for (int n = 1; 2 * n - 1 <= tokens; ++n) {
                const int token = 2 * n - 2;  // 0-based index of odd token 2n-1
                std::vector<double> inner;
                double size = std::abs(B_prime);
                for (int m = 0; m < n; ++m) {
                  inner.push_back(before.row(token).head(value.d).dot(before.row(2 * m).segment(layout.beta_begin(), value.d)));
                  size += 2.0 / p * (std::abs(inner.back()) + std::abs(B_prime)) / (2.0 * n - 1.0);
                }
                const double expected = models::theoremE1_prediction(inner, B_prime, p);
                const TrialOutcome here{std::abs(after(token, layout.label_row()) - expected), 4.0 * u * size, {}};
                if (!(here.ratio() <= worst)) {
                  worst = here.ratio();
                  outcome.error = here.error;
                  outcome.tolerance = here.tolerance;
                  outcome.details = {{"token", 2 * n - 1}, {"n", n}, {"expected", expected},
                                     {"transformer", after(token, layout.label_row())}, {"B_prime", B_prime}, {"p", p}};
                }
              }
              return outcome;
            },
            [](const ConstructionCase& value) { return describe(value); },
            [](const ConstructionCase& value) { return tags(value); }};
        const IdentityRun run = run_identity(property, options.counts.configurations, options);
        StatementResult result = statement_result(id, label, run, options);
        result.notes = "float64, CPU. Configurations as thm4.1 (d <= 24, N <= 16, K <= 16, both designs, badly scaled "
                       "columns, general M^V), B from the data; p = 1 or log-uniform in [0.05, 1]; B' inside the range "
                       "of the inner products x_n^T beta_j. y^_n is recomputed from the Transformer's own beta rows "
                       "after layer K (thm4.1 checks those against LISTA-VM). Tolerance 64 (D + T) eps times the size "
                       "of the summed terms.";
        return result;
      },
      construction_ranges()};
  statement.budget = budgets::construction_identity;
  return statement;
}

Statement remark4_statement() {
  const std::string id = "remark4";
  const std::string label = "Remark 4 / Figure 1c (the read-out gap shrinks with n)";
  Statement statement{
      id, label,
      "The gap between the linear read-out's error (Theorem E.1's layer) and the query read-out's error (Corollary "
      "E.1) diminishes as n grows: gap(16 N_0) < gap(N_0) with probability > 1/2, gap = |y_n - y^_lin| - |y_n - "
      "y^_query|.",
      [id, label](const CheckOptions& options) {
        const double c_option = options.c;
        const bool quick = options.budget == Budget::quick;
        const Pins pins = options.pins;
        const ProbabilisticProperty<ReadoutCase> property{
            id,
            [pins, quick] {
              return rc::gen::exec([pins, quick] {
                ReadoutCase value;
                draw_sizes(value, pins, 3, quick ? 1 : 2);
                value.delta = *gen_pinned(pins.delta, gen_log_grid(1e-4, 1.0, 400));
                value.seed = *gen_inner_seed();
                return value;
              });
            },
            [c_option](const ReadoutCase& value) {
              ConfigurationPlan plan;
              plan.claimed_level = 0.5;
              const double N0 = theory::theorem51_N0(value.d, value.S, value.delta, config_c(value, c_option));
              plan.regime = {{"N0", N0}, {"n_small", std::ceil(N0)}, {"n_large", std::ceil(16 * N0)}};
              return plan;
            },
            [c_option](const ReadoutCase& value, std::mt19937_64& rng) {
              const double c = config_c(value, c_option);
              const double N0 = theory::theorem51_N0(value.d, value.S, value.delta, c);
              const auto gap = [&](long n) {
                const ReadoutDraw draw = readout_draw(value, n, N0, 0.0, 1.0, true, c, rng);
                return std::abs(draw.y - draw.linear) - std::abs(draw.y - draw.query);
              };
              const double small = gap(static_cast<long>(std::ceil(N0)));
              const double large = gap(static_cast<long>(std::ceil(16 * N0)));
              ProbabilisticTrial trial;
              trial.observed = large;
              trial.bound = small;
              trial.failed = !(large < small);
              return trial;
            },
            [c_option](const ReadoutCase& value) {
              std::ostringstream shown;
              showValue(value, shown);
              nlohmann::json out = nlohmann::json::parse(shown.str());
              out["c"] = config_c(value, c_option);
              return out;
            },
            [](const ReadoutCase& value) { return value.seed; }};
        const ProbabilisticRun run =
            run_probabilistic(property, options.counts, options);
        StatementResult result = probabilistic_result(id, label, run, options);

        // The curve behind Figure 1c: both read-outs' errors and both bounds against n, one setting.
        ReadoutCase shown;
        shown.d = options.pins.d.value_or(3);
        shown.S = options.pins.S.value_or(1);
        // K = 4, gamma = 1/2: eta (E.7) exists only for K < 1 + 2 sqrt 2 (4S-2)(1 - 2gamma/3) (4.77 here).
        shown.K = options.pins.K.value_or(4);
        shown.gamma = options.pins.gamma.value_or(0.5);
        shown.delta = options.pins.delta.value_or(1e-3);
        const double c = config_c(shown, c_option);
        const double N0 = theory::theorem51_N0(shown.d, shown.S, shown.delta, c);
        std::mt19937_64 rng(options.seed ^ 0x4cf5ad432745937fULL);
        nlohmann::json curve = nlohmann::json::array();
        const int draws = quick ? 20 : 100;
        for (int step = 0; step <= 4; ++step) {
          const long n = static_cast<long>(std::ceil(N0 * std::pow(2.0, step)));
          std::vector<double> linear, query, gap, linear_bound, query_bound;
          double alpha_n = std::numeric_limits<double>::quiet_NaN();
          try {
            alpha_n = theory::theorem51_alpha(static_cast<double>(n), shown.d, shown.S, shown.gamma, shown.delta, c);
          } catch (const std::invalid_argument&) {
          }
          ReadoutSetting setting;
          setting.c = c;
          setting.N0 = N0;
          setting.n = n;
          for (int t = 0; t < draws; ++t) {
            const ReadoutDraw draw = readout_draw(shown, n, N0, 0.0, 1.0, true, c, rng);
            linear.push_back(std::abs(draw.y - draw.linear));
            query.push_back(std::abs(draw.y - draw.query));
            gap.push_back(linear.back() - query.back());
            try {
              linear_bound.push_back(readout_bound(shown, setting, draw, 1.0, -draw.b_x * draw.Cx));
            } catch (const std::invalid_argument&) {
              linear_bound.push_back(std::numeric_limits<double>::quiet_NaN());
            }
            query_bound.push_back(theory::corollaryE1_c6(shown.d, draw.b_x, draw.b_beta) * std::exp(-alpha_n * shown.K));
          }
          const auto median = [](std::vector<double> values) {
            std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
            return values[values.size() / 2];
          };
          curve.push_back({{"n", n},
                           {"n_over_N0", n / N0},
                           {"linear_error_median", median(linear)},
                           {"query_error_median", median(query)},
                           {"gap_median", median(gap)},
                           {"linear_bound_median", median(linear_bound)},
                           {"query_bound_median", median(query_bound)},
                           {"draws", draws}});
        }
        result.figures["curve"] = {{"d", shown.d}, {"S", shown.S}, {"K", shown.K}, {"gamma", shown.gamma},
                                   {"delta", shown.delta}, {"c", c}, {"N0", N0}, {"points", curve}};
        result.notes =
            "Linear read-out: Theorem E.1's layer in its p = 1 reading, B' = -b_x C_x (Lemma 4 puts every inner product "
            "above it, so every o_j = 1 and p = 1 is consistent); this is the only choice of (B', p) under which the "
            "layer estimates y_n at all (with p < 1 it outputs about (y_n - B')/p + B'). Query read-out: Corollary "
            "E.1's. The first K layers as in thmE.1. Each trial draws one sequence at n = N_0 and one at 16 N_0 and "
            "counts whether the gap shrank; sign test against 1/2 (Clopper-Pearson). Ranges: isotropic Gaussian rows, "
            "d in [1,3], S = 1 (quick) or S in [1,2] (full), K in [1,24], gamma in (0,3/2], delta in [1e-4,1). figures.curve: medians of both "
            "errors and both bounds (E.1 with p = 1, and c6 e^{-alpha_n K}) against n, the data behind Figure 1c.";
        return result;
      },
      readout_ranges(1e-4)};
  statement.budget = budgets::readout_excused;
  return statement;
}

}  // namespace icsr::properties
