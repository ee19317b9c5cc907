// ProcessGroupMPI: the collectives over MPI's nonblocking collectives (MPI_Iallreduce...).
#ifdef TG_HAVE_MPI
#include <mpi.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>

#include "core/internal.h"
#include "tensorgrad/distributed.h"
#include "tensorgrad/error.h"

namespace tg::distributed {

bool mpi_available() { return true; }

struct ProcessGroupMPI::State {
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = 0;
  int size = 1;
  std::chrono::milliseconds timeout = ProcessGroupMPI::kDefaultTimeout;
  bool timed_out = false;  // a collective timed out: its request is still pending
  std::mutex mutex;        // MPI is initialised for one thread at a time (MPI_THREAD_SERIALIZED)
  ~State() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  }
};

namespace {

void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

// The prefix of every message: which collective failed, on which rank.
std::string where(const char* collective, const ProcessGroupMPI::State& s) {
  return str("ProcessGroupMPI ", collective, " (rank ", s.rank, " of ", s.size, "): ");
}

void check_mpi(int rc, const char* collective, const ProcessGroupMPI::State& s) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(rc, text, &length);
  detail::fail(where(collective, s), "MPI failed: ", std::string(text, length));
}

using Clock = std::chrono::steady_clock;

// Waits for `request` until `started` + the group's timeout, testing it rather than blocking in
// MPI_Wait, so that a rank that died or hangs ends the wait with an error instead of forever. It
// tests without sleeping, as MPI_Wait does (MPI moves a large message's fragments only while it is
// called: sleeping between tests cut the bandwidth of a 1 MB all-reduce tenfold), but yields the
// core between tests for the other threads of a busy machine.
void wait_for(MPI_Request& request, const char* collective, ProcessGroupMPI::State& s,
              Clock::time_point started) {
  for (;;) {
    int done = 0;
    check_mpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), collective, s);
    if (done) return;
    if (Clock::now() - started > s.timeout) {
      s.timed_out = true;
      detail::fail(where(collective, s), "not complete after ",
                   std::chrono::duration<double>(s.timeout).count(),
                   " s: another rank has failed, hangs or does not call it; this group cannot be "
                   "used any more (abort the job)");
    }
    std::this_thread::yield();
  }
}

// A group whose collective timed out still has that request pending in MPI.
void check_usable(const char* collective, const ProcessGroupMPI::State& s) {
  if (s.timed_out)
    detail::fail(where(collective, s),
                 "an earlier collective timed out; this group cannot be used any more");
}

// MPI's type for the elements of a dtype; Half, BFloat16 and Bool travel as their bits and
// cannot be summed.
MPI_Datatype mpi_type(ScalarType t) {
  switch (t) {
    case kFloat:
      return MPI_FLOAT;
    case kDouble:
      return MPI_DOUBLE;
    case kLong:
      return MPI_INT64_T;
    case kInt:
      return MPI_INT32_T;
    case kShort:
      return MPI_INT16_T;
    case kChar:
      return MPI_INT8_T;
    case kByte:
    case kBool:
      return MPI_UINT8_T;
    case kHalf:
    case kBFloat16:
      return MPI_UINT16_T;
  }
  return MPI_DATATYPE_NULL;
}

bool is_floating(ScalarType t) { return t == kFloat || t == kDouble; }

MPI_Op mpi_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::SUM:
    case ReduceOp::AVG:
      return MPI_SUM;
    case ReduceOp::MAX:
      return MPI_MAX;
    case ReduceOp::MIN:
      return MPI_MIN;
  }
  return MPI_OP_NULL;
}

void divide(const Tensor& t, int by) {
  if (t.scalar_type() == kFloat) {
    float* p = static_cast<float*>(t.data_ptr());
    for (int64_t i = 0; i < t.numel(); ++i) p[i] /= static_cast<float>(by);
  } else {
    double* p = static_cast<double*>(t.data_ptr());
    for (int64_t i = 0; i < t.numel(); ++i) p[i] /= static_cast<double>(by);
  }
}

