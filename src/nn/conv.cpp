// 2-D convolution: conv2d and the two internal ops its derivative is made of.
//
// Note [Differentiable convolution]
// conv2d(x, w) is bilinear, and so are its two derivatives:
//   conv_input_grad(gy, w)  = d<gy, conv2d(x, w)>/dx   (a transposed convolution)
//   conv_weight_grad(x, gy) = d<gy, conv2d(x, w)>/dw   (a correlation of x with gy)
// Each of the three is the adjoint of the others in one argument, so the derivatives of each are
// calls to the other two, and the three together are closed under differentiation:
//   conv2d:           dx = conv_input_grad(g, w)        dw = conv_weight_grad(x, g)
//   conv_input_grad:  dgy = conv2d(g, w)                dw = conv_weight_grad(g, gy)
//   conv_weight_grad: dx = conv_input_grad(gy, g)       dgy = conv2d(x, g)
// so double (and higher) backward needs nothing more.
//
// Kernels: Float runs on oneDNN's convolution primitives (forward, backward data, backward
// weights); oneDNN has no f64 convolution, so Double (used by gradcheck) runs on direct loops.
// Creating a oneDNN primitive costs far more than running it on the shapes of a small CNN, so
// primitives are cached by shape (See Note [Convolution primitive cache]).
#include <omp.h>

#include <array>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>
#include <vector>

#include "autograd/record.h"
#include "core/internal.h"
#include "kernels/loop.h"
#include "tensorgrad/nn/ops_conv.h"

namespace tg {
namespace {

/// Stride, padding and dilation per spatial dim (height, width) and the channel groups.
struct ConvParams {
  std::array<int64_t, 2> stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
};

/// All sizes of one convolution: input [n, c, h, w], weight [oc, c / groups, kh, kw],
/// output [n, oc, oh, ow].
struct ConvShape {
  int64_t n, c, h, w, oc, kh, kw, oh, ow;
};

int64_t conv_output_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dil) {
  return (in + 2 * pad - dil * (k - 1) - 1) / stride + 1;
}

ConvShape shape_of(IntArrayRef x, IntArrayRef w, const ConvParams& p) {
  ConvShape s{x[0], x[1], x[2], x[3], w[0], w[2], w[3], 0, 0};
  s.oh = conv_output_size(s.h, s.kh, p.stride[0], p.padding[0], p.dilation[0]);
  s.ow = conv_output_size(s.w, s.kw, p.stride[1], p.padding[1], p.dilation[1]);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Direct loops: Double (oneDNN has no f64 convolution), and Float when a size is zero or oneDNN
// declines a shape. Each parallelises over a dim whose iterations write disjoint memory.

template <class T>
void direct_forward(const T* x, const T* w, const T* b, T* y, const ConvShape& s,
                    const ConvParams& p) {
  const int64_t cg = s.c / p.groups, ocg = s.oc / p.groups;
#pragma omp parallel for collapse(2) if (s.n * s.oc * s.oh * s.ow * cg * s.kh * s.kw > 100000)
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t o = 0; o < s.oc; ++o) {
      const int64_t g = o / ocg;
      for (int64_t oy = 0; oy < s.oh; ++oy)
        for (int64_t ox = 0; ox < s.ow; ++ox) {
          T acc = b ? b[o] : T(0);
          for (int64_t ci = 0; ci < cg; ++ci) {
            const T* xp = x + ((n * s.c + g * cg + ci) * s.h) * s.w;
            const T* wp = w + ((o * cg + ci) * s.kh) * s.kw;
            for (int64_t i = 0; i < s.kh; ++i) {
              const int64_t iy = oy * p.stride[0] - p.padding[0] + i * p.dilation[0];
              if (iy < 0 || iy >= s.h) continue;
              for (int64_t j = 0; j < s.kw; ++j) {
                const int64_t ix = ox * p.stride[1] - p.padding[1] + j * p.dilation[1];
                if (ix < 0 || ix >= s.w) continue;
                acc += xp[iy * s.w + ix] * wp[i * s.kw + j];
              }
            }
          }
          y[((n * s.oc + o) * s.oh + oy) * s.ow + ox] = acc;
        }
    }
}

template <class T>
void direct_backward_input(const T* gy, const T* w, T* gx, const ConvShape& s,
                           const ConvParams& p) {
  const int64_t cg = s.c / p.groups, ocg = s.oc / p.groups;
  std::memset(static_cast<void*>(gx), 0, sizeof(T) * s.n * s.c * s.h * s.w);
#pragma omp parallel for if (s.n * s.oc * s.oh * s.ow * cg * s.kh * s.kw > 100000)
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t o = 0; o < s.oc; ++o) {
      const int64_t g = o / ocg;
      for (int64_t oy = 0; oy < s.oh; ++oy)
        for (int64_t ox = 0; ox < s.ow; ++ox) {
          const T go = gy[((n * s.oc + o) * s.oh + oy) * s.ow + ox];
          for (int64_t ci = 0; ci < cg; ++ci) {
            T* xp = gx + ((n * s.c + g * cg + ci) * s.h) * s.w;
            const T* wp = w + ((o * cg + ci) * s.kh) * s.kw;
            for (int64_t i = 0; i < s.kh; ++i) {
              const int64_t iy = oy * p.stride[0] - p.padding[0] + i * p.dilation[0];
              if (iy < 0 || iy >= s.h) continue;
              for (int64_t j = 0; j < s.kw; ++j) {
                const int64_t ix = ox * p.stride[1] - p.padding[1] + j * p.dilation[1];
                if (ix < 0 || ix >= s.w) continue;
                xp[iy * s.w + ix] += go * wp[i * s.kw + j];
              }
            }
          }
        }
    }
}

