#pragma once
/// Free functions: factories, operators and the functional form of every Tensor method.
#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "tensorgrad/tensor.h"
#include "tensorgrad/tensor_data.h"

namespace tg {

// ---- factories ----
Tensor empty(IntArrayRef size, const TensorOptions& options = {});
Tensor zeros(IntArrayRef size, const TensorOptions& options = {});
Tensor ones(IntArrayRef size, const TensorOptions& options = {});
Tensor full(IntArrayRef size, const Scalar& fill_value, const TensorOptions& options = {});
Tensor empty_like(const Tensor& t, const TensorOptions& options = {});
Tensor zeros_like(const Tensor& t, const TensorOptions& options = {});
Tensor ones_like(const Tensor& t, const TensorOptions& options = {});
Tensor full_like(const Tensor& t, const Scalar& fill_value, const TensorOptions& options = {});
/// Uniform on [0, 1).
Tensor rand(IntArrayRef size, const TensorOptions& options = {});
/// Standard normal.
Tensor randn(IntArrayRef size, const TensorOptions& options = {});
Tensor rand_like(const Tensor& t, const TensorOptions& options = {});
Tensor randn_like(const Tensor& t, const TensorOptions& options = {});
/// Integers uniform in [low, high), dtype Long unless given.
Tensor randint(int64_t low, int64_t high, IntArrayRef size, const TensorOptions& options = kLong);
Tensor randint(int64_t high, IntArrayRef size, const TensorOptions& options = kLong);
Tensor randperm(int64_t n, const TensorOptions& options = kLong);
Tensor arange(const Scalar& end, const TensorOptions& options = {});
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& options = {});
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              const TensorOptions& options = {});
Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps,
                const TensorOptions& options = {});
Tensor eye(int64_t n, const TensorOptions& options = {});
Tensor eye(int64_t n, int64_t m, const TensorOptions& options = {});
/// Builds a tensor from a number (0-d), a braced list nested to any depth, or a std::vector or
/// ArrayRef of numbers (tensorgrad/tensor_data.h): tg::tensor({{1, 2}, {3, 4}}). Without a dtype
/// in the options, integers give Long, floating values the default dtype and bools Bool, as
/// libtorch's torch::tensor.
Tensor tensor(const detail::TensorDataContainer& data, const TensorOptions& options = {});
/// A 0-d tensor.
Tensor scalar_tensor(const Scalar& value, const TensorOptions& options = {});
/// Wraps memory the caller owns and keeps alive (no copy).
Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& options = {});
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides,
                 const TensorOptions& options = {});
/// Seeds the global generator used by rand, randn, randint, randperm and dropout.
void manual_seed(uint64_t seed);

// ---- arithmetic ----
Tensor add(const Tensor& self, const Tensor& other, const Scalar& alpha = 1);
Tensor add(const Tensor& self, const Scalar& other, const Scalar& alpha = 1);
Tensor sub(const Tensor& self, const Tensor& other, const Scalar& alpha = 1);
Tensor sub(const Tensor& self, const Scalar& other, const Scalar& alpha = 1);
Tensor mul(const Tensor& self, const Tensor& other);
Tensor mul(const Tensor& self, const Scalar& other);
Tensor div(const Tensor& self, const Tensor& other);
Tensor div(const Tensor& self, const Scalar& other);
Tensor pow(const Tensor& self, const Tensor& exponent);
Tensor pow(const Tensor& self, const Scalar& exponent);
Tensor pow(const Scalar& self, const Tensor& exponent);
Tensor neg(const Tensor& self);
/// (scalar - tensor) and (scalar / tensor), for the operators with a Scalar on the left.
Tensor rsub(const Tensor& self, const Scalar& other, const Scalar& alpha = 1);
Tensor rdiv(const Tensor& self, const Scalar& other);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Scalar& b);
Tensor operator+(const Scalar& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Scalar& b);
Tensor operator-(const Scalar& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Scalar& b);
Tensor operator*(const Scalar& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Scalar& b);
Tensor operator/(const Scalar& a, const Tensor& b);
Tensor operator-(const Tensor& a);

// ---- comparisons (results are kBool) ----
Tensor eq(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, const Scalar& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Scalar& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Scalar& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Scalar& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Scalar& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Scalar& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Scalar& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Scalar& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Scalar& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Scalar& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Scalar& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Scalar& b);

