#pragma once
/// Data loaders: tg::data::DataLoader, a simple and fast loader over a pair of tensors (or a
/// dataset with images() and targets(), such as MNIST) with batching, shuffling, drop_last and a
/// seed; and torch::data::make_data_loader, the libtorch-style loader over any dataset and
/// sampler (dataset.map(Normalize).map(Stack<>) and so on).
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensorgrad/data/example.h"
#include "tensorgrad/data/samplers.h"
#include "tensorgrad/nn/arg.h"
#include "tensorgrad/tensor.h"

namespace tg::data {

/// Options of both loaders. batch_size, workers, max_jobs, timeout, enforce_ordering and
/// drop_last are libtorch's (workers, max_jobs, timeout and enforce_ordering are accepted and
/// ignored: batches are made on the calling thread, which is fastest for in-memory data);
/// shuffle and seed are DataLoader's (make_data_loader takes the order from its sampler).
struct DataLoaderOptions {
  DataLoaderOptions() = default;
  DataLoaderOptions(size_t batch_size) : batch_size_(batch_size) {}  // NOLINT: as libtorch

  /// Examples per batch (at least 1).
  TG_ARG(size_t, batch_size) = 1;
  TG_ARG(size_t, workers) = 0;
  TG_ARG(std::optional<size_t>, max_jobs);
  TG_ARG(std::optional<std::chrono::milliseconds>, timeout);
  TG_ARG(bool, enforce_ordering) = true;
  /// Leaves out the last batch of an epoch when it is smaller than batch_size.
  TG_ARG(bool, drop_last) = false;
  /// Visits the examples in a new random order each epoch.
  TG_ARG(bool, shuffle) = false;
  /// Seeds the order of shuffled epochs: epoch e of a loader with seed s is the same permutation
  /// on every run and machine. Without a seed, the order is drawn from the global generator
  /// (tg::manual_seed).
  TG_ARG(std::optional<uint64_t>, seed);
};

/// Batches of (data, target) from two tensors whose first dimension indexes the examples. Each
/// range-for over the loader is one epoch; each batch is a fresh Example<> whose data and target
/// are new contiguous tensors (rows gathered with memcpy, no per-example tensor ops).
///
///   tg::data::datasets::MNIST train(tg::data::datasets::kFashionMnistRoot);
///   tg::data::DataLoader loader(train, tg::data::DataLoaderOptions().batch_size(64)
///                                          .shuffle(true).seed(0));
///   for (auto& batch : loader) { ... batch.data ... batch.target ... }
class DataLoader {
 public:
  /// Throws when data and target are 0-d, their first dimensions differ or batch_size is 0.
  DataLoader(Tensor data, Tensor target, DataLoaderOptions options = DataLoaderOptions());
  /// From a dataset that holds its examples as tensors: images() and targets().
  template <class D>
  requires requires(const D& d) {
    { d.images() } -> std::convertible_to<Tensor>;
    { d.targets() } -> std::convertible_to<Tensor>;
  }
  explicit DataLoader(const D& dataset, DataLoaderOptions options = DataLoaderOptions())
      : DataLoader(dataset.images(), dataset.targets(), std::move(options)) {}

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Example<>;
    using difference_type = std::ptrdiff_t;
    using pointer = Example<>*;
    using reference = Example<>&;

    Iterator() = default;
    Example<>& operator*() { return batch_; }
    Example<>* operator->() { return &batch_; }
    Iterator& operator++();
    /// Iterators compare equal when both are at the end or at the same batch of the same epoch.
    bool operator==(const Iterator& other) const;

   private:
    friend class DataLoader;
    struct Epoch;
    Iterator(const DataLoader* loader, std::shared_ptr<const Epoch> epoch);
    void load();

    const DataLoader* loader_ = nullptr;
    std::shared_ptr<const Epoch> epoch_;
    size_t batch_index_ = 0;
    Example<> batch_;
  };

  /// Starts an epoch (a new order when shuffling).
  Iterator begin();
  Iterator end() const { return Iterator(); }

