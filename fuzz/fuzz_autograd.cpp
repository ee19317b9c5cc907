// Differential fuzzing of autograd: the input bytes decode into a small random program over f64
// tensors (inputs of random shapes and layouts, a sequence of public ops, one or two outputs),
// and every run must either throw tg::Error while building the program, or
//  1. give the same forward values when every input is replaced by a contiguous copy,
//  2. give gradients that agree with central finite differences (gradcheck), and, for small
//     programs, second derivatives that do too (gradgradcheck),
//  3. accumulate through Tensor::backward() exactly what autograd::grad() returns.
// Anything else (a crash, a sanitizer report, an exception other than tg::Error, a mismatch) is a
// finding: the program is printed in C++-like form and the run aborts.
//
// Note [Fuzzing near non-differentiable points]
// Finite differences only agree with a derivative where the function is smooth around the point,
// and are only accurate where it is well conditioned. The decoder therefore runs the program once
// ("planning"), and before keeping each op it checks, on the actual operand values with plain
// loops (not with tensorgrad's ops), that the op is away from its kinks and singularities by a
// margin: for the ops of the elementwise table, the domain its row names (x >= kPole for log,
// |x| <= 1 - kPole for atanh, distance to the nearest integer for floor...); |x| >= kKink for
// relu/leaky_relu, |a - b| for maximum/minimum/l1_loss, a top-2 gap in every
// reduced group for max/min/amax/amin and in every window for max_pool2d, x >= kPole for
// non-integer powers, |x| >= kPole for denominators,
// a norm >= kPole for norm/std, a channel variance for batch_norm, and no index at embedding's
// padding_idx (whose row gets no gradient by definition, as in libtorch). An op whose operands
// fail the check, or whose result is not finite or exceeds kBound in magnitude, is dropped from the
// program (it is not an error of the library). Two more exceptions are by design: a program whose
// view only works on its inputs' original strides is not checked further (view depends on the
// layout, and finite differences evaluate the program on contiguous copies), and a backward may
// throw the version-counter error when an in-place op overwrote a saved value. Nothing else is
// excused: every kept op must be exact to gradcheck's tolerances.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tensorgrad/nn.h"
#include "tensorgrad/tensorgrad.h"

