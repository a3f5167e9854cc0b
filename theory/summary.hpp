// Summary statistics for every number the report sets beside a paper value: the mean with a 95%
// confidence interval, and the median with a distribution-free 95% interval, so that a mean is compared
// with a mean and a median with a median.
//
//   mean interval    mean ± z s / sqrt(T), s the sample standard deviation, z = 1.959964 (the CLT
//                    interval; T is in the thousands wherever the report uses it)
//   median interval  [x_(j), x_(k)] with j, k the order statistics T/2 ∓ z sqrt(T)/2 (the normal
//                    approximation to the binomial(T, 1/2) count below the median; Conover 1999, 3.2)
//
// Pure C++; no LibTorch.
#pragma once

#include <vector>

namespace icsr::theory {

struct Summary {
  int count = 0;
  double mean = 0.0, mean_low = 0.0, mean_high = 0.0;
  double median = 0.0, median_low = 0.0, median_high = 0.0;
};

// Throws std::invalid_argument for an empty sample or a non-finite value.
Summary summarize(std::vector<double> values);

// The sample median: the middle order statistic, or the mean of the two middle ones.
double median(std::vector<double> values);

}  // namespace icsr::theory
