// The constants of the proof of Proposition 1 (Appendix C.2), which fix how large the key-silencing
// constant B of the construction (C.1) must be.
#pragma once

namespace icsr::theory {

struct Proposition1Inputs {
  double b_x = 1.0;         // Assumption 1: ||x|| <= b_x (the proof uses it as ||x||_inf <= b_x)
  double b_beta = 1.0;      // Assumption 1: ||beta*||_1 <= b_beta
  int d = 1;                // dimension
  double gamma_max = 1.0;   // max_k |gamma^(k)|
  double mv_norm = 1.0;     // ||M^V||, spectral norm
  int K = 1;                // number of layers
};

// Proof of Proposition 1, after (C.9): C_beta = 1 + b_x^2 d gamma_max ||M^V|| + b_beta b_x gamma_max ||M^V||.
double proposition1_c_beta(const Proposition1Inputs& in);

// Proof of Proposition 1: B >= b_beta b_x + b_x sqrt(d) (b_beta + C_beta^K) silences the odd-token keys.
// Throws std::invalid_argument for a negative input, d < 1, K < 1, or a bound that overflows double.
double proposition1_B(const Proposition1Inputs& in);

}  // namespace icsr::theory
