#include "models/icl_training.hpp"

#include <ATen/Context.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "models/baseline_training.hpp"
#include "models/safetensors.hpp"

namespace icsr::models {
namespace {

constexpr const char* kFormat = "icsr-icl-1";
constexpr const char* kStateFormat = "icsr-icl-state-1";

std::uint64_t step_seed(std::uint64_t seed, std::int64_t step) {
  return seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(step) * 2654435761ULL + 17;
}

std::string state_path(const std::string& path) { return path + ".state"; }

torch::Tensor serialize_optimizer(const torch::optim::Optimizer& optimizer) {
  std::ostringstream bytes;
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  archive.save_to(bytes);
  const std::string data = bytes.str();
  torch::Tensor blob = torch::empty({static_cast<int64_t>(data.size())}, torch::kUInt8);
  std::memcpy(blob.data_ptr(), data.data(), data.size());
  return blob;
}

nlohmann::json history_json(const std::vector<IclEvalRecord>& history) {
  nlohmann::json out = nlohmann::json::array();
  for (const IclEvalRecord& r : history) {
    out.push_back({{"step", r.step}, {"instances", r.instances}, {"train_loss", r.train_loss}, {"eval_loss", r.eval_loss},
                   {"seconds", r.seconds}});
  }
  return out;
}

torch::Device device_of(IclModel& model) { return model->parameters().front().device(); }

// Configuration keys that must agree between a checkpoint and the run resuming it.
bool resumable_key(const std::string& key) {
  return key != "instances" && key != "device" && key != "precision" && key != "eval_every" && key != "target_loss";
}

}  // namespace

nlohmann::json to_json(const IclTrainingConfig& c) {
  return {{"model", to_string(c.model.architecture)}, {"readout", to_string(c.model.readout)}, {"d", c.model.d},
          {"N", c.model.N}, {"layers", c.model.layers}, {"heads", c.model.heads}, {"embed", c.model.embed},
          {"init_std", c.model.init_std}, {"S", c.S}, {"support_first10", c.support_first10}, {"instances", c.instances},
          {"batch", c.batch}, {"lr", c.lr}, {"clip", c.clip}, {"seed", c.seed}, {"device", c.device}, {"precision", c.precision},
          {"eval_instances", c.eval_instances}, {"eval_every", c.eval_every}, {"target_loss", c.target_loss}};
}

IclTrainingConfig icl_training_config_from_json(const nlohmann::json& json) {
  try {
    IclTrainingConfig c;
    c.model.architecture = architecture_from_string(json.at("model").get<std::string>());
    c.model.readout = readout_from_string(json.at("readout").get<std::string>());
    c.model.d = json.at("d");
    c.model.N = json.at("N");
    c.model.layers = json.at("layers");
    c.model.heads = json.at("heads");
    c.model.embed = json.at("embed");
    c.model.init_std = json.at("init_std");
    c.S = json.at("S");
    c.support_first10 = json.at("support_first10");
    c.instances = json.at("instances");
    c.batch = json.at("batch");
    c.lr = json.at("lr");
    c.clip = json.value("clip", 0.0);
    c.seed = json.at("seed");
    c.device = json.at("device");
    c.precision = json.at("precision");
    c.eval_instances = json.at("eval_instances");
    c.eval_every = json.at("eval_every");
    c.target_loss = json.at("target_loss");
    return c;
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(std::string("training config: ") + error.what());
  }
}

void validate(const IclTrainingConfig& c) {
  validate(c.model);
  if (c.S < 1 || c.S > (c.support_first10 ? std::min(10, c.model.d) : c.model.d)) {
    throw std::invalid_argument("S must lie in [1, d] (in [1, 10] with the support prior)");
  }
  if (c.support_first10 && c.model.d < 10) throw std::invalid_argument("the support prior (first 10 entries) needs d >= 10");
  if (c.batch < 1) throw std::invalid_argument("batch must be >= 1");
  if (c.instances < c.batch) throw std::invalid_argument("instances must be >= batch");
  if (!(c.lr > 0.0)) throw std::invalid_argument("lr must be > 0");
  if (c.clip < 0.0) throw std::invalid_argument("clip must be >= 0");
  if (c.precision != "fp32" && c.precision != "tf32") throw std::invalid_argument("precision must be fp32 or tf32");
  if (c.eval_instances < 1 || c.eval_every < 1) throw std::invalid_argument("eval_instances and eval_every must be >= 1");
  if (c.max_seconds < 0.0 || c.target_loss < 0.0) throw std::invalid_argument("max_seconds and target_loss must be >= 0");
}

IclBatch sample_icl_batch(int B, int N, int d, int S, bool support_first10, const torch::TensorOptions& options) {
  std::vector<int> prior;
  if (support_first10) {
    for (int i = 0; i < 10; ++i) prior.push_back(i);
  }
  const Batch batch = sample_batch(B, N + 1, d, S, prior, torch::Tensor(), 0, options);
  return {batch.X, batch.y, batch.beta};
}

torch::Tensor label_errors_on(IclModel& model, const torch::Tensor& X, const torch::Tensor& y) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  const torch::Device device = device_of(model);
  const torch::Dtype dtype = model->parameters().front().scalar_type();
  std::vector<torch::Tensor> chunks;
  for (int64_t done = 0; done < X.size(0);) {
    const int64_t B = std::min<int64_t>(250, X.size(0) - done);
    const torch::Tensor Xc = X.narrow(0, done, B), yc = y.narrow(0, done, B);
    const torch::Tensor prediction = model->forward(Xc.to(device, dtype), yc.to(device, dtype)).to(torch::kCPU, torch::kFloat64);
    chunks.push_back((prediction - yc.to(torch::kFloat64)).pow(2));
    done += B;
  }
  model->train(was_training);
  return torch::cat(chunks);
}

