#pragma once
// Random and deterministic fills of new contiguous tensors: the draws of rand, randn, randint
// and randperm from a mt19937_64 engine (the caller holds the engine's lock for the whole fill,
// see Note [Global generator] in src/core/random.cpp), and arange, linspace and eye.
#include <cstdint>
#include <random>

#include "kernels/view.h"

namespace tg::kernels {

/// Uniform on [0, 1) with every step of the type's mantissa equally likely (Float or Double).
void uniform_fill(const View& out, std::mt19937_64& engine);
/// Standard normal by Box-Muller, two values per pair of uniforms (Float or Double).
void normal_fill(const View& out, std::mt19937_64& engine);
/// Uniform on [low, low + range) without modulo bias (range > 0, as unsigned so that it may
/// exceed INT64_MAX), converted to out's dtype.
void randint_fill(const View& out, std::mt19937_64& engine, int64_t low, uint64_t range);
/// A uniformly random permutation of 0 .. n - 1 (Fisher-Yates), n = out.numel().
void randperm_fill(const View& out, std::mt19937_64& engine);

/// out[i] = start + i * step: exactly in int64 for a Long out and integer arguments
/// (`integral`), else computed in double and rounded once to out's dtype.
void arange_fill(const View& out, double start, double step, int64_t istart, int64_t istep,
                 bool integral);
/// steps = out.numel() values from start to end: the first half counts up from start and the
/// second down from end, so both ends are exact and the values symmetric, as libtorch.
void linspace_fill(const View& out, double start, double end);
/// Ones on the diagonal of a contiguous [n, m] out, zeros elsewhere.
void eye_fill(const View& out);

}  // namespace tg::kernels
