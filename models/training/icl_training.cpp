#include "models/training/icl_training.hpp"

#include <ATen/Context.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "models/training/baseline_training.hpp"
#include "models/training/safetensors.hpp"
#include "models/training/sync_free_step.hpp"

namespace icsr::models {
namespace {

constexpr const char* kFormat = "icsr-icl-1";
constexpr const char* kStateFormat = "icsr-icl-state-1";

std::uint64_t step_seed(std::uint64_t seed, std::int64_t step) {
  return seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(step) * 2654435761ULL + 17;
}

// The optimizer state of step s lives in "<model file name>.state-<s>", next to the model file,
// which names it under "state_file". Files written before that (no "state_file") used "<name>.state".
std::string state_file_name(const std::string& path, std::int64_t step) {
  return std::filesystem::path(path).filename().string() + ".state-" + std::to_string(step);
}

std::string sibling(const std::string& path, const std::string& name) {
  return (std::filesystem::path(path).parent_path() / name).string();
}

// Removes the state files (and their .tmp) of PATH other than `keep`: those of older steps, and those a
// kill left past the last commit. The legacy PATH.state is kept while the model names no state file.
void remove_stale_state_files(const std::string& path, const std::string& keep) {
  const std::filesystem::path model(path);
  const std::filesystem::path folder = model.has_parent_path() ? model.parent_path() : std::filesystem::path(".");
  const std::string prefix = model.filename().string() + ".state";
  std::error_code error;
  std::vector<std::filesystem::path> stale;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || name == keep) continue;
    const std::string rest = name.substr(prefix.size());
    const bool legacy = rest.empty() || rest == ".tmp";
    const bool stepped = rest.size() > 1 && rest[0] == '-';
    if ((legacy && !keep.empty()) || (legacy && rest == ".tmp") || stepped) stale.push_back(entry.path());
  }
  for (const auto& file : stale) std::filesystem::remove(file, error);
}

// Restores the float32 parameters and the optimizer's state that the model file names (`load` reads the
// optimizer's part of the state file and says why it could not); returns why it could not (empty: restored).
std::string restore_state(const std::string& path, TrainedIcl& trained,
                          const std::function<std::string(const Checkpoint&)>& load) {
  const std::string named = trained.metadata.value("state_file", "");
  const std::string state = named.empty() ? path + ".state" : sibling(path, named);
  if (!std::filesystem::exists(state)) return "its optimizer state " + state + " is missing";
  try {
    const Checkpoint stored = load_safetensors(state);
    if (stored.metadata.value("format", "") != kStateFormat) return state + " is not an optimizer state file";
    const std::int64_t steps = stored.metadata.value("steps_done", std::int64_t{-1});
    if (steps != trained.steps_done) {
      return fmt::format("{} is of step {}, the model of step {}", state, steps, trained.steps_done);
    }
    restore_module_tensors(stored, *trained.model, state);
    const std::string failure = load(stored);
    if (!failure.empty()) return state + ": " + failure;
  } catch (const std::invalid_argument& error) {
    return error.what();
  } catch (const c10::Error& error) {
    return state + ": the optimizer state does not load (" + error.what_without_backtrace() + ")";
  }
  return "";
}

std::string log_line(const IclEvalRecord& record) {
  return fmt::format("{} {} {:.6g} {:.6g} {:.1f}\n", record.step, record.instances, record.train_loss, record.eval_loss,
                     record.seconds);
}

// The step of the last record line of a log; 0 when it has only comments, -1 when it is missing or empty.
std::int64_t last_logged_step(const std::string& log_path) {
  std::ifstream in(log_path);
  std::int64_t last = -1;
  for (std::string line; std::getline(in, line);) {
    if (last < 0) last = 0;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::int64_t step = 0;
    if (fields >> step) last = std::max(last, step);
  }
  return last;
}