  /// Batches per epoch.
  size_t size() const noexcept;
  /// Examples in the dataset.
  size_t dataset_size() const noexcept { return static_cast<size_t>(count_); }
  /// Epochs started so far (calls of begin()).
  uint64_t epochs() const noexcept { return epoch_; }
  const DataLoaderOptions& options() const noexcept { return options_; }

 private:
  Tensor data_, target_;
  int64_t count_ = 0;
  DataLoaderOptions options_;
  uint64_t epoch_ = 0;
};

/// The libtorch-style loader made by make_data_loader: each range-for over it is one epoch in
/// the sampler's order; batches are what the dataset's get_batch returns (after its transforms,
/// e.g. an Example<> after Stack<>).
template <class Dataset, class Sampler>
class StatelessDataLoader {
 public:
  using BatchType = typename Dataset::BatchType;
  using BatchRequestType = typename Sampler::BatchRequestType;

  StatelessDataLoader(Dataset dataset, Sampler sampler, DataLoaderOptions options)
      : dataset_(std::move(dataset)), sampler_(std::move(sampler)), options_(std::move(options)) {
    TG_CHECK(options_.batch_size() > 0, "make_data_loader: batch_size must be at least 1 (got 0)");
  }

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = BatchType;
    using difference_type = std::ptrdiff_t;
    using pointer = BatchType*;
    using reference = BatchType&;

    Iterator() = default;
    explicit Iterator(StatelessDataLoader* loader) : loader_(loader) { fetch(); }
    BatchType& operator*() { return *batch_; }
    BatchType* operator->() { return &*batch_; }
    Iterator& operator++() {
      fetch();
      return *this;
    }
    bool operator==(const Iterator& other) const {
      return !batch_.has_value() && !other.batch_.has_value();
    }

   private:
    void fetch() { batch_ = loader_ != nullptr ? loader_->next() : std::nullopt; }
    StatelessDataLoader* loader_ = nullptr;
    std::optional<BatchType> batch_;
  };

  /// Starts an epoch: resets the sampler and returns an iterator at the first batch.
  Iterator begin() {
    sampler_.reset(std::nullopt);
    return Iterator(this);
  }
  Iterator end() { return Iterator(); }
  const DataLoaderOptions& options() const noexcept { return options_; }

 private:
  std::optional<BatchType> next() {
    auto indices = sampler_.next(options_.batch_size());
    if (!indices || indices->empty()) return std::nullopt;
    if (options_.drop_last() && indices->size() < options_.batch_size()) return std::nullopt;
    return dataset_.get_batch(*indices);
  }

  Dataset dataset_;
  Sampler sampler_;
  DataLoaderOptions options_;
};

/// A loader over `dataset` in the order of `sampler`.
template <class Dataset, class Sampler>
std::unique_ptr<StatelessDataLoader<Dataset, Sampler>> make_data_loader(Dataset dataset,
                                                                        Sampler sampler,
                                                                        DataLoaderOptions options) {
  return std::make_unique<StatelessDataLoader<Dataset, Sampler>>(
      std::move(dataset), std::move(sampler), std::move(options));
}

/// A loader over `dataset` with a Sampler made from the dataset's size (RandomSampler by
/// default; samplers::SequentialSampler for a fixed order), as libtorch:
///   auto loader = tg::data::make_data_loader(std::move(dataset), 64);
template <class Sampler = samplers::RandomSampler, class Dataset,
          class = std::enable_if_t<std::is_constructible_v<Sampler, size_t>>>
std::unique_ptr<StatelessDataLoader<Dataset, Sampler>> make_data_loader(
    Dataset dataset, DataLoaderOptions options = DataLoaderOptions()) {
  const std::optional<size_t> size = dataset.size();
  TG_CHECK(size.has_value(),
           "make_data_loader: the dataset must know its size() to construct the sampler");
  return make_data_loader(std::move(dataset), Sampler(*size), std::move(options));
}

}  // namespace tg::data
