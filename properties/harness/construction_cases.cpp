#include "properties/harness/construction_cases.hpp"

#include <cmath>
#include <algorithm>
#include <numeric>
#include <random>

#include "properties/harness/runner.hpp"

namespace icsr::properties {
namespace {

double log_uniform(std::mt19937_64& rng, double low, double high) {
  std::uniform_real_distribution<double> exponent(std::log(low), std::log(high));
  return std::exp(exponent(rng));
}

}  // namespace

void showValue(const ConstructionCase& value, std::ostream& os) { os << describe(value).dump(); }

nlohmann::json describe(const ConstructionCase& value) {
  return {{"d", value.d},
          {"N", value.N},
          {"K", value.K},
          {"S", value.S},
          {"design", theory::to_string(value.design)},
          {"badly_scaled", value.badly_scaled},
          {"general_mv", value.general_mv},
          {"seed", value.seed},
          {"prior_size", value.prior_size}};
}

std::vector<std::string> tags(const ConstructionCase& value) {
  return {theory::to_string(value.design), value.badly_scaled ? "badly scaled" : "unit scale",
          value.general_mv ? "M^V general PD" : "M^V = cI"};
}

std::vector<ParameterRange> construction_ranges() { return {{"d", 1, 24}, {"S", 1, 24}, {"N", 1, 16}, {"K", 1, 16}}; }

rc::Gen<ConstructionCase> gen_construction_case(const Pins& pins, bool support_prior) {
  return rc::gen::exec([pins, support_prior] {
    ConstructionCase value;
    value.d = *gen_pinned(pins.d, pins.S.value_or(1), std::max(24, pins.S.value_or(1)));
    value.N = *gen_pinned(pins.N, 1, 16);
    value.K = *gen_pinned(pins.K, 1, 16);
    value.S = *gen_pinned(pins.S, 1, value.d);
    value.design = *gen_uniform_int(0, 1) == 0 ? theory::Design::gaussian : theory::Design::rademacher;
    value.badly_scaled = *gen_uniform_int(0, 1) == 1;
    value.general_mv = *gen_uniform_int(0, 1) == 1;
    value.seed = *gen_inner_seed();
    if (support_prior) value.prior_size = *gen_uniform_int(value.S, value.d);
    return value;
  });
}

RealisedCase realise(const ConstructionCase& value) {
  std::mt19937_64 rng(value.seed);
  RealisedCase out;
  out.problem.d = value.d;
  out.problem.N = value.N;
  out.problem.S = value.S;
  out.problem.design = value.design;
  if (value.badly_scaled) {
    for (int i = 0; i < value.d; ++i) out.problem.sigma.push_back(log_uniform(rng, 1e-2, 1e2));
  }
  if (value.prior_size > 0) {
    std::vector<int> indices(value.d);
    std::iota(indices.begin(), indices.end(), 1);
    std::shuffle(indices.begin(), indices.end(), rng);
    out.problem.support_set.assign(indices.begin(), indices.begin() + value.prior_size);
    for (int index : out.problem.support_set) out.construction.support_prior.push_back(index - 1);
    std::sort(out.construction.support_prior.begin(), out.construction.support_prior.end());
  }
  out.instance = theory::sample_instance(out.problem, rng());

  models::ConstructionOptions& construction = out.construction;
  construction.d = value.d;
  std::bernoulli_distribution zero_threshold(0.25);
  for (int k = 0; k < value.K; ++k) {
    construction.gamma.push_back(log_uniform(rng, 1e-3, 10.0));
    construction.theta.push_back(zero_threshold(rng) ? 0.0 : log_uniform(rng, 1e-4, 1.0));
  }
  const double scale = log_uniform(rng, 0.1, 10.0);
  if (value.general_mv) {
    std::normal_distribution<double> normal(0.0, 1.0);
    Eigen::MatrixXd A(value.d, value.d);
    for (int i = 0; i < value.d; ++i) {
      for (int j = 0; j < value.d; ++j) A(i, j) = normal(rng);
    }
    construction.mv = scale * (A * A.transpose() / value.d + 0.1 * Eigen::MatrixXd::Identity(value.d, value.d));
  } else {
    construction.mv = scale * Eigen::MatrixXd::Identity(value.d, value.d);
  }
  return out;
}

}  // namespace icsr::properties
