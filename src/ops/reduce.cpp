// Reductions: mean, prod, max/min (all forms), argmax/argmin, amax/amin, norm, var, std,
// logsumexp, softmax, log_softmax and cumsum (sum is in sum.cpp). Forward through the kernels of
// kernels/reduce.h; derivatives as libtorch's derivatives.yaml, written with differentiable ops
// so that double backward works.
#include "kernels/reduce.h"

#include <cmath>
#include <optional>
#include <tuple>

#include "autograd/record.h"
#include "core/internal.h"
#include "ops/reduce_dims.h"

namespace tg {

using kernels::DimMask;

namespace {

using reduce_dims::reduced_numel;
using reduce_dims::reduces;

/// A reduction's result (or gradient) with its reduced dims put back as size 1, so that it
/// broadcasts against the input.
Tensor restore(const Tensor& t, IntArrayRef sizes, DimMask mask, bool keepdim) {
  if (keepdim || sizes.empty()) return t;
  return t.reshape(reduce_dims::result_shape(sizes, mask, true));
}

std::string shape_of(const Tensor& x) { return detail::shape_str(x.sizes()); }

/// max, min, amax, amin, argmax and argmin have no identity: as libtorch, they refuse to reduce
/// an empty set. `dims_given` tells whether the caller named the dims.
void check_nonempty(const Tensor& x, DimMask mask, bool dims_given, const char* op) {
  if (x.numel() != 0) return;
  TG_CHECK(dims_given, op,
           "(): Expected reduction dim to be specified for input.numel() == 0 (input shape ",
           shape_of(x), "): the ", op,
           " of no elements is undefined. Specify the reduction dim with the 'dim' argument");
  for (int64_t d = 0; d < x.dim(); ++d)
    TG_CHECK(!reduces(mask, d) || x.size(d) != 0, op, "(): Expected reduction dim ", d,
             " to have non-zero size (input shape ", shape_of(x), "): the ", op,
             " of no elements is undefined; reduce over dims of non-zero size");
}

bool any_true(const Tensor& mask) {
  const DimMask all = reduce_dims::all(mask, "sum");
  const Tensor n = reduce_dims::empty_result(mask, all, false, kLong);
  kernels::reduce_sum(n, mask, all);
  return *static_cast<const int64_t*>(n.data_ptr()) != 0;
}

bool has_nan(const Tensor& t) {
  return is_floating_point(t.dtype()) && any_true(ne(t.detach(), t.detach()));
}

// ---- derivatives ----

/// The gradient of an extremum (max(), amax, norm inf) split evenly among the elements equal to
/// it, as libtorch (a NaN extremum goes to the NaN elements).
Tensor distribute_among_extrema(const Tensor& grad, const Tensor& x, const Tensor& value,
                                DimMask mask, bool keepdim) {
  const Tensor g = restore(grad, x.sizes(), mask, keepdim);
  const Tensor v = restore(value, x.sizes(), mask, keepdim).detach();
  const Tensor xd = x.detach();
  Tensor hit = detail::cast(eq(xd, v), x.dtype());
  if (has_nan(v)) hit = where(ne(v, v), detail::cast(ne(xd, xd), x.dtype()), hit);
  return hit * (g / sum(hit, reduce_dims::list(mask, x.dim()), true));
}

Tensor prod_impl(const Tensor& x, DimMask mask, bool keepdim, std::optional<ScalarType> dtype,
                 const char* node);

/// d prod / d x_k = prod of the others. Without zeros that is result / x. With zeros it is
/// built from p1, the product of the non-zero elements, so that it is exact where a division
/// would give 0/0, and so that its own derivative is exact too (double backward): with one zero
/// x_z, the zero's gradient is p1 and the others' p1 / x_k * x_z (value 0, derivative p1 / x_k
/// in x_z); with two zeros, each zero's gradient is p1 times the other zero; with more, every
/// gradient and its first derivative is 0.
Tensor prod_backward(const Tensor& grad, const Tensor& x, const Tensor& result, DimMask mask,
                     bool keepdim, const char* node) {
  if (x.dim() == 0) return grad;
  const Tensor g = restore(grad, x.sizes(), mask, keepdim);
  const Tensor is_zero = eq(x.detach(), 0);
  if (!any_true(is_zero)) return g * (restore(result, x.sizes(), mask, keepdim) / x);
  const DimVector dims = reduce_dims::list(mask, x.dim());
  const Tensor x1 = where(is_zero, 1.0, x);
  const Tensor p1 = prod_impl(x1, mask, true, std::nullopt, node);
  const Tensor zeros_in_slice = sum(is_zero, dims, true);
  const Tensor zero_sum = sum(where(is_zero, x, 0.0), dims, true);  // value 0, derivative 1
  const Tensor at_zero =
      where(eq(zeros_in_slice, 1), p1, where(eq(zeros_in_slice, 2), p1 * (zero_sum - x), 0.0));
  const Tensor elsewhere =
      where(eq(zeros_in_slice, 0), p1 / x1, where(eq(zeros_in_slice, 1), p1 / x1 * zero_sum, 0.0));
  return g * where(is_zero, at_zero, elsewhere);
}

/// The p-norm's derivative, as libtorch's norm_backward (0 where the norm is 0).
Tensor norm_backward(const Tensor& grad, const Tensor& x, const Tensor& norm, double p,
                     DimMask mask, bool keepdim) {
  const Tensor g = restore(grad, x.sizes(), mask, keepdim);
  const Tensor n = restore(norm, x.sizes(), mask, keepdim);
  if (p == 0) return zeros_like(x);  // a count: piecewise constant
  if (p == 1) return sign(x) * g;
  if (std::isinf(p)) return sign(x) * distribute_among_extrema(g, abs(x), n, mask, true);
  // Where the norm is 0 every x is 0 and the gradient is 0: divide by 1 there instead of 0 (a
  // masked 0/0 would still poison double backward with NaN).
  const Tensor safe_n = where(eq(n.detach(), 0), 1.0, n);
  if (p == 2) return g * (x / safe_n);
  if (p < 1) {
    // |x|^(p-1) is infinite at 0, where libtorch takes the gradient as 0.
    const Tensor is_zero = eq(x.detach(), 0);
    const Tensor scaled = where(is_zero, 0.0, sign(x) * pow(where(is_zero, 1.0, abs(x)), p - 1));
    return scaled * g * pow(n, 1 - p);
  }
  return sign(x) * pow(abs(x), p - 1) * (g / pow(safe_n, p - 1));
}

Tensor mean_impl(const Tensor& x, DimMask mask, bool keepdim, std::optional<ScalarType> dtype,
                 const char* node);

/// d var / d x = 2 (x - mean) / (N - correction).
Tensor var_backward(const Tensor& grad, const Tensor& x, DimMask mask, bool keepdim,
                    int64_t correction) {
  const Tensor g = restore(grad, x.sizes(), mask, keepdim);
  const double n = static_cast<double>(reduced_numel(x.sizes(), mask));
  const Tensor centered = x - mean_impl(x, mask, true, std::nullopt, "MeanBackward1");
  return g * (2.0 / (n - static_cast<double>(correction))) * centered;
}

// ---- the ops ----

Tensor mean_impl(const Tensor& x, DimMask mask, bool keepdim, std::optional<ScalarType> dtype,
                 const char* node) {
  if (dtype) {
    TG_CHECK(is_floating_point(*dtype),
             "mean(): could not infer output dtype. Optional dtype must be a floating point dtype "
             "(Float or Double) but got ",
             *dtype, "; pass dtype=tg::kFloat or tg::kDouble");
  } else {
    TG_CHECK(is_floating_point(x.dtype()),
             "mean(): could not infer output dtype. Input dtype must be a floating point dtype "
             "(Float or Double) but got ",
             x.dtype(), " (shape ", shape_of(x),
             "); pass dtype=tg::kFloat or convert with .to(tg::kFloat)");
  }
  const Tensor src = dtype ? x.to(*dtype) : x;
  Tensor result = reduce_dims::empty_result(src, mask, keepdim, src.dtype());
  kernels::reduce_mean(result, src, mask);
  if (needs_grad(src))
    record(
        node, {src}, {result}, save(),
        [shape = reduce_dims::result_shape(src.sizes(), mask, true), full = DimVector(src.sizes()),
         n = reduced_numel(src.sizes(), mask)](BackwardArgs<0>& a) -> variable_list {
          return {a.grad().reshape(shape).expand(full) / static_cast<double>(n)};
        });
  return result;
}

Tensor prod_impl(const Tensor& x, DimMask mask, bool keepdim, std::optional<ScalarType> dtype,
                 const char* node) {
  const Tensor src = dtype ? x.to(*dtype) : x;
  const ScalarType out = is_integral(src.dtype(), true) ? kLong : src.dtype();
  Tensor result = reduce_dims::empty_result(src, mask, keepdim, out);
  kernels::reduce_prod(result, src, mask);
  if (is_floating_point(out) && needs_grad(src))
    record(node, {src}, {result}, save(src, output(result)),
           [mask, keepdim, node](BackwardArgs<2>& a) -> variable_list {
             return {prod_backward(a.grad(), a.saved[0], a.saved[1], mask, keepdim, node)};
           });
  return result;
}

Tensor extremum(const Tensor& x, bool is_max) {
  const char* op = is_max ? "max" : "min";
  const DimMask mask = reduce_dims::all(x, op);
  check_nonempty(x, mask, false, op);
  Tensor result = reduce_dims::empty_result(x, mask, false, x.dtype());
  kernels::reduce_minmax(result, x, mask, is_max);
  if (needs_grad(x))
    record(is_max ? "MaxBackward1" : "MinBackward1", {x}, {result}, save(x, output(result)),
           [mask](BackwardArgs<2>& a) -> variable_list {
             return {distribute_among_extrema(a.grad(), a.saved[0], a.saved[1], mask, false)};
           });
  return result;
}

std::tuple<Tensor, Tensor> extremum_dim(const Tensor& x, int64_t dim, bool keepdim, bool is_max) {
  const char* op = is_max ? "max" : "min";
  const DimMask mask = reduce_dims::one(x, dim, op);
  const int64_t d = detail::wrap_dim(dim, x.dim(), op);
  check_nonempty(x, mask, true, op);
  Tensor values = reduce_dims::empty_result(x, mask, keepdim, x.dtype());
  Tensor indices = reduce_dims::empty_result(x, mask, keepdim, kLong);
  kernels::reduce_arg_minmax(values, indices, x, mask, is_max);
  if (needs_grad(x))
    // The gradient goes to the selected element only (libtorch's
    // value_selecting_reduction_backward).
    record(is_max ? "MaxBackward0" : "MinBackward0", {x}, {values}, save(indices),
           [d, keepdim, sizes = DimVector(x.sizes())](BackwardArgs<1>& a) -> variable_list {
             if (sizes.empty()) return {a.grad()};
             const Tensor g = keepdim ? a.grad() : a.grad().unsqueeze(d);
             const Tensor index = keepdim ? a.saved[0] : a.saved[0].unsqueeze(d);
             return {zeros(sizes, g.dtype()).scatter_add(d, index, g)};
           });
  return {values, indices};
}

Tensor arg_extremum(const Tensor& x, std::optional<int64_t> dim, bool keepdim, bool is_max) {
  const char* op = is_max ? "argmax" : "argmin";
  const DimMask mask = dim ? reduce_dims::one(x, *dim, op) : reduce_dims::all(x, op);
  check_nonempty(x, mask, dim.has_value(), op);
  Tensor indices = reduce_dims::empty_result(x, mask, keepdim, kLong);
  kernels::reduce_arg_minmax(std::nullopt, indices, x, mask, is_max);
  return indices;
}

Tensor amax_impl(const Tensor& x, IntArrayRef dims, bool keepdim, bool is_max) {
  const char* op = is_max ? "amax" : "amin";
  const DimMask mask = reduce_dims::of(x, dims, op);
  check_nonempty(x, mask, !dims.empty(), op);
  Tensor result = reduce_dims::empty_result(x, mask, keepdim, x.dtype());
  kernels::reduce_minmax(result, x, mask, is_max);
  if (needs_grad(x))
    record(is_max ? "AmaxBackward0" : "AminBackward0", {x}, {result}, save(x, output(result)),
           [mask, keepdim](BackwardArgs<2>& a) -> variable_list {
             return {distribute_among_extrema(a.grad(), a.saved[0], a.saved[1], mask, keepdim)};
           });
  return result;
}

Tensor norm_impl(const Tensor& x, double p, DimMask mask, bool keepdim, const char* node) {
  TG_CHECK(is_floating_point(x.dtype()),
           "norm(): input dtype should be floating point (Float or Double) but got ", x.dtype(),
           " (shape ", shape_of(x), "); convert with .to(tg::kFloat)");
  Tensor result = reduce_dims::empty_result(x, mask, keepdim, x.dtype());
  kernels::reduce_norm(result, x, mask, p);
  if (needs_grad(x))
    record(node, {x}, {result}, save(x, output(result)),
           [p, mask, keepdim](BackwardArgs<2>& a) -> variable_list {
             return {norm_backward(a.grad(), a.saved[0], a.saved[1], p, mask, keepdim)};
           });
  return result;
}

Tensor var_impl(const Tensor& x, DimMask mask, bool unbiased, bool keepdim, bool is_std) {
  const char* op = is_std ? "std" : "var";
  TG_CHECK(is_floating_point(x.dtype()), op,
           "(): std and var only support floating point dtypes (Float or Double) but got ",
           x.dtype(), " (shape ", shape_of(x), "); convert with .to(tg::kFloat)");
  const int64_t correction = unbiased ? 1 : 0;
  Tensor result = reduce_dims::empty_result(x, mask, keepdim, x.dtype());
  kernels::reduce_var(result, x, mask, correction, is_std);
  if (!needs_grad(x)) return result;
  if (!is_std) {
    record("VarBackward0", {x}, {result}, save(x),
           [mask, keepdim, correction](BackwardArgs<1>& a) -> variable_list {
             return {var_backward(a.grad(), a.saved[0], mask, keepdim, correction)};
           });
  } else {
    // d std = d var / (2 std), taken as 0 where std is 0 (as libtorch).
    record("StdBackward0", {x}, {result}, save(x, output(result)),
           [mask, keepdim, correction](BackwardArgs<2>& a) -> variable_list {
             const Tensor& x = a.saved[0];
             const Tensor s = restore(a.saved[1], x.sizes(), mask, keepdim);
             const Tensor g = restore(a.grad(), x.sizes(), mask, keepdim);
             const Tensor is_zero = eq(s.detach(), 0);
             const Tensor g_var = where(is_zero, 0.0, g / (where(is_zero, 1.0, s) * 2.0));
             return {var_backward(g_var, x, mask, true, correction)};
           });
  }
  return result;
}

/// The derivative of softmax (log = false: y (g - sum(g y))) or log_softmax (log = true:
/// g - exp(y) sum(g)) along d, as one fused kernel. It is recorded as an op of its own, with
/// derivatives in differentiable ops, so that double backward works (as libtorch's
/// _softmax_backward_data).
Tensor softmax_backward_data(const Tensor& grad, const Tensor& y, int64_t d, bool log) {
  const Tensor g = grad.dtype() == y.dtype() ? grad : grad.to(y.dtype());
  Tensor result = detail::make_empty(y.sizes(), y.dtype());
  kernels::softmax_backward_dim(result, detail::contiguous_data(g), detail::contiguous_data(y), d,
                                log);
  if (needs_grad(g, y)) {
    const bool scalar = y.dim() == 0;
    record(log ? "LogSoftmaxBackwardDataBackward0" : "SoftmaxBackwardDataBackward0", {g, y},
           {result}, save(g, y), [d, scalar, log](BackwardArgs<2>& a) -> variable_list {
             const Tensor& gg = a.grad();
             const Tensor& g = a.saved[0];
             const Tensor& y = a.saved[1];
             auto dim_sum = [&](const Tensor& t) {
               return scalar ? t : sum(t, IntArrayRef{d}, true);
             };
             Tensor grad_g, grad_y;
             if (log) {
               // out = g - e sum(g), e = exp(y)
               const Tensor e = exp(y);
               if (a.needs(0)) grad_g = gg - dim_sum(gg * e);
               if (a.needs(1)) grad_y = -(gg * e * dim_sum(g));
             } else {
               // out = y (g - sum(g y)): linear in g with the softmax derivative's own form.
               if (a.needs(0)) grad_g = softmax_backward_data(gg, y, d, false);
               if (a.needs(1)) grad_y = gg * (g - dim_sum(g * y)) - g * dim_sum(gg * y);
             }
             return {grad_g, grad_y};
           });
  }
  return result;
}

Tensor softmax_impl(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  if (dtype)
    TG_CHECK(is_floating_point(*dtype), op,
             "(): dtype must be a floating point dtype (Float or Double) but got ", *dtype,
             "; pass dtype=tg::kFloat or tg::kDouble");
  const Tensor src = dtype ? x.to(*dtype) : x;
  TG_CHECK(is_floating_point(src.dtype()), op,
           "(): expected a floating point input (Float or Double) but got ", src.dtype(),
           " (shape ", shape_of(src), "); pass dtype=tg::kFloat or convert with .to(tg::kFloat)");
  const int64_t d = detail::wrap_dim(dim, src.dim(), op);
  Tensor result = detail::make_empty(src.sizes(), src.dtype());
  kernels::softmax_dim(result, detail::contiguous_data(src), d, log);
  if (needs_grad(src))
    // softmax: y (g - sum(g y)); log_softmax: g - exp(y) sum(g); y the saved output.
    record(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", {src}, {result}, save(output(result)),
           [d, log](BackwardArgs<1>& a) -> variable_list {
             return {softmax_backward_data(a.grad(), a.saved[0], d, log)};
           });
  return result;
}

}  // namespace

// ---- public functions ----

Tensor mean(const Tensor& x, std::optional<ScalarType> dtype) {
  return mean_impl(x, reduce_dims::all(x, "mean"), false, dtype, "MeanBackward0");
}
Tensor mean(const Tensor& x, IntArrayRef dim, bool keepdim, std::optional<ScalarType> dtype) {
  return mean_impl(x, reduce_dims::of(x, dim, "mean"), keepdim, dtype, "MeanBackward1");
}

Tensor prod(const Tensor& x, std::optional<ScalarType> dtype) {
  return prod_impl(x, reduce_dims::all(x, "prod"), false, dtype, "ProdBackward0");
}
Tensor prod(const Tensor& x, int64_t dim, bool keepdim, std::optional<ScalarType> dtype) {
  return prod_impl(x, reduce_dims::one(x, dim, "prod"), keepdim, dtype, "ProdBackward1");
}

Tensor max(const Tensor& x) { return extremum(x, true); }
Tensor min(const Tensor& x) { return extremum(x, false); }
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  return extremum_dim(x, dim, keepdim, true);
}
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  return extremum_dim(x, dim, keepdim, false);
}

Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_extremum(x, dim, keepdim, true);
}
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_extremum(x, dim, keepdim, false);
}

