#pragma once
/// Samplers decide the order in which a data loader visits a dataset, as torch::data::samplers:
/// SequentialSampler, RandomSampler, StreamSampler (batch sizes for stream datasets) and the
/// distributed samplers that split a dataset among replicas. Each saves its position with
/// save(archive) and restores it with load(archive), so tg::save(sampler, stream) and
/// tg::load(sampler, stream) checkpoint it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "tensorgrad/serialize/archive.h"
#include "tensorgrad/tensor.h"

namespace tg::data::samplers {

/// The base of batch requests that are not a list of indices (a sampler's BatchRequestType):
/// a loader only asks them their size().
struct CustomBatchRequest {
  virtual ~CustomBatchRequest() = default;
  /// The number of examples requested.
  virtual size_t size() const = 0;
};

/// Yields batch requests (by default lists of indices) until an epoch is over.
template <class BatchRequest = std::vector<size_t>>
class Sampler {
 public:
  using BatchRequestType = BatchRequest;
  virtual ~Sampler() = default;
  /// Starts a new pass (epoch); a new size may be given.
  virtual void reset(std::optional<size_t> new_size) = 0;
  /// The next batch of at most batch_size indices, or nullopt when the pass is over.
  virtual std::optional<BatchRequest> next(size_t batch_size) = 0;
  /// Writes the sampler's state (its position in the pass) to `archive`.
  virtual void save(serialize::OutputArchive& archive) const = 0;
  /// Restores the state that save wrote.
  virtual void load(serialize::InputArchive& archive) = 0;
};

/// `archive << sampler` saves the sampler's state, as tg::save(sampler, ...) does.
template <class BatchRequest>
serialize::OutputArchive& operator<<(serialize::OutputArchive& archive,
                                     const Sampler<BatchRequest>& sampler) {
  sampler.save(archive);
  return archive;
}

/// `archive >> sampler` restores the sampler's state, as tg::load(sampler, ...) does.
template <class BatchRequest>
serialize::InputArchive& operator>>(serialize::InputArchive& archive,
                                    Sampler<BatchRequest>& sampler) {
  sampler.load(archive);
  return archive;
}

namespace detail {

/// The base of SequentialSampler and RandomSampler: the position in the current pass.
class PassSampler : public Sampler<> {
 public:
  /// How many indices this pass has yielded.
  size_t index() const noexcept { return index_; }

 protected:
  size_t index_ = 0;
};

}  // namespace detail

/// Visits 0, 1, ..., size - 1.
class SequentialSampler : public detail::PassSampler {
 public:
  explicit SequentialSampler(size_t size);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  /// Saves the position as "index".
  void save(serialize::OutputArchive& archive) const override;
  void load(serialize::InputArchive& archive) override;

 private:
  size_t size_;
};

/// Visits a random permutation of 0..size-1, a new one on each reset(), drawn from the global
/// generator (tg::manual_seed makes it reproducible), as libtorch's RandomSampler.
class RandomSampler : public detail::PassSampler {
 public:
  explicit RandomSampler(int64_t size, ScalarType index_dtype = kLong);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  /// Saves the permutation ("indices") and the position ("index"), so that a loaded sampler
  /// goes on with the same order.
  void save(serialize::OutputArchive& archive) const override;
  void load(serialize::InputArchive& archive) override;

 private:
  std::vector<size_t> indices_;
};

/// The batch request of a StreamSampler: how many examples to fetch. Converts to size_t, the
/// request type of a StreamDataset.
struct BatchSize : public CustomBatchRequest {
  explicit BatchSize(size_t size) : size_(size) {}
  size_t size() const noexcept override { return size_; }
  operator size_t() const noexcept { return size_; }  // NOLINT: implicit as in libtorch
  size_t size_;
};

/// For stream datasets, which choose their examples themselves: asks for batch_size examples
/// at a time until epoch_size examples were asked for in the epoch (the last batch may be
/// smaller).
class StreamSampler : public Sampler<BatchSize> {
 public:
  explicit StreamSampler(size_t epoch_size);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<BatchSize> next(size_t batch_size) override;
  /// Saves "examples_retrieved_so_far".
  void save(serialize::OutputArchive& archive) const override;
  void load(serialize::InputArchive& archive) override;

