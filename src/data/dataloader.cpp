#include "tensorgrad/data/dataloader.h"

#include <cstring>

#include "core/internal.h"
#include "data/shuffle.h"
#include "kernels/loop.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"

namespace tg::data {

/// One epoch's plan: the order of the examples (empty for the natural order) and the batches.
struct DataLoader::Iterator::Epoch {
  std::vector<int64_t> order;
  size_t num_batches = 0;
  uint64_t id = 0;
};

namespace {

std::vector<int64_t> shuffled(int64_t n, const std::optional<uint64_t>& seed, uint64_t epoch) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  if (!seed) {
    Tensor perm = tg::randperm(n, kLong);
    std::memcpy(order.data(), perm.data_ptr<int64_t>(), order.size() * sizeof(int64_t));
    return order;
  }
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  tg::data::detail::seeded_shuffle(order, {*seed, epoch});
  return order;
}

/// Rows [first, first + count) of src, or the rows listed in order[first...], as a new
/// contiguous tensor.
Tensor gather_rows(const Tensor& src, const std::vector<int64_t>& order, int64_t first,
                   int64_t count) {
  DimVector sizes(src.sizes());
  sizes[0] = count;
  Tensor out = tg::empty(sizes, src.dtype());
  const size_t row_bytes = src.size(0) == 0 ? 0 : src.nbytes() / static_cast<size_t>(src.size(0));
  if (row_bytes == 0) return out;  // rows without elements: nothing to copy
  const char* in = static_cast<const char*>(src.data_ptr());
  char* dst = static_cast<char*>(out.data_ptr());
  if (order.empty()) {
    std::memcpy(dst, in + static_cast<size_t>(first) * row_bytes,
                static_cast<size_t>(count) * row_bytes);
    return out;
  }
  for (int64_t i = 0; i < count; ++i)
    std::memcpy(dst + static_cast<size_t>(i) * row_bytes,
                in + static_cast<size_t>(order[static_cast<size_t>(first + i)]) * row_bytes,
                row_bytes);
  return out;
}

}  // namespace

DataLoader::DataLoader(Tensor data, Tensor target, DataLoaderOptions options)
    : options_(std::move(options)) {
  TG_CHECK(data.defined() && target.defined(),
           "DataLoader: data and target must be defined tensors");
  TG_CHECK(data.dim() >= 1 && target.dim() >= 1, "DataLoader: data of shape ",
           tg::detail::shape_str(data.sizes()), " and target of shape ",
           tg::detail::shape_str(target.sizes()),
           " must have at least one dimension, the one that indexes the examples");
  TG_CHECK(data.size(0) == target.size(0), "DataLoader: data holds ", data.size(0),
           " examples (shape ", tg::detail::shape_str(data.sizes()), ") but target holds ",
           target.size(0), " (shape ", tg::detail::shape_str(target.sizes()),
           "); their first dimensions must be equal");
  TG_CHECK(options_.batch_size() > 0, "DataLoader: batch_size must be at least 1 (got 0)");
  data_ = tg::detail::contiguous_data(data.detach());
  target_ = tg::detail::contiguous_data(target.detach());
  count_ = data.size(0);
}

size_t DataLoader::size() const noexcept {
  const size_t n = static_cast<size_t>(count_), b = options_.batch_size();
  return options_.drop_last() ? n / b : (n + b - 1) / b;
}

DataLoader::Iterator DataLoader::begin() {
  auto epoch = std::make_shared<Iterator::Epoch>();
  epoch->id = epoch_++;
  epoch->num_batches = size();
  if (options_.shuffle()) epoch->order = shuffled(count_, options_.seed(), epoch->id);
  if (epoch->num_batches == 0) return end();
  return Iterator(this, std::move(epoch));
}

DataLoader::Iterator::Iterator(const DataLoader* loader, std::shared_ptr<const Epoch> epoch)
    : loader_(loader), epoch_(std::move(epoch)) {
  load();
}

void DataLoader::Iterator::load() {
  const auto b = static_cast<int64_t>(loader_->options_.batch_size());
  const int64_t first = static_cast<int64_t>(batch_index_) * b;
  const int64_t count = std::min(b, loader_->count_ - first);
  NoGradGuard no_grad;
  batch_ = Example<>(gather_rows(loader_->data_, epoch_->order, first, count),
                     gather_rows(loader_->target_, epoch_->order, first, count));
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  TG_CHECK(epoch_ != nullptr, "DataLoader: incremented an iterator past the end");
  if (++batch_index_ >= epoch_->num_batches) {
    *this = Iterator();
    return *this;
  }
  load();
  return *this;
}

bool DataLoader::Iterator::operator==(const Iterator& other) const {
  if (epoch_ == nullptr || other.epoch_ == nullptr) return epoch_ == other.epoch_;
  return epoch_ == other.epoch_ && batch_index_ == other.batch_index_;
}

}  // namespace tg::data
