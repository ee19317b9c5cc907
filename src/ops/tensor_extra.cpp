// More of libtorch's Tensor API, none of it differentiable: tests of values (isnan, isinf,
// isfinite, all, any), the binary max/min and var_mean/std_mean spellings, type_as,
// set_data, and the in-place random fills random_, uniform_ and normal_.
#include <cmath>
#include <limits>

#include "autograd/record.h"
#include "core/internal.h"
#include "kernels/loop.h"

namespace tg {

namespace {

/// out[i] = test(x[i]) for floating x; integers and bools give `integral` everywhere.
template <class Test>
Tensor test_values(const Tensor& x, const char* op, bool integral, Test test) {
  TG_CHECK(x.defined(), op, ": the tensor is undefined");
  Tensor out = detail::make_empty(x.sizes(), kBool);
  switch (x.dtype()) {
    case kFloat:
      kernels::unary_loop<bool, float>(out, x, [&](float v) { return test(v); });
      break;
    case kDouble:
      kernels::unary_loop<bool, double>(out, x, [&](double v) { return test(v); });
      break;
    default:
      kernels::fill_loop<bool>(out, integral);
  }
  return out;
}

/// An in-place fill of self with `values` (a new tensor of self's shape and dtype): seen by
/// autograd as an op whose result does not depend on the old value.
Tensor& fill_with(const Tensor& self, const Tensor& values, const char* op) {
  return detail::inplace(
      self, op, false,
      [&](const Tensor& old) {
        Tensor result = values.detach();
        autograd::record(
            "FillBackward0", {old}, {result}, autograd::save(),
            [](autograd::BackwardArgs<0>& a) -> variable_list { return {zeros_like(a.grad())}; });
        return result;
      },
      [&] { detail::copy_into(self, values); });
}

}  // namespace

Tensor isnan(const Tensor& x) {
  return test_values(x, "isnan", false, [](auto v) { return std::isnan(v); });
}
Tensor isinf(const Tensor& x) {
  return test_values(x, "isinf", false, [](auto v) { return std::isinf(v); });
}
Tensor isfinite(const Tensor& x) {
  return test_values(x, "isfinite", true, [](auto v) { return std::isfinite(v); });
}

// NaN counts as non-zero, as in libtorch.
Tensor all(const Tensor& x) { return x.eq(0).sum().eq(0); }
Tensor all(const Tensor& x, int64_t dim, bool keepdim) { return x.eq(0).sum({dim}, keepdim).eq(0); }
Tensor any(const Tensor& x) { return x.ne(0).sum().gt(0); }
Tensor any(const Tensor& x, int64_t dim, bool keepdim) { return x.ne(0).sum({dim}, keepdim).gt(0); }

Tensor max(const Tensor& a, const Tensor& b) { return maximum(a, b); }
Tensor min(const Tensor& a, const Tensor& b) { return minimum(a, b); }

std::tuple<Tensor, Tensor> var_mean(const Tensor& x, bool unbiased) {
  return {var(x, unbiased), mean(x)};
}
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, IntArrayRef dim, bool unbiased, bool keepdim) {
  return {var(x, dim, unbiased, keepdim), mean(x, dim, keepdim)};
}
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, bool unbiased) {
  return {std(x, unbiased), mean(x)};
}
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, IntArrayRef dim, bool unbiased, bool keepdim) {
  return {std(x, dim, unbiased, keepdim), mean(x, dim, keepdim)};
}

Tensor Tensor::isnan() const { return tg::isnan(*this); }
Tensor Tensor::isinf() const { return tg::isinf(*this); }
Tensor Tensor::isfinite() const { return tg::isfinite(*this); }
Tensor Tensor::all() const { return tg::all(*this); }
Tensor Tensor::all(int64_t dim, bool keepdim) const { return tg::all(*this, dim, keepdim); }
Tensor Tensor::any() const { return tg::any(*this); }
Tensor Tensor::any(int64_t dim, bool keepdim) const { return tg::any(*this, dim, keepdim); }
Tensor Tensor::max(const Tensor& other) const { return tg::maximum(*this, other); }
Tensor Tensor::min(const Tensor& other) const { return tg::minimum(*this, other); }
Tensor Tensor::type_as(const Tensor& other) const { return to(other.dtype()); }

void Tensor::set_data(const Tensor& new_data) const {
  TG_CHECK(defined(), "set_data: the tensor is undefined");
  TG_CHECK(new_data.defined(), "set_data: new_data is undefined");
  detail::share_data(*impl_, *new_data.impl_);
}

// ---- random fills ----

Tensor& Tensor::random_() const { return random_(0, std::nullopt); }
Tensor& Tensor::random_(int64_t to) const { return random_(0, to); }

Tensor& Tensor::random_(int64_t from, std::optional<int64_t> to) const {
  // Without `to`: up to the largest integer the dtype holds exactly (inclusive).
  int64_t high = 0;
  if (to) {
    high = *to;
  } else {
    switch (dtype()) {
      case kFloat:
        high = (int64_t{1} << std::numeric_limits<float>::digits) + 1;
        break;
      case kDouble:
        high = (int64_t{1} << std::numeric_limits<double>::digits) + 1;
        break;
      case kBool:
        high = 2;
        break;
      default:
        high = std::numeric_limits<int64_t>::max();
    }
  }
  TG_CHECK(from < high, "random_ expects 'from' to be less than 'to', but got from=", from,
           " >= to=", high);
  return fill_with(*this, randint(from, high, sizes(), dtype()), "random_");
}

Tensor& Tensor::uniform_(double from, double to) const {
  TG_CHECK(from <= to, "uniform_ expects to return a [from, to) range, but found from=", from,
           " > to=", to);
  return fill_with(*this, rand(sizes(), dtype()).mul(to - from).add(from), "uniform_");
}

Tensor& Tensor::normal_(double mean, double std) const {
  TG_CHECK(std >= 0, "normal_ expects std >= 0.0, but found std ", std);
  return fill_with(*this, randn(sizes(), dtype()).mul(std).add(mean), "normal_");
}

}  // namespace tg
