// Targeted falsification (issue 13): climb a property's margin from a random start instead of only sampling, as
// Hypothesis' target() and PropEr's targeted property-based testing do. The climb runs inside one configuration's
// evaluation and is a deterministic function of that configuration (its start and its random steps come from the
// configuration's seed), so the worst case it finds goes through RapidCheck's shrinking and replays from the same
// RC_PARAMS.
//
//   climb_free      derivative-free: a (1+1) evolution strategy with the 1/5 success rule (Rechenberg), for
//                   margins that are not differentiable (soft thresholds, maxima over coordinates);
//   climb_gradient  projected gradient ascent through LibTorch autograd (float64), with the step halved whenever
//                   it does not increase the margin, for differentiable margins (norms of iterates).
// Both keep the best point seen and project every candidate into the admissible set (a sphere or a ball).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <random>

#include <Eigen/Dense>

#include <nlohmann/json.hpp>

#include "properties/harness/runner.hpp"

namespace icsr::properties {

struct Climb {
  Eigen::VectorXd best;  // the admissible point with the largest margin seen
  double margin = 0.0;   // its margin
  double start_margin = 0.0;
  int evaluations = 0;   // margin evaluations spent
};

using Margin = std::function<double(const Eigen::VectorXd&)>;
using Projection = std::function<Eigen::VectorXd(const Eigen::VectorXd&)>;

// (1+1)-ES: from `start` (projected), propose best + sigma N(0, I) projected; accept if the margin does not drop.
// sigma starts at `step`, grows by e^{1/4} after a strict gain and shrinks by e^{-1/16} otherwise (the 1/5 rule).
// Stops after `evaluations` margin evaluations (the start included).
Climb climb_free(const Margin& margin, const Eigen::VectorXd& start, const Projection& project, double step,
                 int evaluations, std::mt19937_64& rng);

// Projected gradient ascent: x <- project(x + step g / ||g||), g the autograd gradient of `margin` (a float64
// scalar tensor of a float64 vector); the step is halved when the margin does not increase, and the climb stops
// after `iterations` steps or once the step is below 1e-12 of the start's norm.
using TensorMargin = std::function<torch::Tensor(const torch::Tensor&)>;
Climb climb_gradient(const TensorMargin& margin, const Eigen::VectorXd& start, const Projection& project, double step,
                     int iterations);

// The point of the sphere ||x - centre|| = radius nearest to v (v = centre maps to centre + radius e_1).
Eigen::VectorXd project_to_sphere(const Eigen::VectorXd& v, const Eigen::VectorXd& centre, double radius);

// The point of the l1 ball ||x - centre||_1 <= radius nearest to v in l2 (Duchi, Shalev-Shwartz, Singer, Chandra
// 2008: sort, then soft-threshold). project_to_l1_ball_reference finds the same threshold by bisection.
Eigen::VectorXd project_to_l1_ball(const Eigen::VectorXd& v, const Eigen::VectorXd& centre, double radius);
Eigen::VectorXd project_to_l1_ball_reference(const Eigen::VectorXd& v, const Eigen::VectorXd& centre, double radius);

// The targeted form of one configuration's evaluation of a ∀ property whose inputs include a continuous vector: climb
// (climb_free, `evaluations` in all) the violation margin (error - tolerance)/(|error| + |tolerance|) of `evaluate` from
// `start` (a point where the premises fail has margin -inf), and return the worse of the outcomes at the start and at
// the best point found, with details["targeted"] = {random_ratio, targeted_ratio (each outcome's error/tolerance),
// evaluations, point}. The climb's randomness comes from `seed` (the configuration's), so it replays. With
// evaluations = 1 it returns the start's outcome (with the same details).
using PointEvaluation = std::function<TrialOutcome(const Eigen::VectorXd&)>;
TrialOutcome targeted_outcome(const PointEvaluation& evaluate, const Eigen::VectorXd& start, const Projection& project,
                              double step, int evaluations, std::uint64_t seed);

// The violation margin targeted_outcome climbs: > 0 exactly when the outcome fails, -inf when vacuous, +inf for NaN.
double violation_margin(const TrialOutcome& outcome);

// The best margins a statement's evaluations reached by sampling and by the targeted climb, for its figures: add()
// takes a configuration's {"random_ratio", "targeted_ratio"} (its details["targeted"]); shrink steps count too.
struct MarginTally {
  double random_best = -std::numeric_limits<double>::infinity();
  double targeted_best = -std::numeric_limits<double>::infinity();
  int evaluations = 0, improved = 0;  // configurations judged; those where the climb beat the draw
  void add(const nlohmann::json& targeted);
  nlohmann::json to_json() const;
};

}  // namespace icsr::properties
