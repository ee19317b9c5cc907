#pragma once
/// tg::Tensor: a one-word handle to shared, strided, typed data that records the operations done
/// on it when it requires grad. Copying a Tensor never copies data.
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/dtype.h"
#include "tensorgrad/error.h"
#include "tensorgrad/tensor_impl.h"

namespace tg {

namespace autograd {
class Node;
}
namespace indexing {
class TensorIndex;
}
class Tensor;
using TensorList = ArrayRef<Tensor>;

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(TensorImplPtr impl) : impl_(std::move(impl)) {}
  Tensor(const Tensor&) = default;
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(const Tensor&) & = default;
  Tensor& operator=(Tensor&&) & noexcept = default;
  /// As libtorch: assigning to a temporary writes into its data, so that `x[0][1] = 2.5` and
  /// `x.index({Slice(), 0}) = y` fill or copy into x (y broadcast to the view's shape).
  Tensor& operator=(const Scalar& v) && { return fill_(v); }
  Tensor& operator=(const Tensor& rhs) && { return copy_(rhs); }
  Tensor& operator=(Tensor&& rhs) && { return copy_(rhs); }
  /// The seed's `Variable(t, requires_grad)`: a new tensor sharing t's storage, without history.
  Tensor(const Tensor& t, bool requires_grad);

  // ---- queries ----
  bool defined() const { return static_cast<bool>(impl_); }
  TensorImpl* unsafeGetTensorImpl() const { return impl_.get(); }
  const TensorImplPtr& impl() const { return impl_; }
  int64_t dim() const { return static_cast<int64_t>(checked().sizes.size()); }
  int64_t ndimension() const { return dim(); }
  IntArrayRef sizes() const { return checked().sizes; }
  IntArrayRef strides() const { return checked().strides; }
  /// Size of dimension d (negative d counts from the end).
  int64_t size(int64_t d) const;
  int64_t stride(int64_t d) const;
  int64_t numel() const { return checked().numel; }
  /// The dtype as libtorch returns it, a TypeMeta (which converts to its ScalarType).
  TypeMeta dtype() const { return TypeMeta::fromScalarType(checked().dtype); }
  ScalarType scalar_type() const { return checked().dtype; }
  size_t element_size() const { return tg::element_size(scalar_type()); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * element_size(); }
  /// The dtype, device (the CPU) and layout (strided); requires_grad is not part of them.
  TensorOptions options() const {
    return TensorOptions(scalar_type()).device(Device(kCPU)).layout(kStrided);
  }
  Device device() const { return Device(kCPU); }
  /// -1: the CPU, as libtorch.
  int64_t get_device() const { return -1; }
  /// Always kStrided: tensorgrad has no sparse tensors.
  Layout layout() const { return kStrided; }
  bool is_cpu() const { return true; }
  bool is_cuda() const { return false; }
  bool is_sparse() const { return false; }
  bool is_mkldnn() const { return false; }
  bool is_meta() const { return false; }
  bool is_quantized() const { return false; }
  bool is_complex() const { return false; }
  /// The backend and dtype, as libtorch's deprecated Tensor::type(): "CPUFloatType".
  DeprecatedTypeProperties type() const {
    return getDeprecatedTypeProperties(Backend::CPU, scalar_type());
  }
  bool is_floating_point() const { return tg::is_floating_point(dtype()); }
  bool is_contiguous() const { return checked().is_contiguous(); }
  bool is_same(const Tensor& other) const { return impl_.get() == other.impl_.get(); }
  bool is_inference() const { return checked().is_inference; }
  /// The one value of a one-element tensor; throws for any other numel.
  Scalar item() const;
  /// The value as T; when T is a dtype's element type, a value that type cannot hold throws
  /// (as libtorch's item<T>()).
  template <class T>
  T item() const {
    const Scalar value = item();
    if constexpr (detail::has_scalar_type_v<T>)
      detail::check_fits("item", value, CppTypeToScalarType<T>::value);
    return value.to<T>();
  }
  /// Typed pointer to the first element; throws when T is not the tensor's dtype.
  template <class T>
  T* data_ptr() const;
  void* data_ptr() const { return checked().exposed_data_bytes(); }
  std::string toString() const;

  // ---- autograd ----
  bool requires_grad() const;
  /// True for tensors that no op created (grad_fn() is null), as libtorch.
  bool is_leaf() const;
  const std::shared_ptr<autograd::Node>& grad_fn() const;
  // In-place methods are const, as in libtorch: a const Tensor& still names mutable data.