Tensor amax(const Tensor& x, IntArrayRef dim, bool keepdim) {
  return amax_impl(x, dim, keepdim, true);
}
Tensor amin(const Tensor& x, IntArrayRef dim, bool keepdim) {
  return amax_impl(x, dim, keepdim, false);
}

Tensor norm(const Tensor& x, const Scalar& p) {
  return norm_impl(x, p.toDouble(), reduce_dims::all(x, "norm"), false, "NormBackward0");
}
Tensor norm(const Tensor& x, const std::optional<Scalar>& p, IntArrayRef dim, bool keepdim) {
  return norm_impl(x, p ? p->toDouble() : 2.0, reduce_dims::of(x, dim, "norm"), keepdim,
                   "NormBackward1");
}

Tensor var(const Tensor& x, bool unbiased) {
  return var_impl(x, reduce_dims::all(x, "var"), unbiased, false, false);
}
Tensor var(const Tensor& x, IntArrayRef dim, bool unbiased, bool keepdim) {
  return var_impl(x, reduce_dims::of(x, dim, "var"), unbiased, keepdim, false);
}
Tensor std(const Tensor& x, bool unbiased) {
  return var_impl(x, reduce_dims::all(x, "std"), unbiased, false, true);
}
Tensor std(const Tensor& x, IntArrayRef dim, bool unbiased, bool keepdim) {
  return var_impl(x, reduce_dims::of(x, dim, "std"), unbiased, keepdim, true);
}