template <class T>
void direct_backward_weight(const T* x, const T* gy, T* gw, const ConvShape& s,
                            const ConvParams& p) {
  const int64_t cg = s.c / p.groups, ocg = s.oc / p.groups;
#pragma omp parallel for if (s.n * s.oc * s.oh * s.ow * cg * s.kh * s.kw > 100000)
  for (int64_t o = 0; o < s.oc; ++o) {
    const int64_t g = o / ocg;
    for (int64_t ci = 0; ci < cg; ++ci)
      for (int64_t i = 0; i < s.kh; ++i)
        for (int64_t j = 0; j < s.kw; ++j) {
          T acc = 0;
          for (int64_t n = 0; n < s.n; ++n) {
            const T* xp = x + ((n * s.c + g * cg + ci) * s.h) * s.w;
            const T* gp = gy + ((n * s.oc + o) * s.oh) * s.ow;
            for (int64_t oy = 0; oy < s.oh; ++oy) {
              const int64_t iy = oy * p.stride[0] - p.padding[0] + i * p.dilation[0];
              if (iy < 0 || iy >= s.h) continue;
              for (int64_t ox = 0; ox < s.ow; ++ox) {
                const int64_t ix = ox * p.stride[1] - p.padding[1] + j * p.dilation[1];
                if (ix < 0 || ix >= s.w) continue;
                acc += xp[iy * s.w + ix] * gp[oy * s.ow + ox];
              }
            }
          }
          gw[((o * cg + ci) * s.kh + i) * s.kw + j] = acc;
        }
  }
}

// ---------------------------------------------------------------------------------------------
// oneDNN (Float).
//
// Note [Convolution primitive cache]
// A primitive is keyed by what it computes (forward, backward data or backward weights), every
// size and parameter, whether it has a bias, and the OpenMP thread count (oneDNN's kernels plan
// their work split for the thread count they were created with). The cache is a map under a
// mutex; entries are immutable once made, and oneDNN primitives may run concurrently.
//
// Layout: tensorgrad's tensors are plain NCHW / OIHW. The primitives are created with format
// `any`, so oneDNN picks its fastest (blocked) layout, and operands are reordered to and from
// it around each call: measured on this machine's AVX-512 cores (batch 64, 3x3 kernels), the
// blocked kernels with reorders were 2-5x faster than the plain-layout (GEMM-based) ones for
// 32 -> 64 channels. The exception is backward data with fewer than 8 input channels per group,
// where the blocked layout pads channels to 16 and the plain kernel was 10x faster. The weight
// gradient runs in chunks of the batch on one thread each (Note [Deterministic convolution]),
// so it reorders its slices of the output gradient itself.

enum class ConvKind { Forward = 0, BackwardData = 1, BackwardWeights = 2 };

/// One tensor operand of a primitive: the plain layout tensorgrad holds, the layout the
/// primitive wants, and the reorder between them when they differ (plain -> wanted for
/// operands read, wanted -> plain for operands written).
struct Operand {
  dnnl::memory::desc plain, wanted;
  std::shared_ptr<dnnl::reorder> reorder;
};

struct ConvPrimitive {
  dnnl::primitive primitive;
  // Input (src / diff_src), weights (weights / diff_weights), output (dst / diff_dst).
  Operand input, weight, output;
  dnnl::memory::desc bias;
};

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

using Key = std::array<int64_t, 20>;

