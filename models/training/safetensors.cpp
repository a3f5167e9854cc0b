#include "models/training/safetensors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
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

// One tensor of the header, checked against the data section before anything is allocated.
struct TensorEntry {
  std::string name;
  torch::Dtype dtype;
  std::vector<int64_t> shape;
  std::uint64_t begin = 0, end = 0;
};

// A non-negative JSON integer no larger than `limit`; nullopt otherwise (negative, fractional, too big).
std::optional<std::uint64_t> bounded_count(const nlohmann::json& value, std::uint64_t limit) {
  if (value.is_number_unsigned()) {
    const auto count = value.get<std::uint64_t>();
    if (count <= limit) return count;
  } else if (value.is_number_integer()) {
    const auto count = value.get<std::int64_t>();
    if (count >= 0 && static_cast<std::uint64_t>(count) <= limit) return static_cast<std::uint64_t>(count);
  }
  return std::nullopt;
}

TensorEntry parse_entry(const std::string& name, const nlohmann::json& entry, std::uint64_t data_size, const std::string& path) {
  const std::string where = path + ": tensor '" + name + "'";
  try {
    TensorEntry parsed;
    parsed.name = name;
    parsed.dtype = dtype_of(entry.at("dtype").get<std::string>(), path);
    const std::uint64_t element = torch::elementSize(parsed.dtype);
    const nlohmann::json& offsets = entry.at("data_offsets");
    if (!offsets.is_array() || offsets.size() != 2) throw std::invalid_argument(where + ": data_offsets must be two integers");
    const auto begin = bounded_count(offsets[0], data_size), end = bounded_count(offsets[1], data_size);
    if (!begin || !end || *begin > *end) throw std::invalid_argument(where + " lies outside the data section");
    parsed.begin = *begin;
    parsed.end = *end;
    // The element count may not exceed what the data section holds; checked factor by factor, so that
    // a product that would overflow 64 bits is caught as well.
    const nlohmann::json& shape = entry.at("shape");
    if (!shape.is_array()) throw std::invalid_argument(where + ": the shape is not a list");
    const std::uint64_t most = data_size / element;
    std::uint64_t count = 1;
    bool empty = false;
    for (const nlohmann::json& extent : shape) {
      const auto value = bounded_count(extent, static_cast<std::uint64_t>(std::numeric_limits<int64_t>::max()));
      if (!value) throw std::invalid_argument(where + " has the shape " + shape.dump() + ": an extent is negative, fractional or too large");
      parsed.shape.push_back(static_cast<int64_t>(*value));
      empty = empty || *value == 0;
    }
    for (const int64_t extent : parsed.shape) {
      if (empty) break;
      if (count > most / static_cast<std::uint64_t>(extent)) {
        throw std::invalid_argument(where + " has the shape " + shape.dump() + ", more elements than the file's " +
                                    std::to_string(data_size) + " data bytes hold");
      }
      count *= static_cast<std::uint64_t>(extent);
    }
    const std::uint64_t expected = empty ? 0 : count * element;
    if (expected != parsed.end - parsed.begin) {
      throw std::invalid_argument(where + " has " + std::to_string(parsed.end - parsed.begin) + " bytes, its shape needs " +
                                  std::to_string(expected));
    }
    return parsed;
  } catch (const nlohmann::json::exception& json_error) {
    throw std::invalid_argument(path + ": malformed header entry '" + name + "' (" + json_error.what() + ")");
  }
}

}  // namespace

void check_model_fits_file(std::int64_t described, std::int64_t stored, const std::string& path, const std::string& what) {
  if (described > kModelToFileRatio * stored + kModelSlackScalars) {
    throw std::invalid_argument(fmt::format("{}: the metadata describes {} of {} scalars, far more than the {} the file holds "
                                            "(corrupt metadata?)",
                                            path, what, described, stored));
  }
}

void check_integer(const std::string& flag, std::int64_t value, std::int64_t low, std::int64_t high) {
  if (value < low || value > high) {
    throw std::invalid_argument(fmt::format("{} must be an integer in [{}, {}], got {}", flag, low, high, value));
  }
}

void check_number(const std::string& flag, double value, double low, bool low_inclusive, std::optional<double> high) {
  const bool above = low_inclusive ? value >= low : value > low;  // false for NaN
  if (!std::isfinite(value) || !above || (high && value > *high)) {
    const std::string range = high ? fmt::format("in {}{}, {}]", low_inclusive ? "[" : "(", low, *high)
                                   : fmt::format("{} {}", low_inclusive ? ">=" : ">", low);
    throw std::invalid_argument(fmt::format("{} must be a finite number {}, got {}", flag, range, value));
  }
}

int metadata_int(const nlohmann::json& object, const std::string& key) {
  if (!object.is_object() || !object.contains(key)) throw std::invalid_argument("training config: no '" + key + "'");
  const nlohmann::json& value = object.at(key);
  const bool fits = (value.is_number_unsigned() && value.get<std::uint64_t>() <= std::numeric_limits<int>::max()) ||
                    (value.is_number_integer() && !value.is_number_unsigned() &&
                     value.get<std::int64_t>() >= std::numeric_limits<int>::min() &&
                     value.get<std::int64_t>() <= std::numeric_limits<int>::max());
  if (!fits) throw std::invalid_argument("training config: '" + key + "' = " + value.dump() + " is not an integer an int holds");
  return value.get<int>();
}

