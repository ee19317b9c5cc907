#pragma once
/// Data loaders: tg::data::DataLoader, a simple and fast loader over a pair of tensors (or a
/// dataset with images() and targets(), such as MNIST) with batching, shuffling, drop_last and a
/// seed; and torch::data::make_data_loader, the libtorch-style loaders over any dataset and
/// sampler (dataset.map(Normalize).map(Stack<>) and so on), with worker threads.
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensorgrad/data/detail.h"
#include "tensorgrad/data/example.h"
#include "tensorgrad/data/iterator.h"
#include "tensorgrad/data/samplers.h"
#include "tensorgrad/data/worker_exception.h"
#include "tensorgrad/nn/arg.h"
#include "tensorgrad/tensor.h"

namespace tg::data {

/// Options of both loaders. batch_size, workers, max_jobs, timeout, enforce_ordering and
/// drop_last are libtorch's (DataLoader accepts and ignores workers, max_jobs, timeout and
/// enforce_ordering: it makes batches on the calling thread, which is fastest for in-memory
/// data); shuffle and seed are DataLoader's alone (make_data_loader takes the order from its
/// sampler, and refuses them).
struct DataLoaderOptions {
  DataLoaderOptions() = default;
  DataLoaderOptions(size_t batch_size) : batch_size_(batch_size) {}  // NOLINT: as libtorch

  /// Examples per batch (at least 1).
  TG_ARG(size_t, batch_size) = 1;
  /// Threads that make batches (make_data_loader); 0 makes them on the calling thread.
  TG_ARG(size_t, workers) = 0;
  /// Batch requests in flight at most (make_data_loader with workers); 2 * workers by default.
  TG_ARG(std::optional<size_t>, max_jobs);
  /// How long to wait for a worker's batch before throwing (make_data_loader); no limit by
  /// default.
  TG_ARG(std::optional<std::chrono::milliseconds>, timeout);
  /// Hands out the workers' batches in the order of their requests (make_data_loader).
  TG_ARG(bool, enforce_ordering) = true;
  /// Leaves out the last batch of an epoch when it is smaller than batch_size.
  TG_ARG(bool, drop_last) = false;
  /// Visits the examples in a new random order each epoch.
  TG_ARG(bool, shuffle) = false;
  /// Seeds the order of shuffled epochs: epoch e of a loader with seed s is the same permutation
  /// on every run and machine. Without a seed, the order is drawn from the global generator
  /// (tg::manual_seed).
  TG_ARG(std::optional<uint64_t>, seed);
};

/// Batches of (data, target) from two tensors whose first dimension indexes the examples. Each
/// range-for over the loader is one epoch; each batch is a fresh Example<> whose data and target
/// are new contiguous tensors (rows gathered with memcpy, no per-example tensor ops).
///
///   tg::data::datasets::MNIST train(tg::data::datasets::kFashionMnistRoot);
///   tg::data::DataLoader loader(train, tg::data::DataLoaderOptions().batch_size(64)
///                                          .shuffle(true).seed(0));
///   for (auto& batch : loader) { ... batch.data ... batch.target ... }
class DataLoader {
 public:
  /// Throws when data and target are 0-d, their first dimensions differ or batch_size is 0.
  DataLoader(Tensor data, Tensor target, DataLoaderOptions options = DataLoaderOptions());
  /// From a dataset that holds its examples as tensors: images() and targets().
  template <class D>
  requires requires(const D& d) {
    { d.images() } -> std::convertible_to<Tensor>;
    { d.targets() } -> std::convertible_to<Tensor>;
  }
  explicit DataLoader(const D& dataset, DataLoaderOptions options = DataLoaderOptions())
      : DataLoader(dataset.images(), dataset.targets(), std::move(options)) {}

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Example<>;
    using difference_type = std::ptrdiff_t;
    using pointer = Example<>*;
    using reference = Example<>&;

    Iterator() = default;
    Example<>& operator*() { return batch_; }
    Example<>* operator->() { return &batch_; }
    Iterator& operator++();
    /// Iterators compare equal when both are at the end or at the same batch of the same epoch.
    bool operator==(const Iterator& other) const;

   private:
    friend class DataLoader;
    struct Epoch;
    Iterator(const DataLoader* loader, std::shared_ptr<const Epoch> epoch);
    void load();

    const DataLoader* loader_ = nullptr;
    std::shared_ptr<const Epoch> epoch_;
    size_t batch_index_ = 0;
    Example<> batch_;
  };

