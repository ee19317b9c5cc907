#pragma once
/// The iterator of the libtorch-style data loaders, as torch::data::Iterator: begin() gives a
/// valid iterator that fetches its first batch when first used, end() a sentinel. Copies of an
/// iterator share its position (it is an input iterator over batches made once).
#include <cstddef>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>

#include "tensorgrad/error.h"

namespace tg::data {
namespace detail {

template <class Batch>
struct ValidIterator;
template <class Batch>
struct SentinelIterator;

/// What an Iterator points to: a valid iterator or the sentinel.
template <class Batch>
struct IteratorImpl {
  virtual ~IteratorImpl() = default;
  virtual void next() = 0;
  virtual Batch& get() = 0;
  virtual bool operator==(const IteratorImpl& other) const = 0;
  virtual bool operator==(const ValidIterator<Batch>& other) const = 0;
  virtual bool operator==(const SentinelIterator<Batch>& other) const = 0;
};

/// Holds the current batch; fetches the first one lazily, so that begin() returns at once.
template <class Batch>
struct ValidIterator : public IteratorImpl<Batch> {
  using BatchProducer = std::function<std::optional<Batch>()>;

  explicit ValidIterator(BatchProducer next_batch) : next_batch_(std::move(next_batch)) {}

  void next() override {
    lazy_initialize();
    TG_CHECK(batch_.has_value(),
             "DataLoader: Attempted to increment iterator past the end; compare it with end() "
             "before incrementing");
    batch_ = next_batch_();
  }

  Batch& get() override {
    lazy_initialize();
    TG_CHECK(batch_.has_value(),
             "DataLoader: Attempted to dereference iterator that was past the end; compare it "
             "with end() before dereferencing");
    return *batch_;
  }

  bool operator==(const IteratorImpl<Batch>& other) const override { return other == *this; }
  /// Equal to the sentinel once there are no more batches.
  bool operator==(const SentinelIterator<Batch>& /*other*/) const override {
    lazy_initialize();
    return !batch_.has_value();
  }
  /// Valid iterators are equal only to themselves (and their copies).
  bool operator==(const ValidIterator<Batch>& other) const override { return &other == this; }

  void lazy_initialize() const {
    if (!initialized_) {
      batch_ = next_batch_();
      initialized_ = true;
    }
  }

  BatchProducer next_batch_;
  mutable std::optional<Batch> batch_;
  mutable bool initialized_ = false;
};

/// The past-the-end iterator: equal to every sentinel and to exhausted valid iterators.
template <class Batch>
struct SentinelIterator : public IteratorImpl<Batch> {
  void next() override {
    throw Error(
        "DataLoader: Incrementing the DataLoader's past-the-end iterator is not allowed; "
        "iterate from begin()");
  }
  Batch& get() override {
    throw Error(
        "DataLoader: Dereferencing the DataLoader's past-the-end iterator is not allowed; "
        "dereference an iterator from begin() that is not at the end");
  }
  bool operator==(const IteratorImpl<Batch>& other) const override { return other == *this; }
  bool operator==(const ValidIterator<Batch>& other) const override { return other == *this; }
  bool operator==(const SentinelIterator<Batch>& /*other*/) const override { return true; }
};

}  // namespace detail

/// An input iterator over the batches of a data loader.
template <class Batch>
class Iterator {
 public:
  using difference_type = std::ptrdiff_t;
  using value_type = Batch;
  using pointer = Batch*;
  using reference = Batch&;
  using iterator_category = std::input_iterator_tag;

  explicit Iterator(std::unique_ptr<detail::IteratorImpl<Batch>> impl) : impl_(std::move(impl)) {}

  /// Fetches the next batch; throws past the end.
  Iterator& operator++() {
    impl_->next();
    return *this;
  }
  /// The current batch; throws past the end.
  Batch& operator*() { return impl_->get(); }
  Batch* operator->() { return &impl_->get(); }
  bool operator==(const Iterator& other) const { return *impl_ == *other.impl_; }
  bool operator!=(const Iterator& other) const { return !(*this == other); }

 private:
  std::shared_ptr<detail::IteratorImpl<Batch>> impl_;
};

}  // namespace tg::data
