#include "properties/harness/comparisons.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>

#include "properties/harness/checkpoints.hpp"

namespace icsr::properties {

MeanBounds mean_bounds(const torch::Tensor& values, double alpha) {
  const torch::Tensor v = values.to(torch::kFloat64).flatten();
  require_finite(v, "a mean over trained-model losses");
  MeanBounds out;
  out.n = static_cast<int>(v.numel());
  out.mean = v.mean().item<double>();
  const double sd = v.std().item<double>();
  const boost::math::students_t t(std::max(1, out.n - 1));
  const double half = boost::math::quantile(t, 1.0 - alpha) * sd / std::sqrt(static_cast<double>(out.n));
  out.lower = out.mean - half;
  out.upper = out.mean + half;
  return out;
}

nlohmann::json to_json(const MeanBounds& b) { return {{"mean", b.mean}, {"lower", b.lower}, {"upper", b.upper}, {"trials", b.n}}; }

Verdict judge_positive(const MeanBounds& b) {
  return b.lower > 0.0 ? Verdict::holds : b.upper < 0.0 ? Verdict::violated : Verdict::inconclusive;
}

void Tally::add(const nlohmann::json& parameters, Verdict verdict, const nlohmann::json& evidence) {
  holds += verdict == Verdict::holds;
  violated += verdict == Verdict::violated;
  inconclusive += verdict == Verdict::inconclusive;
  rows.push_back({{"parameters", parameters}, {"verdict", to_string(verdict)}, {"evidence", evidence}});
}

Verdict Tally::overall() const {
  return violated > 0 ? Verdict::violated : inconclusive > 0 ? Verdict::inconclusive : Verdict::holds;
}

nlohmann::json Tally::figures(std::size_t configurations, double alpha_family) const {
  return {{"configurations", configurations}, {"holds", holds}, {"violated", violated}, {"inconclusive", inconclusive},
          {"vacuous", 0}, {"alpha_family", alpha_family}, {"c", "not used"}, {"per_configuration", rows}};
}

}  // namespace icsr::properties