// Reads the configuration, checks it against the bounds and against the size of what the file holds,
// and only then builds the model: a corrupt layers = 10^8 is refused before anything is allocated.
TrainedIcl icl_from_checkpoint(const Checkpoint& checkpoint, const std::string& path) {
  TrainedIcl trained;
  trained.metadata = checkpoint.metadata;
  if (!checkpoint.metadata.contains("config")) throw std::invalid_argument(path + ": no training config in the metadata");
  try {
    trained.config = icl_training_config_from_json(checkpoint.metadata.at("config"));
    validate(trained.config);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(path + ": the checkpoint's configuration is invalid: " + error.what());
  }
  trained.config.checkpoint = path;
  const nlohmann::json& steps = checkpoint.metadata.contains("steps_done") ? checkpoint.metadata.at("steps_done") : nlohmann::json(0);
  if (!steps.is_number_integer() || steps.get<std::int64_t>() < 0) {
    throw std::invalid_argument(path + ": steps_done = " + steps.dump() + " is not a count of steps");
  }
  trained.steps_done = steps.get<std::int64_t>();
  std::int64_t stored = 0;
  for (const auto& [name, tensor] : checkpoint.tensors) {
    if (name.rfind("param.", 0) == 0 || name.rfind("buffer.", 0) == 0) stored += tensor.numel();
  }
  const std::int64_t described = stored_scalar_count(trained.config.model);
  const IclModelOptions& o = trained.config.model;
  check_model_fits_file(described, stored, path,
                        fmt::format("a {} (d = {}, N = {}, {} layers, {} heads, embedding {})", to_string(o.architecture), o.d, o.N,
                                    o.layers, o.heads, o.embed));
  trained.model = IclModel(trained.config.model);
  restore_module_tensors(checkpoint, *trained.model, path);
  try {
    for (const auto& item : checkpoint.metadata.value("history", nlohmann::json::array())) {
      trained.history.push_back({item.value("step", std::int64_t{0}), item.value("instances", std::int64_t{0}),
                                 metadata_number(item, "train_loss", 0.0), metadata_number(item, "eval_loss", 0.0),
                                 metadata_number(item, "seconds", 0.0)});
    }
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(path + ": malformed history in the metadata (" + error.what() + ")");
  }
  return trained;
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
// The step (eager, sync-free, cuda-graph) may change: its optimizer state is then not restored, and the
// run goes on with a fresh Adam, recorded as an optimizer reset.
bool resumable_key(const std::string& key) {
  return key != "instances" && key != "device" && key != "precision" && key != "eval_every" && key != "target_loss" &&
         key != "step_mode";
}

}  // namespace

nlohmann::json to_json(const IclTrainingConfig& c) {
  return {{"model", to_string(c.model.architecture)}, {"readout", to_string(c.model.readout)}, {"d", c.model.d},
          {"N", c.model.N}, {"layers", c.model.layers}, {"heads", c.model.heads}, {"embed", c.model.embed},
          {"init_std", c.model.init_std}, {"S", c.S}, {"support_first10", c.support_first10}, {"instances", c.instances},
          {"batch", c.batch}, {"lr", c.lr}, {"lr_scaling", c.lr_scaling}, {"step_mode", c.step_mode}, {"clip", c.clip}, {"seed", c.seed}, {"device", c.device}, {"precision", c.precision},
          {"eval_instances", c.eval_instances}, {"eval_every", c.eval_every}, {"target_loss", c.target_loss}};
}

IclTrainingConfig icl_training_config_from_json(const nlohmann::json& json) {
  try {
    IclTrainingConfig c;
    c.model.architecture = architecture_from_string(json.at("model").get<std::string>());
    c.model.readout = readout_from_string(json.at("readout").get<std::string>());
    c.model.d = metadata_int(json, "d");
    c.model.N = metadata_int(json, "N");
    c.model.layers = metadata_int(json, "layers");
    c.model.heads = metadata_int(json, "heads");
    c.model.embed = metadata_int(json, "embed");
    c.model.init_std = json.at("init_std");
    c.S = metadata_int(json, "S");
    c.support_first10 = json.at("support_first10");
    if (!json.at("instances").is_number_integer()) throw std::invalid_argument("training config: 'instances' is not an integer");
    c.instances = json.at("instances");
    c.batch = metadata_int(json, "batch");
    c.lr = json.at("lr");
    c.lr_scaling = json.value("lr_scaling", "none");  // absent before the option existed
    c.step_mode = json.value("step_mode", "eager");
    c.clip = json.value("clip", 0.0);
    c.seed = json.at("seed");
    c.device = json.at("device");
    c.precision = json.at("precision");
    c.eval_instances = metadata_int(json, "eval_instances");
    c.eval_every = metadata_int(json, "eval_every");
    c.target_loss = json.at("target_loss");
    return c;
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(std::string("training config: ") + error.what());
  }
}