// Note [Header exchange]
// Before its data moves, every collective exchanges a fixed header between all ranks with one
// small blocking MPI_Allgather: which collective, the dtype, the shape, the op or root, and
// whether this rank's own arguments passed their checks. Every rank then sees every other rank's
// header, so all of them throw the same kind of error when the ranks disagree (a different
// collective, dtype, shape, op or root), and a rank whose arguments were wrong makes the others
// throw instead of waiting for it. It costs one small round trip per collective. What it cannot
// catch is a rank that never calls a collective at all: the others then wait for it.
enum Collective : int64_t { kAllReduce = 1, kBroadcast, kAllGather, kReduceScatter, kBarrier };

const char* collective_name(int64_t c) {
  switch (c) {
    case kAllReduce:
      return "all_reduce";
    case kBroadcast:
      return "broadcast";
    case kAllGather:
      return "all_gather";
    case kReduceScatter:
      return "reduce_scatter";
    case kBarrier:
      return "barrier";
  }
  return "an unknown collective";
}

constexpr int kMaxDims = 8;
struct Header {
  int64_t collective = 0;
  int64_t ok = 1;  // 0: this rank's arguments failed its local checks
  int64_t dtype = 0;
  int64_t op_or_root = 0;
  int64_t dim = 0;  // shapes of more than kMaxDims dims compare only their first kMaxDims sizes
  int64_t numel = 0;
  int64_t sizes[kMaxDims] = {};
};
constexpr int kHeaderWords = sizeof(Header) / sizeof(int64_t);

Header make_header(Collective c, const Tensor* t, int64_t op_or_root) {
  Header h;
  h.collective = c;
  h.op_or_root = op_or_root;
  if (t && t->defined()) {
    h.dtype = static_cast<int64_t>(t->scalar_type());
    h.dim = t->dim();
    h.numel = t->numel();
    for (int64_t d = 0; d < std::min<int64_t>(h.dim, kMaxDims); ++d) h.sizes[d] = t->size(d);
  }
  return h;
}

std::string describe(const Header& h) {
  std::vector<int64_t> sizes(h.sizes, h.sizes + std::min<int64_t>(h.dim, kMaxDims));
  return str(static_cast<ScalarType>(h.dtype), " ", detail::shape_str(IntArrayRef(sizes)));
}

bool same_tensor(const Header& a, const Header& b) {
  if (a.dtype != b.dtype || a.dim != b.dim || a.numel != b.numel) return false;
  for (int d = 0; d < kMaxDims; ++d)
    if (a.sizes[d] != b.sizes[d]) return false;
  return true;
}

// Exchanges headers (Note [Header exchange]); throws `local_error` on this rank when it is not
// empty, and a tg::Error on every rank when the ranks disagree.
void exchange_header(ProcessGroupMPI::State& s, const Header& mine, const std::string& local_error,
                     bool has_tensor, bool op_is_root) {
  const char* name = collective_name(mine.collective);
  check_usable(name, s);
  std::vector<Header> all(s.size);
  const auto started = Clock::now();
  MPI_Request request;
  check_mpi(MPI_Iallgather(&mine, kHeaderWords, MPI_INT64_T, all.data(), kHeaderWords, MPI_INT64_T,
                           s.comm, &request),
            name, s);
  wait_for(request, name, s, started);
  if (!local_error.empty()) detail::fail(where(name, s), local_error);
  for (int r = 0; r < s.size; ++r) {
    const Header& h = all[r];
    if (h.collective != mine.collective)
      detail::fail(where(name, s), "rank ", r, " called ", collective_name(h.collective),
                   " instead; every rank must call the same collectives in the same order");
    if (!h.ok)
      detail::fail(where(name, s), "rank ", r,
                   " rejected its arguments (its own error says why); no data was exchanged");
  }
  for (int r = 0; r < s.size; ++r) {
    const Header& h = all[r];
    if (has_tensor && !same_tensor(h, mine))
      detail::fail(where(name, s), "this rank passes ", describe(mine), " but rank ", r, " passes ",
                   describe(h), "; every rank must pass the same dtype and shape");
    if (h.op_or_root != mine.op_or_root) {
      if (op_is_root)
        detail::fail(where(name, s), "this rank names root ", mine.op_or_root, " but rank ", r,
                     " names root ", h.op_or_root);
      detail::fail(where(name, s), "this rank asks for ",
                   to_string(static_cast<ReduceOp>(mine.op_or_root)), " but rank ", r, " asks for ",
                   to_string(static_cast<ReduceOp>(h.op_or_root)));
    }
  }
}

