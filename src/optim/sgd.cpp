#include "tensorgrad/optim/sgd.h"

#include "optim/fused.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"

namespace tg::optim {

SGDOptions::SGDOptions(double lr) : LearningRateOptions(lr) {}

bool operator==(const SGDOptions& a, const SGDOptions& b) {
  return a.lr() == b.lr() && a.momentum() == b.momentum() && a.dampening() == b.dampening() &&
         a.weight_decay() == b.weight_decay() && a.nesterov() == b.nesterov();
}

bool operator==(const SGDParamState& a, const SGDParamState& b) {
  return detail::same_state(a.momentum_buffer(), b.momentum_buffer());
}

namespace {
const SGDOptions& checked(const SGDOptions& o) {
  TG_CHECK(o.lr() >= 0, "SGD: invalid learning rate ", o.lr(), "; it must be >= 0");
  TG_CHECK(o.momentum() >= 0, "SGD: invalid momentum value ", o.momentum(), "; it must be >= 0");
  TG_CHECK(o.weight_decay() >= 0, "SGD: invalid weight_decay value ", o.weight_decay(),
           "; it must be >= 0");
  TG_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0),
           "SGD: Nesterov momentum requires a momentum and zero dampening (got momentum ",
           o.momentum(), ", dampening ", o.dampening(), ")");
  return o;
}

// One block of the update; the constants come by value so that the loop vectorises.
template <class T, bool kDecay, bool kMomentum, bool kNesterov>
void sgd_block(T* __restrict p, const T* __restrict g, T* __restrict buf, bool first, int64_t len,
               const T wd, const T mom, const T keep, const T neg_lr) {
  for (int64_t i = 0; i < len; ++i) {
    T d = g[i];
    if constexpr (kDecay) d = d + wd * p[i];
    if constexpr (kMomentum) {
      // The first step starts the buffer at d (libtorch clones d).
      const T b = first ? d : buf[i] * mom + keep * d;
      buf[i] = b;
      d = kNesterov ? d + mom * b : b;
    }
    p[i] = p[i] + neg_lr * d;
  }
}

template <class T, bool kDecay, bool kMomentum, bool kNesterov>
void sgd_update(T* p, const T* g, T* buf, bool first, int64_t n, const SGDOptions& o) {
  const T wd = static_cast<T>(o.weight_decay());
  const T mom = static_cast<T>(o.momentum());
  const T keep = static_cast<T>(1 - o.dampening());
  const T neg_lr = static_cast<T>(-1 * o.lr());
  detail::for_blocks(n, [&](int64_t begin, int64_t end) {
    sgd_block<T, kDecay, kMomentum, kNesterov>(p + begin, g + begin,
                                               kMomentum ? buf + begin : nullptr, first,
                                               end - begin, wd, mom, keep, neg_lr);
  });
}
}  // namespace

SGD::SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<SGDOptions>(checked(defaults))) {}

SGD::SGD(std::vector<Tensor> params, SGDOptions defaults)
    : SGD({OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

Tensor SGD::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  detail::for_each_fused_param<SGDOptions>(
      param_groups_, "SGD",
      [&](const SGDOptions& options, const Tensor& p, detail::FusedParam& fp) {
        Tensor buf;
        bool first = false;
        if (options.momentum() != 0) {
          auto* state = static_cast<SGDParamState*>(find_state(p));
          if (state == nullptr) {
            auto fresh = std::make_unique<SGDParamState>();
            fresh->momentum_buffer(detail::zeros_state(p));
            state = fresh.get();
            state_[param_key(p)] = std::move(fresh);
            first = true;
          }
          buf = detail::check_state(state->momentum_buffer(), fp, "SGD", "momentum_buffer");
        }
        kernels::dispatch_float_double(p.dtype(), "SGD", [&](auto tag) {
          using T = typename decltype(tag)::type;
          detail::with_flags(options.weight_decay() != 0, buf.defined(), options.nesterov(),
                             [&](auto kDecay, auto kMomentum, auto kNesterov) {
                               sgd_update<T, kDecay(), kMomentum(), kNesterov()>(
                                   fp.param.data_ptr<T>(), fp.grad.data_ptr<T>(),
                                   buf.defined() ? buf.data_ptr<T>() : nullptr, first, fp.numel,
                                   options);
                             });
        });
      });
  return loss;
}

}  // namespace tg::optim
