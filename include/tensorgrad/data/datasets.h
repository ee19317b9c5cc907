#pragma once
/// Datasets, as torch::data::datasets: the Dataset and BatchDataset bases, StreamDataset and
/// StatefulDataset (datasets that choose their examples themselves; a stateful one returns
/// nullopt when its epoch is over), MapDataset (what dataset.map(transform) returns),
/// SharedBatchDataset (one dataset shared by the copies a loader makes), TensorDataset, and
/// MNIST, which reads the MNIST and Fashion-MNIST files. Chunk datasets are in
/// tensorgrad/data/chunk.h.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/data/example.h"
#include "tensorgrad/serialize/archive.h"
#include "tensorgrad/tensor.h"

namespace tg::data::datasets {

template <class SourceDataset, class AppliedTransform>
class MapDataset;
template <class DatasetType, class TransformType>
MapDataset<DatasetType, TransformType> map(DatasetType dataset, TransformType transform);

namespace detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <bool Condition, class T>
using optional_if_t = std::conditional_t<Condition, std::optional<T>, T>;
}  // namespace detail

/// A dataset that returns whole batches for a request (by default a list of indices). One whose
/// BatchType is a std::optional is stateful: it ends its epoch by returning nullopt.
template <class Self, class Batch = std::vector<Example<>>, class BatchRequest = ArrayRef<size_t>>
class BatchDataset {
 public:
  using SelfType = Self;
  using BatchType = Batch;
  using BatchRequestType = BatchRequest;
  static constexpr bool is_stateful = detail::is_optional<BatchType>::value;

  virtual ~BatchDataset() = default;
  virtual Batch get_batch(BatchRequest request) = 0;
  /// The number of examples, when known.
  virtual std::optional<size_t> size() const = 0;

  /// This dataset with `transform` applied to each batch it returns.
  template <class TransformType>
  MapDataset<Self, TransformType> map(TransformType transform) & {
    return datasets::map(static_cast<Self&>(*this), std::move(transform));
  }
  template <class TransformType>
  MapDataset<Self, TransformType> map(TransformType transform) && {
    return datasets::map(std::move(static_cast<Self&>(*this)), std::move(transform));
  }
};

/// A dataset of single examples: get(index); batches are vectors of examples.
template <class Self, class SingleExample = Example<>>
class Dataset : public BatchDataset<Self, std::vector<SingleExample>> {
 public:
  using ExampleType = SingleExample;
  virtual ExampleType get(size_t index) = 0;
  std::vector<ExampleType> get_batch(ArrayRef<size_t> indices) override {
    std::vector<ExampleType> batch;
    batch.reserve(indices.size());
    for (const size_t i : indices) batch.push_back(get(i));
    return batch;
  }
};

/// A dataset that produces the next batch_size examples itself (a stream): its request is a
/// count, which samplers::StreamSampler provides.
template <class Self, class Batch = std::vector<Example<>>>
using StreamDataset = BatchDataset<Self, Batch, /*BatchRequest=*/size_t>;

/// A dataset with a state of its own (a stream, a file being read...): get_batch returns
/// nullopt when the epoch is over, reset() starts the next one, and save/load checkpoint the
/// state. A loader over it asks for batch_size examples at a time; with workers, they call
/// get_batch concurrently, so it must be thread-safe then.
template <class Self, class Batch = std::vector<Example<>>, class BatchRequest = size_t>
class StatefulDataset : public BatchDataset<Self, std::optional<Batch>, BatchRequest> {
 public:
  /// Starts a new epoch.
  virtual void reset() = 0;
  /// Writes the dataset's state to `archive`.
  virtual void save(serialize::OutputArchive& archive) const = 0;
  /// Restores the state that save wrote.
  virtual void load(serialize::InputArchive& archive) = 0;
};

/// `archive << dataset` saves a stateful dataset's state, as tg::save(dataset, ...) does.
template <class... Args>
serialize::OutputArchive& operator<<(serialize::OutputArchive& archive,
                                     const StatefulDataset<Args...>& dataset) {
  dataset.save(archive);
  return archive;
}

/// `archive >> dataset` restores a stateful dataset's state, as tg::load(dataset, ...) does.
template <class... Args>
serialize::InputArchive& operator>>(serialize::InputArchive& archive,
                                    StatefulDataset<Args...>& dataset) {
  dataset.load(archive);
  return archive;
}

/// A dataset whose batches are those of another dataset passed through a transform. Over a
/// stateful dataset, it is stateful too: nullopt passes through untransformed.
template <class SourceDataset, class AppliedTransform>
class MapDataset
    : public BatchDataset<MapDataset<SourceDataset, AppliedTransform>,
                          detail::optional_if_t<SourceDataset::is_stateful,
                                                typename AppliedTransform::OutputBatchType>,
                          typename SourceDataset::BatchRequestType> {
 public:
  using DatasetType = SourceDataset;
  using TransformType = AppliedTransform;
  using BatchRequestType = typename SourceDataset::BatchRequestType;
  using OutputBatchType =
      detail::optional_if_t<SourceDataset::is_stateful, typename AppliedTransform::OutputBatchType>;

  MapDataset(DatasetType dataset, TransformType transform)
      : dataset_(std::move(dataset)), transform_(std::move(transform)) {}

  OutputBatchType get_batch(BatchRequestType request) override {
    if constexpr (SourceDataset::is_stateful) {
      auto batch = dataset_.get_batch(std::move(request));
      if (!batch) return std::nullopt;
      return transform_.apply_batch(std::move(*batch));
    } else {
      return transform_.apply_batch(dataset_.get_batch(std::move(request)));
    }
  }
  std::optional<size_t> size() const noexcept override { return dataset_.size(); }
  /// Resets the source dataset (for stateful ones).
  void reset() { dataset_.reset(); }
  const SourceDataset& dataset() noexcept { return dataset_; }
  const AppliedTransform& transform() noexcept { return transform_; }

 private:
  SourceDataset dataset_;
  AppliedTransform transform_;
};

