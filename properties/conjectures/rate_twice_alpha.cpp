// Conjecture (not in the paper), the worked example of the README's "Adding a conjecture": at gamma = 1
// the empirical linear rate of LISTA-VM is at least twice the alpha_n of Theorem 5.1. With probability
// >= 1 - delta, for n >= N_0 and c1 = ||beta*||_1:
//
//   ||beta^(K+1) - beta*|| <= c1 e^{-2 alpha_n K}.
#include "properties/harness/spec.hpp"
#include "properties/statements/thm5_1_convergence.hpp"
#include "theory/bounds.hpp"

namespace icsr::properties {

// Outside the anonymous namespace, so that argument-dependent lookup finds the harness's JSON showValue.
struct RateCase {
  int d = 1, S = 1, K = 1, n_step = 0;  // n = ceil(N_0 2^{n_step/4}), n_step in [0, 16]
  double delta = 0.1;
  std::uint64_t seed = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RateCase, d, S, K, n_step, delta, seed)

namespace {

long n_of(const RateCase& v, double c) {
  return static_cast<long>(std::ceil(theory::theorem51_N0(v.d, v.S, v.delta, c) * std::pow(2.0, v.n_step / 4.0)));
}

double alpha_of(const RateCase& v, double c) {  // NaN where alpha_n is undefined
  try {
    return theory::theorem51_alpha(static_cast<double>(n_of(v, c)), v.d, v.S, 1.0, v.delta, c);
  } catch (const std::invalid_argument&) {
    return std::nan("");
  }
}

}  // namespace

Statement conjecture_rate_twice_alpha() {
  ProbabilisticSpec<RateCase> spec;
  spec.id = "conj.rate2x";
  spec.label = "Conjecture (not in the paper): at gamma = 1 the linear rate is at least 2 alpha_n";
  spec.claim = "At gamma = 1, for n >= N_0 and with probability >= 1 - delta: ||beta^(K+1) - beta*|| <= c1 e^{-2 alpha_n K}, "
               "with the parameters of Theorem 5.1's proof.";
  spec.ranges = convergence_ranges();
  spec.expected = Verdict::violated;
  spec.draw = [](const Draw& draw) {
    RateCase v;
    v.d = draw.integer("d", draw.pin("S").value_or(1), 32);
    v.S = draw.integer("S", 1, v.d);
    v.K = draw.integer("K");
    v.delta = draw.real("delta");
    v.n_step = *gen_uniform_int(0, 16);
    v.seed = *gen_inner_seed();
    return v;
  };
  spec.plan = [](const RateCase& v, const CheckOptions& options) {
    ConfigurationPlan plan;
    plan.claimed_level = v.delta;
    plan.regime = {{"n", n_of(v, effective_c(options))}, {"alpha_n", alpha_of(v, effective_c(options))}};
    if (!(alpha_of(v, effective_c(options)) > 0.0)) plan.vacuous_reason = "alpha_n is undefined or <= 0";
    return plan;
  };
  spec.trial = [](const RateCase& v, std::mt19937_64& rng, const CheckOptions& options) {
    const ProofRun run = proof_parameter_run(v.d, v.S, n_of(v, effective_c(options)), 1.0, v.K, rng);
    const double observed = (run.iterates.back() - run.beta_star).norm();
    const double bound = run.c1 * std::exp(-2.0 * alpha_of(v, effective_c(options)) * v.K);
    return ProbabilisticTrial{!(observed <= bound), observed, bound};
  };
  spec.notes = "Conjecture, not a statement of the paper. Isotropic Gaussian rows; S <= d; n in [N_0, 16 N_0]; the proof's "
               "parameters as in thm5.1 (proof_parameter_run).";
  return probabilistic_statement(spec);
}

}  // namespace icsr::properties
