#pragma once
/// Saving and loading tensors and modules in the safetensors format
/// (https://github.com/huggingface/safetensors), so files open in Python's `safetensors`:
///   - 8 bytes: N, the length of the header, an unsigned little-endian 64-bit integer;
///   - N bytes: a UTF-8 JSON object; for each tensor, "name": {"dtype": "F32" | "F64" | "I64" |
///     "BOOL", "shape": [...], "data_offsets": [begin, end]}, and optionally "__metadata__", an
///     object of strings; tensorgrad pads it with spaces to a multiple of 8 bytes, so the data
///     that follows is aligned;
///   - the tensors' bytes, little-endian, row-major, contiguous, in header order, each at
///     data_offsets relative to the end of the header, with no gap and no overlap.
/// Reading checks every field against the file before allocating anything: a file whose header
/// length, offsets, shapes or dtypes are wrong or hostile fails with a tg::Error that names the
/// file and the problem, without reading outside the file. The archives of
/// tensorgrad/serialize/archive.h (torch::serialize::OutputArchive and InputArchive, with which
/// samplers and datasets save their state) are written in the same format, to files or streams.
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/ordered_dict.h"
#include "tensorgrad/nn/pimpl.h"
#include "tensorgrad/serialize/archive.h"
#include "tensorgrad/tensor.h"

namespace tg {

/// The "__metadata__" of a safetensors file: free-form string keys and values.
using SafetensorsMetadata = std::map<std::string, std::string>;

/// Writes named tensors to `path` in this order. Names must be non-empty, unique and not
/// "__metadata__"; tensors must be defined (any layout; they are written contiguous, without
/// their autograd history). The file is written next to `path` and renamed over it, so a failed
/// save leaves no partial file.
void save(const std::vector<std::pair<std::string, Tensor>>& tensors, const std::string& path,
          const SafetensorsMetadata& metadata = {});

/// As above, for the tensors of an OrderedDict (such as named_parameters()), in its order.
template <class Key>
void save(const OrderedDict<Key, Tensor>& tensors, const std::string& path,
          const SafetensorsMetadata& metadata = {}) {
  static_assert(std::is_convertible_v<Key, std::string>, "save: keys must be strings");
  std::vector<std::pair<std::string, Tensor>> items;
  items.reserve(tensors.size());
  for (const auto& item : tensors) items.emplace_back(item.key(), item.value());
  save(items, path, metadata);
}

/// As above, for a std::map (in key order).
template <class Compare, class Allocator>
void save(const std::map<std::string, Tensor, Compare, Allocator>& tensors, const std::string& path,
          const SafetensorsMetadata& metadata = {}) {
  save(std::vector<std::pair<std::string, Tensor>>(tensors.begin(), tensors.end()), path, metadata);
}

/// As above, for a std::unordered_map (written in name order, so the file is reproducible).
template <class Hash, class Equal, class Allocator>
void save(const std::unordered_map<std::string, Tensor, Hash, Equal, Allocator>& tensors,
          const std::string& path, const SafetensorsMetadata& metadata = {}) {
  std::map<std::string, Tensor> sorted(tensors.begin(), tensors.end());
  save(sorted, path, metadata);
}

/// Writes a module's named parameters, then its named buffers ("fc1.weight", ...,
/// "bn.running_mean", ...).
void save(const nn::Module& module, const std::string& path,
          const SafetensorsMetadata& metadata = {});
template <class ModuleType>
void save(const nn::ModuleHolder<ModuleType>& module, const std::string& path,
          const SafetensorsMetadata& metadata = {}) {
  save(static_cast<const nn::Module&>(*module), path, metadata);
}
template <class ModuleType, class = std::enable_if_t<std::is_base_of_v<nn::Module, ModuleType>>>
void save(const std::shared_ptr<ModuleType>& module, const std::string& path,
          const SafetensorsMetadata& metadata = {}) {
  TG_CHECK(module != nullptr, "save: the module is null");
  save(static_cast<const nn::Module&>(*module), path, metadata);
}

/// The tensors of a safetensors file, in the order of their data in the file. Reads every dtype
/// tensorgrad has (U8, I8, I16, I32, I64, F16, BF16, F32, F64, BOOL); others (U16, F8_E4M3...)
/// throw, naming the tensor.
OrderedDict<std::string, Tensor> load_tensors(const std::string& path);

/// The "__metadata__" of a safetensors file (empty when it has none).
SafetensorsMetadata load_metadata(const std::string& path);

/// Loads a file written by save(module, ...) into `module`: every parameter and buffer gets
/// the file's values (converted to the module's dtype if they differ), in place, so handles to
/// them and optimizers that hold them see the new values. The file must hold exactly the
/// module's tensors with the module's shapes; otherwise one tg::Error lists all the missing,
/// unexpected and mis-shaped tensors, and the module is left unchanged.
void load(nn::Module& module, const std::string& path);
template <class ModuleType>
void load(const nn::ModuleHolder<ModuleType>& module, const std::string& path) {
  load(static_cast<nn::Module&>(*module.ptr()), path);
}
template <class ModuleType, class = std::enable_if_t<std::is_base_of_v<nn::Module, ModuleType>>>
void load(const std::shared_ptr<ModuleType>& module, const std::string& path) {
  TG_CHECK(module != nullptr, "load: the module is null");
  load(static_cast<nn::Module&>(*module), path);
}

}  // namespace tg