Tensor logsumexp(const Tensor& x, IntArrayRef dim, bool keepdim) {
  const DimMask mask = reduce_dims::of(x, dim, "logsumexp");
  // Integers and bools compute in Float, as libtorch.
  const Tensor src = is_floating_point(x.dtype()) ? x : detail::cast(x, kFloat);
  Tensor result = reduce_dims::empty_result(src, mask, keepdim, src.dtype());
  kernels::reduce_logsumexp(result, src, mask);
  if (needs_grad(src))
    // g exp(x - result): the softmax over the reduced dims.
    record("LogsumexpBackward0", {src}, {result}, save(src, output(result)),
           [mask, keepdim](BackwardArgs<2>& a) -> variable_list {
             const Tensor& x = a.saved[0];
             const Tensor g = restore(a.grad(), x.sizes(), mask, keepdim);
             return {g * exp(x - restore(a.saved[1], x.sizes(), mask, keepdim))};
           });
  return result;
}

Tensor softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  return softmax_impl(x, dim, dtype, false);
}
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  return softmax_impl(x, dim, dtype, true);
}

Tensor cumsum(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  const int64_t d = detail::wrap_dim(dim, x.dim(), "cumsum");
  // Integers and bools sum in Long unless a dtype is given, as libtorch.
  const Tensor src = dtype                          ? x.to(*dtype)
                     : is_integral(x.dtype(), true) ? detail::cast(x, kLong)
                                                    : x;
  // A Bool dtype sums in Long too.
  const Tensor data =
      detail::contiguous_data(src.dtype() == kBool ? detail::cast(src, kLong) : src);
  Tensor result = detail::make_empty(data.sizes(), data.dtype());
  kernels::cumsum_dim(result, data, d);
  if (is_floating_point(result.dtype()) && needs_grad(src))
    // The gradient of a prefix sum is the suffix sum of the gradient: reverse, cumsum, reverse.
    record("CumsumBackward0", {src}, {result}, save(),
           [d, n = src.dim() == 0 ? int64_t(1) : src.size(d),
            scalar = src.dim() == 0](BackwardArgs<0>& a) -> variable_list {
             if (scalar) return {a.grad()};
             const Tensor reversed = arange(n - 1, -1, -1, kLong);
             return {a.grad().index_select(d, reversed).cumsum(d).index_select(d, reversed)};
           });
  return result;
}