torch::Tensor label_errors(IclModel& model, int instances, int S, bool support_first10, std::uint64_t seed) {
  torch::manual_seed(seed);
  const auto cpu = torch::TensorOptions().dtype(torch::kFloat32);
  std::vector<torch::Tensor> chunks;
  for (int done = 0; done < instances;) {
    const int B = std::min(250, instances - done);
    const IclBatch batch = sample_icl_batch(B, model->options().N, model->options().d, S, support_first10, cpu);
    chunks.push_back(label_errors_on(model, batch.X, batch.y));
    done += B;
  }
  return torch::cat(chunks);
}

std::vector<double> label_loss_curve(IclModel& model, int instances, int S, bool support_first10, std::uint64_t seed) {
  const torch::Tensor mean = label_errors(model, instances, S, support_first10, seed).mean(0);
  return std::vector<double>(mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel());
}

std::uint64_t icl_evaluation_seed(const IclTrainingConfig& config) {
  return 0xE7A1ULL * 1000 + static_cast<std::uint64_t>(config.support_first10) * 7 + static_cast<std::uint64_t>(config.model.d);
}

torch::Tensor icl_training_step(IclModel& model, torch::optim::Optimizer& optimizer, const IclTrainingConfig& config,
                                std::int64_t step) {
  torch::manual_seed(step_seed(config.seed, step));
  const IclBatch batch = sample_icl_batch(config.batch, config.model.N, config.model.d, config.S, config.support_first10,
                                          torch::TensorOptions().dtype(torch::kFloat32));
  const torch::Device device = device_of(model);
  const torch::Tensor X = batch.X.to(device), y = batch.y.to(device);
  const torch::Tensor loss = (model->forward(X, y) - y).pow(2).mean();
  optimizer.zero_grad();
  // A batch whose loss overflows is skipped (no update): the unnormalised ReLU attention grows like
  // |h|^3 per layer, and a rare batch of large labels overflows float32 once the weights have grown.
  if (!std::isfinite(loss.item<double>())) return loss.detach();
  loss.backward();
  if (config.clip > 0.0) torch::nn::utils::clip_grad_norm_(model->parameters(), config.clip);
  optimizer.step();
  return loss.detach();
}

TrainedIcl load_icl(const std::string& path) {
  const Checkpoint checkpoint = load_checkpoint(path, kFormat, "Small TF / GPT-2");
  TrainedIcl trained;
  trained.metadata = checkpoint.metadata;
  trained.config = icl_training_config_from_json(checkpoint.metadata.at("config"));
  trained.config.checkpoint = path;
  trained.steps_done = checkpoint.metadata.value("steps_done", std::int64_t{0});
  trained.model = IclModel(trained.config.model);
  restore_module_tensors(checkpoint, *trained.model, path);
  for (const auto& item : checkpoint.metadata.value("history", nlohmann::json::array())) {
    trained.history.push_back({item.value("step", std::int64_t{0}), item.value("instances", std::int64_t{0}),
                               item.value("train_loss", 0.0), item.value("eval_loss", 0.0), item.value("seconds", 0.0)});
  }
  return trained;
}

