#include "theory/summary.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace icsr::theory {
namespace {

constexpr double kZ95 = 1.959963984540054;

void check_sample(const std::vector<double>& values) {
  if (values.empty()) throw std::invalid_argument("summarize: empty sample");
  for (double value : values) {
    if (!std::isfinite(value)) throw std::invalid_argument("summarize: non-finite value " + std::to_string(value));
  }
}

}  // namespace

double median(std::vector<double> values) {
  check_sample(values);
  std::sort(values.begin(), values.end());
  const std::size_t T = values.size();
  return T % 2 == 1 ? values[T / 2] : 0.5 * (values[T / 2 - 1] + values[T / 2]);
}

Summary summarize(std::vector<double> values) {
  check_sample(values);
  std::sort(values.begin(), values.end());
  const int T = static_cast<int>(values.size());
  Summary summary;
  summary.count = T;
  summary.mean = std::accumulate(values.begin(), values.end(), 0.0) / T;
  double squares = 0.0;
  for (double value : values) squares += (value - summary.mean) * (value - summary.mean);
  const double half_width = T > 1 ? kZ95 * std::sqrt(squares / (T - 1)) / std::sqrt(static_cast<double>(T)) : 0.0;
  summary.mean_low = summary.mean - half_width;
  summary.mean_high = summary.mean + half_width;
  summary.median = median(values);
  // 1-based order statistics j = floor(T/2 - z sqrt(T)/2), k = ceil(T/2 + 1 + z sqrt(T)/2), clamped to [1, T].
  const double spread = kZ95 * std::sqrt(static_cast<double>(T)) / 2.0;
  const int j = std::clamp(static_cast<int>(std::floor(T / 2.0 - spread)), 1, T);
  const int k = std::clamp(static_cast<int>(std::ceil(T / 2.0 + 1.0 + spread)), 1, T);
  summary.median_low = values[j - 1];
  summary.median_high = values[k - 1];
  return summary;
}

}  // namespace icsr::theory
