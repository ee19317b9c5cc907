#pragma once
/// The plumbing between a data loader and its worker threads, as torch::data::detail: a
/// blocking Queue, the DataShuttle that carries jobs to the workers and results back, and the
/// sequencers that hand results out in the order their jobs were made (or as they come).
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

#include "tensorgrad/error.h"

namespace tg::data::detail {

/// A first-in first-out queue that many threads may push to and pop from.
template <class T>
class Queue {
 public:
  /// Appends `value` and wakes one waiting pop().
  void push(T value) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push(std::move(value));
    }
    cv_.notify_one();
  }

  /// Takes the oldest value, waiting for one to arrive; with a timeout, throws "Timeout in
  /// DataLoader queue" when none arrives in time.
  T pop(std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto ready = [this] { return !queue_.empty(); };
    if (timeout) {
      TG_CHECK(cv_.wait_for(lock, *timeout, ready),
               "Timeout in DataLoader queue while waiting for next batch (timeout was ",
               timeout->count(),
               " ms); if loading a batch takes longer, raise DataLoaderOptions().timeout");
    } else {
      cv_.wait(lock, ready);
    }
    T value = std::move(queue_.front());
    queue_.pop();
    return value;
  }

  /// Drops every value; returns how many there were.
  size_t clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    const size_t size = queue_.size();
    queue_ = std::queue<T>();
    return size;
  }

 private:
  std::queue<T> queue_;
  std::mutex mutex_;
  std::condition_variable cv_;
};

/// Jobs go from the loader to the workers, results come back. The loader's thread alone pushes
/// jobs and pops results, and the shuttle counts the jobs in flight (pushed, result not yet
/// popped) so that pop_result knows when nothing more can come.
template <class Job, class Result>
class DataShuttle {
 public:
  /// Hands a job to the workers (loader thread).
  void push_job(Job job) {
    new_jobs_.push(std::move(job));
    ++in_flight_jobs_;
  }
  /// Returns the result of a job (worker thread).
  void push_result(Result result) { results_.push(std::move(result)); }
  /// Waits for a job (worker thread).
  Job pop_job() { return new_jobs_.pop(); }

  /// The next result, waiting for it (at most `timeout`, else "Timeout" is thrown); nullopt
  /// when no job is in flight.
  std::optional<Result> pop_result(
      std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    if (in_flight_jobs_ == 0) return std::nullopt;
    Result result = results_.pop(timeout);
    --in_flight_jobs_;
    return result;
  }

  /// Cancels the jobs no worker has taken, waits for the results of those being worked on and
  /// drops them, so that nothing is in flight afterwards.
  void drain() {
    in_flight_jobs_ -= new_jobs_.clear();
    while (in_flight_jobs_ > 0) pop_result();
    results_.clear();
  }

  /// Jobs pushed whose results have not been popped.
  size_t in_flight_jobs() const noexcept { return in_flight_jobs_; }

 private:
  Queue<Job> new_jobs_;
  size_t in_flight_jobs_ = 0;
  Queue<Result> results_;
};

namespace sequencers {

/// Decides the order in which a loader hands out results (each with a `sequence_number`, the
/// order of its job).
template <class Result>
struct Sequencer {
  using ResultProducer = std::function<std::optional<Result>()>;
  virtual ~Sequencer() = default;
  /// The next result to hand out, drawing on `next_result` as needed; nullopt when it runs out.
  virtual std::optional<Result> next(ResultProducer next_result) = 0;
};

/// Results in the order they arrive.
template <class Result>
struct NoSequencer final : public Sequencer<Result> {
  using typename Sequencer<Result>::ResultProducer;
  std::optional<Result> next(ResultProducer next_result) override { return next_result(); }
};

/// Results in the order of their sequence numbers (0, 1, 2, ...): one that arrives early waits
/// in a ring buffer of max_jobs slots, the most results that can be in flight at once.
template <class Result>
struct OrderedSequencer : public Sequencer<Result> {
  using typename Sequencer<Result>::ResultProducer;

  explicit OrderedSequencer(size_t max_jobs) : buffer_(max_jobs) {
    TG_CHECK(max_jobs > 0, "OrderedSequencer: max_jobs must be at least 1 (got 0)");
  }

  std::optional<Result> next(ResultProducer next_result) override {
    if (std::optional<Result>& waiting = buffer(next_sequence_number_)) {
      std::optional<Result> result = std::move(waiting);
      waiting.reset();
      ++next_sequence_number_;
      return result;
    }
    while (std::optional<Result> result = next_result()) {
      const size_t number = result->sequence_number;
      if (number == next_sequence_number_) {
        ++next_sequence_number_;
        return result;
      }
      TG_CHECK(number > next_sequence_number_ && number - next_sequence_number_ < buffer_.size(),
               "OrderedSequencer: result ", number, " arrived while result ", next_sequence_number_,
               " is expected; at most max_jobs (", buffer_.size(),
               ") results can be in flight, numbered from the expected one on");
      buffer(number) = std::move(result);
    }
    for (const std::optional<Result>& waiting : buffer_)
      TG_CHECK(!waiting.has_value(), "OrderedSequencer: the results ran out while result ",
               waiting->sequence_number, " waits for result ", next_sequence_number_,
               ", which never came");
    return std::nullopt;
  }

  /// The slot of sequence number `index`.
  std::optional<Result>& buffer(size_t index) { return buffer_[index % buffer_.size()]; }

  /// The sequence number to hand out next.
  size_t next_sequence_number_ = 0;
  /// Results that arrived before their turn.
  std::vector<std::optional<Result>> buffer_;
};

}  // namespace sequencers
}  // namespace tg::data::detail
