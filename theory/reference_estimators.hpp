// Statistical reference estimators for Figure 1a/1b: what an exact solver reaches on the same instance,
// so a reader sees how far a K = 12 learned method is from the optimum of a classical estimator.
//
//   lasso        argmin_beta (1/2) ||y - X beta||^2 + alpha ||beta||_1, solved by FISTA (Beck & Teboulle
//                2009, with adaptive restart) until the KKT residual is below a tolerance; every 20
//                iterations the active set and signs FISTA has found are polished by solving the KKT
//                equations on them, kept only when the KKT check passes: |X_i^T r| <= alpha where beta_i = 0,
//                X_i^T r = alpha sign(beta_i) where beta_i != 0 (r = y - X beta). With a support set 𝕊
//                the columns outside 𝕊 are left out (the Lasso restricted to 𝕊, Remark 3's prior).
//   min_norm_least_squares   X^+ y: the least-norm solution of min ||y - X beta|| (restricted to 𝕊
//                likewise). Noiseless and n >= |𝕊| with full column rank, it recovers beta* exactly.
//
// The slow references beside them (tests compare): lasso_coordinate_descent (cyclic coordinate
// minimisation, the obvious algorithm) and min_norm_least_squares_normal (X^T (X X^T)^{-1} y for full
// row rank). Pure Eigen; no LibTorch.
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace icsr::theory {

struct LassoOptions {
  double alpha = 1e-3;          // the l1 weight; -> 0 approaches basis pursuit on noiseless data
  double kkt_tolerance = 1e-9;  // stop when kkt_residual <= kkt_tolerance * max(1, ||X^T y||_inf)
  int max_iterations = 200000;
  std::vector<int> support;     // 0-based columns allowed to be non-zero; empty: all
};

struct LassoResult {
  Eigen::VectorXd beta;  // (d), zero outside the support
  double kkt_residual = 0.0;
  int iterations = 0;
  bool converged = false;
};

// The largest violation of the Lasso's optimality conditions at beta (over the allowed columns):
// max_i of |X_i^T r - alpha sign(beta_i)| where beta_i != 0 and of max(0, |X_i^T r| - alpha) where
// beta_i = 0, r = y - X beta.
double lasso_kkt_residual(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& beta, double alpha,
                          const std::vector<int>& support = {});

// Throws std::invalid_argument for alpha <= 0, a non-positive tolerance, mismatched shapes or a support
// index outside [0, d).
LassoResult lasso(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const LassoOptions& options);

// The slow reference: cyclic coordinate descent for `sweeps` sweeps (no stopping rule).
Eigen::VectorXd lasso_coordinate_descent(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double alpha, int sweeps,
                                         const std::vector<int>& support = {});

// X^+ y through a complete orthogonal decomposition (any rank), zero outside `support`.
Eigen::VectorXd min_norm_least_squares(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const std::vector<int>& support = {});

// The slow reference for full row rank X (n <= d): X^T (X X^T)^{-1} y.
Eigen::VectorXd min_norm_least_squares_normal(const Eigen::MatrixXd& X, const Eigen::VectorXd& y);

}  // namespace icsr::theory
