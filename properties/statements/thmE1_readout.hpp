// Theorem 5.2 / Theorem E.1 (the linear read-out after the extra (K+1)-th layer of Appendix E.1) and
// Remark 4 (the gap between the linear and the query read-outs shrinks as n grows).
//
//   thmE.1.construction  the extra layer, as weights in the generic Transformer, computes the proof's
//                        y^_n at every odd token (deterministic, float64 rounding budget);
//   thmE.1               |y_n - y^_n| <= b_x (1 - 2gamma/3)^K + (c4 K / sqrt(n)) (1 - 2gamma/3)^(K-1)
//                        with probability >= 1 - delta' - n delta, n >= N_0, on the LISTA-VM reference;
//   remark4              the linear-minus-query error gap at 16 N_0 is below the gap at N_0 more often
//                        than not.
#pragma once

#include <cstdint>
#include <ostream>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/harness/probabilistic.hpp"
#include "properties/harness/statement.hpp"

namespace icsr::properties {

struct ReadoutCase {
  int d = 1;
  int S = 1;
  int K = 1;
  double gamma = 1.0;      // (0, 3/2]
  double delta = 0.01;     // (0, 1)
  int n_step = 0;          // n = ceil(N_0 2^(n_step/4))
  double level = 0.0;      // B' = level * sqrt(S): y_n ~ N(0, ||beta*||^2) has scale sqrt(S)
  bool anisotropic = false;  // isotropic rows only (column_scales reads it)
  std::uint64_t seed = 0;
};

void showValue(const ReadoutCase& value, std::ostream& os);

// One draw at prefix length n: X (n rows, the last one x_n), beta*, the K LISTA-VM layers with the
// proof's parameters (M^V = (2/sigma_d^2) I, gamma^(k) = gamma, Lemma 1's theta^(k) from D at the last
// prefix), then the read-outs at odd token 2n-1.
struct ReadoutDraw {
  long n = 0;
  double y = 0.0;               // y_n = x_n^T beta*
  double linear = 0.0;          // the extra layer's y^_n (needs p > 0)
  double query = 0.0;           // Corollary E.1's read-out x_n^T beta_{2n-1}
  long crossings = 0;           // sum_m o_m over the n odd tokens
  long crossings_first = 0;     // sum over the first N_0 odd tokens (event E1: it is 0)
  double b_x = 0.0;             // max_i ||x_i||, i <= n
  double b_beta = 0.0;          // ||beta*||_1 = c1
  double Cx = 0.0;              // Lemma 4's C_x with N = n
};

// B' and p of the extra layer; p is only used for y^_n. `lemma4_B` replaces B' by -b_x C_x (every
// inner product is then >= B' where Lemma 4 holds, the p = 1 reading).
ReadoutDraw readout_draw(const ReadoutCase& value, long n, double N0, double B_prime, double p, bool lemma4_B,
                         double c, std::mt19937_64& rng);

Statement thmE1_construction_statement();
Statement thmE1_statement();
Statement remark4_statement();

}  // namespace icsr::properties
