// Archives as safetensors images: an OutputArchive is a list of named tensors (nested archives
// flattened to dotted names) written by the safetensors writer; an InputArchive shares the list
// read back, and a nested one looks at the names under its prefix.
#include "tensorgrad/serialize/archive.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "serialize/safetensors.h"
#include "tensorgrad/autograd.h"

namespace tg::serialize {

// ---- OutputArchive ----

void OutputArchive::write(const std::string& key, const Tensor& tensor, bool /*is_buffer*/) {
  TG_CHECK(!key.empty(), "OutputArchive::write: the key is empty; give the tensor a name");
  TG_CHECK(tensor.defined(), "OutputArchive::write: the tensor '", key,
           "' is undefined; write only defined tensors");
  for (const auto& item : tensors_)
    TG_CHECK(item.first != key, "OutputArchive::write: the key '", key,
             "' is already written; each key holds one tensor");
  tensors_.emplace_back(key, tensor.detach());
}

void OutputArchive::write(const std::string& key, OutputArchive& nested_archive) {
  TG_CHECK(!key.empty(), "OutputArchive::write: the key of a nested archive is empty");
  TG_CHECK(&nested_archive != this, "OutputArchive::write: an archive cannot nest itself");
  for (const auto& [name, tensor] : nested_archive.tensors_) write(key + "." + name, tensor);
}

void OutputArchive::save_to(const std::string& filename) { save(tensors_, filename); }

void OutputArchive::save_to(std::ostream& stream) {
  const detail::SafetensorsImage image =
      detail::prepare_safetensors(tensors_, {}, "OutputArchive::save_to");
  detail::write_safetensors(stream, image);
  TG_CHECK(stream.good(), "OutputArchive::save_to: writing to the stream failed");
}

void OutputArchive::save_to(const std::function<size_t(const void*, size_t)>& func) {
  TG_CHECK(func != nullptr, "OutputArchive::save_to: the writer function is empty");
  std::ostringstream out;
  save_to(out);
  const std::string bytes = std::move(out).str();
  const size_t written = func(bytes.data(), bytes.size());
  TG_CHECK(written == bytes.size(), "OutputArchive::save_to: the writer function took ", written,
           " of the archive's ", bytes.size(), " bytes");
}

std::vector<std::string> OutputArchive::keys() const {
  std::vector<std::string> keys;
  keys.reserve(tensors_.size());
  for (const auto& item : tensors_) keys.push_back(item.first);
  return keys;
}

// ---- InputArchive ----

InputArchive::InputArchive() : items_(std::make_shared<const Items>()) {}

void InputArchive::load_bytes(std::istream& stream, const std::string& source,
                              std::optional<Device> device) {
  TG_CHECK(!device.has_value() || device->is_cpu(), "InputArchive::load_from: tensorgrad keeps ",
           "tensors on the CPU; pass no device or torch::kCPU");
  auto items = std::make_shared<Items>();
  for (auto& item : detail::read_safetensors(stream, source, "InputArchive::load_from"))
    items->emplace_back(item.key(), std::move(item.value()));
  items_ = std::move(items);
  prefix_.clear();
}

void InputArchive::load_from(const std::string& filename, std::optional<Device> device) {
  std::ifstream in(filename, std::ios::binary);
  TG_CHECK(in.is_open(), "InputArchive::load_from: cannot open '", filename, "'");
  load_bytes(in, "'" + filename + "'", device);
}

void InputArchive::load_from(std::istream& stream, std::optional<Device> device) {
  load_bytes(stream, "the stream", device);
}

void InputArchive::load_from(const char* data, size_t size, std::optional<Device> device) {
  TG_CHECK(data != nullptr || size == 0, "InputArchive::load_from: the data pointer is null");
  std::istringstream in(std::string(data == nullptr ? "" : data, size));
  load_bytes(in, "the buffer", device);
}

void InputArchive::load_from(
    const std::function<size_t(uint64_t pos, void* buf, size_t nbytes)>& read_func,
    const std::function<size_t(void)>& size_func, std::optional<Device> device) {
  TG_CHECK(read_func != nullptr && size_func != nullptr,
           "InputArchive::load_from: the reader and size functions must not be empty");
  std::string bytes(size_func(), '\0');
  const size_t got = bytes.empty() ? 0 : read_func(0, bytes.data(), bytes.size());
  TG_CHECK(got == bytes.size(), "InputArchive::load_from: the reader function gave ", got,
           " of the ", bytes.size(), " bytes the size function announced");
  std::istringstream in(std::move(bytes));
  load_bytes(in, "the reader function's data", device);
}

const Tensor* InputArchive::find(const std::string& key) const {
  const std::string name = prefix_ + key;
  for (const auto& item : *items_)
    if (item.first == name) return &item.second;
  return nullptr;
}

bool InputArchive::try_read(const std::string& key, Tensor& tensor, bool /*is_buffer*/) {
  const Tensor* stored = find(key);
  if (stored == nullptr) return false;
  if (tensor.defined() && tensor.sizes() == stored->sizes() && tensor.dtype() == stored->dtype()) {
    NoGradGuard no_grad;
    tensor.copy_(*stored);
  } else {
    tensor = stored->clone();
  }
  return true;
}

void InputArchive::read(const std::string& key, Tensor& tensor, bool is_buffer) {
  TG_CHECK(try_read(key, tensor, is_buffer), "InputArchive::read: No such serialized tensor '",
           prefix_, key, "' in the archive; was it written with this key?");
}

bool InputArchive::try_read(const std::string& key, InputArchive& archive) {
  const std::string prefix = prefix_ + key + ".";
  const bool any = std::any_of(items_->begin(), items_->end(), [&](const auto& item) {
    return item.first.compare(0, prefix.size(), prefix) == 0;
  });
  if (!any) return false;
  archive.items_ = items_;
  archive.prefix_ = prefix;
  return true;
}

void InputArchive::read(const std::string& key, InputArchive& archive) {
  TG_CHECK(try_read(key, archive), "InputArchive::read: No such serialized submodule: '", prefix_,
           key, "' names no nested archive");
}

std::vector<std::string> InputArchive::keys() {
  std::vector<std::string> keys;
  std::unordered_set<std::string> seen;
  for (const auto& item : *items_) {
    if (item.first.compare(0, prefix_.size(), prefix_) != 0) continue;
    const std::string rest = item.first.substr(prefix_.size());
    std::string head = rest.substr(0, rest.find('.'));
    if (seen.insert(head).second) keys.push_back(std::move(head));
  }
  return keys;
}

}  // namespace tg::serialize
