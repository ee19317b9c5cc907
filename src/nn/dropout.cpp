// Dropout: input times a mask of 0 and 1 / (1 - p), so the derivative is the mul's
// (MulBackward0), as libtorch's dropout.
#include "core/internal.h"
#include "kernels/loop.h"
#include "tensorgrad/nn/ops_conv.h"

namespace tg {
namespace {

void check_probability(double p, const char* op) {
  TG_CHECK(p >= 0. && p <= 1., op, ": probability has to be between 0 and 1, but got ", p);
}

/// Each element 1 / (1 - p) with probability 1 - p, else 0; drawn from the global generator
/// (See Note [Global generator]), so manual_seed makes it reproducible.
Tensor dropout_mask(const Tensor& input, double p, const char* op) {
  TG_CHECK(is_floating_point(input.dtype()), op, ": expected a Float or Double input but got ",
           input.dtype(), "; convert with .to(tg::kFloat)");
  Tensor mask = rand_like(input);
  kernels::dispatch_floating(input.dtype(), op, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const double keep = 1.0 - p;
    const T scale = static_cast<T>(1.0 / keep);
    kernels::unary_loop<T, T>(
        mask, mask, [keep, scale](T u) { return static_cast<double>(u) < keep ? scale : T(0); });
  });
  return mask;
}

}  // namespace

Tensor dropout(const Tensor& input, double p, bool train) {
  check_probability(p, "dropout");
  TG_CHECK(input.defined(), "dropout: the input is undefined");
  if (p == 0 || !train || input.numel() == 0) return input;
  if (p == 1) return input * zeros({}, input.dtype());
  return input * dropout_mask(input, p, "dropout");
}

Tensor& dropout_(Tensor& input, double p, bool train) {
  check_probability(p, "dropout_");
  TG_CHECK(input.defined(), "dropout_: the input is undefined");
  if (p == 0 || !train || input.numel() == 0) return input;
  // Run as an in-place op of its own rather than through mul_, so that the in-place checks (leaf,
  // view, inference tensor) name dropout_ and fail before the mask is drawn.
  auto mask = [&] {
    return p == 1 ? zeros({}, input.dtype()) : dropout_mask(input, p, "dropout_");
  };
  return detail::inplace(
      input, "dropout_", false, [&](const Tensor& old) { return old * mask(); },
      [&] {
        const Tensor m = mask();
        if (!is_floating_point(input.dtype())) {  // p == 1 on an integer tensor
          detail::copy_into(input, input * m);
          return;
        }
        kernels::dispatch_floating(input.dtype(), "dropout_", [&](auto tag) {
          using T = typename decltype(tag)::type;
          kernels::binary_loop<T, T, T>(input, input, m, [](T x, T k) { return x * k; });
        });
      });
}

}  // namespace tg
