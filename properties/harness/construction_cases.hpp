// Random configurations of the paper's construction (Appendix C.1) and of the problem it is run on,
// shared by the properties that exercise the constructed Transformer (Theorem 4.1, Proposition 1).
//
// Integer choices (d, N, K, S, design, scaling, kind of M^V) are drawn and shrunk by RapidCheck; the
// real numbers (X, beta*, gamma^(k), theta^(k), M^V, column scales) come from a std::mt19937_64 seeded
// with a drawn value, so one RapidCheck seed replays everything.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/construction.hpp"
#include "properties/harness/statement.hpp"
#include "theory/problem.hpp"

namespace icsr::properties {

struct ConstructionCase {
  int d = 1;
  int N = 1;
  int K = 1;
  int S = 1;
  theory::Design design = theory::Design::gaussian;
  bool badly_scaled = false;   // column scales log-uniform in [1e-2, 1e2] instead of 1
  bool general_mv = false;     // M^V general symmetric positive definite instead of c I
  std::uint64_t seed = 0;      // the inner randomness
  int prior_size = 0;          // |𝕊| in [S, d] for the support-prior construction of Appendix D.2; 0: none
};

void showValue(const ConstructionCase& value, std::ostream& os);
nlohmann::json describe(const ConstructionCase& value);
std::vector<std::string> tags(const ConstructionCase& value);

// d in [1, 24], N in [1, 16], K in [1, 16], S in [1, d], every design, scaling and M^V kind.
rc::Gen<ConstructionCase> gen_construction_case(const Pins& pins = {}, bool support_prior = false);

// The pinnable ranges of gen_construction_case: d in [1,24], S in [1,24] (and <= d), N in [1,16], K in [1,16].
std::vector<ParameterRange> construction_ranges();

struct RealisedCase {
  theory::ProblemConfig problem;
  theory::Instance instance;
  models::ConstructionOptions construction;  // B is left at 0 for the caller to choose
};

// gamma^(k) log-uniform in [1e-3, 10]; theta^(k) = 0 with probability 1/4, else log-uniform in
// [1e-4, 1]; M^V = c I or c (A A^T / d + 0.1 I) with c log-uniform in [0.1, 10]; noiseless y
// (Assumption 1).
RealisedCase realise(const ConstructionCase& value);

}  // namespace icsr::properties