Key key_of(ConvKind kind, const ConvShape& s, const ConvParams& p, bool bias) {
  return {static_cast<int64_t>(kind),
          s.n,
          s.c,
          s.h,
          s.w,
          s.oc,
          s.kh,
          s.kw,
          s.oh,
          s.ow,
          p.stride[0],
          p.stride[1],
          p.padding[0],
          p.padding[1],
          p.dilation[0],
          p.dilation[1],
          p.groups,
          bias,
          omp_get_max_threads(),
          0};
}

Operand make_operand(const dnnl::memory::desc& plain, const dnnl::memory::desc& wanted, bool read) {
  Operand op{plain, wanted, nullptr};
  if (plain != wanted) {
    auto& engine = cpu_engine();
    op.reorder = read ? std::make_shared<dnnl::reorder>(
                            dnnl::reorder::primitive_desc(engine, plain, engine, wanted))
                      : std::make_shared<dnnl::reorder>(
                            dnnl::reorder::primitive_desc(engine, wanted, engine, plain));
  }
  return op;
}

std::shared_ptr<const ConvPrimitive> create_primitive(ConvKind kind, const ConvShape& s,
                                                      const ConvParams& p, bool bias) {
  using dnnl::memory;
  using tag = memory::format_tag;
  const auto f32 = memory::data_type::f32;
  auto& engine = cpu_engine();
  const memory::dims src_dims{s.n, s.c, s.h, s.w}, dst_dims{s.n, s.oc, s.oh, s.ow};
  const memory::dims wei_dims =
      p.groups == 1 ? memory::dims{s.oc, s.c, s.kh, s.kw}
                    : memory::dims{p.groups, s.oc / p.groups, s.c / p.groups, s.kh, s.kw};
  const tag wei_plain_tag = p.groups == 1 ? tag::oihw : tag::goihw;
  const memory::dims strides{p.stride[0], p.stride[1]};
  // oneDNN counts dilation from 0 (no gap), torch from 1.
  const memory::dims dilates{p.dilation[0] - 1, p.dilation[1] - 1};
  const memory::dims pad_l{p.padding[0], p.padding[1]};
  // The right padding that makes the output size come out as torch's (floor) formula; it may be
  // negative when the stride skips the last rows.
  const memory::dims pad_r{
      (s.oh - 1) * p.stride[0] + (s.kh - 1) * p.dilation[0] + 1 - s.h - p.padding[0],
      (s.ow - 1) * p.stride[1] + (s.kw - 1) * p.dilation[1] + 1 - s.w - p.padding[1]};

  const memory::desc src_plain(src_dims, f32, tag::nchw), dst_plain(dst_dims, f32, tag::nchw),
      wei_plain(wei_dims, f32, wei_plain_tag);
  const bool plain_only = kind == ConvKind::BackwardData && s.c / p.groups < 8;
  const memory::desc src_any = plain_only ? src_plain : memory::desc(src_dims, f32, tag::any);
  const memory::desc dst_any = plain_only ? dst_plain : memory::desc(dst_dims, f32, tag::any);
  const memory::desc wei_any = plain_only ? wei_plain : memory::desc(wei_dims, f32, tag::any);
  const memory::desc bias_md = bias ? memory::desc({s.oc}, f32, tag::x) : memory::desc();

  const auto algo = dnnl::algorithm::convolution_direct;
  dnnl::convolution_forward::desc fwd_desc(dnnl::prop_kind::forward_training, algo, src_any,
                                           wei_any, bias_md, dst_any, strides, dilates, pad_l,
                                           pad_r);
  dnnl::convolution_forward::primitive_desc fwd_pd(fwd_desc, engine);
  auto entry = std::make_shared<ConvPrimitive>();
  entry->bias = bias_md;
  switch (kind) {
    case ConvKind::Forward:
      entry->primitive = dnnl::convolution_forward(fwd_pd);
      entry->input = make_operand(src_plain, fwd_pd.src_desc(), true);
      entry->weight = make_operand(wei_plain, fwd_pd.weights_desc(), true);
      entry->output = make_operand(dst_plain, fwd_pd.dst_desc(), false);
      break;
    case ConvKind::BackwardData: {
      dnnl::convolution_backward_data::desc d(algo, src_any, wei_any, dst_any, strides, dilates,
                                              pad_l, pad_r);
      dnnl::convolution_backward_data::primitive_desc pd(d, engine, fwd_pd);
      entry->primitive = dnnl::convolution_backward_data(pd);
      entry->input = make_operand(src_plain, pd.diff_src_desc(), false);
      entry->weight = make_operand(wei_plain, pd.weights_desc(), true);
      entry->output = make_operand(dst_plain, pd.diff_dst_desc(), true);
      break;
    }
    case ConvKind::BackwardWeights: {
      dnnl::convolution_backward_weights::desc d(algo, src_any, wei_any, dst_any, strides, dilates,
                                                 pad_l, pad_r);
      dnnl::convolution_backward_weights::primitive_desc pd(d, engine, fwd_pd);
      entry->primitive = dnnl::convolution_backward_weights(pd);
      entry->input = make_operand(src_plain, pd.src_desc(), true);
      entry->weight = make_operand(wei_plain, pd.diff_weights_desc(), false);
      entry->output = make_operand(dst_plain, pd.diff_dst_desc(), true);
      break;
    }
  }
  return entry;
}

