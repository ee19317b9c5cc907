// The out= forms of ops (libtorch's mul_out and friends): the op computed without history and
// written into a given tensor, which is resized to the result's shape.
#include <functional>
#include <string>

#include "core/internal.h"
#include "tensorgrad/autograd.h"

namespace tg {

namespace {

/// Writes compute() into out, after the checks every out= form makes.
Tensor& write_out(const char* op, Tensor& out, std::initializer_list<Tensor> inputs,
                  const std::function<Tensor()>& compute) {
  TG_CHECK(out.defined(), op, "_out: the out tensor is undefined; pass a tensor to write into");
  bool requires_grad = out.requires_grad();
  for (const Tensor& t : inputs)
    requires_grad = requires_grad || (t.defined() && t.requires_grad());
  TG_CHECK(!(GradMode::is_enabled() && requires_grad), op,
           "(): functions with out=... arguments don't support automatic differentiation, but "
           "one of the arguments requires grad. Call it under tg::NoGradGuard, or use ",
           op, "() without out=");
  const std::string name = std::string(op) + "_out";
  detail::check_inplace_allowed(out, name.c_str());
  Tensor result;
  {
    NoGradGuard no_grad;
    result = compute();
  }
  TG_CHECK(is_floating_point(out.dtype()) || !is_floating_point(result.dtype()), name,
           ": result type ", result.dtype(), " can't be cast to the desired output type ",
           out.dtype());
  if (!out.sizes().equals(result.sizes())) {
    if (out.numel() != 0)
      detail::warn(name + ": An output with one or more elements was resized since it had shape " +
                   detail::shape_str(out.sizes()) +
                   ", which does not match the required output shape " +
                   detail::shape_str(result.sizes()) +
                   ". This behavior is deprecated; resize the output to zero elements first "
                   "(out.resize_({0})) to reuse it");
    out.resize_(result.sizes());
  }
  detail::copy_into(out, result);
  detail::bump_version(out);
  return out;
}

}  // namespace

Tensor& add_out(Tensor& out, const Tensor& self, const Tensor& other, const Scalar& alpha) {
  return write_out("add", out, {self, other}, [&] { return add(self, other, alpha); });
}
Tensor& sub_out(Tensor& out, const Tensor& self, const Tensor& other, const Scalar& alpha) {
  return write_out("sub", out, {self, other}, [&] { return sub(self, other, alpha); });
}
Tensor& mul_out(Tensor& out, const Tensor& self, const Tensor& other) {
  return write_out("mul", out, {self, other}, [&] { return mul(self, other); });
}
Tensor& div_out(Tensor& out, const Tensor& self, const Tensor& other) {
  return write_out("div", out, {self, other}, [&] { return div(self, other); });
}
Tensor& mm_out(Tensor& out, const Tensor& self, const Tensor& mat2) {
  return write_out("mm", out, {self, mat2}, [&] { return mm(self, mat2); });
}
Tensor& matmul_out(Tensor& out, const Tensor& self, const Tensor& other) {
  return write_out("matmul", out, {self, other}, [&] { return matmul(self, other); });
}
Tensor& linear_out(Tensor& out, const Tensor& input, const Tensor& weight,
                   const std::optional<Tensor>& bias) {
  return write_out("linear", out, {input, weight, bias.value_or(Tensor())}, [&] {
    Tensor y = matmul(input, t(weight));
    return bias && bias->defined() ? y + *bias : y;
  });
}

}  // namespace tg
