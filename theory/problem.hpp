// The in-context sparse recovery problem of Sections 4.1 and 6 of Liu, Zhou, Shen, Yang (ICLR 2025).
//
// Rows x_i of X are i.i.d. with zero mean and covariance diag(sigma_1^2, ..., sigma_d^2), Gaussian or
// Rademacher (both sub-Gaussian); beta* is S-sparse with its support uniform at random, optionally
// inside a support set 𝕊 (Remark 3, Figure 1b), and Gaussian non-zeros; y = X beta* + eps, noiseless
// by default. The query is x_{N+1}. Everything is drawn from one seed, so an instance replays exactly.
// Pure mathematics on Eigen: no LibTorch here.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace icsr::theory {

enum class Design { gaussian, rademacher };

std::string to_string(Design design);
Design design_from_string(const std::string& name);  // throws std::invalid_argument

struct ProblemConfig {
  int d = 20;                     // dimension of beta*
  int N = 10;                     // number of in-context examples
  int S = 3;                      // sparsity of beta*
  Design design = Design::gaussian;
  std::vector<double> sigma;      // column standard deviations sigma_1..sigma_d; empty: all 1
  std::vector<int> support_set;   // 𝕊 as 1-based indices; empty: [1, d]
  double noise_std = 0.0;         // standard deviation of eps; 0 is the paper's noiseless setting
};

// Throws std::invalid_argument naming the offending value: d < 1, N < 1, S < 1, S > d, a sigma that
// is not positive or a sigma list of the wrong length, |𝕊| < S, an index of 𝕊 outside [1, d] or
// repeated, a negative noise level.
void validate(const ProblemConfig& config);

struct Instance {
  Eigen::MatrixXd X;           // N x d, row i is x_{i+1}^T
  Eigen::VectorXd y;           // N labels y_i = x_i^T beta* + eps_i
  Eigen::VectorXd x_query;     // x_{N+1}
  double y_query = 0.0;        // y_{N+1} = x_{N+1}^T beta* + eps_{N+1}
  Eigen::VectorXd beta_star;   // d, S non-zeros
  std::vector<int> support;    // 0-based, sorted
};

// Draws one instance; the same (config, seed) gives the same instance.
Instance sample_instance(const ProblemConfig& config, std::uint64_t seed);

// Draws one instance from a caller-owned generator (for loops that draw many).
Instance sample_instance(const ProblemConfig& config, std::mt19937_64& rng);

// Draws an N x d design matrix with the config's design and column scales.
Eigen::MatrixXd sample_design(const ProblemConfig& config, int rows, std::mt19937_64& rng);

// An S-sparse beta* in R^d: a uniformly random support (the first S of a shuffle of 0..d-1, in shuffled
// order) with N(0,1) non-zeros drawn in that order from `normal`, so a caller that goes on drawing from
// the same distribution object keeps one stream.
struct SparseBeta {
  Eigen::VectorXd beta;
  std::vector<int> support;  // the first S of `order`
  std::vector<int> order;    // the whole shuffle of 0..d-1
};
SparseBeta sample_sparse_beta(int d, int S, std::mt19937_64& rng, std::normal_distribution<double>& normal);
SparseBeta sample_sparse_beta(int d, int S, std::mt19937_64& rng);

// Draws G = X^T X for n Gaussian rows with covariance diag(sigma^2) directly (Bartlett decomposition of
// the Wishart distribution): G = L A A^T L, L = diag(sigma), A lower triangular with A_ii^2 ~ chi^2_{n-i+1}
// (i = 1..d) and N(0,1) below the diagonal. Exact in distribution, O(d^3) whatever n is. For n < d the
// Gram matrix is singular and is formed from n drawn rows instead. Throws for the Rademacher design.
Eigen::MatrixXd sample_gram(const ProblemConfig& config, long n, std::mt19937_64& rng);

// Column scales sigma_1 >= ... >= sigma_d, log-uniform in [low, high], drawn from `seed` (the
// anisotropic designs of the properties; Lemma 3's proof assumes this order).
std::vector<double> sorted_log_uniform_scales(int d, double low, double high, std::uint64_t seed);

// Soft-thresholding S_theta(x) = sign(x) max(0, |x| - theta), element-wise (Section 4.2).
double soft_threshold(double x, double theta);
Eigen::VectorXd soft_threshold(const Eigen::VectorXd& x, double theta);

}  // namespace icsr::theory
