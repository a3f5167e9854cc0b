#include "models/baseline_training.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "models/safetensors.hpp"

namespace icsr::models {
namespace {

constexpr const char* kFormat = "icsr-baseline-1";

std::uint64_t epoch_seed(std::uint64_t seed, int epoch) { return seed * 1000003ULL + static_cast<std::uint64_t>(epoch); }

Checkpoint to_checkpoint(const TrainedBaseline& trained, const torch::optim::Optimizer* optimizer, double wall_seconds) {
  Checkpoint checkpoint;
  put_module_tensors(checkpoint, *trained.model);
  checkpoint.tensors["train_X"] = trained.train_X.cpu();
  if (optimizer != nullptr) {
    std::ostringstream bytes;
    torch::serialize::OutputArchive archive;
    optimizer->save(archive);
    archive.save_to(bytes);
    const std::string data = bytes.str();
    torch::Tensor blob = torch::empty({static_cast<int64_t>(data.size())}, torch::kUInt8);
    std::memcpy(blob.data_ptr(), data.data(), data.size());
    checkpoint.tensors["optimizer"] = blob;
  }
  nlohmann::json history = nlohmann::json::array();
  for (const EpochRecord& record : trained.history) {
    history.push_back({{"epoch", record.epoch}, {"train_loss", record.train_loss}, {"eval_fixed", record.eval_fixed},
                       {"eval_varying", record.eval_varying}, {"seconds", record.seconds}});
  }
  checkpoint.metadata = {{"format", kFormat},
                         {"config", to_json(trained.config)},
                         {"epochs_done", static_cast<int>(trained.history.size())},
                         {"history", history},
                         {"device", trained.config.device},
                         {"wall_seconds", wall_seconds},
                         {"revision", trained.config.revision}};
  if (!trained.history.empty()) {
    const EpochRecord& last = trained.history.back();
    checkpoint.metadata["final"] = {{"train_loss", last.train_loss}, {"eval_fixed", last.eval_fixed},
                                    {"eval_varying", last.eval_varying}};
  }
  return checkpoint;
}

BaselineOptions options_of(const TrainingConfig& config) {
  BaselineOptions options;
  options.d = config.d;
  options.N = config.N;
  options.K = config.K;
  options.alpha = config.alpha;
  options.support_prior = config.support_prior;
  return options;
}

}  // namespace

nlohmann::json to_json(const TrainingConfig& c) {
  return {{"method", to_string(c.method)}, {"meta", c.meta}, {"d", c.d}, {"N", c.N}, {"K", c.K}, {"S", c.S},
          {"support_prior", c.support_prior}, {"epochs", c.epochs}, {"instances_per_epoch", c.instances_per_epoch},
          {"matrices_per_epoch", c.matrices_per_epoch}, {"batch", c.batch}, {"lr", c.lr}, {"alpha", c.alpha},
          {"seed", c.seed}, {"eval_instances", c.eval_instances}, {"support_probability", c.support_probability}};
}

TrainingConfig training_config_from_json(const nlohmann::json& json) {
  try {
    TrainingConfig c;
    c.method = method_from_string(json.at("method").get<std::string>());
    c.meta = json.at("meta");
    c.d = json.at("d");
    c.N = json.at("N");
    c.K = json.at("K");
    c.S = json.at("S");
    c.support_prior = json.at("support_prior").get<std::vector<int>>();
    c.epochs = json.at("epochs");
    c.instances_per_epoch = json.at("instances_per_epoch");
    c.matrices_per_epoch = json.at("matrices_per_epoch");
    c.batch = json.at("batch");
    c.lr = json.at("lr");
    c.alpha = json.at("alpha");
    c.seed = json.at("seed");
    c.eval_instances = json.at("eval_instances");
    c.support_probability = json.value("support_probability", 0.0);
    return c;
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(std::string("training config: ") + error.what());
  }
}

Batch sample_batch(int B, int n, int d, int S, const std::vector<int>& prior, const torch::Tensor& fixed_X, int matrices,
                   const torch::TensorOptions& options, double support_probability) {
  std::vector<int64_t> allowed(prior.begin(), prior.end());
  if (allowed.empty()) {
    for (int i = 0; i < d; ++i) allowed.push_back(i);
  }
  if (support_probability <= 0.0 && S > static_cast<int>(allowed.size())) {
    throw std::invalid_argument("S exceeds the support prior");
  }
  if (support_probability > 0.0) S = 1;  // the scatter below is then unused
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  const torch::Tensor scores = torch::rand({B, static_cast<int64_t>(allowed.size())}, f64);
  const torch::Tensor chosen = std::get<1>(scores.topk(S, 1));
  const torch::Tensor positions = torch::tensor(allowed, torch::kInt64).index({chosen});
  Batch batch;
  if (support_probability > 0.0) {
    batch.beta = torch::randn({B, d}, f64) * (torch::rand({B, d}, f64) < support_probability).to(torch::kFloat64);
  } else {
    batch.beta = torch::zeros({B, d}, f64).scatter_(1, positions, torch::randn({B, S}, f64));
  }
  if (fixed_X.defined()) {
    // One X for the whole batch: y = beta X^T without copying X per instance (the Open-L2O size is 256 x 512).
    const torch::Tensor X = fixed_X.to(torch::kFloat64);
    const torch::Tensor y = torch::matmul(batch.beta, X.t());
    const torch::Tensor X_typed = fixed_X.to(options);
    batch.X = X_typed.unsqueeze(0).expand({B, n, d});
    batch.y = y.to(options);
    batch.beta = batch.beta.to(options);
    return batch;
  } else if (matrices > 0) {
    batch.X = torch::randn({matrices, n, d}, f64).repeat_interleave((B + matrices - 1) / matrices, 0).slice(0, 0, B).contiguous();
  } else {
    batch.X = torch::randn({B, n, d}, f64);
  }
  batch.y = torch::matmul(batch.X, batch.beta.unsqueeze(-1)).squeeze(-1);
  batch.X = batch.X.to(options);
  batch.y = batch.y.to(options);
  batch.beta = batch.beta.to(options);
  return batch;
}

double evaluate(Baseline& model, int instances, int n, int S, const std::vector<int>& prior, const torch::Tensor& fixed_X,
                std::uint64_t seed, const torch::Device& device, double support_probability) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  const auto options = torch::TensorOptions().dtype(model->parameters().empty() ? torch::kFloat32
                                                                                 : model->parameters().front().scalar_type())
                           .device(device);
  double total = 0.0;
  int done = 0;
  while (done < instances) {
    const int B = std::min(1000, instances - done);
    const Batch batch = sample_batch(B, n, model->options().d, S, prior, fixed_X, 0, options, support_probability);
    total += (model->forward(batch.X, batch.y) - batch.beta).pow(2).sum().item<double>();
    done += B;
  }
  return total / instances;
}

