// Checkpoints under hostile input and under kill -9 (issue 16, sections 4-6): metadata checked against
// sane bounds and the file before anything is allocated, non-finite weights refused, non-regular files
// refused, training flags that would write an unreadable checkpoint refused, optimizer resets recorded,
// and a training run killed at pseudo-random instants resuming to the uninterrupted run's exact model.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/training/baseline_training.hpp"
#include "models/training/icl_training.hpp"
#include "models/training/safetensors.hpp"

namespace icsr::models {
namespace {
namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("icsr_checkpoints_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

// Runs `action`, which must throw std::invalid_argument whose message contains every one of `mentions`.
template <typename Action>
void expect_rejected(Action action, const std::vector<std::string>& mentions, const std::string& what) {
  try {
    action();
    ADD_FAILURE() << "accepted " << what;
  } catch (const std::invalid_argument& error) {
    for (const std::string& mention : mentions) {
      EXPECT_NE(std::string(error.what()).find(mention), std::string::npos) << what << ": " << error.what();
    }
  }
}

TrainingConfig tiny_baseline(Method method, const fs::path& checkpoint) {
  TrainingConfig config;
  config.method = method;
  config.d = 8;
  config.N = 6;
  config.K = 3;
  config.S = 2;
  config.epochs = 1;
  config.instances_per_epoch = 100;
  config.batch = 50;
  config.eval_instances = 50;
  config.checkpoint = checkpoint.string();
  fs::remove(checkpoint);
  return config;
}

IclTrainingConfig tiny_icl(Architecture architecture, const fs::path& checkpoint) {
  IclTrainingConfig config;
  config.model.architecture = architecture;
  config.model.d = 4;
  config.model.N = 5;
  config.model.layers = 2;
  config.model.heads = 2;
  config.model.embed = architecture == Architecture::gpt2 ? 16 : 0;
  config.S = 2;
  config.instances = 8 * 4;
  config.batch = 8;
  config.lr = 1e-3;
  config.eval_instances = 20;
  config.eval_every = 2;
  config.checkpoint = checkpoint.string();
  fs::remove(checkpoint);
  return config;
}

// Loads `path`, lets `edit` change it, and writes it to `out` (a hand-made bad checkpoint).
template <typename Edit>
std::string edited(const fs::path& path, const std::string& out, Edit edit) {
  Checkpoint checkpoint = load_safetensors(path.string());
  edit(checkpoint);
  const std::string target = scratch(out).string();
  save_safetensors(target, checkpoint);
  return target;
}

// A safetensors file from a header written by hand and `data` bytes.
std::string raw_file(const std::string& name, const std::string& header, const std::string& data) {
  const std::string path = scratch(name).string();
  std::ofstream out(path, std::ios::binary);
  const std::uint64_t length = header.size();
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>(length >> (8 * i)));
  out << header << data;
  return path;
}

TEST(CheckpointLoading, NonRegularFilesAreRejectedAtOnce) {
  expect_rejected([] { load_safetensors("/dev/zero"); }, {"/dev/zero", "not a regular file"}, "/dev/zero");
  const fs::path folder = scratch("a_folder.safetensors");
  fs::create_directories(folder);
  expect_rejected([&] { load_safetensors(folder.string()); }, {folder.string(), "not a regular file"}, "a directory");
  expect_rejected([&] { load_baseline(folder.string()); }, {"not a regular file"}, "a directory as a baseline");
  const fs::path fifo = scratch("a_fifo.safetensors");
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_rejected([&] { load_safetensors(fifo.string()); }, {"not a regular file"}, "a FIFO");  // would block on open
  expect_rejected([&] { load_icl(scratch("missing.safetensors").string()); }, {"cannot open"}, "a missing file");
}

TEST(CheckpointLoading, ShapesAndOffsetsAreCheckedAgainstTheFileBeforeAllocating) {
  const std::string data(16, '\0');  // four float32 zeros
  const auto header = [](const std::string& shape, const std::string& offsets) {
    return R"({"a":{"dtype":"F32","shape":)" + shape + R"(,"data_offsets":)" + offsets +
           R"(},"__metadata__":{"icsr":"{\"format\":\"test\"}"}})";
  };
  EXPECT_NO_THROW(load_safetensors(raw_file("ok.safetensors", header("[2,2]", "[0,16]"), data)));
  expect_rejected([&] { load_safetensors(raw_file("negative.safetensors", header("[-1,4]", "[0,16]"), data)); },
                  {"'a'", "negative"}, "a negative extent");
  expect_rejected([&] { load_safetensors(raw_file("overflow.safetensors", header("[4611686018427387904,4611686018427387904]", "[0,16]"), data)); },
                  {"'a'", "more elements than"}, "a shape whose product overflows 64 bits");
  expect_rejected([&] { load_safetensors(raw_file("too_big.safetensors", header("[18446744073709551615]", "[0,16]"), data)); },
                  {"'a'", "too large"}, "an extent beyond int64");
  expect_rejected([&] { load_safetensors(raw_file("fraction.safetensors", header("[2.5,2]", "[0,16]"), data)); },
                  {"'a'", "fractional"}, "a fractional extent");
  expect_rejected([&] { load_safetensors(raw_file("offsets.safetensors", header("[2,2]", "[0,1099511627776]"), data)); },
                  {"'a'", "outside the data section"}, "offsets past the file");
  expect_rejected([&] { load_safetensors(raw_file("negative_offset.safetensors", header("[2,2]", "[-16,0]"), data)); },
                  {"'a'", "outside the data section"}, "a negative offset");
  // A header length past the end of the file is refused before the header is read.
  const std::string path = scratch("long_header.safetensors").string();
  std::ofstream(path, std::ios::binary) << std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) << "{}";
  expect_rejected([&] { load_safetensors(path); }, {"does not fit the file"}, "a header length of 2^63");
}

