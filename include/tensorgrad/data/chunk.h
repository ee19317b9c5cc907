#pragma once
/// Chunk datasets, as torch::data::datasets::ChunkDataset: data too large to hold at once, kept
/// in chunks (files, shards) that a ChunkDataReader reads whole. Preloader threads read chunks
/// in the order of a chunk sampler, shuffle the examples of each (and of
/// cross_chunk_shuffle_count chunks together) with an example sampler, and cut them into
/// batches in a cache of cache_size examples; get_batch takes batches from the cache, so reading
/// overlaps training.
///
///   auto dataset = datasets::make_shared_dataset<datasets::ChunkDataset<MyReader>>(
///       MyReader(...), samplers::RandomSampler(0), samplers::RandomSampler(0),
///       datasets::ChunkDatasetOptions(/*preloader_count=*/2, /*batch_size=*/64));
///   auto loader = make_data_loader(dataset, DataLoaderOptions(64));
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <thread>
#include <utility>
#include <vector>

#include "tensorgrad/data/datasets.h"
#include "tensorgrad/data/samplers.h"
#include "tensorgrad/data/worker_exception.h"
#include "tensorgrad/nn/arg.h"

namespace tg::data::datasets {

/// Reads the chunks of a chunk dataset: chunk_count() chunks, each a ChunkType (by default a
/// std::vector of examples). With several preloaders, read_chunk is called from several threads
/// at once.
template <class ExampleType_, class ChunkType_ = std::vector<ExampleType_>>
class ChunkDataReader {
 public:
  virtual ~ChunkDataReader() = default;
  using ChunkType = ChunkType_;
  using ExampleType = ExampleType_;

  /// The examples of chunk `chunk_index`.
  virtual ChunkType read_chunk(size_t chunk_index) = 0;
  /// The number of chunks.
  virtual size_t chunk_count() = 0;
  /// Called at the start of each epoch.
  virtual void reset() = 0;
};

namespace detail {

/// The cache between the preloaders, which add whole chunks, and get_batch, which takes one
/// batch at a time: a queue of batches (the last one possibly partial) holding at most about
/// queue_capacity examples. A preloader's exception travels through the queue to get_batch.
template <class UnwrappedBatch, class ExampleSampler = samplers::RandomSampler>
class BatchDataBuffer {
 public:
  using UnwrappedBatchType = UnwrappedBatch;
  using BatchType = std::optional<UnwrappedBatchType>;
  using BatchRequestType = typename ExampleSampler::BatchRequestType;

  BatchDataBuffer(size_t batch_size, ExampleSampler& example_sampler, size_t queue_capacity)
      : batch_size_(batch_size),
        example_sampler_(example_sampler),
        queue_capacity_(queue_capacity) {}

  /// The next full batch, or the last partial one once stop() was called; nullopt when the
  /// queue is empty and stopped. Throws WorkerException for a preloader's exception.
  BatchType get_batch() {
    std::unique_lock<std::mutex> lock(queue_mutex_);
    cv_read_.wait(lock, [this] { return total_example_count_in_queue_ >= batch_size_ || stop_; });
    if (batch_queue_.empty()) return std::nullopt;
    UnwrappedBatchData batch = std::move(batch_queue_.front());
    batch_queue_.pop();
    if (batch.exception) {
      total_example_count_in_queue_ -= batch_size_;
      lock.unlock();
      cv_write_.notify_all();
      throw WorkerException(batch.exception);
    }
    total_example_count_in_queue_ -= batch.batch_data.size();
    lock.unlock();
    cv_write_.notify_all();
    return std::move(batch.batch_data);
  }

  /// Adds the examples of a chunk, in the example sampler's order, topping up the last partial
  /// batch first; waits while the cache is full (returns at once after stop()).
  void add_chunk_data(UnwrappedBatchType data) {
    std::unique_lock<std::mutex> lock(queue_mutex_);
    cv_write_.wait(lock,
                   [this] { return total_example_count_in_queue_ < queue_capacity_ || stop_; });
    if (stop_) return;
    const size_t data_size = data.size();
    size_t remaining = data_size;
    example_sampler_.reset(data_size);
    const auto fill = [&](size_t count, UnwrappedBatchType& batch) {
      std::optional<BatchRequestType> indices = example_sampler_.next(count);
      TG_CHECK(indices.has_value() && indices->size() == count, "ChunkDataset: the example ",
               "sampler gave ", indices ? indices->size() : 0, " indices where ", count,
               " were asked for after reset(", data_size, "); it must yield every example of ",
               "the chunk once");
      for (const size_t i : *indices)
        TG_CHECK(i < data_size, "ChunkDataset: the example sampler gave the index ", i,
                 ", out of range for a chunk of ", data_size, " examples");
      for (const size_t i : *indices) batch.emplace_back(std::move(data[i]));
      remaining -= count;
      total_example_count_in_queue_ += count;
    };
    if (!batch_queue_.empty() && !batch_queue_.back().exception &&
        batch_queue_.back().batch_data.size() < batch_size_) {
      UnwrappedBatchType& last = batch_queue_.back().batch_data;
      fill(std::min(remaining, batch_size_ - last.size()), last);
    }
    while (remaining > 0) {
      UnwrappedBatchType batch;
      batch.reserve(batch_size_);
      fill(std::min(remaining, batch_size_), batch);
      batch_queue_.emplace(std::move(batch));
    }
    lock.unlock();
    cv_read_.notify_all();
  }

