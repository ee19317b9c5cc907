// Op cases for the elementwise math and selection ops. References are computed with plain loops
// over the inputs' data and std:: functions, never with tensorgrad's ops. Inputs stay away from
// the points where an op is not differentiable (kinks, jumps, ties), so that finite differences
// are meaningful.
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <optional>
#include <vector>

#include "op_case.h"

namespace {

using tg::IntArrayRef;
using tg::Tensor;
using tg::variable_list;

/// A contiguous kDouble tensor of `shape` with values gen(i), requiring grad when asked.
Tensor make(std::vector<int64_t> shape, const std::function<double(int64_t)>& gen,
            bool requires_grad = true) {
  Tensor t = tg::empty(shape, tg::kDouble);
  double* p = t.data_ptr<double>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = gen(i);
  t.requires_grad_(requires_grad);
  return t;
}

/// Values spread over [lo, hi] without repeating, deterministic.
std::function<double(int64_t)> spread(double lo, double hi, int64_t n) {
  return [lo, hi, n](int64_t i) {
    // A fixed permutation (7 is coprime with the sizes used here) so neighbours differ.
    const int64_t k = (i * 7) % n;
    return lo + (hi - lo) * (static_cast<double>(k) + 0.5) / static_cast<double>(n);
  };
}

/// A kBool tensor of `shape` with values gen(i).
Tensor make_mask(std::vector<int64_t> shape, const std::function<bool(int64_t)>& gen) {
  Tensor t = tg::empty(shape, tg::kBool);
  bool* p = t.data_ptr<bool>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = gen(i);
  return t;
}

/// The element of `t` (contiguous, any dtype read through T) that broadcasting maps to flat
/// index `flat` of a result of shape `out`.
template <class T>
T at_broadcast(const Tensor& t, IntArrayRef out, int64_t flat) {
  const int64_t nd = static_cast<int64_t>(out.size());
  const int64_t off = nd - t.dim();
  int64_t index = 0, stride = 1;
  for (int64_t d = nd - 1; d >= 0; --d) {
    const int64_t coord = flat % out[d];
    flat /= out[d];
    if (d >= off) {
      const int64_t size = t.size(d - off);
      if (size != 1) index += coord * stride;
      stride *= size;
    }
  }
  return t.data_ptr<T>()[index];
}

/// out[i] = f(x[i]).
Tensor map1(const Tensor& x, const std::function<double(double)>& f) {
  Tensor out = tg::empty(x.sizes(), tg::kDouble);
  const double* px = x.data_ptr<double>();
  double* po = out.data_ptr<double>();
  for (int64_t i = 0; i < x.numel(); ++i) po[i] = f(px[i]);
  return out;
}

/// out = f(a, b) over the broadcast shape `shape`.
Tensor map2(const Tensor& a, const Tensor& b, std::vector<int64_t> shape,
            const std::function<double(double, double)>& f) {
  Tensor out = tg::empty(shape, tg::kDouble);
  double* po = out.data_ptr<double>();
  for (int64_t i = 0; i < out.numel(); ++i)
    po[i] = f(at_broadcast<double>(a, shape, i), at_broadcast<double>(b, shape, i));
  return out;
}

/// A case for a one-input op over values from gen, compared with the scalar function ref.
void unary_case(const char* op, const char* variant, std::vector<int64_t> shape,
                std::function<double(int64_t)> gen, std::function<Tensor(const Tensor&)> fn,
                std::function<double(double)> ref, bool gradgrad = true) {
  tg::testing::op_case_registry().push_back(tg::testing::OpCase{
      .op = op,
      .variant = variant,
      .inputs = [shape, gen] { return variable_list{make(shape, gen)}; },
      .fn = [fn](const variable_list& in) { return variable_list{fn(in[0])}; },
      .reference = [ref](const variable_list& in) { return variable_list{map1(in[0], ref)}; },
      .gradgrad = gradgrad,
  });
}

double sigmoid_ref(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Registered from a static initializer, like TG_OP_CASE, but through a loop-friendly helper.
[[maybe_unused]] const bool kRegistered = [] {
  const std::vector<int64_t> s23 = {2, 3};
  unary_case(
      "exp", "2x3", s23, spread(-2, 2, 6), [](const Tensor& x) { return tg::exp(x); },
      [](double x) { return std::exp(x); });
  unary_case(
      "exp", "method_0d", {}, [](int64_t) { return 0.3; }, [](const Tensor& x) { return x.exp(); },
      [](double x) { return std::exp(x); });
  unary_case(
      "log", "positive", s23, spread(0.5, 3, 6), [](const Tensor& x) { return tg::log(x); },
      [](double x) { return std::log(x); });
  unary_case(
      "log1p", "above_minus_one", s23, spread(-0.5, 2, 6),
      [](const Tensor& x) { return tg::log1p(x); }, [](double x) { return std::log1p(x); });
  unary_case(
      "expm1", "2x3", s23, spread(-1.5, 1.5, 6), [](const Tensor& x) { return tg::expm1(x); },
      [](double x) { return std::expm1(x); });
  unary_case(
      "sqrt", "positive", s23, spread(0.5, 3, 6), [](const Tensor& x) { return tg::sqrt(x); },
      [](double x) { return std::sqrt(x); });
  unary_case(
      "rsqrt", "positive", s23, spread(0.5, 3, 6), [](const Tensor& x) { return tg::rsqrt(x); },
      [](double x) { return 1.0 / std::sqrt(x); });
  unary_case(
      "abs", "away_from_zero", s23,
      [](int64_t i) { return (i % 2 ? -1.0 : 1.0) * (0.4 + 0.3 * static_cast<double>(i)); },
      [](const Tensor& x) { return tg::abs(x); }, [](double x) { return std::fabs(x); });
  unary_case(
      "sign", "zero_derivative_so_no_gradgrad", s23,
      [](int64_t i) { return (i % 2 ? -1.0 : 1.0) * (0.4 + 0.3 * static_cast<double>(i)); },
      [](const Tensor& x) { return tg::sign(x); }, [](double x) { return x > 0 ? 1.0 : -1.0; },
      false);
  unary_case(
      "sin", "2x3", s23, spread(-3, 3, 6), [](const Tensor& x) { return tg::sin(x); },
      [](double x) { return std::sin(x); });
  unary_case(
      "cos", "2x3", s23, spread(-3, 3, 6), [](const Tensor& x) { return tg::cos(x); },
      [](double x) { return std::cos(x); });
  unary_case(
      "tan", "within_pi_over_2", s23, spread(-1.2, 1.2, 6),
      [](const Tensor& x) { return tg::tan(x); }, [](double x) { return std::tan(x); });
  unary_case(
      "tanh", "2x3", s23, spread(-2, 2, 6), [](const Tensor& x) { return tg::tanh(x); },
      [](double x) { return std::tanh(x); });
  unary_case(
      "tanh", "method_3d", {2, 2, 2}, spread(-3, 3, 8), [](const Tensor& x) { return x.tanh(); },
      [](double x) { return std::tanh(x); });
  unary_case(
      "sigmoid", "2x3", s23, spread(-3, 3, 6), [](const Tensor& x) { return tg::sigmoid(x); },
      sigmoid_ref);
  unary_case(
      "relu", "away_from_zero", s23,
      [](int64_t i) { return (i % 2 ? -1.0 : 1.0) * (0.4 + 0.3 * static_cast<double>(i)); },
      [](const Tensor& x) { return tg::relu(x); }, [](double x) { return x > 0 ? x : 0.0; });
  unary_case(
      "relu", "in_place_relu_", s23,
      [](int64_t i) { return (i % 2 ? -1.0 : 1.0) * (0.4 + 0.3 * static_cast<double>(i)); },
      [](const Tensor& x) {
        Tensor t = x * 1;  // a non-leaf, so the in-place op may rewrite it
        t.relu_();
        return t;
      },
      [](double x) { return x > 0 ? x : 0.0; });
  unary_case(
      "reciprocal", "away_from_zero", s23,
      [](int64_t i) { return (i % 2 ? -1.0 : 1.0) * (0.5 + 0.4 * static_cast<double>(i)); },
      [](const Tensor& x) { return tg::reciprocal(x); }, [](double x) { return 1.0 / x; });
  unary_case(
      "square", "2x3", s23, spread(-2, 2, 6), [](const Tensor& x) { return tg::square(x); },
      [](double x) { return x * x; });
  unary_case(
      "erf", "2x3", s23, spread(-2, 2, 6), [](const Tensor& x) { return tg::erf(x); },
      [](double x) { return std::erf(x); });
  // Non-integer inputs away from the jumps; round also away from the .5 half-way points.
  unary_case(
      "floor", "non_integer_zero_derivative_so_no_gradgrad", s23, spread(-2.9, 2.9, 6),
      [](const Tensor& x) { return tg::floor(x); }, [](double x) { return std::floor(x); }, false);
  unary_case(
      "ceil", "non_integer_zero_derivative_so_no_gradgrad", s23, spread(-2.9, 2.9, 6),
      [](const Tensor& x) { return tg::ceil(x); }, [](double x) { return std::ceil(x); }, false);
  unary_case(
      "round", "off_half_zero_derivative_so_no_gradgrad", s23,
      [](int64_t i) { return -2.15 + 0.8 * static_cast<double>(i); },
      [](const Tensor& x) { return tg::round(x); }, [](double x) { return std::nearbyint(x); },
      false);

  // pow: tensor ^ scalar.
  unary_case(
      "pow", "tensor_scalar_2.5", s23, spread(0.5, 2, 6),
      [](const Tensor& x) { return tg::pow(x, 2.5); }, [](double x) { return std::pow(x, 2.5); });
  unary_case(
      "pow", "tensor_scalar_int3_negative_base", s23, spread(-2, 2, 6),
      [](const Tensor& x) { return x.pow(3); }, [](double x) { return x * x * x; });
  unary_case(
      "pow", "tensor_scalar_minus_half", s23, spread(0.5, 2, 6),
      [](const Tensor& x) { return x.pow(-0.5); }, [](double x) { return 1.0 / std::sqrt(x); });
  unary_case(
      "pow", "tensor_scalar_zero_derivative_so_no_gradgrad", s23, spread(-2, 2, 6),
      [](const Tensor& x) { return x.pow(0); }, [](double) { return 1.0; }, false);
  unary_case(
      "pow", "in_place_pow_scalar", s23, spread(0.5, 2, 6),
      [](const Tensor& x) {
        Tensor t = x * 1;
        t.pow_(1.5);
        return t;
      },
      [](double x) { return std::pow(x, 1.5); });
  // pow: scalar ^ tensor.
  unary_case(
      "pow", "scalar_tensor", s23, spread(-2, 2, 6),
      [](const Tensor& x) { return tg::pow(1.7, x); }, [](double x) { return std::pow(1.7, x); });
  // pow: tensor ^ tensor with broadcasting both ways.
  TG_OP_CASE({
      .op = "pow",
      .variant = "tensor_tensor_broadcast",
      .inputs =
          [] {
            return variable_list{make({2, 1, 3}, spread(0.5, 2.5, 6)),
                                 make({4, 1}, spread(-1.5, 2, 4))};
          },
      .fn = [](const variable_list& in) { return variable_list{tg::pow(in[0], in[1])}; },
      .reference =
          [](const variable_list& in) {
            return variable_list{
                map2(in[0], in[1], {2, 4, 3}, [](double a, double b) { return std::pow(a, b); })};
          },
  });
  TG_OP_CASE({
      .op = "pow",
      .variant = "in_place_pow_tensor",
      .inputs =
          [] {
            return variable_list{make({2, 3}, spread(0.5, 2.5, 6)), make({3}, spread(-1, 2, 3))};
          },
      .fn =
          [](const variable_list& in) {
            Tensor t = in[0] * 1;
            t.pow_(in[1]);
            return variable_list{t};
          },
      .reference =
          [](const variable_list& in) {
            return variable_list{
                map2(in[0], in[1], {2, 3}, [](double a, double b) { return std::pow(a, b); })};
          },
  });

  // where: the condition broadcasts against both branches.
  TG_OP_CASE({
      .op = "where",
      .variant = "broadcast_three_ways",
      .inputs =
          [] {
            return variable_list{make_mask({2, 1, 3}, [](int64_t i) { return (i * 5) % 3 != 0; }),
                                 make({4, 3}, spread(-2, 2, 12)),
                                 make({2, 4, 1}, spread(-1, 3, 8))};
          },
      .fn = [](const variable_list& in) { return variable_list{tg::where(in[0], in[1], in[2])}; },
      .reference =
          [](const variable_list& in) {
            const std::vector<int64_t> shape = {2, 4, 3};
            Tensor out = tg::empty(shape, tg::kDouble);
            for (int64_t i = 0; i < out.numel(); ++i)
              out.data_ptr<double>()[i] = at_broadcast<bool>(in[0], shape, i)
                                              ? at_broadcast<double>(in[1], shape, i)
                                              : at_broadcast<double>(in[2], shape, i);
            return variable_list{out};
          },
  });
  TG_OP_CASE({
      .op = "where",
      .variant = "tensor_scalar_and_method",
      .inputs =
          [] {
            return variable_list{make_mask({2, 3}, [](int64_t i) { return i % 3 == 1; }),
                                 make({2, 3}, spread(-2, 2, 6))};
          },
      .fn =
          [](const variable_list& in) {
            return variable_list{tg::where(in[0], in[1], 0.5), tg::where(in[0], -1.5, in[1]),
                                 in[1].where(in[0], in[1] * 2)};
          },
      .reference =
          [](const variable_list& in) {
            Tensor a = tg::empty({2, 3}, tg::kDouble), b = tg::empty({2, 3}, tg::kDouble),
                   c = tg::empty({2, 3}, tg::kDouble);
            for (int64_t i = 0; i < 6; ++i) {
              const bool m = in[0].data_ptr<bool>()[i];
              const double x = in[1].data_ptr<double>()[i];
              a.data_ptr<double>()[i] = m ? x : 0.5;
              b.data_ptr<double>()[i] = m ? -1.5 : x;
              c.data_ptr<double>()[i] = m ? x : 2 * x;
            }
            return variable_list{a, b, c};
          },
  });

  // maximum / minimum: no ties (the derivative jumps there).
  for (const bool is_max : {true, false}) {
    tg::testing::op_case_registry().push_back(tg::testing::OpCase{
        .op = is_max ? "maximum" : "minimum",
        .variant = "broadcast_no_ties",
        .inputs =
            [] {
              return variable_list{make({2, 3}, spread(-2, 2, 6)), make({3}, spread(-1.9, 1.9, 3))};
            },
        .fn =
            [is_max](const variable_list& in) {
              return variable_list{is_max ? tg::maximum(in[0], in[1]) : tg::minimum(in[0], in[1]),
                                   is_max ? in[1].maximum(in[0]) : in[1].minimum(in[0])};
            },
        .reference =
            [is_max](const variable_list& in) {
              auto f = [is_max](double a, double b) {
                return is_max ? (a > b ? a : b) : (a < b ? a : b);
              };
              return variable_list{map2(in[0], in[1], {2, 3}, f), map2(in[1], in[0], {2, 3}, f)};
            },
    });
  }

  // clamp: inputs away from the bounds.
  const auto clamp_gen = [](int64_t i) { return -2.05 + 0.5 * static_cast<double>(i); };
  unary_case(
      "clamp", "min_and_max", {2, 4}, clamp_gen,
      [](const Tensor& x) { return tg::clamp(x, -1.0, 0.9); },
      [](double x) { return x < -1.0 ? -1.0 : (x > 0.9 ? 0.9 : x); });
  unary_case(
      "clamp", "min_only_method", {2, 4}, clamp_gen, [](const Tensor& x) { return x.clamp(-0.3); },
      [](double x) { return x < -0.3 ? -0.3 : x; });
  unary_case(
      "clamp", "max_only", {2, 4}, clamp_gen,
      [](const Tensor& x) { return tg::clamp(x, std::nullopt, 0.2); },
      [](double x) { return x > 0.2 ? 0.2 : x; });
  unary_case(
      "clamp", "in_place_clamp_", {2, 4}, clamp_gen,
      [](const Tensor& x) {
        Tensor t = x * 1;
        t.clamp_(-1.0, 0.9);
        return t;
      },
      [](double x) { return x < -1.0 ? -1.0 : (x > 0.9 ? 0.9 : x); });
  unary_case(
      "clamp_min", "2x4", {2, 4}, clamp_gen, [](const Tensor& x) { return tg::clamp_min(x, 0.1); },
      [](double x) { return x < 0.1 ? 0.1 : x; });
  unary_case(
      "clamp_max", "2x4_method", {2, 4}, clamp_gen,
      [](const Tensor& x) { return x.clamp_max(0.1); }, [](double x) { return x > 0.1 ? 0.1 : x; });
  return true;
}();

}  // namespace
