// DistributedDataParallel: gradient buckets reduced over a ProcessGroup while backward runs.
#include "tensorgrad/distributed/data_parallel.h"

#include <utility>

#include "tensorgrad/autograd.h"
#include "tensorgrad/error.h"
#include "tensorgrad/functions.h"

namespace tg::nn::parallel {

namespace dist = tg::distributed;

// Note [Gradient buckets]
// Parameters are grouped, in reverse registration order, into buckets of one dtype and about
// bucket_cap_mb megabytes, each with one flat buffer. A parameter's post-accumulate-grad hook
// copies its .grad() into its slot of the buffer; when a bucket's last slot is filled, the
// buckets up to the first incomplete one are launched, strictly in bucket order, so that every
// rank starts the same collectives in the same order whatever order its gradients arrive in.
// The first hook of a backward queues an engine callback (autograd::queue_callback) that runs
// after the last node: it launches the buckets still waiting (their missing slots zero: the
// parameters that got no gradient), waits for every bucket, and writes the averages back into
// .grad(). Unless find_unused_parameters, it also takes the maximum over the ranks of "had an
// unused parameter", so that every rank throws, after every collective completed, instead of one
// rank throwing while the others wait.
struct DistributedDataParallel::Reducer : std::enable_shared_from_this<Reducer> {
  struct Bucket {
    ScalarType dtype = kFloat;
    std::vector<size_t> params;   // indices into Reducer::params
    std::vector<int64_t> offset;  // of each parameter's slot in buffer
    int64_t numel = 0;
    Tensor buffer;
    size_t pending = 0;  // slots not filled in this backward
    std::shared_ptr<dist::Work> work;
    std::vector<Tensor> gathered;  // deterministic_reduction: every rank's buffer
  };

  std::shared_ptr<Module> module;
  std::shared_ptr<dist::ProcessGroup> group;
  DistributedDataParallelOptions options;
  std::vector<Tensor> params;
  std::vector<std::string> names;
  std::vector<int64_t> bucket_of;  // -1: does not require grad
  std::vector<size_t> slot_of;
  std::vector<Tensor> slots;  // each parameter's slot in its bucket, shaped as the parameter
  std::vector<bool> ready;
  std::vector<Bucket> buckets;
  std::vector<unsigned> hooks;
  size_t next_launch = 0;
  bool sync = true;
  bool callback_queued = false;

  std::string where() const {
    return str("DistributedDataParallel (rank ", group->rank(), " of ", group->size(), "): ");
  }

  void build_buckets() {
    const double cap = options.bucket_cap_mb() * 1024.0 * 1024.0;
    bucket_of.assign(params.size(), -1);
    slot_of.assign(params.size(), 0);
    ready.assign(params.size(), false);
    double bytes = 0;
    for (size_t k = params.size(); k-- > 0;) {
      const Tensor& p = params[k];
      if (!p.requires_grad()) continue;
      if (buckets.empty() || buckets.back().dtype != p.scalar_type() || bytes >= cap) {
        buckets.emplace_back();
        buckets.back().dtype = p.scalar_type();
        bytes = 0;
      }
      Bucket& b = buckets.back();
      bucket_of[k] = static_cast<int64_t>(buckets.size() - 1);
      slot_of[k] = b.params.size();
      b.params.push_back(k);
      b.offset.push_back(b.numel);
      b.numel += p.numel();
      bytes += static_cast<double>(p.nbytes());
    }
    slots.resize(params.size());
    for (Bucket& b : buckets) {
      b.buffer = zeros({b.numel}, TensorOptions(b.dtype));
      b.pending = b.params.size();
      for (size_t s = 0; s < b.params.size(); ++s) {
        const Tensor& p = params[b.params[s]];
        slots[b.params[s]] = b.buffer.narrow(0, b.offset[s], p.numel()).view(p.sizes());
      }
    }
  }

  // The s-th slot of bucket b, shaped as its parameter.
  const Tensor& slot(const Bucket& b, size_t s) const { return slots[b.params[s]]; }
  // Whether parameter k's .grad() is its slot (gradient_as_bucket_view), whatever handle it is.
  bool grad_in_bucket(size_t k) const {
    const Tensor& g = params[k].grad();
    return g.defined() && g.data_ptr() == slots[k].data_ptr() && g.strides() == slots[k].strides();
  }

  // The hook of parameter k: its gradient is in .grad().
  void on_gradient(size_t k) {
    if (!sync || bucket_of[k] < 0) return;
    if (!callback_queued) {
      callback_queued = true;
      std::weak_ptr<Reducer> weak = weak_from_this();
      autograd::queue_callback([weak] {
        if (auto self = weak.lock()) self->finish_backward();
      });
    }
    Bucket& b = buckets[bucket_of[k]];
    if (ready[k]) return;  // already counted in this backward
    ready[k] = true;
    NoGradGuard no_grad;
    if (!grad_in_bucket(k)) slot(b, slot_of[k]).copy_(params[k].grad());
    if (--b.pending == 0) launch_ready();
  }

  void launch_ready() {
    while (next_launch < buckets.size() && buckets[next_launch].pending == 0) {
      Bucket& b = buckets[next_launch++];
      if (options.deterministic_reduction()) {
        b.gathered.clear();
        for (int r = 0; r < group->size(); ++r) b.gathered.push_back(empty_like(b.buffer));
        b.work = group->all_gather_async(b.gathered, b.buffer);
      } else {
        b.work = group->all_reduce_async(b.buffer, dist::ReduceOp::SUM);
      }
    }
  }

