// Lemma 3 as stated: with probability at least 1 - 3 delta, all three bounds hold; the proof claims
// each at level 1 - delta. The statement is for any n, d, S and delta in (0, 1); the property draws
// d in [1, 32], S in [1, d], n in [1, 2048] (log-uniform), delta in [1e-6, 0.977] (log-uniform), and
// isotropic or anisotropic Gaussian rows. The lemma's third line reads max_{i != j} |D_i^T X_i|; the
// proof bounds D_i^T X_j, which is what is checked.
#include "properties/statements/lemma3_coherence.hpp"

#include <boost/math/distributions/chi_squared.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "theory/bounds.hpp"
#include "theory/problem.hpp"
#include "properties/harness/designs.hpp"
#include "properties/harness/spec.hpp"
#include "theory/subexponential.hpp"

namespace icsr::properties {
namespace {

const char* name_of(Lemma3Bound which) {
  switch (which) {
    case Lemma3Bound::all: return "lemma3";
    case Lemma3Bound::diagonal_lower: return "lemma3.lower";
    case Lemma3Bound::diagonal_upper: return "lemma3.upper";
    case Lemma3Bound::off_diagonal: return "lemma3.offdiag";
  }
  return "lemma3";
}

}  // namespace

void showValue(const CoherenceCase& value, std::ostream& os) { os << describe(value, 0.0).dump(); }

nlohmann::json describe(const CoherenceCase& value, double c) {
  nlohmann::json out = {{"d", value.d}, {"S", value.S}, {"n", value.n}, {"delta", value.delta}, {"anisotropic", value.anisotropic}, {"seed", value.seed}};
  if (c > 0.0) out["c"] = c;
  return out;
}

std::vector<WitnessRule> lemma3_witnesses() {
  return {{"M^V = (2/sigma_d^2) I", {{"M_V", "(2/sigma_d^2) I"}}},
          {"M^V = 2 Sigma^-1", {{"M_V", "2 Sigma^-1"}}},
          {"M^V = ((2n+1)/(n+2)) Sigma^-1", {{"M_V", "((2n+1)/(n+2)) Sigma^-1"}}},
          {"M^V = a Sigma^-1, a from the chi-square_n quantiles at delta/(2S) (reads n, S, delta, c)",
           {{"M_V", "a(n, S, delta, c) Sigma^-1"}}}};
}

namespace {

double chi_square_centring(int n, int S, double delta, double c) {
  // With M^V = a Sigma^-1, D_i^T X_i = a chi2_n / (2n+1) for every i. Put the chi2_n quantiles at delta/(2S)
  // and 1 - delta/(2S) inside Lemma 3's [L, U] (geometric centring), or only the upper one under U where
  // L <= 0: then all S diagonal entries meet both bounds with probability >= 1 - delta by the union bound.
  const boost::math::chi_squared_distribution<double> chi_square(n);
  const double tail = delta / (2.0 * S);
  const double q_low = boost::math::quantile(chi_square, tail), q_high = boost::math::quantile(chi_square, 1.0 - tail);
  const double lower = theory::lemma3_diagonal_lower(n, S, delta, c), upper = theory::lemma3_diagonal_upper(n, S, delta, c);
  return (2.0 * n + 1.0) * (lower > 0.0 ? std::sqrt(lower * upper / (q_low * q_high)) : upper / q_high);
}

}  // namespace

ProbabilisticTrial lemma3_trial(const CoherenceCase& value, Lemma3Bound which, double c, std::mt19937_64& rng,
                                const WitnessRule* witness) {
  theory::ProblemConfig config;
  config.d = value.d;
  config.S = value.S;
  config.sigma = column_scales(value);
  // Only X^T X enters the three quantities, so it is drawn from its Wishart law (exact, O(d^3)).
  const Eigen::MatrixXd gram = theory::sample_gram(config, value.n, rng);
  const double sigma_d = config.sigma.back();
  const double scale = 2.0 / ((2.0 * value.n + 1.0) * sigma_d * sigma_d);  // D_i^T X_j = scale * (X^T X)_ij
  // D^T X = M^V X^T X / (2n+1); the proof's M^V = (2/sigma_d^2) I, a witness's diagonal M^V otherwise.
  Eigen::VectorXd row_scale = Eigen::VectorXd::Constant(value.d, scale);
  if (witness != nullptr) {
    const std::string rule = witness->parameters.at("M_V");
    const double a = rule == "a(n, S, delta, c) Sigma^-1" ? chi_square_centring(value.n, value.S, value.delta, c) : 0.0;
    for (int i = 0; i < value.d; ++i) {
      const double inverse_variance = 1.0 / (config.sigma[i] * config.sigma[i]);
      row_scale(i) = rule == "2 Sigma^-1"                   ? 2.0 * inverse_variance / (2.0 * value.n + 1.0)
                     : rule == "((2n+1)/(n+2)) Sigma^-1"   ? inverse_variance / (value.n + 2.0)
                     : rule == "a(n, S, delta, c) Sigma^-1" ? a * inverse_variance / (2.0 * value.n + 1.0)
                                                           : scale;
    }
  }

  std::vector<int> indices(value.d);
  std::iota(indices.begin(), indices.end(), 0);
  std::shuffle(indices.begin(), indices.end(), rng);
  const theory::GeneralisedCoherence coherence =
      theory::generalised_coherence(row_scale.asDiagonal() * gram, std::vector<int>(indices.begin(), indices.begin() + value.S));
  const double diagonal_min = coherence.sigma_min, diagonal_max = coherence.support_diagonal_max;
  const double off_max = coherence.sigma_max;

  const double delta = value.delta;
  const double lower = theory::lemma3_diagonal_lower(value.n, value.S, delta, c);
  const double upper = theory::lemma3_diagonal_upper(value.n, value.S, delta, c);
  const double off_bound = theory::lemma3_off_diagonal(value.n, value.d, delta, c);
  switch (which) {
    case Lemma3Bound::diagonal_lower: return {diagonal_min < lower, diagonal_min, lower};
    case Lemma3Bound::diagonal_upper: return {diagonal_max > upper, diagonal_max, upper};
    case Lemma3Bound::off_diagonal: return {off_max > off_bound, off_max, off_bound};
    case Lemma3Bound::all: break;
  }
  // All three: observed is the largest of the three violation ratios, against 1.
  const double ratio = std::max({lower / diagonal_min, diagonal_max / upper, off_max / off_bound});
  return {diagonal_min < lower || diagonal_max > upper || off_max > off_bound, ratio, 1.0};
}

namespace {

// Inside rc::gen::exec: the draws in the order the recorded findings were found with.
CoherenceCase draw_coherence_case(const Pins& pins) {
  CoherenceCase value;
  value.d = *gen_pinned(pins.d, pins.S.value_or(1), std::max(32, pins.S.value_or(1)));
  value.S = *gen_pinned(pins.S, 1, value.d);
  value.n = pins.n ? *pins.n : static_cast<int>(std::floor(std::pow(2.0, *gen_uniform_int(0, 88) / 8.0)));  // 1 .. 2048
  value.delta = *gen_pinned(pins.delta, gen_log_grid(1e-6, 1.0, 600));
  value.anisotropic = *gen_uniform_int(0, 1) == 1;
  value.seed = *gen_inner_seed();
  return value;
}

ConfigurationPlan plan_for(const CoherenceCase& value, Lemma3Bound which, double c) {
  ConfigurationPlan plan;
  const double delta = value.delta;
  plan.claimed_level = which == Lemma3Bound::all ? 3.0 * delta : delta;
  if (plan.claimed_level >= 1.0) plan.vacuous_reason = "the claimed probability 1 - level is <= 0";
  if (which == Lemma3Bound::off_diagonal && value.d == 1) plan.vacuous_reason = "no pair i != j when d = 1";
  if (which == Lemma3Bound::diagonal_lower && theory::lemma3_diagonal_lower(value.n, value.S, delta, c) <= 0.0) {
    plan.vacuous_reason = "the lower bound is <= 0, which D_i^T X_i >= 0 meets trivially";
  }
  return plan;
}

}  // namespace

Statement lemma3_statement(Lemma3Bound which) {
  ProbabilisticSpec<CoherenceCase> spec;
  spec.id = name_of(which);
  spec.label = which == Lemma3Bound::all ? "Lemma 3 (all three bounds, probability >= 1 - 3 delta)"
               : which == Lemma3Bound::diagonal_lower ? "Lemma 3, first bound (proof: >= 1 - delta)"
               : which == Lemma3Bound::diagonal_upper ? "Lemma 3, second bound (proof: >= 1 - delta)"
                                                      : "Lemma 3, third bound (proof: >= 1 - delta)";
  spec.claim =
      which == Lemma3Bound::all
          ? "There exists an M^V such that, with D = X M^V^T/(2n+1), with probability >= 1 - 3 delta: min_{i in 𝕊} D_i^T "
            "X_i >= n/(n+2)(1 - sqrt((log S - log delta)/(n c))), max_{i in 𝕊} D_i^T X_i <= n/(n+2)(1 + sqrt((log S - "
            "log delta)/(n c))), and max_{i != j} |D_i^T X_j| <= sqrt((log d - log delta)/(n c)). The proof takes "
            "M^V = (2/sigma_d^2) I."
      : which == Lemma3Bound::diagonal_lower
          ? "min_{i in 𝕊} D_i^T X_i >= n/(n+2)(1 - sqrt((log S - log delta)/(n c))) with probability >= 1 - delta."
      : which == Lemma3Bound::diagonal_upper
          ? "max_{i in 𝕊} D_i^T X_i <= n/(n+2)(1 + sqrt((log S - log delta)/(n c))) with probability >= 1 - delta."
          : "max_{i != j} |D_i^T X_j| <= sqrt((log d - log delta)/(n c)) with probability >= 1 - delta.";
  spec.ranges = {{"d", 1, 32}, {"S", 1, 32}, {"n", 1, 2048}, {"delta", 1e-6, 1, false, true}};
  spec.draw = [](const Draw& draw) {
    Pins pins;  // the same generator calls as before the spec, so recorded findings replay unchanged
    if (draw.pin("d")) pins.d = static_cast<int>(*draw.pin("d"));
    if (draw.pin("S")) pins.S = static_cast<int>(*draw.pin("S"));
    if (draw.pin("n")) pins.n = static_cast<int>(*draw.pin("n"));
    if (draw.pin("delta")) pins.delta = *draw.pin("delta");
    return draw_coherence_case(pins);
  };
  spec.plan = [which](const CoherenceCase& value, const CheckOptions& options) {
    return plan_for(value, which, config_c(value, options.c));
  };
  spec.trial = [which](const CoherenceCase& value, std::mt19937_64& rng, const CheckOptions& options) {
    return lemma3_trial(value, which, config_c(value, options.c), rng);
  };
  spec.describe = [](const CoherenceCase& value, const CheckOptions& options) {
    return describe(value, config_c(value, options.c));
  };
  spec.notes_for = [](const CheckOptions& options) {
    return std::string(options.c > 0.0 ? "c = " + exact_number(options.c) + " (set with --c)"
                                       : "c derived for each configuration's Gaussian design "
                                         "(theory/subexponential.hpp; 0.1534 when isotropic)") +
           ". Gaussian rows, isotropic or anisotropic (sigma in [0.5, 2], sorted so sigma_d is the smallest); the "
           "support 𝕊 is a uniform S-subset; n log-uniform in [1, 2048]. Bonferroni over the configurations at family "
           "level alpha.";
  };
  spec.form = LogicalForm::existential;
  // Lemma 3 claims the three together at 1 - 3 delta; its proof claims each bound at 1 - delta.
  spec.quantifiers = which == Lemma3Bound::all
                         ? "∀ δ ∈ (0,1), d, S, N : ∃ M^V : P(all three coherence bounds of D = X (M^V)^T/(2N+1)) ≥ 1 − 3δ"
                         : "∀ δ ∈ (0,1), d, S, N : ∃ M^V : P(this coherence bound of D = X (M^V)^T/(2N+1)) ≥ 1 − δ "
                           "(a step of Lemma 3's proof)";
  spec.proof_witness = "the proof's: M^V = (2/sigma_d^2) I";
  spec.witnesses = lemma3_witnesses();
  spec.witness_trial = [which](const CoherenceCase& value, const WitnessRule& rule, std::mt19937_64& rng,
                               const CheckOptions& options) {
    return lemma3_trial(value, which, config_c(value, options.c), rng, &rule);
  };
  spec.witness_key = [](const CoherenceCase& value, const CheckOptions& options) {
    return nlohmann::json{{"d", value.d},         {"S", value.S}, {"n", value.n},
                          {"delta", value.delta}, {"c", config_c(value, options.c)}, {"sigma", column_scales(value)}};
  };
  spec.training_config = [](const CoherenceCase& value) { return value; };
  spec.witness_reads = "d, S, n, delta, c and the design's covariance Sigma (never X); chosen on training draws "
                       "seeded from those";
  return probabilistic_statement(spec);
}

}  // namespace icsr::properties
