#pragma once
/// Data-parallel training over a ProcessGroup (PyTorch's DistributedDataParallel): every rank
/// holds a replica of the module, runs forward and backward on its share of each batch, and ends
/// backward with the gradients averaged over the ranks, so that the same optimizer step keeps
/// the replicas equal.
#include <memory>
#include <string>
#include <vector>

#include "tensorgrad/distributed.h"
#include "tensorgrad/nn/arg.h"
#include "tensorgrad/nn/module.h"

namespace tg::nn::parallel {

struct DistributedDataParallelOptions {
  /// Gradients travel in buckets of about this many megabytes (1 MB = 2^20 bytes); a bucket is
  /// reduced as soon as every gradient in it is ready, while backward goes on.
  TG_ARG(double, bucket_cap_mb) = 25;
  /// Allow parameters that get no gradient in a backward pass (their share is zero); otherwise
  /// such a backward throws, naming them.
  TG_ARG(bool, find_unused_parameters) = false;
  /// Broadcast rank 0's buffers (BatchNorm's running statistics) to every rank at the end of
  /// each synchronised backward, so that the next forward uses the same ones everywhere.
  TG_ARG(bool, broadcast_buffers) = true;
  /// Sum the ranks' gradients in rank order (an all_gather, then g0 + g1 + ... here) instead of
  /// letting the backend choose the order of its sum: the result is then bitwise that of one
  /// process accumulating the ranks' gradients in rank order. Costs size() times the traffic.
  TG_ARG(bool, deterministic_reduction) = false;
  /// After the first synchronised backward, each parameter's .grad() is a view of its slot in
  /// its bucket, so that backward accumulates straight into the buckets and the averages land in
  /// .grad() without the two copies otherwise made each step. Keep the optimizer's zero_grad()
  /// in place (as libtorch's is); a .grad() the caller replaces is copied, and viewed again at the
  /// end of the next backward.
  TG_ARG(bool, gradient_as_bucket_view) = false;
};

/// Wraps a module for data-parallel training. Construction broadcasts rank 0's parameters and
/// buffers to every rank and registers a post-accumulate-grad hook on every parameter that
/// requires grad. Parameters are put in buckets in reverse registration order (the order
/// backward usually produces their gradients); a bucket's average over the ranks starts (an
/// asynchronous all_reduce) once its last gradient is in .grad(), and the end of backward (an
/// engine callback) waits for every bucket and writes the averages back into .grad().
///
/// Every rank must run the same number of synchronised backward passes. Forward and the
/// optimizer step are the caller's, on module(). Under no_sync(), backward only accumulates the
/// local gradients; the next synchronised backward averages the accumulated ones.
class DistributedDataParallel {
 public:
  DistributedDataParallel(std::shared_ptr<Module> module,
                          std::shared_ptr<distributed::ProcessGroup> process_group,
                          const DistributedDataParallelOptions& options = {});
  ~DistributedDataParallel();
  DistributedDataParallel(const DistributedDataParallel&) = delete;
  DistributedDataParallel& operator=(const DistributedDataParallel&) = delete;

  /// The wrapped module.
  const std::shared_ptr<Module>& module() const { return module_; }
  const std::shared_ptr<distributed::ProcessGroup>& process_group() const { return group_; }
  const DistributedDataParallelOptions& options() const { return options_; }

  /// The number of buckets and the parameter indices (into module()->parameters()) of each.
  std::vector<std::vector<size_t>> bucket_indices() const;

  /// While the guard lives, backward does not synchronise gradients (accumulation steps).
  class NoSyncGuard {
   public:
    explicit NoSyncGuard(DistributedDataParallel& ddp);
    ~NoSyncGuard();
    NoSyncGuard(const NoSyncGuard&) = delete;
    NoSyncGuard& operator=(const NoSyncGuard&) = delete;

   private:
    DistributedDataParallel& ddp_;
    bool previous_;
  };
  NoSyncGuard no_sync() { return NoSyncGuard(*this); }

  struct Reducer;  // the buckets and their state (src/distributed/data_parallel.cpp)

 private:
  std::shared_ptr<Module> module_;
  std::shared_ptr<distributed::ProcessGroup> group_;
  DistributedDataParallelOptions options_;
  std::shared_ptr<Reducer> reducer_;
};

}  // namespace tg::nn::parallel