  void finish_backward() {
    callback_queued = false;
    NoGradGuard no_grad;
    std::vector<std::string> unused;
    for (Bucket& b : buckets) {
      for (size_t s = 0; s < b.params.size(); ++s) {
        if (ready[b.params[s]]) continue;
        unused.push_back(names[b.params[s]]);
        slot(b, s).zero_();
      }
      b.pending = 0;
    }
    launch_ready();
    bool anyone_unused = !unused.empty();
    if (!options.find_unused_parameters()) {
      Tensor flag = full({1}, static_cast<int64_t>(anyone_unused), kLong);
      group->all_reduce(flag, dist::ReduceOp::MAX);
      anyone_unused = flag.item<int64_t>() != 0;
    }
    const double n = group->size();
    for (Bucket& b : buckets) {
      b.work->wait();
      b.work.reset();
      if (options.deterministic_reduction()) {
        // In rank order, as one process accumulating the ranks' gradients would.
        b.buffer.copy_(b.gathered[0]);
        for (size_t r = 1; r < b.gathered.size(); ++r) b.buffer.add_(b.gathered[r]);
        b.gathered.clear();
      }
      b.buffer.div_(n);
      for (size_t s = 0; s < b.params.size(); ++s) {
        if (grad_in_bucket(b.params[s])) continue;
        const Tensor& p = params[b.params[s]];
        const Tensor& average = slot(b, s);
        if (options.gradient_as_bucket_view()) {
          p.mutable_grad() = average;
        } else if (p.grad().defined()) {
          p.mutable_grad().copy_(average);
        } else {
          p.mutable_grad() = average.clone();
        }
      }
      b.pending = b.params.size();
    }
    ready.assign(params.size(), false);
    next_launch = 0;
    if (anyone_unused && !options.find_unused_parameters()) {
      std::string list;
      for (const std::string& name : unused) list += (list.empty() ? "" : ", ") + name;
      const char* advice =
          "; pass find_unused_parameters(true) in DistributedDataParallelOptions when some "
          "parameters do not take part in every iteration's loss";
      if (!unused.empty())
        tg::detail::fail(where(), "these parameters got no gradient in this backward: ", list,
                         advice);
      tg::detail::fail(where(),
                       "another rank had parameters that got no gradient in this "
                       "backward (its error names them)",
                       advice);
    }
    if (options.broadcast_buffers())
      for (const Tensor& buffer : module->buffers()) group->broadcast(buffer, 0);
  }
};

DistributedDataParallel::DistributedDataParallel(
    std::shared_ptr<Module> module, std::shared_ptr<distributed::ProcessGroup> process_group,
    const DistributedDataParallelOptions& options)
    : module_(std::move(module)), group_(std::move(process_group)), options_(options) {
  TG_CHECK(module_ != nullptr, "DistributedDataParallel: the module is null");
  TG_CHECK(group_ != nullptr, "DistributedDataParallel: the process group is null");
  TG_CHECK(options_.bucket_cap_mb() > 0,
           "DistributedDataParallel: bucket_cap_mb must be "
           "positive (got ",
           options_.bucket_cap_mb(), ")");
  reducer_ = std::make_shared<Reducer>();
  Reducer& r = *reducer_;
  r.module = module_;
  r.group = group_;
  r.options = options_;
  for (const auto& item : module_->named_parameters()) {
    r.names.push_back(item.key());
    r.params.push_back(item.value());
  }
  std::vector<Tensor> buffers = module_->buffers();
  // Every rank must hold the same module: first the counts, then each tensor, whose broadcast
  // checks its dtype and shape on every rank.
  Tensor counts =
      tensor({static_cast<int64_t>(r.params.size()), static_cast<int64_t>(buffers.size())}, kLong);
  std::vector<Tensor> all_counts;
  for (int i = 0; i < group_->size(); ++i) all_counts.push_back(empty_like(counts));
  group_->all_gather(all_counts, counts);
  for (int i = 0; i < group_->size(); ++i)
    TG_CHECK(equal(all_counts[i], counts), r.where(), "this rank's module has ", r.params.size(),
             " parameters and ", buffers.size(), " buffers but rank ", i, "'s has ",
             all_counts[i][0].item<int64_t>(), " and ", all_counts[i][1].item<int64_t>(),
             "; every rank must wrap the same module");
  {
    NoGradGuard no_grad;
    for (const Tensor& p : r.params) group_->broadcast(p, 0);
    for (const Tensor& b : buffers) group_->broadcast(b, 0);
  }
  r.build_buckets();
  std::weak_ptr<Reducer> weak = reducer_;
  for (size_t k = 0; k < r.params.size(); ++k) {
    if (!r.params[k].requires_grad()) {
      r.hooks.push_back(0);
      continue;
    }
    r.hooks.push_back(
        autograd::register_post_accumulate_grad_hook(r.params[k], [weak, k](const Tensor&) {
          if (auto self = weak.lock()) self->on_gradient(k);
        }));
  }
}

DistributedDataParallel::~DistributedDataParallel() {
  for (size_t k = 0; k < reducer_->params.size(); ++k)
    if (reducer_->hooks[k])
      autograd::remove_post_accumulate_grad_hook(reducer_->params[k], reducer_->hooks[k]);
}

std::vector<std::vector<size_t>> DistributedDataParallel::bucket_indices() const {
  std::vector<std::vector<size_t>> out;
  for (const auto& b : reducer_->buckets) out.push_back(b.params);
  return out;
}

DistributedDataParallel::NoSyncGuard::NoSyncGuard(DistributedDataParallel& ddp)
    : ddp_(ddp), previous_(ddp.reducer_->sync) {
  ddp_.reducer_->sync = false;
}

DistributedDataParallel::NoSyncGuard::~NoSyncGuard() { ddp_.reducer_->sync = previous_; }

}  // namespace tg::nn::parallel
