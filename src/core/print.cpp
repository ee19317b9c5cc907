// Printing in the seed's layout, which is the one PyTorch 0.3 used:
//
//   Variable containing:          <- for tensors that require grad, have a grad_fn, or are a
//                                    gradient that backward stored in .grad() (the seed's
//                                    Variables)
//    1  1                         <- the values, one column width for all
//    1  1
//   [tg::FloatTensor of size 2x2]
//
// Note [Number format]
// One format is chosen for all the elements of a tensor from the smallest and largest magnitudes
// (non-finite values ignored). Let e(v) = floor(log10 v) + 1 be the number of integer digits of
// v (1 for 0), emin = e(min |x|), emax = e(max |x|), and P = 4 the precision:
// - all values integral: "%.0f" in width emax + 1 (the extra column holds the sign), or "%.4e"
//   in width 11 when emax > P + 1;
// - otherwise, when emax - emin > P the spread is too large for one fixed-point scale: "%.4e";
// - otherwise "%.4f", in width emax + 6 (7 when emax is 0). When emax > P + 1 or emax < 0 the
//   values are divided by 10^(emax - 1), printed in width 7, and a line "1.00000e-03 *" above
//   them gives the factor.
// Integral and Bool tensors always print exact integers. Matrices print in blocks of columns that
// fit in 80 characters; tensors of 1000 elements or more print 3 items at each end of a
// dimension with dots in between.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/loop.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/tensor.h"

namespace tg {
namespace {

constexpr int kPrecision = 4;         // decimals of the fixed and scientific formats
constexpr int64_t kThreshold = 1000;  // tensors with this many elements print a summary
constexpr int64_t kEdgeItems = 3;     // items kept at each end of a summarised dimension
constexpr int kLineWidth = 80;        // matrices wider than this print in column blocks

const char* const kVerticalDots = "\u22EE";  // ⋮
const char* const kDiagonalDots = "\u22F1";  // ⋱

// The elements of a tensor in row-major order: doubles for the floating dtypes, int64 for the
// integral ones and Bool.
struct Elements {
  bool integral = false;
  std::vector<double> f;
  std::vector<int64_t> i;
  int64_t size() const { return static_cast<int64_t>(integral ? i.size() : f.size()); }
};

template <class T>
void gather_typed(const Tensor& t, std::vector<T>& out) {
  const int64_t nd = t.dim(), n = t.numel();
  out.resize(static_cast<size_t>(n));
  if (n == 0) return;
  kernels::dispatch(t.scalar_type(), [&](auto tag) {
    using E = typename decltype(tag)::type;
    const E* base = static_cast<const E*>(t.data_ptr());
    std::vector<int64_t> idx(static_cast<size_t>(nd), 0);
    IntArrayRef sizes = t.sizes(), strides = t.strides();
    int64_t offset = 0;  // in elements
    for (int64_t k = 0; k < n; ++k) {
      out[k] = static_cast<T>(static_cast<kernels::opmath_t<E>>(base[offset]));
      for (int64_t d = nd - 1; d >= 0; --d) {
        offset += strides[d];
        if (++idx[d] < sizes[d]) break;
        offset -= strides[d] * sizes[d];
        idx[d] = 0;
      }
    }
  });
}

Elements gather(const Tensor& t) {
  Elements e;
  e.integral = !t.is_floating_point();
  if (e.integral)
    gather_typed(t, e.i);
  else
    gather_typed(t, e.f);
  return e;
}

// How every element of one tensor is written. See Note [Number format].
struct NumberFormat {
  enum class Style { Integer, Fixed, Scientific };
  Style style = Style::Integer;
  int width = 2;
  double scale = 1;

