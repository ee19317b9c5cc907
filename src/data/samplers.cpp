#include "tensorgrad/data/samplers.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "core/internal.h"
#include "data/next_batch.h"
#include "data/shuffle.h"
#include "tensorgrad/functions.h"

namespace tg::data::samplers {

namespace {

/// The one-element tensor `key` of `archive`, as a count; `who` names the sampler in errors.
size_t read_count(serialize::InputArchive& archive, const char* key, const char* who) {
  Tensor value;
  archive.read(key, value);
  TG_CHECK(value.numel() == 1 && value.dtype() == kLong, who, "::load: '", key,
           "' must be one kLong value (got ", value.numel(), " values of ", value.dtype(), ")");
  const int64_t count = value.item<int64_t>();
  TG_CHECK(count >= 0, who, "::load: '", key, "' is ", count, "; it must be >= 0");
  return static_cast<size_t>(count);
}

void write_count(serialize::OutputArchive& archive, const char* key, size_t count) {
  archive.write(key, tg::scalar_tensor(static_cast<int64_t>(count), kLong));
}

/// Indices [first, first + count) as a list.
std::vector<size_t> iota_list(size_t first, size_t count) {
  std::vector<size_t> list(count);
  std::iota(list.begin(), list.end(), first);
  return list;
}

}  // namespace

// ---- SequentialSampler ----

SequentialSampler::SequentialSampler(size_t size) : size_(size) {}

void SequentialSampler::reset(std::optional<size_t> new_size) {
  if (new_size) size_ = *new_size;
  index_ = 0;
}

std::optional<std::vector<size_t>> SequentialSampler::next(size_t batch_size) {
  const size_t end = std::min(size_, index_ + batch_size);
  if (end <= index_) return std::nullopt;
  std::vector<size_t> batch = iota_list(index_, end - index_);
  index_ = end;
  return batch;
}

void SequentialSampler::save(serialize::OutputArchive& archive) const {
  write_count(archive, "index", index_);
}

void SequentialSampler::load(serialize::InputArchive& archive) {
  index_ = read_count(archive, "index", "SequentialSampler");
}

// ---- RandomSampler ----

RandomSampler::RandomSampler(int64_t size, ScalarType index_dtype) {
  TG_CHECK(size >= 0, "RandomSampler: size must be >= 0 (got ", size, ")");
  TG_CHECK(index_dtype == kLong, "RandomSampler: index_dtype must be kLong (got ", index_dtype,
           ")");
  indices_.resize(static_cast<size_t>(size));
  reset();
}

void RandomSampler::reset(std::optional<size_t> new_size) {
  const size_t n = new_size.value_or(indices_.size());
  Tensor perm = tg::randperm(static_cast<int64_t>(n), kLong);
  const int64_t* p = perm.data_ptr<int64_t>();
  indices_.assign(p, p + n);
  index_ = 0;
}

std::optional<std::vector<size_t>> RandomSampler::next(size_t batch_size) {
  return tg::data::detail::next_batch(indices_, index_, indices_.size(), batch_size);
}

void RandomSampler::save(serialize::OutputArchive& archive) const {
  Tensor indices = tg::empty({static_cast<int64_t>(indices_.size())}, kLong);
  int64_t* out = indices.data_ptr<int64_t>();
  for (size_t i = 0; i < indices_.size(); ++i) out[i] = static_cast<int64_t>(indices_[i]);
  archive.write("indices", indices);
  write_count(archive, "index", index_);
}

void RandomSampler::load(serialize::InputArchive& archive) {
  Tensor indices;
  archive.read("indices", indices);
  TG_CHECK(indices.dim() == 1 && indices.dtype() == kLong,
           "RandomSampler::load: 'indices' must be a 1-d kLong tensor (got shape ",
           tg::detail::shape_str(indices.sizes()), " of ", indices.dtype(), ")");
  const size_t index = read_count(archive, "index", "RandomSampler");
  TG_CHECK(index <= static_cast<size_t>(indices.numel()), "RandomSampler::load: the position ",
           index, " lies past the ", indices.numel(), " saved indices");
  const int64_t* p = indices.contiguous().data_ptr<int64_t>();
  indices_.assign(p, p + indices.numel());
  index_ = index;
}

// ---- StreamSampler ----

StreamSampler::StreamSampler(size_t epoch_size) : epoch_size_(epoch_size) {}

void StreamSampler::reset(std::optional<size_t> new_size) {
  if (new_size) epoch_size_ = *new_size;
  examples_retrieved_so_far_ = 0;
}

std::optional<BatchSize> StreamSampler::next(size_t batch_size) {
  if (examples_retrieved_so_far_ >= epoch_size_) return std::nullopt;
  const size_t size = std::min(batch_size, epoch_size_ - examples_retrieved_so_far_);
  examples_retrieved_so_far_ += size;
  return BatchSize(size);
}

void StreamSampler::save(serialize::OutputArchive& archive) const {
  write_count(archive, "examples_retrieved_so_far", examples_retrieved_so_far_);
}

void StreamSampler::load(serialize::InputArchive& archive) {
  examples_retrieved_so_far_ = read_count(archive, "examples_retrieved_so_far", "StreamSampler");
}

// ---- DistributedShareSampler ----

void detail::DistributedShareSampler::reset(std::optional<size_t> new_size) {
  if (new_size) size_ = *new_size;
  populate_indices();
}

void detail::DistributedShareSampler::save(serialize::OutputArchive& archive) const {
  write_count(archive, "index", index());
}

void detail::DistributedShareSampler::load(serialize::InputArchive& archive) {
  const size_t index = read_count(archive, "index", name_);
  populate_indices();
  TG_CHECK(index <= end_index_ - begin_index_, name_, "::load: the position ", index,
           " lies past this replica's ", end_index_ - begin_index_, " indices");
  sample_index_ = begin_index_ + index;
}

// ---- DistributedRandomSampler ----

DistributedRandomSampler::DistributedRandomSampler(size_t size, size_t num_replicas, size_t rank,
                                                   bool allow_duplicates)
    : DistributedShareSampler("DistributedRandomSampler", size, num_replicas, rank,
                              allow_duplicates) {
  populate_indices();
}

void DistributedRandomSampler::populate_indices() {
  const size_t local = local_sample_count();
  // All replicas' indices: 0..size-1, cut to num_replicas * local, or filled up to it with
  // 0, 1, ... again; then shuffled with the epoch as the seed, the same on every replica.
  all_indices_.resize(local * num_replicas_);
  for (size_t i = 0; i < all_indices_.size(); ++i) all_indices_[i] = size_ == 0 ? 0 : i % size_;
  tg::data::detail::seeded_shuffle(all_indices_, {epoch_});
  begin_index_ = rank_ * local;
  end_index_ = begin_index_ + local;
  sample_index_ = begin_index_;
}

std::optional<std::vector<size_t>> DistributedRandomSampler::next(size_t batch_size) {
  return tg::data::detail::next_batch(all_indices_, sample_index_, end_index_, batch_size);
}

void DistributedRandomSampler::save(serialize::OutputArchive& archive) const {
  write_count(archive, "epoch", epoch_);
  DistributedShareSampler::save(archive);
}

void DistributedRandomSampler::load(serialize::InputArchive& archive) {
  epoch_ = read_count(archive, "epoch", name_);
  DistributedShareSampler::load(archive);  // the permutation of the loaded epoch
}

// ---- DistributedSequentialSampler ----

DistributedSequentialSampler::DistributedSequentialSampler(size_t size, size_t num_replicas,
                                                           size_t rank, bool allow_duplicates)
    : DistributedShareSampler("DistributedSequentialSampler", size, num_replicas, rank,
                              allow_duplicates) {
  populate_indices();
}

void DistributedSequentialSampler::populate_indices() {
  begin_index_ = rank_ * local_sample_count();
  end_index_ = begin_index_ + local_sample_count();
  sample_index_ = begin_index_;
}

std::optional<std::vector<size_t>> DistributedSequentialSampler::next(size_t batch_size) {
  const size_t end = std::min(end_index_, sample_index_ + batch_size);
  if (end <= sample_index_) return std::nullopt;
  std::vector<size_t> batch = iota_list(sample_index_, end - sample_index_);
  for (size_t& i : batch) i %= size_;  // the duplicates that fill the last share
  sample_index_ = end;
  return batch;
}

}  // namespace tg::data::samplers
