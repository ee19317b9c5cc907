#pragma once
/// Archives, as torch::serialize::OutputArchive and InputArchive: named tensors and nested
/// archives, saved to and loaded from files, streams and memory. What libtorch keeps in a
/// TorchScript module, tensorgrad keeps in one safetensors image (see tensorgrad/serialize.h):
/// a nested archive's tensors are stored under "outer.inner.name", so an archive file opens in
/// Python's `safetensors` like any other.
///
/// tg::save(value, where...) and tg::load(value, where...) save and load anything an archive
/// can take with `archive << value` and `archive >> value`, such as a sampler or a stateful
/// dataset (whose save/load write and read their state):
///   std::stringstream stream;
///   tg::save(sampler, stream);
///   tg::load(other_sampler, stream);
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tensorgrad/tensor.h"

namespace tg::serialize {

/// Collects named tensors and nested archives, then writes them in one go (save_to).
class OutputArchive final {
 public:
  OutputArchive() = default;
  OutputArchive(OutputArchive&&) = default;
  OutputArchive& operator=(OutputArchive&&) = default;
  OutputArchive(const OutputArchive&) = delete;
  OutputArchive& operator=(const OutputArchive&) = delete;

  /// Stores `tensor` (its values, detached) under `key`; is_buffer is accepted for libtorch's
  /// signature and changes nothing. A key may be written once.
  void write(const std::string& key, const Tensor& tensor, bool is_buffer = false);
  /// Stores the tensors of `nested_archive` under "key.<their key>".
  void write(const std::string& key, OutputArchive& nested_archive);

  /// Writes the archive to a file (replacing it; a failed write leaves no partial file).
  void save_to(const std::string& filename);
  /// Writes the archive to a stream at its current position.
  void save_to(std::ostream& stream);
  /// Hands the archive's bytes to `func(data, size)`, which returns how many it took.
  void save_to(const std::function<size_t(const void*, size_t)>& func);

  /// The keys written so far, nested ones as "outer.inner".
  std::vector<std::string> keys() const;

  template <class... Ts>
  void operator()(Ts&&... ts) {
    write(std::forward<Ts>(ts)...);
  }

 private:
  std::vector<std::pair<std::string, Tensor>> tensors_;
};

/// The tensors of a saved archive, read by key; nested archives read as archives.
class InputArchive final {
 public:
  InputArchive();
  InputArchive(InputArchive&&) = default;
  InputArchive& operator=(InputArchive&&) = default;
  InputArchive(const InputArchive&) = delete;
  InputArchive& operator=(const InputArchive&) = delete;
  ~InputArchive() = default;

  /// The tensor stored under `key`: a defined `tensor` of the same shape and dtype gets its
  /// values in place (so other handles to it see them); otherwise `tensor` is set to the stored
  /// tensor. Throws "No such serialized tensor" when the archive has no such key.
  void read(const std::string& key, Tensor& tensor, bool is_buffer = false);
  /// As read, returning false (and leaving `tensor` alone) when there is no such key.
  bool try_read(const std::string& key, Tensor& tensor, bool is_buffer = false);
  /// The archive nested under `key`. Throws "No such serialized submodule" when there is none.
  void read(const std::string& key, InputArchive& archive);
  bool try_read(const std::string& key, InputArchive& archive);

  /// Reads an archive written by OutputArchive::save_to. `device`, for libtorch's signature,
  /// must be the CPU when given.
  void load_from(const std::string& filename, std::optional<Device> device = std::nullopt);
  /// Reads an archive from a stream, from its current position to its end.
  void load_from(std::istream& stream, std::optional<Device> device = std::nullopt);
  void load_from(const char* data, size_t size, std::optional<Device> device = std::nullopt);
  /// Reads `size_func()` bytes through read_func(position, buffer, count), which returns how
  /// many it read.
  void load_from(const std::function<size_t(uint64_t pos, void* buf, size_t nbytes)>& read_func,
                 const std::function<size_t(void)>& size_func,
                 std::optional<Device> device = std::nullopt);

  /// The keys at this level: tensor keys and the names of nested archives, in stored order.
  std::vector<std::string> keys();

  template <class... Ts>
  void operator()(Ts&&... ts) {
    read(std::forward<Ts>(ts)...);
  }

 private:
  using Items = std::vector<std::pair<std::string, Tensor>>;
  void load_bytes(std::istream& stream, const std::string& source, std::optional<Device> device);
  const Tensor* find(const std::string& key) const;

  std::shared_ptr<const Items> items_;
  std::string prefix_;  // "outer.inner." for a nested archive
};

}  // namespace tg::serialize

namespace tg {

/// Saves `value` through an archive: `archive << value`, then archive.save_to(args...) (a file
/// name, a std::ostream, or a writer function).
template <class Value, class... SaveToArgs>
requires requires(serialize::OutputArchive& archive, const Value& value) { archive << value; }
void save(const Value& value, SaveToArgs&&... args) {
  serialize::OutputArchive archive;
  archive << value;
  archive.save_to(std::forward<SaveToArgs>(args)...);
}

/// Loads `value` from an archive: archive.load_from(args...), then `archive >> value`.
template <class Value, class... LoadFromArgs>
requires requires(serialize::InputArchive& archive, Value& value) { archive >> value; }
void load(Value& value, LoadFromArgs&&... args) {
  serialize::InputArchive archive;
  archive.load_from(std::forward<LoadFromArgs>(args)...);
  archive >> value;
}

}  // namespace tg
