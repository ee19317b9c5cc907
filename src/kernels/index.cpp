// Indexing kernels (see index.h).
#include "kernels/index.h"

#include <algorithm>
#include <array>

#include "kernels/loop.h"

namespace tg::kernels {
namespace {

/// Calls body(ptrs) with the first element of every line along `dim` of `shape`: one pointer
/// per operand, each operand walked with its own strides (its sizes may exceed `shape`). Lines
/// are disjoint in the other coordinates, so bodies that write only within their line run in
/// parallel above the grain size.
template <int N, class Body>
void for_each_line(IntArrayRef shape, int64_t dim, const std::array<View, N>& ops, Body body) {
  // The dims other than `dim`, outermost first, and each operand's byte strides along them.
  DimVector sizes;
  std::array<DimVector, N> strides;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d == dim) continue;
    sizes.push_back(shape[d]);
    for (int k = 0; k < N; ++k)
      strides[k].push_back(ops[k].stride(d) * static_cast<int64_t>(ops[k].element_size()));
  }
  if (sizes.empty()) {
    sizes.push_back(1);
    for (int k = 0; k < N; ++k) strides[k].push_back(0);
  }
  int64_t lines = 1;
  for (int64_t s : sizes) lines *= s;
  if (lines == 0) return;
  const int nd = static_cast<int>(sizes.size());
  const int64_t inner = sizes[nd - 1];
  // Lines [begin, end) in row-major order: an odometer over the outer dims, a plain loop over
  // the innermost one.
  auto run_range = [&](int64_t begin, int64_t end) {
    DimVector idx(static_cast<size_t>(nd), 0);
    int64_t rest = begin;
    for (int d = nd - 1; d >= 0; --d) {
      idx[d] = rest % sizes[d];
      rest /= sizes[d];
    }
    for (int64_t pos = begin; pos < end;) {
      std::array<char*, N> p;
      for (int k = 0; k < N; ++k) {
        int64_t off = 0;
        for (int d = 0; d < nd; ++d) off += idx[d] * strides[k][d];
        p[k] = static_cast<char*>(ops[k].data_ptr()) + off;
      }
      const int64_t n = std::min(inner - idx[nd - 1], end - pos);
      std::array<char*, N> q;
      for (int64_t i = 0; i < n; ++i) {
        for (int k = 0; k < N; ++k) q[k] = p[k] + i * strides[k][nd - 1];
        body(q);
      }
      pos += n;
      idx[nd - 1] += n;
      for (int d = nd - 1; d > 0 && idx[d] >= sizes[d]; --d) {
        idx[d] = 0;
        ++idx[d - 1];
      }
    }
  };
  parallel_for(lines, kGrainSize, run_range);
}

/// for_each_line with the element type resolved: calls line(o, s, p) for every line, with o and
/// s the lines of out (ops[0]) and of the values read (ops[N - 1]) as T* and const T* for the
/// dtype T of out, and p every operand's line (gather and scatter_add read their index from it).
template <int N, class Line>
void for_each_typed_line(IntArrayRef shape, int64_t dim, const std::array<View, N>& ops,
                         Line line) {
  dispatch(ops[0].dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    for_each_line<N>(shape, dim, ops, [&](const std::array<char*, N>& p) {
      line(reinterpret_cast<T*>(p[0]), reinterpret_cast<const T*>(p[N - 1]), p);
    });
  });
}

}  // namespace

void index_select_lines(const View& out, const View& x, int64_t dim, const int64_t* index) {
  const int64_t n = out.size(dim), os = out.stride(dim), xs = x.stride(dim);
  for_each_typed_line<2>(out.sizes(), dim, {out, x}, [&](auto* o, const auto* s, const auto&) {
    for (int64_t k = 0; k < n; ++k) o[k * os] = s[index[k] * xs];
  });
}

void index_add_lines(const View& out, const View& src, int64_t dim, const int64_t* index) {
  const int64_t n = src.size(dim), os = out.stride(dim), ss = src.stride(dim);
  for_each_typed_line<2>(src.sizes(), dim, {out, src}, [&]<class T>(T* o, const T* s, const auto&) {
    for (int64_t k = 0; k < n; ++k) o[index[k] * os] = static_cast<T>(o[index[k] * os] + s[k * ss]);
  });
}

void gather(const View& out, const View& x, const View& index, int64_t dim) {
  const int64_t n = index.size(dim), os = out.stride(dim), is = index.stride(dim),
                xs = x.stride(dim);
  for_each_typed_line<3>(index.sizes(), dim, {out, index, x},
                         [&](auto* o, const auto* s, const std::array<char*, 3>& p) {
                           const int64_t* ip = reinterpret_cast<const int64_t*>(p[1]);
                           for (int64_t k = 0; k < n; ++k) o[k * os] = s[ip[k * is] * xs];
                         });
}

void scatter_add(const View& out, const View& src, const View& index, int64_t dim) {
  const int64_t n = index.size(dim), os = out.stride(dim), is = index.stride(dim),
                ss = src.stride(dim);
  // Each line writes only to its own line of the output, so lines may run in parallel.
  for_each_typed_line<3>(index.sizes(), dim, {out, index, src},
                         [&]<class T>(T* o, const T* s, const std::array<char*, 3>& p) {
                           const int64_t* ip = reinterpret_cast<const int64_t*>(p[1]);
                           for (int64_t k = 0; k < n; ++k) {
                             T& dst = o[ip[k * is] * os];
                             dst = static_cast<T>(dst + s[k * ss]);
                           }
                         });
}

void put(const View& out, const View& offsets, const View& src, bool accumulate) {
  const int64_t n = offsets.numel();
  const int64_t* off = offsets.data_ptr<int64_t>();
  dispatch(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data_ptr<T>();
    const T* s = src.data_ptr<T>();
    // Serial: repeated offsets must add up (accumulate) or let the last write win.
    if (accumulate)
      for (int64_t i = 0; i < n; ++i) o[off[i]] = static_cast<T>(o[off[i]] + s[i]);
    else
      for (int64_t i = 0; i < n; ++i) o[off[i]] = s[i];
  });
}

}  // namespace tg::kernels