  /// Queues a preloader's exception for get_batch to throw.
  void add_chunk_data(std::exception_ptr exception) {
    std::unique_lock<std::mutex> lock(queue_mutex_);
    cv_write_.wait(lock,
                   [this] { return total_example_count_in_queue_ < queue_capacity_ || stop_; });
    if (stop_) return;
    batch_queue_.emplace(std::move(exception));
    // It counts as a full batch, so that get_batch wakes for it.
    total_example_count_in_queue_ += batch_size_;
    lock.unlock();
    cv_read_.notify_all();
  }

  /// Wakes every waiting thread; adding stops, and get_batch hands out what is left.
  void stop() {
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      stop_ = true;
    }
    cv_write_.notify_all();
    cv_read_.notify_all();
  }

 private:
  struct UnwrappedBatchData {
    explicit UnwrappedBatchData(UnwrappedBatchType data) : batch_data(std::move(data)) {}
    explicit UnwrappedBatchData(std::exception_ptr e) : exception(std::move(e)) {}
    UnwrappedBatchType batch_data;
    std::exception_ptr exception;
  };

  size_t batch_size_;
  size_t total_example_count_in_queue_ = 0;
  std::queue<UnwrappedBatchData> batch_queue_;
  std::mutex queue_mutex_;
  std::condition_variable cv_read_, cv_write_;
  ExampleSampler& example_sampler_;
  size_t queue_capacity_;
  bool stop_ = false;
};

}  // namespace detail

/// The options of a ChunkDataset.
struct ChunkDatasetOptions {
  ChunkDatasetOptions() = delete;
  /// Throws when a count is 0 or the cache cannot hold one batch.
  ChunkDatasetOptions(size_t preloader_count, size_t batch_size, size_t cache_size = 2048,
                      size_t cross_chunk_shuffle_count = 1)
      : preloader_count_(preloader_count),
        batch_size_(batch_size),
        cache_size_(cache_size),
        cross_chunk_shuffle_count_(cross_chunk_shuffle_count) {
    TG_CHECK(preloader_count > 0, "ChunkDatasetOptions: Preloader count is 0. At least one ",
             "preloader needs to be specified.");
    TG_CHECK(batch_size > 0, "ChunkDatasetOptions: Batch size is 0. A positive batch size ",
             "needs to be specified.");
    TG_CHECK(cache_size > 0, "ChunkDatasetOptions: Cache size is 0. A positive cache size ",
             "needs to be specified.");
    TG_CHECK(cache_size >= batch_size, "ChunkDatasetOptions: Cache size is less than batch size. ",
             "Cache needs to be large enough to hold at least one batch. (cache_size ", cache_size,
             ", batch_size ", batch_size, ")");
    TG_CHECK(cross_chunk_shuffle_count > 0,
             "ChunkDatasetOptions: cross_chunk_shuffle_count needs to be greater than 0.");
  }

  /// The number of threads that read chunks.
  TG_ARG(size_t, preloader_count);
  /// The size of the batches get_batch returns (the loader must ask for this size).
  TG_ARG(size_t, batch_size);
  /// How many examples the cache holds, at most about (a chunk that arrives is added whole).
  TG_ARG(size_t, cache_size) = 2048;
  /// How many chunks are read together and shuffled as one.
  TG_ARG(size_t, cross_chunk_shuffle_count) = 1;
};

/// A stateful dataset over the chunks of a ChunkReader (see the top of this file). Each reset()
/// (a loader calls it at the start of every epoch) restarts the preloaders; get_batch returns
/// nullopt when every chunk was read and the cache is empty. `preprocessing_policy`, when
/// given, is applied to the examples of each read (one or cross_chunk_shuffle_count chunks)
/// before they are batched. save/load checkpoint the chunk sampler; after load, the next epoch
/// goes on from the loaded position.
template <class ChunkReader, class ChunkSampler = samplers::RandomSampler,
          class ExampleSampler = samplers::RandomSampler>
