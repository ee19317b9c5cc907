// Convolution kernels (see conv.h). Each loop parallelises over a dim whose iterations write
// disjoint memory.
#include "kernels/conv.h"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <type_traits>
#include <unordered_map>

#include "kernels/loop.h"
#include "tensorgrad/tensor_impl.h"

namespace tg::kernels {
namespace {

/// All sizes of one convolution: input [n, c, h, w], weight [oc, c / groups, kh, kw],
/// output [n, oc, oh, ow].
struct ConvShape {
  int64_t n, c, h, w, oc, kh, kw, oh, ow;
};

ConvShape shape_of(IntArrayRef x, IntArrayRef w, IntArrayRef y) {
  return ConvShape{x[0], x[1], x[2], x[3], w[0], w[2], w[3], y[2], y[3]};
}

// ---------------------------------------------------------------------------------------------
// Direct loops: Double (oneDNN has no f64 convolution), and Float when a size is zero or oneDNN
// declines a shape.

/// The taps of output position (oy, ox) of output channel o in image n: tap(xi, wi) for every
/// input element xi (a flat index into x) that the kernel element wi (into w) multiplies there,
/// padding skipped.
template <class Tap>
inline void for_each_tap(const ConvShape& s, const ConvParams& p, int64_t n, int64_t o, int64_t oy,
                         int64_t ox, Tap&& tap) {
  const int64_t cg = s.c / p.groups, g = o / (s.oc / p.groups);
  for (int64_t ci = 0; ci < cg; ++ci) {
    const int64_t x0 = ((n * s.c + g * cg + ci) * s.h) * s.w;
    const int64_t w0 = ((o * cg + ci) * s.kh) * s.kw;
    for (int64_t i = 0; i < s.kh; ++i) {
      const int64_t iy = oy * p.stride[0] - p.padding[0] + i * p.dilation[0];
      if (iy < 0 || iy >= s.h) continue;
      for (int64_t j = 0; j < s.kw; ++j) {
        const int64_t ix = ox * p.stride[1] - p.padding[1] + j * p.dilation[1];
        if (ix < 0 || ix >= s.w) continue;
        tap(x0 + iy * s.w + ix, w0 + i * s.kw + j);
      }
    }
  }
}

/// The multiply-adds of a convolution: the work that decides whether its loops use threads.
inline int64_t work_of(const ConvShape& s, const ConvParams& p) {
  return s.n * s.oc * s.oh * s.ow * (s.c / p.groups) * s.kh * s.kw;
}

template <class T>
void direct_forward(const T* x, const T* w, const T* b, T* y, const ConvShape& s,
                    const ConvParams& p) {
  // By output plane (image and channel).
  parallel_tasks(s.n * s.oc, work_of(s, p), [&](int64_t plane) {
    const int64_t n = plane / s.oc, o = plane % s.oc;
    for (int64_t oy = 0; oy < s.oh; ++oy)
      for (int64_t ox = 0; ox < s.ow; ++ox) {
        T acc = b ? b[o] : T(0);
        // The pointers by value, so that the inner loop keeps them in registers.
        for_each_tap(s, p, n, o, oy, ox,
                     [&acc, x, w](int64_t xi, int64_t wi) { acc += x[xi] * w[wi]; });
        y[((n * s.oc + o) * s.oh + oy) * s.ow + ox] = acc;
      }
  });
}

template <class T>
void direct_backward_input(const T* gy, const T* w, T* gx, const ConvShape& s,
                           const ConvParams& p) {
  std::memset(static_cast<void*>(gx), 0, sizeof(T) * s.n * s.c * s.h * s.w);
  // By image: the taps of one image's outputs write only that image's gradient.
  parallel_tasks(s.n, work_of(s, p), [&](int64_t n) {
    for (int64_t o = 0; o < s.oc; ++o)
      for (int64_t oy = 0; oy < s.oh; ++oy)
        for (int64_t ox = 0; ox < s.ow; ++ox) {
          const T go = gy[((n * s.oc + o) * s.oh + oy) * s.ow + ox];
          for_each_tap(s, p, n, o, oy, ox,
                       [gx, w, go](int64_t xi, int64_t wi) { gx[xi] += go * w[wi]; });
        }
  });
}

template <class T>
void direct_backward_weight(const T* x, const T* gy, T* gw, const ConvShape& s,
                            const ConvParams& p) {
  const int64_t cg = s.c / p.groups, ocg = s.oc / p.groups;
  parallel_tasks(s.oc, work_of(s, p), [&](int64_t o) {
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
  });
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
// where the blocked layout pads channels to 16 and the plain kernel was 10x faster. Every call
// runs in chunks of the batch on one thread each (Note [Convolution in batch chunks]), and each
// chunk reorders its own slices.

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
  // Each kind reads two of the three operands and writes the third.
  auto set = [&](dnnl::primitive primitive, const memory::desc& src, const memory::desc& wei,
                 const memory::desc& dst) {
    entry->primitive = std::move(primitive);
    entry->input = make_operand(src_plain, src, kind != ConvKind::BackwardData);
    entry->weight = make_operand(wei_plain, wei, kind != ConvKind::BackwardWeights);
    entry->output = make_operand(dst_plain, dst, kind != ConvKind::Forward);
  };
  // The backward primitives are described alike, with the forward one as their hint.
  auto backward_pd = [&](auto primitive) {
    using Primitive = typename decltype(primitive)::type;
    const typename Primitive::desc d(algo, src_any, wei_any, dst_any, strides, dilates, pad_l,
                                     pad_r);
    return typename Primitive::primitive_desc(d, engine, fwd_pd);
  };
  switch (kind) {
    case ConvKind::Forward:
      set(dnnl::convolution_forward(fwd_pd), fwd_pd.src_desc(), fwd_pd.weights_desc(),
          fwd_pd.dst_desc());
      break;
    case ConvKind::BackwardData: {
      const auto pd = backward_pd(std::type_identity<dnnl::convolution_backward_data>());
      set(dnnl::convolution_backward_data(pd), pd.diff_src_desc(), pd.weights_desc(),
          pd.diff_dst_desc());
      break;
    }
    case ConvKind::BackwardWeights: {
      const auto pd = backward_pd(std::type_identity<dnnl::convolution_backward_weights>());
      set(dnnl::convolution_backward_weights(pd), pd.src_desc(), pd.diff_weights_desc(),
          pd.diff_dst_desc());
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
  StoragePtr scratch;  // keeps the scratch buffer alive
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
  b.scratch = Storage::allocate(op.wanted.get_size());
  b.used = dnnl::memory(op.wanted, engine, b.scratch->data);
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

// Note [Convolution in batch chunks]
// oneDNN's backward-weights primitive splits the batch across its threads and adds the
// per-thread partial gradients, so the weight gradient's rounding would depend on the thread
// count (measured with oneDNN 2.6: 1 and 2 threads differ for most shapes). So the weight
// gradient runs in chunks of the batch, sized by the shape alone (about kChunkFlops each, at most
// kMaxChunks of them), each by a primitive made for one thread and run on the thread that takes
// the chunk (parallel.h's tasks); the chunks' gradients are added in chunk order. Threads only
// decide who computes which chunk.
// Forward and backward data compute each output from one image within one thread (measured
// equal for 1 to 16 threads), and run as one call on oneDNN's own threads, as many as the team
// policy allows (Note [Busy machines]): in chunks of one thread each, as the weight gradient,
// the CNN step of the benchmark suite took 4.6 ms against 1.8 ms (2 threads, reorders and
// small-batch kernels repeated per chunk).
constexpr double kChunkFlops = double(1 << 22);
constexpr int64_t kMaxChunks = 16;

/// Images per chunk (see Note [Convolution in batch chunks]).
int64_t batch_chunk(const ConvShape& s, const ConvParams& p) {
  const double per_image =
      2.0 * double(s.oc) * double(s.c / p.groups) * double(s.kh * s.kw) * double(s.oh * s.ow);
  int64_t chunk = 1;
  while (chunk < s.n && double(chunk) * per_image < kChunkFlops) chunk *= 2;
  chunk = std::max(chunk, (s.n + kMaxChunks - 1) / kMaxChunks);
  return std::min(chunk, s.n);
}

/// Runs a oneDNN convolution of `kind` on plain contiguous Float buffers, the weight gradient
/// chunk by chunk (see Note [Convolution in batch chunks]): input (x, or the gradient written for
/// it), weight (w, or the gradient written for it), output (y, or its gradient), bias (forward
/// only; may be null). False (having done nothing) when oneDNN has no primitive for it.
bool onednn_run(ConvKind kind, const ConvShape& s, const ConvParams& p, float* input, float* weight,
                float* output, float* bias) {
  const int team = team_size();
  const bool weight_grad = kind == ConvKind::BackwardWeights;
  const int64_t chunk = weight_grad ? batch_chunk(s, p) : s.n;
  const int64_t nchunks = (s.n + chunk - 1) / chunk;
  ConvShape whole = s, last = s;
  whole.n = chunk;
  last.n = s.n - (nchunks - 1) * chunk;
  // A weight-gradient chunk runs on the thread that takes it.
  OpenMPThreads onednn_threads(weight_grad ? 1 : team);
  const bool has_bias = bias != nullptr;
  const auto whole_prim = cached_primitive(kind, whole, p, has_bias);
  const auto last_prim = last.n == chunk ? whole_prim : cached_primitive(kind, last, p, has_bias);
  if (!whole_prim || !last_prim) return false;
  const int64_t wsize = s.oc * (s.c / p.groups) * s.kh * s.kw;
  // The weight gradient: chunk 0 writes `weight` itself; chunk c > 0 writes
  // partial[(c - 1) * wsize, c * wsize).
  StoragePtr partial;
  if (weight_grad && nchunks > 1)
    partial = Storage::allocate(static_cast<size_t>((nchunks - 1) * wsize) * sizeof(float));
  float* pp = partial ? static_cast<float*>(partial->data) : nullptr;
  run_tasks(team, nchunks, [&](int64_t c) {
    const ConvPrimitive& prim = c == nchunks - 1 ? *last_prim : *whole_prim;
    float* w = weight_grad && c > 0 ? pp + (c - 1) * wsize : weight;
    Bound in =
        bind(prim.input, input + c * chunk * s.c * s.h * s.w, kind != ConvKind::BackwardData);
    Bound wei = bind(prim.weight, w, !weight_grad);
    Bound out =
        bind(prim.output, output + c * chunk * s.oc * s.oh * s.ow, kind != ConvKind::Forward);
    onednn_execute(prim, kind, in, wei, out, bias);
  });
  if (weight_grad)
    for (int64_t c = 1; c < nchunks; ++c)
      for (int64_t i = 0; i < wsize; ++i) weight[i] += pp[(c - 1) * wsize + i];
  return true;
}

bool use_onednn(ScalarType dtype, const ConvShape& s) {
  return dtype == kFloat && s.n > 0 && s.c > 0 && s.oc > 0 && s.oh > 0 && s.ow > 0;
}

}  // namespace

void conv2d_forward(const View& y, const View& x, const View& w, const std::optional<View>& b,
                    const ConvParams& p) {
  const ConvShape s = shape_of(x.sizes(), w.sizes(), y.sizes());
  if (use_onednn(x.dtype(), s) &&
      onednn_run(ConvKind::Forward, s, p, x.data_ptr<float>(), w.data_ptr<float>(),
                 y.data_ptr<float>(), b ? b->data_ptr<float>() : nullptr))
    return;
  dispatch_float_double(x.dtype(), "conv2d", [&](auto tag) {
    using T = typename decltype(tag)::type;
    direct_forward<T>(x.data_ptr<T>(), w.data_ptr<T>(), b ? b->data_ptr<T>() : nullptr,
                      y.data_ptr<T>(), s, p);
  });
}

void conv2d_input_grad(const View& gx, const View& gy, const View& w, const ConvParams& p) {
  const ConvShape s = shape_of(gx.sizes(), w.sizes(), gy.sizes());
  if (use_onednn(gy.dtype(), s) && onednn_run(ConvKind::BackwardData, s, p, gx.data_ptr<float>(),
                                              w.data_ptr<float>(), gy.data_ptr<float>(), nullptr))
    return;
  dispatch_float_double(gy.dtype(), "conv2d backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    direct_backward_input<T>(gy.data_ptr<T>(), w.data_ptr<T>(), gx.data_ptr<T>(), s, p);
  });
}

void conv2d_weight_grad(const View& gw, const View& x, const View& gy, const ConvParams& p) {
  const ConvShape s = shape_of(x.sizes(), gw.sizes(), gy.sizes());
  if (use_onednn(gy.dtype(), s) && onednn_run(ConvKind::BackwardWeights, s, p, x.data_ptr<float>(),
                                              gw.data_ptr<float>(), gy.data_ptr<float>(), nullptr))
    return;
  dispatch_float_double(gy.dtype(), "conv2d backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    direct_backward_weight<T>(x.data_ptr<T>(), gy.data_ptr<T>(), gw.data_ptr<T>(), s, p);
  });
}

// Each plane is summed with a vectorised reduction, planes in double. Plane by plane is several
// times faster than a general reduction over dims {0, 2, 3}, which walks the tensor with strides.
void channel_sum(const View& out, const View& g) {
  const int64_t n = g.size(0), c = g.size(1), plane = (n * c) != 0 ? g.numel() / (n * c) : 0;
  dispatch_float_double(g.dtype(), "conv2d backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* gp = g.data_ptr<T>();
    T* op = out.data_ptr<T>();
    parallel_tasks(c, g.numel(), [&](int64_t ch) {
      double total = 0;
      for (int64_t b = 0; b < n; ++b) {
        const T* q = gp + (b * c + ch) * plane;
        T sum = 0;
#pragma omp simd reduction(+ : sum)
        for (int64_t k = 0; k < plane; ++k) sum += q[k];
        total += sum;
      }
      op[ch] = static_cast<T>(total);
    });
  });
}

}  // namespace tg::kernels