void validate(const IclTrainingConfig& c) {
  constexpr int kIntMax = std::numeric_limits<int>::max();
  check_integer("--d", c.model.d, 1, kMaxDimension);
  check_integer("--N", c.model.N, 1, kMaxDimension);
  check_integer("--layers", c.model.layers, 1, kMaxLayers);
  check_integer("--heads", c.model.heads, 1, kMaxHeads);
  check_integer("--embed", c.model.embed, c.model.architecture == Architecture::gpt2 ? 1 : 0, kMaxEmbed);
  check_number("init_std", c.model.init_std, 0.0, false);
  validate(c.model);
  if (c.support_first10 && c.model.d < 10) throw std::invalid_argument("--support-first10 (the first 10 entries) needs --d >= 10");
  check_integer("--S", c.S, 1, c.support_first10 ? 10 : c.model.d);
  check_integer("--batch", c.batch, 1, kMaxBatch);
  check_integer("--instances", c.instances, c.batch, std::numeric_limits<std::int64_t>::max() / 2);
  check_number("--lr", c.lr, 0.0, false);
  check_number("--clip", c.clip, 0.0, true);
  check_number("--target-loss", c.target_loss, 0.0, true);
  if (!std::isfinite(c.max_seconds) || c.max_seconds < 0.0) {
    throw std::invalid_argument(fmt::format("--max-minutes must be a finite number >= 0, got {}", c.max_seconds / 60.0));
  }
  if (c.precision != "fp32" && c.precision != "tf32") throw std::invalid_argument("--precision must be fp32 or tf32, got '" + c.precision + "'");
  check_integer("--eval-instances", c.eval_instances, 1, kMaxEvalInstances);
  check_integer("--eval-every", c.eval_every, 1, kIntMax);
  if (c.device != "cpu" && c.device.rfind("cuda", 0) != 0) {
    throw std::invalid_argument("--device must be cpu or cuda, got '" + c.device + "'");
  }
  if (c.lr_scaling != "none" && c.lr_scaling != "linear" && c.lr_scaling != "sqrt") {
    throw std::invalid_argument("--lr-scaling must be none, linear or sqrt, got '" + c.lr_scaling + "'");
  }
  if (c.step_mode != "eager" && c.step_mode != "sync-free" && c.step_mode != "cuda-graph") {
    throw std::invalid_argument("--step must be eager, sync-free or cuda-graph, got '" + c.step_mode + "'");
  }
  if (c.step_mode == "cuda-graph" && c.device.rfind("cuda", 0) != 0) {
    throw std::invalid_argument("--step cuda-graph needs --device cuda, got --device " + c.device);
  }
}