class ChunkDataset final
    : public StatefulDataset<ChunkDataset<ChunkReader, ChunkSampler, ExampleSampler>,
                             typename ChunkReader::ChunkType, size_t> {
 public:
  using UnwrappedBatchType = typename ChunkReader::ChunkType;
  using BatchType = std::optional<UnwrappedBatchType>;
  using BatchRequestType = size_t;
  using ChunkSamplerType = ChunkSampler;
  using ExampleSamplerType = ExampleSampler;

  ChunkDataset(ChunkReader chunk_reader, ChunkSampler chunk_sampler, ExampleSampler example_sampler,
               ChunkDatasetOptions options,
               std::function<void(UnwrappedBatchType&)> preprocessing_policy = {})
      : chunk_reader_(std::move(chunk_reader)),
        chunk_sampler_(std::move(chunk_sampler)),
        example_sampler_(std::move(example_sampler)),
        options_(std::move(options)),
        preprocessing_policy_(std::move(preprocessing_policy)) {}

  ChunkDataset(const ChunkDataset&) = delete;
  ChunkDataset& operator=(const ChunkDataset&) = delete;

  ~ChunkDataset() override { stop_preloaders(); }

  /// The next batch of options().batch_size() examples (the last may be smaller); nullopt
  /// at the end of the epoch.
  BatchType get_batch(size_t batch_size) override {
    TG_CHECK(batch_buffer_ != nullptr,
             "ChunkDataset::get_batch: Dataset needs to call reset() before calling get_batch() "
             "(a data loader does at the start of each epoch)");
    TG_CHECK(batch_size == options_.batch_size(),
             "ChunkDataset::get_batch: The requested batch size does not match with the "
             "initialized batch size.\n The requested batch size is ",
             batch_size, ", while the dataset is created with batch size equal to ",
             options_.batch_size(), "; give the loader the batch size of ChunkDatasetOptions");
    return batch_buffer_->get_batch();
  }
  /// get_batch(options().batch_size()).
  BatchType get_batch() { return get_batch(options_.batch_size()); }

  /// Starts an epoch: stops the preloaders of the last one, resets the reader and (unless a
  /// checkpoint was just loaded) the chunk sampler, and starts preloader_count preloaders.
  void reset() override {
    stop_preloaders();
    chunk_reader_.reset();
    {
      std::lock_guard<std::mutex> lock(chunk_index_guard_);
      if (!load_checkpoint_) chunk_sampler_.reset(chunk_reader_.chunk_count());
      load_checkpoint_ = false;
    }
    batch_buffer_ = std::make_shared<detail::BatchDataBuffer<UnwrappedBatchType, ExampleSampler>>(
        options_.batch_size(), example_sampler_, options_.cache_size());
    quit_worker_ = false;
    running_preloaders_ = options_.preloader_count();
    for (size_t i = 0; i < options_.preloader_count(); ++i)
      preload_threads_.emplace_back([this] { preloader(); });
  }

  /// Unknown: chunks are counted, not examples.
  std::optional<size_t> size() const override { return std::nullopt; }

  /// The sampler of the chunk order (the preloaders use it concurrently while an epoch runs).
  ChunkSamplerType& chunk_sampler() { return chunk_sampler_; }
  const ChunkDatasetOptions& options() const noexcept { return options_; }

  /// Saves the chunk sampler's state.
  void save(serialize::OutputArchive& archive) const override {
    std::lock_guard<std::mutex> lock(chunk_index_guard_);
    chunk_sampler_.save(archive);
  }
  /// Loads the chunk sampler's state; the next reset() keeps it.
  void load(serialize::InputArchive& archive) override {
    std::lock_guard<std::mutex> lock(chunk_index_guard_);
    chunk_sampler_.load(archive);
    load_checkpoint_ = true;
  }

 private:
  /// Reads chunks until the chunk sampler runs out or the dataset stops; the last preloader to
  /// finish stops the buffer, which ends the epoch once it is empty.
  void preloader() {
    while (!quit_worker_.load()) {
      try {
        std::vector<size_t> chunks;
        {
          std::lock_guard<std::mutex> lock(chunk_index_guard_);
          auto next = chunk_sampler_.next(options_.cross_chunk_shuffle_count());
          if (!next) break;
          chunks.assign(next->begin(), next->end());
        }
        if (chunks.empty()) break;
        UnwrappedBatchType data = chunk_reader_.read_chunk(chunks[0]);
        for (size_t i = 1; i < chunks.size(); ++i) {
          UnwrappedBatchType more = chunk_reader_.read_chunk(chunks[i]);
          std::move(more.begin(), more.end(), std::back_inserter(data));
        }
        if (preprocessing_policy_) preprocessing_policy_(data);
        if (!data.empty()) batch_buffer_->add_chunk_data(std::move(data));
      } catch (...) {
        batch_buffer_->add_chunk_data(std::current_exception());
      }
    }
    if (--running_preloaders_ == 0) batch_buffer_->stop();
  }

  void stop_preloaders() {
    quit_worker_ = true;
    if (batch_buffer_) batch_buffer_->stop();
    for (std::thread& thread : preload_threads_) thread.join();
    preload_threads_.clear();
  }

  ChunkReader chunk_reader_;
  ChunkSamplerType chunk_sampler_;
  ExampleSamplerType example_sampler_;
  std::shared_ptr<detail::BatchDataBuffer<UnwrappedBatchType, ExampleSampler>> batch_buffer_;
  std::vector<std::thread> preload_threads_;
  const ChunkDatasetOptions options_;
  std::function<void(UnwrappedBatchType&)> preprocessing_policy_;
  std::atomic<bool> quit_worker_{false};
  std::atomic<size_t> running_preloaders_{0};
  mutable std::mutex chunk_index_guard_;
  bool load_checkpoint_ = false;
};

}  // namespace tg::data::datasets
