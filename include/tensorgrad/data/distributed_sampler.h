#pragma once
/// tg::data::DistributedSampler: PyTorch's torch.utils.data.DistributedSampler, for splitting a
/// dataset between the ranks of a data-parallel job.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "tensorgrad/data/samplers.h"

namespace tg::data {

/// Gives rank `rank` of `num_replicas` its share of a dataset of `dataset_size` examples, as
/// PyTorch's DistributedSampler: every rank gets num_samples() indices; without drop_last the
/// list is padded by repeating its first indices up to num_samples() * num_replicas, with
/// drop_last its tail is cut to that; rank r takes the indices r, r + num_replicas, r + 2 *
/// num_replicas... With shuffle, the list is first a permutation of 0..dataset_size-1 that depends
/// only on (seed, epoch): every rank must use the same seed and call set_epoch(epoch) before each
/// epoch. The permutation is tensorgrad's own (a Fisher-Yates shuffle seeded with seed and
/// epoch), not the one PyTorch's generator draws. As a Sampler, next(batch_size) yields this
/// epoch's share in batches; reset() starts it again with the current epoch.
class DistributedSampler : public samplers::Sampler<std::vector<size_t>> {
 public:
  DistributedSampler(size_t dataset_size, size_t num_replicas, size_t rank, bool shuffle = true,
                     uint64_t seed = 0, bool drop_last = false);

  /// Chooses the epoch, which seeds the shuffle; takes effect at the next reset().
  void set_epoch(size_t epoch) { epoch_ = epoch; }
  size_t epoch() const { return epoch_; }
  /// The number of indices each rank gets per epoch (PyTorch's len(sampler)).
  size_t num_samples() const { return num_samples_; }
  /// num_samples() * num_replicas.
  size_t total_size() const { return num_samples_ * num_replicas_; }
  /// This rank's indices for the current epoch (PyTorch's list(iter(sampler))).
  std::vector<size_t> indices() const;

  /// Starts the current epoch's share again; a new dataset size may be given.
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  /// Saves "epoch" and the position in this rank's share ("index").
  void save(serialize::OutputArchive& archive) const override;
  void load(serialize::InputArchive& archive) override;

 private:
  void set_size(size_t dataset_size);

  size_t dataset_size_ = 0;
  size_t num_replicas_;
  size_t rank_;
  bool shuffle_;
  uint64_t seed_;
  bool drop_last_;
  size_t epoch_ = 0;
  size_t num_samples_ = 0;
  std::vector<size_t> current_;  // this epoch's share
  size_t position_ = 0;
};

}  // namespace tg::data
