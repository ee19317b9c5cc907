// Autograd for views: rebuilding a view's history after an in-place change to its storage, and
// recording an in-place op on a view on its base (CopySlices).
#include "autograd/view.h"

#include <string>
#include <vector>

#include "autograd/meta.h"
#include "autograd/record.h"
#include "core/index_add.h"
#include "core/internal.h"

namespace tg::autograd {

// Note [Views and in-place]
// A view shares its storage with its base, so an in-place change to one changes the other, and
// autograd has to follow. The rules are libtorch's:
// - A view of a normal tensor knows its base (TensorImpl::base: the tensor at the root of a chain
//   of views, never itself a view) and how it was made (TensorImpl::creation_meta); make_view
//   sets both. Views of inference tensors are plain inference tensors.
// - A view requires grad when its base does, even if it was made with grad mode off (it then has
//   no grad_fn: a leaf that gradients do not reach).
// - An in-place op on a view, with autograd, is computed out of place from a copy of the view's
//   values (Note [In-place ops] in src/core/inplace.cpp), written into the storage, and recorded
//   on the base: the base's history becomes CopySlices(base's previous history, the op's result),
//   whose backward passes the gradient of the region the view covers to the result and the rest
//   to the previous history.
// - A view's history belongs to the storage version it was set at (TensorImpl::view_version).
//   Once the storage has changed in place since (through the base, this view or another view),
//   the view's grad_fn is rebuilt, the next time it is needed, as AsStridedBackward0: the view's
//   region of the base's current history. So x.mul_(2) is seen by the gradients of x's views.
// - In-place changes autograd cannot follow that way throw instead: to a view made in no-grad or
//   inference mode (whether the change is recorded would depend on the mode it happened in), to
//   one of several views a single op returned (split, chunk, unbind: their shared node cannot be
//   rebased one output at a time), and to a custom Function's output (a rebuilt history would
//   bypass the Function's backward). Cloning the view first is the way out in each case.

namespace {

/// Sizes, strides and storage offset: where a tensor's elements lie in its storage.
struct Geometry {
  DimVector sizes;
  DimVector strides;
  int64_t offset = 0;
  int64_t numel = 0;
};

Geometry geometry_of(const TensorImpl& t) { return {t.sizes, t.strides, t.offset, t.numel}; }

/// Calls fn(position) with the storage position of every element of g, in row-major order.
template <class Fn>
void for_each_position(const Geometry& g, Fn fn) {
  if (g.numel == 0) return;
  const size_t nd = g.sizes.size();
  std::vector<int64_t> index(nd, 0);
  int64_t pos = g.offset;
  for (int64_t n = 0; n < g.numel; ++n) {
    fn(pos);
    for (size_t d = nd; d-- > 0;) {
      if (++index[d] < g.sizes[d]) {
        pos += g.strides[d];
        break;
      }
      pos -= (g.sizes[d] - 1) * g.strides[d];
      index[d] = 0;
    }
  }
}

bool is_contiguous(const Geometry& g) {
  int64_t expected = 1;
  for (size_t d = g.sizes.size(); d-- > 0;) {
    if (g.sizes[d] == 1) continue;
    if (g.strides[d] != expected) return g.numel == 0;
    expected *= g.sizes[d];
  }
  return true;
}

/// The row-major index into `base` of every element of `view` (a 1-d Long tensor, in the view's
/// row-major order).
Tensor flat_index(const Geometry& base, const Geometry& view) {
  Tensor idx = detail::make_empty({view.numel}, kLong);
  int64_t* out = idx.data_ptr<int64_t>();
  if (is_contiguous(base)) {
    for_each_position(view, [&](int64_t pos) { *out++ = pos - base.offset; });
  } else {
    // Invert the base's geometry: storage position -> row-major index.
    int64_t lo = base.offset, hi = base.offset;
    for (size_t d = 0; d < base.sizes.size(); ++d) {
      const int64_t extent = (base.sizes[d] - 1) * base.strides[d];
      (extent < 0 ? lo : hi) += extent;
    }
    std::vector<int64_t> index_at(static_cast<size_t>(hi - lo + 1), -1);
    int64_t k = 0;
    for_each_position(base, [&](int64_t pos) { index_at[static_cast<size_t>(pos - lo)] = k++; });
    for_each_position(view, [&](int64_t pos) {
      *out++ = pos >= lo && pos <= hi ? index_at[static_cast<size_t>(pos - lo)] : -1;
    });
  }
  const int64_t* p = idx.data_ptr<int64_t>();
  for (int64_t i = 0; i < view.numel; ++i)
    TG_CHECK(p[i] >= 0 && p[i] < base.numel,
             "view: an element of the view lies outside its base (internal error: the view's "
             "geometry does not match its base)");
  return idx;
}

/// libtorch's message for an in-place change autograd cannot follow.
std::string untrackable_inplace(CreationMeta meta, const Node* grad_fn, uint32_t output_nr,
                                bool indirect) {
  const char* what = indirect ? "its base or another view of its base has been" : "is being";
  std::string msg;
  if (grad_fn) {
    msg = "Output " + std::to_string(output_nr) + " of " + grad_fn->name() + " is a view and " +
          what + " modified inplace.";
  } else if (meta == CreationMeta::INFERENCE_MODE) {
    msg = std::string("A view was created in inference mode and ") + what +
          " modified inplace in normal mode.";
  } else {
    msg = std::string("A view was created in no_grad mode and ") + what +
          " modified inplace with grad mode enabled.";
  }
  switch (meta) {
    case CreationMeta::MULTI_OUTPUT_NODE:
      return msg +
             " This view is the output of a function that returns multiple views. Such functions "
             "do not allow the output views to be modified inplace. You should replace the "
             "inplace operation by an out-of-place one.";
    case CreationMeta::NO_GRAD_MODE:
      return msg +
             " Given that this use case is ambiguous and error-prone, it is forbidden. You can "
             "clarify your code by moving both the view and the inplace either both inside the "
             "no_grad block (if you don't want the inplace to be tracked) or both outside (if "
             "you want the inplace to be tracked).";
    case CreationMeta::INFERENCE_MODE:
      return msg +
             " Given that this use case is ambiguous and error-prone, it is forbidden. You can "
             "clarify your code by moving both the view and the inplace either both inside the "
             "inference_mode block (if you don't want the inplace to be tracked) or both "
             "outside (if you want the inplace to be tracked).";
    case CreationMeta::IN_CUSTOM_FUNCTION:
      return msg +
             " This view was created inside a custom Function (or because an input was returned "
             "as-is) and the autograd logic to handle view+inplace would override the custom "
             "backward associated with the custom Function, leading to incorrect gradients. "
             "This behavior is forbidden. You can fix this by cloning the output of the custom "
             "Function.";
    case CreationMeta::DEFAULT:
      break;
  }
  return msg;
}

}  // namespace

const std::shared_ptr<Node>& view_grad_fn(const Tensor& view) {
  static const std::shared_ptr<Node> none;
  TensorImpl& impl = *view.unsafeGetTensorImpl();
  AutogradMeta* m = meta_if(view);
  const std::shared_ptr<Node>& current = m ? m->grad_fn : none;
  if (impl.view_version == impl.storage->version.load(std::memory_order_relaxed)) return current;
  Tensor base(impl.base);
  if (!current && !base.requires_grad()) return current;
  if (impl.creation_meta != CreationMeta::DEFAULT)
    detail::fail(
        untrackable_inplace(impl.creation_meta, current.get(), m ? m->output_nr : 0, true));
  record(
      "AsStridedBackward0", {base}, {view}, save(),
      [b = geometry_of(*base.unsafeGetTensorImpl()),
       v = geometry_of(impl)](BackwardArgs<0>& a) -> variable_list {
        Tensor flat = zeros({b.numel}, a.grad().dtype());
        return {detail::index_add(flat, 0, flat_index(b, v), a.grad().reshape({-1})).view(b.sizes)};
      });
  return meta_if(view)->grad_fn;
}

void check_inplace_on_view(const Tensor& view, const char* op) {
  const TensorImpl& impl = *view.unsafeGetTensorImpl();
  if (impl.creation_meta != CreationMeta::DEFAULT) {
    const AutogradMeta* m = meta_if(view);
    detail::fail(op, ": ",
                 untrackable_inplace(impl.creation_meta, m ? m->grad_fn.get() : nullptr,
                                     m ? m->output_nr : 0, false));
  }
  Tensor base(impl.base);
  TG_CHECK(!(base.is_leaf() && base.requires_grad()), op,
           ": a view of a leaf Variable that requires grad is being used in an in-place "
           "operation; modify the leaf under tg::NoGradGuard (as optimizers do), or work on a "
           "clone()");
}

void rebase_view(const Tensor& view, const Tensor& result) {
  Tensor base(view.unsafeGetTensorImpl()->base);
  record("CopySlices", {base, result}, {base}, save(),
         [b = geometry_of(*base.unsafeGetTensorImpl()),
          v = geometry_of(*view.unsafeGetTensorImpl())](BackwardArgs<0>& a) -> variable_list {
           const Tensor idx = flat_index(b, v);
           const Tensor g = a.grad().reshape({-1});
           Tensor grad_base, grad_result;
           if (a.needs(0)) {
             // The region the view covers was overwritten: its old values get no gradient.
             Tensor covered =
                 detail::index_add(zeros({b.numel}, g.dtype()), 0, idx, ones({v.numel}, g.dtype()));
             grad_base = g.masked_fill(covered.ne(0), 0).view(b.sizes);
           }
           if (a.needs(1)) grad_result = g.index_select(0, idx).view(v.sizes);
           return {grad_base, grad_result};
         });
}

}  // namespace tg::autograd
