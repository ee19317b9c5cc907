#pragma once
/// Datasets, as torch::data::datasets: the Dataset and BatchDataset bases, MapDataset (what
/// dataset.map(transform) returns), TensorDataset, and MNIST, which reads the MNIST and
/// Fashion-MNIST files.
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/data/example.h"
#include "tensorgrad/tensor.h"

namespace tg::data::datasets {

template <class SourceDataset, class AppliedTransform>
class MapDataset;
template <class DatasetType, class TransformType>
MapDataset<DatasetType, TransformType> map(DatasetType dataset, TransformType transform);

/// A dataset that returns whole batches for a request (by default a list of indices).
template <class Self, class Batch = std::vector<Example<>>, class BatchRequest = ArrayRef<size_t>>
class BatchDataset {
 public:
  using SelfType = Self;
  using BatchType = Batch;
  using BatchRequestType = BatchRequest;
  /// Stateful (chunked, streaming) datasets are not supported.
  static constexpr bool is_stateful = false;

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

/// A dataset whose batches are those of another dataset passed through a transform.
template <class SourceDataset, class AppliedTransform>
class MapDataset : public BatchDataset<MapDataset<SourceDataset, AppliedTransform>,
                                       typename AppliedTransform::OutputBatchType,
                                       typename SourceDataset::BatchRequestType> {
 public:
  using DatasetType = SourceDataset;
  using TransformType = AppliedTransform;
  using BatchRequestType = typename SourceDataset::BatchRequestType;
  using OutputBatchType = typename AppliedTransform::OutputBatchType;

  MapDataset(DatasetType dataset, TransformType transform)
      : dataset_(std::move(dataset)), transform_(std::move(transform)) {}

  OutputBatchType get_batch(BatchRequestType indices) override {
    return transform_.apply_batch(dataset_.get_batch(std::move(indices)));
  }
  std::optional<size_t> size() const noexcept override { return dataset_.size(); }
  const SourceDataset& dataset() noexcept { return dataset_; }
  const AppliedTransform& transform() noexcept { return transform_; }

 private:
  SourceDataset dataset_;
  AppliedTransform transform_;
};

template <class DatasetType, class TransformType>
MapDataset<DatasetType, TransformType> map(DatasetType dataset, TransformType transform) {
  static_assert(
      std::is_same_v<typename DatasetType::BatchType, typename TransformType::InputBatchType>,
      "BatchType type of dataset does not match input type of transform");
  return {std::move(dataset), std::move(transform)};
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
