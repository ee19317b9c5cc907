#pragma once
/// The 16-bit floating-point element types, as c10::Half and c10::BFloat16: storage types that
/// convert to and from float. Arithmetic on them happens in float (each converts implicitly), and
/// a float result is rounded back when it is stored.
#include <bit>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <type_traits>

namespace tg {

namespace detail {

/// IEEE binary16 bits of x, rounded to nearest, ties to even: magnitudes from 65520 up give
/// infinity, NaN stays NaN (quiet), values below half the smallest subnormal give zero.
constexpr uint16_t float_to_half_bits(float x) {
  const uint32_t f = std::bit_cast<uint32_t>(x);
  const auto sign = static_cast<uint16_t>((f >> 16) & 0x8000u);
  const uint32_t a = f & 0x7fffffffu;
  if (a > 0x7f800000u)  // NaN: quiet, with the top of the payload
    return static_cast<uint16_t>(sign | 0x7e00u | ((a >> 13) & 0x3ffu));
  if (a >= 0x47800000u) return static_cast<uint16_t>(sign | 0x7c00u);  // 65536 and up, inf
  const int e = static_cast<int>(a >> 23) - 127;                       // unbiased exponent
  if (e < -25) return sign;  // below 2^-25: zero (2^-25 itself is a tie, to even: zero)
  if (e < -14) {
    // A subnormal half: units of 2^-24. The float's 24-bit significand, shifted into them.
    const uint32_t m = (a & 0x7fffffu) | 0x800000u;
    const auto shift = static_cast<uint32_t>(-e - 1);  // 14 to 24
    uint32_t q = m >> shift;
    const uint32_t rest = m & ((1u << shift) - 1u), halfway = 1u << (shift - 1u);
    if (rest > halfway || (rest == halfway && (q & 1u))) ++q;  // may carry into the normals
    return static_cast<uint16_t>(sign | q);
  }
  // A normal half: exponent e + 15, the top 10 bits of the float's fraction, rounded. A carry
  // out of the fraction increments the exponent, up to infinity (0x7c00) past 65504.
  uint32_t h = (static_cast<uint32_t>(e + 15) << 10) | ((a >> 13) & 0x3ffu);
  const uint32_t rest = a & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return static_cast<uint16_t>(sign | h);
}

/// The float an IEEE binary16 bit pattern stands for (exact: every half is a float).
constexpr float half_bits_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  uint32_t f = sign;
  if (e == 0x1fu) {
    f |= 0x7f800000u | (m << 13);  // inf or NaN, payload kept
  } else if (e != 0) {
    f |= ((e + 112u) << 23) | (m << 13);  // rebias: 127 - 15
  } else if (m != 0) {
    // Subnormal: m 2^-24. Shift m until its leading bit is bit 10, the implicit one.
    const int shift = std::countl_zero(m) - 21;
    f |= (static_cast<uint32_t>(113 - shift) << 23) | ((m << shift) & 0x3ffu) << 13;
  }
  return std::bit_cast<float>(f);
}

/// The top 16 bits of x rounded to nearest, ties to even (bfloat16): overflow gives infinity,
/// NaN stays NaN (quiet).
constexpr uint16_t float_to_bfloat16_bits(float x) {
  const uint32_t f = std::bit_cast<uint32_t>(x);
  if ((f & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((f >> 16) | 0x40u);
  const uint32_t rounding = 0x7fffu + ((f >> 16) & 1u);
  return static_cast<uint16_t>((f + rounding) >> 16);
}

constexpr float bfloat16_bits_to_float(uint16_t b) {
  return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

}  // namespace detail

/// IEEE half precision (1 sign, 5 exponent, 10 fraction bits): the dtype kHalf (kFloat16).
/// Converts implicitly to and from float, so `a + b` computes in float; storing the float result
/// into a Half rounds it to nearest, ties to even.
struct Half {
  uint16_t x;  ///< the bits, as c10::Half's
  struct from_bits_t {};
  static constexpr from_bits_t from_bits() { return {}; }

  Half() = default;
  constexpr Half(float value) : x(detail::float_to_half_bits(value)) {}  // NOLINT: implicit
  /// The value whose bits are `bits`.
  constexpr Half(uint16_t bits, from_bits_t) : x(bits) {}
  constexpr operator float() const { return detail::half_bits_to_float(x); }  // NOLINT
};

/// Brain floating point (1 sign, 8 exponent, 7 fraction bits, float's range): the dtype
/// kBFloat16. Converts implicitly to and from float as Half does.
struct BFloat16 {
  uint16_t x;  ///< the bits, as c10::BFloat16's
  struct from_bits_t {};
  static constexpr from_bits_t from_bits() { return {}; }

  BFloat16() = default;
  constexpr BFloat16(float value) : x(detail::float_to_bfloat16_bits(value)) {}  // NOLINT
  constexpr BFloat16(uint16_t bits, from_bits_t) : x(bits) {}
  constexpr operator float() const { return detail::bfloat16_bits_to_float(x); }  // NOLINT
};

/// Print as the float they hold.
std::ostream& operator<<(std::ostream& out, Half h);
std::ostream& operator<<(std::ostream& out, BFloat16 b);

/// True for the 16-bit floating types, which compute in float.
template <class T>
inline constexpr bool is_reduced_floating_v =
    std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

}  // namespace tg

namespace tg::detail {
/// std::numeric_limits of a 16-bit float type T with 1 sign, kExponentBits exponent and
/// kFractionBits fraction bits. Half and BFloat16 differ only in that split (and in whether they
/// are IEEE types), so every limit is derived from it rather than written out twice.
template <class T, int kExponentBits, int kFractionBits, bool kIsIec559>
class Float16NumericLimits {
  static constexpr uint32_t kBias = (1u << (kExponentBits - 1)) - 1;  // exponent field of 1.0
  static constexpr uint32_t kInfinity = ((1u << kExponentBits) - 1) << kFractionBits;
  static constexpr T of_bits(uint32_t bits) {
    return {static_cast<uint16_t>(bits), T::from_bits()};
  }

 public:
  static constexpr bool is_specialized = true;
  static constexpr bool is_signed = true;
  static constexpr bool is_integer = false;
  static constexpr bool is_exact = false;
  static constexpr bool has_infinity = true;
  static constexpr bool has_quiet_NaN = true;
  static constexpr bool has_signaling_NaN = true;
  static constexpr bool is_iec559 = kIsIec559;
  static constexpr bool is_bounded = true;
  static constexpr int digits = kFractionBits + 1;
  static constexpr int digits10 = kFractionBits * 30103 / 100000;   // floor((digits - 1) log10 2)
  static constexpr int max_digits10 = 2 + digits * 30103 / 100000;  // ceil(1 + digits log10 2)
  static constexpr int radix = 2;
  static constexpr int min_exponent = 2 - static_cast<int>(kBias);
  static constexpr int max_exponent = static_cast<int>(kBias) + 1;
  static constexpr T min() { return of_bits(1u << kFractionBits); }
  static constexpr T lowest() { return of_bits(0x8000u | (kInfinity - 1)); }
  static constexpr T max() { return of_bits(kInfinity - 1); }
  static constexpr T epsilon() { return of_bits((kBias - kFractionBits) << kFractionBits); }
  static constexpr T round_error() { return of_bits((kBias - 1) << kFractionBits); }  // 0.5
  static constexpr T infinity() { return of_bits(kInfinity); }
  static constexpr T quiet_NaN() { return of_bits(kInfinity | 1u << (kFractionBits - 1)); }
  static constexpr T signaling_NaN() { return of_bits(kInfinity | 1u << (kFractionBits - 2)); }
  static constexpr T denorm_min() { return of_bits(1); }
};
}  // namespace tg::detail

namespace std {
/// The limits of the 16-bit types, so that kernels written for float and double read them alike.
template <>
class numeric_limits<tg::Half> : public tg::detail::Float16NumericLimits<tg::Half, 5, 10, true> {};
template <>
class numeric_limits<tg::BFloat16>
    : public tg::detail::Float16NumericLimits<tg::BFloat16, 8, 7, false> {};
}  // namespace std