  /// Starts an epoch (a new order when shuffling).
  Iterator begin();
  Iterator end() const { return Iterator(); }

  /// Batches per epoch.
  size_t size() const noexcept;
  /// Examples in the dataset.
  size_t dataset_size() const noexcept { return static_cast<size_t>(count_); }
  /// Epochs started so far (calls of begin()).
  uint64_t epochs() const noexcept { return epoch_; }
  /// Makes the next begin() start epoch `epoch` (counted from 0). With a seed, that epoch's order
  /// depends only on (seed, epoch): a run resumed after `epoch` epochs sees the batches an
  /// uninterrupted one would.
  void set_epoch(uint64_t epoch) noexcept { epoch_ = epoch; }
  const DataLoaderOptions& options() const noexcept { return options_; }

 private:
  Tensor data_, target_;
  int64_t count_ = 0;
  DataLoaderOptions options_;
  uint64_t epoch_ = 0;
};

/// DataLoaderOptions with max_jobs filled in (2 * workers when not given), as the
/// libtorch-style loaders keep them: `loader->options().batch_size`.
struct FullDataLoaderOptions {
  explicit FullDataLoaderOptions(DataLoaderOptions options)
      : batch_size(options.batch_size()),
        workers(options.workers()),
        max_jobs(options.max_jobs().value_or(2 * options.workers())),
        timeout(options.timeout()),
        enforce_ordering(options.enforce_ordering()),
        drop_last(options.drop_last()) {}

  size_t batch_size;
  size_t workers;
  size_t max_jobs;
  std::optional<std::chrono::milliseconds> timeout;
  bool enforce_ordering;
  bool drop_last;
};

/// What the libtorch-style loaders share (as torch::data::DataLoaderBase): the iterator rules
/// and the workers. Each range-for over the loader is one epoch: begin() resets the sampler
/// or the stateful dataset and returns an iterator that fetches batches as it goes.
///
/// With workers = 0, batches are made on the calling thread when the iterator asks. With
/// workers > 0, that many threads make them: begin() queues up to max_jobs batch requests,
/// each worker takes one, calls the dataset's get_batch and returns the result, and every batch
/// handed out lets one more request in. With enforce_ordering the batches come in the order of
/// their requests; otherwise as they are ready. A worker's exception is rethrown on the reading
/// thread as a WorkerException; with a timeout, waiting longer for a batch throws "Timeout".
/// Only one epoch may run at a time: begin() throws while an iterator with work in flight is not
/// exhausted. The destructor (or join()) stops the workers.
template <class Dataset, class Batch, class BatchRequest>
class DataLoaderBase {
 public:
  using BatchType = Batch;
  using BatchRequestType = BatchRequest;

  /// `main_thread_dataset` is where batches are made without workers (and, for stateful
  /// datasets, the dataset the workers share).
  DataLoaderBase(DataLoaderOptions options, std::unique_ptr<Dataset> main_thread_dataset = nullptr)
      : options_(check_options(options)), main_thread_dataset_(std::move(main_thread_dataset)) {}

  virtual ~DataLoaderBase() { join(); }

  DataLoaderBase(const DataLoaderBase&) = delete;
  DataLoaderBase& operator=(const DataLoaderBase&) = delete;

  /// Starts an epoch. Throws "Attempted to get a new DataLoader iterator while another iterator
  /// is not yet exhausted" while batches of the last epoch are still being made.
  Iterator<Batch> begin() {
    TG_CHECK(shuttle_.in_flight_jobs() == 0,
             "DataLoader: Attempted to get a new DataLoader iterator while another iterator is "
             "not yet exhausted; run the last epoch to its end first");
    reset();
    return Iterator<Batch>(
        std::make_unique<detail::ValidIterator<Batch>>([this] { return this->next(); }));
  }

  /// The past-the-end iterator.
  Iterator<Batch> end() {
    return Iterator<Batch>(std::make_unique<detail::SentinelIterator<Batch>>());
  }

  /// Waits for the batches being made, then stops the workers. Called by the destructor.
  void join() {
    if (joined_) return;
    joined_ = true;
    shuttle_.drain();
    for (size_t w = 0; w < workers_.size(); ++w) push_job(QuitWorker());
    for (std::thread& worker : workers_) worker.join();
  }

  const FullDataLoaderOptions& options() const noexcept { return options_; }