  /// The seed's name for grad_fn().
  const std::shared_ptr<autograd::Node>& creator() const { return grad_fn(); }
  const Tensor& grad() const;
  Tensor& mutable_grad() const;
  /// How many times the data was changed in place; shared by all tensors on the same storage.
  uint32_t _version() const { return checked().storage->version.load(std::memory_order_relaxed); }
  Tensor& requires_grad_(bool requires_grad = true) const;
  /// requires_grad_(requires_grad), returning this tensor:
  /// torch::ones({2}).set_requires_grad(true).
  Tensor& set_requires_grad(bool requires_grad) const { return requires_grad_(requires_grad); }
  void retain_grad() const;
  bool retains_grad() const;
  /// Which output of grad_fn() this tensor is (0 for leaves).
  uint32_t output_nr() const;
  /// True when a view op made this tensor from another one (its _base()), whose data it shares.
  bool is_view() const { return static_cast<bool>(checked().base); }
  /// The tensor this view's data belongs to (the root of a chain of views); undefined when this
  /// tensor is not a view.
  Tensor _base() const;
  /// A new tensor on the same data and version counter, without history and not a view: what
  /// tensor_data() is in libtorch (variable_data() is the same here: tensorgrad's version counter
  /// belongs to the storage).
  Tensor tensor_data() const;
  Tensor variable_data() const;
  /// Computes the gradient of this tensor with respect to the graph leaves (see
  /// tg::autograd::backward); with `inputs`, accumulates only into those (which cannot be an empty
  /// list).
  void backward(const Tensor& gradient = {}, std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false, std::optional<TensorList> inputs = std::nullopt) const;
  /// Registers fn(grad) to run when the gradient of this tensor is computed. fn returns a Tensor
  /// (which replaces the gradient) or void. Returns the hook's position among this tensor's hooks,
  /// for remove_hook.
  template <class F>
  unsigned register_hook(F&& fn) const {
    if constexpr (std::is_void_v<std::invoke_result_t<F, Tensor>>) {
      return register_hook_impl([f = std::forward<F>(fn)](const Tensor& g) {
        f(g);
        return Tensor();
      });
    } else {
      return register_hook_impl(std::function<Tensor(const Tensor&)>(std::forward<F>(fn)));
    }
  }
  /// Removes the hook at `position` (what register_hook returned); throws for a position no hook
  /// was registered at.
  void remove_hook(unsigned position) const;
  /// A tensor sharing this one's storage, with no history, not requiring grad.
  Tensor detach() const;
  Tensor& detach_() const;
  /// The seed's `.data`: shares storage, no history, not requiring grad.
  Tensor data() const { return detach(); }

