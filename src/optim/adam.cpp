// Adam and AdamW: one fused update loop serves both (AdamW decays the parameter before the
// update; Adam adds weight_decay * p to the gradient).
#include "tensorgrad/optim/adam.h"

#include <cmath>

#include "optim/fused.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/optim/adamw.h"

namespace tg::optim {

AdamOptions::AdamOptions(double lr) : AdamFamilyOptions(lr, /*weight_decay=*/0) {}
AdamWOptions::AdamWOptions(double lr) : AdamFamilyOptions(lr, /*weight_decay=*/1e-2) {}

namespace {

template <class Options>
const Options& checked(const Options& o, const char* op) {
  TG_CHECK(o.lr() >= 0, op, ": invalid learning rate ", o.lr(), "; it must be >= 0");
  TG_CHECK(o.eps() >= 0, op, ": invalid epsilon value ", o.eps(), "; it must be >= 0");
  const auto [beta1, beta2] = o.betas();
  TG_CHECK(0 <= beta1 && beta1 < 1.0, op, ": invalid beta parameter at index 0: ", beta1,
           "; betas must lie in [0, 1)");
  TG_CHECK(0 <= beta2 && beta2 < 1.0, op, ": invalid beta parameter at index 1: ", beta2,
           "; betas must lie in [0, 1)");
  TG_CHECK(o.weight_decay() >= 0, op, ": invalid weight_decay value ", o.weight_decay(),
           "; it must be >= 0");
  return o;
}

struct AdamStep {
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad, decoupled;
  int64_t step;  // the step being taken, from 1
};

template <class T>
struct AdamConstants {
  T b1, one_minus_b1, b2, one_minus_b2, sqrt_bc2, eps, neg_step_size, wd, shrink;
};

// One block of the update. The constants come by value and the arrays as restrict pointers, so
// the compiler knows the stores touch nothing else and vectorises both loops.
template <class T, bool kAmsgrad, bool kL2, bool kDecay>
void adam_block(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
                T* __restrict vmax, int64_t len, const AdamConstants<T> c) {
  T second[detail::kBlock];  // the second moment used, then its square root
  for (int64_t i = 0; i < len; ++i) {
    T x = p[i];
    if constexpr (kDecay) p[i] = x = x * c.shrink;
    T gi = g[i];
    if constexpr (kL2) gi = gi + c.wd * x;
    const T mi = m[i] * c.b1 + c.one_minus_b1 * gi;
    const T vi = v[i] * c.b2 + c.one_minus_b2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    if constexpr (kAmsgrad) {
      // max that propagates NaN, as torch::max_out.
      const T top = (vi > vmax[i] || vi != vi) ? vi : vmax[i];
      vmax[i] = top;
      second[i] = top;
    } else {
      second[i] = vi;
    }
  }
  detail::sqrt_in_place(second, len);
  for (int64_t i = 0; i < len; ++i)
    p[i] = p[i] + c.neg_step_size * m[i] / (second[i] / c.sqrt_bc2 + c.eps);
}

template <class T, bool kAmsgrad, bool kL2, bool kDecay>
void adam_update(T* p, const T* g, T* m, T* v, T* vmax, int64_t n, const AdamStep& s) {
  const double bias_correction1 = 1 - std::pow(s.beta1, static_cast<double>(s.step));
  const double bias_correction2 = 1 - std::pow(s.beta2, static_cast<double>(s.step));
  const AdamConstants<T> c{static_cast<T>(s.beta1),
                           static_cast<T>(1 - s.beta1),
                           static_cast<T>(s.beta2),
                           static_cast<T>(1 - s.beta2),
                           static_cast<T>(std::sqrt(bias_correction2)),
                           static_cast<T>(s.eps),
                           static_cast<T>(-(s.lr / bias_correction1)),
                           static_cast<T>(s.weight_decay),
                           static_cast<T>(1 - s.lr * s.weight_decay)};
  detail::for_blocks(n, [&](int64_t begin, int64_t end) {
    adam_block<T, kAmsgrad, kL2, kDecay>(p + begin, g + begin, m + begin, v + begin,
                                         kAmsgrad ? vmax + begin : nullptr, end - begin, c);
  });
}

// The step shared by Adam and AdamW; State is AdamParamState or AdamWParamState.
template <class State, class Options>
void adam_step(std::vector<OptimizerParamGroup>& groups,
               std::unordered_map<std::string, std::unique_ptr<OptimizerParamState>>& states,
               bool decoupled, const char* op) {
  detail::for_each_fused_param<Options>(
      groups, op, [&](const Options& o, const Tensor& p, detail::FusedParam& fp) {
        auto& slot = states[Optimizer::param_key(p)];
        if (slot == nullptr) {
          auto fresh = std::make_unique<State>();
          fresh->step(0);
          fresh->exp_avg(detail::zeros_state(p));
          fresh->exp_avg_sq(detail::zeros_state(p));
          if (o.amsgrad()) fresh->max_exp_avg_sq(detail::zeros_state(p));
          slot = std::move(fresh);
        }
        auto& state = static_cast<State&>(*slot);
        const Tensor& m = detail::check_state(state.exp_avg(), fp, op, "exp_avg");
        const Tensor& v = detail::check_state(state.exp_avg_sq(), fp, op, "exp_avg_sq");
        if (o.amsgrad() && !state.max_exp_avg_sq().defined())
          state.max_exp_avg_sq(detail::zeros_state(p));
        const Tensor& vmax =
            o.amsgrad() ? detail::check_state(state.max_exp_avg_sq(), fp, op, "max_exp_avg_sq")
                        : Tensor();
        state.step(state.step() + 1);
        const AdamStep s{o.lr(),
                         std::get<0>(o.betas()),
                         std::get<1>(o.betas()),
                         o.eps(),
                         o.weight_decay(),
                         o.amsgrad(),
                         decoupled,
                         state.step()};
        const bool l2 = !decoupled && s.weight_decay != 0;
        const bool decay = decoupled && s.weight_decay != 0;
        kernels::dispatch_float_double(p.dtype(), op, [&](auto tag) {
          using T = typename decltype(tag)::type;
          detail::with_flags(s.amsgrad, l2, decay, [&](auto kAmsgrad, auto kL2, auto kDecay) {
            adam_update<T, kAmsgrad(), kL2(), kDecay()>(
                fp.param.data_ptr<T>(), fp.grad.data_ptr<T>(), m.data_ptr<T>(), v.data_ptr<T>(),
                vmax.defined() ? vmax.data_ptr<T>() : nullptr, fp.numel, s);
          });
        });
      });
}

}  // namespace

namespace detail {

namespace {
/// AdamW decays the parameter itself; Adam adds the decay to the gradient.
template <class Options>
constexpr bool kDecoupled = std::is_same_v<Options, AdamWOptions>;
template <class Options>
constexpr const char* kName = kDecoupled<Options> ? "AdamW" : "Adam";
}  // namespace

template <class Options, class State>
AdamFamily<Options, State>::AdamFamily(std::vector<OptimizerParamGroup> param_groups,
                                       Options defaults)
    : Optimizer(std::move(param_groups),
                std::make_unique<Options>(checked(defaults, kName<Options>))) {}

template <class Options, class State>
AdamFamily<Options, State>::AdamFamily(std::vector<Tensor> params, Options defaults)
    : Optimizer(std::move(params), std::make_unique<Options>(checked(defaults, kName<Options>))) {}

template <class Options, class State>
Tensor AdamFamily<Options, State>::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  adam_step<State, Options>(param_groups_, state_, kDecoupled<Options>, kName<Options>);
  return loss;
}

template class AdamFamily<AdamOptions, AdamParamState>;
template class AdamFamily<AdamWOptions, AdamWParamState>;

}  // namespace detail

}  // namespace tg::optim
