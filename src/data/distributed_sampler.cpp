#include "tensorgrad/data/distributed_sampler.h"

#include <algorithm>
#include <numeric>

#include "data/next_batch.h"
#include "data/shuffle.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/serialize.h"

namespace tg::data {

DistributedSampler::DistributedSampler(size_t dataset_size, size_t num_replicas, size_t rank,
                                       bool shuffle, uint64_t seed, bool drop_last)
    : num_replicas_(num_replicas),
      rank_(rank),
      shuffle_(shuffle),
      seed_(seed),
      drop_last_(drop_last) {
  TG_CHECK(num_replicas > 0, "DistributedSampler: num_replicas must be at least 1 (got 0)");
  TG_CHECK(rank < num_replicas, "DistributedSampler: Invalid rank ", rank,
           ", rank should be in the interval [0, ", num_replicas - 1, "]");
  set_size(dataset_size);
  reset();
}

void DistributedSampler::set_size(size_t dataset_size) {
  dataset_size_ = dataset_size;
  // drop_last with a remainder: the largest share every rank can fill; otherwise round up.
  if (drop_last_ && dataset_size % num_replicas_ != 0)
    num_samples_ = dataset_size / num_replicas_;
  else
    num_samples_ = (dataset_size + num_replicas_ - 1) / num_replicas_;
}

std::vector<size_t> DistributedSampler::indices() const {
  std::vector<size_t> all(dataset_size_);
  std::iota(all.begin(), all.end(), size_t{0});
  if (shuffle_) detail::seeded_shuffle(all, {seed_, static_cast<uint64_t>(epoch_)});
  const size_t total = total_size();
  if (all.size() > total) {
    all.resize(total);
  } else if (!all.empty()) {
    // Pad by repeating the list from its start, as many times as needed.
    for (size_t i = 0; all.size() < total; ++i) all.push_back(all[i]);
  }
  std::vector<size_t> mine;
  for (size_t i = rank_; i < all.size(); i += num_replicas_) mine.push_back(all[i]);
  return mine;
}

void DistributedSampler::reset(std::optional<size_t> new_size) {
  if (new_size) set_size(*new_size);
  current_ = indices();
  position_ = 0;
}

std::optional<std::vector<size_t>> DistributedSampler::next(size_t batch_size) {
  return detail::next_batch(current_, position_, current_.size(), batch_size);
}

void DistributedSampler::save(serialize::OutputArchive& archive) const {
  archive.write("epoch", scalar_tensor(static_cast<int64_t>(epoch_), kLong));
  archive.write("index", scalar_tensor(static_cast<int64_t>(position_), kLong));
}

void DistributedSampler::load(serialize::InputArchive& archive) {
  auto read = [&](const char* key) {
    Tensor value;
    archive.read(key, value);
    TG_CHECK(value.numel() == 1 && value.dtype() == kLong, "DistributedSampler::load: '", key,
             "' must be one kLong value (got ", value.numel(), " values of ", value.dtype(), ")");
    const int64_t count = value.item<int64_t>();
    TG_CHECK(count >= 0, "DistributedSampler::load: '", key, "' is ", count, "; it must be >= 0");
    return static_cast<size_t>(count);
  };
  epoch_ = read("epoch");
  const size_t index = read("index");
  current_ = indices();
  TG_CHECK(index <= current_.size(), "DistributedSampler::load: the position ", index,
           " lies past this rank's ", current_.size(), " indices");
  position_ = index;
}

}  // namespace tg::data
