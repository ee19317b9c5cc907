#include "tensorgrad/optim/optimizer.h"

#include <cmath>
#include <cstdio>
#include <unordered_set>

#include "core/internal.h"
#include "kernels/elementwise_math.h"
#include "optim/fused.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"

// Note [Fused optimizer steps]
// libtorch's optimizers run each update as a chain of tensor ops (mul_, add_, addcmul_, sqrt,
// div, add_, addcdiv_), each a pass over memory and some allocating a temporary. Here each
// optimizer walks a parameter, its gradient and its state once, in blocks of kBlock elements:
// one loop computes the moments, the square roots of a block are taken together (a vector sqrt:
// std::sqrt inside the loop would keep the compiler from vectorising it), and a second loop
// updates the parameter while the block is still in L1. The formulas and their order of
// operations are libtorch's, with its scalar arguments rounded to the parameter's dtype as
// libtorch rounds them. Run-time options (amsgrad, weight decay, momentum...) become template
// arguments, so the loops have no branches. Parameters that are not contiguous are updated
// through a contiguous copy written back afterwards.

namespace tg::optim {

bool detail::same_state(const Tensor& a, const Tensor& b) {
  return a.defined() == b.defined() && (!a.defined() || tg::equal(a, b));
}

std::unique_ptr<OptimizerParamState> OptimizerParamState::clone() const {
  tg::detail::fail(
      "OptimizerParamState: clone() is not implemented for this state type; derive it "
      "from OptimizerCloneableParamState<YourState>");
}

std::unique_ptr<OptimizerOptions> OptimizerOptions::clone() const {
  tg::detail::fail(
      "OptimizerOptions: clone() is not implemented for this options type; derive it "
      "from OptimizerCloneableOptions<YourOptions>");
}

double OptimizerOptions::get_lr() const {
  tg::detail::fail(
      "OptimizerOptions: get_lr() is not implemented for this options type; override "
      "get_lr() and set_lr() in your options class");
}

void OptimizerOptions::set_lr(double) {
  tg::detail::fail(
      "OptimizerOptions: set_lr() is not implemented for this options type; override "
      "get_lr() and set_lr() in your options class");
}

// ---- OptimizerParamGroup ----

OptimizerParamGroup::OptimizerParamGroup(const OptimizerParamGroup& param_group)
    : params_(param_group.params()),
      options_(param_group.has_options() ? param_group.options().clone() : nullptr) {}

OptimizerParamGroup& OptimizerParamGroup::operator=(const OptimizerParamGroup& param_group) {
  if (this != &param_group) {
    params_ = param_group.params_;
    options_ = param_group.has_options() ? param_group.options().clone() : nullptr;
  }
  return *this;
}

OptimizerParamGroup::OptimizerParamGroup(std::vector<Tensor> params) : params_(std::move(params)) {}

OptimizerParamGroup::OptimizerParamGroup(std::vector<Tensor> params,
                                         std::unique_ptr<OptimizerOptions> options)
    : params_(std::move(params)), options_(std::move(options)) {}

OptimizerOptions& OptimizerParamGroup::options() {
  TG_CHECK(options_ != nullptr,
           "OptimizerParamGroup: this group has no options; give it options or add it to an "
           "optimizer, which gives it the optimizer's defaults");
  return *options_;
}

const OptimizerOptions& OptimizerParamGroup::options() const {
  TG_CHECK(options_ != nullptr,
           "OptimizerParamGroup: this group has no options; give it options or add it to an "
           "optimizer, which gives it the optimizer's defaults");
  return *options_;
}

void OptimizerParamGroup::set_options(std::unique_ptr<OptimizerOptions> options) {
  options_ = std::move(options);
}

// ---- Optimizer ----

Optimizer::Optimizer(std::vector<OptimizerParamGroup> param_groups,
                     std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  TG_CHECK(defaults_ != nullptr, "Optimizer: the default options must not be null");
  for (const auto& group : param_groups) add_param_group(group);
}

Optimizer::Optimizer(std::vector<Tensor> parameters, std::unique_ptr<OptimizerOptions> defaults)
    : Optimizer(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(parameters))},
                std::move(defaults)) {}

namespace {
// Every parameter must be a defined floating-point leaf that no group holds yet.
void check_new_params(const std::vector<OptimizerParamGroup>& groups,
                      const std::vector<Tensor>& params) {
  std::unordered_set<const TensorImpl*> seen;
  for (const auto& group : groups)
    for (const auto& p : group.params()) seen.insert(p.unsafeGetTensorImpl());
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    TG_CHECK(p.defined(), "Optimizer: parameter ", i,
             " is an undefined tensor; pass only defined tensors (a module's parameters() "
             "leaves out absent ones such as a Linear without bias)");
    TG_CHECK(p.is_leaf(), "Optimizer: can't optimize a non-leaf Tensor (parameter ", i,
             " of shape ", tg::detail::shape_str(p.sizes()), " was computed by ",
             p.grad_fn() ? p.grad_fn()->name() : std::string("an op"),
             "); optimise the leaf tensors it was computed from, or pass x.detach()");
    TG_CHECK(p.is_floating_point(), "Optimizer: parameter ", i, " has dtype ", p.dtype(),
             "; only floating-point tensors (Float, Double) can be optimised");
    TG_CHECK(seen.insert(p.unsafeGetTensorImpl()).second, "Optimizer: parameter ", i, " of shape ",
             tg::detail::shape_str(p.sizes()),
             " is given twice; some parameters appear in more than one parameter group (or "
             "twice in one); pass each parameter once");
  }
}
}  // namespace

