#include "models/safetensors.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sstream>
#include <vector>

namespace icsr::models {
namespace {

std::string dtype_name(torch::Dtype dtype) {
  if (dtype == torch::kFloat32) return "F32";
  if (dtype == torch::kFloat64) return "F64";
  if (dtype == torch::kInt64) return "I64";
  if (dtype == torch::kUInt8) return "U8";
  if (dtype == torch::kFloat16) return "F16";
  throw std::invalid_argument("safetensors: unsupported dtype (icsr writes F32, F64, F16, I64 and U8)");
}

torch::Dtype dtype_of(const std::string& name, const std::string& path) {
  if (name == "F32") return torch::kFloat32;
  if (name == "F64") return torch::kFloat64;
  if (name == "I64") return torch::kInt64;
  if (name == "U8") return torch::kUInt8;
  if (name == "F16") return torch::kFloat16;
  throw std::invalid_argument(path + ": unsupported dtype '" + name + "'");
}

}  // namespace

void save_safetensors(const std::string& path, const Checkpoint& checkpoint) {
  nlohmann::json header = nlohmann::json::object();
  std::vector<torch::Tensor> ordered;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : checkpoint.tensors) {  // std::map: sorted names, a stable file
    const torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
    const std::uint64_t bytes = static_cast<std::uint64_t>(cpu.numel()) * cpu.element_size();
    header[name] = {{"dtype", dtype_name(cpu.scalar_type())}, {"shape", cpu.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    ordered.push_back(cpu);
  }
  header["__metadata__"] = {{"icsr", checkpoint.metadata.dump()}, {"format", "pt"}};
  std::string text = header.dump();
  while (text.size() % 8 != 0) text += ' ';  // the format pads the header to 8 bytes
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    const std::uint64_t length = text.size();
    unsigned char prefix[8];
    for (int i = 0; i < 8; ++i) prefix[i] = static_cast<unsigned char>(length >> (8 * i));
    out.write(reinterpret_cast<const char*>(prefix), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const torch::Tensor& tensor : ordered) {
      out.write(static_cast<const char*>(tensor.data_ptr()), static_cast<std::streamsize>(tensor.numel() * tensor.element_size()));
    }
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  std::filesystem::rename(temporary, target);
}

Checkpoint load_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot open the checkpoint");
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 8) throw std::invalid_argument(path + ": too short to be a safetensors file (" + std::to_string(bytes.size()) + " bytes)");
  std::uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  if (length < 2 || length > bytes.size() - 8) {
    throw std::invalid_argument(path + ": header length " + std::to_string(length) + " does not fit the file of " +
                                std::to_string(bytes.size()) + " bytes (corrupt or truncated)");
  }
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(length));
  } catch (const nlohmann::json::exception& error) {  // parse_error, and out_of_range for a number like 1e400
    throw std::invalid_argument(path + ": the header is not JSON (" + std::string(error.what()) + ")");
  }
  const std::uint64_t data_begin = 8 + length, data_size = bytes.size() - data_begin;
  Checkpoint checkpoint;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    try {
      const torch::Dtype dtype = dtype_of(entry.at("dtype").get<std::string>(), path);
      const std::vector<int64_t> shape = entry.at("shape").get<std::vector<int64_t>>();
      const auto offsets = entry.at("data_offsets").get<std::vector<std::uint64_t>>();
      if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data_size) {
        throw std::invalid_argument(path + ": tensor '" + name + "' lies outside the data section");
      }
      int64_t count = 1;
      for (int64_t extent : shape) count *= extent;
      const std::uint64_t expected = static_cast<std::uint64_t>(count) * torch::elementSize(dtype);
      if (expected != offsets[1] - offsets[0]) {
        throw std::invalid_argument(path + ": tensor '" + name + "' has " + std::to_string(offsets[1] - offsets[0]) +
                                    " bytes, its shape needs " + std::to_string(expected));
      }
      ranges.emplace_back(offsets[0], offsets[1]);
      torch::Tensor tensor = torch::empty(shape, torch::TensorOptions().dtype(dtype));
      if (expected > 0) std::memcpy(tensor.data_ptr(), bytes.data() + data_begin + offsets[0], expected);  // an empty tensor has no data pointer
      checkpoint.tensors[name] = tensor;
    } catch (const nlohmann::json::exception& error) {
      throw std::invalid_argument(path + ": malformed header entry '" + name + "' (" + error.what() + ")");
    }
  }
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first < ranges[i - 1].second) throw std::invalid_argument(path + ": tensors overlap in the data section");
  }
  if (!header.contains("__metadata__") || !header.at("__metadata__").contains("icsr")) {
    throw std::invalid_argument(path + ": no icsr metadata (not an icsr checkpoint)");
  }
  try {
    checkpoint.metadata = nlohmann::json::parse(header.at("__metadata__").at("icsr").get<std::string>());
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(path + ": the icsr metadata is not JSON (" + std::string(error.what()) + ")");
  }
  return checkpoint;
}

Checkpoint load_checkpoint(const std::string& path, const std::string& format, const std::string& what) {
  Checkpoint checkpoint = load_safetensors(path);
  if (checkpoint.metadata.value("format", "") != format) {
    throw std::invalid_argument(path + ": not an icsr " + what + " checkpoint (format '" +
                                checkpoint.metadata.value("format", std::string("none")) + "')");
  }
  return checkpoint;
}

void put_module_tensors(Checkpoint& checkpoint, const torch::nn::Module& module, std::optional<torch::Dtype> dtype) {
  const auto store = [&](const std::string& name, const torch::Tensor& tensor) {
    const torch::Tensor cpu = tensor.detach().cpu();
    checkpoint.tensors[name] = dtype ? cpu.to(*dtype) : cpu;
  };
  for (const auto& item : module.named_parameters()) store("param." + item.key(), item.value());
  for (const auto& item : module.named_buffers()) store("buffer." + item.key(), item.value());
}

void restore_module_tensors(const Checkpoint& checkpoint, torch::nn::Module& module, const std::string& path) {
  torch::NoGradGuard no_grad;
  std::size_t expected = 0;
  const auto restore = [&](const std::string& name, torch::Tensor& target) {
    const auto found = checkpoint.tensors.find(name);
    if (found == checkpoint.tensors.end()) throw std::invalid_argument(path + ": missing tensor '" + name + "'");
    if (found->second.sizes() != target.sizes()) {
      std::ostringstream have, need;
      have << found->second.sizes();
      need << target.sizes();
      throw std::invalid_argument(path + ": tensor '" + name + "' has shape " + have.str() + ", the model needs " + need.str());
    }
    target.copy_(found->second.to(target.scalar_type()));
    ++expected;
  };
  for (auto& item : module.named_parameters()) restore("param." + item.key(), item.value());
  for (auto& item : module.named_buffers()) restore("buffer." + item.key(), item.value());
  std::size_t stored = 0;
  for (const auto& entry : checkpoint.tensors) {
    if (entry.first.rfind("param.", 0) == 0 || entry.first.rfind("buffer.", 0) == 0) ++stored;
  }
  if (stored != expected) {
    throw std::invalid_argument(path + ": " + std::to_string(stored) + " model tensors stored, the model has " +
                                std::to_string(expected));
  }
}

}  // namespace icsr::models
