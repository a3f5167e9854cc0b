#include "theory/problem.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <stdexcept>

namespace icsr::theory {
namespace {

std::string describe(const std::vector<int>& values) {
  std::string text = "{";
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + std::to_string(values[i]);
  return text + "}";
}

}  // namespace

std::string to_string(Design design) {
  return design == Design::gaussian ? "gaussian" : "rademacher";
}

Design design_from_string(const std::string& name) {
  if (name == "gaussian") return Design::gaussian;
  if (name == "rademacher") return Design::rademacher;
  throw std::invalid_argument("design must be gaussian or rademacher, got '" + name + "'");
}

void validate(const ProblemConfig& config) {
  if (config.d < 1) throw std::invalid_argument("d must be >= 1, got d=" + std::to_string(config.d));
  if (config.N < 1) throw std::invalid_argument("N must be >= 1, got N=" + std::to_string(config.N));
  if (config.S < 1) throw std::invalid_argument("S must be >= 1, got S=" + std::to_string(config.S));
  if (config.S > config.d) {
    throw std::invalid_argument("S must be <= d, got S=" + std::to_string(config.S) +
                                " > d=" + std::to_string(config.d));
  }
  if (!config.sigma.empty()) {
    if (static_cast<int>(config.sigma.size()) != config.d) {
      throw std::invalid_argument("sigma must have d=" + std::to_string(config.d) +
                                  " entries, got " + std::to_string(config.sigma.size()));
    }
    for (std::size_t i = 0; i < config.sigma.size(); ++i) {
      if (!(config.sigma[i] > 0.0) || !std::isfinite(config.sigma[i])) {
        throw std::invalid_argument("sigma must be positive and finite, got sigma_" +
                                    std::to_string(i + 1) + "=" + std::to_string(config.sigma[i]));
      }
    }
  }
  if (!config.support_set.empty()) {
    std::set<int> seen;
    for (int index : config.support_set) {
      if (index < 1 || index > config.d) {
        throw std::invalid_argument("support set index must lie in [1, d=" + std::to_string(config.d) +
                                    "], got " + std::to_string(index));
      }
      if (!seen.insert(index).second) {
        throw std::invalid_argument("support set index repeated: " + std::to_string(index));
      }
    }
    if (static_cast<int>(config.support_set.size()) < config.S) {
      throw std::invalid_argument("support set size |𝕊|=" + std::to_string(config.support_set.size()) +
                                  " must be >= S=" + std::to_string(config.S) + ", got 𝕊=" +
                                  describe(config.support_set));
    }
  }
  if (!(config.noise_std >= 0.0) || !std::isfinite(config.noise_std)) {
    throw std::invalid_argument("noise_std must be >= 0, got " + std::to_string(config.noise_std));
  }
}

Eigen::MatrixXd sample_design(const ProblemConfig& config, int rows, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::bernoulli_distribution coin(0.5);
  Eigen::MatrixXd X(rows, config.d);
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < config.d; ++j) {
      const double scale = config.sigma.empty() ? 1.0 : config.sigma[j];
      const double unit = config.design == Design::gaussian ? normal(rng) : (coin(rng) ? 1.0 : -1.0);
      X(i, j) = scale * unit;
    }
  }
  return X;
}