double effective_lr(const IclTrainingConfig& c) {
  const double ratio = static_cast<double>(c.batch) / kReferenceBatch;
  if (c.lr_scaling == "linear") return c.lr * ratio;
  if (c.lr_scaling == "sqrt") return c.lr * std::sqrt(ratio);
  return c.lr;
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

std::vector<torch::Tensor> trainable_parameters(IclModel& model) {
  std::vector<torch::Tensor> trainable;
  for (const auto& p : model->parameters()) {
    if (p.requires_grad()) trainable.push_back(p);
  }
  return trainable;
}

IclBatch icl_step_batch(const IclTrainingConfig& config, std::int64_t step) {
  torch::manual_seed(step_seed(config.seed, step));
  return sample_icl_batch(config.batch, config.model.N, config.model.d, config.S, config.support_first10,
                          torch::TensorOptions().dtype(torch::kFloat32));
}

torch::Tensor icl_training_step(IclModel& model, torch::optim::Optimizer& optimizer, const IclTrainingConfig& config,
                                std::int64_t step) {
  const IclBatch batch = icl_step_batch(config, step);
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
  return icl_from_checkpoint(load_checkpoint(path, kFormat, "Small TF / GPT-2"), path);
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
  if (!config.checkpoint.empty()) remove_stale_temporary(config.checkpoint);
  const bool resuming = !config.checkpoint.empty() && std::filesystem::exists(config.checkpoint);
  Checkpoint model_file;
  if (resuming) {
    model_file = load_checkpoint(config.checkpoint, kFormat, "Small TF / GPT-2");
    trained = icl_from_checkpoint(model_file, config.checkpoint);
    const nlohmann::json mine = to_json(config), theirs = to_json(trained.config);
    for (const auto& [key, value] : mine.items()) {
      if (resumable_key(key) && theirs.at(key) != value) {
        throw std::invalid_argument(fmt::format("{} was made with {} = {}, this run asks for {}; use another --checkpoint",
                                                config.checkpoint, key, theirs.at(key).dump(), value.dump()));
      }
    }
    trained.config = config;
    previous_seconds = metadata_number(trained.metadata, "wall_seconds", 0.0);
    if (!std::isfinite(previous_seconds)) previous_seconds = 0.0;
    chunks = trained.metadata.value("chunks", nlohmann::json::array());
  } else {
    torch::manual_seed(config.seed);
    trained.model = IclModel(config.model);
  }
  if (!config.checkpoint.empty()) remove_stale_state_files(config.checkpoint, trained.metadata.value("state_file", ""));
  trained.model->to(device);
  const std::vector<torch::Tensor> trainable = trainable_parameters(trained.model);
  // --step eager runs torch::optim::Adam through icl_training_step; sync-free and cuda-graph run DeviceAdam
  // through SyncFreeStepper. Each keeps its own state in the state file.
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::unique_ptr<SyncFreeStepper> stepper;
  const auto fresh_optimizer = [&] {
    if (config.step_mode == "eager") {
      optimizer = std::make_unique<torch::optim::Adam>(trainable, torch::optim::AdamOptions(effective_lr(config)));
    } else {
      stepper = std::make_unique<SyncFreeStepper>(trained.model, config, config.step_mode == "cuda-graph");
    }
  };
  fresh_optimizer();
  if (resuming) {
    const std::string reason = restore_state(config.checkpoint, trained, [&](const Checkpoint& stored) -> std::string {
      if (stepper) return stepper->adam().restore(stored);
      if (!stored.tensors.count("optimizer")) return "it holds no torch::optim::Adam state (written by the sync-free step?)";
      return load_optimizer(stored.tensors.at("optimizer"), *optimizer, device);
    });
    if (!reason.empty()) {
      // Training goes on from the model file with a fresh Adam; the run is then not the uninterrupted
      // one, so say so and keep it on record.
      restore_module_tensors(model_file, *trained.model, config.checkpoint);
      fresh_optimizer();
      fmt::print(stderr, "warning: {}: {}; training resumes at step {} with a fresh Adam (recorded as an optimizer reset)\n",
                 config.checkpoint, reason, trained.steps_done + 1);
      if (!trained.metadata.contains("optimizer_resets")) trained.metadata["optimizer_resets"] = nlohmann::json::array();
      trained.metadata["optimizer_resets"].push_back({{"step", trained.steps_done}, {"reason", reason}});
    }
  }

  const auto begin = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count(); };
  const std::int64_t total_steps = (config.instances + config.batch - 1) / config.batch;
  const std::uint64_t eval_seed = icl_evaluation_seed(config);
  const std::int64_t first_step = trained.steps_done + 1;
  bool target_reached = false;
  std::int64_t skipped = 0;
  std::vector<double> curve;
  try {
    target_reached = trained.metadata.value("target_reached", false);
    skipped = trained.metadata.value("skipped_steps", std::int64_t{0});
    for (const nlohmann::json& value : trained.metadata.value("final_curve", nlohmann::json::array())) {
      curve.push_back(value.is_null() ? std::nan("") : value.get<double>());  // NaN is stored as null
    }
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(config.checkpoint + ": malformed metadata (" + error.what() + ")");
  }

  const auto save = [&](bool final_save) {
    if (config.checkpoint.empty()) return;
    const double wall = previous_seconds + elapsed();
    nlohmann::json this_chunk = {{"device", config.device}, {"precision", config.precision}, {"step_mode", config.step_mode},
                                 {"from_step", first_step},
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
        {"lr_effective", effective_lr(config)},
        {"chunks", all_chunks},
        {"wall_seconds", wall},
        {"revision", config.revision},
        {"parameters", parameter_count(trained.model)}};
    if (trained.metadata.contains("optimizer_resets")) metadata["optimizer_resets"] = trained.metadata.at("optimizer_resets");
    int64_t bytes32 = 0;
    for (const auto& p : trained.model->parameters()) bytes32 += p.numel() * 4;
    const bool half = bytes32 > kCheckpointByteLimit;
    metadata["stored_dtype"] = half ? "F16" : "F32";
    // The commit protocol: the state of this step goes to its own file first; the model file, written
    // next, names it and is the commit; older state files go last. A kill at any instant leaves a model
    // file whose named state exists and carries its step (files past the commit are removed on resume).
    const std::string state_name = state_file_name(config.checkpoint, trained.steps_done);
    Checkpoint state_file;
    put_module_tensors(state_file, *trained.model, torch::kFloat32);
    if (optimizer) {
      state_file.tensors["optimizer"] = serialize_optimizer(*optimizer);
    } else {
      stepper->adam().save(state_file);
    }
    state_file.metadata = {{"format", kStateFormat}, {"steps_done", trained.steps_done}};
    save_safetensors(sibling(config.checkpoint, state_name), state_file);
    metadata["state_file"] = state_name;
    Checkpoint model_file;
    put_module_tensors(model_file, *trained.model, half ? torch::kFloat16 : torch::kFloat32);
    model_file.metadata = metadata;
    save_safetensors(config.checkpoint, model_file);
    remove_stale_state_files(config.checkpoint, state_name);
    if (half && final_save && !curve.empty()) {
      // Measure what float16 storage does to the evaluation, and record it.
      TrainedIcl rounded = load_icl(config.checkpoint);
      rounded.model->to(device);
      const std::vector<double> stored = label_loss_curve(rounded.model, config.eval_instances, config.S, config.support_first10, eval_seed);
      model_file.metadata["storage_check"] = {{"eval_loss_float32", curve.back()}, {"eval_loss_stored", stored.back()},
                                              {"curve_stored", stored}};
      save_safetensors(config.checkpoint, model_file);
    }
  };

  // The log never runs ahead of the checkpoint: lines wait in `pending` until the checkpoint that
  // covers them is committed. A kill between the commit and the write leaves the log behind; the next
  // run first appends the records the checkpoint holds and the log lacks.
  std::ofstream log;
  std::string pending;
  if (!config.checkpoint.empty()) {
    const std::int64_t logged = last_logged_step(config.checkpoint + ".log");
    log.open(config.checkpoint + ".log", std::ios::app);
    if (logged < 0 || first_step == 1) pending += "# " + to_json(config).dump() + "\n# step instances train_loss eval_loss_at_N+1 seconds\n";
    for (const IclEvalRecord& record : trained.history) {
      if (record.step > logged) pending += log_line(record);
    }
    if (log && !trained.history.empty()) log << pending << std::flush;
    if (!trained.history.empty()) pending.clear();
  }
  const auto commit = [&](bool final_save) {
    save(final_save);
    if (log) log << pending << std::flush;
    pending.clear();
  };

  trained.model->train();
  // The window's sum of finite losses and its counts of finite and skipped steps stay on the device, and
  // are read back only at evaluations and progress lines (every step reads nothing with a sync-free step).
  const auto on_device = torch::TensorOptions().device(device);
  torch::Tensor window = torch::zeros({}, on_device.dtype(torch::kFloat32));
  torch::Tensor window_finite = torch::zeros({}, on_device.dtype(torch::kInt64));
  torch::Tensor window_nonfinite = torch::zeros({}, on_device.dtype(torch::kInt64));
  std::int64_t window_steps = 0, window_skipped = 0, window_first = first_step;
  double smoothed = std::nan(""), last_progress = 0.0;
  const auto read_window = [&] {
    window_steps = window_finite.item<std::int64_t>();
    window_skipped = window_nonfinite.item<std::int64_t>();
    return window_steps > 0 ? window.item<double>() / static_cast<double>(window_steps) : std::nan("");
  };
  const auto evaluate_and_record = [&](std::int64_t step) {
    const double train_loss = read_window();
    if (stepper && window_skipped > 0) {
      pending += fmt::format("# steps {} to {}: {} batch(es) skipped, loss not finite (the sync-free step does not say which)\n",
                             window_first, step, window_skipped);
    }
    skipped += window_skipped;
    curve = label_loss_curve(trained.model, config.eval_instances, config.S, config.support_first10, eval_seed);
    IclEvalRecord record{step, step * config.batch, train_loss, curve.back(), previous_seconds + elapsed()};
    trained.history.push_back(record);
    pending += log_line(record);
    window.zero_();
    window_finite.zero_();
    window_nonfinite.zero_();
    window_steps = 0;
    window_skipped = 0;
    window_first = step + 1;
    if (config.target_loss > 0.0 && record.eval_loss <= config.target_loss) target_reached = true;
    return record;
  };

  for (std::int64_t step = first_step; step <= total_steps; ++step) {
    const torch::Tensor loss = stepper ? stepper->step(step) : icl_training_step(trained.model, *optimizer, config, step);
    const torch::Tensor finite = torch::isfinite(loss);
    window += torch::where(finite, loss, torch::zeros_like(loss));
    window_finite += finite;
    window_nonfinite += torch::logical_not(finite);
    if (!stepper && !finite.item<bool>()) pending += fmt::format("# step {}: non-finite loss, batch skipped\n", step);
    trained.steps_done = step;
    const bool due = step % config.eval_every == 0 || step == total_steps;
    const bool out_of_time = config.max_seconds > 0.0 && elapsed() >= config.max_seconds;
    const double now = elapsed();
    if (due || out_of_time || now - last_progress >= 10.0) {
      const double mean = read_window();
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
      const IclEvalRecord record = evaluate_and_record(step);
      commit(out_of_time || step == total_steps || target_reached);
      if (on_record) on_record(record);
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