  std::string operator()(double v) const {
    v /= scale;
    char buf[64];
    if (std::isnan(v)) {
      std::snprintf(buf, sizeof buf, "%*s", width, "nan");
    } else if (std::isinf(v)) {
      std::snprintf(buf, sizeof buf, "%*s", width, v > 0 ? "inf" : "-inf");
    } else {
      switch (style) {
        case Style::Integer:
          std::snprintf(buf, sizeof buf, "%*.0f", width, v);
          break;
        case Style::Fixed:
          std::snprintf(buf, sizeof buf, "%*.*f", width, kPrecision, v);
          break;
        case Style::Scientific:
          std::snprintf(buf, sizeof buf, "%*.*e", width, kPrecision, v);
          break;
      }
    }
    return buf;
  }
  std::string operator()(int64_t v) const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%*lld", width, static_cast<long long>(v));
    return buf;
  }
  std::string scale_line() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.5e *", scale);
    return buf;
  }
};

// Number of integer digits of a magnitude: floor(log10 v) + 1, and 1 for 0.
int integer_digits(double v) {
  return v == 0 ? 1 : static_cast<int>(std::floor(std::log10(v))) + 1;
}

NumberFormat choose_format(const Elements& e, int min_width) {
  using Style = NumberFormat::Style;
  NumberFormat fmt;
  min_width = std::max(min_width, 2);
  if (e.integral) {
    uint64_t largest = 0;
    for (int64_t v : e.i) {
      const uint64_t m = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
      largest = std::max(largest, m);
    }
    int digits = 1;
    for (uint64_t m = largest; m >= 10; m /= 10) ++digits;
    fmt.style = Style::Integer;
    fmt.width = std::max(min_width, digits + 1);
    return fmt;
  }
  bool any_finite = false, any_nonfinite = false, integral = true;
  double lo = 0, hi = 0;
  for (double v : e.f) {
    if (!std::isfinite(v)) {
      any_nonfinite = true;
      continue;
    }
    const double m = std::fabs(v);
    lo = any_finite ? std::min(lo, m) : m;
    hi = any_finite ? std::max(hi, m) : m;
    any_finite = true;
    if (m != std::ceil(m)) integral = false;
  }
  if (any_nonfinite) min_width = std::max(min_width, 3);  // room for "nan" and "inf"
  const int emin = integer_digits(lo), emax = integer_digits(hi);
  if (integral) {
    if (emax > kPrecision + 1) {
      fmt.style = Style::Scientific;
      fmt.width = std::max(min_width, 7 + kPrecision);
    } else {
      fmt.style = Style::Integer;
      fmt.width = std::max(min_width, emax + 1);
    }
  } else if (emax - emin > kPrecision) {
    fmt.style = Style::Scientific;
    int width = 7 + kPrecision;
    if (std::abs(emax) > 99 || std::abs(emin) > 99) ++width;  // three-digit exponents
    fmt.width = std::max(min_width, width);
  } else {
    fmt.style = Style::Fixed;
    if (emax > kPrecision + 1 || emax < 0) {
      fmt.width = std::max(min_width, 7);
      fmt.scale = std::pow(10.0, emax - 1);
    } else {
      fmt.width = std::max(min_width, emax == 0 ? 7 : emax + 6);
    }
  }
  return fmt;
}

// s centred in `width` columns (s displays as `len` columns); odd padding goes to the right.
std::string center(const std::string& s, int width, int len) {
  const int pad = std::max(0, width - len);
  return std::string(static_cast<size_t>(pad / 2), ' ') + s +
         std::string(static_cast<size_t>(pad - pad / 2), ' ');
}

class Printer {
 public:
  explicit Printer(const Tensor& t) : t_(t), e_(gather(t)) {}

  std::string body() {
    const int64_t nd = t_.dim();
    if (t_.numel() == 0) return "";
    if (nd <= 1) {
      vector_str();
    } else if (nd == 2) {
      const int64_t rows = t_.size(0), cols = t_.size(1);
      const bool full = rows <= 2 * kEdgeItems && cols <= 2 * kEdgeItems;
      matrix_str(0, rows, cols, "", choose_format(e_, full ? 0 : 5), false);
    } else {
      tensor_str();
    }
    return out_.str();
  }