TEST(CheckpointLoading, NonFiniteWeightsAreRejectedNamingTheTensor) {
  const fs::path baseline = scratch("finite_baseline.safetensors");
  train_baseline(tiny_baseline(Method::lista_vm, baseline), {});
  ASSERT_NO_THROW(load_baseline(baseline.string()));
  // A checkpoint made entirely of NaN must not load.
  const std::string all_nan = edited(baseline, "all_nan.safetensors", [](Checkpoint& c) {
    for (auto& [name, tensor] : c.tensors) {
      if (tensor.is_floating_point()) tensor = torch::full_like(tensor, std::nan(""));
    }
  });
  expect_rejected([&] { load_baseline(all_nan); }, {"NaN or infinite"}, "an all-NaN baseline");
  const std::string one_inf = edited(baseline, "one_inf.safetensors", [](Checkpoint& c) {
    c.tensors.at("param.gamma")[1] = std::numeric_limits<double>::infinity();
  });
  expect_rejected([&] { load_baseline(one_inf); }, {"'param.gamma'", "1 NaN or infinite value"}, "an infinite gamma");

  const fs::path icl = scratch("finite_icl.safetensors");
  train_icl(tiny_icl(Architecture::small_tf, icl), {});
  const std::string nan_icl = edited(icl, "nan_icl.safetensors", [](Checkpoint& c) {
    c.tensors.at("param.readout_v")[0] = std::nan("");
  });
  expect_rejected([&] { load_icl(nan_icl); }, {"'param.readout_v'", "NaN or infinite"}, "a NaN Small TF weight");
  // float16 (the large GPT-2 files) is checked as well.
  const std::string half = edited(icl, "half_inf.safetensors", [](Checkpoint& c) {
    c.tensors["extra"] = torch::full({3}, std::numeric_limits<float>::infinity(), torch::kFloat16);
  });
  expect_rejected([&] { load_safetensors(half); }, {"'extra'", "3 NaN or infinite values"}, "an infinite float16 tensor");
}

