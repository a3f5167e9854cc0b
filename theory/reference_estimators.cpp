#include "theory/reference_estimators.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace icsr::theory {
namespace {

// The allowed columns: `support` checked against d, or all of [0, d).
std::vector<int> allowed_columns(int d, const std::vector<int>& support) {
  std::vector<int> columns;
  if (support.empty()) {
    for (int i = 0; i < d; ++i) columns.push_back(i);
    return columns;
  }
  for (int index : support) {
    if (index < 0 || index >= d) {
      throw std::invalid_argument("support index " + std::to_string(index) + " outside [0, " + std::to_string(d) + ")");
    }
    columns.push_back(index);
  }
  return columns;
}

Eigen::MatrixXd columns_of(const Eigen::MatrixXd& X, const std::vector<int>& columns) {
  Eigen::MatrixXd out(X.rows(), static_cast<Eigen::Index>(columns.size()));
  for (std::size_t j = 0; j < columns.size(); ++j) out.col(static_cast<Eigen::Index>(j)) = X.col(columns[j]);
  return out;
}

Eigen::VectorXd scatter(const Eigen::VectorXd& values, const std::vector<int>& columns, Eigen::Index d) {
  Eigen::VectorXd out = Eigen::VectorXd::Zero(d);
  for (std::size_t j = 0; j < columns.size(); ++j) out(columns[j]) = values(static_cast<Eigen::Index>(j));
  return out;
}

double soft(double x, double threshold) { return std::copysign(std::max(std::abs(x) - threshold, 0.0), x); }

void check_shapes(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  if (X.rows() != y.size() || X.cols() < 1) {
    throw std::invalid_argument("X must be (n, d) with d >= 1 and y of length n; got X " + std::to_string(X.rows()) + " x " +
                                std::to_string(X.cols()) + ", y " + std::to_string(y.size()));
  }
}

}  // namespace

double lasso_kkt_residual(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& beta, double alpha,
                          const std::vector<int>& support) {
  check_shapes(X, y);
  const Eigen::VectorXd correlation = X.transpose() * (y - X * beta);
  double worst = 0.0;
  for (int i : allowed_columns(static_cast<int>(X.cols()), support)) {
    const double violation = beta(i) != 0.0 ? std::abs(correlation(i) - alpha * (beta(i) > 0 ? 1.0 : -1.0))
                                            : std::max(0.0, std::abs(correlation(i)) - alpha);
    worst = std::max(worst, violation);
  }
  return worst;
}