 private:
  std::string item(const NumberFormat& fmt, int64_t k) const {
    return e_.integral ? fmt(e_.i[static_cast<size_t>(k)]) : fmt(e_.f[static_cast<size_t>(k)]);
  }
  // Items [begin, end) joined by single spaces.
  std::string join(const NumberFormat& fmt, int64_t begin, int64_t end) const {
    std::string s;
    for (int64_t k = begin; k < end; ++k) {
      if (k > begin) s += ' ';
      s += item(fmt, k);
    }
    return s;
  }

  // 1-D (and 0-d): one value per line.
  void vector_str() {
    const NumberFormat fmt = choose_format(e_, 0);
    const int64_t n = e_.size();
    std::string indent;
    if (fmt.scale != 1) {
      out_ << fmt.scale_line() << '\n';
      indent = " ";
    }
    auto lines = [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; ++k) out_ << indent << item(fmt, k) << '\n';
    };
    if (n < kThreshold) {
      lines(0, n);
    } else {
      lines(0, kEdgeItems);
      out_ << indent << center(kVerticalDots, fmt.width, 1) << '\n';
      lines(n - kEdgeItems, n);
    }
  }

  // One row of a summarised matrix: the first and last kEdgeItems values around "...".
  std::string truncated_row(const NumberFormat& fmt, int64_t start, int64_t cols,
                            const std::string& indent) const {
    return indent + join(fmt, start, start + kEdgeItems) + " " + center("...", 5, 3) + " " +
           join(fmt, start + cols - kEdgeItems, start + cols) + "\n";
  }

  // The rows x cols matrix whose elements start at flat index `start`.
  void matrix_str(int64_t start, int64_t rows, int64_t cols, const std::string& indent,
                  const NumberFormat& fmt, bool force_summary) {
    const bool wide = cols > 2 * kEdgeItems, tall = rows > 2 * kEdgeItems;
    const bool small = !wide && !tall;
    const int64_t per_line =
        std::max<int64_t>(1, (kLineWidth - static_cast<int64_t>(indent.size())) / (fmt.width + 1));
    const bool scaled = fmt.scale != 1;
    if (!force_summary && (rows * cols < kThreshold || small)) {
      for (int64_t first = 0; first < cols;) {
        const int64_t last = std::min(first + per_line - 1, cols - 1);
        if (per_line < cols) out_ << "\nColumns " << first << " to " << last << " \n" << indent;
        if (scaled) out_ << fmt.scale_line() << '\n';
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t row = start + r * cols;
          out_ << indent << (scaled ? " " : "") << join(fmt, row + first, row + last + 1) << '\n';
        }
        first = last + 1;
      }
      return;
    }
    if (scaled) out_ << fmt.scale_line() << '\n';
    auto full_row = [&](int64_t r) {
      return indent + join(fmt, start + r * cols, start + (r + 1) * cols) + "\n";
    };
    auto row = [&](int64_t r) {
      return wide ? truncated_row(fmt, start + r * cols, cols, indent) : full_row(r);
    };
    if (tall) {
      for (int64_t r = 0; r < kEdgeItems; ++r) out_ << row(r);
      if (wide) {
        const int half = static_cast<int>((fmt.width + 1) * kEdgeItems - 1);
        out_ << indent << center("...", half, 3) << ' ' << center(kDiagonalDots, 5, 1) << ' '
             << center("...", half, 3) << '\n';
      } else {
        const int len = static_cast<int>(cols * (fmt.width + 1));
        out_ << center(kVerticalDots, len, 1) << '\n';
      }
      for (int64_t r = rows - kEdgeItems; r < rows; ++r) out_ << row(r);
    } else {
      for (int64_t r = 0; r < rows; ++r) out_ << row(r);
    }
  }

  // 3-D and more: the matrices of the last two dims, each under a "(0 ,1 ,.,.) = " header.
  void tensor_str() {
    const int64_t nd = t_.dim();
    const int64_t rows = t_.size(-2), cols = t_.size(-1);
    const bool small = rows <= 2 * kEdgeItems && cols <= 2 * kEdgeItems;
    const NumberFormat fmt = choose_format(e_, small ? 0 : 3);
    const bool summarise = t_.numel() >= kThreshold;

    int dim_width = 2;
    for (int64_t s : t_.sizes())
      dim_width = std::max(dim_width, static_cast<int>(std::to_string(s).size()));

    const int64_t outer = nd - 2;
    std::vector<int64_t> counter(static_cast<size_t>(outer), 0);
    counter.back() = -1;
    bool written = false;
    while (true) {
      // Advance the counter like an odometer, skipping the middle of long dimensions.
      std::vector<bool> restarted(counter.size(), false), skipped(counter.size(), false);
      bool finished = false;
      for (int64_t i = outer - 1; i >= 0; --i) {
        ++counter[i];
        if (summarise && counter[i] == kEdgeItems && t_.size(i) > 2 * kEdgeItems) {
          counter[i] = t_.size(i) - kEdgeItems;
          skipped[i] = true;
        }
        if (counter[i] == t_.size(i)) {
          if (i == 0) finished = true;
          counter[i] = 0;
          restarted[i] = true;
        } else {
          break;
        }
      }
      if (finished) break;
      if (summarise) {
        if (std::find(skipped.begin(), skipped.end(), true) != skipped.end()) {
          for (bool s : skipped) out_ << center(s ? "..." : "", dim_width + 1, s ? 3 : 0);
          out_ << '\n';
          written = true;
        }
        if (std::find(restarted.begin(), restarted.end(), true) != restarted.end()) {
          out_ << ' ';
          for (bool r : restarted) out_ << center(r ? kVerticalDots : "", dim_width + 1, r ? 1 : 0);
          out_ << '\n';
          written = true;
        }
      }
      if (written) out_ << '\n';
      out_ << '(';
      int64_t start = 0, block = rows * cols;
      for (int64_t i = outer - 1; i >= 0; --i) {
        start += counter[i] * block;
        block *= t_.size(i);
      }
      for (int64_t i = 0; i < outer; ++i)
        out_ << center(std::to_string(counter[i]), dim_width,
                       static_cast<int>(std::to_string(counter[i]).size()))
             << ',';
      out_ << ".,.) = \n";
      matrix_str(start, rows, cols, " ", fmt, summarise);
      written = true;
    }
  }

  const Tensor& t_;
  Elements e_;
  std::ostringstream out_;
};

}  // namespace

std::ostream& operator<<(std::ostream& out, IntArrayRef dims) {
  out << '[';
  for (size_t i = 0; i < dims.size(); ++i) out << (i ? ", " : "") << dims[i];
  return out << ']';
}

std::ostream& operator<<(std::ostream& out, const Tensor& t) {
  if (!t.defined()) return out << "[ Tensor (undefined) ]";
  std::string text;
  if (t.requires_grad() || t.grad_fn() || t.unsafeGetTensorImpl()->is_grad)
    text += "Variable containing:\n";
  text += Printer(t).body();
  text += '[';
  text += "tg::";
  text += scalar_type_info(t.dtype()).tensor_type;
  text += " of size ";
  if (t.dim() == 0) {
    text += "()";
  } else {
    for (int64_t d = 0; d < t.dim(); ++d) {
      if (d) text += 'x';
      text += std::to_string(t.size(d));
    }
  }
  text += ']';
  return out << text;
}

// As libtorch: the type's name, "CPUFloatType" (the printed layout is operator<<).
std::string Tensor::toString() const {
  if (!defined()) return "UndefinedType";
  return std::string("CPU") + to_string(dtype()) + "Type";
}

}  // namespace tg