std::uint64_t evaluation_seed(const TrainingConfig& config) { return config.seed ^ 0x5eed0e7a1ULL; }

TrainedBaseline train_baseline(const TrainingConfig& config, const std::function<void(const EpochRecord&)>& on_epoch) {
  if (config.batch < 1 || config.instances_per_epoch < config.batch || config.epochs < 0) {
    throw std::invalid_argument("training needs batch >= 1, instances_per_epoch >= batch and epochs >= 0");
  }
  const torch::Device device(config.device);
  TrainedBaseline trained;
  trained.config = config;
  std::unique_ptr<torch::optim::Adam> optimizer;
  double previous_seconds = 0.0;
  if (!config.checkpoint.empty() && std::filesystem::exists(config.checkpoint)) {
    trained = load_baseline(config.checkpoint);
    const nlohmann::json mine = to_json(config), theirs = to_json(trained.config);
    for (const auto& [key, value] : mine.items()) {
      if (key != "epochs" && theirs.at(key) != value) {
        throw std::invalid_argument(fmt::format("{} was made with {} = {}, this run asks for {}; use another --checkpoint",
                                                config.checkpoint, key, theirs.at(key).dump(), value.dump()));
      }
    }
    trained.config = config;
    previous_seconds = trained.metadata.value("wall_seconds", 0.0);
  } else {
    torch::manual_seed(config.seed);
    trained.train_X = torch::randn({config.N, config.d}, torch::kFloat64);
    trained.model = Baseline(config.method, options_of(config), trained.train_X);
    trained.model->to(torch::kFloat32);
  }
  trained.model->to(device);
  const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  if (trained.model->learns()) {
    optimizer = std::make_unique<torch::optim::Adam>(trained.model->parameters(), torch::optim::AdamOptions(config.lr));
    if (!trained.history.empty()) {
      const Checkpoint stored = load_safetensors(config.checkpoint);
      if (stored.tensors.count("optimizer")) {
        const torch::Tensor blob = stored.tensors.at("optimizer");
        std::istringstream bytes(std::string(static_cast<const char*>(blob.data_ptr()), blob.numel()));
        try {
          torch::serialize::InputArchive archive;
          archive.load_from(bytes, device);
          optimizer->load(archive);
        } catch (const c10::Error&) {
          fmt::print(stderr, "warning: {}: the optimizer state does not load in this LibTorch; Adam restarts\n",
                     config.checkpoint);
        }
      }
    }
  }
  const auto begin = std::chrono::steady_clock::now();
  const int steps = config.instances_per_epoch / config.batch;
  const int per_batch_matrices =
      config.meta ? std::max(1, config.batch * config.matrices_per_epoch / config.instances_per_epoch) : 0;
  const torch::Tensor fixed = config.meta ? torch::Tensor() : trained.train_X;
  const std::uint64_t eval_seed = evaluation_seed(config);
  const int last_epoch = trained.model->learns() ? config.epochs : 1;  // ista/fista: one evaluation, nothing to train
  for (int epoch = static_cast<int>(trained.history.size()) + 1; epoch <= last_epoch; ++epoch) {
    const auto started = std::chrono::steady_clock::now();
    EpochRecord record;
    record.epoch = epoch;
    if (trained.model->learns()) {
      torch::manual_seed(epoch_seed(config.seed, epoch));
      trained.model->train();
      double total = 0.0;
      for (int step = 0; step < steps; ++step) {
        const Batch batch = sample_batch(config.batch, config.N, config.d, config.S, config.support_prior, fixed,
                                         per_batch_matrices, options, config.support_probability);
        const torch::Tensor loss = (trained.model->forward(batch.X, batch.y) - batch.beta).pow(2).sum(1).mean();
        const double value = loss.item<double>();
        if (!std::isfinite(value)) {
          throw std::runtime_error(fmt::format("training {} stopped: the loss became {} at epoch {} (step {}); the last good "
                                               "checkpoint is {} (epoch {})",
                                               to_string(config.method), value, epoch, step + 1,
                                               config.checkpoint.empty() ? "none" : config.checkpoint, epoch - 1));
        }
        optimizer->zero_grad();
        loss.backward();
        optimizer->step();
        total += value;
      }
      record.train_loss = total / steps;
    }
    trained.model->eval();
    record.eval_fixed = evaluate(trained.model, config.eval_instances, config.N, config.S, config.support_prior,
                                 trained.train_X, eval_seed, device, config.support_probability);
    record.eval_varying = evaluate(trained.model, config.eval_instances, config.N, config.S, config.support_prior,
                                   torch::Tensor(), eval_seed + 1, device, config.support_probability);
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    trained.history.push_back(record);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    if (!config.checkpoint.empty()) save_safetensors(config.checkpoint, to_checkpoint(trained, optimizer.get(), previous_seconds + elapsed));
    if (on_epoch) on_epoch(record);
    if (config.max_seconds > 0.0 && elapsed >= config.max_seconds) break;
  }
  trained.metadata = to_checkpoint(trained, nullptr, 0.0).metadata;
  return trained;
}

