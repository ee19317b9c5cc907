// Loss kernels (see loss.h).
#include "kernels/loss.h"

#include <algorithm>

#include "kernels/loop.h"

namespace tg::kernels {
namespace {

/// Classes and the elements per class of one sample (the product of the dims after dim 1) of
/// an input of `sizes`.
struct NllShape {
  int64_t classes, inner;
};

NllShape nll_shape(const View& x) {
  NllShape s{x.dim() == 1 ? x.size(0) : x.size(1), 1};
  for (int64_t d = 2; d < x.dim(); ++d) s.inner *= x.size(d);
  return s;
}

}  // namespace

double nll_loss_forward(const View& out, const View& x, const View& target,
                        const std::optional<View>& weight, int64_t ignore_index,
                        NllReduction reduction) {
  const NllShape s = nll_shape(x);
  const int64_t count = target.numel();
  const int64_t* tp = target.data_ptr<int64_t>();
  double total_weight = 0;  // of the counted targets; only Mean uses it
  dispatch_float_double(x.dtype(), "nll_loss", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* xp = x.data_ptr<T>();
    const T* wp = weight ? weight->data_ptr<T>() : nullptr;
    auto element = [&](int64_t i) -> int64_t {  // offset of x[n, t_i, k]
      return (i / s.inner) * s.classes * s.inner + tp[i] * s.inner + i % s.inner;
    };
    T* o = out.data_ptr<T>();
    if (reduction == NllReduction::None) {
      for (int64_t i = 0; i < count; ++i)
        o[i] = tp[i] == ignore_index ? T(0) : -(wp ? wp[tp[i]] : T(1)) * xp[element(i)];
      return;
    }
    double sum = 0;  // in double whatever the dtype, for accuracy over large batches
    for (int64_t i = 0; i < count; ++i) {
      if (tp[i] == ignore_index) continue;
      const double wv = wp ? static_cast<double>(wp[tp[i]]) : 1.0;
      sum -= wv * static_cast<double>(xp[element(i)]);
      total_weight += wv;
    }
    o[0] = static_cast<T>(reduction == NllReduction::Mean ? sum / total_weight : sum);
  });
  return total_weight;
}

void nll_loss_coefficients(const View& coef, const View& safe, const View& target,
                           const std::optional<View>& weight, int64_t ignore_index, double scale) {
  const int64_t* tp = target.data_ptr<int64_t>();
  dispatch_float_double(coef.dtype(), "nll_loss", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* wp = weight ? weight->data_ptr<T>() : nullptr;
    T* cp = coef.data_ptr<T>();
    int64_t* sp = safe.data_ptr<int64_t>();
    for (int64_t i = 0, n = target.numel(); i < n; ++i) {
      const bool ignored = tp[i] == ignore_index;
      sp[i] = ignored ? 0 : tp[i];
      cp[i] = ignored ? T(0) : static_cast<T>(-(wp ? static_cast<double>(wp[tp[i]]) : 1.0) * scale);
    }
  });
}

void nll_loss_backward(const View& gx, const View& g, const View& coef, const View& safe,
                       bool reduced) {
  const NllShape s = nll_shape(gx);
  const int64_t* sp = safe.data_ptr<int64_t>();
  dispatch_float_double(gx.dtype(), "nll_loss backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* out = gx.data_ptr<T>();
    const T* cp = coef.data_ptr<T>();
    const T* gp = g.data_ptr<T>();
    std::fill(out, out + gx.numel(), T(0));
    for (int64_t i = 0, n = coef.numel(); i < n; ++i)
      out[(i / s.inner) * s.classes * s.inner + sp[i] * s.inner + i % s.inner] =
          (reduced ? gp[0] : gp[i]) * cp[i];
  });
}

}  // namespace tg::kernels
