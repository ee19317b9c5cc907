// Python indexing, x[index] and x[index] = value, translated to the C++ ops: ints are select,
// slices are slice, None is unsqueeze (views, so gradients flow and assignment writes through);
// one integer tensor (or list) is index_select, one boolean mask is index_select over the
// masked dimensions flattened. Assignment writes through a view with copy_/fill_, or through a
// mask with masked_fill and copy_, so that autograd records it as the C++ ops it is.
#include <algorithm>

#include "common.h"

namespace tgpy {

namespace {

using tg::Tensor;

enum class Kind { None, Ellipsis, Int, Slice, LongTensor, BoolTensor };

struct Item {
  Kind kind;
  int64_t i = 0;
  py::slice slice{0, 0, 1};
  Tensor tensor;
};

Item classify(py::handle h) {
  Item it{Kind::None};
  if (h.is_none()) return it;
  if (h.ptr() == Py_Ellipsis) {
    it.kind = Kind::Ellipsis;
    return it;
  }
  if (PyBool_Check(h.ptr()))
    throw py::index_error("indexing with a Python bool is not supported; use a bool tensor");
  if (PyLong_Check(h.ptr())) {
    it.kind = Kind::Int;
    it.i = h.cast<int64_t>();
    return it;
  }
  if (PySlice_Check(h.ptr())) {
    it.kind = Kind::Slice;
    it.slice = py::reinterpret_borrow<py::slice>(h);
    return it;
  }
  Tensor t;
  if (py::isinstance<Tensor>(h)) {
    t = h.cast<Tensor>();
  } else if (py::isinstance<py::list>(h) || py::isinstance<py::array>(h)) {
    t = tensor_from_data(h, std::nullopt, false);
  } else if (py::hasattr(h, "__index__")) {
    it.kind = Kind::Int;
    it.i = h.attr("__index__")().cast<int64_t>();
    return it;
  } else {
    throw py::index_error(
        "only integers, slices (`:`), ellipsis (`...`), None and long or bool tensors are valid "
        "indices (got " +
        std::string(py::str(h.get_type().attr("__name__"))) + ")");
  }
  it.tensor = t;
  if (t.dtype() == tg::kBool || t.dtype() == tg::kByte) {
    // A uint8 index is a mask, as PyTorch's (deprecated) byte masks.
    it.kind = Kind::BoolTensor;
    it.tensor = t.to(tg::kBool);
  } else if (t.dtype() == tg::kLong) {
    it.kind = Kind::LongTensor;
  } else {
    throw py::index_error("tensors used as indices must be long, byte or bool tensors");
  }
  return it;
}

std::vector<Item> parse(py::handle index) {
  std::vector<Item> items;
  if (py::isinstance<py::tuple>(index)) {
    for (py::handle h : index) items.push_back(classify(h));
  } else {
    items.push_back(classify(index));
  }
  return items;
}

int64_t dims_consumed(const Item& it) {
  switch (it.kind) {
    case Kind::Int:
    case Kind::Slice:
    case Kind::LongTensor:
      return 1;
    case Kind::BoolTensor:
      return std::max<int64_t>(it.tensor.dim(), 1);
    default:
      return 0;
  }
}

/// Negative indices count from the end, as in Python; others are left for the op to check.
Tensor wrap_negative(const Tensor& idx, int64_t size) {
  return tg::where(idx.lt(0), idx + size, idx);
}

/// The flat positions where a boolean mask is true, as a Long tensor.
Tensor true_positions(const Tensor& mask) {
  Tensor m = mask.contiguous();
  const bool* p = m.data_ptr<bool>();
  std::vector<int64_t> pos;
  for (int64_t i = 0; i < m.numel(); ++i)
    if (p[i]) pos.push_back(i);
  return tg::tensor(tg::ArrayRef<int64_t>(pos), tg::kLong);
}

struct Applied {
  Tensor view;           // self after the basic items before the advanced one (a view)
  int64_t adv_dim = -1;  // where the advanced index applies in `view`, or -1 when none
  const Item* adv = nullptr;
  std::vector<const Item*> longs;  // the integer indices
  std::vector<int64_t> long_dims;  // the dim of r each applies to (increasing)
  Tensor result;                   // the full result of the indexing
};

/// Applies the items; at most one may be advanced (a tensor).
Applied apply_index(const Tensor& self, const std::vector<Item>& items) {
  int64_t consumed = 0, ellipses = 0, advanced = 0;
  for (const Item& it : items) {
    consumed += dims_consumed(it);
    ellipses += it.kind == Kind::Ellipsis;
    advanced += it.kind == Kind::LongTensor || it.kind == Kind::BoolTensor;
  }
  if (ellipses > 1) throw py::index_error("an index can only have a single ellipsis ('...')");
  if (consumed > self.dim())
    throw py::index_error("too many indices for tensor of dimension " + std::to_string(self.dim()));
  int64_t bools = 0;
  for (const Item& it : items) bools += it.kind == Kind::BoolTensor;
  if (bools > 0 && advanced > 1)
    throw py::type_error(
        "indexing with a boolean mask and other tensor (or list) indices at once is not "
        "supported by tensorgrad; index one at a time");
  Applied a;
  Tensor r = self;
  int64_t dim = 0;
  for (const Item& it : items) {
    switch (it.kind) {
      case Kind::None:
        r = r.unsqueeze(dim++);
        break;
      case Kind::Ellipsis:
        dim += self.dim() - consumed;
        break;
      case Kind::Int: {
        int64_t size = r.size(dim);
        if (it.i < -size || it.i >= size)
          throw py::index_error("index " + std::to_string(it.i) +
                                " is out of bounds for dimension " + std::to_string(dim) +
                                " with size " + std::to_string(size));
        r = r.select(dim, it.i);
        break;
      }
      case Kind::Slice: {
        py::ssize_t start, stop, step, length;
        if (!it.slice.compute(r.size(dim), &start, &stop, &step, &length))
          throw py::error_already_set();
        if (step <= 0) throw py::value_error("step must be greater than zero");
        int64_t end = length > 0 ? start + (length - 1) * step + 1 : start;
        r = r.slice(dim, start, end, step);
        ++dim;
        break;
      }
      case Kind::LongTensor:
        if (a.adv == nullptr) {
          a.view = r;
          a.adv_dim = dim;
          a.adv = &it;
        }
        a.longs.push_back(&it);
        a.long_dims.push_back(dim);
        ++dim;
        break;
      case Kind::BoolTensor:
        a.view = r;
        a.adv_dim = dim;
        a.adv = &it;
        dim += dims_consumed(it);
        break;
    }
  }
  if (a.adv == nullptr) {
    a.view = r;
    a.result = r;
    return a;
  }
  // The advanced index on the dims [adv_dim, adv_dim + k) of r, where the basic items after it
  // have already been applied to the dims beyond.
  int64_t d = a.adv_dim;
  // Items after the advanced one changed only dims after it, so d still names its first dim.
  const Tensor& idx = a.adv->tensor;
  if (a.adv->kind == Kind::LongTensor) {
    auto k = static_cast<int64_t>(a.longs.size());
    bool separated = a.long_dims.back() - a.long_dims.front() + 1 != k;
    if (separated) {
      // Integer indices separated by a slice, None or '...': as in PyTorch (and numpy), their
      // broadcast shape comes first, then the other dims in order. Moving the indexed dims to
      // the front (a view) makes them adjacent there.
      std::vector<int64_t> order(a.long_dims);
      for (int64_t i = 0; i < r.dim(); ++i)
        if (std::find(a.long_dims.begin(), a.long_dims.end(), i) == a.long_dims.end())
          order.push_back(i);
      r = r.permute(order);
      d = 0;
    }
    // k integer indices on dims d..d+k-1: broadcast together, they name positions of those
    // dims flattened into one (x[i, j] is x.reshape(-1)[i * size(1) + j]), picked by
    // index_select, and the broadcast shape takes the place of the k dims.
    tg::DimVector shape_b;
    for (const Item* l : a.longs) shape_b = tg::broadcast_shapes(shape_b, l->tensor.sizes());
    Tensor flat;
    for (int64_t i = 0; i < k; ++i) {
      Tensor ix = wrap_negative(a.longs[i]->tensor, r.size(d + i));
      // Each index is checked against its own dim, so a large one cannot reach another row.
      if (ix.numel() > 0) {
        int64_t lo = ix.min().item<int64_t>(), hi = ix.max().item<int64_t>(), size = r.size(d + i);
        if (lo < 0 || hi >= size)
          throw py::index_error("index " + std::to_string(lo < 0 ? lo - size : hi) +
                                " is out of bounds for dimension " +
                                std::to_string(separated ? a.long_dims[i] : d + i) + " with size " +
                                std::to_string(size));
      }
      flat = flat.defined() ? flat * r.size(d + i) + ix : ix;
    }
    std::vector<int64_t> merged(r.sizes().begin(), r.sizes().begin() + d);
    merged.push_back(-1);
    for (int64_t i = d + k; i < r.dim(); ++i) merged.push_back(r.size(i));
    Tensor picked =
        (k == 1 ? r : r.reshape(merged)).index_select(d, flat.expand(shape_b).reshape({-1}));
    std::vector<int64_t> shape(r.sizes().begin(), r.sizes().begin() + d);
    for (int64_t s : shape_b) shape.push_back(s);
    for (int64_t i = d + k; i < r.dim(); ++i) shape.push_back(r.size(i));
    a.result = picked.reshape(shape);
  } else {
    int64_t k = std::max<int64_t>(idx.dim(), 1);
    Tensor mask = idx.dim() == 0 ? idx.reshape({1}) : idx;
    for (int64_t i = 0; i < mask.dim(); ++i)
      if (mask.size(i) != r.size(d + i))
        throw py::index_error(
            "The shape of the mask " + std::string(py::str(py::cast(mask).attr("shape"))) +
            " at index " + std::to_string(i) + " does not match the shape of the indexed tensor " +
            std::string(py::str(py::cast(r).attr("shape"))) + " at index " + std::to_string(d + i));
    std::vector<int64_t> shape(r.sizes().begin(), r.sizes().begin() + d);
    shape.push_back(-1);
    for (int64_t i = d + k; i < r.dim(); ++i) shape.push_back(r.size(i));
    a.result = r.reshape(shape).index_select(d, true_positions(mask));
  }
  return a;
}

}  // namespace

Tensor getitem(const Tensor& self, const py::handle& index) {
  return apply_index(self, parse(index)).result;
}

void setitem(const Tensor& self, const py::handle& index, const py::handle& value) {
  std::vector<Item> items = parse(index);
  Applied a = apply_index(self, items);
  Tensor v;
  std::optional<tg::Scalar> sv;
  if (py::isinstance<Tensor>(value)) {
    v = value.cast<Tensor>();
  } else if (PyBool_Check(value.ptr()) || PyLong_Check(value.ptr()) || PyFloat_Check(value.ptr())) {
    sv = value.cast<tg::Scalar>();
  } else {
    v = tensor_from_data(value, self.dtype(), false);
  }
  bool in_graph = self.requires_grad() || (v.defined() && v.requires_grad());
  if (a.adv == nullptr && !in_graph) {  // a view of plain data: write through it
    if (sv)
      a.view.fill_(*sv);
    else
      a.view.copy_(v);
    return;
  }
  // Otherwise, as ops autograd records: the indexed positions as a mask over self, the value
  // laid out over self's shape (index_select by each position's place in the index), and
  // self.copy_(where(mask, value, self)). The positions are those of arange over self indexed
  // the same way; an index that repeats a position writes it once.
  Tensor positions =
      apply_index(tg::arange(self.numel(), tg::kLong).view(self.sizes()), items).result;
  Tensor flat_pos = positions.reshape({-1});
  if (flat_pos.numel() == 0) return;
  Tensor hits = tg::zeros({self.numel()}, tg::kLong)
                    .scatter_add(0, flat_pos, tg::ones({flat_pos.numel()}, tg::kLong));
  Tensor mask = hits.gt(0).view(self.sizes());
  Tensor result;
  if (sv) {
    result = self.masked_fill(mask, *sv);
  } else {
    Tensor placed = v.to(self.dtype()).expand(positions.sizes()).reshape({-1});
    // Where each position of self finds its value: its index in the flattened selection.
    Tensor place = tg::zeros({self.numel()}, tg::kLong)
                       .scatter_add(0, flat_pos, tg::arange(flat_pos.numel(), tg::kLong));
    place = tg::where(hits.gt(1), tg::zeros({1}, tg::kLong), place);
    result = tg::where(mask, placed.index_select(0, place).view(self.sizes()), self);
  }
  self.copy_(result);
}

}  // namespace tgpy
