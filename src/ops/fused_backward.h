#pragma once
// The fused-backward shortcut: a derivative g * f'(t) written with differentiable ops makes
// several passes over memory; when no graph is built through the backward, it runs instead as one
// loop over the scalars.
#include "autograd/record.h"
#include "core/deferred.h"
#include "core/internal.h"
#include "kernels/loop.h"

namespace tg {

/// True when a derivative f(g, t) can run as one loop: no graph is built through it (so it never
/// needs differentiating) and g and t are same-shape tensors of one floating dtype. Not when the
/// ops would defer: written with them, the derivative joins the deferred chain around it (Note
/// [Deferred elementwise chains]) instead of reading and writing memory on its own.
inline bool can_fuse(const Tensor& g, const Tensor& t) {
  return !autograd::needs_grad(g, t) && g.dtype() == t.dtype() && t.is_floating_point() &&
         g.sizes() == t.sizes() && !detail::can_defer(t.dtype(), {&g, &t});
}

/// out[i] = f(g[i], t[i]) in t's floating type (see can_fuse); Half and BFloat16 compute in float.
template <class F>
Tensor fused(const Tensor& g, const Tensor& t, F f) {
  Tensor out = detail::make_empty(t.sizes(), t.dtype());
  kernels::dispatch_floating(t.dtype(), "fused backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using C = kernels::opmath_t<T>;
    kernels::binary_loop<T, T, T>(out, g, t,
                                  [f](T a, T b) { return static_cast<T>(f(C(a), C(b))); });
  });
  return out;
}

}  // namespace tg
