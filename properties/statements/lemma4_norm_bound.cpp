// Lemma 4 as stated: if beta^(k) follows (C.12) and ||beta^(k)|| <= C_x, then ||beta^(k+1)|| <= C_x,
// C_x = d b_x b_beta (N+1) / sigma_min(X^T X), with M^V = (2/sigma_d^2) I (the proof's choice). The
// lemma fixes no range for gamma; Theorem 5.1's (0, 3/2] is used. beta^(k) is drawn on the sphere of
// radius C_x, in a random direction or along the top eigenvector of X_{1:n}^T X_{1:n} (any beta^(k)
// in the ball is admissible). theta^(k) = 0, the largest step the soft threshold allows. Each configuration also
// climbs ||beta^(k+1)|| / C_x over the sphere from the drawn beta^(k) by gradient ascent through LibTorch autograd
// (climb_gradient, properties/harness/targeted.hpp) and judges the worse of the two.
// b_x = max ||x_i|| and b_beta = ||beta*||_1 are read off the instance (Assumption 1).
#include "properties/statements/lemma4_norm_bound.hpp"
#include "properties/harness/spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "models/lista_vm.hpp"
#include "models/tensor_convert.hpp"
#include "properties/harness/targeted.hpp"
#include "theory/bounds.hpp"
#include "theory/problem.hpp"