namespace {

using tg::Tensor;
using tg::variable_list;
using Shape = std::vector<int64_t>;

constexpr double kKink = 1e-2;  // distance from a kink of the derivative
constexpr double kPole = 0.1;   // distance from a pole or a branch point
constexpr double kBound = 1e3;  // largest magnitude a kept value may have
constexpr int64_t kMaxInputElements = 24;
constexpr int64_t kMaxOutputElements = 8;
// A kept step's result is at most this big: a chain of repeat, expand, outer or broadcasting
// otherwise grows geometrically, and gradcheck runs the whole program twice per input element
// (a smoke run once spent over 60 s on one input, at 1.5 GB).
constexpr int64_t kMaxIntermediateElements = 1024;
constexpr int kMaxSteps = 12;
constexpr int kMaxStack = 16;

bool verbose() {
  static const bool v = std::getenv("TG_FUZZ_VERBOSE") != nullptr;
  return v;
}

// ---- reading values without tensorgrad's ops ----

int64_t numel_of(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

/// Calls f(index) for every multi-index of shape in row-major order.
template <class F>
void for_each_index(const Shape& shape, F&& f) {
  const int64_t n = numel_of(shape);
  Shape idx(shape.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    f(idx);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

/// t's element at `idx` of `shape`, where t broadcasts to shape (trailing dims aligned).
double at(const Tensor& t, const Shape& shape, const Shape& idx) {
  const int64_t nd = t.dim(), off = static_cast<int64_t>(shape.size()) - nd;
  int64_t pos = 0;
  for (int64_t d = 0; d < nd; ++d)
    if (t.size(d) != 1) pos += idx[static_cast<size_t>(d + off)] * t.stride(d);
  return t.data_ptr<double>()[pos];
}

std::vector<double> values(const Tensor& t) {
  std::vector<double> v;
  const Shape s = t.sizes().vec();
  v.reserve(static_cast<size_t>(t.numel()));
  for_each_index(s, [&](const Shape& i) { v.push_back(at(t, s, i)); });
  return v;
}

template <class P>
bool all_of(const Tensor& t, P&& pred) {
  for (double v : values(t))
    if (!pred(v)) return false;
  return true;
}

template <class P>
bool all_of_long(const Tensor& t, P&& pred) {
  const Tensor c = t.contiguous();
  for (int64_t k = 0; k < c.numel(); ++k)
    if (!pred(c.data_ptr<int64_t>()[k])) return false;
  return true;
}

/// The broadcast shape of a and b, or false if they don't broadcast (the op throws then).
bool broadcast(const Shape& a, const Shape& b, Shape& out) {
  const size_t n = std::max(a.size(), b.size());
  out.assign(n, 1);
  for (size_t i = 0; i < n; ++i) {
    const int64_t x = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t y = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (x != y && x != 1 && y != 1) return false;
    out[i] = x == 1 ? y : x;
  }
  return true;
}

template <class P>
bool all_of2(const Tensor& a, const Tensor& b, P&& pred) {
  Shape s;
  if (!broadcast(a.sizes().vec(), b.sizes().vec(), s)) return true;
  bool ok = true;
  for_each_index(s, [&](const Shape& i) { ok = ok && pred(at(a, s, i), at(b, s, i)); });
  return ok;
}

/// The values of t grouped by the reduction over `dims` (all dims when empty).
std::vector<std::vector<double>> groups(const Tensor& t, std::vector<int64_t> dims) {
  const Shape s = t.sizes().vec();
  const int64_t nd = static_cast<int64_t>(s.size());
  if (nd == 0) return {values(t)};
  std::vector<bool> reduced(s.size(), dims.empty());
  for (int64_t d : dims) reduced[static_cast<size_t>(((d % nd) + nd) % nd)] = true;
  std::map<Shape, std::vector<double>> g;
  for_each_index(s, [&](const Shape& i) {
    Shape key;
    for (size_t d = 0; d < s.size(); ++d)
      if (!reduced[d]) key.push_back(i[d]);
    g[key].push_back(at(t, s, i));
  });
  std::vector<std::vector<double>> out;
  for (auto& [k, v] : g) out.push_back(std::move(v));
  return out;
}

/// True when the largest (or smallest) value of every group is unique by kKink.
bool unique_extreme(const std::vector<std::vector<double>>& gs, bool largest) {
  for (auto v : gs) {
    if (v.size() < 2) continue;
    if (!largest)
      for (double& x : v) x = -x;
    std::partial_sort(v.begin(), v.begin() + 2, v.end(), std::greater<double>());
    if (v[0] - v[1] < kKink) return false;
  }
  return true;
}

double dist_to_integer(double v, double shift) {
  const double x = v - shift;
  return std::abs(x - std::round(x));
}

bool is_integer(double p) { return p == std::floor(p); }

// ---- programs ----

/// How an input leaf is laid out in memory.
enum class Layout { kContiguous, kTransposed, kStrided, kExpanded };

struct InputSpec {
  Shape shape;
  Layout layout = Layout::kContiguous;
  std::vector<double> values;  // row-major, of numel(shape) (or of the unexpanded base)
};

// One row per group of ops.
// clang-format off
enum class Op : uint8_t {
  // the elementwise op table (tensorgrad/elementwise_ops.def): ints[0] is the row
  kTableUnary, kTableBinary,
  // unary
  kNeg, kRelu, kSquare, kLeakyRelu, kGelu, kSilu,
  kSoftplus, kPowScalar, kScalarPow, kAddScalar, kMulScalar, kSubScalar, kRsubScalar, kRdivScalar,
  kDivScalar, kClamp, kClampMin, kClampMax, kDropout,
  // binary
  kAdd, kSub, kMul, kDiv, kPow, kMaximum, kMinimum, kWhere, kMseLoss, kL1Loss, kBceWithLogits,
  kBce, kMatmul, kMm, kBmm, kMv, kDot, kOuter, kAddmm, kLinear,
  // reductions
  kSum, kSumDims, kMean, kMeanDims, kProd, kProdDim, kMax, kMaxDim, kMin, kMinDim, kAmax, kAmin,
  kNorm, kNormDims, kVar, kStd, kLogsumexp, kSoftmax, kLogSoftmax, kCumsum,
  // shape and views
  kView, kReshape, kFlatten, kT, kTranspose, kPermute, kSqueeze, kSqueezeDim, kUnsqueeze, kExpand,
  kSlice, kNarrow, kSelect, kIndexSelect, kGather, kScatterAdd, kMaskedFill, kMaskedFillTensor,
  kChunk, kSplit, kSplitSizes, kUnbind, kRepeat, kContiguous, kClone, kTo, kCat, kStack,
  // in-place on a clone (or on a view of one)
  kAddInplace, kMulInplace, kSubInplace, kDivInplace, kPowInplace, kNegInplace, kClampInplace,
  kReluInplace, kCopyInplace, kZeroInplace, kFillInplace, kInplaceOnView,
  // nn
  kConv2d, kMaxPool2d, kAvgPool2d, kAdaptiveAvgPool2d, kBatchNorm, kEmbedding, kNllLoss,
  kCrossEntropy, kCount
};
// clang-format on

// clang-format off
const char* op_name(Op op) {
  static const char* names[] = {
      "(table unary)", "(table binary)", "neg", "relu", "square", "leaky_relu", "gelu", "silu",
      "softplus", "pow", "pow(scalar, t)", "add", "mul", "sub",
      "rsub", "rdiv", "div", "clamp", "clamp_min", "clamp_max", "dropout", "add", "sub", "mul",
      "div", "pow", "maximum", "minimum", "where", "mse_loss", "l1_loss",
      "binary_cross_entropy_with_logits", "binary_cross_entropy", "matmul", "mm", "bmm", "mv",
      "dot", "outer", "addmm", "linear", "sum", "sum", "mean", "mean", "prod", "prod", "max",
      "max", "min", "min", "amax", "amin", "norm", "norm", "var", "std", "logsumexp", "softmax",
      "log_softmax", "cumsum", "view", "reshape", "flatten", "t", "transpose", "permute",
      "squeeze", "squeeze", "unsqueeze", "expand", "slice", "narrow", "select", "index_select",
      "gather", "scatter_add", "masked_fill", "masked_fill", "chunk", "split", "split_with_sizes",
      "unbind", "repeat", "contiguous", "clone", "to", "cat", "stack", "add_", "mul_", "sub_",
      "div_", "pow_", "neg_", "clamp_", "relu_", "copy_", "zero_", "fill_", "mul_ (on a view)",
      "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm", "embedding",
      "nll_loss", "cross_entropy_loss"};
  static_assert(sizeof(names) / sizeof(names[0]) == static_cast<size_t>(Op::kCount),
                "every Op needs a name");
  return names[static_cast<size_t>(op)];
}
// clang-format on

// ---- the elementwise op table ----

/// Where a table op is smooth (its domain column), each with the margin of
/// Note [Fuzzing near non-differentiable points].
enum class Domain {
  kReal,
  kBelowTen,
  kPositive,
  kAboveMinusOne,
  kNonZero,
  kTan,
  kOpenUnit,
  kAboveOne,
  kNonInteger,
  kNonHalfInteger,
  kAwayFromOrigin,
  kNonZeroA,
  kPositiveB,
  kAwayFromMultiple
};

// Each row's forms: the free function, the method and the in-place method.
struct UnaryRow {
  const char* name;
  Domain domain;
  Tensor (*fn)(const Tensor&);
  Tensor (Tensor::*method)() const;
  Tensor& (Tensor::*in_place)() const;
};
struct BinaryRow {
  const char* name;
  Domain domain;
  Tensor (*fn)(const Tensor&, const Tensor&);
  Tensor (*fn_scalar)(const Tensor&, const tg::Scalar&);
  Tensor (Tensor::*method)(const Tensor&) const;
  Tensor& (Tensor::*in_place)(const Tensor&) const;
};

const UnaryRow kUnaryRows[] = {
#define TG_UNARY(name, node, dtypes, f, simd, vf, vd, saves, fused, dx, domain) \
  {#name, Domain::domain, &tg::name, &Tensor::name, &Tensor::name##_},
#include "tensorgrad/elementwise_ops.def"
#undef TG_UNARY
};
const BinaryRow kBinaryRows[] = {
#define TG_BINARY(name, node, dtypes, f, simd, vf, vd, saves, da, db, domain) \
  {#name,                                                                     \
   Domain::domain,                                                            \
   static_cast<Tensor (*)(const Tensor&, const Tensor&)>(&tg::name),          \
   static_cast<Tensor (*)(const Tensor&, const tg::Scalar&)>(&tg::name),      \
   static_cast<Tensor (Tensor::*)(const Tensor&) const>(&Tensor::name),       \
   static_cast<Tensor& (Tensor::*)(const Tensor&) const>(&Tensor::name##_)},
#include "tensorgrad/elementwise_ops.def"
#undef TG_BINARY
};
constexpr int64_t kUnaryRowCount = sizeof(kUnaryRows) / sizeof(kUnaryRows[0]);
constexpr int64_t kBinaryRowCount = sizeof(kBinaryRows) / sizeof(kBinaryRows[0]);

/// Whether a (and b, for binary rows) lie in the domain, by its margin.
bool in_domain(Domain domain, const Tensor& a, const Tensor& b) {
  auto unary = [&](auto pred) { return all_of(a, pred); };
  auto binary = [&](auto pred) { return all_of2(a, b, pred); };
  switch (domain) {
    case Domain::kReal:
      return true;
    case Domain::kBelowTen:
      return unary([](double x) { return std::abs(x) <= 10; });
    case Domain::kPositive:
      return unary([](double x) { return x >= kPole; });
    case Domain::kAboveMinusOne:
      return unary([](double x) { return x >= kPole - 1; });
    case Domain::kNonZero:
      return unary([](double x) { return std::abs(x) >= kPole; });
    case Domain::kTan:
      return unary([](double x) { return std::abs(std::cos(x)) >= kPole; });
    case Domain::kOpenUnit:
      return unary([](double x) { return std::abs(x) <= 1 - kPole; });
    case Domain::kAboveOne:
      return unary([](double x) { return x >= 1 + kPole; });
    case Domain::kNonInteger:
      return unary([](double x) { return dist_to_integer(x, 0) >= kKink; });
    case Domain::kNonHalfInteger:
      return unary([](double x) { return dist_to_integer(x, 0.5) >= kKink; });
    case Domain::kAwayFromOrigin:
      return binary([](double x, double y) { return std::hypot(x, y) >= kPole; });
    case Domain::kNonZeroA:
      return binary([](double x, double) { return std::abs(x) >= kKink; });
    case Domain::kPositiveB:
      return binary([](double, double y) { return y >= kPole; });
    case Domain::kAwayFromMultiple:
      return binary([](double x, double y) {
        return std::abs(y) >= kPole && dist_to_integer(x / y, 0) >= kKink;
      });
  }
  return false;
}

/// One op with every operand and parameter resolved, so that replaying it is deterministic.
struct Step {
  Op op = Op::kNeg;
  int a = -1, b = -1, c = -1;  // operands: indices into the value stack
  std::vector<int64_t> ints;   // dims, sizes, flags
  double s = 0, s2 = 0;        // scalars
  std::vector<Tensor> consts;  // index tensors, masks, targets (constants of the program)
};

std::string step_name(const Step& s) {
  static const char* forms[] = {"", " (method)", " (in place on a clone)", " (scalar form)"};
  if (s.op == Op::kTableUnary) return std::string(kUnaryRows[s.ints[0]].name) + forms[s.ints[1]];
  if (s.op == Op::kTableBinary) {
    const int64_t form = s.ints[1] == 2 ? 3 : s.ints[1] == 3 ? 2 : s.ints[1];
    return std::string(kBinaryRows[s.ints[0]].name) + forms[form];
  }
  return op_name(s.op);
}

struct Program {
  std::vector<InputSpec> inputs;
  std::vector<Step> steps;
  std::vector<int> outputs;  // stack indices
  Tensor fold;               // weights that fold a large output into a scalar (or undefined)
};

/// Materialises an input as a leaf that requires grad, in its layout: `values` are the leaf's
/// own values in row-major order (for kExpanded, those of the unexpanded base).
Tensor make_leaf(const InputSpec& in) {
  tg::NoGradGuard no_grad;
  Shape base_shape = in.shape;
  if (in.layout == Layout::kExpanded)
    for (auto& x : base_shape) x = std::min<int64_t>(x, 1);
  Tensor vals = tg::empty(base_shape, tg::kDouble);
  for (int64_t k = 0; k < vals.numel(); ++k)
    vals.data_ptr<double>()[k] = in.values[static_cast<size_t>(k)];
  Tensor leaf;
  switch (in.layout) {
    case Layout::kContiguous:
      leaf = vals;
      break;
    case Layout::kExpanded:
      leaf = vals.expand(in.shape);
      break;
    case Layout::kTransposed: {
      Shape s = in.shape;
      std::swap(s[0], s[1]);
      leaf = tg::full(s, 100.0, tg::kDouble).transpose(0, 1);
      leaf.copy_(vals);
      break;
    }
    case Layout::kStrided: {
      Shape s = in.shape;
      s[0] = 2 * s[0];
      leaf = tg::full(s, 100.0, tg::kDouble).slice(0, 0, std::nullopt, 2);
      leaf.copy_(vals);
      break;
    }
  }
  return leaf.requires_grad_(true);
}

std::string shape_str(const Shape& s) {
  std::ostringstream o;
  o << "{";
  for (size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
  o << "}";
  return o.str();
}

std::string const_str(const Tensor& t) {
  std::ostringstream o;
  o << "tensor(" << shape_str(t.sizes().vec()) << ", {";
  Tensor c = t.contiguous();
  for (int64_t k = 0; k < c.numel(); ++k) {
    o << (k ? ", " : "");
    if (c.dtype() == tg::kLong)
      o << c.data_ptr<int64_t>()[k];
    else if (c.dtype() == tg::kBool)
      o << (c.data_ptr<bool>()[k] ? "true" : "false");
    else
      o << c.data_ptr<double>()[k];
  }
  o << "})";
  return o.str();
}

std::string describe(const Program& p) {
  std::ostringstream o;
  o.precision(17);
  const char* layouts[] = {"contiguous", "transposed", "strided (slice step 2)", "expanded"};
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    const InputSpec& in = p.inputs[i];
    o << "  v" << i << " = input " << shape_str(in.shape) << " f64 "
      << layouts[static_cast<int>(in.layout)] << ", values {";
    for (size_t k = 0; k < in.values.size(); ++k) o << (k ? ", " : "") << in.values[k];
    o << "}\n";
  }
  size_t v = p.inputs.size();
  for (const Step& s : p.steps) {
    o << "  v" << v++ << " = " << step_name(s) << "(";
    bool first = true;
    auto sep = [&] {
      if (!first) o << ", ";
      first = false;
    };
    for (int k : {s.a, s.b, s.c})
      if (k >= 0) sep(), o << "v" << k;
    if (!s.ints.empty()) {
      sep();
      o << "ints " << shape_str(s.ints);
    }
    sep();
    o << "s " << s.s << ", s2 " << s.s2;
    for (const Tensor& c : s.consts) sep(), o << const_str(c);
    o << ")\n";
  }
  o << "  outputs:";
  for (int k : p.outputs) o << " v" << k;
  if (p.fold.defined()) o << " (folded: (out * w).sum(), w = " << const_str(p.fold) << ")";
  o << "\n";
  return o.str();
}

[[noreturn]] void finding(const Program& p, const std::string& what) {
  std::fprintf(stderr, "\n==== tensorgrad fuzz finding ====\n%s\nprogram:\n%s\n", what.c_str(),
               describe(p).c_str());
  std::fflush(stderr);
  std::abort();
}

// ---- decoding ----

/// Reads the fuzzer's bytes; once they run out, every read returns its smallest choice.
class Decoder {
 public:
  Decoder(const uint8_t* data, size_t size) : fdp_(data, size) {}
  int64_t pick(int64_t lo, int64_t hi) { return fdp_.ConsumeIntegralInRange<int64_t>(lo, hi); }
  bool coin() { return fdp_.ConsumeBool(); }
  /// True with probability about 1/n.
  bool rarely(int n = 16) { return pick(0, n - 1) == 0; }
  /// A value in [-4, 4) with fine resolution, exactly 0 for zero bytes.
  double value() { return fdp_.ConsumeIntegral<int16_t>() / 8192.0; }
  template <class T>
  T choose(std::initializer_list<T> options) {
    return options.begin()[pick(0, static_cast<int64_t>(options.size()) - 1)];
  }
  bool empty() { return fdp_.remaining_bytes() == 0; }

 private:
  FuzzedDataProvider fdp_;
};

/// A dim of a tensor of rank nd: usually valid (possibly negative), rarely out of range.
int64_t pick_dim(Decoder& d, int64_t nd) {
  if (d.rarely(24)) return d.pick(-nd - 2, nd + 1);
  const int64_t n = std::max<int64_t>(nd, 1);
  const int64_t dim = d.pick(0, n - 1);
  return d.coin() ? dim : dim - n;
}

/// An index in [0, size), rarely out of range (or into an empty dim).
int64_t pick_index(Decoder& d, int64_t size) {
  if (size <= 0 || d.rarely(24)) return d.pick(-2, size + 1);
  return d.pick(0, size - 1);
}

Tensor long_tensor(const Shape& shape, const std::vector<int64_t>& v) {
  Tensor t = tg::empty(shape, tg::kLong);
  for (int64_t k = 0; k < t.numel(); ++k) t.data_ptr<int64_t>()[k] = v[static_cast<size_t>(k)];
  return t;
}

Tensor index_tensor(Decoder& d, const Shape& shape, int64_t bound) {
  std::vector<int64_t> v(static_cast<size_t>(numel_of(shape)));
  for (auto& x : v) x = pick_index(d, bound);
  return long_tensor(shape, v);
}

Tensor bool_tensor(Decoder& d, const Shape& shape) {
  Tensor t = tg::empty(shape, tg::kBool);
  for (int64_t k = 0; k < t.numel(); ++k) t.data_ptr<bool>()[k] = d.coin();
  return t;
}

/// A shape that `like` broadcasts with: like's shape with some leading dims dropped and some
/// dims set to 1.
Shape broadcastable_shape(Decoder& d, const Shape& like) {
  Shape s(like.begin() + d.pick(0, static_cast<int64_t>(like.size())), like.end());
  for (auto& x : s)
    if (d.rarely(3)) x = 1;
  return s;
}

/// A shape with the same number of elements as `s` (for view/reshape), sometimes with a -1.
Shape reshape_target(Decoder& d, const Shape& s) {
  const int64_t n = numel_of(s);
  Shape out;
  if (d.rarely(24)) {  // anything: usually invalid
    const int64_t rank = d.pick(0, 3);
    for (int64_t k = 0; k < rank; ++k) out.push_back(d.pick(-1, 6));
    return out;
  }
  switch (d.pick(0, 3)) {
    case 0:
      out = {n};
      break;
    case 1:
      out = {1, n};
      break;
    case 2: {
      int64_t f = 1;
      for (int64_t k = d.pick(1, 4); k >= 1; --k)
        if (n % k == 0) {
          f = k;
          break;
        }
      out = {f, n / std::max<int64_t>(f, 1)};
      if (n == 0) out = {f, 0};
      break;
    }
    default:
      out = s;
      std::reverse(out.begin(), out.end());
      if (numel_of(out) != n) out = {n};
  }
  if (!out.empty() && d.rarely(3)) out[static_cast<size_t>(d.pick(0, out.size() - 1))] = -1;
  return out;
}

/// The first `numel(shape)` elements of x, viewed as `shape` (gradient flows back to x);
/// undefined when x is too small.
Tensor fit(const Tensor& x, const Shape& shape) {
  const int64_t need = numel_of(shape);
  if (x.numel() < need) return Tensor();
  return x.reshape({-1}).narrow(0, 0, need).view(shape);
}

bool finite_and_bounded(const Tensor& t) {
  if (!t.defined() || t.dtype() != tg::kDouble) return true;
  return all_of(t, [](double v) { return std::isfinite(v) && std::abs(v) <= kBound; });
}

// ---- the ops ----

/// Piece k of a split (the decoder's guess of the number of pieces may be too high).
Tensor piece(const std::vector<Tensor>& pieces, int64_t k) {
  TG_CHECK(k >= 0 && k < static_cast<int64_t>(pieces.size()), "fuzz: no piece ", k);
  return pieces[static_cast<size_t>(k)];
}

// clang-format off
/// Computes a step from the stack. The same code runs when planning and when replaying.
Tensor apply_step(const Step& s, const std::vector<Tensor>& v) {
  const Tensor& a = s.a >= 0 ? v[static_cast<size_t>(s.a)] : Tensor();
  const Tensor& b = s.b >= 0 ? v[static_cast<size_t>(s.b)] : Tensor();
  const Tensor& c = s.c >= 0 ? v[static_cast<size_t>(s.c)] : Tensor();
  const auto& n = s.ints;
  auto red = [&](size_t i) { return static_cast<int64_t>(n[i]); };
  switch (s.op) {
    case Op::kTableUnary: {
      const UnaryRow& r = kUnaryRows[n[0]];
      if (n[1] == 0) return r.fn(a);
      if (n[1] == 1) return (a.*r.method)();
      return (a.clone().*r.in_place)();
    }
    case Op::kTableBinary: {
      const BinaryRow& r = kBinaryRows[n[0]];
      if (n[1] == 0) return r.fn(a, b);
      if (n[1] == 1) return (a.*r.method)(b);
      if (n[1] == 2) return r.fn_scalar(a, s.s);
      return (a.clone().*r.in_place)(b);
    }
    case Op::kNeg: return s.ints[0] ? -a : tg::neg(a);
    case Op::kRelu: return a.relu();
    case Op::kSquare: return a.square();
    case Op::kLeakyRelu: return tg::leaky_relu(a, s.s);
    case Op::kGelu: return tg::gelu(a, n[0] ? "tanh" : "none");
    case Op::kSilu: return tg::silu(a);
    case Op::kSoftplus: return tg::softplus(a, s.s, s.s2);
    case Op::kPowScalar: return a.pow(s.s);
    case Op::kScalarPow: return tg::pow(tg::Scalar(s.s), a);
    case Op::kAddScalar: return n[0] ? a + s.s : a.add(s.s, s.s2);
    case Op::kMulScalar: return n[0] ? s.s * a : a.mul(s.s);
    case Op::kSubScalar: return a.sub(s.s, s.s2);
    case Op::kRsubScalar: return n[0] ? s.s - a : tg::rsub(a, s.s, s.s2);
    case Op::kRdivScalar: return n[0] ? s.s / a : tg::rdiv(a, s.s);
    case Op::kDivScalar: return a / s.s;
    case Op::kClamp: return a.clamp(s.s, s.s2);
    case Op::kClampMin: return n[0] ? a.clamp(s.s, std::nullopt) : a.clamp_min(s.s);
    case Op::kClampMax: return n[0] ? a.clamp(std::nullopt, s.s) : a.clamp_max(s.s);
    case Op::kDropout: return tg::dropout(a, s.s, n[0] != 0);

    case Op::kAdd: return n[0] ? a + b : a.add(b, s.s);
    case Op::kSub: return n[0] ? a - b : a.sub(b, s.s);
    case Op::kMul: return a * b;
    case Op::kDiv: return a / b;
    case Op::kPow: return a.pow(b);
    case Op::kMaximum: return tg::maximum(a, b);
    case Op::kMinimum: return tg::minimum(a, b);
    case Op::kWhere: return tg::where(s.consts[0], a, b);
    case Op::kMseLoss: return tg::mse_loss(a, b, red(0));
    case Op::kL1Loss: return tg::l1_loss(a, b, red(0));
    case Op::kBceWithLogits:
      return tg::binary_cross_entropy_with_logits(a, b, std::nullopt, std::nullopt, red(0));
    case Op::kBce: return tg::binary_cross_entropy(a, b, std::nullopt, red(0));
    case Op::kMatmul: return a.matmul(n[0] ? fit(b, Shape(n.begin() + 1, n.end())) : b);
    case Op::kMm: return a.mm(b);
    case Op::kBmm: return a.bmm(b);
    case Op::kMv: return a.mv(b);
    case Op::kDot: return a.dot(b);
    case Op::kOuter: return a.outer(b);
    case Op::kAddmm: {
      // self broadcasts to [m, p]; mat1 = a [m, k]; mat2 = the first k*p elements of b.
      const Tensor m2 = fit(b, {n[0], n[1]});
      TG_CHECK(m2.defined(), "fuzz: operand too small for addmm");
      return c.addmm(a, m2, s.s, s.s2);
    }
    case Op::kLinear: {
      const Tensor w = fit(b, {n[0], a.dim() ? a.size(-1) : 1});
      TG_CHECK(w.defined(), "fuzz: operand too small for linear");
      if (n[1]) return tg::linear(a, w, std::optional<Tensor>(fit(c, {n[0]})));
      return tg::linear(a, w);
    }

    case Op::kSum: return n[0] ? tg::sum(a) : a.sum();
    case Op::kSumDims: return a.sum(tg::IntArrayRef(n.data() + 1, n.size() - 1), n[0] != 0);
    case Op::kMean: return a.mean();
    case Op::kMeanDims: return a.mean(tg::IntArrayRef(n.data() + 1, n.size() - 1), n[0] != 0);
    case Op::kProd: return a.prod();
    case Op::kProdDim: return a.prod(n[0], n[1] != 0);
    case Op::kMax: return a.max();
    case Op::kMaxDim: return std::get<0>(a.max(n[0], n[1] != 0));
    case Op::kMin: return a.min();
    case Op::kMinDim: return std::get<0>(a.min(n[0], n[1] != 0));
    case Op::kAmax: return a.amax(tg::IntArrayRef(n.data() + 1, n.size() - 1), n[0] != 0);
    case Op::kAmin: return a.amin(tg::IntArrayRef(n.data() + 1, n.size() - 1), n[0] != 0);
    case Op::kNorm: return a.norm(s.s);
    case Op::kNormDims:
      return a.norm(tg::Scalar(s.s), tg::IntArrayRef(n.data() + 1, n.size() - 1), n[0] != 0);
    case Op::kVar:
      return n[1] ? a.var(n[0] != 0) : a.var(tg::IntArrayRef(n.data() + 3, n.size() - 3),
                                             n[0] != 0, n[2] != 0);
    case Op::kStd:
      return n[1] ? a.std(n[0] != 0) : a.std(tg::IntArrayRef(n.data() + 3, n.size() - 3),
                                             n[0] != 0, n[2] != 0);
    case Op::kLogsumexp: return a.logsumexp(tg::IntArrayRef(n.data() + 1, n.size() - 1), n[0]);
    case Op::kSoftmax: return n[1] ? tg::softmax(a, n[0]) : a.softmax(n[0]);
    case Op::kLogSoftmax: return n[1] ? tg::log_softmax(a, n[0]) : a.log_softmax(n[0]);
    case Op::kCumsum: return a.cumsum(n[0]);

    case Op::kView: return a.view(n);
    case Op::kReshape: return a.reshape(n);
    case Op::kFlatten: return a.flatten(n[0], n[1]);
    case Op::kT: return a.t();
    case Op::kTranspose: return a.transpose(n[0], n[1]);
    case Op::kPermute: return a.permute(n);
    case Op::kSqueeze: return a.squeeze();
    case Op::kSqueezeDim: return a.squeeze(n[0]);
    case Op::kUnsqueeze: return a.unsqueeze(n[0]);
    case Op::kExpand: return a.expand(n);
    case Op::kSlice:
      return a.slice(n[0], n[1] == INT64_MIN ? std::nullopt : std::optional<int64_t>(n[1]),
                     n[2] == INT64_MAX ? std::nullopt : std::optional<int64_t>(n[2]), n[3]);
    case Op::kNarrow: return a.narrow(n[0], n[1], n[2]);
    case Op::kSelect: return n[2] && n[0] == 0 ? a[n[1]] : a.select(n[0], n[1]);
    case Op::kIndexSelect: return a.index_select(n[0], s.consts[0]);
    case Op::kGather: return a.gather(n[0], s.consts[0]);
    case Op::kScatterAdd: {
      const Tensor src = fit(b, s.consts[0].sizes().vec());
      TG_CHECK(src.defined(), "fuzz: operand too small for scatter_add");
      return a.scatter_add(n[0], s.consts[0], src);
    }
    case Op::kMaskedFill: return a.masked_fill(s.consts[0], s.s);
    case Op::kMaskedFillTensor: return a.masked_fill(s.consts[0], fit(b, {}));
    case Op::kChunk: return piece(a.chunk(n[0], n[1]), n[2]);
    case Op::kSplit: return piece(a.split(n[0], n[1]), n[2]);
    case Op::kSplitSizes:
      return piece(a.split_with_sizes(tg::IntArrayRef(n.data() + 2, n.size() - 2), n[0]), n[1]);
    case Op::kUnbind: return piece(a.unbind(n[0]), n[1]);
    case Op::kRepeat: return a.repeat(n);
    case Op::kContiguous: return a.contiguous();
    case Op::kClone: return a.clone();
    case Op::kTo: return a.to(tg::kDouble, false, n[0] != 0);
    case Op::kCat:
      return n[1] == 3 ? tg::cat({a, b, c}, n[0]) : n[1] == 2 ? tg::cat({a, b}, n[0])
                                                              : tg::cat({a}, n[0]);
    case Op::kStack: return n[1] == 2 ? tg::stack({a, b}, n[0]) : tg::stack({a}, n[0]);

    case Op::kAddInplace: return a.clone().add_(b, s.s);
    case Op::kMulInplace: {
      Tensor r = a.clone();
      return n[0] ? (r *= b) : r.mul_(b);
    }
    case Op::kSubInplace: return a.clone().sub_(b);
    case Op::kDivInplace: return a.clone().div_(b);
    case Op::kPowInplace: return a.clone().pow_(s.s);
    case Op::kNegInplace: return a.clone().neg_();
    case Op::kClampInplace: return a.clone().clamp_(s.s, s.s2);
    case Op::kReluInplace: return a.clone().relu_();
    case Op::kCopyInplace: return a.clone().copy_(b);
    case Op::kZeroInplace: return a.clone().zero_();
    case Op::kFillInplace: return a.clone().fill_(s.s);
    case Op::kInplaceOnView: {
      Tensor r = a.clone();
      r.narrow(n[0], n[1], n[2]).mul_(s.s);
      return r;
    }

    case Op::kConv2d: {
      // weight: [out, in / groups, kh, kw] from b; bias [out] from c (when n[9]).
      const int64_t in_ch = a.dim() >= 3 ? a.size(-3) : 1;
      const Tensor w = fit(b, {n[0], in_ch / std::max<int64_t>(n[8], 1), n[1], n[2]});
      TG_CHECK(w.defined(), "fuzz: operand too small for conv2d");
      const Tensor bias = n[9] ? fit(c, {n[0]}) : Tensor();
      TG_CHECK(!n[9] || bias.defined(), "fuzz: operand too small for conv2d's bias");
      return tg::conv2d(a, w, bias, {n[3], n[3]}, {n[4], n[5]}, {n[6], n[7]}, n[8]);
    }
    case Op::kMaxPool2d:
      return tg::max_pool2d(a, {n[0], n[1]}, {n[2], n[2]}, {n[3], n[3]}, {n[4], n[4]}, n[5] != 0);
    case Op::kAvgPool2d:
      return tg::avg_pool2d(a, {n[0], n[1]}, {n[2], n[2]}, {n[3], n[3]}, n[4] != 0, n[5] != 0,
                            n[6] > 0 ? std::optional<int64_t>(n[6]) : std::nullopt);
    case Op::kAdaptiveAvgPool2d: return tg::adaptive_avg_pool2d(a, {n[0], n[1]});
    case Op::kBatchNorm: {
      const int64_t ch = a.dim() >= 2 ? a.size(1) : 1;
      const Tensor w = n[1] ? fit(b, {ch}) : Tensor();
      const Tensor bias = n[1] ? fit(c, {ch}) : Tensor();
      TG_CHECK(!n[1] || (w.defined() && bias.defined()), "fuzz: operand too small for batch_norm");
      if (n[0]) return tg::batch_norm(a, w, bias, {}, {}, true, 0.1, s.s);
      return tg::batch_norm(a, w, bias, s.consts[0], s.consts[1], false, 0.1, s.s);
    }
    case Op::kEmbedding: {
      const Tensor w = fit(a, {n[0], n[1]});
      TG_CHECK(w.defined(), "fuzz: operand too small for embedding");
      return tg::embedding(w, s.consts[0], n[2]);
    }
    case Op::kNllLoss:
      if (a.dim() >= 3)
        return tg::nll_loss_nd(a, s.consts[0], s.consts.size() > 1 ? std::optional(s.consts[1])
                                                                    : std::nullopt,
                               n[0], n[1]);
      return tg::nll_loss(a, s.consts[0], s.consts.size() > 1 ? std::optional(s.consts[1])
                                                                : std::nullopt,
                          n[0], n[1]);
    case Op::kCrossEntropy:
      return tg::cross_entropy_loss(a, s.consts[0], s.consts.size() > 1
                                                        ? std::optional(s.consts[1])
                                                        : std::nullopt,
                                    n[0], n[1], s.s);
    case Op::kCount: break;
  }
  std::abort();
}
// clang-format on

// clang-format off
/// Whether a step's operands are away from the op's non-differentiable points and poles.
/// See Note [Fuzzing near non-differentiable points].
bool smooth_at(const Step& s, const std::vector<Tensor>& v, const Tensor& out) {
  const Tensor& a = s.a >= 0 ? v[static_cast<size_t>(s.a)] : Tensor();
  const Tensor& b = s.b >= 0 ? v[static_cast<size_t>(s.b)] : Tensor();
  const auto& n = s.ints;
  auto away = [](double m) { return [m](double x) { return std::abs(x) >= m; }; };
  auto positive = [](double x) { return x >= kPole; };
  auto dims = [&](size_t from) { return std::vector<int64_t>(n.begin() + from, n.end()); };
  switch (s.op) {
    case Op::kTableUnary: return in_domain(kUnaryRows[n[0]].domain, a, Tensor());
    case Op::kTableBinary:
      return in_domain(kBinaryRows[n[0]].domain, a, n[1] == 2 ? tg::scalar_tensor(s.s, tg::kDouble) : b);
    case Op::kRelu: case Op::kLeakyRelu: case Op::kReluInplace: return all_of(a, away(kKink));
    case Op::kRdivScalar: return all_of(a, away(kPole));
    case Op::kSoftplus:
      return all_of(a, [&](double x) { return std::abs(s.s * x - s.s2) >= kKink; });
    case Op::kPowScalar: case Op::kPowInplace:
      if (is_integer(s.s)) return s.s >= 0 || all_of(a, away(kPole));
      return all_of(a, positive);
    case Op::kClamp: case Op::kClampInplace:
      return all_of(a, [&](double x) {
        return std::abs(x - s.s) >= kKink && std::abs(x - s.s2) >= kKink;
      });
    case Op::kClampMin: case Op::kClampMax:
      return all_of(a, [&](double x) { return std::abs(x - s.s) >= kKink; });
    case Op::kDiv: case Op::kDivInplace: return all_of(b, away(kPole));
    case Op::kPow: return all_of(a, positive);
    case Op::kMaximum: case Op::kMinimum: case Op::kL1Loss:
      return all_of2(a, b, [](double x, double y) { return std::abs(x - y) >= kKink; });
    case Op::kBce: return all_of(a, [](double x) { return x >= kPole && x <= 1 - kPole; }) &&
                          all_of(b, [](double x) { return x >= 0 && x <= 1; });
    case Op::kMax: return unique_extreme(groups(a, {}), true);
    case Op::kMin: return unique_extreme(groups(a, {}), false);
    case Op::kMaxDim: return unique_extreme(groups(a, {n[0]}), true);
    case Op::kMinDim: return unique_extreme(groups(a, {n[0]}), false);
    case Op::kAmax: case Op::kAmin: {
      // amax over no dims reduces over all of them.
      return unique_extreme(groups(a, dims(1)), s.op == Op::kAmax);
    }
    case Op::kNorm: case Op::kNormDims: {
      if (s.s == 1) return all_of(a, away(kKink));
      for (const auto& g : groups(a, s.op == Op::kNorm ? std::vector<int64_t>{} : dims(1))) {
        double sq = 0;
        for (double x : g) sq += x * x;
        if (std::sqrt(sq) < kPole) return false;
      }
      return true;
    }
    case Op::kStd: {
      for (const auto& g : groups(a, n[1] ? std::vector<int64_t>{} : dims(3))) {
        double mean = 0, var = 0;
        for (double x : g) mean += x / static_cast<double>(g.size());
        for (double x : g) var += (x - mean) * (x - mean);
        if (var / static_cast<double>(g.size()) < kPole * kPole) return false;
      }
      return true;
    }
    case Op::kEmbedding:
      // By definition the row at padding_idx gets no gradient although the forward reads it
      // (as libtorch): finite differences can only agree when no index hits it.
      return n[2] < 0 || all_of_long(s.consts[0], [&](int64_t i) { return i != n[2]; });
    case Op::kMaxPool2d: {
      // Every window's largest value is unique (windows as the op defines them).
      const Shape as = a.sizes().vec();
      const int64_t nd = a.dim(), H = as[nd - 2], W = as[nd - 1];
      const int64_t OH = out.size(-2), OW = out.size(-1);
      const Shape planes(as.begin(), as.end() - 2);
      bool ok = true;
      for_each_index(planes, [&](const Shape& plane) {
        for (int64_t oy = 0; oy < OH; ++oy)
          for (int64_t ox = 0; ox < OW; ++ox) {
            std::vector<double> win;
            for (int64_t ky = 0; ky < n[0]; ++ky)
              for (int64_t kx = 0; kx < n[1]; ++kx) {
                const int64_t y = oy * n[2] - n[3] + ky * n[4], x = ox * n[2] - n[3] + kx * n[4];
                if (y < 0 || y >= H || x < 0 || x >= W) continue;
                Shape idx = plane;
                idx.push_back(y);
                idx.push_back(x);
                win.push_back(at(a, as, idx));
              }
            ok = ok && unique_extreme({win}, true);
          }
      });
      return ok;
    }
    case Op::kBatchNorm: {
      if (!n[0]) return true;  // eval: an affine map
      std::vector<int64_t> others = {0};
      for (int64_t k = 2; k < a.dim(); ++k) others.push_back(k);
      for (const auto& g : groups(a, others)) {
        double mean = 0, var = 0;
        for (double x : g) mean += x / static_cast<double>(g.size());
        for (double x : g) var += (x - mean) * (x - mean);
        if (var / static_cast<double>(g.size()) < kPole * kPole) return false;
      }
      return true;
    }
    default: return true;
  }
}
// clang-format on

/// A stack index for an operand that broadcasts with `with` (when given), rarely any.
int pick_operand(Decoder& d, const std::vector<Tensor>& stack, const Tensor* with = nullptr) {
  const int n = static_cast<int>(stack.size());
  if (with == nullptr || d.rarely(24)) return static_cast<int>(d.pick(0, n - 1));
  std::vector<int> ok;
  Shape out;
  for (int i = 0; i < n; ++i)
    if (broadcast(with->sizes().vec(), stack[static_cast<size_t>(i)].sizes().vec(), out))
      ok.push_back(i);
  if (ok.empty()) return static_cast<int>(d.pick(0, n - 1));
  return ok[static_cast<size_t>(d.pick(0, static_cast<int64_t>(ok.size()) - 1))];
}

/// A list of distinct dims (possibly negative, possibly empty) of a rank-nd tensor.
std::vector<int64_t> pick_dims(Decoder& d, int64_t nd) {
  std::vector<int64_t> dims;
  for (int64_t k = 0; k < std::max<int64_t>(nd, 1); ++k)
    if (d.coin()) dims.push_back(d.coin() ? k : k - std::max<int64_t>(nd, 1));
  if (d.rarely(24)) dims.push_back(pick_dim(d, nd));  // maybe repeated or out of range
  return dims;
}

/// Decodes the parameters of one step of op `op` over the current stack.
Step decode_step(Decoder& d, Op op, const std::vector<Tensor>& st) {
  Step s;
  s.op = op;
  s.a = pick_operand(d, st);
  const Tensor& a = st[static_cast<size_t>(s.a)];
  const int64_t nd = a.dim();
  const Shape as = a.sizes().vec();
  auto size_at = [&](int64_t dim) {
    const int64_t n = std::max<int64_t>(nd, 1);
    if (dim < -n || dim >= n || nd == 0) return int64_t(1);
    return as[static_cast<size_t>(dim < 0 ? dim + n : dim)];
  };
  auto scalar = [&] { return d.choose<double>({0.5, -1.5, 2.0, 0.25, -0.75, 3.0, 1.0, -2.0}); };
  auto reduction = [&] { return d.pick(0, 2); };  // None, Mean, Sum
  switch (op) {
    case Op::kTableUnary:
      s.ints = {d.pick(0, kUnaryRowCount - 1), d.pick(0, 2)};
      break;
    case Op::kTableBinary:
      s.b = pick_operand(d, st, &a);
      s.ints = {d.pick(0, kBinaryRowCount - 1), d.pick(0, 3)};
      s.s = scalar();
      break;
    case Op::kNeg:
    case Op::kGelu:
    case Op::kMulScalar:
    case Op::kAddScalar:
    case Op::kRsubScalar:
    case Op::kRdivScalar:
    case Op::kClampMin:
    case Op::kClampMax:
    case Op::kTo:
      s.ints = {d.coin()};
      s.s = scalar();
      s.s2 = scalar();
      break;
    case Op::kLeakyRelu:
      s.s = d.choose<double>({0.01, 0.2, -0.5, 1.5});
      break;
    case Op::kSoftplus:
      s.s = d.choose<double>({1.0, 2.0, 0.5});
      s.s2 = d.choose<double>({20.0, 1.0, 0.5});
      break;
    case Op::kPowScalar:
    case Op::kPowInplace:
      s.s = d.choose<double>({2.0, 3.0, 0.5, 1.5, -1.0, -2.0, 0.0, 1.0, -0.5});
      break;
    case Op::kScalarPow:
      s.s = d.choose<double>({2.0, 0.5, 3.0, 1.0});
      break;
    case Op::kSubScalar:
    case Op::kDivScalar:
    case Op::kFillInplace:
      s.s = scalar();
      s.s2 = scalar();
      break;
    case Op::kClamp:
    case Op::kClampInplace:
      s.s = d.choose<double>({-1.0, -0.5, 0.0, 0.25});
      s.s2 = d.choose<double>({1.0, 0.5, 2.0, -2.0});  // -2 < min: everything becomes max
      break;
    case Op::kDropout:
      s.s = d.choose<double>({0.0, 1.0, 0.0, 1.0, 1.5});
      s.ints = {d.coin()};
      break;
    case Op::kAdd:
    case Op::kSub:
      s.b = pick_operand(d, st, &a);
      s.ints = {d.coin()};
      s.s = scalar();
      break;
    case Op::kMul:
    case Op::kDiv:
    case Op::kPow:
    case Op::kMaximum:
    case Op::kMinimum:
    case Op::kAddInplace:
    case Op::kSubInplace:
    case Op::kDivInplace:
    case Op::kCopyInplace:
      s.b = pick_operand(d, st, &a);
      s.s = scalar();
      break;
    case Op::kMulInplace:
      s.b = pick_operand(d, st, &a);
      s.ints = {d.coin()};
      break;
    case Op::kWhere: {
      s.b = pick_operand(d, st, &a);
      s.consts = {bool_tensor(d, broadcastable_shape(d, as))};
      break;
    }
    case Op::kMseLoss:
    case Op::kL1Loss:
    case Op::kBceWithLogits:
    case Op::kBce:
      s.b = pick_operand(d, st, &a);
      s.ints = {reduction()};
      break;
    case Op::kMatmul: {
      s.b = pick_operand(d, st);
      // Either b as it is, or a slice of b shaped to fit a: [k] or [k, p] or [batch.., k, p].
      const int64_t k = nd == 0 ? 1 : as.back();
      switch (d.pick(0, 3)) {
        case 0:
          s.ints = {0};
          break;
        case 1:
          s.ints = {1, k};
          break;
        case 2:
          s.ints = {1, k, d.pick(1, 3)};
          break;
        default:
          s.ints = {1, d.pick(1, 2), k, d.pick(1, 3)};
      }
      break;
    }
    case Op::kMm:
    case Op::kBmm:
    case Op::kMv:
    case Op::kDot:
    case Op::kOuter:
      s.b = pick_operand(d, st);
      break;
    case Op::kAddmm:
      s.b = pick_operand(d, st);
      s.c = pick_operand(d, st);
      s.ints = {nd >= 1 ? as.back() : 1, d.pick(1, 3)};
      s.s = scalar();
      s.s2 = scalar();
      break;
    case Op::kLinear:
      s.b = pick_operand(d, st);
      s.c = pick_operand(d, st);
      s.ints = {d.pick(1, 3), d.coin()};
      break;
    case Op::kSum:
    case Op::kMean:
    case Op::kProd:
    case Op::kMax:
    case Op::kMin:
    case Op::kSqueeze:
    case Op::kT:
    case Op::kContiguous:
    case Op::kClone:
      s.ints = {d.coin()};
      break;
    case Op::kSumDims:
    case Op::kMeanDims:
    case Op::kAmax:
    case Op::kAmin:
    case Op::kLogsumexp: {
      s.ints = {d.coin()};
      for (int64_t x : pick_dims(d, nd)) s.ints.push_back(x);
      break;
    }
    case Op::kNorm:
      s.s = d.choose<double>({2.0, 1.0, 3.0});
      break;
    case Op::kNormDims:
      s.s = d.choose<double>({2.0, 1.0, 3.0});
      s.ints = {d.coin()};
      for (int64_t x : pick_dims(d, nd)) s.ints.push_back(x);
      break;
    case Op::kVar:
    case Op::kStd:
      s.ints = {d.coin(), d.coin(), d.coin()};  // unbiased, all, keepdim
      for (int64_t x : pick_dims(d, nd)) s.ints.push_back(x);
      break;
    case Op::kProdDim:
    case Op::kMaxDim:
    case Op::kMinDim:
      s.ints = {pick_dim(d, nd), d.coin()};
      break;
    case Op::kSoftmax:
    case Op::kLogSoftmax:
      s.ints = {pick_dim(d, nd), d.coin()};
      break;
    case Op::kCumsum:
    case Op::kSqueezeDim:
      s.ints = {pick_dim(d, nd)};
      break;
    case Op::kUnsqueeze:
      s.ints = {pick_dim(d, nd + 1)};
      break;
    case Op::kView:
    case Op::kReshape:
      s.ints = reshape_target(d, as);
      break;
    case Op::kFlatten:
      s.ints = {pick_dim(d, nd), pick_dim(d, nd)};
      break;
    case Op::kTranspose:
      s.ints = {pick_dim(d, nd), pick_dim(d, nd)};
      break;
    case Op::kPermute: {
      for (int64_t k = 0; k < nd; ++k) s.ints.push_back(k);
      for (int64_t k = nd - 1; k > 0; --k)
        std::swap(s.ints[static_cast<size_t>(k)], s.ints[static_cast<size_t>(d.pick(0, k))]);
      if (d.rarely(24)) s.ints.push_back(0);
      break;
    }
    case Op::kExpand: {
      // Prepend up to two dims; size-1 dims grow; some dims stay as they are or say -1.
      const int64_t extra = d.pick(0, 2);
      for (int64_t k = 0; k < extra; ++k) s.ints.push_back(d.pick(1, 3));
      for (int64_t x : as) s.ints.push_back(x == 1 ? d.pick(0, 3) : d.coin() ? x : -1);
      if (d.rarely(24) && !s.ints.empty()) s.ints.back() = d.pick(-2, 5);
      break;
    }
    case Op::kSlice: {
      const int64_t dim = pick_dim(d, nd), size = size_at(dim);
      const int64_t start = d.rarely(4) ? INT64_MIN : d.pick(-size - 1, size + 1);
      const int64_t end = d.rarely(4) ? INT64_MAX : d.pick(-size - 1, size + 2);
      s.ints = {dim, start, end, d.rarely(24) ? d.pick(-1, 0) : d.pick(1, 3)};
      break;
    }
    case Op::kNarrow:
    case Op::kInplaceOnView: {
      const int64_t dim = pick_dim(d, nd), size = size_at(dim);
      const int64_t start = d.rarely(24) ? d.pick(-size - 2, size + 2) : d.pick(0, size);
      const int64_t len =
          d.rarely(24) ? d.pick(-1, size + 1) : d.pick(0, size - std::min(start, size));
      s.ints = {dim, start, len};
      s.s = scalar();
      break;
    }
    case Op::kSelect: {
      const int64_t dim = pick_dim(d, nd);
      const int64_t size = size_at(dim);
      const int64_t index =
          size > 0 && !d.rarely(24) ? d.pick(-size, size - 1) : d.pick(-size - 2, size + 1);
      s.ints = {dim, index, d.coin()};
      break;
    }
    case Op::kIndexSelect: {
      const int64_t dim = pick_dim(d, nd);
      s.ints = {dim};
      s.consts = {index_tensor(d, {d.pick(0, 4)}, size_at(dim))};
      break;
    }
    case Op::kGather:
    case Op::kScatterAdd: {
      const int64_t dim = pick_dim(d, nd);
      s.ints = {dim};
      Shape is = as;
      for (auto& x : is) x = d.pick(std::min<int64_t>(x, 1), std::max<int64_t>(x, 1));
      if (d.rarely(24)) is.push_back(1);
      s.consts = {index_tensor(d, is, size_at(dim))};
      if (op == Op::kScatterAdd) s.b = pick_operand(d, st);
      break;
    }
    case Op::kMaskedFill:
      s.consts = {bool_tensor(d, broadcastable_shape(d, as))};
      s.s = scalar();
      break;
    case Op::kMaskedFillTensor:
      s.consts = {bool_tensor(d, broadcastable_shape(d, as))};
      s.b = pick_operand(d, st);
      break;
    case Op::kChunk: {
      const int64_t dim = pick_dim(d, nd), chunks = d.rarely(24) ? 0 : d.pick(1, 3);
      const int64_t size = size_at(dim);
      const int64_t per = chunks > 0 ? (size + chunks - 1) / chunks : 1;
      const int64_t pieces = per > 0 ? std::max<int64_t>((size + per - 1) / per, 1) : 1;
      s.ints = {chunks, dim, d.pick(0, pieces - 1)};
      break;
    }
    case Op::kSplit: {
      const int64_t dim = pick_dim(d, nd), size = size_at(dim);
      const int64_t split = d.rarely(24) ? 0 : d.pick(1, 3);
      const int64_t pieces = split > 0 ? std::max<int64_t>((size + split - 1) / split, 1) : 1;
      s.ints = {split, dim, d.pick(0, pieces - 1)};
      break;
    }
    case Op::kSplitSizes: {
      const int64_t dim = pick_dim(d, nd), size = size_at(dim);
      std::vector<int64_t> sizes;
      for (int64_t left = size; left > 0;) {
        const int64_t k = d.pick(0, left);
        sizes.push_back(k);
        left -= k;
        if (sizes.size() > 4) break;
      }
      if (sizes.empty() || d.rarely(24)) sizes.push_back(d.pick(0, 2));
      s.ints = {dim, d.pick(0, static_cast<int64_t>(sizes.size()) - 1)};
      for (int64_t x : sizes) s.ints.push_back(x);
      break;
    }
    case Op::kUnbind: {
      const int64_t dim = pick_dim(d, nd);
      s.ints = {dim, pick_index(d, size_at(dim))};
      if (s.ints[1] < 0) s.ints[1] = 0;
      break;
    }
    case Op::kRepeat: {
      const int64_t extra = d.pick(0, 1);
      for (int64_t k = 0; k < nd + extra; ++k) s.ints.push_back(d.pick(0, 2));
      if (d.rarely(24) && !s.ints.empty()) s.ints.pop_back();
      break;
    }
    case Op::kCat: {
      s.ints = {pick_dim(d, nd), d.pick(1, 3)};
      s.b = pick_operand(d, st);
      s.c = pick_operand(d, st);
      // Most of the time the same tensor again (always compatible; gradients accumulate).
      if (st[static_cast<size_t>(s.b)].dim() != nd && !d.rarely(8)) s.b = s.a;
      if (st[static_cast<size_t>(s.c)].dim() != nd && !d.rarely(8)) s.c = s.a;
      break;
    }
    case Op::kStack: {
      s.ints = {pick_dim(d, nd + 1), d.pick(1, 2)};
      s.b = pick_operand(d, st);
      if (st[static_cast<size_t>(s.b)].sizes() != a.sizes() && !d.rarely(8)) s.b = s.a;
      break;
    }
    case Op::kConv2d: {
      // out_ch, kh, kw, stride, pad_h, pad_w, dil_h, dil_w, groups, has_bias
      s.b = pick_operand(d, st);
      s.c = pick_operand(d, st);
      s.ints = {d.pick(1, 2), d.pick(1, 2), d.pick(1, 2), d.pick(1, 2),        d.pick(0, 1),
                d.pick(0, 1), d.pick(1, 2), d.pick(1, 2), d.rarely(4) ? 2 : 1, d.coin()};
      if (d.rarely(24)) s.ints[static_cast<size_t>(d.pick(0, 8))] = d.pick(-1, 0);
      break;
    }
    case Op::kMaxPool2d:  // kh, kw, stride, pad, dilation, ceil
      s.ints = {d.pick(1, 3), d.pick(1, 3), d.pick(1, 2), d.pick(0, 1), d.pick(1, 2), d.coin()};
      if (d.rarely(24)) s.ints[static_cast<size_t>(d.pick(0, 4))] = d.pick(-1, 0);
      break;
    case Op::kAvgPool2d:  // kh, kw, stride, pad, ceil, count_include_pad, divisor
      s.ints = {d.pick(1, 3),
                d.pick(1, 3),
                d.pick(1, 2),
                d.pick(0, 1),
                d.coin(),
                d.coin(),
                d.rarely(4) ? d.pick(1, 3) : 0};
      if (d.rarely(24)) s.ints[static_cast<size_t>(d.pick(0, 3))] = d.pick(-1, 0);
      break;
    case Op::kAdaptiveAvgPool2d:
      s.ints = {d.pick(1, 3), d.pick(1, 3)};
      break;
    case Op::kBatchNorm: {
      s.ints = {d.coin(), d.coin()};  // training, affine
      s.b = pick_operand(d, st);
      s.c = pick_operand(d, st);
      s.s = d.choose<double>({1e-5, 0.1});
      const int64_t ch = nd >= 2 ? as[1] : 1;
      Tensor mean = tg::empty({ch}, tg::kDouble), var = tg::empty({ch}, tg::kDouble);
      for (int64_t k = 0; k < ch; ++k) {
        mean.data_ptr<double>()[k] = d.value();
        var.data_ptr<double>()[k] = 0.5 + std::abs(d.value());
      }
      s.consts = {mean, var};
      break;
    }
    case Op::kEmbedding: {
      const int64_t num = d.pick(1, 4), dim = d.pick(1, 3);
      s.ints = {num, dim, d.rarely(3) ? d.pick(-1, num - 1) : -1};
      s.consts = {index_tensor(d, Shape(static_cast<size_t>(d.pick(0, 2)), d.pick(0, 3)), num)};
      break;
    }
    case Op::kNllLoss:
    case Op::kCrossEntropy: {
      // input [N, C] or [C] (or [N, C, d]); targets [N] (or [] or [N, d]) in [0, C).
      const int64_t classes = nd >= 2 ? as[1] : nd == 1 ? as[0] : 1;
      Shape ts;
      if (nd >= 2) {
        ts = {as[0]};
        for (size_t k = 2; k < as.size(); ++k) ts.push_back(as[k]);
      }
      const int64_t ignore = d.rarely(4) ? d.pick(0, std::max<int64_t>(classes - 1, 0)) : -100;
      s.ints = {reduction(), ignore};
      s.consts = {index_tensor(d, ts, classes)};
      if (d.rarely(3)) {
        Tensor w = tg::empty({classes}, tg::kDouble);
        for (int64_t k = 0; k < classes; ++k) w.data_ptr<double>()[k] = 0.25 + std::abs(d.value());
        s.consts.push_back(w);
      }
      s.s = op == Op::kCrossEntropy && d.coin() ? 0.1 : 0.0;
      break;
    }
    default:
      break;
  }
  return s;
}

/// Decodes the inputs' shapes, layouts and values.
void decode_inputs(Decoder& d, Program& p) {
  const int64_t n_inputs = d.pick(1, 3);
  int64_t budget = kMaxInputElements;
  for (int64_t i = 0; i < n_inputs; ++i) {
    InputSpec in;
    const int64_t dims = d.pick(0, 4);
    for (int64_t k = 0; k < dims; ++k) in.shape.push_back(d.rarely(12) ? 0 : d.pick(1, 4));
    // Shrink the largest dim until the input fits the budget (an empty input always fits).
    while (numel_of(in.shape) > budget) {
      if (in.shape.empty()) {
        in.shape = {0};
        break;
      }
      auto it = std::max_element(in.shape.begin(), in.shape.end());
      if (*it > 1)
        --*it;
      else
        in.shape.pop_back();
    }
    budget -= numel_of(in.shape);
    const size_t rank = in.shape.size();
    switch (d.pick(0, 5)) {
      case 1:
        in.layout = rank >= 2 ? Layout::kTransposed : Layout::kContiguous;
        break;
      case 2:
        in.layout = rank >= 1 ? Layout::kStrided : Layout::kContiguous;
        break;
      case 3:
        in.layout = Layout::kExpanded;
        break;
      default:
        in.layout = Layout::kContiguous;
    }
    int64_t stored = numel_of(in.shape);
    if (in.layout == Layout::kExpanded) {
      stored = 1;
      for (int64_t x : in.shape) stored *= std::min<int64_t>(x, 1);
    }
    for (int64_t k = 0; k < stored; ++k) in.values.push_back(d.value());
    p.inputs.push_back(std::move(in));
  }
}

variable_list run_steps(const Program& p, const variable_list& leaves) {
  std::vector<Tensor> stack(leaves.begin(), leaves.end());
  for (const Step& s : p.steps) stack.push_back(apply_step(s, stack));
  variable_list outs;
  for (int k : p.outputs) {
    Tensor o = stack[static_cast<size_t>(k)];
    if (p.fold.defined() && k == p.outputs.front()) o = (o * p.fold).sum();
    outs.push_back(o);
  }
  return outs;
}

bool close(const Tensor& x, const Tensor& y, double rtol, double atol) {
  if (x.sizes() != y.sizes()) return false;
  const auto a = values(x), b = values(y);
  for (size_t k = 0; k < a.size(); ++k) {
    if (std::isnan(a[k]) && std::isnan(b[k])) continue;
    if (!(std::abs(a[k] - b[k]) <= atol + rtol * std::abs(b[k]))) return false;
  }
  return true;
}

void run(const uint8_t* data, size_t size) {
  Decoder d(data, size);
  Program p;
  decode_inputs(d, p);
  variable_list leaves;
  for (const InputSpec& in : p.inputs) leaves.push_back(make_leaf(in));

  // Planning: decode and run step by step, keeping the steps that are smooth where they run.
  std::vector<Tensor> stack(leaves.begin(), leaves.end());
  const int64_t n_steps = d.pick(1, kMaxSteps);
  for (int64_t k = 0; k < n_steps && !d.empty(); ++k) {
    const Op op = static_cast<Op>(d.pick(0, static_cast<int64_t>(Op::kCount) - 1));
    Step s = decode_step(d, op, stack);
    Tensor out;
    try {
      out = apply_step(s, stack);
    } catch (const tg::Error& e) {
      if (verbose()) std::fprintf(stderr, "tg::Error (expected): %s\n", e.what());
      return;  // the program is invalid; tg::Error is the right answer
    }
    if (verbose() && out.defined()) {
      Program one;
      one.steps = {s};
      std::fprintf(stderr, "step -> %s: %s", out.toString().c_str(), describe(one).c_str());
    }
    if (!out.defined() || out.dtype() != tg::kDouble || out.numel() > kMaxIntermediateElements ||
        !finite_and_bounded(out) || !smooth_at(s, stack, out))
      continue;  // dropped: see Note [Fuzzing near non-differentiable points]
    p.steps.push_back(std::move(s));
    stack.push_back(out);
    if (static_cast<int>(stack.size()) >= kMaxStack) break;
  }

  // Outputs: the last value, and sometimes another one (gradients from two roots accumulate).
  p.outputs.push_back(static_cast<int>(stack.size()) - 1);
  if (stack.size() > 1 && d.coin())
    p.outputs.push_back(static_cast<int>(d.pick(0, static_cast<int64_t>(stack.size()) - 2)));
  if (stack[static_cast<size_t>(p.outputs[0])].numel() > kMaxOutputElements) {
    const Tensor& o = stack[static_cast<size_t>(p.outputs[0])];
    p.fold = tg::empty(o.sizes(), tg::kDouble);
    for (int64_t k = 0; k < o.numel(); ++k)
      p.fold.data_ptr<double>()[k] = 1.0 / static_cast<double>(1 + k % 7) - 0.3;
  }
  for (size_t j = 1; j < p.outputs.size(); ++j)
    if (stack[static_cast<size_t>(p.outputs[j])].numel() > kMaxOutputElements) p.outputs.pop_back();

  if (verbose()) std::fprintf(stderr, "program:\n%s", describe(p).c_str());
  auto fn = [&p](const variable_list& xs) { return run_steps(p, xs); };
  variable_list outs;
  try {
    outs = fn(leaves);
  } catch (const tg::Error& e) {
    finding(p, std::string("replaying a program that ran once threw tg::Error: ") + e.what());
  }

  // 1. Layout independence: the same program on contiguous copies of the inputs.
  {
    variable_list copies;
    for (const Tensor& x : leaves) copies.push_back(x.detach().contiguous().requires_grad_(true));
    variable_list outs2;
    try {
      outs2 = fn(copies);
    } catch (const tg::Error& e) {
      // view is the one op whose validity depends on the layout, by design (as libtorch): a
      // program whose view only works on the inputs' original strides cannot be evaluated at
      // other layouts, and gradcheck's finite differences evaluate it on contiguous copies.
      const std::string what = e.what();
      if (what.rfind("view: view size", 0) == 0 && what.find("not compatible") != std::string::npos)
        return;
      finding(p, "the program threw on contiguous copies of its inputs: " + what);
    }
    for (size_t j = 0; j < outs.size(); ++j)
      if (!close(outs[j], outs2[j], 1e-12, 1e-12))
        finding(p, "output " + std::to_string(j) +
                       " differs when the inputs are contiguous copies: " + outs[j].toString() +
                       " vs " + outs2[j].toString());
  }

  bool differentiable = false;
  for (const Tensor& o : outs) differentiable = differentiable || o.requires_grad();
  if (!differentiable) return;

  // A backward may legitimately fail when an in-place op overwrote a value that an earlier op
  // saved: that is tg::Error at backward, by design (version counters).
  auto legitimate = [](const tg::Error& e) {
    return std::string(e.what()).find("modified by an inplace operation") != std::string::npos;
  };

  // 2. Gradients against finite differences.
  try {
    if (!tg::autograd::gradcheck(fn, leaves, 1e-6, 1e-5, 1e-3, /*raise=*/false)) {
      std::string why;
      try {
        tg::autograd::gradcheck(fn, leaves);
      } catch (const tg::Error& e) {
        why = e.what();
      }
      finding(p, "gradcheck failed: " + why);
    }
  } catch (const tg::Error& e) {
    if (legitimate(e)) return;
    finding(p, std::string("gradcheck threw tg::Error: ") + e.what());
  }

  // 3. backward() accumulates what grad() returns.
  {
    variable_list roots, seeds;
    for (const Tensor& o : outs)
      if (o.requires_grad()) {
        roots.push_back(o);
        seeds.push_back(tg::ones_like(o));
      }
    variable_list wrt;
    for (const Tensor& x : leaves) wrt.push_back(x);
    try {
      variable_list g = tg::autograd::grad(roots, wrt, seeds, true, false, true);
      tg::autograd::backward(roots, seeds);
      for (size_t i = 0; i < leaves.size(); ++i) {
        const Tensor& acc = leaves[i].grad();
        if (g[i].defined() != acc.defined() || (g[i].defined() && !close(acc, g[i], 0, 0)))
          finding(p, "input " + std::to_string(i) +
                         ": backward() accumulated a different gradient from grad()");
      }
    } catch (const tg::Error& e) {
      finding(p, std::string("backward threw tg::Error: ") + e.what());
    }
  }

  // 4. Second derivatives, for small programs.
  int64_t in_elems = 0, out_elems = 0;
  for (const Tensor& x : leaves) in_elems += x.numel();
  for (const Tensor& o : outs) out_elems += o.numel();
  if (in_elems <= 6 && out_elems <= 4 && d.coin()) {
    try {
      if (!tg::autograd::gradgradcheck(fn, leaves, 1e-6, 1e-5, 1e-3, /*raise=*/false)) {
        std::string why;
        try {
          tg::autograd::gradgradcheck(fn, leaves);
        } catch (const tg::Error& e) {
          why = e.what();
        }
        finding(p, "gradgradcheck failed: " + why);
      }
    } catch (const tg::Error& e) {
      if (legitimate(e)) return;
      finding(p, std::string("gradgradcheck threw tg::Error: ") + e.what());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    run(data, size);
  } catch (const tg::Error& e) {
    // Only the planning run may throw tg::Error; run() returns for it. Anything reaching here
    // came from a check that should not throw.
    std::fprintf(stderr, "\n==== tensorgrad fuzz finding ====\nuncaught tg::Error: %s\n", e.what());
    std::abort();
  } catch (const std::exception& e) {
    std::fprintf(stderr,
                 "\n==== tensorgrad fuzz finding ====\nan exception that is not tg::Error: "
                 "%s\n",
                 e.what());
    std::abort();
  }
  return 0;
}
