// The backend-independent part of ProcessGroup: the blocking forms of the collectives.
#include <cstdio>
#include <cstdlib>

#include "tensorgrad/distributed.h"
#include "tensorgrad/error.h"

namespace tg::distributed {

std::string to_string(ReduceOp op) {
  switch (op) {
    case ReduceOp::SUM:
      return "SUM";
    case ReduceOp::AVG:
      return "AVG";
    case ReduceOp::MAX:
      return "MAX";
    case ReduceOp::MIN:
      return "MIN";
  }
  return "unknown ReduceOp";
}

void ProcessGroup::all_reduce(const Tensor& tensor, ReduceOp op) {
  all_reduce_async(tensor, op)->wait();
}

void ProcessGroup::broadcast(const Tensor& tensor, int root) {
  broadcast_async(tensor, root)->wait();
}

void ProcessGroup::all_gather(const std::vector<Tensor>& outputs, const Tensor& input) {
  all_gather_async(outputs, input)->wait();
}

void ProcessGroup::reduce_scatter(const Tensor& output, const std::vector<Tensor>& inputs,
                                  ReduceOp op) {
  reduce_scatter_async(output, inputs, op)->wait();
}

void ProcessGroup::barrier() { barrier_async()->wait(); }

void ProcessGroup::abort(int status) {
  std::fflush(nullptr);
  std::_Exit(status);
}

#ifndef TG_HAVE_MPI
// Built without MPI: the class exists, so that programs link, but cannot be made.
bool mpi_available() { return false; }

std::shared_ptr<ProcessGroupMPI> ProcessGroupMPI::create(std::chrono::milliseconds) {
  detail::fail(
      "ProcessGroupMPI: tensorgrad was built without MPI; install an MPI implementation "
      "(Debian: libopenmpi-dev) and configure with -DTENSORGRAD_WITH_MPI=ON");
}

ProcessGroupMPI::ProcessGroupMPI(std::shared_ptr<State> state) : state_(std::move(state)) {}
ProcessGroupMPI::~ProcessGroupMPI() = default;

namespace {
[[noreturn]] void no_mpi() { detail::fail("ProcessGroupMPI: tensorgrad was built without MPI"); }
}  // namespace

std::shared_ptr<Work> ProcessGroupMPI::all_reduce_async(const Tensor&, ReduceOp) { no_mpi(); }
std::shared_ptr<Work> ProcessGroupMPI::broadcast_async(const Tensor&, int) { no_mpi(); }
std::shared_ptr<Work> ProcessGroupMPI::all_gather_async(const std::vector<Tensor>&, const Tensor&) {
  no_mpi();
}
std::shared_ptr<Work> ProcessGroupMPI::reduce_scatter_async(const Tensor&,
                                                            const std::vector<Tensor>&, ReduceOp) {
  no_mpi();
}
std::shared_ptr<Work> ProcessGroupMPI::barrier_async() { no_mpi(); }
void ProcessGroupMPI::abort(int) { no_mpi(); }
#endif

}  // namespace tg::distributed
