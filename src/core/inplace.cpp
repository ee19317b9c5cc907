#include "autograd/meta.h"
#include "autograd/view.h"
#include "core/internal.h"

namespace tg::detail {

// Note [In-place ops]
// An in-place op that autograd must see is computed out of place from a copy of the old value
// that carries the old history, and the result is written back into the tensor, which then
// takes the new node as its grad_fn. Saving the copy (not the tensor being overwritten) is what
// lets formulas such as mul_'s use the old value. Anyone else who saved the tensor sees its
// version move and throws at backward. Without autograd the kernel simply writes in place. On a
// view, the base takes the new history: See Note [Views and in-place] in src/autograd/view.cpp.
Tensor& inplace(const Tensor& self_const, const char* op, bool other_requires_grad,
                const std::function<Tensor(const Tensor&)>& out_of_place,
                const std::function<void()>& in_place_kernel) {
  // In-place methods are const, as in libtorch: the handle is const, the data is not.
  Tensor& self = const_cast<Tensor&>(self_const);
  TG_CHECK(self.defined(), op, ": the tensor is undefined");
  check_inplace_allowed(self, op);
  const bool record = GradMode::is_enabled() && (self.requires_grad() || other_requires_grad);
  if (!record) {
    in_place_kernel();
    bump_version(self);
    return self;
  }
  const bool is_view = self.is_view();
  if (is_view) autograd::check_inplace_on_view(self, op);
  TG_CHECK(!self.is_leaf() || !self.requires_grad(), op,
           ": a leaf Variable that requires grad is being used in an in-place operation; "
           "modify it under tg::NoGradGuard (as optimizers do) or use the out-of-place form");
  Tensor old = make_empty(self.sizes(), self.dtype());
  copy_into(old, self);
  if (const std::shared_ptr<autograd::Node>& fn = self.grad_fn()) {
    autograd::AutogradMeta& m = autograd::meta_of(old);
    m.grad_fn = fn;
    m.output_nr = autograd::meta_if(self)->output_nr;
  }
  Tensor result = out_of_place(old);
  TG_CHECK(result.sizes().equals(self.sizes()), op, ": output with shape ", shape_str(self.sizes()),
           " doesn't match the broadcast shape ", shape_str(result.sizes()),
           "; an in-place op cannot change the tensor's shape");
  TG_CHECK(result.dtype() == self.dtype() || is_floating_point(self.dtype()) ||
               !is_floating_point(result.dtype()),
           op, ": result type ", result.dtype(), " can't be cast to the desired output type ",
           self.dtype());
  copy_into(self, result);
  bump_version(self);
  if (is_view) {
    // The base takes the history; the view's own is rebuilt from it when next needed.
    autograd::rebase_view(self, result);
  } else if (const std::shared_ptr<autograd::Node>& fn = result.grad_fn()) {
    autograd::set_history(self, fn, autograd::meta_if(result)->output_nr);
  } else {
    autograd::meta_of(self).grad_fn.reset();
  }
  return self;
}

void check_inplace_allowed(const Tensor& self, const char* op) {
  TG_CHECK(!self.is_inference() || InferenceMode::is_enabled(), op,
           ": Inplace update to inference tensor outside InferenceMode is not allowed. Make a "
           "normal tensor with clone() first, or do the update inside InferenceMode");
}

}  // namespace tg::detail
