// Checkpoints in the safetensors format (https://github.com/huggingface/safetensors), so a Python
// user can read them with `safetensors.torch.load_file`: an 8-byte little-endian header length, a JSON
// header {name: {"dtype", "shape", "data_offsets"}, "__metadata__": {string: string}}, then the raw
// little-endian tensor bytes. icsr keeps its own metadata as one JSON string under "icsr".
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace icsr::models {

struct Checkpoint {
  std::map<std::string, torch::Tensor> tensors;  // CPU, contiguous: float32, float64, float16, int64 or uint8
  nlohmann::json metadata;                       // config, seed, epochs, device, wall time, losses, revision
};

// Sane bounds on the sizes a checkpoint's metadata (or a training flag) may give. A checkpoint's
// configuration is checked against them before any model is built from it, so a corrupt or hostile
// file cannot make icsr allocate without limit; training configurations are checked against the same
// bounds, so that every checkpoint icsr writes reads back. They admit every configuration icsr trains,
// with room to spare: the paper's (d = 20, N = 10, K = 12, 12 layers, 4 heads), Open-L2O's (d = 512,
// N = 256, K = 16) and GPT-2's (E = 256, 12 layers, 8 heads).
constexpr int kMaxDimension = 4096;           // d and N
constexpr int kMaxLayers = 256;               // a baseline's K, a Transformer's layers
constexpr int kMaxHeads = 64;
constexpr int kMaxEmbed = 4096;               // GPT-2's E
constexpr int kMaxBatch = 65536;
constexpr int kMaxEvalInstances = 1'000'000;

// A configuration read from a checkpoint may describe a model of at most
// kModelToFileRatio * (scalars the file holds) + kModelSlackScalars scalars; it is checked before the
// model is built, whose exact tensor shapes are checked after (naming the tensor that differs).
constexpr std::int64_t kModelToFileRatio = 4;
constexpr std::int64_t kModelSlackScalars = 4096;

// Throws std::invalid_argument naming `path` when `described` (scalars the metadata's configuration
// implies, `what` says which model) exceeds that bound on the `stored` scalars of the file.
void check_model_fits_file(std::int64_t described, std::int64_t stored, const std::string& path, const std::string& what);

// Throws std::invalid_argument "<flag> must be an integer in [low, high], got <value>" when it is not.
void check_integer(const std::string& flag, std::int64_t value, std::int64_t low, std::int64_t high);

// Throws std::invalid_argument "<flag> must be a finite number >= low (or > low), got <value>" when
// `value` is NaN, infinite or below `low`; `high`, when given, is an inclusive upper bound.
void check_number(const std::string& flag, double value, double low, bool low_inclusive,
                  std::optional<double> high = std::nullopt);

// An int field of checkpoint metadata, read without a silent conversion: throws std::invalid_argument
// naming `key` when it is missing or not an integer that an int holds (1e20, 2^40 and 3.5 are refused).
int metadata_int(const nlohmann::json& object, const std::string& key);

// A number recorded in checkpoint metadata (a loss, a time): `fallback` when absent, NaN when null (JSON
// has no NaN or infinity, so nlohmann writes them as null); throws std::invalid_argument otherwise.
double metadata_number(const nlohmann::json& object, const std::string& key, double fallback);

// Writes to PATH.tmp and renames it over PATH, so an interrupted write never leaves half a file.
void save_safetensors(const std::string& path, const Checkpoint& checkpoint);

// Removes PATH.tmp, the partial file a save killed mid-write leaves behind; trainers call it when they
// start, before anything else may write PATH.
void remove_stale_temporary(const std::string& path);

// Reads and validates a file; throws std::invalid_argument saying what is wrong: not a regular file
// (/dev/zero, a directory, a FIFO), too short, header length beyond the file, header not JSON, unknown
// dtype, a shape with a negative or overflowing extent, offsets outside the data or overlapping, shape
// and byte count disagreeing, a floating tensor holding NaN or infinity (named), missing icsr
// metadata. Every size is checked against the file's size before anything is allocated.
Checkpoint load_safetensors(const std::string& path);

// load_safetensors, then checks that the icsr metadata's "format" is `format`; throws
// std::invalid_argument naming `what` (e.g. "baseline") otherwise.
Checkpoint load_checkpoint(const std::string& path, const std::string& format, const std::string& what);

// A module's parameters and buffers as "param.<name>" and "buffer.<name>", on the CPU, in `dtype`
// (or their own dtype when it is undefined).
void put_module_tensors(Checkpoint& checkpoint, const torch::nn::Module& module,
                        std::optional<torch::Dtype> dtype = std::nullopt);

// Copies "param.<name>" and "buffer.<name>" into the module. Every module tensor must be stored with
// its shape, and nothing else may be stored under those prefixes; throws std::invalid_argument naming
// the tensor (or the counts) and `path` otherwise.
void restore_module_tensors(const Checkpoint& checkpoint, torch::nn::Module& module, const std::string& path);

// The optimizer state as one uint8 tensor (LibTorch's archive format), the form both training loops
// store under "optimizer"; and back. load_optimizer returns why it could not load (empty: loaded).
torch::Tensor serialize_optimizer(const torch::optim::Optimizer& optimizer);
std::string load_optimizer(const torch::Tensor& blob, torch::optim::Optimizer& optimizer, const torch::Device& device);

}  // namespace icsr::models