void Optimizer::add_param_group(const OptimizerParamGroup& param_group) {
  check_new_params(param_groups_, param_group.params());
  OptimizerParamGroup group(param_group.params());
  group.set_options(param_group.has_options() ? param_group.options().clone() : defaults_->clone());
  param_groups_.push_back(std::move(group));
}

void Optimizer::add_parameters(const std::vector<Tensor>& parameters) {
  if (param_groups_.empty()) {
    add_param_group(OptimizerParamGroup(parameters));
    return;
  }
  check_new_params(param_groups_, parameters);
  auto& first = param_groups_[0].params();
  first.insert(first.end(), parameters.begin(), parameters.end());
}

void Optimizer::zero_grad() {
  for (auto& group : param_groups_) {
    for (auto& p : group.params()) {
      Tensor& grad = p.mutable_grad();
      if (grad.defined()) {
        // As PyTorch's: detach_() only what has history, so that a gradient that is a view (of a
        // DistributedDataParallel bucket) can be zeroed in place.
        if (grad.grad_fn())
          grad.detach_();
        else
          grad.requires_grad_(false);
        grad.zero_();
      }
    }
  }
}

const std::vector<Tensor>& Optimizer::parameters() const noexcept {
  static const std::vector<Tensor> none;
  return param_groups_.empty() ? none : param_groups_[0].params();
}

std::vector<Tensor>& Optimizer::parameters() noexcept {
  static std::vector<Tensor> none;
  if (param_groups_.empty()) {
    none.clear();
    return none;
  }
  return param_groups_[0].params();
}

size_t Optimizer::size() const noexcept {
  size_t n = 0;
  for (const auto& group : param_groups_) n += group.params().size();
  return n;
}

std::string Optimizer::param_key(const Tensor& parameter) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%p", static_cast<void*>(parameter.unsafeGetTensorImpl()));
  return buffer;
}

Tensor Optimizer::run_closure(const LossClosure& closure) {
  if (!closure) return Tensor();
  AutoGradMode enable_grad(true);
  return closure();
}

OptimizerParamState* Optimizer::find_state(const Tensor& p) {
  auto it = state_.find(param_key(p));
  return it == state_.end() ? nullptr : it->second.get();
}

// ---- fused helpers ----

namespace detail {

FusedParam prepare(const Tensor& p, const char* op) {
  FusedParam fp;
  fp.target = p;
  const Tensor& g = p.grad();
  TG_CHECK(p.is_floating_point(), op, ": parameter of dtype ", p.dtype(),
           " can't be optimised; only Float and Double parameters can");
  TG_CHECK(g.sizes() == p.sizes(), op, ": the gradient of a parameter of shape ",
           tg::detail::shape_str(p.sizes()), " has shape ", tg::detail::shape_str(g.sizes()),
           "; a gradient must have its parameter's shape");
  fp.param = p.is_contiguous() ? p.detach() : tg::detail::contiguous_data(p);
  fp.grad = tg::detail::contiguous_data(tg::detail::cast(g, p.dtype()));
  fp.numel = p.numel();
  return fp;
}

void FusedParam::finish() const {
  if (param.data_ptr() != target.data_ptr()) tg::detail::copy_into(target, param);
  tg::detail::bump_version(target);
}

void sqrt_in_place(float* x, int64_t n) {
  static const kernels::LoopF loop = kernels::float_loop(kernels::UnaryFn::sqrt);
  if (loop != nullptr) return loop(x, x, n);
  for (int64_t i = 0; i < n; ++i) x[i] = std::sqrt(x[i]);
}

void sqrt_in_place(double* x, int64_t n) {
  static const kernels::LoopD loop = kernels::double_loop(kernels::UnaryFn::sqrt);
  if (loop != nullptr) return loop(x, x, n);
  for (int64_t i = 0; i < n; ++i) x[i] = std::sqrt(x[i]);
}

Tensor zeros_state(const Tensor& p) { return tg::zeros(p.sizes(), p.dtype()); }

const Tensor& check_state(const Tensor& state, const FusedParam& fp, const char* op,
                          const char* name) {
  TG_CHECK(state.defined() && state.is_contiguous() && state.dtype() == fp.param.dtype() &&
               state.numel() == fp.numel,
           op, ": the state '", name, "' of a parameter of shape ",
           tg::detail::shape_str(fp.target.sizes()), " and dtype ", fp.target.dtype(),
           (state.defined() ? " is a tensor of shape " + tg::detail::shape_str(state.sizes())
                            : std::string(" is undefined")),
           "; the state must be a contiguous tensor of the parameter's shape and dtype");
  return state;
}

}  // namespace detail
}  // namespace tg::optim