// The local checks of one tensor argument; an empty string when it passes.
std::string check_tensor(const Tensor& t, const char* what) {
  if (!t.defined()) return str("the ", what, " is undefined");
  if (!t.is_contiguous())
    return str("the ", what, " must be contiguous (call .contiguous() on it first)");
  if (t.numel() > std::numeric_limits<int>::max())
    return str("the ", what, " has ", t.numel(), " elements, more than MPI's count (",
               std::numeric_limits<int>::max(), ") allows; split it");
  return {};
}

/// The local checks of a list of one tensor per rank (`each`: "output" or "input") that must
/// match `other` (named `other_name`) in dtype and shape; an empty string when they pass.
std::string check_per_rank(const std::vector<Tensor>& list, const char* each, const Tensor& other,
                           const char* other_name, int ranks) {
  if (static_cast<int>(list.size()) != ranks)
    return str("got ", list.size(), " ", each, " tensors; pass one per rank (", ranks, ")");
  for (size_t r = 0; r < list.size(); ++r) {
    std::string error = check_tensor(list[r], each);
    if (error.empty() &&
        (list[r].scalar_type() != other.scalar_type() || !list[r].sizes().equals(other.sizes())))
      error = str(each, " ", r, " is ", list[r].scalar_type(), " ",
                  detail::shape_str(list[r].sizes()), " but the ", other_name, " is ",
                  other.scalar_type(), " ", detail::shape_str(other.sizes()), "; every ", each,
                  " must have the ", other_name, "'s dtype and shape");
    if (!error.empty()) return error;
  }
  return {};
}

std::string check_op(ScalarType dtype, ReduceOp op) {
  if (op == ReduceOp::AVG && !is_floating(dtype))
    return str("AVG needs a Float or Double tensor, not ", dtype);
  const bool bits_only = dtype == kHalf || dtype == kBFloat16 || dtype == kBool;
  if (bits_only && (dtype != kBool || op == ReduceOp::SUM))
    return str(to_string(op), " of ", dtype, " tensors is not supported (convert to Float first)");
  return {};
}

class MPIWork final : public Work {
 public:
  MPIWork(std::shared_ptr<ProcessGroupMPI::State> state, const char* name, MPI_Request request,
          std::vector<Tensor> keep, std::function<void()> finish)
      : state_(std::move(state)),
        name_(name),
        request_(request),
        started_(Clock::now()),
        keep_(std::move(keep)),
        finish_(std::move(finish)) {}
  ~MPIWork() override {
    // MPI still writes into the kept buffers until the request completes.
    try {
      wait();
    } catch (const Error&) {
    }
  }

  bool is_completed() override {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (!done_) {
      int flag = 0;
      check_mpi(MPI_Test(&request_, &flag, MPI_STATUS_IGNORE), name_, *state_);
      if (flag) complete();
    }
    return done_;
  }

  void wait() override {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (done_) return;
    try {
      wait_for(request_, name_, *state_, started_);
    } catch (const Error&) {
      done_ = true;
      // A request that timed out is still pending and may yet write into its buffers: they are
      // deliberately never freed (the job is about to be aborted).
      if (state_->timed_out) new std::vector<Tensor>(std::move(keep_));
      keep_.clear();
      throw;
    }
    complete();
  }

