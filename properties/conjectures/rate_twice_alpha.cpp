// A conjecture that is not in the paper, and the worked example of "Adding a conjecture" in the
// README: at gamma = 1 the empirical linear rate of LISTA-VM is at least twice the alpha_n that
// Theorem 5.1 guarantees, i.e. with probability >= 1 - delta,
//
//   ||beta^(K+1) - beta*|| <= c1 e^{-2 alpha_n K}     (n >= N_0, c1 = ||beta*||_1).
//
// This one file is the whole conjecture; registering it is one line in properties/registry.cpp, and
// CMake picks up every file in properties/conjectures/. It uses only public pieces: one draw with the proof's
// parameters (proof_parameter_run), the bounds of theory/, and the probabilistic verdict engine.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "models/lista_vm.hpp"
#include "properties/probabilistic.hpp"
#include "properties/statement.hpp"
#include "properties/thm5_1_convergence.hpp"
#include "theory/bounds.hpp"
#include "theory/problem.hpp"
#include "theory/subexponential.hpp"

namespace icsr::properties {
namespace {

struct RateCase {
  int d = 1, S = 1, K = 1, n_step = 0;
  double delta = 0.1;
  std::uint64_t seed = 0;
};

nlohmann::json describe_rate(const RateCase& value) {
  return {{"d", value.d}, {"S", value.S}, {"K", value.K}, {"n_step", value.n_step}, {"delta", value.delta},
          {"seed", value.seed}};
}

// How RapidCheck prints a configuration (found by argument-dependent lookup).
void showValue(const RateCase& value, std::ostream& os) { os << describe_rate(value).dump(); }

constexpr double gamma = 1.0;

}  // namespace

Statement conjecture_rate_twice_alpha() {
  const std::string id = "conj.rate2x";
  const std::string label = "Conjecture (not in the paper): at gamma = 1 the linear rate is at least 2 alpha_n";
  return Statement{
      id, label,
      "At gamma = 1, for n >= N_0 and with probability >= 1 - delta: ||beta^(K+1) - beta*|| <= c1 e^{-2 alpha_n K}, "
      "with the parameters of Theorem 5.1's proof.",
      [id, label](const CheckOptions& options) {
        const double c = effective_c(options);
        const auto n_of = [c](const RateCase& value) {
          return static_cast<long>(std::ceil(theory::theorem51_N0(value.d, value.S, value.delta, c) *
                                             std::pow(2.0, value.n_step / 4.0)));
        };
        const auto alpha_of = [c, n_of](const RateCase& value) {
          try {
            return theory::theorem51_alpha(static_cast<double>(n_of(value)), value.d, value.S, gamma, value.delta, c);
          } catch (const std::invalid_argument&) {
            return std::numeric_limits<double>::quiet_NaN();
          }
        };
        const ProbabilisticProperty<RateCase> property{
            id,
            [pins = options.pins] {
              return rc::gen::exec([pins] {
                RateCase value;
                value.d = *gen_pinned(pins.d, pins.S.value_or(1), std::max(32, pins.S.value_or(1)));
                value.S = *gen_pinned(pins.S, 1, value.d);
                value.K = *gen_pinned(pins.K, 1, 24);
                value.delta = *gen_pinned(pins.delta, gen_log_grid(1e-6, 1.0, 600));
                value.n_step = *gen_uniform_int(0, 16);
                value.seed = *gen_inner_seed();
                return value;
              });
            },
            [alpha_of, n_of](const RateCase& value) {
              ConfigurationPlan plan;
              plan.claimed_level = value.delta;
              const double alpha = alpha_of(value);
              plan.regime = {{"n", n_of(value)}, {"alpha_n", alpha}};
              if (!(alpha > 0.0)) plan.vacuous_reason = "alpha_n is undefined or <= 0";
              return plan;
            },
            [alpha_of, n_of](const RateCase& value, std::mt19937_64& rng) {
              // One draw with the proof's parameters (shared with the Theorem 5.1 sweeps).
              const ProofRun run = proof_parameter_run(value.d, value.S, n_of(value), gamma, value.K, rng);
              const double c1 = run.c1;
              const Eigen::VectorXd& beta = run.iterates.back();
              const Eigen::VectorXd& beta_star = run.beta_star;
              ProbabilisticTrial trial;
              trial.observed = (beta - beta_star).norm();
              trial.bound = c1 * std::exp(-2.0 * alpha_of(value) * value.K);
              trial.failed = !(trial.observed <= trial.bound);
              return trial;
            },
            describe_rate, [](const RateCase& value) { return value.seed; }};
        const bool quick = options.budget == Budget::quick;
        const ProbabilisticRun run =
            run_probabilistic(property, ProbabilisticBudget{quick ? 12 : 60, quick ? 300 : 0, 40000}, options);
        StatementResult result = probabilistic_result(id, label, run, options);
        result.device = "cpu";
        result.notes = "Conjecture, not a statement of the paper. Isotropic Gaussian rows; d in [1,32], S in [1,d], K in "
                       "[1,24], delta in [1e-6,1), n in [N_0, 16 N_0]; proof's parameters as in thm5.1.";
        return result;
      },
      convergence_ranges()};
}

}  // namespace icsr::properties