namespace icsr::properties {

void showValue(const NormBoundCase& value, std::ostream& os) {
  os << nlohmann::json{{"d", value.d}, {"N", value.N}, {"n", value.n}, {"S", value.S}, {"gamma", value.gamma},
                       {"top_direction", value.top_direction}, {"seed", value.seed}}
            .dump();
}

constexpr int kClimbSteps = 25;  // gradient steps of the targeted climb per configuration

TrialOutcome evaluate_norm_bound(const NormBoundCase& value, bool targeted) {
  theory::ProblemConfig config;
  config.d = value.d;
  config.N = value.N;
  config.S = value.S;
  const theory::Instance instance = theory::sample_instance(config, value.seed);
  const Eigen::MatrixXd& X = instance.X;
  const double smallest = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(X.transpose() * X).eigenvalues()(0);
  const double b_x = X.rowwise().norm().maxCoeff();
  const double Cx = theory::lemma4_Cx(value.d, b_x, instance.beta_star.lpNorm<1>(), value.N, smallest);

  const auto prefix = X.topRows(value.n);
  const Eigen::MatrixXd gram = prefix.transpose() * prefix;
  Eigen::VectorXd direction;
  if (value.top_direction && value.n > 0) {
    direction = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(gram).eigenvectors().col(value.d - 1);
  } else {
    std::mt19937_64 rng(value.seed ^ 0x5bd1e995ULL);
    std::normal_distribution<double> normal(0.0, 1.0);
    direction = Eigen::VectorXd::NullaryExpr(value.d, [&]() { return normal(rng); });
  }
  const Eigen::VectorXd beta = Cx * direction.normalized();
  // One step of (C.12) with M^V = (2/sigma_d^2) I (sigma_d = 1) and theta = 0.
  models::ListaVmParams params;
  params.gamma = {value.gamma};
  params.theta = {0.0};
  params.matrix = {2.0 * Eigen::MatrixXd::Identity(value.d, value.d)};
  const Eigen::VectorXd correlation = prefix.transpose() * instance.y.head(value.n);
  const Eigen::VectorXd next = models::lista_vm_step(params, 0, value.n, gram, correlation, beta);
  // Targeted (issue 13): from the drawn beta^(k), gradient ascent of ||beta^(k+1)|| / C_x over the sphere of radius
  // C_x through LibTorch autograd; with theta = 0 the step is affine, beta^(k+1) = beta - (2 gamma/(2n+1)) (G beta - c).
  const double scale = 2.0 * value.gamma / (2.0 * value.n + 1.0);
  const torch::Tensor G = models::to_tensor(gram), c = models::to_tensor(correlation);
  Climb climb;
  climb.best = beta;
  if (targeted) {
    climb = climb_gradient([&](const torch::Tensor& b) { return (b - scale * (torch::mv(G, b) - c)).norm() / Cx; }, beta,
                           [&](const Eigen::VectorXd& b) { return project_to_sphere(b, Eigen::VectorXd::Zero(value.d), Cx); },
                           0.5 * Cx, kClimbSteps);
  }
  const Eigen::VectorXd climbed = models::lista_vm_step(params, 0, value.n, gram, correlation, climb.best);
  TrialOutcome outcome;
  outcome.error = std::max(next.norm(), climbed.norm());
  outcome.tolerance = Cx * (1.0 + 1e-12);
  outcome.details = {{"C_x", Cx}, {"sigma_min_XtX", smallest}, {"b_x", b_x},
                     {"targeted", {{"random_ratio", next.norm() / outcome.tolerance}, {"targeted_ratio", climbed.norm() / outcome.tolerance},
                                   {"evaluations", climb.evaluations}}}};
  return outcome;
}

namespace {

rc::Gen<NormBoundCase> gen_norm_bound_case(const Pins& pins) {
  return rc::gen::exec([pins] {
    NormBoundCase value;
    value.d = *gen_pinned(pins.d, pins.S.value_or(1), std::max(16, pins.S.value_or(1)));
    value.S = *gen_pinned(pins.S, 1, value.d);
    value.N = *gen_pinned(pins.N, value.d, std::max(64, value.d));
    value.n = *gen_pinned(pins.n, 0, value.N);
    value.gamma = *gen_pinned(pins.gamma, gen_linear_grid(0.01, 1, 150));
    value.top_direction = *gen_uniform_int(0, 1) == 1;
    value.seed = *gen_inner_seed();
    return value;
  });
}

}  // namespace

Statement lemma4_statement() {
  const std::string id = "lemma4";
  const std::string label = "Lemma 4";
  Statement statement{
      id, label,
      "If beta^(k) satisfies (C.12) and ||beta^(k)|| <= C_x, then ||beta^(k+1)|| <= C_x, C_x = d b_x b_beta (N+1) / "
      "sigma_min(X^T X).",
      [id, label](const CheckOptions& options) {
        MarginTally margins;
        const IdentityProperty<NormBoundCase> property{
            id, [pins = options.pins] { return gen_norm_bound_case(pins); },
            [&margins](const NormBoundCase& value) {
              TrialOutcome outcome = evaluate_norm_bound(value);
              margins.add(outcome.details.at("targeted"));
              return outcome;
            },
            [](const NormBoundCase& value) {
              std::ostringstream shown;
              showValue(value, shown);
              return nlohmann::json::parse(shown.str());
            },
            [](const NormBoundCase& value) {
              return std::vector<std::string>{value.top_direction ? "top eigenvector" : "random direction"};
            }};
        const IdentityRun run = run_identity(property, options.counts.configurations, options);
        StatementResult result = statement_result(id, label, run, options);
        result.figures["targeted"] = margins.to_json();
        result.notes =
            "Deterministic. Isotropic Gaussian rows, d in [1,16], N in [d,64], n in [0,N], gamma in (0,3/2], theta = 0; "
            "beta^(k) on the sphere of radius C_x, drawn, then climbed by gradient ascent (LibTorch autograd) from the "
            "draw; the worse of the two is judged (figures.targeted: best ratios of each). b_x = max ||x_i||, b_beta = "
            "||beta*||_1.";
        return result;
      },
      {{"d", 1, 16}, {"S", 1, 16}, {"N", 1, 64}, {"n", 1, 64}, {"gamma", 0, 1.5, true}}};
  statement.validate_pins = [](const Pins& pins) {
    const int d = pins.d.value_or(16);
    if (pins.N && *pins.N < d) {
      throw std::invalid_argument(fmt::format("--N {}: lemma4 draws N in [d, 64] (X^T X must be invertible); with d up to "
                                              "{}, pin --d <= N too",
                                              *pins.N, d));
    }
    if (pins.n && *pins.n > pins.N.value_or(64)) {
      throw std::invalid_argument(fmt::format("--n {}: lemma4 draws n in [0, N], N = {}", *pins.n, pins.N.value_or(64)));
    }
  };
  statement.budget = budgets::identity;
  return statement;
}

}  // namespace icsr::properties