 protected:
  struct Sequenced {
    Sequenced() = default;
    explicit Sequenced(size_t number) : sequence_number(number) {}
    size_t sequence_number = 0;
  };
  struct QuitWorker {};
  /// A batch request for a worker, or the order to stop.
  struct Job : Sequenced {
    Job() = default;
    Job(QuitWorker quit_worker, size_t number) : Sequenced(number), quit(quit_worker) {}
    Job(BatchRequest&& request, size_t number)
        : Sequenced(number), batch_request(std::move(request)) {}
    std::optional<QuitWorker> quit;
    std::optional<BatchRequest> batch_request;
  };
  /// A worker's batch (nullopt when a stateful dataset ran out) or exception.
  struct Result : Sequenced {
    Result() = default;
    Result(std::optional<Batch>&& b, size_t number) : Sequenced(number), batch(std::move(b)) {}
    Result(std::exception_ptr e, size_t number) : Sequenced(number), exception(std::move(e)) {}
    std::optional<Batch> batch;
    std::exception_ptr exception;
  };

  /// The next batch request of the epoch, or nullopt at its end.
  virtual std::optional<BatchRequest> get_batch_request() = 0;

  /// Starts an epoch: no work in flight, a fresh sequencer, max_jobs requests queued.
  virtual void reset() {
    shuttle_.drain();
    sequence_number_ = 0;
    if (options_.workers > 0 && options_.enforce_ordering)
      sequencer_ =
          std::make_unique<detail::sequencers::OrderedSequencer<Result>>(options_.max_jobs);
    else
      sequencer_ = std::make_unique<detail::sequencers::NoSequencer<Result>>();
    prefetch(options_.workers > 0 ? options_.max_jobs : 0);
  }

  /// Queues up to `requested_jobs` more batch requests.
  void prefetch(size_t requested_jobs) {
    for (size_t r = 0; r < requested_jobs; ++r) {
      std::optional<BatchRequest> request = get_batch_request();
      if (!request) break;
      push_job(std::move(*request));
    }
  }

  /// The next batch of the epoch, or nullopt at its end.
  std::optional<Batch> next() {
    if (options_.workers > 0) {
      while (std::optional<Result> result =
                 sequencer_->next([this] { return shuttle_.pop_result(options_.timeout); })) {
        if (result->exception) throw WorkerException(result->exception);
        if (result->batch) {
          prefetch(1);
          return std::move(result->batch);
        }
        // A stateful dataset ran out for this request: the epoch ends when all have come back.
      }
      return std::nullopt;
    }
    std::optional<BatchRequest> request = get_batch_request();
    if (!request) return std::nullopt;
    return main_thread_dataset_->get_batch(std::move(*request));
  }

  /// A worker: makes batches from `dataset` until told to quit.
  void worker_thread(Dataset& dataset) {
    while (true) {
      Job job = shuttle_.pop_job();
      if (job.quit) break;
      try {
        std::optional<Batch> batch(dataset.get_batch(std::move(*job.batch_request)));
        shuttle_.push_result(Result(std::move(batch), job.sequence_number));
      } catch (...) {
        shuttle_.push_result(Result(std::current_exception(), job.sequence_number));
      }
    }
  }

  template <class T>
  void push_job(T value) {
    shuttle_.push_job(Job(std::move(value), sequence_number_++));
  }

  const FullDataLoaderOptions options_;
  std::unique_ptr<Dataset> main_thread_dataset_;
  size_t sequence_number_ = 0;
  std::vector<std::thread> workers_;
  detail::DataShuttle<Job, Result> shuttle_;
  std::unique_ptr<detail::sequencers::Sequencer<Result>> sequencer_;
  bool joined_ = false;

 private:
  static FullDataLoaderOptions check_options(const DataLoaderOptions& options) {
    TG_CHECK(options.batch_size() > 0, "make_data_loader: batch_size must be at least 1 (got 0)");
    TG_CHECK(!options.shuffle() && !options.seed().has_value(),
             "make_data_loader: shuffle and seed are options of tg::data::DataLoader; this "
             "loader visits the dataset in its sampler's order (use samplers::RandomSampler to "
             "shuffle)");
    FullDataLoaderOptions full(options);
    TG_CHECK(full.workers == 0 || full.max_jobs > 0, "make_data_loader: max_jobs is 0 with ",
             full.workers,
             " workers; allow at least one batch in flight (by default 2 per "
             "worker)");
    return full;
  }
};

