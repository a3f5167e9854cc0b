#include "models/training/baseline_training.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "models/training/safetensors.hpp"

namespace icsr::models {
namespace {

constexpr const char* kFormat = "icsr-baseline-1";

std::uint64_t epoch_seed(std::uint64_t seed, int epoch) { return seed * 1000003ULL + static_cast<std::uint64_t>(epoch); }

Checkpoint to_checkpoint(const TrainedBaseline& trained, const torch::optim::Optimizer* optimizer, double wall_seconds) {
  Checkpoint checkpoint;
  put_module_tensors(checkpoint, *trained.model);
  checkpoint.tensors["train_X"] = trained.train_X.cpu();
  if (optimizer != nullptr) checkpoint.tensors["optimizer"] = serialize_optimizer(*optimizer);
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
  if (trained.metadata.contains("optimizer_resets")) checkpoint.metadata["optimizer_resets"] = trained.metadata.at("optimizer_resets");
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

// Reads the configuration, checks it against the bounds and against the size of what the file holds,
// and only then builds the model: a corrupt K = 10^8 or d = 10^6 is refused before anything is allocated.
TrainedBaseline baseline_from_checkpoint(const Checkpoint& checkpoint, const std::string& path) {
  TrainedBaseline trained;
  trained.metadata = checkpoint.metadata;
  if (!checkpoint.metadata.contains("config")) throw std::invalid_argument(path + ": no training config in the metadata");
  try {
    trained.config = training_config_from_json(checkpoint.metadata.at("config"));
    validate(trained.config);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(path + ": the checkpoint's configuration is invalid: " + error.what());
  }
  trained.config.checkpoint = path;
  if (!checkpoint.tensors.count("train_X")) throw std::invalid_argument(path + ": no train_X tensor");
  const torch::Tensor& X = checkpoint.tensors.at("train_X");
  if (X.dim() != 2 || X.size(0) != trained.config.N || X.size(1) != trained.config.d) {
    throw std::invalid_argument(path + ": train_X does not have the shape (N, d) its metadata gives");
  }
  std::int64_t stored = 0;
  for (const auto& [name, tensor] : checkpoint.tensors) {
    if (name.rfind("param.", 0) == 0 || name.rfind("buffer.", 0) == 0) stored += tensor.numel();
  }
  const std::int64_t described = stored_scalar_count(trained.config.method, options_of(trained.config));
  check_model_fits_file(described, stored, path,
                        fmt::format("a {} (d = {}, N = {}, K = {})", to_string(trained.config.method), trained.config.d,
                                    trained.config.N, trained.config.K));
  trained.train_X = X.to(torch::kFloat64);
  trained.model = Baseline(trained.config.method, options_of(trained.config), trained.train_X);
  trained.model->to(torch::kFloat32);
  restore_module_tensors(checkpoint, *trained.model, path);
  try {
    for (const auto& item : checkpoint.metadata.value("history", nlohmann::json::array())) {
      EpochRecord record;
      record.epoch = item.value("epoch", 0);
      record.train_loss = metadata_number(item, "train_loss", 0.0);
      record.eval_fixed = metadata_number(item, "eval_fixed", 0.0);
      record.eval_varying = metadata_number(item, "eval_varying", 0.0);
      record.seconds = metadata_number(item, "seconds", 0.0);
      trained.history.push_back(record);
    }
    metadata_number(checkpoint.metadata, "wall_seconds", 0.0);
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(path + ": malformed history in the metadata (" + error.what() + ")");
  }
  return trained;
}

// Restores Adam from the checkpoint's "optimizer" blob; returns why it could not (empty: restored).
std::string restore_optimizer(const Checkpoint& checkpoint, torch::optim::Optimizer& optimizer, const torch::Device& device) {
  if (!checkpoint.tensors.count("optimizer")) return "the checkpoint holds no optimizer state";
  return load_optimizer(checkpoint.tensors.at("optimizer"), optimizer, device);
}

}  // namespace

nlohmann::json to_json(const TrainingConfig& c) {
  return {{"method", to_string(c.method)}, {"meta", c.meta}, {"d", c.d}, {"N", c.N}, {"K", c.K}, {"S", c.S},
          {"support_prior", c.support_prior}, {"epochs", c.epochs}, {"instances_per_epoch", c.instances_per_epoch},
          {"matrices_per_epoch", c.matrices_per_epoch}, {"batch", c.batch}, {"lr", c.lr}, {"lr_schedule", c.lr_schedule}, {"alpha", c.alpha},
          {"seed", c.seed}, {"eval_instances", c.eval_instances}, {"support_probability", c.support_probability}};
}

TrainingConfig training_config_from_json(const nlohmann::json& json) {
  try {
    TrainingConfig c;
    c.method = method_from_string(json.at("method").get<std::string>());
    c.meta = json.at("meta");
    c.d = metadata_int(json, "d");
    c.N = metadata_int(json, "N");
    c.K = metadata_int(json, "K");
    c.S = metadata_int(json, "S");
    c.support_prior.clear();
    for (const nlohmann::json& index : json.at("support_prior")) {
      if (!index.is_number_integer() || index.get<std::int64_t>() < 0 || index.get<std::int64_t>() > kMaxDimension) {
        throw std::invalid_argument("training config: support_prior entry " + index.dump() + " is not an index in [0, d)");
      }
      c.support_prior.push_back(index.get<int>());
    }
    c.epochs = metadata_int(json, "epochs");
    c.instances_per_epoch = metadata_int(json, "instances_per_epoch");
    c.matrices_per_epoch = metadata_int(json, "matrices_per_epoch");
    c.batch = metadata_int(json, "batch");
    c.lr = json.at("lr");
    c.lr_schedule = json.value("lr_schedule", std::string("constant"));  // older checkpoints: constant
    c.alpha = json.at("alpha");
    c.seed = json.at("seed");
    c.eval_instances = metadata_int(json, "eval_instances");
    c.support_probability = json.value("support_probability", 0.0);
    return c;
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(std::string("training config: ") + error.what());
  }
}

void validate(const TrainingConfig& c) {
  constexpr int kIntMax = std::numeric_limits<int>::max();
  check_integer("--d", c.d, 1, kMaxDimension);
  check_integer("--N", c.N, 1, kMaxDimension);
  check_integer("--K", c.K, 1, kMaxLayers);
  std::vector<int> sorted = c.support_prior;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end() ||
      (!sorted.empty() && (sorted.front() < 0 || sorted.back() >= c.d))) {
    throw std::invalid_argument(fmt::format("the support prior must hold distinct indices in [0, {}) (--support-first10 needs "
                                            "--d >= 10)", c.d));
  }
  check_integer("--S", c.S, 1, c.support_prior.empty() ? c.d : static_cast<int>(c.support_prior.size()));
  check_number("--bernoulli", c.support_probability, 0.0, true, 1.0);
  check_integer("--epochs", c.epochs, 1, kIntMax);
  check_integer("--batch", c.batch, 1, kMaxBatch);
  check_integer("--instances", c.instances_per_epoch, c.batch, kIntMax);
  check_integer("--matrices", c.matrices_per_epoch, 1, kIntMax);
  if (c.lr_schedule != "constant" && c.lr_schedule != "cosine") {
    throw std::invalid_argument("--lr-schedule must be constant or cosine, got '" + c.lr_schedule + "'");
  }
  check_number("--lr", c.lr, 0.0, false);
  check_number("alpha", c.alpha, 0.0, true);
  check_integer("--eval-instances", c.eval_instances, 1, kMaxEvalInstances);
  if (!std::isfinite(c.max_seconds) || c.max_seconds < 0.0) {
    throw std::invalid_argument(fmt::format("--max-minutes must be a finite number >= 0, got {}", c.max_seconds / 60.0));
  }
  if (c.device != "cpu" && c.device.rfind("cuda", 0) != 0) {
    throw std::invalid_argument("--device must be cpu or cuda, got '" + c.device + "'");
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

double learning_rate(const TrainingConfig& config, int epoch) {
  if (config.lr_schedule != "cosine") return config.lr;
  constexpr double kPi = 3.14159265358979323846;
  return config.lr * 0.5 * (1.0 + std::cos(kPi * (epoch - 1) / config.epochs));
}

std::uint64_t evaluation_seed(const TrainingConfig& config) { return config.seed ^ 0x5eed0e7a1ULL; }

TrainedBaseline train_baseline(const TrainingConfig& config, const std::function<void(const EpochRecord&)>& on_epoch) {
  validate(config);
  const torch::Device device(config.device);
  if (!config.checkpoint.empty()) remove_stale_temporary(config.checkpoint);
  TrainedBaseline trained;
  trained.config = config;
  std::unique_ptr<torch::optim::Adam> optimizer;
  double previous_seconds = 0.0;
  Checkpoint stored;
  const bool resuming = !config.checkpoint.empty() && std::filesystem::exists(config.checkpoint);
  if (resuming) {
    stored = load_checkpoint(config.checkpoint, kFormat, "baseline");
    trained = baseline_from_checkpoint(stored, config.checkpoint);
    const nlohmann::json mine = to_json(config), theirs = to_json(trained.config);
    for (const auto& [key, value] : mine.items()) {
      if (key != "epochs" && theirs.at(key) != value) {
        throw std::invalid_argument(fmt::format("{} was made with {} = {}, this run asks for {}; use another --checkpoint",
                                                config.checkpoint, key, theirs.at(key).dump(), value.dump()));
      }
    }
    trained.config = config;
    previous_seconds = metadata_number(trained.metadata, "wall_seconds", 0.0);
    if (!std::isfinite(previous_seconds)) previous_seconds = 0.0;
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
      const std::string reason = restore_optimizer(stored, *optimizer, device);
      if (!reason.empty()) {
        // Training goes on, but the run is no longer the uninterrupted one: say so, and keep it on record.
        fmt::print(stderr, "warning: {}: {}; Adam restarts at epoch {} (recorded as an optimizer reset)\n", config.checkpoint,
                   reason, trained.history.size() + 1);
        if (!trained.metadata.contains("optimizer_resets")) trained.metadata["optimizer_resets"] = nlohmann::json::array();
        trained.metadata["optimizer_resets"].push_back({{"epoch", trained.history.size()}, {"reason", reason}});
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
      for (auto& group : optimizer->param_groups()) {
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(learning_rate(config, epoch));
      }
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
  return baseline_from_checkpoint(load_checkpoint(path, kFormat, "baseline"), path);
}

}  // namespace icsr::models