 private:
  void complete() {
    done_ = true;
    if (finish_) finish_();
    finish_ = nullptr;
    keep_.clear();
  }

  std::shared_ptr<ProcessGroupMPI::State> state_;
  const char* name_;
  MPI_Request request_;
  Clock::time_point started_;
  std::vector<Tensor> keep_;  // the buffers MPI reads and writes, alive until it is done
  std::function<void()> finish_;
  bool done_ = false;
};

}  // namespace

std::shared_ptr<ProcessGroupMPI> ProcessGroupMPI::create(std::chrono::milliseconds timeout) {
  TG_CHECK(timeout.count() > 0, "ProcessGroupMPI: the timeout must be positive, got ",
           timeout.count(), " ms");
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
      detail::fail("ProcessGroupMPI: MPI_Init_thread failed");
    std::atexit(finalize_at_exit);
  }
  int finalized = 0;
  MPI_Finalized(&finalized);
  TG_CHECK(!finalized, "ProcessGroupMPI: MPI has already been finalized");
  auto state = std::make_shared<State>();
  state->timeout = timeout;
  MPI_Comm_dup(MPI_COMM_WORLD, &state->comm);
  // Errors come back as codes, which become tg::Errors, instead of aborting the job.
  MPI_Comm_set_errhandler(state->comm, MPI_ERRORS_RETURN);
  MPI_Comm_rank(state->comm, &state->rank);
  MPI_Comm_size(state->comm, &state->size);
  return std::shared_ptr<ProcessGroupMPI>(new ProcessGroupMPI(std::move(state)));
}

ProcessGroupMPI::ProcessGroupMPI(std::shared_ptr<State> state)
    : state_(std::move(state)), rank_(state_->rank), size_(state_->size) {}

ProcessGroupMPI::~ProcessGroupMPI() = default;

void ProcessGroupMPI::abort(int status) {
  std::fflush(nullptr);
  MPI_Abort(MPI_COMM_WORLD, status);
  std::_Exit(status);  // MPI_Abort does not return; this is for the compiler
}

std::shared_ptr<Work> ProcessGroupMPI::all_reduce_async(const Tensor& tensor, ReduceOp op) {
  std::string error = check_tensor(tensor, "tensor");
  if (error.empty()) error = check_op(tensor.scalar_type(), op);
  Header h = make_header(kAllReduce, &tensor, static_cast<int64_t>(op));
  h.ok = error.empty();
  std::lock_guard<std::mutex> lock(state_->mutex);
  exchange_header(*state_, h, error, true, false);
  MPI_Request request;
  check_mpi(MPI_Iallreduce(MPI_IN_PLACE, tensor.data_ptr(), static_cast<int>(tensor.numel()),
                           mpi_type(tensor.scalar_type()), mpi_op(op), state_->comm, &request),
            "all_reduce", *state_);
  std::function<void()> finish;
  if (op == ReduceOp::AVG) finish = [tensor, n = size_] { divide(tensor, n); };
  return std::make_shared<MPIWork>(state_, "all_reduce", request, std::vector<Tensor>{tensor},
                                   std::move(finish));
}

std::shared_ptr<Work> ProcessGroupMPI::broadcast_async(const Tensor& tensor, int root) {
  std::string error = check_tensor(tensor, "tensor");
  if (error.empty() && (root < 0 || root >= size_))
    error = str("root ", root, " is not a rank (there are ", size_, ")");
  Header h = make_header(kBroadcast, &tensor, root);
  h.ok = error.empty();
  std::lock_guard<std::mutex> lock(state_->mutex);
  exchange_header(*state_, h, error, true, true);
  MPI_Request request;
  check_mpi(MPI_Ibcast(tensor.data_ptr(), static_cast<int>(tensor.numel()),
                       mpi_type(tensor.scalar_type()), root, state_->comm, &request),
            "broadcast", *state_);
  return std::make_shared<MPIWork>(state_, "broadcast", request, std::vector<Tensor>{tensor},
                                   nullptr);
}