  // ---- arithmetic ----
  Tensor add(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor add(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor sub(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor sub(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor mul(const Tensor& other) const;
  Tensor mul(const Scalar& other) const;
  Tensor div(const Tensor& other) const;
  Tensor div(const Scalar& other) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(const Scalar& exponent) const;
  Tensor neg() const;
  Tensor& add_(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor& add_(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor& sub_(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor& sub_(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor& mul_(const Tensor& other) const;
  Tensor& mul_(const Scalar& other) const;
  Tensor& div_(const Tensor& other) const;
  Tensor& div_(const Scalar& other) const;
  Tensor& pow_(const Tensor& exponent) const;
  Tensor& pow_(const Scalar& exponent) const;
  Tensor& neg_() const;
  Tensor& zero_() const;
  Tensor& fill_(const Scalar& value) const;
  Tensor& copy_(const Tensor& src, bool non_blocking = false) const;
  Tensor& clamp_(const std::optional<Scalar>& min = std::nullopt,
                 const std::optional<Scalar>& max = std::nullopt) const;
  Tensor& relu_() const;
  Tensor& operator+=(const Tensor& other) { return add_(other); }
  Tensor& operator+=(const Scalar& other) { return add_(other); }
  Tensor& operator-=(const Tensor& other) { return sub_(other); }
  Tensor& operator-=(const Scalar& other) { return sub_(other); }
  Tensor& operator*=(const Tensor& other) { return mul_(other); }
  Tensor& operator*=(const Scalar& other) { return mul_(other); }
  Tensor& operator/=(const Tensor& other) { return div_(other); }
  Tensor& operator/=(const Scalar& other) { return div_(other); }

  // ---- comparisons and selection ----
  Tensor eq(const Tensor& other) const;
  Tensor eq(const Scalar& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor ne(const Scalar& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor lt(const Scalar& other) const;
  Tensor le(const Tensor& other) const;
  Tensor le(const Scalar& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor gt(const Scalar& other) const;
  Tensor ge(const Tensor& other) const;
  Tensor ge(const Scalar& other) const;
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  Tensor clamp(const std::optional<Scalar>& min = std::nullopt,
               const std::optional<Scalar>& max = std::nullopt) const;
  Tensor clamp_min(const Scalar& min) const;
  Tensor clamp_max(const Scalar& max) const;
  /// where(condition, *this, other).
  Tensor where(const Tensor& condition, const Tensor& other) const;

  // ---- elementwise math ----
  // One method per row of the op table (tensorgrad/elementwise_ops.def), and its in-place form:
  // x.exp(), x.exp_(), x.atan2(y), x.atan2_(y)...
#define TG_UNARY(name, ...) \
  Tensor name() const;      \
  Tensor& name##_() const;
#define TG_BINARY(name, ...)                  \
  Tensor name(const Tensor& other) const;     \
  Tensor name(const Scalar& other) const;     \
  Tensor& name##_(const Tensor& other) const; \
  Tensor& name##_(const Scalar& other) const;
#include "tensorgrad/elementwise_ops.def"
#undef TG_UNARY
#undef TG_BINARY
  Tensor relu() const;
  Tensor square() const;
  Tensor& square_() const;
  Tensor polygamma(int64_t n) const;
  Tensor& polygamma_(int64_t n) const;
  Tensor logit(std::optional<double> eps = std::nullopt) const;
  Tensor& logit_(std::optional<double> eps = std::nullopt) const;
  Tensor lerp(const Tensor& end, const Scalar& weight) const;
  Tensor lerp(const Tensor& end, const Tensor& weight) const;
  Tensor& lerp_(const Tensor& end, const Scalar& weight) const;
  Tensor& lerp_(const Tensor& end, const Tensor& weight) const;
  Tensor addcmul(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value = 1) const;
  Tensor& addcmul_(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value = 1) const;
  Tensor addcdiv(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value = 1) const;
  Tensor& addcdiv_(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value = 1) const;

  // ---- reductions ----
  Tensor sum(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor sum(IntArrayRef dim, bool keepdim = false,
             std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor mean(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor mean(IntArrayRef dim, bool keepdim = false,
              std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor prod(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor prod(int64_t dim, bool keepdim = false,
              std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor max() const;
  Tensor min() const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor amax(IntArrayRef dim = {}, bool keepdim = false) const;
  Tensor amin(IntArrayRef dim = {}, bool keepdim = false) const;
  Tensor norm(const Scalar& p = 2) const;
  Tensor norm(const std::optional<Scalar>& p, IntArrayRef dim, bool keepdim = false) const;
  Tensor var(bool unbiased = true) const;
  Tensor var(IntArrayRef dim, bool unbiased = true, bool keepdim = false) const;
  Tensor std(bool unbiased = true) const;
  Tensor std(IntArrayRef dim, bool unbiased = true, bool keepdim = false) const;
  /// As libtorch's C++-only overloads: x.var(0) reduces dim 0 (an int would otherwise convert
  /// to `bool unbiased`).
  Tensor var(int dim) const { return var(IntArrayRef{static_cast<int64_t>(dim)}); }
  Tensor std(int dim) const { return std(IntArrayRef{static_cast<int64_t>(dim)}); }
  Tensor logsumexp(IntArrayRef dim, bool keepdim = false) const;
  Tensor softmax(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor log_softmax(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor cumsum(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;

  // ---- shape and views ----
  Tensor view(IntArrayRef size) const;
  /// A view of all of this tensor's data, with the same shape.
  Tensor alias() const;
  /// Gives this tensor the shape `size` (contiguous), in place: the data is kept as far as it
  /// goes, and the storage grows when too small. Not for tensors that require grad.
  Tensor& resize_(IntArrayRef size) const;
  /// view(other.sizes())
  Tensor view_as(const Tensor& other) const;
  Tensor reshape(IntArrayRef shape) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor t() const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor permute(IntArrayRef dims) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor expand(IntArrayRef size, bool implicit = false) const;
  Tensor expand_as(const Tensor& other) const;
  Tensor slice(int64_t dim = 0, std::optional<int64_t> start = std::nullopt,
               std::optional<int64_t> end = std::nullopt, int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;
  Tensor masked_fill(const Tensor& mask, const Tensor& value) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> split(IntArrayRef split_sizes, int64_t dim = 0) const;
  std::vector<Tensor> split_with_sizes(IntArrayRef split_sizes, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  Tensor repeat(IntArrayRef repeats) const;
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor to(ScalarType dtype, bool non_blocking = false, bool copy = false) const;
  /// Converts to the options' dtype; a device other than the CPU, a layout other than strided
  /// and requires_grad(true) are refused.
  Tensor to(const TensorOptions& options, bool non_blocking = false, bool copy = false) const;
  Tensor to(TypeMeta dtype, bool non_blocking = false, bool copy = false) const;
  /// The device must be the CPU.
  Tensor to(Device device, ScalarType dtype, bool non_blocking = false, bool copy = false) const;
  Tensor to(Device device, TypeMeta dtype, bool non_blocking = false, bool copy = false) const;
  /// To other's dtype (and device).
  Tensor to(const Tensor& other, bool non_blocking = false, bool copy = false) const;
  /// to(kCPU): this tensor itself.
  Tensor cpu() const { return *this; }
  /// x[i] is x.select(0, i).
  Tensor operator[](int64_t index) const { return select(0, index); }
  /// x[t] is x.index({t}).
  Tensor operator[](const Tensor& index) const;

  // ---- Python-style indexing (tensorgrad/indexing.h) ----
  /// x.index({Slice(1, None), None, "...", 0, mask}) is Python's x[1:, None, ..., 0, mask].
  Tensor index(ArrayRef<indexing::TensorIndex> indices) const;
  Tensor index(std::initializer_list<indexing::TensorIndex> indices) const;
  /// tg::index(*this, indices): one optional index tensor per dimension.
  Tensor index(const std::vector<std::optional<Tensor>>& indices) const;
  /// Python's x[indices] = rhs.
  Tensor& index_put_(ArrayRef<indexing::TensorIndex> indices, const Tensor& rhs) const;
  Tensor& index_put_(ArrayRef<indexing::TensorIndex> indices, const Scalar& v) const;
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Tensor& rhs) const;
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Scalar& v) const;
  /// tg::index_put_ / tg::index_put.
  Tensor& index_put_(const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                     bool accumulate = false) const;
  Tensor index_put(const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                   bool accumulate = false) const;
  Tensor nonzero() const;
  /// tg::as_strided(*this, size, stride, storage_offset).
  Tensor as_strided(IntArrayRef size, IntArrayRef stride,
                    std::optional<int64_t> storage_offset = std::nullopt) const;

  // ---- more of libtorch's Tensor API ----
  /// libtorch's older spelling of to(dtype).
  Tensor toType(ScalarType dtype) const { return to(dtype); }
  /// Makes this tensor's data new_data's (storage, shape, dtype) while it keeps its own autograd
  /// identity (requires_grad, grad, hooks), as libtorch's set_data.
  void set_data(const Tensor& new_data) const;
  Tensor reshape_as(const Tensor& other) const { return reshape(other.sizes()); }
  /// to(other.dtype()).
  Tensor type_as(const Tensor& other) const;
  /// True where the element is NaN / infinite / finite (Bool).
  Tensor isnan() const;
  Tensor isinf() const;
  Tensor isfinite() const;
  /// Whether every / any element is non-zero (0-d Bool), or along dim.
  Tensor all() const;
  Tensor all(int64_t dim, bool keepdim = false) const;
  Tensor any() const;
  Tensor any(int64_t dim, bool keepdim = false) const;
  /// The elementwise maximum / minimum of two tensors (maximum / minimum).
  Tensor max(const Tensor& other) const;
  Tensor min(const Tensor& other) const;
  /// Fills with random integers: [0, 2^mantissa] for floating dtypes (2^63 - 1 for Long), [0,
  /// to) or [from, to). Bool: 0 or 1.
  Tensor& random_() const;
  Tensor& random_(int64_t to) const;
  Tensor& random_(int64_t from, std::optional<int64_t> to) const;
  /// Fills with U(from, to) / N(mean, std) samples (floating dtypes).
  Tensor& uniform_(double from = 0, double to = 1) const;
  Tensor& normal_(double mean = 0, double std = 1) const;

  // ---- linear algebra ----
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& mat2) const;
  Tensor bmm(const Tensor& mat2) const;
  Tensor mv(const Tensor& vec) const;
  Tensor dot(const Tensor& other) const;
  Tensor outer(const Tensor& vec2) const;
  Tensor cross(const Tensor& other, std::optional<int64_t> dim = std::nullopt) const;
  Tensor addmm(const Tensor& mat1, const Tensor& mat2, const Scalar& beta = 1,
               const Scalar& alpha = 1) const;

  bool allclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8,
                bool equal_nan = false) const;
  bool equal(const Tensor& other) const;

 private:
  const TensorImpl& checked() const {
    if (!impl_) [[unlikely]]
      throw_undefined();
    return *impl_;
  }
  [[noreturn]] static void throw_undefined();
  unsigned register_hook_impl(std::function<Tensor(const Tensor&)> fn) const;

  TensorImplPtr impl_;
};

/// The seed's Variable is the same type as Tensor (as in PyTorch since 0.4).
using Variable = Tensor;

using variable_list = std::vector<Tensor>;
using tensor_list = std::vector<Tensor>;

// libtorch has these in torch::autograd as well.
namespace autograd {
using tg::tensor_list;
using tg::Variable;
using tg::variable_list;
}  // namespace autograd

/// Prints in the seed's layout, PyTorch 0.3's (README.md describes it): "Variable containing:"
/// for tensors that take part in autograd, the values, then "[tg::FloatTensor of size 2x2]".
std::ostream& operator<<(std::ostream& out, const Tensor& t);

}  // namespace tg
