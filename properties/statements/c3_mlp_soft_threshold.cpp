// Eq. (C.2)-(C.3) as a property, for the printed bias and for the corrected one.
//
// With W1 = [W_sub; -W_sub; W_sub; -W_sub] and W2 = [-I, I, I, -I], the beta rows of the MLP output are
// x - relu(x) + relu(-x) + relu(x + b3) - relu(-x + b4). The printed b has b3 = -theta and b4 = +theta,
// which gives x - theta for every x; S_theta needs b4 = -theta. The token h mixes scales from 1e-3 to
// 1e3 and puts entries exactly at 0 and +-theta, where the soft threshold has its kinks.
#include "properties/statements/c3_mlp_soft_threshold.hpp"
#include "properties/harness/spec.hpp"

#include <cmath>
#include <limits>
#include <random>

#include "models/embedding.hpp"
#include "properties/harness/targeted.hpp"
#include "models/tensor_convert.hpp"
#include "models/transformer.hpp"
#include "theory/problem.hpp"

namespace icsr::properties {

void showValue(const MlpCase& value, std::ostream& os) { os << describe(value).dump(); }

nlohmann::json describe(const MlpCase& value) {
  return {{"d", value.d}, {"theta_index", value.theta_index}, {"theta", mlp_case_theta(value)}, {"seed", value.seed}};
}

double mlp_case_theta(const MlpCase& value) {
  if (value.theta_index == 0) return 0.0;
  return std::pow(10.0, -4.0 + 5.0 * (value.theta_index - 1) / 39.0);
}

MlpCase mlp_case_from_json(const nlohmann::json& parameters) {
  MlpCase value;
  value.d = parameters.at("d").get<int>();
  value.theta_index = parameters.at("theta_index").get<int>();
  value.seed = parameters.at("seed").get<std::uint64_t>();
  return value;
}

namespace {

Eigen::VectorXd draw_token(const MlpCase& value, double theta) {
  std::mt19937_64 rng(value.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> exponent(-3.0, 3.0);
  std::uniform_int_distribution<int> kind(0, 7);
  Eigen::VectorXd h(2 * value.d + 2);
  for (Eigen::Index i = 0; i < h.size(); ++i) {
    switch (kind(rng)) {
      case 0: h(i) = 0.0; break;
      case 1: h(i) = theta; break;
      case 2: h(i) = -theta; break;
      default: h(i) = normal(rng) * std::pow(10.0, exponent(rng));
    }
  }
  return h;
}

}  // namespace

TrialOutcome evaluate_mlp(const MlpCase& value, models::MlpBias bias, int climb_evaluations) {
  const double theta = mlp_case_theta(value);
  const models::LayerWeights weights = models::soft_threshold_mlp(value.d, theta, bias);
  const models::TokenLayout layout(value.d);
  // The generic layer's MLP, the code path the Transformer runs (its attention is not used here).
  models::TransformerLayer layer(layout.dim(), 1, weights.hidden(), 0.0);
  layer->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    layer->w1.copy_(models::to_tensor(weights.w1));
    layer->w2.copy_(models::to_tensor(weights.w2));
    layer->bias.copy_(models::to_tensor(weights.bias));
  }
  const auto at = [&](const Eigen::VectorXd& h) {
    torch::NoGradGuard no_grad;
    const Eigen::VectorXd out = models::to_vector(layer->mlp(models::to_tensor(h).unsqueeze(0))[0]);
    Eigen::VectorXd expected = h;
    expected.segment(layout.beta_begin(), value.d) = theory::soft_threshold(h.segment(layout.beta_begin(), value.d), theta);
    TrialOutcome outcome;
    double worst = -1.0;
    for (Eigen::Index i = 0; i < h.size(); ++i) {
      const double tolerance = 8.0 * std::numeric_limits<double>::epsilon() * (std::abs(h(i)) + theta);
      const TrialOutcome here{std::abs(out(i) - expected(i)), tolerance, {}};
      if (!(here.ratio() <= worst)) {
        worst = here.ratio();
        outcome = here;
        outcome.details = {{"row", i + 1}, {"input", h(i)}, {"mlp", out(i)}, {"expected", expected(i)},
                           {"in_beta_block", i >= layout.beta_begin() && i < layout.beta_begin() + value.d}};
      }
    }
    return outcome;
  };
  // Targeted (issue 13): from the drawn token, climb the violation margin over every token (the statement is ∀ x).
  const Eigen::VectorXd h = draw_token(value, theta);
  return targeted_outcome(at, h, [](const Eigen::VectorXd& x) { return x; }, 0.25 * (h.cwiseAbs().mean() + theta),
                          climb_evaluations, value.seed);
}

namespace {

rc::Gen<MlpCase> gen_mlp_case() {
  return rc::gen::exec([] {
    MlpCase value;
    value.d = *gen_uniform_int(1, 24);
    value.theta_index = *gen_uniform_int(0, 40);
    value.seed = *gen_inner_seed();
    return value;
  });
}

StatementResult check_mlp(const std::string& id, const std::string& label, models::MlpBias bias,
                          const CheckOptions& options) {
  MarginTally margins;
  const IdentityProperty<MlpCase> property{
      id, gen_mlp_case,
      [bias, &margins](const MlpCase& value) {
        TrialOutcome outcome = evaluate_mlp(value, bias, kMlpClimbEvaluations);
        margins.add(outcome.details.at("targeted"));
        return outcome;
      },
      [](const MlpCase& value) { return describe(value); },
      [](const MlpCase& value) { return std::vector<std::string>{value.theta_index == 0 ? "theta = 0" : "theta > 0"}; }};
  const IdentityRun run = run_identity(property, options.counts.configurations, options);
  StatementResult result = statement_result(id, label, run, options);
  result.figures["targeted"] = margins.to_json();
  return result;
}

}  // namespace

Statement c3_mlp_statement() {
  return declared({"c3.mlp", "Appendix C.1, eqs. (C.2)-(C.3), weights as printed",
          "The MLP with W1 = [W_sub; -W_sub; W_sub; -W_sub], W2 = [-I, I, I, -I] and "
          "b = [0_{5d+5}; -theta 1_d; 0_{d+2}; theta 1_d; 0] (eq. C.2) outputs [h_{1:d+1}; S_theta(h_{d+2:2d+1}); "
          "h_{2d+2}] (eq. C.3).",
          [](const CheckOptions& options) {
            StatementResult result = check_mlp("c3.mlp", "Appendix C.1, eqs. (C.2)-(C.3), weights as printed",
                                               models::MlpBias::paper_literal, options);
            result.notes =
                "Finding: with the printed bias the fourth ReLU block computes relu(-x + theta), and the MLP "
                "returns x - theta on the beta block for every x (relu(a) - relu(-a) = a), not S_theta(x). It "
                "agrees with S_theta only when theta = 0 or x >= theta. The text of Section 4.3 lists the same "
                "term, -relu(-x + theta). Replacing +theta by -theta in the fourth block gives S_theta (statement "
                "c3.mlp.corrected); the construction in icsr uses the corrected bias.";
            return result;
          }},
          budgets::identity);
}

Statement c3_mlp_corrected_statement() {
  return declared({"c3.mlp.corrected", "Appendix C.1, eq. (C.3), with b's fourth block -theta",
          "With b = [0_{5d+5}; -theta 1_d; 0_{d+2}; -theta 1_d; 0] the MLP of eq. (C.2) outputs "
          "[h_{1:d+1}; S_theta(h_{d+2:2d+1}); h_{2d+2}] (eq. C.3): x - relu(x) + relu(-x) + relu(x - theta) - "
          "relu(-x - theta) = S_theta(x).",
          [](const CheckOptions& options) {
            StatementResult result = check_mlp("c3.mlp.corrected", "Appendix C.1, eq. (C.3), with b's fourth block -theta",
                                               models::MlpBias::corrected, options);
            result.notes = "The corrected MLP that icsr's construction uses; checked on the generic Transformer's MLP "
                           "in float64 with tolerance 8 eps (|h_i| + theta) per entry.";
            return result;
          }},
          budgets::identity);
}

}  // namespace icsr::properties
