#pragma once
#include <string>

#include "tensorgrad/autograd.h"

namespace tg::autograd {
/// Where the forward op recording node `op` was called (a demangled backtrace).
std::string forward_trace(const std::string& op);
/// Throws if any gradient in `outputs` holds a value DetectAnomalyGuard asked to catch.
void check_anomaly(const Node& node, const variable_list& outputs);
}  // namespace tg::autograd