/// Elementwise condition ? a : b, broadcasting all three.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& condition, const Tensor& a, const Scalar& b);
Tensor where(const Tensor& condition, const Scalar& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor clamp(const Tensor& self, const std::optional<Scalar>& min = std::nullopt,
             const std::optional<Scalar>& max = std::nullopt);
Tensor clamp_min(const Tensor& self, const Scalar& min);
Tensor clamp_max(const Tensor& self, const Scalar& max);

// ---- elementwise math ----
// One function per row of the op table, with libtorch's semantics and derivative: for a unary
// row, name(x) (exp, log, sin, tanh, sigmoid, erf, lgamma, floor, abs, sign...); for a binary
// row, name(a, b) with b a tensor or a scalar (atan2, hypot, copysign, xlogy, fmod, remainder).
#define TG_UNARY(name, ...) Tensor name(const Tensor& x);
#define TG_BINARY(name, ...)                     \
  Tensor name(const Tensor& a, const Tensor& b); \
  Tensor name(const Tensor& a, const Scalar& b);
#include "tensorgrad/elementwise_ops.def"
#undef TG_UNARY
#undef TG_BINARY
Tensor relu(const Tensor& x);
Tensor square(const Tensor& x);
/// The n-th derivative of digamma (n >= 0).
Tensor polygamma(int64_t n, const Tensor& x);
/// log(x / (1 - x)); with eps, x is first clamped to [eps, 1 - eps].
Tensor logit(const Tensor& x, std::optional<double> eps = std::nullopt);
/// self + weight (end - self).
Tensor lerp(const Tensor& self, const Tensor& end, const Scalar& weight);
Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight);
/// self + value t1 t2.
Tensor addcmul(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
               const Scalar& value = 1);
/// self + value t1 / t2.
Tensor addcdiv(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
               const Scalar& value = 1);
Tensor xlogy(const Scalar& self, const Tensor& other);
Tensor remainder(const Scalar& self, const Tensor& other);

// ---- reductions ----
Tensor sum(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor sum(const Tensor& x, IntArrayRef dim, bool keepdim = false,
           std::optional<ScalarType> dtype = std::nullopt);
Tensor mean(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor mean(const Tensor& x, IntArrayRef dim, bool keepdim = false,
            std::optional<ScalarType> dtype = std::nullopt);
Tensor prod(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor prod(const Tensor& x, int64_t dim, bool keepdim = false,
            std::optional<ScalarType> dtype = std::nullopt);
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor amax(const Tensor& x, IntArrayRef dim = {}, bool keepdim = false);
Tensor amin(const Tensor& x, IntArrayRef dim = {}, bool keepdim = false);
Tensor norm(const Tensor& x, const Scalar& p = 2);
Tensor norm(const Tensor& x, const std::optional<Scalar>& p, IntArrayRef dim, bool keepdim = false);
Tensor var(const Tensor& x, bool unbiased = true);
Tensor var(const Tensor& x, IntArrayRef dim, bool unbiased = true, bool keepdim = false);
Tensor std(const Tensor& x, bool unbiased = true);
Tensor std(const Tensor& x, IntArrayRef dim, bool unbiased = true, bool keepdim = false);
Tensor logsumexp(const Tensor& x, IntArrayRef dim, bool keepdim = false);
Tensor softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
Tensor cumsum(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);

// ---- shape and views ----
Tensor view(const Tensor& x, IntArrayRef size);
/// A view of all of x's data with x's shape (libtorch's alias). Derivative: x <- grad.
Tensor alias(const Tensor& x);
Tensor reshape(const Tensor& x, IntArrayRef shape);
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor t(const Tensor& x);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
Tensor permute(const Tensor& x, IntArrayRef dims);
Tensor squeeze(const Tensor& x);
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor expand(const Tensor& x, IntArrayRef size, bool implicit = false);
Tensor slice(const Tensor& x, int64_t dim = 0, std::optional<int64_t> start = std::nullopt,
             std::optional<int64_t> end = std::nullopt, int64_t step = 1);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& x, int64_t dim, int64_t index);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Scalar& value);
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value);
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, IntArrayRef split_sizes, int64_t dim = 0);
std::vector<Tensor> split_with_sizes(const Tensor& x, IntArrayRef split_sizes, int64_t dim = 0);
std::vector<Tensor> unbind(const Tensor& x, int64_t dim = 0);
Tensor repeat(const Tensor& x, IntArrayRef repeats);
Tensor clone(const Tensor& x);
Tensor cat(TensorList tensors, int64_t dim = 0);
Tensor stack(TensorList tensors, int64_t dim = 0);

// ---- linear algebra ----
/// Matrix product with libtorch's rules for 1-D, 2-D, batched and broadcast operands.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor mv(const Tensor& a, const Tensor& v);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor outer(const Tensor& a, const Tensor& b);
/// beta * self + alpha * (mat1 @ mat2).
Tensor addmm(const Tensor& self, const Tensor& mat1, const Tensor& mat2, const Scalar& beta = 1,
             const Scalar& alpha = 1);

/// The cross product of 3-vectors along `dim` (by default the first dimension of size 3) of a
/// and b broadcast together. Derivatives: a <- cross(b, grad), b <- cross(grad, a).
Tensor cross(const Tensor& a, const Tensor& b, std::optional<int64_t> dim = std::nullopt);

