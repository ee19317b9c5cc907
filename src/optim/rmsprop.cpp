#include "tensorgrad/optim/rmsprop.h"

#include <cmath>

#include "optim/fused.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"

namespace tg::optim {

RMSpropOptions::RMSpropOptions(double lr) : LearningRateOptions(lr) {}

bool operator==(const RMSpropOptions& a, const RMSpropOptions& b) {
  return a.lr() == b.lr() && a.alpha() == b.alpha() && a.eps() == b.eps() &&
         a.weight_decay() == b.weight_decay() && a.momentum() == b.momentum() &&
         a.centered() == b.centered();
}

namespace {
const RMSpropOptions& checked(const RMSpropOptions& o) {
  TG_CHECK(o.lr() >= 0, "RMSprop: invalid learning rate ", o.lr(), "; it must be >= 0");
  TG_CHECK(o.eps() >= 0, "RMSprop: invalid epsilon value ", o.eps(), "; it must be >= 0");
  TG_CHECK(o.momentum() >= 0, "RMSprop: invalid momentum value ", o.momentum(),
           "; it must be >= 0");
  TG_CHECK(o.weight_decay() >= 0, "RMSprop: invalid weight_decay value ", o.weight_decay(),
           "; it must be >= 0");
  TG_CHECK(o.alpha() >= 0, "RMSprop: invalid alpha value ", o.alpha(), "; it must be >= 0");
  return o;
}

template <class T>
struct RMSpropConstants {
  T alpha, one_minus_alpha, eps, wd, mom, neg_lr;
};

// One block of the update; see adam_block for why constants come by value.
template <class T, bool kCentered, bool kMomentum, bool kDecay>
void rmsprop_block(T* __restrict p, const T* __restrict g, T* __restrict square_avg,
                   T* __restrict grad_avg, T* __restrict buf, int64_t len,
                   const RMSpropConstants<T> c) {
  T avg[detail::kBlock];   // the smoothed square, then its square root
  T grad[detail::kBlock];  // the gradient with weight decay
  for (int64_t i = 0; i < len; ++i) {
    T gi = g[i];
    if constexpr (kDecay) gi = gi + c.wd * p[i];
    grad[i] = gi;
    const T si = square_avg[i] * c.alpha + c.one_minus_alpha * gi * gi;
    square_avg[i] = si;
    if constexpr (kCentered) {
      const T ai = grad_avg[i] * c.alpha + c.one_minus_alpha * gi;
      grad_avg[i] = ai;
      avg[i] = si + T(-1) * ai * ai;
    } else {
      avg[i] = si;
    }
  }
  detail::sqrt_in_place(avg, len);
  for (int64_t i = 0; i < len; ++i) {
    const T a = avg[i] + c.eps;
    if constexpr (kMomentum) {
      const T b = buf[i] * c.mom + grad[i] / a;
      buf[i] = b;
      p[i] = p[i] + c.neg_lr * b;
    } else {
      p[i] = p[i] + c.neg_lr * grad[i] / a;
    }
  }
}

template <class T, bool kCentered, bool kMomentum, bool kDecay>
void rmsprop_update(T* p, const T* g, T* square_avg, T* grad_avg, T* buf, int64_t n,
                    const RMSpropOptions& o) {
  const RMSpropConstants<T> c{static_cast<T>(o.alpha()),    static_cast<T>(1 - o.alpha()),
                              static_cast<T>(o.eps()),      static_cast<T>(o.weight_decay()),
                              static_cast<T>(o.momentum()), static_cast<T>(-o.lr())};
  detail::for_blocks(n, [&](int64_t begin, int64_t end) {
    rmsprop_block<T, kCentered, kMomentum, kDecay>(
        p + begin, g + begin, square_avg + begin, kCentered ? grad_avg + begin : nullptr,
        kMomentum ? buf + begin : nullptr, end - begin, c);
  });
}
}  // namespace

bool operator==(const RMSpropParamState& a, const RMSpropParamState& b) {
  return a.step() == b.step() && detail::same_state(a.square_avg(), b.square_avg()) &&
         detail::same_state(a.momentum_buffer(), b.momentum_buffer()) &&
         detail::same_state(a.grad_avg(), b.grad_avg());
}

RMSprop::RMSprop(std::vector<OptimizerParamGroup> param_groups, RMSpropOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<RMSpropOptions>(checked(defaults))) {}
RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions defaults)
    : RMSprop({OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

Tensor RMSprop::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  detail::for_each_fused_param<RMSpropOptions>(
      param_groups_, "RMSprop",
      [&](const RMSpropOptions& o, const Tensor& p, detail::FusedParam& fp) {
        auto& slot = state_[param_key(p)];
        if (slot == nullptr) {
          auto fresh = std::make_unique<RMSpropParamState>();
          fresh->step(0);
          fresh->square_avg(detail::zeros_state(p));
          if (o.momentum() > 0) fresh->momentum_buffer(detail::zeros_state(p));
          if (o.centered()) fresh->grad_avg(detail::zeros_state(p));
          slot = std::move(fresh);
        }
        auto& state = static_cast<RMSpropParamState&>(*slot);
        // Options may change between steps (a group's momentum turned on): add what is missing.
        if (o.momentum() > 0 && !state.momentum_buffer().defined())
          state.momentum_buffer(detail::zeros_state(p));
        if (o.centered() && !state.grad_avg().defined()) state.grad_avg(detail::zeros_state(p));
        state.step(state.step() + 1);
        const Tensor& s = detail::check_state(state.square_avg(), fp, "RMSprop", "square_avg");
        const Tensor& a = o.centered()
                              ? detail::check_state(state.grad_avg(), fp, "RMSprop", "grad_avg")
                              : Tensor();
        const Tensor& b = o.momentum() > 0 ? detail::check_state(state.momentum_buffer(), fp,
                                                                 "RMSprop", "momentum_buffer")
                                           : Tensor();
        kernels::dispatch_float_double(p.dtype(), "RMSprop", [&](auto tag) {
          using T = typename decltype(tag)::type;
          detail::with_flags(o.centered(), o.momentum() > 0, o.weight_decay() != 0,
                             [&](auto kCentered, auto kMomentum, auto kDecay) {
                               rmsprop_update<T, kCentered(), kMomentum(), kDecay()>(
                                   fp.param.data_ptr<T>(), fp.grad.data_ptr<T>(), s.data_ptr<T>(),
                                   a.defined() ? a.data_ptr<T>() : nullptr,
                                   b.defined() ? b.data_ptr<T>() : nullptr, fp.numel, o);
                             });
        });
      });
  return loss;
}

}  // namespace tg::optim
