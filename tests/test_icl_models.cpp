// Small TF and GPT-2 (models/icl_transformers.hpp) and their training (models/training/icl_training.hpp): the
// prefix embedding against (4.2), causality, the query† read-out on the paper's construction, sizes,
// resumable training, the non-finite stop, float16 storage, and mismatched checkpoints.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "models/construction.hpp"
#include "models/embedding.hpp"
#include "models/training/icl_training.hpp"
#include "models/icl_transformers.hpp"
#include "models/lista_vm.hpp"
#include "models/training/safetensors.hpp"
#include "models/training/sync_free_step.hpp"
#include "models/tensor_convert.hpp"
#include "theory/problem.hpp"

namespace {

using namespace icsr::models;
namespace fs = std::filesystem;

IclModelOptions tiny(Architecture architecture, Readout readout = Readout::linear) {
  IclModelOptions options;
  options.architecture = architecture;
  options.readout = readout;
  options.d = 4;
  options.N = 5;
  options.layers = 2;
  options.heads = 2;
  options.embed = architecture == Architecture::gpt2 ? 16 : 0;
  options.init_std = 0.3;  // large enough that every path carries signal in the causality test
  return options;
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("icsr_icl_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

TEST(IclModels, PrefixEmbeddingIsEquation42) {
  icsr::theory::ProblemConfig config;
  config.d = 3;
  config.N = 4;
  config.S = 2;
  const icsr::theory::Instance instance = icsr::theory::sample_instance(config, 7);
  torch::Tensor X = torch::zeros({1, 5, 3}, torch::kFloat64), y = torch::zeros({1, 5}, torch::kFloat64);
  X[0].slice(0, 0, 4).copy_(to_tensor(instance.X));
  X[0][4].copy_(to_tensor(instance.x_query));
  y[0].slice(0, 0, 4).copy_(to_tensor(instance.y));
  y[0][4] = 123.0;  // y_{N+1} must not be embedded
  const torch::Tensor mine = embed_prefixes(X, y);
  const torch::Tensor reference = embed_batch({instance}, torch::kFloat64, torch::kCPU);
  ASSERT_EQ(mine.sizes(), reference.sizes());
  EXPECT_EQ((mine - reference).abs().max().item<double>(), 0.0);
}

// A prediction that has seen j examples must not change when anything after x_{j+1} changes.
void expect_causal(Architecture architecture) {
  torch::manual_seed(3);
  IclModel model(tiny(architecture));
  model->to(torch::kFloat64);
  const torch::Tensor X = torch::randn({2, 6, 4}, torch::kFloat64), y = torch::randn({2, 6}, torch::kFloat64);
  const torch::Tensor base = model->forward(X, y);
  for (int j = 0; j < 5; ++j) {
    torch::Tensor X2 = X.clone(), y2 = y.clone();
    y2.slice(1, j).add_(5.0);
    X2.slice(1, j + 1).add_(5.0);
    const torch::Tensor changed = model->forward(X2, y2);
    EXPECT_LT((changed.slice(1, 0, j + 1) - base.slice(1, 0, j + 1)).abs().max().item<double>(), 1e-12) << "prefix " << j;
    EXPECT_GT((changed.slice(1, j + 1) - base.slice(1, j + 1)).abs().max().item<double>(), 1e-6)
        << "prediction " << j + 1 << " ignores its context";
  }
}

TEST(IclModels, SmallTfIsCausal) { expect_causal(Architecture::small_tf); }
TEST(IclModels, Gpt2IsCausal) { expect_causal(Architecture::gpt2); }

TEST(IclModels, PaperSizes) {
  IclModel small(paper_options(Architecture::small_tf, 20, 10));
  IclModel gpt(paper_options(Architecture::gpt2, 20, 10));
  // Small TF: 12 layers of 3 * 4 * 42^2 attention weights and an MLP 42 -> 168 -> 42 with bias, plus v.
  EXPECT_EQ(parameter_count(small), 12 * (3 * 4 * 42 * 42 + 2 * 42 * 168 + 168) + 42);
  // GPT-2 (E = 256): 12 blocks of 12 E^2 + 13 E weights and biases, read-in, positions, final LN, read-out.
  const int64_t E = 256;
  EXPECT_EQ(parameter_count(gpt), 12 * (12 * E * E + 13 * E) + (20 * E + E) + 21 * E + 2 * E + (E + 1));
  EXPECT_THROW(IclModel(tiny(Architecture::gpt2, Readout::query)), std::invalid_argument);
}

// The trunk with the paper's construction and the query† read-out predicts x_{n+1}^T beta^(K+1) of
// LISTA-VM on each prefix: the read-out of Corollary E.1 on the generic code path.
TEST(IclModels, QueryDaggerOnTheConstructionIsListaVm) {
  icsr::theory::ProblemConfig config;
  config.d = 5;
  config.N = 6;
  config.S = 2;
  const icsr::theory::Instance instance = icsr::theory::sample_instance(config, 11);
  ConstructionOptions construction;
  construction.d = 5;
  construction.gamma = {0.8, 0.7, 0.6};
  construction.theta = {0.05, 0.04, 0.03};
  construction.mv = Eigen::MatrixXd::Identity(5, 5);
  construction.B = data_B(construction, instance);
  IclModelOptions options;
  options.d = 5;
  options.N = 6;
  options.layers = 3;
  options.heads = 4;
  options.readout = Readout::query_dagger;
  IclModel model(options);
  model->to(torch::kFloat64);
  model->load_trunk_weights(construct_lista_vm_transformer(construction));
  torch::Tensor X = torch::zeros({1, 7, 5}, torch::kFloat64), y = torch::zeros({1, 7}, torch::kFloat64);
  X[0].slice(0, 0, 6).copy_(to_tensor(instance.X));
  X[0][6].copy_(to_tensor(instance.x_query));
  y[0].slice(0, 0, 6).copy_(to_tensor(instance.y));
  const torch::Tensor prediction = model->forward(X, y);
  Eigen::MatrixXd rows(7, 5);
  rows << instance.X, instance.x_query.transpose();
  const auto iterates = lista_vm_all_prefixes(lista_vm_params(construction), instance.X, instance.y);
  for (int n = 0; n <= 6; ++n) {
    const double expected = rows.row(n).dot(iterates[n].back());
    EXPECT_NEAR(prediction[0][n].item<double>(), expected, 1e-10 * (1.0 + std::abs(expected))) << "prefix " << n;
  }
  IclModelOptions wrong = options;
  wrong.layers = 2;
  IclModel shallow(wrong);
  EXPECT_THROW(shallow->load_trunk_weights(construct_lista_vm_transformer(construction)), std::invalid_argument);
}

IclTrainingConfig tiny_training(Architecture architecture, const std::string& checkpoint) {
  IclTrainingConfig config;
  config.model = tiny(architecture);
  config.model.init_std = 0.02;
  config.instances = 8 * 6;
  config.batch = 8;
  config.lr = 1e-3;
  config.eval_instances = 20;
  config.eval_every = 2;
  config.checkpoint = checkpoint;
  return config;
}

torch::Tensor flat_parameters(IclModel& model) {
  std::vector<torch::Tensor> parts;
  for (const auto& p : model->parameters()) parts.push_back(p.detach().flatten().cpu());
  return torch::cat(parts);
}

TEST(IclTraining, ResumingGivesTheUninterruptedRun) {
  for (Architecture architecture : {Architecture::small_tf, Architecture::gpt2}) {
    const fs::path whole = scratch(to_string(architecture) + "_whole.safetensors");
    const fs::path split = scratch(to_string(architecture) + "_split.safetensors");
    fs::remove(whole);
    fs::remove(split);
    TrainedIcl uninterrupted = train_icl(tiny_training(architecture, whole.string()), {});
    IclTrainingConfig first = tiny_training(architecture, split.string());
    first.instances = 8 * 4;  // a first chunk of 4 steps, then the rest
    train_icl(first, {});
    TrainedIcl resumed = train_icl(tiny_training(architecture, split.string()), {});
    EXPECT_EQ(resumed.steps_done, 6);
    EXPECT_TRUE(torch::equal(flat_parameters(uninterrupted.model), flat_parameters(resumed.model))) << to_string(architecture);
    EXPECT_EQ(resumed.metadata.at("chunks").size(), 2u);
    EXPECT_TRUE(resumed.metadata.at("reduced").get<bool>());
    EXPECT_EQ(resumed.metadata.at("instances_done").get<int64_t>(), 48);
    EXPECT_EQ(resumed.metadata.at("final_curve").size(), 6u);
    TrainedIcl loaded = load_icl(split.string());
    EXPECT_TRUE(torch::equal(flat_parameters(loaded.model), flat_parameters(resumed.model)));
    EXPECT_EQ(loaded.history.size(), 3u);
    EXPECT_TRUE(fs::exists(split.string() + ".log"));
    // The model file names the state of its own step; older states are gone.
    EXPECT_EQ(loaded.metadata.at("state_file"), split.filename().string() + ".state-6");
    EXPECT_TRUE(fs::exists(split.string() + ".state-6"));
    EXPECT_FALSE(fs::exists(split.string() + ".state-4"));
    EXPECT_FALSE(loaded.metadata.contains("optimizer_resets"));
  }
}

TEST(IclTraining, NonFiniteLossStopsNamingTheStep) {
  const fs::path path = scratch("nan.safetensors");
  fs::remove(path);
  IclTrainingConfig config = tiny_training(Architecture::small_tf, path.string());
  config.lr = 1e30;
  config.instances = 8 * 40;
  config.eval_every = 1;
  try {
    train_icl(config, {});
    FAIL() << "a learning rate of 1e30 must make the loss non-finite";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("last good checkpoint"), std::string::npos) << error.what();
  }
}

TEST(IclTraining, MismatchedResumeAndBadConfigAreRejected) {
  const fs::path path = scratch("mismatch.safetensors");
  fs::remove(path);
  IclTrainingConfig config = tiny_training(Architecture::small_tf, path.string());
  config.instances = 16;
  train_icl(config, {});
  IclTrainingConfig other = config;
  other.lr = 5e-4;
  EXPECT_THROW(train_icl(other, {}), std::invalid_argument);
  IclTrainingConfig bad = config;
  bad.precision = "fp8";
  EXPECT_THROW(validate(bad), std::invalid_argument);
  bad = config;
  bad.support_first10 = true;  // d = 4 < 10
  EXPECT_THROW(validate(bad), std::invalid_argument);
  // A baseline checkpoint is not an icl checkpoint.
  EXPECT_THROW(load_icl(std::string(ICSR_SOURCE_DIR) + "/models/checkpoints/ista.safetensors"), std::invalid_argument);
}

// The paper's GPT-2 has 9.5 million parameters: float32 would exceed 25 MB, so the model file stores
// float16, and the effect on the evaluation is measured and recorded.
TEST(IclTraining, LargeModelsAreStoredInFloat16WithTheEffectMeasured) {
  const fs::path path = scratch("gpt2_paper.safetensors");
  fs::remove(path);
  IclTrainingConfig config;
  config.model = paper_options(Architecture::gpt2, 20, 10);
  config.instances = 2;
  config.batch = 2;
  config.eval_instances = 8;
  config.checkpoint = path.string();
  train_icl(config, {});
  EXPECT_LE(static_cast<int64_t>(fs::file_size(path)), kCheckpointByteLimit);
  const Checkpoint stored = load_safetensors(path.string());
  EXPECT_EQ(stored.metadata.at("stored_dtype"), "F16");
  EXPECT_EQ(stored.tensors.at("param.read_in.weight").scalar_type(), torch::kFloat16);
  const auto& check = stored.metadata.at("storage_check");
  EXPECT_NEAR(check.at("eval_loss_stored").get<double>(), check.at("eval_loss_float32").get<double>(),
              1e-2 * check.at("eval_loss_float32").get<double>());
}

// Two models of `config` with the same initial weights (seed 3), for comparing two training steps.
std::pair<IclModel, IclModel> twin_models(const IclTrainingConfig& config) {
  torch::manual_seed(3);
  IclModel first(config.model), second(config.model);
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < first->parameters().size(); ++i) second->parameters()[i].copy_(first->parameters()[i]);
  return {first, second};
}

// The sync-free step (models/training/sync_free_step.hpp) against its reference, icl_training_step
// (torch::optim::Adam, clip_grad_norm_, the loss read back to decide a skip): from the same weights, step
// by step, with clipping active, both architectures. They differ by float32 rounding only: the Adam
// scalars are computed on the device, and the clip norm is the root of a sum of squares rather than the
// norm of the per-tensor norms.
TEST(SyncFreeStep, EqualsTheEagerStepStepByStep) {
  for (Architecture architecture : {Architecture::small_tf, Architecture::gpt2}) {
    IclTrainingConfig config = tiny_training(architecture, "");
    config.clip = 0.05;  // small enough to clip in most steps, so that the clip is compared too
    auto [eager, sync_free] = twin_models(config);
    torch::NoGradGuard no_grad;
    torch::optim::Adam adam(trainable_parameters(eager), torch::optim::AdamOptions(config.lr));
    SyncFreeStepper stepper(sync_free, config, false);
    const torch::Tensor start = flat_parameters(eager);
    int clipped_steps = 0;
    for (std::int64_t step = 1; step <= 12; ++step) {
      torch::Tensor eager_loss;
      {
        at::AutoGradMode grad(true);
        eager_loss = icl_training_step(eager, adam, config, step);
      }
      torch::Tensor grad_norm = torch::zeros({});
      for (const auto& p : eager->parameters()) {
        if (p.grad().defined()) grad_norm += p.grad().pow(2).sum();
      }
      // After clip_grad_norm_, a clipped gradient has norm clip (up to its 1e-6 guard); an unclipped one less.
      if (std::sqrt(grad_norm.item<double>()) > config.clip * (1.0 - 1e-4)) ++clipped_steps;
      torch::Tensor sync_free_loss;
      {
        at::AutoGradMode grad(true);
        sync_free_loss = stepper.step(step);
      }
      const torch::Tensor a = flat_parameters(eager), b = flat_parameters(sync_free);
      const double moved = (a - start).abs().max().item<double>();
      const double differ = (a - b).abs().max().item<double>();
      EXPECT_NEAR(eager_loss.item<double>(), sync_free_loss.item<double>(), 1e-5 * eager_loss.item<double>()) << step;
      // Each step moves a weight by at most lr = 1e-3; rounding may change it by a few ulps of the step.
      EXPECT_LT(differ, 1e-3 * moved) << to_string(architecture) << " step " << step << " moved " << moved;
    }
    EXPECT_EQ(stepper.adam().steps(), 12);
    EXPECT_GE(clipped_steps, 1) << "the clip never acted, so it was not compared";
  }
}

// With `apply` false, an update leaves parameters, moments and the step count exactly as they were, even
// from NaN and infinite gradients (a batch whose loss overflowed).
TEST(SyncFreeStep, AFalseApplyFlagLeavesEverythingAsItWas) {
  torch::manual_seed(5);
  torch::Tensor w = torch::randn({3, 4}), b = torch::randn({4});
  DeviceAdam adam({w, b}, 1e-3, 1.0);
  adam.update({torch::randn({3, 4}), torch::randn({4})}, torch::tensor(true));
  Checkpoint before;
  adam.save(before);
  const torch::Tensor w0 = w.clone(), b0 = b.clone();
  adam.update({torch::full({3, 4}, std::nan("")), torch::full({4}, INFINITY)}, torch::tensor(false));
  EXPECT_TRUE(torch::equal(w, w0));
  EXPECT_TRUE(torch::equal(b, b0));
  Checkpoint after;
  adam.save(after);
  for (const auto& [name, tensor] : before.tensors) EXPECT_TRUE(torch::equal(tensor, after.tensors.at(name))) << name;
  EXPECT_EQ(adam.steps(), 1);
  adam.update({torch::ones({3, 4}), torch::ones({4})}, torch::tensor(true));
  EXPECT_EQ(adam.steps(), 2);
  EXPECT_FALSE(torch::equal(w, w0));
}

// A learning rate of 1e30 overflows the loss after the first update: both steps skip the same batches
// (no update) and agree on the weights; the eager one reads each loss back, the sync-free one does not.
TEST(SyncFreeStep, SkipsTheBatchesTheEagerStepSkips) {
  IclTrainingConfig config = tiny_training(Architecture::small_tf, "");
  config.lr = 1e30;
  config.clip = 0.0;
  auto [eager, sync_free] = twin_models(config);
  torch::optim::Adam adam(trainable_parameters(eager), torch::optim::AdamOptions(config.lr));
  SyncFreeStepper stepper(sync_free, config, false);
  int eager_skipped = 0, sync_free_skipped = 0;
  for (std::int64_t step = 1; step <= 6; ++step) {
    eager_skipped += !std::isfinite(icl_training_step(eager, adam, config, step).item<double>());
    sync_free_skipped += !std::isfinite(stepper.step(step).item<double>());
  }
  EXPECT_GE(eager_skipped, 1) << "no loss overflowed, so no skip was compared";
  EXPECT_EQ(eager_skipped, sync_free_skipped);
  EXPECT_EQ(stepper.adam().steps(), 6 - sync_free_skipped);
  const torch::Tensor a = flat_parameters(eager), b = flat_parameters(sync_free);
  EXPECT_TRUE(torch::all(torch::isfinite(b)).item<bool>());
  EXPECT_LT(((a - b).abs() / (a.abs() + 1.0)).max().item<double>(), 1e-5);
}

// train_icl with the sync-free step: a run in two chunks equals the uninterrupted one bit for bit (the
// device Adam's state goes through the state file); changing the step on resume is allowed and recorded
// as an optimizer reset; the learning-rate scaling and the step are in the metadata.
TEST(SyncFreeStep, TrainingResumesBitForBitAndRecordsItsStep) {
  const fs::path whole = scratch("sync_free_whole.safetensors"), split = scratch("sync_free_split.safetensors");
  fs::remove(whole);
  fs::remove(split);
  IclTrainingConfig config = tiny_training(Architecture::small_tf, whole.string());
  config.step_mode = "sync-free";
  config.lr_scaling = "sqrt";
  config.batch = 16;  // sqrt(16 / 64) = 1/2
  config.instances = 16 * 6;
  TrainedIcl uninterrupted = train_icl(config, {});
  EXPECT_EQ(uninterrupted.metadata.at("config").at("step_mode"), "sync-free");
  EXPECT_DOUBLE_EQ(uninterrupted.metadata.at("lr_effective").get<double>(), config.lr / 2);
  IclTrainingConfig first = config;
  first.checkpoint = split.string();
  first.instances = 16 * 4;
  train_icl(first, {});
  IclTrainingConfig rest = config;
  rest.checkpoint = split.string();
  TrainedIcl resumed = train_icl(rest, {});
  EXPECT_TRUE(torch::equal(flat_parameters(uninterrupted.model), flat_parameters(resumed.model)));
  EXPECT_FALSE(resumed.metadata.contains("optimizer_resets"));
  IclTrainingConfig eager = rest;
  eager.step_mode = "eager";
  eager.instances = 16 * 8;
  const TrainedIcl switched = train_icl(eager, {});
  ASSERT_TRUE(switched.metadata.contains("optimizer_resets"));
  EXPECT_NE(switched.metadata.at("optimizer_resets").back().at("reason").get<std::string>().find("torch::optim::Adam"),
            std::string::npos);
}

TEST(SyncFreeStep, BadStepAndScalingAreRejected) {
  IclTrainingConfig config = tiny_training(Architecture::small_tf, "");
  EXPECT_DOUBLE_EQ(effective_lr(config), config.lr);  // batch 8, no scaling
  config.lr_scaling = "linear";
  EXPECT_DOUBLE_EQ(effective_lr(config), config.lr * 8 / 64);
  config.lr_scaling = "cubic";
  EXPECT_THROW(validate(config), std::invalid_argument);
  config = tiny_training(Architecture::small_tf, "");
  config.step_mode = "graph";
  EXPECT_THROW(validate(config), std::invalid_argument);
  config.step_mode = "cuda-graph";  // on the CPU
  EXPECT_THROW(validate(config), std::invalid_argument);
  if (!cuda_graphs_compiled()) {
    IclModel model(config.model);
    EXPECT_THROW(SyncFreeStepper(model, config, true), std::invalid_argument);
  }
}

// On a GPU with a CUDA build: the captured step equals the sync-free step replayed without a graph.
TEST(SyncFreeStep, CudaGraphEqualsTheSyncFreeStep) {
  if (!cuda_graphs_compiled() || !torch::cuda::is_available()) GTEST_SKIP() << "needs a CUDA LibTorch and a GPU";
  for (Architecture architecture : {Architecture::small_tf, Architecture::gpt2}) {
    IclTrainingConfig config = tiny_training(architecture, "");
    config.device = "cuda";
    auto [plain, graphed] = twin_models(config);
    plain->to(torch::kCUDA);
    graphed->to(torch::kCUDA);
    SyncFreeStepper without(plain, config, false), with(graphed, config, true);
    for (std::int64_t step = 1; step <= 8; ++step) {
      const double a = without.step(step).item<double>(), b = with.step(step).item<double>();
      EXPECT_NEAR(a, b, 1e-4 * std::abs(a)) << to_string(architecture) << " step " << step;
    }
    EXPECT_EQ(with.adam().steps(), 8);
    EXPECT_LT((flat_parameters(plain) - flat_parameters(graphed)).abs().max().item<double>(), 1e-4);
  }
}

}  // namespace

