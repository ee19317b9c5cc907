// Anomaly detection: where forward ops were called, and NaN/Inf checks of every gradient.
#include "autograd/anomaly.h"

#include <execinfo.h>

#include <atomic>
#include <cmath>
#include <sstream>

#include "kernels/loop.h"
#include "tensorgrad/demangle.h"
#include "tensorgrad/autograd/function.h"

namespace tg::autograd {

namespace {
std::atomic<bool> enabled{false}, check_nan{true}, check_inf{false};
}

bool AnomalyMode::is_enabled() { return enabled.load(std::memory_order_relaxed); }
bool AnomalyMode::should_check_nan() { return check_nan.load(std::memory_order_relaxed); }
bool AnomalyMode::should_check_inf() { return check_inf.load(std::memory_order_relaxed); }
void AnomalyMode::set_enabled(bool on, bool nan, bool inf) {
  enabled = on;
  check_nan = nan;
  check_inf = inf;
}

DetectAnomalyGuard::DetectAnomalyGuard(bool nan, bool inf)
    : previous_enabled_(AnomalyMode::is_enabled()),
      previous_nan_(AnomalyMode::should_check_nan()),
      previous_inf_(AnomalyMode::should_check_inf()) {
  AnomalyMode::set_enabled(true, nan, inf);
}
DetectAnomalyGuard::~DetectAnomalyGuard() {
  AnomalyMode::set_enabled(previous_enabled_, previous_nan_, previous_inf_);
}

std::string forward_trace(const std::string& op) {
  void* frames[32];
  const int n = backtrace(frames, 32);
  char** symbols = backtrace_symbols(frames, n);
  std::ostringstream out;
  out << "  the forward op of " << op << " was called from:\n";
  // Frames 0-2 are this function, init_node and the recorder.
  for (int i = 3; i < n && symbols; ++i) {
    std::string line = symbols[i];
    // "binary(_ZN2tg3mulE...+0x1f) [0x...]": demangle the symbol between '(' and '+'.
    const size_t open = line.find('('), plus = line.find('+', open);
    if (open != std::string::npos && plus != std::string::npos && plus > open + 1)
      line = line.substr(0, open + 1) + demangle(line.substr(open + 1, plus - open - 1).c_str()) +
             line.substr(plus);
    out << "    #" << i - 3 << " " << line << "\n";
  }
  std::free(symbols);
  return out.str();
}

std::string first_bad_value(const Tensor& g, bool nan, bool inf) {
  if (!g.defined() || !g.is_floating_point()) return "";
  std::string found;
  kernels::dispatch_floating(g.dtype(), "anomaly check", [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor c = g.detach().contiguous();
    const T* p = c.data_ptr<T>();
    for (int64_t i = 0; i < c.numel() && found.empty(); ++i) {
      if (nan && std::isnan(p[i])) found = "nan";
      if (inf && std::isinf(p[i])) found = "inf";
    }
  });
  return found;
}

void check_anomaly(const Node& node, const variable_list& outputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string bad = first_bad_value(outputs[i], AnomalyMode::should_check_nan(),
                                            AnomalyMode::should_check_inf());
    TG_CHECK(bad.empty(), "Function '", node.name(), "' returned ", bad, " values in its ", i,
             "th output (detected by DetectAnomalyGuard).\n", node.creation_trace());
  }
}

}  // namespace tg::autograd