TEST(CheckpointLoading, BaselineMetadataIsBoundedBeforeTheModelIsBuilt) {
  const fs::path good = scratch("bounded_baseline.safetensors");
  train_baseline(tiny_baseline(Method::lista_vm, good), {});
  const auto with_config = [&](const std::string& name, const std::string& key, const nlohmann::json& value) {
    return edited(good, name, [&](Checkpoint& c) { c.metadata["config"][key] = value; });
  };
  // K = 10^8 once allocated 2.1 GB before the shape check.
  expect_rejected([&] { load_baseline(with_config("k.safetensors", "K", 100000000)); }, {"--K", "[1, 256]", "100000000"}, "K = 1e8");
  expect_rejected([&] { load_baseline(with_config("k_float.safetensors", "K", 1e20)); }, {"'K'", "not an integer"}, "K = 1e20");
  expect_rejected([&] { load_baseline(with_config("k_wrap.safetensors", "K", 4294967299LL)); }, {"'K'", "not an integer"},
                  "K = 2^32 + 3 (would wrap to 3)");
  expect_rejected([&] { load_baseline(with_config("s0.safetensors", "S", 0)); }, {"--S", "got 0"}, "S = 0");
  expect_rejected([&] { load_baseline(with_config("s_big.safetensors", "S", 9)); }, {"--S", "[1, 8]"}, "S > d");
  expect_rejected([&] { load_baseline(with_config("d_neg.safetensors", "d", -4)); }, {"--d", "-4"}, "d = -4");
  expect_rejected([&] { load_baseline(with_config("lr_null.safetensors", "lr", nullptr)); }, {"training config"}, "lr = null (NaN)");
  expect_rejected([&] { load_baseline(with_config("p.safetensors", "support_probability", 1.5)); }, {"--bernoulli"}, "p = 1.5");
  // Within the bounds but not what the file holds: the model is small enough to build, and the
  // tensor that differs is named.
  expect_rejected([&] { load_baseline(with_config("k_more.safetensors", "K", 200)); }, {"'param.gamma'", "[200]"},
                  "K = 200 with the tensors of K = 3");
  // Within the bounds but far larger than the file: refused before the model is built.
  const fs::path lista = scratch("bounded_lista.safetensors");
  train_baseline(tiny_baseline(Method::lista, lista), {});
  const std::string deep = edited(lista, "deep_lista.safetensors", [](Checkpoint& c) { c.metadata["config"]["K"] = 256; });
  expect_rejected([&] { load_baseline(deep); }, {"metadata describes", "far more than the 339"}, "K = 256 with the tensors of K = 3");
}

TEST(CheckpointLoading, IclMetadataIsBoundedBeforeTheModelIsBuilt) {
  const fs::path good = scratch("bounded_icl.safetensors");
  train_icl(tiny_icl(Architecture::small_tf, good), {});
  const auto with_config = [&](const std::string& name, const std::string& key, const nlohmann::json& value) {
    return edited(good, name, [&](Checkpoint& c) { c.metadata["config"][key] = value; });
  };
  // layers = 10^8 once ran out of memory.
  expect_rejected([&] { load_icl(with_config("layers.safetensors", "layers", 100000000)); }, {"--layers", "100000000"}, "layers = 1e8");
  expect_rejected([&] { load_icl(with_config("heads.safetensors", "heads", 100000)); }, {"--heads"}, "heads = 1e5");
  expect_rejected([&] { load_icl(with_config("n.safetensors", "N", -1)); }, {"--N", "-1"}, "N = -1");
  expect_rejected([&] { load_icl(with_config("d.safetensors", "d", 1099511627776LL)); }, {"'d'", "not an integer"}, "d = 2^40");
  expect_rejected([&] { load_icl(with_config("s.safetensors", "S", 0)); }, {"--S"}, "S = 0");
  expect_rejected([&] { load_icl(with_config("clip.safetensors", "clip", -1.0)); }, {"--clip"}, "clip = -1");
  expect_rejected([&] { load_icl(with_config("more_layers.safetensors", "layers", 200)); }, {"metadata describes", "far more than"},
                  "200 layers with the tensors of 2");
  const std::string steps = edited(good, "steps.safetensors", [](Checkpoint& c) { c.metadata["steps_done"] = -5; });
  expect_rejected([&] { load_icl(steps); }, {"steps_done"}, "steps_done = -5");
}

