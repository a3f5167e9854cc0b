#include "properties/statements/experiments.hpp"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "models/training/baseline_training.hpp"
#include "properties/harness/checkpoints.hpp"
#include "properties/harness/comparisons.hpp"
#include "properties/harness/runner.hpp"
#include "properties/harness/spec.hpp"
#include "properties/harness/verdict.hpp"

namespace icsr::properties {
namespace {


// Per-instance errors of one model on T instances drawn from `seed`.
torch::Tensor errors(models::TrainedBaseline& trained, int T, bool fresh, bool first10, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  std::vector<int> prior;
  if (first10) {
    for (int i = 0; i < 10; ++i) prior.push_back(i);
  }
  const auto& config = trained.config;
  const models::Batch batch = models::sample_batch(T, config.N, config.d, config.S, prior,
                                                   fresh ? torch::Tensor() : trained.train_X, 0,
                                                   torch::TensorOptions().dtype(torch::kFloat32));
  return (trained.model->forward(batch.X, batch.y) - batch.beta).pow(2).sum(1).to(torch::kFloat64);
}


// The two committed checkpoints' paths; when one is missing, it is added to `missing`, the comparison
// counts as inconclusive, and nothing is returned.
std::optional<std::pair<std::string, std::string>> checkpoint_pair(const std::string& a, const std::string& b,
                                                                   std::string& missing, Tally& tally) {
  const std::string a_path = checkpoint_dir() + "/" + a + ".safetensors";
  const std::string b_path = checkpoint_dir() + "/" + b + ".safetensors";
  if (std::filesystem::exists(a_path) && std::filesystem::exists(b_path)) return std::make_pair(a_path, b_path);
  missing += (missing.empty() ? "" : ", ") + (std::filesystem::exists(a_path) ? b_path : a_path);
  ++tally.inconclusive;
  return std::nullopt;
}

// Per-instance label losses (x_q^T (beta^ - beta))^2 at n = N on fresh X with the support in the first 10
// entries; the query rows are drawn after the batch, from the same seed, so two models see the same instances.
torch::Tensor prior_label_losses(models::TrainedBaseline& trained, int T, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  const auto& config = trained.config;
  const models::Batch batch = models::sample_batch(T, config.N, config.d, config.S, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
                                                   torch::Tensor(), 0, torch::TensorOptions().dtype(torch::kFloat32));
  const torch::Tensor query = torch::randn({T, config.d}, torch::kFloat32);
  return ((trained.model->forward(batch.X, batch.y) - batch.beta) * query).sum(1).to(torch::kFloat64).pow(2);
}

}  // namespace

Statement paired_experiment(const std::string& id, const std::string& label, const std::string& claim,
                     const std::vector<Comparison>& comparisons) {
  return declared(Statement{
      id, label, claim, [id, label, comparisons](const CheckOptions& options) {
        const int T = options.counts.trials;
        const double alpha = options.alpha / comparisons.size();
        StatementResult result = base_result(id, label, Verdict::holds, static_cast<int>(comparisons.size()), options);
        Tally tally;
        std::string missing;
        for (std::size_t c = 0; c < comparisons.size(); ++c) {
          const Comparison& comparison = comparisons[c];
          const auto paths = checkpoint_pair(comparison.winner, comparison.loser, missing, tally);
          if (!paths) continue;
          const auto& [a_path, b_path] = *paths;
          models::TrainedBaseline a = models::load_baseline(a_path), b = models::load_baseline(b_path);
          const std::uint64_t seed = options.seed * 7919 + c;
          const bool same = comparison.winner_fresh && comparison.loser_fresh;
          // On fresh X both models see the same instances; otherwise the pairs are independent draws.
          const torch::Tensor ea = errors(a, T, comparison.winner_fresh, comparison.support_first10, seed);
          const torch::Tensor eb = errors(b, T, comparison.loser_fresh, comparison.support_first10, same ? seed : seed + 1);
          require_finite(ea, id + ": the errors of " + a_path);
          require_finite(eb, id + ": the errors of " + b_path);
          const int failures = (ea >= eb).sum().item<int>();
          const BinomialJudgement judgement = judge_failure_rate(failures, T, 0.5, alpha);
          const double mean_a = ea.mean().item<double>(), mean_b = eb.mean().item<double>();
          tally.add({{"A", comparison.winner}, {"A_on", comparison.winner_fresh ? "fresh X" : "training X"},
                     {"B", comparison.loser}, {"B_on", comparison.loser_fresh ? "fresh X" : "training X"},
                     {"support_first10", comparison.support_first10}, {"instances", T},
                     {"paired_on_the_same_instances", same}},
                    judgement.verdict,
                    {{"judgement", judgement},
                     {"mean_error_A", mean_a},
                     {"mean_error_B", mean_b},
                     {"median_error_A", ea.median().item<double>()},
                     {"median_error_B", eb.median().item<double>()},
                     {"tightness_median", (ea / eb).median().item<double>()}});
          if (mean_b > 0 && mean_a / mean_b > result.worst_ratio) {
            result.worst_ratio = mean_a / mean_b;
            result.worst_error = mean_a;
            result.worst_tolerance = mean_b;
          }
        }
        result.verdict = tally.overall();
        result.figures = tally.figures(comparisons.size(), options.alpha);
        result.notes = "Paired comparisons of trained models, checked on the committed checkpoints in " + checkpoint_dir() +
                       " (scripts/train_baselines.sh; metadata in each file). A pair fails when A's ||beta^ - beta||^2 "
                       "is not below B's; exact binomial test against 1/2 at alpha / comparisons. Tightness column: "
                       "median of A's error / B's error.";
        if (!missing.empty()) result.notes += " Missing checkpoints (inconclusive): " + missing + ".";
        return result;
      }},
      budgets::paired_comparison);
}

Statement experiment_fixed_degrades() {
  return paired_experiment("exp.fixed_degrades", "Section 6 / Figure 1a: classical L2O trained on a fixed X degrades on varying X",
                    "LISTA, LISTA-CP and ALISTA trained on one fixed X have a lower error on that X than on fresh X.",
                    {{"lista_fixed", false, "lista_fixed", true, false},
                     {"lista_cp_fixed", false, "lista_cp_fixed", true, false},
                     {"alista_fixed", false, "alista_fixed", true, false}});
}

Statement experiment_vm_beats_ista() {
  return paired_experiment("exp.vm_beats_ista", "Section 6: LISTA-VM beats ISTA and FISTA at K = 12 on varying X",
                    "Meta-trained LISTA-VM, in Theorem 4.1's per-layer form and in the shared-M^V form, has a lower error "
                    "than ISTA and FISTA (alpha = 0.05, K = 12) on fresh X.",
                    {{"lista_vm_per_layer_meta", true, "ista", true, false},
                     {"lista_vm_per_layer_meta", true, "fista", true, false},
                     {"lista_vm_meta", true, "ista", true, false},
                     {"lista_vm_meta", true, "fista", true, false}});
}

Statement experiment_meta_no_rescue() {
  return paired_experiment("exp.meta_no_rescue", "Appendix F / Figure 2: meta-training does not rescue LISTA or LISTA-CP",
                    "On fresh X, meta-trained LISTA-VM (per-layer and shared-M^V forms) has a lower error than "
                    "meta-trained LISTA and LISTA-CP.",
                    {{"lista_vm_per_layer_meta", true, "lista_meta", true, false},
                     {"lista_vm_per_layer_meta", true, "lista_cp_meta", true, false},
                     {"lista_vm_meta", true, "lista_meta", true, false},
                     {"lista_vm_meta", true, "lista_cp_meta", true, false}});
}

Statement experiment_ss_beats_vm() {
  return paired_experiment("exp.ss_beats_vm", "Remark 3 / Figure 1b: LISTA-VM-SS beats LISTA-VM under the support prior",
                    "With the support inside the first 10 entries, LISTA-VM-SS has a lower error than LISTA-VM on fresh X, "
                    "each in the per-layer form and in the shared-M^V form, both trained on the prior data (as the paper "
                    "pre-trains every Fig. 1b method).",
                    {{"lista_vm_ss_per_layer_meta", true, "lista_vm_per_layer_prior_meta", true, true},
                     {"lista_vm_ss_meta", true, "lista_vm_prior_meta", true, true}});
}

namespace {
constexpr double kRatio = 5.0;  // "almost 10 times", read generously
}  // namespace

// "LISTA-VM-SS is almost 10 times better than the standard version of LISTA-VM" (Sec. 6, Fig. 1b), read
// generously as a ratio of mean label losses of at least 5, both methods meta-trained on the prior data
// and evaluated on the same instances. Per form: the paired differences L_VM - 5 L_SS have a positive mean
// (holds: the lower Student-t bound is above 0; violated: the upper bound is below 0), Bonferroni over forms.
Statement experiment_ss_tenfold() {
  const std::string id = "exp.ss_tenfold", label = "Section 6 / Figure 1b: LISTA-VM-SS almost 10 times better than LISTA-VM";
  const std::vector<std::pair<std::string, std::string>> pairs{{"lista_vm_per_layer_prior_meta", "lista_vm_ss_per_layer_meta"},
                                                               {"lista_vm_prior_meta", "lista_vm_ss_meta"}};
  return declared(
      Statement{id, label,
                "With the support inside the first 10 entries, LISTA-VM-SS's mean label loss is almost 10 times lower than "
                "LISTA-VM's (read as: LISTA-VM's mean is at least 5 times LISTA-VM-SS's), both meta-trained on the prior "
                "data, in the per-layer and the shared-M^V form.",
                [id, label, pairs](const CheckOptions& options) {
                  const int T = options.counts.trials;
                  const double alpha = options.alpha / pairs.size();
                  StatementResult result = base_result(id, label, Verdict::holds, static_cast<int>(pairs.size()), options);
                  Tally tally;
                  std::string missing;
                  for (std::size_t c = 0; c < pairs.size(); ++c) {
                    const auto paths = checkpoint_pair(pairs[c].first, pairs[c].second, missing, tally);
                    if (!paths) continue;
                    const auto& [vm_path, ss_path] = *paths;
                    models::TrainedBaseline vm = models::load_baseline(vm_path), ss = models::load_baseline(ss_path);
                    const std::uint64_t seed = options.seed * 7919 + 101 + c;
                    const torch::Tensor lvm = prior_label_losses(vm, T, seed), lss = prior_label_losses(ss, T, seed);
                    require_finite(lvm, id + ": the label losses of " + vm_path);
                    require_finite(lss, id + ": the label losses of " + ss_path);
                    const MeanBounds margin = mean_bounds(lvm - kRatio * lss, alpha);
                    const double ratio = lvm.mean().item<double>() / lss.mean().item<double>();
                    tally.add({{"LISTA-VM", pairs[c].first}, {"LISTA-VM-SS", pairs[c].second}, {"instances", T},
                               {"claimed_ratio_at_least", kRatio}},
                              judge_positive(margin),
                              {{"margin_mean_bounds", to_json(margin)},
                               {"mean_label_loss_vm", lvm.mean().item<double>()},
                               {"mean_label_loss_ss", lss.mean().item<double>()},
                               {"median_label_loss_vm", lvm.median().item<double>()},
                               {"median_label_loss_ss", lss.median().item<double>()},
                               {"ratio_of_means", ratio},
                               {"ratio_of_medians", (lvm.median() / lss.median()).item<double>()}});
                    if (kRatio / ratio > result.worst_ratio) {
                      result.worst_ratio = kRatio / ratio;  // above 1: the claimed ratio exceeds the observed one
                      result.worst_error = kRatio;
                      result.worst_tolerance = ratio;
                    }
                  }
                  result.verdict = tally.overall();
                  result.figures = tally.figures(pairs.size(), options.alpha);
                  result.notes = "Label loss (x_q^T (beta^ - beta))^2 at n = N = 10 on fresh X with the support in the first 10 "
                                 "entries; both models on the same instances. \"Almost 10 times\" is read as a ratio of means of at "
                                 "least 5. Per form: one-sided Student-t bounds on the mean of L_VM - 5 L_SS at alpha / 2. A "
                                 "LISTA-VM trained on the prior data contains LISTA-VM-SS (M^(k) zero outside S x S), so at the "
                                 "optimum of training the ratio is at most 1. Checkpoints in " + checkpoint_dir() + ".";
                  if (!missing.empty()) result.notes += " Missing checkpoints (inconclusive): " + missing + ".";
                  return result;
                }},
      budgets::paired_comparison);
}

}  // namespace icsr::properties
