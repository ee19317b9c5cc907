// constant_pad_nd and pad: constant padding by cat and narrow; reflect, replicate and circular by
// index_select with the source index of every output position (its gradient sums the copies).
#include <string>
#include <vector>

#include "core/internal.h"
#include "tensorgrad/nn/ops_pad.h"

namespace tg {
namespace {

void check_pad(const Tensor& self, IntArrayRef pad, const char* op) {
  TG_CHECK(self.defined(), op, ": the input is undefined");
  TG_CHECK(pad.size() % 2 == 0, op, ": Padding length must be divisible by 2, but got ", pad.size(),
           " values ", detail::shape_str(pad));
  TG_CHECK(static_cast<int64_t>(pad.size() / 2) <= self.dim(), op,
           ": Padding length should be less than or equal to two times the input dimension but "
           "got padding length ",
           pad.size(), " and input of dimension ", self.dim());
}

enum class Mode { Reflect, Replicate, Circular };

/// The source index of each of the n + l + r output positions of one dim.
Tensor source_index(int64_t n, int64_t l, int64_t r, Mode mode) {
  const int64_t out = n + l + r;
  Tensor index = empty({out}, kLong);
  int64_t* p = index.data_ptr<int64_t>();
  for (int64_t o = 0; o < out; ++o) {
    const int64_t i = o - l;
    int64_t j = i;
    switch (mode) {
      case Mode::Reflect:
        j = i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i);
        break;
      case Mode::Replicate:
        j = i < 0 ? 0 : (i >= n ? n - 1 : i);
        break;
      case Mode::Circular:
        j = ((i % n) + n) % n;
        break;
    }
    p[o] = j;
  }
  return index;
}

}  // namespace

Tensor constant_pad_nd(const Tensor& self, IntArrayRef pad, const Scalar& value) {
  check_pad(self, pad, "constant_pad_nd");
  Tensor out = self;
  const int64_t k = static_cast<int64_t>(pad.size() / 2);
  for (int64_t i = 0; i < k; ++i) {
    const int64_t dim = self.dim() - 1 - i;
    const int64_t before = pad[2 * i], after = pad[2 * i + 1];
    const int64_t n = out.size(dim);
    TG_CHECK(n + before + after >= 0, "constant_pad_nd: The input size ", n,
             ", plus negative padding ", before, " and ", after,
             " resulted in a negative output size, which is invalid. Check "
             "dimension ",
             dim, " of your input.");
    // Negative amounts crop first.
    const int64_t crop_before = before < 0 ? -before : 0, crop_after = after < 0 ? -after : 0;
    if (crop_before > 0 || crop_after > 0)
      out = out.narrow(dim, crop_before, n - crop_before - crop_after);
    std::vector<Tensor> parts;
    DimVector shape(out.sizes());
    if (before > 0) {
      shape[static_cast<size_t>(dim)] = before;
      parts.push_back(full(shape, value, out.dtype()));
    }
    parts.push_back(out);
    if (after > 0) {
      shape[static_cast<size_t>(dim)] = after;
      parts.push_back(full(shape, value, out.dtype()));
    }
    if (parts.size() > 1) out = cat(parts, dim);
  }
  return out.is_same(self) ? self.clone() : out;
}

Tensor pad(const Tensor& self, IntArrayRef pad, std::string_view mode,
           std::optional<double> value) {
  check_pad(self, pad, "pad");
  if (mode == "constant") return constant_pad_nd(self, pad, value.value_or(0.0));
  TG_CHECK(!value || *value == 0, "Padding mode \"", std::string(mode),
           "\" doesn't take in value argument");
  Mode m;
  if (mode == "reflect") {
    m = Mode::Reflect;
  } else if (mode == "replicate") {
    m = Mode::Replicate;
  } else if (mode == "circular") {
    m = Mode::Circular;
  } else {
    detail::fail("pad: unrecognised padding mode \"", std::string(mode),
                 "\"; use \"constant\", \"reflect\", \"replicate\" or \"circular\"");
  }
  const int64_t k = static_cast<int64_t>(pad.size() / 2);
  TG_CHECK(k <= 3 && self.dim() >= k + 1 && self.dim() <= k + 2, "pad: ", std::string(mode),
           " padding of ", k, " dims expects a ", k + 1, "-D (unbatched) or ", k + 2,
           "-D (batched) input, but got an input of shape ", detail::shape_str(self.sizes()),
           "; only 2D, 3D, 4D, 5D padding with non-constant padding are supported");
  Tensor out = self;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t dim = self.dim() - 1 - i;
    const int64_t before = pad[2 * i], after = pad[2 * i + 1];
    const int64_t n = self.size(dim);
    if (m == Mode::Reflect) {
      TG_CHECK(before < n && after < n,
               "Argument #4: Padding size should be less than the corresponding input dimension, "
               "but got: padding (",
               before, ", ", after, ") at dimension ", dim, " of input ",
               detail::shape_str(self.sizes()));
    } else if (m == Mode::Circular) {
      TG_CHECK(before <= n && after <= n, "Padding value causes wrapping around more than once.");
    } else {
      TG_CHECK(n > 0, "pad: replicate padding needs a non-empty dim ", dim, " in input ",
               detail::shape_str(self.sizes()));
    }
    TG_CHECK(n + before + after > 0, "pad: input size ", n, " of dim ", dim, " with padding (",
             before, ", ", after, ") gives an empty output");
    out = out.index_select(dim, source_index(n, before, after, m));
  }
  return out;
}

}  // namespace tg