Nmse nmse_db(TrainedBaseline& trained, int instances, bool fresh_X, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  const auto& config = trained.config;
  double error_sum = 0.0, signal_sum = 0.0, db_sum = 0.0;
  int counted = 0, done = 0;
  while (done < instances) {
    const int B = std::min(500, instances - done);
    const Batch batch = sample_batch(B, config.N, config.d, config.S, config.support_prior,
                                     fresh_X ? torch::Tensor() : trained.train_X, 0,
                                     torch::TensorOptions().dtype(torch::kFloat32), config.support_probability);
    const torch::Tensor error = (trained.model->forward(batch.X, batch.y) - batch.beta).pow(2).sum(1).to(torch::kFloat64);
    const torch::Tensor signal = batch.beta.pow(2).sum(1).to(torch::kFloat64);
    error_sum += error.sum().item<double>();
    signal_sum += signal.sum().item<double>();
    const torch::Tensor valid = signal > 0;
    db_sum += (10.0 * torch::log10(error.index({valid}) / signal.index({valid}))).sum().item<double>();
    counted += valid.sum().item<int>();
    done += B;
  }
  return {10.0 * std::log10(error_sum / signal_sum), db_sum / std::max(counted, 1)};
}

TrainedBaseline load_baseline(const std::string& path) {
  const Checkpoint checkpoint = load_checkpoint(path, kFormat, "baseline");
  TrainedBaseline trained;
  trained.metadata = checkpoint.metadata;
  trained.config = training_config_from_json(checkpoint.metadata.at("config"));
  trained.config.checkpoint = path;
  if (!checkpoint.tensors.count("train_X")) throw std::invalid_argument(path + ": no train_X tensor");
  trained.train_X = checkpoint.tensors.at("train_X").to(torch::kFloat64);
  if (trained.train_X.dim() != 2 || trained.train_X.size(0) != trained.config.N || trained.train_X.size(1) != trained.config.d) {
    throw std::invalid_argument(path + ": train_X does not have the shape (N, d) its metadata gives");
  }
  trained.model = Baseline(trained.config.method, options_of(trained.config), trained.train_X);
  trained.model->to(torch::kFloat32);
  restore_module_tensors(checkpoint, *trained.model, path);
  for (const auto& item : checkpoint.metadata.value("history", nlohmann::json::array())) {
    EpochRecord record;
    record.epoch = item.value("epoch", 0);
    record.train_loss = item.value("train_loss", 0.0);
    record.eval_fixed = item.value("eval_fixed", 0.0);
    record.eval_varying = item.value("eval_varying", 0.0);
    record.seconds = item.value("seconds", 0.0);
    trained.history.push_back(record);
  }
  return trained;
}

}  // namespace icsr::models