 private:
  size_t examples_retrieved_so_far_ = 0;
  size_t epoch_size_;
};

/// The base of samplers that give each of num_replicas processes (rank 0..num_replicas-1) its
/// share of a dataset: ceil(size / num_replicas) indices each, repeating the first indices to
/// fill the last shares when allow_duplicates, floor(size / num_replicas) each (leaving the
/// last indices out) otherwise.
template <class BatchRequest = std::vector<size_t>>
class DistributedSampler : public Sampler<BatchRequest> {
 public:
  DistributedSampler(size_t size, size_t num_replicas = 1, size_t rank = 0,
                     bool allow_duplicates = true)
      : size_(size), num_replicas_(num_replicas), rank_(rank), allow_duplicates_(allow_duplicates) {
    TG_CHECK(num_replicas > 0, "DistributedSampler: num_replicas must be at least 1 (got 0)");
    TG_CHECK(rank < num_replicas, "DistributedSampler: rank ", rank, " is out of range for ",
             num_replicas, " replicas; ranks go from 0 to num_replicas - 1");
  }

  /// Chooses the epoch, which seeds the shuffle of DistributedRandomSampler (every replica must
  /// use the same epoch); takes effect at the next reset().
  void set_epoch(size_t epoch) { epoch_ = epoch; }
  size_t epoch() const { return epoch_; }

 protected:
  /// The number of indices each replica visits per epoch.
  size_t local_sample_count() const {
    return allow_duplicates_ ? (size_ + num_replicas_ - 1) / num_replicas_ : size_ / num_replicas_;
  }

  size_t size_;
  size_t num_replicas_;
  size_t rank_;
  size_t epoch_ = 0;
  bool allow_duplicates_;
};

namespace detail {
/// What DistributedRandomSampler and DistributedSequentialSampler share: populate_indices() lays
/// out this replica's share for the current size (and epoch) as the positions [begin_index_,
/// end_index_) of an index list, which sample_index_ walks. Saves the position as "index".
class DistributedShareSampler : public DistributedSampler<> {
 public:
  /// `name` is the sampler's, for error messages.
  DistributedShareSampler(const char* name, size_t size, size_t num_replicas, size_t rank,
                          bool allow_duplicates)
      : DistributedSampler(size, num_replicas, rank, allow_duplicates), name_(name) {}
  /// Starts a pass over this replica's share; a new dataset size may be given.
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  void save(serialize::OutputArchive& archive) const override;
  /// Lays out the share (of the epoch already loaded) and moves to the saved position in it.
  void load(serialize::InputArchive& archive) override;
  /// How many indices this pass has yielded.
  size_t index() const noexcept { return sample_index_ - begin_index_; }

 protected:
  /// Lays out this replica's share and moves to its start.
  virtual void populate_indices() = 0;

  const char* name_;
  size_t begin_index_ = 0, end_index_ = 0, sample_index_ = 0;
};
}  // namespace detail

/// This replica's share of a permutation of the dataset that depends only on the epoch
/// (set_epoch), so the replicas' shares never overlap (beyond the duplicates that fill them).
class DistributedRandomSampler : public detail::DistributedShareSampler {
 public:
  DistributedRandomSampler(size_t size, size_t num_replicas = 1, size_t rank = 0,
                           bool allow_duplicates = true);
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  /// Saves "epoch" too, which chooses the permutation.
  void save(serialize::OutputArchive& archive) const override;
  void load(serialize::InputArchive& archive) override;

 private:
  void populate_indices() override;

  std::vector<size_t> all_indices_;
};

/// This replica's share of 0, 1, ..., size - 1: rank r visits the indices from
/// r * local_sample_count() on, in order (past size - 1 they start again at 0).
class DistributedSequentialSampler : public detail::DistributedShareSampler {
 public:
  DistributedSequentialSampler(size_t size, size_t num_replicas = 1, size_t rank = 0,
                               bool allow_duplicates = true);
  std::optional<std::vector<size_t>> next(size_t batch_size) override;

 private:
  void populate_indices() override;
};

}  // namespace tg::data::samplers
