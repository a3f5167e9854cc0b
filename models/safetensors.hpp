// Checkpoints in the safetensors format (https://github.com/huggingface/safetensors), so a Python
// user can read them with `safetensors.torch.load_file`: an 8-byte little-endian header length, a JSON
// header {name: {"dtype", "shape", "data_offsets"}, "__metadata__": {string: string}}, then the raw
// little-endian tensor bytes. icsr keeps its own metadata as one JSON string under "icsr".
#pragma once

#include <torch/torch.h>

#include <map>
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

}  // namespace icsr::models