double metadata_number(const nlohmann::json& object, const std::string& key, double fallback) {
  if (!object.is_object() || !object.contains(key)) return fallback;
  const nlohmann::json& value = object.at(key);
  if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!value.is_number()) throw std::invalid_argument("checkpoint metadata: '" + key + "' = " + value.dump() + " is not a number");
  return value.get<double>();
}

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

void remove_stale_temporary(const std::string& path) {
  std::error_code ignored;
  std::filesystem::remove(path + ".tmp", ignored);
}

Checkpoint load_safetensors(const std::string& path) {
  // Refuse anything but a regular file before reading a byte: /dev/zero or a FIFO never ends.
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status)) {
    throw std::invalid_argument(path + ": cannot open the checkpoint (" + (error ? error.message() : "no such file") + ")");
  }
  if (!std::filesystem::is_regular_file(status)) throw std::invalid_argument(path + ": not a regular file");
  const std::uint64_t size = std::filesystem::file_size(path, error);
  std::ifstream in(path, std::ios::binary);
  if (error || !in) throw std::invalid_argument(path + ": cannot open the checkpoint");
  if (size < 8) throw std::invalid_argument(path + ": too short to be a safetensors file (" + std::to_string(size) + " bytes)");
  unsigned char prefix[8];
  in.read(reinterpret_cast<char*>(prefix), 8);
  std::uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= static_cast<std::uint64_t>(prefix[i]) << (8 * i);
  if (!in || length < 2 || length > size - 8) {
    throw std::invalid_argument(path + ": header length " + std::to_string(length) + " does not fit the file of " +
                                std::to_string(size) + " bytes (corrupt or truncated)");
  }
  std::string text(length, '\0');
  in.read(text.data(), static_cast<std::streamsize>(length));
  if (!in) throw std::invalid_argument(path + ": the header could not be read (the file shrank while it was read?)");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& parse_error) {  // parse_error, and out_of_range for a number like 1e400
    throw std::invalid_argument(path + ": the header is not JSON (" + std::string(parse_error.what()) + ")");
  }
  if (!header.is_object()) throw std::invalid_argument(path + ": the header is not a JSON object");
  const std::uint64_t data_begin = 8 + length, data_size = size - data_begin;
  std::vector<TensorEntry> entries;
  for (const auto& [name, entry] : header.items()) {
    if (name != "__metadata__") entries.push_back(parse_entry(name, entry, data_size, path));
  }
  std::sort(entries.begin(), entries.end(), [](const TensorEntry& a, const TensorEntry& b) { return a.begin < b.begin; });
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].begin < entries[i - 1].end) throw std::invalid_argument(path + ": tensors overlap in the data section");
  }
  Checkpoint checkpoint;
  if (!header.contains("__metadata__") || !header.at("__metadata__").is_object() || !header.at("__metadata__").contains("icsr")) {
    throw std::invalid_argument(path + ": no icsr metadata (not an icsr checkpoint)");
  }
  try {
    checkpoint.metadata = nlohmann::json::parse(header.at("__metadata__").at("icsr").get<std::string>());
  } catch (const nlohmann::json::exception& json_error) {
    throw std::invalid_argument(path + ": the icsr metadata is not JSON (" + std::string(json_error.what()) + ")");
  }
  // Every range now lies inside the file and none overlaps: the tensors together fit in its size.
  for (const TensorEntry& entry : entries) {
    torch::Tensor tensor = torch::empty(entry.shape, torch::TensorOptions().dtype(entry.dtype));
    if (entry.end == entry.begin) {  // an empty tensor has no data pointer to read into
      checkpoint.tensors.emplace(entry.name, tensor);
      continue;
    }
    in.seekg(static_cast<std::streamoff>(data_begin + entry.begin));
    in.read(static_cast<char*>(tensor.data_ptr()), static_cast<std::streamsize>(entry.end - entry.begin));
    if (!in) throw std::invalid_argument(path + ": tensor '" + entry.name + "' could not be read (truncated?)");
    if (tensor.is_floating_point()) {
      const int64_t bad = tensor.numel() - torch::isfinite(tensor).sum().item<int64_t>();
      if (bad > 0) {
        throw std::invalid_argument(path + ": tensor '" + entry.name + "' holds " + std::to_string(bad) + " NaN or infinite value" +
                                    (bad == 1 ? "" : "s") + " of " + std::to_string(tensor.numel()) + " (non-finite weights)");
      }
    }
    checkpoint.tensors[entry.name] = tensor;
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

std::string load_optimizer(const torch::Tensor& blob, torch::optim::Optimizer& optimizer, const torch::Device& device) {
  if (blob.scalar_type() != torch::kUInt8 || blob.dim() != 1) return "the optimizer state is not a byte string";
  std::istringstream bytes(std::string(static_cast<const char*>(blob.data_ptr()), static_cast<std::size_t>(blob.numel())));
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(bytes, device);
    optimizer.load(archive);
  } catch (const c10::Error& error) {
    return std::string("the optimizer state does not load in this LibTorch (") + error.what_without_backtrace() + ")";
  }
  return "";
}

}  // namespace icsr::models