// ---- Tensor methods ----

Tensor Tensor::mean(std::optional<ScalarType> dtype) const { return tg::mean(*this, dtype); }
Tensor Tensor::mean(IntArrayRef dim, bool keepdim, std::optional<ScalarType> dtype) const {
  return tg::mean(*this, dim, keepdim, dtype);
}
Tensor Tensor::prod(std::optional<ScalarType> dtype) const { return tg::prod(*this, dtype); }
Tensor Tensor::prod(int64_t dim, bool keepdim, std::optional<ScalarType> dtype) const {
  return tg::prod(*this, dim, keepdim, dtype);
}
Tensor Tensor::max() const { return tg::max(*this); }
Tensor Tensor::min() const { return tg::min(*this); }
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  return tg::max(*this, dim, keepdim);
}
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const {
  return tg::min(*this, dim, keepdim);
}
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const {
  return tg::argmax(*this, dim, keepdim);
}
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const {
  return tg::argmin(*this, dim, keepdim);
}
Tensor Tensor::amax(IntArrayRef dim, bool keepdim) const { return tg::amax(*this, dim, keepdim); }
Tensor Tensor::amin(IntArrayRef dim, bool keepdim) const { return tg::amin(*this, dim, keepdim); }
Tensor Tensor::norm(const Scalar& p) const { return tg::norm(*this, p); }
Tensor Tensor::norm(const std::optional<Scalar>& p, IntArrayRef dim, bool keepdim) const {
  return tg::norm(*this, p, dim, keepdim);
}
Tensor Tensor::var(bool unbiased) const { return tg::var(*this, unbiased); }
Tensor Tensor::var(IntArrayRef dim, bool unbiased, bool keepdim) const {
  return tg::var(*this, dim, unbiased, keepdim);
}
Tensor Tensor::std(bool unbiased) const { return tg::std(*this, unbiased); }
Tensor Tensor::std(IntArrayRef dim, bool unbiased, bool keepdim) const {
  return tg::std(*this, dim, unbiased, keepdim);
}
Tensor Tensor::logsumexp(IntArrayRef dim, bool keepdim) const {
  return tg::logsumexp(*this, dim, keepdim);
}
Tensor Tensor::softmax(int64_t dim, std::optional<ScalarType> dtype) const {
  return tg::softmax(*this, dim, dtype);
}
Tensor Tensor::log_softmax(int64_t dim, std::optional<ScalarType> dtype) const {
  return tg::log_softmax(*this, dim, dtype);
}
Tensor Tensor::cumsum(int64_t dim, std::optional<ScalarType> dtype) const {
  return tg::cumsum(*this, dim, dtype);
}

}  // namespace tg
