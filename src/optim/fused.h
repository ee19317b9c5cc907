#pragma once
// Helpers for the optimizers' fused update loops: each step walks a parameter, its gradient and
// its state once, in a single loop over raw arrays, instead of a chain of tensor ops that would
// allocate temporaries (see Note [Fused optimizer steps] in optimizer.cpp).
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "kernels/loop.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/optim/optimizer.h"
#include "tensorgrad/tensor.h"

namespace tg::optim::detail {

/// A parameter prepared for a fused update: `param` and `grad` are contiguous with the
/// parameter's dtype. When the parameter itself is not contiguous, `param` is a contiguous copy
/// that finish() writes back.
struct FusedParam {
  Tensor target;  // the parameter as the user holds it
  Tensor param;   // contiguous data to update in place
  Tensor grad;    // contiguous gradient, same dtype as param
  int64_t numel = 0;

  /// Writes the result into the parameter (when param is a copy) and bumps its version counter,
  /// so that a graph that saved the old value refuses to run backward.
  void finish() const;
};

/// Prepares p (which has a defined gradient) for optimizer `op` ("Adam", ...). Throws when p is
/// not floating point or its gradient's shape differs from its own.
FusedParam prepare(const Tensor& p, const char* op);

/// A zero-filled contiguous tensor shaped and typed as p (for optimizer state).
Tensor zeros_state(const Tensor& p);

/// Checks that a state tensor (e.g. "exp_avg") can be walked with p's fused loop: contiguous,
/// same dtype and numel. Returns it, or throws naming the optimizer and the state.
const Tensor& check_state(const Tensor& state, const FusedParam& fp, const char* op,
                          const char* name);

/// x[i] = sqrt(x[i]) for i < n, with the CPU's vector instructions where it has them. The
/// update loops call it on small blocks: a std::sqrt inside a loop keeps the compiler from
/// vectorising the loop (sqrt may set errno).
void sqrt_in_place(float* x, int64_t n);
void sqrt_in_place(double* x, int64_t n);

/// Elements per block of the update loops: a block's scratch array stays in L1.
constexpr int64_t kBlock = 512;

/// Runs body(begin, end) over [0, n) in blocks of at most kBlock elements, split across the
/// intra-op threads for large parameters.
template <class Body>
inline void for_blocks(int64_t n, Body&& body) {
  kernels::parallel_range(n, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; b += kBlock) body(b, std::min(end, b + kBlock));
  });
}

/// The walk of every fused step: under no-grad, update(options, p, fp) for each parameter p
/// (with a gradient) of every group, Options being the optimizer's options type and fp p
/// prepared for optimizer `op`, then fp.finish() writes the result back.
template <class Options, class Update>
void for_each_fused_param(std::vector<OptimizerParamGroup>& groups, const char* op,
                          Update&& update) {
  NoGradGuard no_grad;
  for (auto& group : groups) {
    const auto& options = static_cast<const Options&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      FusedParam fp = prepare(p, op);
      update(options, p, fp);
      fp.finish();
    }
  }
}

/// Calls f(std::bool_constant<a>{}, std::bool_constant<b>{}, std::bool_constant<c>{}): turns
/// run-time flags into template arguments so that the update loops have no branches inside.
template <class F>
decltype(auto) with_flags(bool a, bool b, bool c, F&& f) {
  auto with_c = [&](auto ka, auto kb) -> decltype(auto) {
    return c ? f(ka, kb, std::true_type{}) : f(ka, kb, std::false_type{});
  };
  auto with_b = [&](auto ka) -> decltype(auto) {
    return b ? with_c(ka, std::true_type{}) : with_c(ka, std::false_type{});
  };
  return a ? with_b(std::true_type{}) : with_b(std::false_type{});
}

}  // namespace tg::optim::detail
