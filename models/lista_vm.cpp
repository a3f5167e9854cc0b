#include "models/lista_vm.hpp"

#include <stdexcept>
#include <string>

#include "theory/problem.hpp"

namespace icsr::models {
Eigen::VectorXd lista_vm_step(const ListaVmParams& params, int k, double n, const Eigen::MatrixXd& gram,
                              const Eigen::VectorXd& correlation, const Eigen::VectorXd& beta) {
  const double scale = params.gamma[k] / (2.0 * n + 1.0);
  if (params.support_prior.empty()) {
    const Eigen::VectorXd residual_gradient = gram * beta - correlation;
    return theory::soft_threshold(beta - scale * (params.matrix[k] * residual_gradient), params.theta[k]);
  }
  Eigen::VectorXd projection = Eigen::VectorXd::Zero(beta.size());
  for (int index : params.support_prior) projection(index) = 1.0;
  const Eigen::VectorXd residual_gradient = gram * projection.cwiseProduct(beta) - correlation;
  const Eigen::VectorXd moved = beta - scale * projection.cwiseProduct(params.matrix[k] * residual_gradient);
  return projection.cwiseProduct(theory::soft_threshold(moved, params.theta[k]));
}

std::vector<Eigen::VectorXd> lista_vm_iterates_from_gram(const ListaVmParams& params, const Eigen::MatrixXd& gram,
                                                         const Eigen::VectorXd& correlation, double n) {
  validate(params, static_cast<int>(gram.rows()));
  std::vector<Eigen::VectorXd> iterates{Eigen::VectorXd::Zero(gram.rows())};
  for (int k = 0; k < params.layers(); ++k) {
    iterates.push_back(lista_vm_step(params, k, n, gram, correlation, iterates.back()));
  }
  return iterates;
}

Eigen::VectorXd lista_vm_error_from_gram(const ListaVmParams& params, const Eigen::MatrixXd& gram,
                                         const Eigen::VectorXd& beta_star, double n) {
  validate(params, static_cast<int>(gram.rows()));
  if (!params.support_prior.empty()) throw std::invalid_argument("lista_vm_error_from_gram: no support prior");
  if (beta_star.size() != gram.rows()) throw std::invalid_argument("lista_vm_error_from_gram: beta* and gram differ in size");
  Eigen::VectorXd error = -beta_star;  // beta^(1) = 0
  for (int k = 0; k < params.layers(); ++k) {
    const double scale = params.gamma[k] / (2.0 * n + 1.0);
    const Eigen::VectorXd moved = error - scale * (params.matrix[k] * (gram * error));  // beta^(k) - step - beta*
    const double theta = params.theta[k];
    for (Eigen::Index i = 0; i < error.size(); ++i) {
      const double b = beta_star(i), u = moved(i);
      error(i) = b + u > theta ? u - theta : b + u < -theta ? u + theta : -b;  // S_theta(b + u) - b
    }
  }
  return error;
}

void validate(const ListaVmParams& params, int d) {
  const std::size_t K = params.gamma.size();
  if (params.theta.size() != K || params.matrix.size() != K) {
    throw std::invalid_argument("LISTA-VM needs one gamma, theta and M per layer, got " + std::to_string(K) +
                                ", " + std::to_string(params.theta.size()) + ", " +
                                std::to_string(params.matrix.size()));
  }
  for (std::size_t k = 0; k < K; ++k) {
    if (params.matrix[k].rows() != d || params.matrix[k].cols() != d) {
      throw std::invalid_argument("M^(" + std::to_string(k + 1) + ") must be " + std::to_string(d) + "x" +
                                  std::to_string(d));
    }
    if (!(params.theta[k] >= 0.0)) {
      throw std::invalid_argument("theta^(" + std::to_string(k + 1) + ") must be >= 0, got " +
                                  std::to_string(params.theta[k]));
    }
  }
}

std::vector<Eigen::VectorXd> lista_vm_iterates(const ListaVmParams& params, const Eigen::MatrixXd& X,
                                               const Eigen::VectorXd& y, int n) {
  validate(params, static_cast<int>(X.cols()));
  if (n < 0 || n > X.rows()) {
    throw std::invalid_argument("prefix length n must lie in [0, " + std::to_string(X.rows()) + "], got " +
                                std::to_string(n));
  }
  const auto prefix = X.topRows(n);
  return lista_vm_iterates_from_gram(params, prefix.transpose() * prefix, prefix.transpose() * y.head(n), n);
}

std::vector<std::vector<Eigen::VectorXd>> lista_vm_all_prefixes(const ListaVmParams& params,
                                                                const Eigen::MatrixXd& X,
                                                                const Eigen::VectorXd& y) {
  validate(params, static_cast<int>(X.cols()));
  const int N = static_cast<int>(X.rows());
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(X.cols(), X.cols());
  Eigen::VectorXd correlation = Eigen::VectorXd::Zero(X.cols());
  std::vector<std::vector<Eigen::VectorXd>> result;
  for (int n = 0; n <= N; ++n) {
    if (n > 0) {
      gram.noalias() += X.row(n - 1).transpose() * X.row(n - 1);
      correlation += y(n - 1) * X.row(n - 1).transpose();
    }
    result.push_back(lista_vm_iterates_from_gram(params, gram, correlation, n));
  }
  return result;
}

void lista_vm_for_each_prefix(const ListaVmParams& params, const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                              int n_max, const std::function<void(int, const Eigen::VectorXd&)>& visit) {
  const int d = static_cast<int>(X.cols());
  validate(params, d);
  if (n_max < 0 || n_max > X.rows()) {
    throw std::invalid_argument("n_max must lie in [0, " + std::to_string(X.rows()) + "], got " + std::to_string(n_max));
  }
  Eigen::VectorXd projection = Eigen::VectorXd::Ones(d);
  if (!params.support_prior.empty()) {
    projection.setZero();
    for (int index : params.support_prior) projection(index) = 1.0;
  }
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(d, d);
  Eigen::VectorXd correlation = Eigen::VectorXd::Zero(d), beta(d), gradient(d), moved(d);
  for (int n = 0; n <= n_max; ++n) {
    if (n > 0) {
      gram.selfadjointView<Eigen::Lower>().rankUpdate(X.row(n - 1).transpose());
      correlation.noalias() += y(n - 1) * X.row(n - 1).transpose();
    }
    beta.setZero();
    for (int k = 0; k < params.layers(); ++k) {
      const double scale = params.gamma[k] / (2.0 * n + 1.0);
      gradient.noalias() = gram.selfadjointView<Eigen::Lower>() * projection.cwiseProduct(beta);
      gradient -= correlation;
      moved.noalias() = params.matrix[k] * gradient;
      moved = beta - scale * projection.cwiseProduct(moved);
      beta = projection.cwiseProduct(theory::soft_threshold(moved, params.theta[k]));
    }
    visit(n, beta);
  }
}

}  // namespace icsr::models