TEST(TrainingFlags, NonFiniteAndOutOfRangeValuesAreRejectedNamingTheFlag) {
  const fs::path path = scratch("flags.safetensors");
  const TrainingConfig base = tiny_baseline(Method::lista_vm, path);
  const auto baseline_case = [&](const std::vector<std::string>& mentions, auto change) {
    TrainingConfig config = base;
    change(config);
    expect_rejected([&] { validate(config); }, mentions, mentions.front());
    expect_rejected([&] { train_baseline(config, {}); }, mentions, mentions.front() + " (train_baseline)");
  };
  baseline_case({"--epochs", "got 0"}, [](TrainingConfig& c) { c.epochs = 0; });  // once a segfault in the CLI
  baseline_case({"--bernoulli", "got nan"}, [](TrainingConfig& c) { c.support_probability = std::nan(""); });
  baseline_case({"--bernoulli", "[0, 1]"}, [](TrainingConfig& c) { c.support_probability = 1.5; });
  baseline_case({"--lr", "got inf"}, [](TrainingConfig& c) { c.lr = INFINITY; });
  baseline_case({"--lr", "> 0"}, [](TrainingConfig& c) { c.lr = 0.0; });
  baseline_case({"--S"}, [](TrainingConfig& c) { c.S = 0; });
  baseline_case({"--K"}, [](TrainingConfig& c) { c.K = 100000000; });
  baseline_case({"--batch"}, [](TrainingConfig& c) { c.batch = 0; });
  baseline_case({"--instances"}, [](TrainingConfig& c) { c.instances_per_epoch = 10; });
  baseline_case({"--max-minutes"}, [](TrainingConfig& c) { c.max_seconds = std::nan(""); });
  EXPECT_FALSE(fs::exists(path)) << "a rejected configuration wrote a checkpoint";

  const IclTrainingConfig icl = tiny_icl(Architecture::small_tf, path);
  const auto icl_case = [&](const std::vector<std::string>& mentions, auto change) {
    IclTrainingConfig config = icl;
    change(config);
    expect_rejected([&] { validate(config); }, mentions, mentions.front());
    expect_rejected([&] { train_icl(config, {}); }, mentions, mentions.front() + " (train_icl)");
  };
  icl_case({"--clip must be a finite number >= 0, got nan"}, [](IclTrainingConfig& c) { c.clip = std::nan(""); });
  icl_case({"--clip", "got -1"}, [](IclTrainingConfig& c) { c.clip = -1.0; });
  icl_case({"--clip", "got inf"}, [](IclTrainingConfig& c) { c.clip = INFINITY; });
  icl_case({"--target-loss", "got nan"}, [](IclTrainingConfig& c) { c.target_loss = std::nan(""); });
  icl_case({"--target-loss"}, [](IclTrainingConfig& c) { c.target_loss = -0.5; });
  icl_case({"--lr", "got nan"}, [](IclTrainingConfig& c) { c.lr = std::nan(""); });
  icl_case({"--max-minutes"}, [](IclTrainingConfig& c) { c.max_seconds = INFINITY; });
  icl_case({"--layers"}, [](IclTrainingConfig& c) { c.model.layers = 100000000; });
  icl_case({"--S"}, [](IclTrainingConfig& c) { c.S = 5; });
  icl_case({"--eval-every"}, [](IclTrainingConfig& c) { c.eval_every = 0; });
  EXPECT_FALSE(fs::exists(path)) << "a rejected configuration wrote a checkpoint";
}

TEST(TrainingFlags, EveryConfigurationIcsrTrainsIsWithinTheBounds) {
  TrainingConfig open_l2o;  // scripts/train_baselines.sh, the Open-L2O setting
  open_l2o.d = 512;
  open_l2o.N = 256;
  open_l2o.K = 16;
  open_l2o.support_probability = 0.1;
  EXPECT_NO_THROW(validate(open_l2o));
  EXPECT_NO_THROW(validate(TrainingConfig{}));  // the paper's
  for (Architecture architecture : {Architecture::small_tf, Architecture::gpt2}) {
    IclTrainingConfig paper;
    paper.model = paper_options(architecture, 20, 10);
    EXPECT_NO_THROW(validate(paper)) << to_string(architecture);
    paper.support_first10 = true;
    EXPECT_NO_THROW(validate(paper)) << to_string(architecture);
  }
}

// The counts loading checks a file against before building anything are those of the built models.
TEST(CheckpointLoading, StoredScalarCountsMatchTheModels) {
  const torch::Tensor X = torch::randn({6, 8}, torch::kFloat64);
  for (Method method : all_methods()) {
    BaselineOptions options;
    options.d = 8;
    options.N = 6;
    options.K = 3;
    options.support_prior = {0, 1, 2};
    Baseline model(method, options, X);
    std::int64_t count = 0;
    for (const auto& p : model->parameters()) count += p.numel();
    for (const auto& b : model->buffers()) count += b.numel();
    EXPECT_EQ(stored_scalar_count(method, options), count) << to_string(method);
  }
  for (Architecture architecture : {Architecture::small_tf, Architecture::gpt2}) {
    for (Readout readout : {Readout::linear, Readout::query, Readout::query_dagger}) {
      if (architecture == Architecture::gpt2 && readout != Readout::linear) continue;
      IclModelOptions options = tiny_icl(architecture, scratch("unused")).model;
      options.readout = readout;
      options.layers = 3;
      IclModel model(options);
      std::int64_t count = 0;
      for (const auto& p : model->parameters()) count += p.numel();
      for (const auto& b : model->buffers()) count += b.numel();
      EXPECT_EQ(stored_scalar_count(options), count) << to_string(architecture) << " " << to_string(readout);
    }
  }
}