namespace {

// Every committed Small TF / GPT-2 checkpoint loads on the CPU and reproduces the evaluation recorded
// in its metadata: the final curve's last entry (float32 files) or the float16 storage check.
TEST(IclCheckpoints, CommittedCheckpointsReproduceTheirEvaluation) {
  const std::string dir = std::string(ICSR_SOURCE_DIR) + "/models/checkpoints/";
  for (const std::string name : {"small_tf_linear", "small_tf_query", "small_tf_query_dagger", "small_tf_support", "gpt2", "gpt2_support"}) {
    const std::string path = dir + name + ".safetensors";
    ASSERT_TRUE(fs::exists(path)) << path << " is not committed (scripts/train_transformers.sh)";
    EXPECT_LE(static_cast<int64_t>(fs::file_size(path)), kCheckpointByteLimit) << path;
    TrainedIcl trained = load_icl(path);
    const auto& m = trained.metadata;
    EXPECT_TRUE(m.contains("reduced") && m.contains("device") && m.contains("revision") && m.contains("chunks")) << path;
    const double recorded = m.value("stored_dtype", "F32") == "F16" ? m.at("storage_check").at("eval_loss_stored").get<double>()
                                                                     : m.at("final_curve").back().get<double>();
    const std::vector<double> curve = label_loss_curve(trained.model, trained.config.eval_instances, trained.config.S,
                                                       trained.config.support_first10, icl_evaluation_seed(trained.config));
    EXPECT_NEAR(curve.back(), recorded, 1e-4 * std::abs(recorded)) << path;
  }
}

}  // namespace