template <class DatasetType, class TransformType>
MapDataset<DatasetType, TransformType> map(DatasetType dataset, TransformType transform) {
  using Unwrapped =
      std::conditional_t<DatasetType::is_stateful, typename DatasetType::BatchType::value_type,
                         typename DatasetType::BatchType>;
  static_assert(std::is_same_v<Unwrapped, typename TransformType::InputBatchType>,
                "BatchType type of dataset does not match input type of transform");
  return {std::move(dataset), std::move(transform)};
}

/// A handle to a dataset held by a std::shared_ptr: copies (such as the one a loader makes for
/// each worker) all use the one dataset, which need not be copyable. Made by
/// make_shared_dataset; `->` and `*` reach the dataset.
template <class UnderlyingDataset>
class SharedBatchDataset : public BatchDataset<SharedBatchDataset<UnderlyingDataset>,
                                               typename UnderlyingDataset::BatchType,
                                               typename UnderlyingDataset::BatchRequestType> {
 public:
  using BatchType = typename UnderlyingDataset::BatchType;
  using BatchRequestType = typename UnderlyingDataset::BatchRequestType;

  SharedBatchDataset(std::shared_ptr<UnderlyingDataset> shared_dataset)  // NOLINT: as libtorch
      : dataset_(std::move(shared_dataset)) {
    TG_CHECK(dataset_ != nullptr, "SharedBatchDataset: the dataset pointer is null");
  }

  BatchType get_batch(BatchRequestType request) override {
    return dataset_->get_batch(std::move(request));
  }
  std::optional<size_t> size() const override { return dataset_->size(); }
  UnderlyingDataset& operator*() { return *dataset_; }
  const UnderlyingDataset& operator*() const { return *dataset_; }
  UnderlyingDataset* operator->() { return dataset_.get(); }
  const UnderlyingDataset* operator->() const { return dataset_.get(); }
  /// Resets the dataset (for stateful ones).
  void reset() { dataset_->reset(); }

 private:
  std::shared_ptr<UnderlyingDataset> dataset_;
};

/// A SharedBatchDataset over a new UnderlyingDataset(args...).
template <class UnderlyingDataset, class... Args>
SharedBatchDataset<UnderlyingDataset> make_shared_dataset(Args&&... args) {
  return std::make_shared<UnderlyingDataset>(std::forward<Args>(args)...);
}

/// The examples are the rows (first-dimension slices) of one tensor.
struct TensorDataset : public Dataset<TensorDataset, TensorExample> {
  explicit TensorDataset(const std::vector<Tensor>& tensors);
  explicit TensorDataset(Tensor tensor);
  TensorExample get(size_t index) override;
  std::optional<size_t> size() const override;

  Tensor tensor;
};

/// Where Debian's dataset-fashion-mnist package installs Fashion-MNIST.
inline constexpr const char* kFashionMnistRoot = "/usr/share/datasets/fashion-mnist";

/// The MNIST dataset, or any dataset in its files, such as Fashion-MNIST: in `root`,
/// train-images-idx3-ubyte and train-labels-idx1-ubyte (Mode::kTrain) or t10k-images-idx3-ubyte
/// and t10k-labels-idx1-ubyte (Mode::kTest), each possibly gzip'd with a ".gz" suffix. Images
/// are kFloat [count, 1, rows, columns] in [0, 1]; targets kLong [count] in 0..9. Throws a
/// tg::Error with one clear line for a missing folder or file (naming the Debian package that
/// installs Fashion-MNIST), a corrupt file, or images and labels that do not match.
class MNIST : public Dataset<MNIST> {
 public:
  enum class Mode { kTrain, kTest };

  explicit MNIST(const std::string& root, Mode mode = Mode::kTrain);

  /// The image (kFloat [1, rows, columns]) and label (kLong 0-d) at index.
  Example<> get(size_t index) override;
  std::optional<size_t> size() const override;
  bool is_train() const noexcept { return is_train_; }
  const Tensor& images() const { return images_; }
  const Tensor& targets() const { return targets_; }

 private:
  Tensor images_, targets_;
  bool is_train_;
};

/// Fashion-MNIST uses MNIST's file names and format.
using FashionMNIST = MNIST;

}  // namespace tg::data::datasets

namespace tg::data {
// libtorch has these in torch::data as well.
using datasets::BatchDataset;
using datasets::Dataset;
}  // namespace tg::data
