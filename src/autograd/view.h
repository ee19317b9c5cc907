#pragma once
// Autograd for views: their history follows in-place changes to the data they share with their
// base. See Note [Views and in-place] in view.cpp.
#include <memory>

#include "tensorgrad/autograd.h"

namespace tg::autograd {

/// The grad_fn of `view` (a tensor with a base), first rebuilt from the base's history when the
/// storage was changed in place since the view's history was set. Throws when that change cannot
/// be tracked (a view made in no-grad or inference mode, by a multi-output op or a custom
/// Function).
const std::shared_ptr<Node>& view_grad_fn(const Tensor& view);

/// Throws for an in-place op `op` on `view` that autograd cannot track: a view made in no-grad or
/// inference mode, one of several views an op returned, a custom Function's output, or a view of
/// a leaf that requires grad.
void check_inplace_on_view(const Tensor& view, const char* op);

/// After an in-place op wrote `result` (with its history) into `view`: the view's base takes the
/// history CopySlices(base's previous history, result), and the view's own history is rebuilt
/// from it when next asked for.
void rebase_view(const Tensor& view, const Tensor& result);

}  // namespace tg::autograd
