// The bound on B from the proof of Proposition 1, checked against the smallest B each instance needs.
//
// The construction is exact if and only if relu(-+beta_{2n+1}^(k) . x_l - B) = 0 for every layer k,
// prefix n and odd token 2l-1 <= 2n+1 (C.5 with the index of the key token; the paper writes the query
// token's x there). The proof bounds |beta^(k)| by C_beta^k and sets B above b_x ||beta - beta*||_1 +
// b_beta b_x. The property asks whether that bound really dominates what the iterates need, over the
// same configurations as Theorem 4.1 (including diverging iterations with large gamma).
#include "properties/statements/prop1_b_silences_keys.hpp"
#include "properties/harness/spec.hpp"

#include <cmath>

#include "models/construction.hpp"
#include "models/lista_vm.hpp"

namespace icsr::properties {

TrialOutcome evaluate_b_bound(const ConstructionCase& value) {
  const RealisedCase realised = realise(value);
  const auto iterates = models::lista_vm_all_prefixes(models::lista_vm_params(realised.construction),
                                                      realised.instance.X, realised.instance.y);
  TrialOutcome outcome;
  outcome.error = models::required_B(iterates, realised.instance);
  outcome.tolerance = models::proof_B(realised.construction, realised.instance);
  outcome.details = {{"log10_slack", std::log10(outcome.tolerance) - std::log10(std::max(outcome.error, 1e-300))}};
  return outcome;
}

Statement prop1_b_statement() {
  const std::string id = "prop1.B";
  const std::string label = "Proposition 1 (proof): the bound on B";
  Statement statement{id, label,
          "B >= b_beta b_x + b_x sqrt(d) (b_beta + C_beta^K), C_beta = 1 + b_x^2 d gamma_max ||M^V|| + "
          "b_beta b_x gamma_max ||M^V||, makes relu(-+beta_{2n+1}^(k) . x_l - B) = 0 for every odd key, so the "
          "heads +-1 see only the even tokens.",
          [id, label](const CheckOptions& options) {
            const IdentityProperty<ConstructionCase> property{
                id, [pins = options.pins] { return gen_construction_case(pins); }, evaluate_b_bound,
                [](const ConstructionCase& value) { return describe(value); },
                [](const ConstructionCase& value) { return tags(value); }};
            const IdentityRun run = run_identity(property, options.counts.configurations, options);
            StatementResult result = statement_result(id, label, run, options);
            result.notes =
                "error = smallest sufficient B on the instance, tolerance = the proof's B; worst_ratio is the "
                "largest required/proof ratio seen. Assumption 1's constants are read off each instance "
                "(b_x = max ||x_i|| over x_1..x_{N+1}, b_beta = ||beta*||_1); ||M^V|| is the spectral norm.";
            return result;
          }};
  statement.ranges = construction_ranges();
  statement.budget = budgets::identity;
  return statement;
}

}  // namespace icsr::properties
