#include "tensorgrad/optim/adagrad.h"

#include <type_traits>

#include "optim/fused.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"

namespace tg::optim {

AdagradOptions::AdagradOptions(double lr) : LearningRateOptions(lr) {}

bool operator==(const AdagradOptions& a, const AdagradOptions& b) {
  return a.lr() == b.lr() && a.lr_decay() == b.lr_decay() && a.weight_decay() == b.weight_decay() &&
         a.initial_accumulator_value() == b.initial_accumulator_value() && a.eps() == b.eps();
}

bool operator==(const AdagradParamState& a, const AdagradParamState& b) {
  return a.step() == b.step() && detail::same_state(a.sum(), b.sum());
}

namespace {
const AdagradOptions& checked(const AdagradOptions& o) {
  TG_CHECK(o.lr() >= 0, "Adagrad: invalid learning rate ", o.lr(), "; it must be >= 0");
  TG_CHECK(o.lr_decay() >= 0, "Adagrad: invalid lr_decay value ", o.lr_decay(),
           "; it must be >= 0");
  TG_CHECK(o.weight_decay() >= 0, "Adagrad: invalid weight_decay value ", o.weight_decay(),
           "; it must be >= 0");
  TG_CHECK(o.initial_accumulator_value() >= 0, "Adagrad: invalid initial_accumulator_value ",
           o.initial_accumulator_value(), "; it must be >= 0");
  TG_CHECK(o.eps() >= 0, "Adagrad: invalid epsilon value ", o.eps(), "; it must be >= 0");
  return o;
}

std::unique_ptr<AdagradParamState> fresh_state(const Tensor& p, const AdagradOptions& o) {
  auto state = std::make_unique<AdagradParamState>();
  state->step(0);
  NoGradGuard no_grad;
  state->sum(detail::zeros_state(p).fill_(o.initial_accumulator_value()));
  return state;
}

// One block of the update; the operations and their order are libtorch's (grad.add(p, wd),
// sum.addcmul_(g, g), p.addcdiv_(g, sqrt(sum) + eps, -clr)), so the results are its bits.
template <class T, bool kDecay>
void adagrad_block(T* __restrict p, const T* __restrict g, T* __restrict sum, int64_t len, T wd,
                   T neg_clr, T eps) {
  T root[detail::kBlock];
  T grad[detail::kBlock];
  for (int64_t i = 0; i < len; ++i) {
    T gi = g[i];
    if constexpr (kDecay) gi = gi + wd * p[i];
    grad[i] = gi;
    sum[i] = sum[i] + gi * gi;
    root[i] = sum[i];
  }
  detail::sqrt_in_place(root, len);
  for (int64_t i = 0; i < len; ++i) p[i] = p[i] + neg_clr * grad[i] / (root[i] + eps);
}
}  // namespace

Adagrad::Adagrad(std::vector<OptimizerParamGroup> param_groups, AdagradOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdagradOptions>(checked(defaults))) {
  for (const OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const AdagradOptions&>(group.options());
    for (const Tensor& p : group.params()) state_[param_key(p)] = fresh_state(p, o);
  }
}
Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions defaults)
    : Adagrad({OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

Tensor Adagrad::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  detail::for_each_fused_param<AdagradOptions>(
      param_groups_, "Adagrad",
      [&](const AdagradOptions& o, const Tensor& p, detail::FusedParam& fp) {
        auto& slot = state_[param_key(p)];
        if (slot == nullptr) slot = fresh_state(p, o);  // a group added after construction
        auto& state = static_cast<AdagradParamState&>(*slot);
        state.step(state.step() + 1);
        const Tensor& sum = detail::check_state(state.sum(), fp, "Adagrad", "sum");
        const double clr = o.lr() / (1 + static_cast<double>(state.step() - 1) * o.lr_decay());
        kernels::dispatch_float_double(p.dtype(), "Adagrad", [&](auto tag) {
          using T = typename decltype(tag)::type;
          T* param = fp.param.data_ptr<T>();
          const T* grad = fp.grad.data_ptr<T>();
          T* s = sum.data_ptr<T>();
          const T wd = static_cast<T>(o.weight_decay()), neg_clr = static_cast<T>(-clr),
                  eps = static_cast<T>(o.eps());
          const auto run = [&](auto kDecay) {
            detail::for_blocks(fp.numel, [&](int64_t begin, int64_t end) {
              adagrad_block<T, kDecay()>(param + begin, grad + begin, s + begin, end - begin, wd,
                                         neg_clr, eps);
            });
          };
          if (o.weight_decay() != 0)
            run(std::true_type{});
          else
            run(std::false_type{});
        });
      });
  return loss;
}

}  // namespace tg::optim
