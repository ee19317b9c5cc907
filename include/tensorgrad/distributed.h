#pragma once
/// Collective communication between the processes of a data-parallel job (libtorch's c10d):
/// an abstract ProcessGroup, so that a backend can slot in, and ProcessGroupMPI over MPI.
///
/// Every collective takes dense, contiguous CPU tensors; all ranks must call the same collectives
/// in the same order with tensors of the same dtype and shape. ProcessGroupMPI checks that before
/// each collective with a small exchange of (collective, dtype, shape) between the ranks, and
/// throws a tg::Error naming this rank, the collective and what differs instead of hanging or
/// mixing data.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tensorgrad/tensor.h"

namespace tg::distributed {

/// How all_reduce and reduce_scatter combine the ranks' tensors. AVG is the sum divided by the
/// number of ranks (floating dtypes only).
enum class ReduceOp { SUM, AVG, MAX, MIN };

/// "SUM", "AVG", "MAX" or "MIN".
std::string to_string(ReduceOp op);

/// A collective in flight: wait() blocks until it is done (and throws its error, if any); the
/// output tensors hold the result only after wait() returned.
class Work {
 public:
  virtual ~Work() = default;
  /// True once the collective is done; does not block.
  virtual bool is_completed() = 0;
  /// Blocks until the collective is done and finishes its result; later calls return at once.
  virtual void wait() = 0;
};

/// The ranks of a job and the collectives between them.
class ProcessGroup {
 public:
  virtual ~ProcessGroup() = default;
  /// This process's rank, in [0, size()).
  virtual int rank() const = 0;
  /// The number of processes.
  virtual int size() const = 0;
  /// The backend's name, e.g. "mpi".
  virtual std::string backend_name() const = 0;

  /// Replaces tensor, on every rank, by op over the ranks' tensors.
  virtual std::shared_ptr<Work> all_reduce_async(const Tensor& tensor,
                                                 ReduceOp op = ReduceOp::SUM) = 0;
  /// Replaces tensor on every rank by root's.
  virtual std::shared_ptr<Work> broadcast_async(const Tensor& tensor, int root = 0) = 0;
  /// outputs[r] receives rank r's input; outputs has size() tensors of input's dtype and shape.
  virtual std::shared_ptr<Work> all_gather_async(const std::vector<Tensor>& outputs,
                                                 const Tensor& input) = 0;
  /// output on rank r receives op over the ranks' inputs[r]; inputs has size() tensors of
  /// output's dtype and shape.
  virtual std::shared_ptr<Work> reduce_scatter_async(const Tensor& output,
                                                     const std::vector<Tensor>& inputs,
                                                     ReduceOp op = ReduceOp::SUM) = 0;
  /// Done once every rank has called it.
  virtual std::shared_ptr<Work> barrier_async() = 0;

  /// Ends every process of the job with `status` (after a fatal error on this rank, so that the
  /// others do not wait for it in a collective). The default ends only this process.
  [[noreturn]] virtual void abort(int status);

  // The blocking forms: the async form, then wait().
  void all_reduce(const Tensor& tensor, ReduceOp op = ReduceOp::SUM);
  void broadcast(const Tensor& tensor, int root = 0);
  void all_gather(const std::vector<Tensor>& outputs, const Tensor& input);
  void reduce_scatter(const Tensor& output, const std::vector<Tensor>& inputs,
                      ReduceOp op = ReduceOp::SUM);
  void barrier();
};

/// Whether this build of tensorgrad has the MPI backend (TENSORGRAD_WITH_MPI).
bool mpi_available();

/// The ranks of MPI_COMM_WORLD (on a communicator of its own, so that its messages never meet
/// the program's). create() initialises MPI (MPI_Init_thread, asking for
/// MPI_THREAD_SERIALIZED) unless the program did, and then finalises it when the program exits.
/// Collectives may be called from any thread; they are serialised by the group. Throws a
/// tg::Error when tensorgrad was built without MPI.
///
/// A collective that has not completed `timeout` after it started (some rank crashed, hangs or
/// never calls it) throws a tg::Error naming this rank and the collective; the group is unusable
/// afterwards, and the program should abort() the job. Without MPI's fault tolerance a rank cannot
/// tell which peer failed; mpirun names a rank that died.
class ProcessGroupMPI : public ProcessGroup {
 public:
  /// PyTorch's default for its process groups.
  static constexpr std::chrono::milliseconds kDefaultTimeout = std::chrono::minutes(30);
  static std::shared_ptr<ProcessGroupMPI> create(
      std::chrono::milliseconds timeout = kDefaultTimeout);
  ~ProcessGroupMPI() override;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backend_name() const override { return "mpi"; }

  std::shared_ptr<Work> all_reduce_async(const Tensor& tensor,
                                         ReduceOp op = ReduceOp::SUM) override;
  std::shared_ptr<Work> broadcast_async(const Tensor& tensor, int root = 0) override;
  std::shared_ptr<Work> all_gather_async(const std::vector<Tensor>& outputs,
                                         const Tensor& input) override;
  std::shared_ptr<Work> reduce_scatter_async(const Tensor& output,
                                             const std::vector<Tensor>& inputs,
                                             ReduceOp op = ReduceOp::SUM) override;
  std::shared_ptr<Work> barrier_async() override;
  /// MPI_Abort on MPI_COMM_WORLD: mpirun then ends every rank.
  [[noreturn]] void abort(int status) override;

  struct State;  // the MPI communicator and its lock (src/distributed/process_group_mpi.cpp)

 private:
  explicit ProcessGroupMPI(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace tg::distributed