std::shared_ptr<Work> ProcessGroupMPI::all_gather_async(const std::vector<Tensor>& outputs,
                                                        const Tensor& input) {
  std::string error = check_tensor(input, "input");
  if (error.empty()) error = check_per_rank(outputs, "output", input, "input", size_);
  Header h = make_header(kAllGather, &input, 0);
  h.ok = error.empty();
  std::lock_guard<std::mutex> lock(state_->mutex);
  exchange_header(*state_, h, error, true, false);
  const int64_t n = input.numel();
  // MPI gathers into one buffer; wait() copies each rank's part to its output.
  Tensor gathered = empty({size_ * n}, TensorOptions(input.scalar_type()));
  MPI_Request request;
  check_mpi(MPI_Iallgather(input.data_ptr(), static_cast<int>(n), mpi_type(input.scalar_type()),
                           gathered.data_ptr(), static_cast<int>(n), mpi_type(input.scalar_type()),
                           state_->comm, &request),
            "all_gather", *state_);
  std::vector<Tensor> keep = outputs;
  keep.push_back(input);
  keep.push_back(gathered);
  auto finish = [outputs, gathered, n] {
    const size_t bytes = static_cast<size_t>(n) * gathered.element_size();
    const char* from = static_cast<const char*>(gathered.data_ptr());
    for (size_t r = 0; r < outputs.size(); ++r)
      if (bytes) std::memcpy(outputs[r].data_ptr(), from + r * bytes, bytes);
  };
  return std::make_shared<MPIWork>(state_, "all_gather", request, std::move(keep),
                                   std::move(finish));
}

std::shared_ptr<Work> ProcessGroupMPI::reduce_scatter_async(const Tensor& output,
                                                            const std::vector<Tensor>& inputs,
                                                            ReduceOp op) {
  std::string error = check_tensor(output, "output");
  if (error.empty()) error = check_op(output.scalar_type(), op);
  if (error.empty()) error = check_per_rank(inputs, "input", output, "output", size_);
  Header h = make_header(kReduceScatter, &output, static_cast<int64_t>(op));
  h.ok = error.empty();
  std::lock_guard<std::mutex> lock(state_->mutex);
  exchange_header(*state_, h, error, true, false);
  const int64_t n = output.numel();
  // MPI scatters from one buffer: the inputs one after another.
  Tensor send = empty({size_ * n}, TensorOptions(output.scalar_type()));
  const size_t bytes = static_cast<size_t>(n) * output.element_size();
  for (size_t r = 0; r < inputs.size(); ++r)
    if (bytes)
      std::memcpy(static_cast<char*>(send.data_ptr()) + r * bytes, inputs[r].data_ptr(), bytes);
  MPI_Request request;
  check_mpi(
      MPI_Ireduce_scatter_block(send.data_ptr(), output.data_ptr(), static_cast<int>(n),
                                mpi_type(output.scalar_type()), mpi_op(op), state_->comm, &request),
      "reduce_scatter", *state_);
  std::function<void()> finish;
  if (op == ReduceOp::AVG) finish = [output, size = size_] { divide(output, size); };
  return std::make_shared<MPIWork>(state_, "reduce_scatter", request,
                                   std::vector<Tensor>{output, send}, std::move(finish));
}

std::shared_ptr<Work> ProcessGroupMPI::barrier_async() {
  Header h = make_header(kBarrier, nullptr, 0);
  std::lock_guard<std::mutex> lock(state_->mutex);
  exchange_header(*state_, h, {}, false, false);
  MPI_Request request;
  check_mpi(MPI_Ibarrier(state_->comm, &request), "barrier", *state_);
  return std::make_shared<MPIWork>(state_, "barrier", request, std::vector<Tensor>{}, nullptr);
}

}  // namespace tg::distributed
#endif  // TG_HAVE_MPI