/// The primitive for this convolution, or null when oneDNN cannot make one.
std::shared_ptr<const ConvPrimitive> cached_primitive(ConvKind kind, const ConvShape& s,
                                                      const ConvParams& p, bool bias) {
  static std::mutex mutex;
  static std::map<Key, std::shared_ptr<const ConvPrimitive>> cache;
  const Key key = key_of(kind, s, p, bias);
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  // Created outside the lock (it takes a while); two threads may race to make the same one.
  // A shape oneDNN declines is cached as null: the direct loops compute it instead.
  std::shared_ptr<const ConvPrimitive> made;
  try {
    made = create_primitive(kind, s, p, bias);
  } catch (const dnnl::error&) {
    made = nullptr;
  }
  std::lock_guard<std::mutex> lock(mutex);
  return cache.emplace(key, std::move(made)).first->second;
}

/// Binds operand `op` at `plain_data` for one call: the user's memory itself, or a scratch
/// buffer in the wanted layout (filled by the reorder for operands read).
struct Bound {
  dnnl::memory user, used;
  Tensor scratch;  // keeps the scratch buffer alive
};

Bound bind(const Operand& op, void* plain_data, bool read) {
  auto& engine = cpu_engine();
  Bound b;
  b.user = dnnl::memory(op.plain, engine, plain_data);
  if (!op.reorder) {
    b.used = b.user;
    return b;
  }
  // Scratch from tensorgrad's storage pool (no page faults from fresh large allocations).
  const int64_t floats = static_cast<int64_t>((op.wanted.get_size() + 3) / 4);
  b.scratch = detail::make_empty({floats}, kFloat);
  b.used = dnnl::memory(op.wanted, engine, b.scratch.data_ptr());
  if (read) op.reorder->execute(cpu_stream(), b.user, b.used);
  return b;
}

void finish(const Operand& op, Bound& b) {
  if (op.reorder) op.reorder->execute(cpu_stream(), b.used, b.user);
}

/// Runs a oneDNN primitive of `kind` on bound operands: input (src or diff_src), weight (weights
/// or diff_weights), output (dst or diff_dst), bias (forward only; may be null). Operands that
/// the primitive writes are reordered back to their plain memory.
void onednn_execute(const ConvPrimitive& entry, ConvKind kind, Bound& in, Bound& wei, Bound& out,
                    float* bias) {
  auto& stream = cpu_stream();
  std::unordered_map<int, dnnl::memory> args;
  switch (kind) {
    case ConvKind::Forward:
      args = {{DNNL_ARG_SRC, in.used}, {DNNL_ARG_WEIGHTS, wei.used}, {DNNL_ARG_DST, out.used}};
      if (bias) args[DNNL_ARG_BIAS] = dnnl::memory(entry.bias, cpu_engine(), bias);
      break;
    case ConvKind::BackwardData:
      args = {{DNNL_ARG_DIFF_SRC, in.used},
              {DNNL_ARG_WEIGHTS, wei.used},
              {DNNL_ARG_DIFF_DST, out.used}};
      break;
    case ConvKind::BackwardWeights:
      args = {{DNNL_ARG_SRC, in.used},
              {DNNL_ARG_DIFF_WEIGHTS, wei.used},
              {DNNL_ARG_DIFF_DST, out.used}};
      break;
  }
  entry.primitive.execute(stream, args);
  if (kind == ConvKind::BackwardData) finish(entry.input, in);
  if (kind == ConvKind::BackwardWeights) finish(entry.weight, wei);
  if (kind == ConvKind::Forward) finish(entry.output, out);
  stream.wait();
}

