#pragma once
/// Samplers decide the order in which a data loader visits a dataset, as torch::data::samplers.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "tensorgrad/tensor.h"

namespace tg::data::samplers {

template <class BatchRequest = std::vector<size_t>>
class Sampler {
 public:
  using BatchRequestType = BatchRequest;
  virtual ~Sampler() = default;
  /// Starts a new pass (epoch); a new size may be given.
  virtual void reset(std::optional<size_t> new_size) = 0;
  /// The next batch of at most batch_size indices, or nullopt when the pass is over.
  virtual std::optional<BatchRequest> next(size_t batch_size) = 0;
};

/// Visits 0, 1, ..., size - 1.
class SequentialSampler : public Sampler<> {
 public:
  explicit SequentialSampler(size_t size);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  size_t index() const noexcept { return index_; }

 private:
  size_t size_;
  size_t index_ = 0;
};

/// Visits a random permutation of 0..size-1, a new one on each reset(), drawn from the global
/// generator (tg::manual_seed makes it reproducible), as libtorch's RandomSampler.
class RandomSampler : public Sampler<> {
 public:
  explicit RandomSampler(int64_t size, ScalarType index_dtype = kLong);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  size_t index() const noexcept { return index_; }

 private:
  std::vector<size_t> indices_;
  size_t index_ = 0;
};

}  // namespace tg::data::samplers
