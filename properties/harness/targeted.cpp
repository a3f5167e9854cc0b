#include "properties/harness/targeted.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "models/tensor_convert.hpp"

namespace icsr::properties {

Eigen::VectorXd project_to_sphere(const Eigen::VectorXd& v, const Eigen::VectorXd& centre, double radius) {
  Eigen::VectorXd offset = v - centre;
  const double norm = offset.norm();
  if (norm == 0.0) {
    offset = Eigen::VectorXd::Zero(v.size());
    offset(0) = 1.0;
    return centre + radius * offset;
  }
  return centre + (radius / norm) * offset;
}

Eigen::VectorXd project_to_l1_ball(const Eigen::VectorXd& v, const Eigen::VectorXd& centre, double radius) {
  if (radius < 0.0) throw std::invalid_argument("project_to_l1_ball: the radius must be >= 0");
  const Eigen::VectorXd offset = v - centre;
  if (offset.lpNorm<1>() <= radius) return v;
  std::vector<double> magnitudes(offset.size());
  for (Eigen::Index i = 0; i < offset.size(); ++i) magnitudes[i] = std::abs(offset(i));
  std::sort(magnitudes.begin(), magnitudes.end(), std::greater<>());
  // The threshold tau = (sum_{j <= rho} u_j - radius) / rho, rho the largest j with u_j > (sum_{i<=j} u_i - radius)/j.
  double running = 0.0, tau = 0.0;
  for (std::size_t j = 0; j < magnitudes.size(); ++j) {
    running += magnitudes[j];
    const double candidate = (running - radius) / static_cast<double>(j + 1);
    if (magnitudes[j] > candidate) tau = candidate;
  }
  Eigen::VectorXd inside = offset.unaryExpr([tau](double x) { return std::copysign(std::max(std::abs(x) - tau, 0.0), x); });
  // |x| - tau cancels when v lies far outside (a climb's long steps): rescale what rounding left outside.
  const double norm = inside.lpNorm<1>();
  if (norm > radius) inside *= radius / norm;
  return centre + inside;
}

Eigen::VectorXd project_to_l1_ball_reference(const Eigen::VectorXd& v, const Eigen::VectorXd& centre, double radius) {
  const Eigen::VectorXd offset = v - centre;
  if (offset.lpNorm<1>() <= radius) return v;
  const auto shrunk = [&](double tau) {
    return offset.unaryExpr([tau](double x) { return std::copysign(std::max(std::abs(x) - tau, 0.0), x); });
  };
  double low = 0.0, high = offset.lpNorm<Eigen::Infinity>();  // ||shrunk(tau)||_1 falls from > radius to 0
  for (int i = 0; i < 200; ++i) {
    const double middle = 0.5 * (low + high);
    (shrunk(middle).lpNorm<1>() > radius ? low : high) = middle;
  }
  return centre + shrunk(high);
}

Climb climb_free(const Margin& margin, const Eigen::VectorXd& start, const Projection& project, double step,
                 int evaluations, std::mt19937_64& rng) {
  if (evaluations < 1) throw std::invalid_argument("climb_free: at least one evaluation");
  Climb climb;
  climb.best = project(start);
  climb.margin = climb.start_margin = margin(climb.best);
  climb.evaluations = 1;
  std::normal_distribution<double> normal(0.0, 1.0);
  double sigma = step;
  while (climb.evaluations < evaluations) {
    const Eigen::VectorXd candidate =
        project(climb.best + sigma * Eigen::VectorXd::NullaryExpr(climb.best.size(), [&]() { return normal(rng); }));
    const double value = margin(candidate);
    ++climb.evaluations;
    if (value >= climb.margin) {  // ties move along plateaus; NaN is never accepted
      climb.best = candidate;
      // Only a strict gain counts as a success: on a boundary where every longer step projects to the same margin,
      // counting ties would grow sigma without limit.
      sigma *= value > climb.margin ? std::exp(0.25) : std::exp(-1.0 / 16.0);
      climb.margin = value;
    } else {
      sigma *= std::exp(-1.0 / 16.0);
    }
  }
  return climb;
}

Climb climb_gradient(const TensorMargin& margin, const Eigen::VectorXd& start, const Projection& project, double step,
                     int iterations) {
  const auto evaluate = [&](const Eigen::VectorXd& x, Eigen::VectorXd* gradient) {
    torch::Tensor point = models::to_tensor(x).clone().set_requires_grad(true);
    const torch::Tensor value = margin(point);
    if (gradient != nullptr) {
      value.backward();
      *gradient = models::to_vector(point.grad());
    }
    return value.item<double>();
  };
  Climb climb;
  climb.best = project(start);
  Eigen::VectorXd gradient;
  climb.margin = climb.start_margin = evaluate(climb.best, &gradient);
  climb.evaluations = 1;
  const double floor = 1e-12 * std::max(1.0, climb.best.norm());
  for (int i = 0; i < iterations && step > floor; ++i) {
    const double length = gradient.norm();
    if (!(length > 0.0)) break;  // a stationary point (or NaN): nothing to climb
    const Eigen::VectorXd candidate = project(climb.best + (step / length) * gradient);
    Eigen::VectorXd next_gradient;
    const double value = evaluate(candidate, &next_gradient);
    ++climb.evaluations;
    if (value > climb.margin) {
      climb.best = candidate;
      climb.margin = value;
      gradient = next_gradient;
    } else {
      step *= 0.5;
    }
  }
  return climb;
}

double violation_margin(const TrialOutcome& outcome) {
  if (outcome.vacuous) return -std::numeric_limits<double>::infinity();
  if (std::isnan(outcome.error) || std::isnan(outcome.tolerance)) return std::numeric_limits<double>::infinity();
  const double scale = std::abs(outcome.error) + std::abs(outcome.tolerance);
  return scale > 0.0 ? (outcome.error - outcome.tolerance) / scale : 0.0;
}

TrialOutcome targeted_outcome(const PointEvaluation& evaluate, const Eigen::VectorXd& start, const Projection& project,
                              double step, int evaluations, std::uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x5eed7a46e7edULL);
  const Eigen::VectorXd first = project(start);
  TrialOutcome at_start = evaluate(first);
  const Climb climb = climb_free([&](const Eigen::VectorXd& x) { return violation_margin(evaluate(x)); }, first, project,
                                 step, evaluations, rng);
  TrialOutcome at_best = climb.margin > violation_margin(at_start) ? evaluate(climb.best) : at_start;
  const bool climbed = violation_margin(at_best) > violation_margin(at_start);
  TrialOutcome out = climbed ? at_best : at_start;
  if (!out.details.is_object()) out.details = nlohmann::json::object();
  const auto ratio = [](const TrialOutcome& o) { return o.vacuous ? -std::numeric_limits<double>::infinity() : o.ratio(); };
  out.details["targeted"] = {{"random_ratio", ratio(at_start)},
                             {"targeted_ratio", ratio(at_best)},
                             {"evaluations", climb.evaluations},
                             {"point", std::vector<double>(climb.best.data(), climb.best.data() + climb.best.size())},
                             {"from", climbed ? "the climb" : "the draw"}};
  return out;
}

void MarginTally::add(const nlohmann::json& targeted) {
  // A side whose premises failed is stored as null (JSON has no -inf): it reached nothing.
  const auto read = [&](const char* key) {
    const nlohmann::json& value = targeted.at(key);
    return value.is_number() ? value.get<double>() : -std::numeric_limits<double>::infinity();
  };
  const double random = read("random_ratio"), climbed = read("targeted_ratio");
  if (random == -std::numeric_limits<double>::infinity() && climbed == -std::numeric_limits<double>::infinity()) return;
  random_best = std::max(random_best, random);
  targeted_best = std::max(targeted_best, climbed);
  ++evaluations;
  improved += climbed > random ? 1 : 0;
}

nlohmann::json MarginTally::to_json() const {
  return {{"random_best_ratio", random_best},
          {"targeted_best_ratio", targeted_best},
          {"evaluations", evaluations},
          {"targeted_beat_random", improved}};
}

}  // namespace icsr::properties