/// Runs a oneDNN convolution of `kind` on plain contiguous Float buffers; false (having done
/// nothing) when oneDNN has no primitive for it.
bool onednn_run(ConvKind kind, const ConvShape& s, const ConvParams& p, float* input, float* weight,
                float* output, float* bias) {
  auto entry = cached_primitive(kind, s, p, bias != nullptr);
  if (!entry) return false;
  Bound in = bind(entry->input, input, kind != ConvKind::BackwardData);
  Bound wei = bind(entry->weight, weight, kind != ConvKind::BackwardWeights);
  Bound out = bind(entry->output, output, kind != ConvKind::Forward);
  onednn_execute(*entry, kind, in, wei, out, bias);
  return true;
}

// Note [Deterministic convolution]
// oneDNN's backward-weights primitive splits the batch across its threads and adds the
// per-thread partial gradients, so the weight gradient's rounding depends on the thread count
// (measured with oneDNN 2.6: 1 and 2 threads differ for most shapes). Forward and backward data
// reduce within one thread (measured equal for 1 to 16 threads). So the weight gradient is
// computed here in fixed chunks of the batch, sized by the shape alone (about
// kWeightGradChunkFlops each, at most kMaxWeightGradChunks of them), each by a primitive made
// for one thread and run on one thread, and the chunks' gradients are added in chunk order.
// Threads only decide who computes which chunk.
constexpr double kWeightGradChunkFlops = double(1 << 22);
constexpr int64_t kMaxWeightGradChunks = 16;