std::vector<std::int64_t> logged_steps(const std::string& log_path) {
  std::ifstream in(log_path);
  std::vector<std::int64_t> steps;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    steps.push_back(std::stoll(line));
  }
  return steps;
}

TEST(Resume, AMissingOptimizerStateIsAWarningAndARecordedReset) {
  const fs::path path = scratch("reset_icl.safetensors");
  fs::remove(path.string() + ".log");
  IclTrainingConfig config = tiny_icl(Architecture::small_tf, path);
  train_icl(config, {});
  const std::string state = load_safetensors(path.string()).metadata.at("state_file");
  EXPECT_EQ(state, path.filename().string() + ".state-4");
  ASSERT_TRUE(fs::exists(path.parent_path() / state));
  fs::remove(path.parent_path() / state);
  // Leftovers of a killed save: a partial model, a state file past the commit, a partial state.
  std::ofstream(path.string() + ".tmp") << "partial";
  std::ofstream(path.string() + ".state-6") << "orphan";
  std::ofstream(path.string() + ".state-8.tmp") << "partial";
  config.instances = 8 * 6;
  const TrainedIcl resumed = train_icl(config, {});
  ASSERT_TRUE(resumed.metadata.contains("optimizer_resets"));
  ASSERT_EQ(resumed.metadata.at("optimizer_resets").size(), 1u);
  EXPECT_EQ(resumed.metadata.at("optimizer_resets")[0].at("step"), 4);
  EXPECT_NE(resumed.metadata.at("optimizer_resets")[0].at("reason").get<std::string>().find("missing"), std::string::npos);
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
  EXPECT_FALSE(fs::exists(path.string() + ".state-8.tmp"));
  EXPECT_FALSE(fs::exists(path.string() + ".state-4"));
  EXPECT_TRUE(fs::exists(path.string() + ".state-6"));  // now the committed step's own state
  EXPECT_EQ(load_safetensors(path.string() + ".state-6").metadata.at("steps_done"), 6);
  EXPECT_EQ(logged_steps(path.string() + ".log"), (std::vector<std::int64_t>{2, 4, 6}));
  // A run that resumes properly keeps the record and adds none.
  config.instances = 8 * 8;
  EXPECT_EQ(train_icl(config, {}).metadata.at("optimizer_resets").size(), 1u);

  const fs::path baseline = scratch("reset_baseline.safetensors");
  TrainingConfig base = tiny_baseline(Method::lista_cp, baseline);
  train_baseline(base, {});
  const std::string stripped = edited(baseline, "reset_baseline_stripped.safetensors", [](Checkpoint& c) { c.tensors.erase("optimizer"); });
  fs::rename(stripped, baseline);
  std::ofstream(baseline.string() + ".tmp") << "partial";
  base.epochs = 2;
  const TrainedBaseline again = train_baseline(base, {});
  ASSERT_TRUE(again.metadata.contains("optimizer_resets"));
  EXPECT_EQ(again.metadata.at("optimizer_resets")[0].at("epoch"), 1);
  EXPECT_EQ(load_baseline(baseline.string()).metadata.at("optimizer_resets").size(), 1u);
  EXPECT_FALSE(fs::exists(baseline.string() + ".tmp"));
}

TEST(Resume, TheLogIsWrittenOnlyForCommittedCheckpointsAndCatchesUp) {
  const fs::path path = scratch("log_icl.safetensors");
  fs::remove(path.string() + ".log");
  IclTrainingConfig config = tiny_icl(Architecture::gpt2, path);
  std::vector<std::int64_t> seen;
  train_icl(config, [&](const IclEvalRecord& record) {
    // When a record is reported its checkpoint is committed, and the log holds it.
    EXPECT_EQ(load_safetensors(path.string()).metadata.at("steps_done").get<std::int64_t>(), record.step);
    seen = logged_steps(path.string() + ".log");
    EXPECT_EQ(seen.back(), record.step);
  });
  // A log that fell behind (a kill between the commit and the write) catches up on the next run.
  std::ofstream(path.string() + ".log", std::ios::trunc) << "# header\n2 16 1 1 0.1\n";
  config.instances = 8 * 6;
  train_icl(config, {});
  EXPECT_EQ(logged_steps(path.string() + ".log"), (std::vector<std::int64_t>{2, 4, 6}));
}