/// The loader over a stateless dataset in the order of a sampler (as
/// torch::data::StatelessDataLoader): each worker gets its own copy of the dataset (wrap a
/// dataset that must not be copied in make_shared_dataset); without workers the loader keeps
/// the one it was given. drop_last leaves out a last batch smaller than batch_size.
template <class Dataset, class Sampler>
class StatelessDataLoader : public DataLoaderBase<Dataset, typename Dataset::BatchType,
                                                  typename Sampler::BatchRequestType> {
 public:
  using super =
      DataLoaderBase<Dataset, typename Dataset::BatchType, typename Sampler::BatchRequestType>;
  using typename super::BatchRequestType;

  StatelessDataLoader(Dataset dataset, Sampler sampler, DataLoaderOptions options)
      : super(std::move(options)), sampler_(std::move(sampler)) {
    for (size_t w = 0; w < this->options_.workers; ++w)
      this->workers_.emplace_back([this, dataset]() mutable { this->worker_thread(dataset); });
    if (this->options_.workers == 0)
      this->main_thread_dataset_ = std::make_unique<Dataset>(std::move(dataset));
  }

  ~StatelessDataLoader() override { this->join(); }

 private:
  void reset() override {
    sampler_.reset(std::nullopt);
    super::reset();
  }

  std::optional<BatchRequestType> get_batch_request() override {
    std::optional<BatchRequestType> request = sampler_.next(this->options_.batch_size);
    if (!request || request->size() == 0) return std::nullopt;
    if (this->options_.drop_last && request->size() < this->options_.batch_size)
      return std::nullopt;
    return request;
  }

  Sampler sampler_;
};

/// The loader over a stateful dataset (as torch::data::StatefulDataLoader): it asks the dataset
/// for batch_size examples at a time until it returns nullopt, and resets it at each begin().
/// The workers all call the one dataset, which must then be thread-safe.
template <class Dataset>
class StatefulDataLoader : public DataLoaderBase<Dataset, typename Dataset::BatchType::value_type,
                                                 typename Dataset::BatchRequestType> {
 public:
  using super = DataLoaderBase<Dataset, typename Dataset::BatchType::value_type,
                               typename Dataset::BatchRequestType>;
  using typename super::BatchRequestType;

  StatefulDataLoader(Dataset dataset, DataLoaderOptions options)
      : super(std::move(options), std::make_unique<Dataset>(std::move(dataset))) {
    for (size_t w = 0; w < this->options_.workers; ++w)
      this->workers_.emplace_back([this] { this->worker_thread(*this->main_thread_dataset_); });
  }

  ~StatefulDataLoader() override { this->join(); }

 private:
  void reset() override {
    this->main_thread_dataset_->reset();
    super::reset();
  }

  std::optional<BatchRequestType> get_batch_request() override {
    return BatchRequestType(this->options_.batch_size);
  }
};

/// A loader over a stateless `dataset` in the order of `sampler`.
template <class Dataset, class Sampler>
requires(!Dataset::is_stateful)
    std::unique_ptr<StatelessDataLoader<Dataset, Sampler>> make_data_loader(
        Dataset dataset, Sampler sampler, DataLoaderOptions options) {
  return std::make_unique<StatelessDataLoader<Dataset, Sampler>>(
      std::move(dataset), std::move(sampler), std::move(options));
}

/// A loader over a stateless `dataset` with a Sampler made from the dataset's size
/// (RandomSampler by default; samplers::SequentialSampler for a fixed order), as libtorch:
///   auto loader = tg::data::make_data_loader(std::move(dataset), 64);
template <class Sampler = samplers::RandomSampler, class Dataset>
requires(!Dataset::is_stateful && std::is_constructible_v<Sampler, size_t>)
    std::unique_ptr<StatelessDataLoader<Dataset, Sampler>> make_data_loader(
        Dataset dataset, DataLoaderOptions options = DataLoaderOptions()) {
  const std::optional<size_t> size = dataset.size();
  TG_CHECK(size.has_value(),
           "make_data_loader: Expected the dataset to be sized in order to construct the "
           "Sampler; give the dataset a size() or pass a sampler");
  return make_data_loader(std::move(dataset), Sampler(*size), std::move(options));
}

/// A loader over a stateful `dataset` (a stream, a chunk dataset...).
template <class Dataset>
requires(Dataset::is_stateful) std::unique_ptr<StatefulDataLoader<Dataset>> make_data_loader(
    Dataset dataset, DataLoaderOptions options = DataLoaderOptions()) {
  return std::make_unique<StatefulDataLoader<Dataset>>(std::move(dataset), std::move(options));
}

}  // namespace tg::data