LassoResult lasso(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const LassoOptions& options) {
  check_shapes(X, y);
  if (!(options.alpha > 0.0)) throw std::invalid_argument("lasso: alpha must be > 0, got " + std::to_string(options.alpha));
  if (!(options.kkt_tolerance > 0.0)) throw std::invalid_argument("lasso: kkt_tolerance must be > 0");
  const std::vector<int> columns = allowed_columns(static_cast<int>(X.cols()), options.support);
  const Eigen::MatrixXd A = columns_of(X, columns);
  const Eigen::MatrixXd gram = A.transpose() * A;
  const Eigen::VectorXd correlation = A.transpose() * y;
  const double L = std::max(Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(gram, Eigen::EigenvaluesOnly).eigenvalues().maxCoeff(), 1e-300);
  const double scale = std::max(1.0, correlation.cwiseAbs().maxCoeff());
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(A.cols()), z = beta, previous = beta;
  double t = 1.0;
  LassoResult result;
  const auto kkt = [&](const Eigen::VectorXd& candidate) {  // over the allowed columns
    const Eigen::VectorXd residual_correlation = correlation - gram * candidate;
    double worst = 0.0;
    for (Eigen::Index i = 0; i < candidate.size(); ++i) {
      worst = std::max(worst, candidate(i) != 0.0
                                  ? std::abs(residual_correlation(i) - options.alpha * (candidate(i) > 0 ? 1.0 : -1.0))
                                  : std::max(0.0, std::abs(residual_correlation(i)) - options.alpha));
    }
    return worst;
  };
  for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
    const Eigen::VectorXd gradient_step = z + (correlation - gram * z) / L;
    beta = gradient_step.unaryExpr([&](double v) { return soft(v, options.alpha / L); });
    // Adaptive restart (O'Donoghue & Candes 2015) keeps FISTA monotone enough to reach tight tolerances.
    if ((z - beta).dot(beta - previous) > 0.0) t = 1.0;
    const double t_next = (1.0 + std::sqrt(1.0 + 4.0 * t * t)) / 2.0;
    z = beta + ((t - 1.0) / t_next) * (beta - previous);
    t = t_next;
    previous = beta;
    result.iterations = iteration;
    if (iteration % 20 != 0 && iteration != options.max_iterations) continue;
    result.kkt_residual = kkt(beta);
    if (result.kkt_residual <= options.kkt_tolerance * scale) {
      result.converged = true;
      break;
    }
    // Polishing: once FISTA has found the active set and signs, the Lasso solution solves
    // X_A^T X_A beta_A = X_A^T y - alpha sign_A exactly. Accepted only when the KKT check passes.
    std::vector<Eigen::Index> active;
    for (Eigen::Index i = 0; i < beta.size(); ++i) {
      if (beta(i) != 0.0) active.push_back(i);
    }
    if (active.empty() || static_cast<Eigen::Index>(active.size()) > A.rows()) continue;
    Eigen::MatrixXd gram_active(active.size(), active.size());
    Eigen::VectorXd right(active.size());
    for (std::size_t a = 0; a < active.size(); ++a) {
      right(a) = correlation(active[a]) - options.alpha * (beta(active[a]) > 0 ? 1.0 : -1.0);
      for (std::size_t b = 0; b < active.size(); ++b) gram_active(a, b) = gram(active[a], active[b]);
    }
    const Eigen::VectorXd solved = gram_active.colPivHouseholderQr().solve(right);
    Eigen::VectorXd polished = Eigen::VectorXd::Zero(beta.size());
    bool signs_kept = true;
    for (std::size_t a = 0; a < active.size(); ++a) {
      polished(active[a]) = solved(a);
      signs_kept = signs_kept && (solved(a) > 0) == (beta(active[a]) > 0) && solved(a) != 0.0;
    }
    if (!signs_kept) continue;
    const double polished_residual = kkt(polished);
    if (polished_residual <= options.kkt_tolerance * scale) {
      beta = polished;
      result.kkt_residual = polished_residual;
      result.converged = true;
      break;
    }
  }
  result.beta = scatter(beta, columns, X.cols());
  return result;
}

Eigen::VectorXd lasso_coordinate_descent(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double alpha, int sweeps,
                                         const std::vector<int>& support) {
  check_shapes(X, y);
  const std::vector<int> columns = allowed_columns(static_cast<int>(X.cols()), support);
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(X.cols());
  Eigen::VectorXd residual = y;
  for (int sweep = 0; sweep < sweeps; ++sweep) {
    for (int i : columns) {
      const double norm2 = X.col(i).squaredNorm();
      if (norm2 == 0.0) continue;
      const double updated = soft(beta(i) + X.col(i).dot(residual) / norm2, alpha / norm2);
      residual -= (updated - beta(i)) * X.col(i);
      beta(i) = updated;
    }
  }
  return beta;
}

Eigen::VectorXd min_norm_least_squares(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const std::vector<int>& support) {
  check_shapes(X, y);
  const std::vector<int> columns = allowed_columns(static_cast<int>(X.cols()), support);
  const Eigen::MatrixXd A = columns_of(X, columns);
  return scatter(A.completeOrthogonalDecomposition().solve(y), columns, X.cols());
}

Eigen::VectorXd min_norm_least_squares_normal(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  check_shapes(X, y);
  if (X.rows() > X.cols()) throw std::invalid_argument("min_norm_least_squares_normal needs n <= d");
  return X.transpose() * (X * X.transpose()).ldlt().solve(y);
}

}  // namespace icsr::theory