// ---- kill -9 at pseudo-random instants ----

struct Child {
  bool killed = false;
  int exit_code = -1;
};

// When to kill a run: `delay_us` after it starts or, with `after_progress`, after its first progress
// line (the CLI prints one once a checkpoint is committed), so that the instant falls inside training
// however long LibTorch takes to load on a busy machine. A negative delay: never.
struct KillPlan {
  long delay_us = -1;
  bool after_progress = false;
};

std::uintmax_t size_of(const std::string& path) {
  std::error_code error;
  const std::uintmax_t size = fs::file_size(path, error);
  return error ? 0 : size;
}

// Runs the icsr binary with `arguments`, output appended to `output`, killed with SIGKILL as `plan` says.
Child run_icsr(const std::vector<std::string>& arguments, KillPlan plan, const std::string& output) {
  const std::uintmax_t output_before = size_of(output);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> argv{const_cast<char*>(ICSR_BINARY)};
    for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    ::execv(ICSR_BINARY, argv.data());
    ::_exit(127);
  }
  int status = 0;
  bool exited = false;
  if (plan.delay_us >= 0) {
    while (plan.after_progress && size_of(output) == output_before) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      ::usleep(500);
    }
    if (!exited) {
      ::usleep(static_cast<useconds_t>(plan.delay_us));
      ::kill(pid, SIGKILL);  // harmless when it has already exited: it is a zombie until waited for
    }
  }
  if (!exited) ::waitpid(pid, &status, 0);
  Child child;
  child.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  child.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return child;
}

std::map<std::string, torch::Tensor> model_tensors(const std::string& path) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& [name, tensor] : load_safetensors(path).tensors) {
    if (name.rfind("param.", 0) == 0 || name.rfind("buffer.", 0) == 0 || name == "train_X") tensors[name] = tensor;
  }
  return tensors;
}

// Whatever instant the kill came at, the files on disk form a consistent pair: the model file loads,
// the state it names exists and is of its step, and the log does not run ahead of it.
void expect_consistent(const std::string& path, bool icl) {
  if (!fs::exists(path)) return;  // killed before the first commit
  const Checkpoint model = load_safetensors(path);
  const auto& metadata = model.metadata;
  if (icl) {
    ASSERT_NO_THROW(load_icl(path));
    const fs::path state = fs::path(path).parent_path() / metadata.at("state_file").get<std::string>();
    ASSERT_TRUE(fs::exists(state)) << state;
    EXPECT_EQ(load_safetensors(state.string()).metadata.at("steps_done"), metadata.at("steps_done"));
    const auto logged = logged_steps(path + ".log");
    if (!logged.empty()) {
      EXPECT_LE(logged.back(), metadata.at("steps_done").get<std::int64_t>());
    }
  } else {
    ASSERT_NO_THROW(load_baseline(path));
    EXPECT_TRUE(model.tensors.count("optimizer"));
  }
  EXPECT_FALSE(metadata.contains("optimizer_resets")) << metadata.at("optimizer_resets").dump();
}