Instance sample_instance(const ProblemConfig& config, std::mt19937_64& rng) {
  validate(config);
  Instance instance;
  std::vector<int> candidates(config.d);
  if (config.support_set.empty()) {
    std::iota(candidates.begin(), candidates.end(), 0);
  } else {
    candidates.clear();
    for (int index : config.support_set) candidates.push_back(index - 1);
  }
  // Partial Fisher-Yates: the first S entries are a uniform S-subset of the candidates.
  for (int i = 0; i < config.S; ++i) {
    std::uniform_int_distribution<int> pick(i, static_cast<int>(candidates.size()) - 1);
    std::swap(candidates[i], candidates[pick(rng)]);
  }
  instance.support.assign(candidates.begin(), candidates.begin() + config.S);
  std::sort(instance.support.begin(), instance.support.end());

  std::normal_distribution<double> normal(0.0, 1.0);
  instance.beta_star = Eigen::VectorXd::Zero(config.d);
  for (int index : instance.support) instance.beta_star(index) = normal(rng);

  const Eigen::MatrixXd all_rows = sample_design(config, config.N + 1, rng);
  instance.X = all_rows.topRows(config.N);
  instance.x_query = all_rows.row(config.N).transpose();
  instance.y = instance.X * instance.beta_star;
  instance.y_query = instance.x_query.dot(instance.beta_star);
  if (config.noise_std > 0.0) {
    for (int i = 0; i < config.N; ++i) instance.y(i) += config.noise_std * normal(rng);
    instance.y_query += config.noise_std * normal(rng);
  }
  return instance;
}

Eigen::MatrixXd sample_gram(const ProblemConfig& config, long n, std::mt19937_64& rng) {
  validate(config);
  if (config.design != Design::gaussian) throw std::invalid_argument("sample_gram draws Gaussian designs only");
  if (n < 1) throw std::invalid_argument("n must be >= 1, got " + std::to_string(n));
  const int d = config.d;
  Eigen::VectorXd scale = Eigen::VectorXd::Ones(d);
  for (int j = 0; j < static_cast<int>(config.sigma.size()); ++j) scale(j) = config.sigma[j];
  if (n < d) {
    const Eigen::MatrixXd X = sample_design(config, static_cast<int>(n), rng);
    return X.transpose() * X;
  }
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd A = Eigen::MatrixXd::Zero(d, d);
  for (int i = 0; i < d; ++i) {
    std::chi_squared_distribution<double> chi_square(static_cast<double>(n - i));
    A(i, i) = std::sqrt(chi_square(rng));
    for (int j = 0; j < i; ++j) A(i, j) = normal(rng);
  }
  const Eigen::MatrixXd LA = scale.asDiagonal() * A;
  return LA * LA.transpose();
}

Instance sample_instance(const ProblemConfig& config, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  return sample_instance(config, rng);
}

std::vector<double> sorted_log_uniform_scales(int d, double low, double high, std::uint64_t seed) {
  if (d < 1) throw std::invalid_argument("d must be >= 1, got " + std::to_string(d));
  if (!(low > 0.0 && high >= low)) throw std::invalid_argument("scales need 0 < low <= high");
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> exponent(std::log(low), std::log(high));
  std::vector<double> sigma(d);
  for (double& value : sigma) value = std::exp(exponent(rng));
  std::sort(sigma.begin(), sigma.end(), std::greater<>());
  return sigma;
}

double soft_threshold(double x, double theta) {
  const double magnitude = std::abs(x) - theta;
  if (magnitude <= 0.0) return 0.0;
  return x > 0.0 ? magnitude : -magnitude;
}

Eigen::VectorXd soft_threshold(const Eigen::VectorXd& x, double theta) {
  return x.unaryExpr([theta](double value) { return soft_threshold(value, theta); });
}

SparseBeta sample_sparse_beta(int d, int S, std::mt19937_64& rng, std::normal_distribution<double>& normal) {
  if (S < 1 || S > d) throw std::invalid_argument("sample_sparse_beta needs 1 <= S <= d, got S=" + std::to_string(S) + ", d=" + std::to_string(d));
  std::vector<int> indices(d);
  std::iota(indices.begin(), indices.end(), 0);
  std::shuffle(indices.begin(), indices.end(), rng);
  SparseBeta out{Eigen::VectorXd::Zero(d), std::vector<int>(indices.begin(), indices.begin() + S), indices};
  for (int i : out.support) out.beta(i) = normal(rng);
  return out;
}

SparseBeta sample_sparse_beta(int d, int S, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  return sample_sparse_beta(d, S, rng, normal);
}

}  // namespace icsr::theory