/// Sets the OpenMP thread count to 1 for a scope (oneDNN plans a primitive's work split for
/// the thread count it is made with).
struct OneThread {
  OneThread() : saved(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~OneThread() { omp_set_num_threads(saved); }
  int saved;
};

/// Images per chunk of the weight gradient (see Note [Deterministic convolution]).
int64_t weight_grad_chunk(const ConvShape& s, const ConvParams& p) {
  const double per_image =
      2.0 * double(s.oc) * double(s.c / p.groups) * double(s.kh * s.kw) * double(s.oh * s.ow);
  int64_t chunk = 1;
  while (chunk < s.n && double(chunk) * per_image < kWeightGradChunkFlops) chunk *= 2;
  chunk = std::max(chunk, (s.n + kMaxWeightGradChunks - 1) / kMaxWeightGradChunks);
  return std::min(chunk, s.n);
}

/// The weight gradient gw of plain contiguous Float buffers through oneDNN, chunk by chunk (see
/// Note [Deterministic convolution]); false (having done nothing) when oneDNN has no primitive.
bool onednn_weight_grad(const ConvShape& s, const ConvParams& p, float* x, float* gy, float* gw) {
  const int64_t chunk = weight_grad_chunk(s, p);
  const int64_t nchunks = (s.n + chunk - 1) / chunk;
  ConvShape whole = s, last = s;
  whole.n = chunk;
  last.n = s.n - (nchunks - 1) * chunk;
  std::shared_ptr<const ConvPrimitive> whole_prim, last_prim;
  {
    OneThread one;
    whole_prim = cached_primitive(ConvKind::BackwardWeights, whole, p, false);
    last_prim =
        last.n == chunk ? whole_prim : cached_primitive(ConvKind::BackwardWeights, last, p, false);
  }
  if (!whole_prim || !last_prim) return false;
  const int64_t wsize = s.oc * (s.c / p.groups) * s.kh * s.kw;
  // Chunk 0 writes gw itself; chunk c > 0 writes partial[(c - 1) * wsize, c * wsize).
  Tensor partial = detail::make_empty({(nchunks - 1) * wsize}, kFloat);
  auto run_chunk = [&](int64_t c) {
    const ConvPrimitive& prim = c == nchunks - 1 ? *last_prim : *whole_prim;
    float* out = c == 0 ? gw : partial.data_ptr<float>() + (c - 1) * wsize;
    Bound in = bind(prim.input, x + c * chunk * s.c * s.h * s.w, true);
    Bound wei = bind(prim.weight, out, false);
    Bound dst = bind(prim.output, gy + c * chunk * s.oc * s.oh * s.ow, true);
    onednn_execute(prim, ConvKind::BackwardWeights, in, wei, dst, nullptr);
  };
  if (nchunks > 1 && omp_get_max_threads() > 1 && !omp_in_parallel()) {
    // Inside a parallel region oneDNN runs each primitive on the calling thread. An exception
    // must not leave the region: the first is rethrown after it.
    std::exception_ptr error;
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < nchunks; ++c) {
      try {
        run_chunk(c);
      } catch (...) {
#pragma omp critical
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
  } else {
    OneThread one;
    for (int64_t c = 0; c < nchunks; ++c) run_chunk(c);
  }
  const float* pp = partial.data_ptr<float>();
  for (int64_t c = 1; c < nchunks; ++c)
    for (int64_t i = 0; i < wsize; ++i) gw[i] += pp[(c - 1) * wsize + i];
  return true;
}

// ---------------------------------------------------------------------------------------------
// The kernels (no autograd), on contiguous copies of their operands.

bool use_onednn(ScalarType dtype, const ConvShape& s, const ConvParams& p) {
  return dtype == kFloat && s.n > 0 && s.c > 0 && s.oc > 0 && s.oh > 0 && s.ow > 0;
}

Tensor forward_kernel(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) {
  const ConvShape s = shape_of(x.sizes(), w.sizes(), p);
  Tensor y = detail::make_empty({s.n, s.oc, s.oh, s.ow}, x.dtype());
  const Tensor xc = detail::contiguous_data(x), wc = detail::contiguous_data(w);
  const Tensor bc = b.defined() ? detail::contiguous_data(b) : Tensor();
  if (use_onednn(x.dtype(), s, p) &&
      onednn_run(ConvKind::Forward, s, p, xc.data_ptr<float>(), wc.data_ptr<float>(),
                 y.data_ptr<float>(), bc.defined() ? bc.data_ptr<float>() : nullptr))
    return y;
  kernels::dispatch_floating(x.dtype(), "conv2d", [&](auto tag) {
    using T = typename decltype(tag)::type;
    direct_forward<T>(xc.data_ptr<T>(), wc.data_ptr<T>(), bc.defined() ? bc.data_ptr<T>() : nullptr,
                      y.data_ptr<T>(), s, p);
  });
  return y;
}

/// The input and/or weight gradients of conv2d for output gradient gy (an undefined x_sizes or
/// w_sizes skips that gradient). Either may come back undefined.
void backward_kernels(const Tensor& gy, const Tensor& x, const Tensor& w, const ConvParams& p,
                      IntArrayRef x_sizes, IntArrayRef w_sizes, bool want_x, bool want_w,
                      Tensor* gx, Tensor* gw) {
  const ConvShape s = shape_of(x_sizes, w_sizes, p);
  const Tensor gyc = detail::contiguous_data(gy);
  const Tensor xc = want_w ? detail::contiguous_data(x) : Tensor();
  const Tensor wc = want_x ? detail::contiguous_data(w) : Tensor();
  if (want_x) *gx = detail::make_empty(x_sizes, gy.dtype());
  if (want_w) *gw = detail::make_empty(w_sizes, gy.dtype());
  if (use_onednn(gy.dtype(), s, p)) {
    // Each gradient falls back to the direct loops on its own.
    if (want_x && onednn_run(ConvKind::BackwardData, s, p, gx->data_ptr<float>(),
                             wc.data_ptr<float>(), gyc.data_ptr<float>(), nullptr))
      want_x = false;
    if (want_w && onednn_weight_grad(s, p, xc.data_ptr<float>(), gyc.data_ptr<float>(),
                                     gw->data_ptr<float>()))
      want_w = false;
    if (!want_x && !want_w) return;
  }
  kernels::dispatch_floating(gy.dtype(), "conv2d backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (want_x)
      direct_backward_input<T>(gyc.data_ptr<T>(), wc.data_ptr<T>(), gx->data_ptr<T>(), s, p);
    if (want_w)
      direct_backward_weight<T>(xc.data_ptr<T>(), gyc.data_ptr<T>(), gw->data_ptr<T>(), s, p);
  });
}

/// Per-channel sums of a contiguous [N, C, *] tensor (the bias gradient): each plane is summed
/// with a vectorised reduction, planes in double. Plane by plane is several times faster than a
/// general reduction over dims {0, 2, 3}, which walks the tensor with strides.
Tensor channel_sum_kernel(const Tensor& g) {
  const Tensor gc = detail::contiguous_data(g);
  const int64_t n = g.size(0), c = g.size(1), plane = (n * c) != 0 ? g.numel() / (n * c) : 0;
  Tensor out = detail::make_empty({c}, g.dtype());
  kernels::dispatch_floating(g.dtype(), "conv2d backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* gp = gc.data_ptr<T>();
    T* op = out.data_ptr<T>();
#pragma omp parallel for if (g.numel() >= (1 << 17) && !omp_in_parallel())
    for (int64_t ch = 0; ch < c; ++ch) {
      double total = 0;
      for (int64_t b = 0; b < n; ++b) {
        const T* q = gp + (b * c + ch) * plane;
        T sum = 0;
#pragma omp simd reduction(+ : sum)
        for (int64_t k = 0; k < plane; ++k) sum += q[k];
        total += sum;
      }
      op[ch] = static_cast<T>(total);
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// The differentiable ops (See Note [Differentiable convolution]). x is 4-D here.

Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p);
Tensor record_input_grad(const Tensor& gx, const Tensor& gy, const Tensor& w, const ConvParams& p);
Tensor record_weight_grad(const Tensor& gw, const Tensor& x, const Tensor& gy, const ConvParams& p);

Tensor conv_input_grad(const Tensor& gy, const Tensor& w, const ConvParams& p,
                       IntArrayRef x_sizes) {
  Tensor gx, unused;
  backward_kernels(gy, Tensor(), w, p, x_sizes, w.sizes(), true, false, &gx, &unused);
  return record_input_grad(gx, gy, w, p);
}

Tensor conv_weight_grad(const Tensor& x, const Tensor& gy, const ConvParams& p,
                        IntArrayRef w_sizes) {
  Tensor unused, gw;
  backward_kernels(gy, x, Tensor(), p, x.sizes(), w_sizes, false, true, &unused, &gw);
  return record_weight_grad(gw, x, gy, p);
}

/// The bias gradient: gy summed over N, H, W; its derivative broadcasts back.
Tensor conv_bias_grad(const Tensor& gy) {
  Tensor gb = channel_sum_kernel(gy);
  if (autograd::needs_grad(gy))
    autograd::record(
        "ConvolutionBackwardBackward0", {gy}, {gb}, autograd::save(),
        [sizes = DimVector(gy.sizes())](autograd::BackwardArgs<0>& a) -> variable_list {
          return {a.grad().reshape({1, sizes[1], 1, 1}).expand(sizes)};
        });
  return gb;
}

Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) {
  Tensor y = forward_kernel(x, w, b, p);
  if (autograd::needs_grad(x, w, b))
    autograd::record("ConvolutionBackward0", {x, w, b}, {y}, autograd::save(x, w),
                     [p](autograd::BackwardArgs<2>& a) -> variable_list {
                       const Tensor& g = a.grad();
                       const Tensor &x = a.saved[0], &w = a.saved[1];
                       Tensor gx, gw;
                       if (a.needs(0) && a.needs(1)) {
                         // One call for both, sharing the gradient's reorder.
                         backward_kernels(g, x, w, p, x.sizes(), w.sizes(), true, true, &gx, &gw);
                         gx = record_input_grad(gx, g, w, p);
                         gw = record_weight_grad(gw, x, g, p);
                       } else if (a.needs(0)) {
                         gx = conv_input_grad(g, w, p, x.sizes());
                       } else if (a.needs(1)) {
                         gw = conv_weight_grad(x, g, p, w.sizes());
                       }
                       return {gx, gw, a.needs(2) ? conv_bias_grad(g) : Tensor()};
                     });
  return y;
}

/// Records the node of gx = conv_input_grad(gy, w) (computed by the caller).
Tensor record_input_grad(const Tensor& gx, const Tensor& gy, const Tensor& w, const ConvParams& p) {
  if (autograd::needs_grad(gy, w))
    autograd::record("ConvolutionBackwardBackward0", {gy, w}, {gx}, autograd::save(gy, w),
                     [p](autograd::BackwardArgs<2>& a) -> variable_list {
                       const Tensor& g = a.grad();
                       const Tensor &gy = a.saved[0], &w = a.saved[1];
                       return {a.needs(0) ? conv_forward(g, w, Tensor(), p) : Tensor(),
                               a.needs(1) ? conv_weight_grad(g, gy, p, w.sizes()) : Tensor()};
                     });
  return gx;
}

/// Records the node of gw = conv_weight_grad(x, gy) (computed by the caller).
Tensor record_weight_grad(const Tensor& gw, const Tensor& x, const Tensor& gy,
                          const ConvParams& p) {
  if (autograd::needs_grad(x, gy))
    autograd::record("ConvolutionBackwardBackward0", {x, gy}, {gw}, autograd::save(x, gy),
                     [p](autograd::BackwardArgs<2>& a) -> variable_list {
                       const Tensor& g = a.grad();
                       const Tensor &x = a.saved[0], &gy = a.saved[1];
                       return {a.needs(0) ? conv_input_grad(gy, g, p, x.sizes()) : Tensor(),
                               a.needs(1) ? conv_forward(x, g, Tensor(), p) : Tensor()};
                     });
  return gw;
}

// ---------------------------------------------------------------------------------------------
// Argument checks.

std::array<int64_t, 2> expand_pair(IntArrayRef v, const char* name) {
  TG_CHECK(v.size() == 1 || v.size() == 2, "conv2d: expected ", name,
           " to have 1 or 2 values (one for both spatial dims, or height and width) but got ",
           v.size(), " values ", detail::shape_str(v));
  return v.size() == 1 ? std::array<int64_t, 2>{v[0], v[0]} : std::array<int64_t, 2>{v[0], v[1]};
}

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
              IntArrayRef padding, IntArrayRef dilation, int64_t groups) {
  TG_CHECK(input.defined() && weight.defined(), "conv2d: input and weight must be defined");
  TG_CHECK(weight.dim() == 4,
           "conv2d: expected a 4-D weight [out_channels, in_channels / groups, "
           "kH, kW] but got shape ",
           detail::shape_str(weight.sizes()));
  TG_CHECK(input.dim() == 3 || input.dim() == 4,
           "conv2d: expected a 3-D (unbatched [C, H, W]) "
           "or 4-D (batched [N, C, H, W]) input but got shape ",
           detail::shape_str(input.sizes()),
           "; reshape it, e.g. x.unsqueeze(0) for a single image");
  TG_CHECK(input.dtype() == weight.dtype(), "conv2d: input has dtype ", input.dtype(),
           " but weight has dtype ", weight.dtype(), "; convert one with .to(", weight.dtype(),
           ")");
  TG_CHECK(is_floating_point(input.dtype()), "conv2d: expected Float or Double tensors but got ",
           input.dtype(), "; convert with .to(tg::kFloat)");
  ConvParams p;
  p.stride = expand_pair(stride, "stride");
  p.padding = expand_pair(padding, "padding");
  p.dilation = expand_pair(dilation, "dilation");
  p.groups = groups;
  for (int d = 0; d < 2; ++d) {
    TG_CHECK(p.stride[d] > 0, "conv2d: stride must be positive but got ",
             detail::shape_str(stride));
    TG_CHECK(p.dilation[d] > 0, "conv2d: dilation must be positive but got ",
             detail::shape_str(dilation));
    TG_CHECK(p.padding[d] >= 0, "conv2d: padding must be non-negative but got ",
             detail::shape_str(padding));
  }
  TG_CHECK(groups > 0, "conv2d: groups must be positive but got ", groups);
  const Tensor x = input.dim() == 3 ? input.unsqueeze(0) : input;
  const int64_t out_channels = weight.size(0);
  TG_CHECK(out_channels % groups == 0, "conv2d: out_channels ", out_channels, " (weight ",
           detail::shape_str(weight.sizes()), ") must be divisible by groups ", groups);
  const int64_t channels = weight.size(1) * groups;
  TG_CHECK(x.size(1) == channels, "conv2d: expected input with ", channels, " channels (weight ",
           detail::shape_str(weight.sizes()), ", groups ", groups, ") but got ", x.size(1),
           " channels (input ", detail::shape_str(input.sizes()),
           "); check the layer's in_channels or the input's channel dim (dim ", input.dim() - 3,
           ")");
  if (bias.defined()) {
    TG_CHECK(bias.dim() == 1 && bias.size(0) == out_channels, "conv2d: expected a bias of shape [",
             out_channels, "] (one per output channel of weight ",
             detail::shape_str(weight.sizes()), ") but got ", detail::shape_str(bias.sizes()));
    TG_CHECK(bias.dtype() == weight.dtype(), "conv2d: bias has dtype ", bias.dtype(),
             " but weight has dtype ", weight.dtype(), "; convert it with .to(", weight.dtype(),
             ")");
  }
  for (int d = 0; d < 2; ++d) {
    const int64_t padded = x.size(2 + d) + 2 * p.padding[d];
    const int64_t extent = p.dilation[d] * (weight.size(2 + d) - 1) + 1;
    TG_CHECK(extent <= padded, "conv2d: the kernel (", weight.size(2), " x ", weight.size(3),
             ", dilation ", p.dilation[0], " x ", p.dilation[1],
             ") is bigger than the padded input (", x.size(2) + 2 * p.padding[0], " x ",
             x.size(3) + 2 * p.padding[1], ") of input ", detail::shape_str(input.sizes()),
             " with padding ", p.padding[0], " x ", p.padding[1],
             "; use a smaller kernel or more padding");
  }
  Tensor y = conv_forward(x, weight, bias, p);
  return input.dim() == 3 ? y.squeeze(0) : y;
}

}  // namespace tg
