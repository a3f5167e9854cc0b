// The baselines (models/baselines), their training and the safetensors checkpoints: each method
// against a hand reference, corrupt and mismatched checkpoints rejected, NaN stops, resuming is exact,
// and the committed checkpoints reproduce their recorded evaluation figures.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "models/training/baseline_training.hpp"
#include "models/baselines.hpp"
#include "models/lista_vm.hpp"
#include "models/training/safetensors.hpp"
#include "models/tensor_convert.hpp"

namespace icsr::models {
namespace {
namespace fs = std::filesystem;

std::string temp(const std::string& name) { return (fs::temp_directory_path() / ("icsr_baselines_" + name)).string(); }

Batch problem(int B, int n, int d, int S, std::uint64_t seed) {
  torch::manual_seed(seed);
  return sample_batch(B, n, d, S, {}, torch::Tensor(), 0, torch::TensorOptions().dtype(torch::kFloat64));
}

TEST(Safetensors, RoundTripKeepsTensorsAndMetadata) {
  Checkpoint checkpoint;
  checkpoint.tensors["a"] = torch::randn({3, 4}, torch::kFloat32);
  checkpoint.tensors["b"] = torch::randn({5}, torch::kFloat64);
  checkpoint.tensors["c"] = torch::arange(7, torch::kInt64);
  checkpoint.tensors["d"] = torch::ones({9}, torch::kUInt8);
  checkpoint.metadata = {{"format", "test"}, {"seed", 3}};
  const std::string path = temp("roundtrip.safetensors");
  save_safetensors(path, checkpoint);
  const Checkpoint loaded = load_safetensors(path);
  ASSERT_EQ(loaded.tensors.size(), 4u);
  for (const auto& [name, tensor] : checkpoint.tensors) EXPECT_TRUE(torch::equal(tensor, loaded.tensors.at(name))) << name;
  EXPECT_EQ(loaded.metadata, checkpoint.metadata);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST(Safetensors, CorruptFilesAreRejectedSayingWhy) {
  Checkpoint checkpoint;
  checkpoint.tensors["a"] = torch::randn({3, 4}, torch::kFloat32);
  checkpoint.metadata = {{"format", "test"}};
  const std::string path = temp("good.safetensors");
  save_safetensors(path, checkpoint);
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto expect_rejected = [](const std::string& content, const std::string& why) {
    const std::string bad = temp("bad.safetensors");
    std::ofstream(bad, std::ios::binary) << content;
    try {
      load_safetensors(bad);
      ADD_FAILURE() << "accepted a file that is " << why;
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find(why), std::string::npos) << error.what();
    }
  };
  expect_rejected(bytes.substr(0, 5), "too short");
  expect_rejected(bytes.substr(0, bytes.size() - 4), "lies outside the data section");
  std::string huge = bytes;
  huge[7] = '\x7f';
  expect_rejected(huge, "does not fit the file");
  std::string garbled = bytes;
  garbled[8] = '#';
  expect_rejected(garbled, "not JSON");
  EXPECT_THROW(load_safetensors(temp("does_not_exist")), std::invalid_argument);
  EXPECT_THROW(load_baseline(path), std::invalid_argument);  // valid safetensors, not a baseline
}

TEST(Baselines, ListaAndListaCpStartAsIsta) {
  const Batch data = problem(1, 10, 20, 3, 5);
  const torch::Tensor X = data.X[0];
  BaselineOptions options;
  const torch::Tensor Xb = X.unsqueeze(0).expand({8, 10, 20}).contiguous();
  torch::manual_seed(9);
  const torch::Tensor beta = torch::zeros({8, 20}, torch::kFloat64).scatter_(1, torch::randint(20, {8, 3}), torch::randn({8, 3}, torch::kFloat64));
  const torch::Tensor y = torch::matmul(Xb, beta.unsqueeze(-1)).squeeze(-1);
  Baseline ista(Method::ista, options);
  const torch::Tensor reference = ista->forward(Xb, y);
  for (Method method : {Method::lista, Method::lista_cp}) {
    Baseline model(method, options, X);
    EXPECT_LT((model->forward(Xb, y) - reference).abs().max().item<double>(), 1e-10) << to_string(method);
  }
  EXPECT_THROW(Baseline(Method::lista, options, X)->forward(data.X.narrow(1, 0, 9), data.y.narrow(1, 0, 9)), std::invalid_argument);
}

TEST(Baselines, IstaAndFistaSolveAnOverdeterminedSystem) {
  const Batch data = problem(4, 60, 8, 3, 6);
  BaselineOptions options;
  options.d = 8;
  options.K = 400;
  options.alpha = 0.0;
  for (Method method : {Method::ista, Method::fista}) {
    Baseline model(method, options);
    EXPECT_LT((model->forward(data.X, data.y) - data.beta).abs().max().item<double>(), 1e-6) << to_string(method);
  }
  options.K = 30;
  const double ista = (Baseline(Method::ista, options)->forward(data.X, data.y) - data.beta).norm().item<double>();
  const double fista = (Baseline(Method::fista, options)->forward(data.X, data.y) - data.beta).norm().item<double>();
  EXPECT_LT(fista, ista) << "FISTA converges faster";
}

TEST(Baselines, ListaVmMatchesTheEigenReference) {
  for (bool prior : {false, true}) {
    BaselineOptions options;
    if (prior) options.support_prior = {0, 2, 3, 5, 8, 9, 13};
    Baseline model(prior ? Method::lista_vm_ss : Method::lista_vm, options);
    torch::NoGradGuard no_grad;
    for (auto& item : model->named_parameters()) {
      if (item.key() == "gamma") item.value().copy_(torch::linspace(0.1, 0.3, 12, torch::kFloat64));
      if (item.key() == "theta") item.value().copy_(torch::linspace(0.05, 0.001, 12, torch::kFloat64));
      if (item.key() == "mv") item.value().add_(0.1 * torch::eye(20, torch::kFloat64));
    }
    const Batch data = problem(3, 10, 20, 3, 7);
    const torch::Tensor beta = model->forward(data.X, data.y);
    for (int b = 0; b < 3; ++b) {
      ListaVmParams params;
      for (int k = 0; k < 12; ++k) {
        params.gamma.push_back(0.1 + 0.2 * k / 11.0);
        params.theta.push_back(0.05 + (0.001 - 0.05) * k / 11.0);
        params.matrix.push_back(2.1 * Eigen::MatrixXd::Identity(20, 20));
      }
      params.support_prior = options.support_prior;
      const auto reference = lista_vm_iterates(params, to_matrix(data.X[b]), to_vector(data.y[b]), 10).back();
      EXPECT_LT((to_vector(beta[b]) - reference).cwiseAbs().maxCoeff(), 1e-10) << "prior " << prior;
    }
  }
}

// Theorem 4.1's form: its own M^(k) in every layer, against the Eigen LISTA-VM with gamma^(k) = 1 and
// M^(k) taken from the model (distinct, non-symmetric matrices), with and without the support prior.
TEST(Baselines, PerLayerListaVmMatchesTheEigenReference) {
  for (bool prior : {false, true}) {
    BaselineOptions options;
    if (prior) options.support_prior = {0, 2, 3, 5, 8, 9, 13};
    Baseline model(prior ? Method::lista_vm_ss_per_layer : Method::lista_vm_per_layer, options);
    torch::NoGradGuard no_grad;
    torch::manual_seed(11);
    for (auto& item : model->named_parameters()) {
      if (item.key() == "theta") item.value().copy_(torch::linspace(0.05, 0.001, 12, torch::kFloat64));
      if (item.key() == "m_layers") item.value().add_(0.05 * torch::randn({12, 20, 20}, torch::kFloat64));
    }
    const torch::Tensor M = model->named_parameters()["m_layers"];
    const Batch data = problem(3, 10, 20, 3, 7);
    const torch::Tensor beta = model->forward(data.X, data.y);
    for (int b = 0; b < 3; ++b) {
      ListaVmParams params;
      for (int k = 0; k < 12; ++k) {
        params.gamma.push_back(1.0);
        params.theta.push_back(0.05 + (0.001 - 0.05) * k / 11.0);
        params.matrix.push_back(to_matrix(M[k]));
      }
      params.support_prior = options.support_prior;
      const auto reference = lista_vm_iterates(params, to_matrix(data.X[b]), to_vector(data.y[b]), 10).back();
      EXPECT_LT((to_vector(beta[b]) - reference).cwiseAbs().maxCoeff(), 1e-10) << "prior " << prior;
    }
  }
}

// Both forms start at the same point, M^(k) = gamma_k M^V = 0.6 I, so they differ only by what training
// does; and the per-layer form stores K d^2 + K + d scalars.
TEST(Baselines, BothListaVmFormsStartAlike) {
  BaselineOptions options;
  Baseline shared(Method::lista_vm, options), per_layer(Method::lista_vm_per_layer, options);
  shared->to(torch::kFloat64);
  per_layer->to(torch::kFloat64);
  const Batch data = problem(5, 8, 20, 3, 9);
  torch::NoGradGuard no_grad;
  EXPECT_LT((shared->forward(data.X, data.y) - per_layer->forward(data.X, data.y)).abs().max().item<double>(), 1e-12);
  std::int64_t stored = 0;
  for (const auto& tensor : per_layer->parameters()) stored += tensor.numel();
  for (const auto& tensor : per_layer->buffers()) stored += tensor.numel();
  EXPECT_EQ(stored, stored_scalar_count(Method::lista_vm_per_layer, options));
  EXPECT_EQ(stored, 12 * 20 * 20 + 12 + 20);
  EXPECT_THROW(Baseline(Method::lista_vm_ss_per_layer, options), std::invalid_argument);  // needs a support prior
}

TEST(Training, CosineScheduleAndBatchCompositionAreRecorded) {
  TrainingConfig config;
  config.epochs = 4;
  config.lr = 0.01;
  EXPECT_DOUBLE_EQ(learning_rate(config, 1), 0.01);
  EXPECT_DOUBLE_EQ(learning_rate(config, 3), 0.01);  // constant
  config.lr_schedule = "cosine";
  EXPECT_DOUBLE_EQ(learning_rate(config, 1), 0.01);
  EXPECT_NEAR(learning_rate(config, 3), 0.005, 1e-15);  // (3 - 1) / 4 of the way: cos(pi/2) = 0
  EXPECT_NEAR(learning_rate(config, 4), 0.01 * 0.5 * (1 + std::cos(3.14159265358979323846 * 3 / 4)), 1e-15);
  config.matrices_per_epoch = 1000;
  const TrainingConfig back = training_config_from_json(to_json(config));
  EXPECT_EQ(back.lr_schedule, "cosine");
  EXPECT_EQ(back.matrices_per_epoch, 1000);
  nlohmann::json old = to_json(config);
  old.erase("lr_schedule");  // checkpoints written before the flag existed
  EXPECT_EQ(training_config_from_json(old).lr_schedule, "constant");
  config.lr_schedule = "linear";
  EXPECT_THROW(validate(config), std::invalid_argument);
}

TEST(Baselines, AlistaWeightMinimisesCoherence) {
  const Batch data = problem(1, 10, 20, 3, 8);
  const torch::Tensor X = data.X[0];
  const torch::Tensor W = alista_weight(X);
  const torch::Tensor product = torch::matmul(W.t(), X);
  EXPECT_LT((product.diag() - 1.0).abs().max().item<double>(), 1e-10);
  const double off = (product - torch::diag(product.diag())).pow(2).sum().item<double>();
  // Any other W with diag(W^T X) = 1, e.g. X's columns rescaled, has at least this off-diagonal mass.
  const torch::Tensor scaled = X / X.pow(2).sum(0).unsqueeze(0);
  const torch::Tensor other = torch::matmul(scaled.t(), X);
  EXPECT_LE(off, (other - torch::diag(other.diag())).pow(2).sum().item<double>());
}

TrainingConfig small(Method method, const std::string& name) {
  TrainingConfig config;
  config.method = method;
  config.epochs = 3;
  config.instances_per_epoch = 2000;
  config.batch = 500;
  config.eval_instances = 500;
  config.checkpoint = temp(name);
  fs::remove(config.checkpoint);
  return config;
}

TEST(Training, ResumingGivesTheUninterruptedRun) {
  TrainingConfig straight = small(Method::lista_cp, "straight.safetensors");
  const TrainedBaseline whole = train_baseline(straight, {});
  TrainingConfig parts = small(Method::lista_cp, "parts.safetensors");
  parts.epochs = 2;
  train_baseline(parts, {});
  parts.epochs = 3;
  const TrainedBaseline resumed = train_baseline(parts, {});
  ASSERT_EQ(resumed.history.size(), 3u);
  EXPECT_DOUBLE_EQ(resumed.history.back().eval_varying, whole.history.back().eval_varying);
  EXPECT_DOUBLE_EQ(resumed.history.back().train_loss, whole.history.back().train_loss);
  const TrainedBaseline loaded = load_baseline(parts.checkpoint);
  EXPECT_EQ(loaded.metadata.at("epochs_done"), 3);
  for (const char* key : {"config", "device", "wall_seconds", "revision", "final", "history"}) EXPECT_TRUE(loaded.metadata.contains(key)) << key;
  TrainingConfig other = parts;
  other.method = Method::lista;
  EXPECT_THROW(train_baseline(other, {}), std::invalid_argument);  // another model's checkpoint
}

TEST(Training, NonFiniteLossStopsNamingTheEpoch) {
  TrainingConfig config = small(Method::lista, "nan.safetensors");
  config.lr = 1e30;
  config.epochs = 5;
  try {
    train_baseline(config, {});
    FAIL() << "a learning rate of 1e30 trained without a non-finite loss";
  } catch (const std::runtime_error& error) {
    const std::string text = error.what();
    EXPECT_NE(text.find("at epoch"), std::string::npos) << text;
    EXPECT_NE(text.find("last good checkpoint"), std::string::npos) << text;
  }
}

TEST(Training, MismatchedTensorShapeIsRejected) {
  TrainingConfig config = small(Method::lista_vm, "shape.safetensors");
  config.epochs = 1;
  train_baseline(config, {});
  Checkpoint checkpoint = load_safetensors(config.checkpoint);
  checkpoint.tensors["param.mv"] = torch::zeros({3, 3});
  save_safetensors(config.checkpoint, checkpoint);
  try {
    load_baseline(config.checkpoint);
    FAIL() << "accepted a wrong shape";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("param.mv"), std::string::npos) << error.what();
  }
}

TEST(Checkpoints, CommittedCheckpointsReproduceTheirEvaluation) {
  const fs::path folder = fs::path(ICSR_SOURCE_DIR) / "models" / "checkpoints";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() != ".safetensors") continue;
    EXPECT_LE(fs::file_size(entry.path()), 25u << 20) << entry.path();
    // Small TF / GPT-2 checkpoints are checked in test_icl_models.
    if (load_safetensors(entry.path().string()).metadata.value("format", "") != "icsr-baseline-1") continue;
    TrainedBaseline trained = load_baseline(entry.path().string());
    const auto& config = trained.config;
    const std::uint64_t seed = evaluation_seed(config);
    const double fixed = evaluate(trained.model, config.eval_instances, config.N, config.S, config.support_prior,
                                  trained.train_X, seed, torch::kCPU);
    const double varying = evaluate(trained.model, config.eval_instances, config.N, config.S, config.support_prior,
                                    torch::Tensor(), seed + 1, torch::kCPU);
    const auto& final = trained.metadata.at("final");
    EXPECT_NEAR(fixed, final.at("eval_fixed").get<double>(), 1e-3 * (1 + std::abs(fixed))) << entry.path();
    EXPECT_NEAR(varying, final.at("eval_varying").get<double>(), 1e-3 * (1 + std::abs(varying))) << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 12);  // the ten of Section 6 / App. F and the two meta-trained per-layer LISTA-VM (Thm 4.1)
}

}  // namespace
}  // namespace icsr::models
