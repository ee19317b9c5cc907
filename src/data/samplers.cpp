#include "tensorgrad/data/samplers.h"

#include <algorithm>
#include <numeric>

#include "tensorgrad/functions.h"

namespace tg::data::samplers {

SequentialSampler::SequentialSampler(size_t size) : size_(size) {}

void SequentialSampler::reset(std::optional<size_t> new_size) {
  if (new_size) size_ = *new_size;
  index_ = 0;
}

std::optional<std::vector<size_t>> SequentialSampler::next(size_t batch_size) {
  const size_t end = std::min(size_, index_ + batch_size);
  if (end <= index_) return std::nullopt;
  std::vector<size_t> batch(end - index_);
  std::iota(batch.begin(), batch.end(), index_);
  index_ = end;
  return batch;
}

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
  const size_t end = std::min(indices_.size(), index_ + batch_size);
  if (end <= index_) return std::nullopt;
  std::vector<size_t> batch(indices_.begin() + static_cast<std::ptrdiff_t>(index_),
                            indices_.begin() + static_cast<std::ptrdiff_t>(end));
  index_ = end;
  return batch;
}

}  // namespace tg::data::samplers