TrainedIcl train_icl(const IclTrainingConfig& config, const std::function<void(const IclEvalRecord&)>& on_record,
                     const std::function<void(std::int64_t, double, double)>& on_progress) {
  validate(config);
  const torch::Device device(config.device);
  if (config.precision == "tf32") at::globalContext().setFloat32MatmulPrecision("high");
  TrainedIcl trained;
  trained.config = config;
  double previous_seconds = 0.0;
  nlohmann::json chunks = nlohmann::json::array();
  std::unique_ptr<torch::optim::Adam> optimizer;
  const bool resuming = !config.checkpoint.empty() && std::filesystem::exists(config.checkpoint);
  if (resuming) {
    trained = load_icl(config.checkpoint);
    const nlohmann::json mine = to_json(config), theirs = to_json(trained.config);
    for (const auto& [key, value] : mine.items()) {
      if (resumable_key(key) && theirs.at(key) != value) {
        throw std::invalid_argument(fmt::format("{} was made with {} = {}, this run asks for {}; use another --checkpoint",
                                                config.checkpoint, key, theirs.at(key).dump(), value.dump()));
      }
    }
    trained.config = config;
    previous_seconds = trained.metadata.value("wall_seconds", 0.0);
    chunks = trained.metadata.value("chunks", nlohmann::json::array());
  } else {
    torch::manual_seed(config.seed);
    trained.model = IclModel(config.model);
  }
  trained.model->to(device);
  std::vector<torch::Tensor> trainable;
  for (const auto& parameter : trained.model->parameters()) {
    if (parameter.requires_grad()) trainable.push_back(parameter);
  }
  optimizer = std::make_unique<torch::optim::Adam>(trainable, torch::optim::AdamOptions(config.lr));
  if (resuming) {
    // The state file holds the float32 parameters and Adam's moments of the same step; without it (a
    // committed model alone) training goes on from the stored parameters with a fresh Adam.
    const std::string state = state_path(config.checkpoint);
    bool restored = false;
    if (std::filesystem::exists(state)) {
      const Checkpoint stored = load_safetensors(state);
      if (stored.metadata.value("format", "") == kStateFormat && stored.metadata.value("steps_done", std::int64_t{-1}) == trained.steps_done) {
        restore_module_tensors(stored, *trained.model, state);
        const torch::Tensor blob = stored.tensors.at("optimizer");
        std::istringstream bytes(std::string(static_cast<const char*>(blob.data_ptr()), blob.numel()));
        try {
          torch::serialize::InputArchive archive;
          archive.load_from(bytes, device);
          optimizer->load(archive);
          restored = true;
        } catch (const c10::Error&) {
        }
      }
    }
    if (!restored) fmt::print(stderr, "warning: no matching {}; training resumes with a fresh Adam\n", state);
  }

  const auto begin = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count(); };
  const std::int64_t total_steps = (config.instances + config.batch - 1) / config.batch;
  const std::uint64_t eval_seed = icl_evaluation_seed(config);
  const std::int64_t first_step = trained.steps_done + 1;
  bool target_reached = trained.metadata.value("target_reached", false);
  std::int64_t skipped = trained.metadata.value("skipped_steps", std::int64_t{0});
  std::vector<double> curve = trained.metadata.value("final_curve", std::vector<double>{});

  const auto save = [&](bool final_save) {
    if (config.checkpoint.empty()) return;
    const double wall = previous_seconds + elapsed();
    nlohmann::json this_chunk = {{"device", config.device}, {"precision", config.precision}, {"from_step", first_step},
                                 {"to_step", trained.steps_done}, {"seconds", elapsed()}, {"revision", config.revision}};
    nlohmann::json all_chunks = chunks;
    all_chunks.push_back(this_chunk);
    const std::int64_t instances_done = trained.steps_done * config.batch;
    nlohmann::json metadata = {
        {"format", kFormat},
        {"config", to_json(config)},
        {"steps_done", trained.steps_done},
        {"instances_done", instances_done},
        {"paper_instances", kPaperTrainingInstances},
        {"target_reached", target_reached},
        {"skipped_steps", skipped},
        {"reduced", instances_done < kPaperTrainingInstances && !target_reached},
        {"objective", "mean over every prefix n = 1..N+1 of (y_n - y^_n)^2 (the paper: y_{N+1} only)"},
        {"history", history_json(trained.history)},
        {"final_curve", curve},
        {"device", config.device},
        {"precision", config.precision},
        {"chunks", all_chunks},
        {"wall_seconds", wall},
        {"revision", config.revision},
        {"parameters", parameter_count(trained.model)}};
    int64_t bytes32 = 0;
    for (const auto& p : trained.model->parameters()) bytes32 += p.numel() * 4;
    const bool half = bytes32 > kCheckpointByteLimit;
    metadata["stored_dtype"] = half ? "F16" : "F32";
    Checkpoint model_file;
    put_module_tensors(model_file, *trained.model, half ? torch::kFloat16 : torch::kFloat32);
    model_file.metadata = metadata;
    save_safetensors(config.checkpoint, model_file);
    if (half && final_save && !curve.empty()) {
      // Measure what float16 storage does to the evaluation, and record it.
      TrainedIcl rounded = load_icl(config.checkpoint);
      rounded.model->to(device);
      const std::vector<double> stored = label_loss_curve(rounded.model, config.eval_instances, config.S, config.support_first10, eval_seed);
      model_file.metadata["storage_check"] = {{"eval_loss_float32", curve.back()}, {"eval_loss_stored", stored.back()},
                                              {"curve_stored", stored}};
      save_safetensors(config.checkpoint, model_file);
    }
    Checkpoint state_file;
    put_module_tensors(state_file, *trained.model, torch::kFloat32);
    state_file.tensors["optimizer"] = serialize_optimizer(*optimizer);
    state_file.metadata = {{"format", kStateFormat}, {"steps_done", trained.steps_done}};
    save_safetensors(state_path(config.checkpoint), state_file);
  };

  std::ofstream log;
  if (!config.checkpoint.empty()) log.open(config.checkpoint + ".log", std::ios::app);
  if (log && first_step == 1) {
    log << "# " << to_json(config).dump() << "\n# step instances train_loss eval_loss_at_N+1 seconds\n";
  }

  trained.model->train();
  torch::Tensor window = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat32).device(device));
  std::int64_t window_steps = 0, window_skipped = 0, window_first = first_step;
  double smoothed = std::nan(""), last_progress = 0.0;
  const auto evaluate_and_record = [&](std::int64_t step) {
    const double train_loss = window_steps > 0 ? window.item<double>() / window_steps : std::nan("");
    curve = label_loss_curve(trained.model, config.eval_instances, config.S, config.support_first10, eval_seed);
    IclEvalRecord record{step, step * config.batch, train_loss, curve.back(), previous_seconds + elapsed()};
    trained.history.push_back(record);
    if (log) log << fmt::format("{} {} {:.6g} {:.6g} {:.1f}\n", record.step, record.instances, record.train_loss, record.eval_loss,
                                record.seconds) << std::flush;
    window.zero_();
    window_steps = 0;
    window_skipped = 0;
    window_first = step + 1;
    if (config.target_loss > 0.0 && record.eval_loss <= config.target_loss) target_reached = true;
    if (on_record) on_record(record);
  };

  for (std::int64_t step = first_step; step <= total_steps; ++step) {
    const torch::Tensor loss = icl_training_step(trained.model, *optimizer, config, step);
    if (std::isfinite(loss.item<double>())) {
      window += loss;
      ++window_steps;
    } else {
      ++skipped;
      ++window_skipped;
      if (log) log << fmt::format("# step {}: non-finite loss, batch skipped\n", step) << std::flush;
    }
    trained.steps_done = step;
    const bool due = step % config.eval_every == 0 || step == total_steps;
    const bool out_of_time = config.max_seconds > 0.0 && elapsed() >= config.max_seconds;
    const double now = elapsed();
    if (due || out_of_time || now - last_progress >= 10.0) {
      const double mean = window_steps > 0 ? window.item<double>() / window_steps : std::nan("");
      if (!std::isfinite(mean) || window_skipped > window_steps) {
        throw std::runtime_error(fmt::format("training {} stopped: the loss became non-finite in {} of the steps {} to {} (mean of the "
                                             "finite ones: {}); the last good checkpoint is {} (step {})",
                                             to_string(config.model.architecture), window_skipped, window_first, step, mean,
                                             config.checkpoint.empty() ? "none" : config.checkpoint, window_first - 1));
      }
      smoothed = mean;
      if (on_progress && now - last_progress >= 10.0) on_progress(step, smoothed, (step - first_step + 1) * config.batch / now);
      if (now - last_progress >= 10.0) last_progress = now;
    }
    if (due || out_of_time) {
      evaluate_and_record(step);
      save(out_of_time || step == total_steps || target_reached);
      if (out_of_time || target_reached) break;
    }
  }
  if (first_step > total_steps && curve.empty()) {
    curve = label_loss_curve(trained.model, config.eval_instances, config.S, config.support_first10, eval_seed);
  }
  if (!config.checkpoint.empty() && std::filesystem::exists(config.checkpoint)) {
    trained.metadata = load_safetensors(config.checkpoint).metadata;
  }
  return trained;
}

}  // namespace icsr::models
