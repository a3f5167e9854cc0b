// Checkpoints in the safetensors format (https://github.com/huggingface/safetensors), so a Python
// user can read them with `safetensors.torch.load_file`: an 8-byte little-endian header length, a JSON
// header {name: {"dtype", "shape", "data_offsets"}, "__metadata__": {string: string}}, then the raw
// little-endian tensor bytes. icsr keeps its own metadata as one JSON string under "icsr".
#pragma once

#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace icsr::models {

struct Checkpoint {
  std::map<std::string, torch::Tensor> tensors;  // CPU, contiguous: float32, float64, float16, int64 or uint8
  nlohmann::json metadata;                       // config, seed, epochs, device, wall time, losses, revision
};

// Writes to PATH.tmp and renames it over PATH, so an interrupted write never leaves half a file.
void save_safetensors(const std::string& path, const Checkpoint& checkpoint);

// Reads and validates a file; throws std::invalid_argument saying what is wrong (too short, header
// length out of range, header not JSON, unknown dtype, offsets outside the data or overlapping, shape
// and byte count disagreeing, missing icsr metadata).
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

}  // namespace icsr::models