// ---- out= forms: the result written into `out` (resized to the result's shape) ----
// They record no history: with grad mode on, an argument that requires grad is an error.
Tensor& add_out(Tensor& out, const Tensor& self, const Tensor& other, const Scalar& alpha = 1);
Tensor& sub_out(Tensor& out, const Tensor& self, const Tensor& other, const Scalar& alpha = 1);
Tensor& mul_out(Tensor& out, const Tensor& self, const Tensor& other);
Tensor& div_out(Tensor& out, const Tensor& self, const Tensor& other);
Tensor& mm_out(Tensor& out, const Tensor& self, const Tensor& mat2);
Tensor& matmul_out(Tensor& out, const Tensor& self, const Tensor& other);
/// input @ weight^T + bias into out.
Tensor& linear_out(Tensor& out, const Tensor& input, const Tensor& weight,
                   const std::optional<Tensor>& bias = std::nullopt);

bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8,
              bool equal_nan = false);
bool equal(const Tensor& a, const Tensor& b);

// ---- tests of values ----
/// True where the element is NaN / infinite / finite (Bool; integers are never NaN or infinite).
Tensor isnan(const Tensor& x);
Tensor isinf(const Tensor& x);
Tensor isfinite(const Tensor& x);
/// Whether every / any element is non-zero: a 0-d Bool tensor, or Bool along dim.
Tensor all(const Tensor& x);
Tensor all(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor any(const Tensor& x);
Tensor any(const Tensor& x, int64_t dim, bool keepdim = false);
/// The elementwise maximum / minimum (libtorch's binary max and min).
Tensor max(const Tensor& a, const Tensor& b);
Tensor min(const Tensor& a, const Tensor& b);
/// (var, mean) and (std, mean) in one call, as libtorch.
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, bool unbiased = true);
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, IntArrayRef dim, bool unbiased = true,
                                    bool keepdim = false);
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, bool unbiased = true);
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, IntArrayRef dim, bool unbiased = true,
                                    bool keepdim = false);
/// As Tensor::var(int): x.var(0) reduces dim 0 rather than meaning unbiased = false.
inline Tensor var(const Tensor& x, int dim) {
  return var(x, IntArrayRef{static_cast<int64_t>(dim)});
}
inline Tensor std(const Tensor& x, int dim) {
  return std(x, IntArrayRef{static_cast<int64_t>(dim)});
}
inline std::tuple<Tensor, Tensor> var_mean(const Tensor& x, int dim) {
  return var_mean(x, IntArrayRef{static_cast<int64_t>(dim)});
}
inline std::tuple<Tensor, Tensor> std_mean(const Tensor& x, int dim) {
  return std_mean(x, IntArrayRef{static_cast<int64_t>(dim)});
}

// ---- broadcasting helpers ----
/// The shape both a and b broadcast to; throws naming both shapes when they don't.
DimVector broadcast_shapes(IntArrayRef a, IntArrayRef b);
/// Sums `x` down to `shape` (the reverse of broadcasting `shape` to x's shape).
Tensor sum_to(const Tensor& x, IntArrayRef shape);
/// The dtype that an op between a and b computes in, with libtorch's promotion rules.
ScalarType result_type(const Tensor& a, const Tensor& b);
ScalarType result_type(const Tensor& a, const Scalar& b);
ScalarType result_type(const Scalar& a, const Tensor& b);
ScalarType result_type(const Scalar& a, const Scalar& b);
/// libtorch's canCast: whether an op may write a `from` result into a `to` tensor (floating
/// values do not go into integral tensors, nor other values into Bool).
bool can_cast(ScalarType from, ScalarType to);

// ---- memory ----
/// Bytes of tensor storage that tensorgrad allocated and that is alive now, and the most that
/// was alive at once since the last reset (memory given to from_blob is not counted).
struct MemoryStats {
  int64_t current_bytes = 0;
  int64_t peak_bytes = 0;
};
MemoryStats memory_stats();
void reset_peak_memory_stats();

// ---- fusion ----
/// Whether elementwise ops on large Float and Double tensors defer their work so that a chain of
/// them runs as one pass over memory (Note [Deferred elementwise chains] in
/// src/core/deferred.cpp). The values are the same either way. On by default; the environment
/// variable TG_FUSION=0 turns it off at start-up.
void set_fusion_enabled(bool on);
bool fusion_enabled();

// ---- threads ----
/// Intra-op threads (OpenMP), as libtorch.
void set_num_threads(int n);
int get_num_threads();
/// libtorch's per-thread OpenMP set-up; tensorgrad's threads need none, so it does nothing.
void init_num_threads();
/// libtorch's inter-op pool, which runs independent ops concurrently in its graph executor.
/// tensorgrad runs every op on the calling thread and has no such pool: the number is kept and
/// returned (at least 1), and refused after the first call or when not positive, as libtorch.
void set_num_interop_threads(int n);
int get_num_interop_threads();

/// Denormal floats (below 1.2e-38 in float, 2.2e-308 in double) read and computed as zero, as
/// torch.set_flush_denormal: most CPUs take a slow path on them, and optimizer moments of weights
/// that stop getting gradients decay into them. Applies to the calling thread and its OpenMP
/// team. Returns false, changing nothing, where the CPU has no such mode.
bool set_flush_denormal(bool on);

}  // namespace tg