// Trains once uninterrupted, then again under kill -9 at instants drawn from `seed`, resuming after
// each kill, and compares the final models tensor by tensor.
// `units` is the run's length in checkpoints' units (steps or epochs).
void kill_and_resume(const std::string& name, std::vector<std::string> arguments, bool icl, [[maybe_unused]] double units, std::uint64_t seed) {
  const std::string whole = scratch(name + "_whole.safetensors").string(), killed = scratch(name + "_killed.safetensors").string();
  const std::string output = scratch(name + ".out").string();
  for (const std::string& path : {whole, killed}) {
    fs::remove(path);
    fs::remove(path + ".log");
  }
  const auto timed = [&](const std::vector<std::string>& command, int expected_exit) {
    const auto began = std::chrono::steady_clock::now();
    const Child child = run_icsr(command, KillPlan{}, output);
    EXPECT_EQ(child.exit_code, expected_exit) << "see " << output;
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - began).count();
  };
  // The program's start-up (loading LibTorch) takes much of a short run on a busy machine; measure it
  // with a command that stops at its flags, so the kills fall where files are read and written.
  const double startup_us = timed({arguments.front(), "--lr", "-1", "--checkpoint", killed}, 2);
  std::vector<std::string> straight = arguments;
  straight.insert(straight.end(), {"--checkpoint", whole});
  const double whole_us = timed(straight, 0);
  ASSERT_FALSE(::testing::Test::HasFailure());

  arguments.insert(arguments.end(), {"--checkpoint", killed});
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  // ICSR_KILLS raises the number of kills (default 6) for a longer search.
  const int kill_limit = std::getenv("ICSR_KILLS") ? std::max(1, std::atoi(std::getenv("ICSR_KILLS"))) : 6;
  const double training_us = std::max(whole_us - startup_us, 1e5);
  int kills = 0, runs = 0, restarts = 0;
  double scale = 0.2;
  for (; runs < kill_limit + 30; ++runs) {
    // One kill in four falls in start-up and the resume's reads; the others inside training, within
    // the first `scale` of the uninterrupted run's training time after the first commit of this run.
    KillPlan plan;
    if (kills < kill_limit) {
      const bool early = uniform(random) < 0.25;
      plan.after_progress = !early;
      plan.delay_us = static_cast<long>(early ? (0.5 + 0.5 * uniform(random)) * startup_us : scale * uniform(random) * training_us);
    }
    const Child child = run_icsr(arguments, plan, output);
    if (!child.killed) {
      ASSERT_EQ(child.exit_code, 0) << "see " << output;
      if (kills >= 3 || restarts >= 4) break;
      // On a busy machine the run can outpace the kills: start it again from nothing with shorter
      // delays (a fresh run is the same training), keeping the consistency checks made so far.
      ++restarts;
      scale /= 2.0;
      for (const auto& entry : fs::directory_iterator(fs::path(killed).parent_path())) {
        if (entry.path().filename().string().rfind(fs::path(killed).filename().string(), 0) == 0) fs::remove(entry.path());
      }
      continue;
    }
    ++kills;
    expect_consistent(killed, icl);
    if (::testing::Test::HasFatalFailure()) return;
  }
  ::testing::Test::RecordProperty(name + "_kills", kills);
  std::cerr << name << ": " << kills << " kills in " << runs + 1 << " runs (start-up " << startup_us / 1e6
            << " s, uninterrupted run " << whole_us / 1e6 << " s)\n";
  EXPECT_GE(kills, 3) << "too few kills landed to test anything";
  expect_consistent(killed, icl);
  const auto expected = model_tensors(whole), actual = model_tensors(killed);
  ASSERT_EQ(expected.size(), actual.size());
  for (const auto& [tensor_name, tensor] : expected) {
    EXPECT_TRUE(torch::equal(tensor, actual.at(tensor_name))) << name << ": " << tensor_name << " differs from the uninterrupted run";
  }
  EXPECT_EQ(load_safetensors(killed).metadata.at("history").size(), load_safetensors(whole).metadata.at("history").size());
  if (icl) {
    EXPECT_EQ(logged_steps(killed + ".log"), logged_steps(whole + ".log"));
  }
  for (const auto& entry : fs::directory_iterator(fs::path(killed).parent_path())) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
  }
}

TEST(KillResume, TrainTfKilledAtRandomInstantsEndsAtTheUninterruptedModel) {
  kill_and_resume("train_tf",
                  {"train-tf", "--model", "small_tf", "--d", "4", "--N", "5", "--S", "2", "--layers", "2", "--heads", "2",
                   "--instances", "1200", "--batch", "8", "--lr", "0.001", "--eval-every", "1", "--eval-instances", "20",
                   "--seed", "5"},
                  true, 150, 20250116);
}

TEST(KillResume, TrainKilledAtRandomInstantsEndsAtTheUninterruptedModel) {
  kill_and_resume("train",
                  {"train", "--method", "lista_cp", "--d", "8", "--N", "6", "--K", "3", "--S", "2", "--epochs", "80",
                   "--instances", "200", "--batch", "50", "--eval-instances", "50", "--seed", "3"},
                  false, 80, 20250117);
}

}  // namespace
}  // namespace icsr::models
