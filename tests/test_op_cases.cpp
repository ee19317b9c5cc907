// Runs the op-case table (tests/op_case.h, cases in tests/op_cases/*.cpp): for every case, the
// forward values against the case's independent reference, gradcheck and gradgradcheck, in f64.
// Test names are OpCases/OpCaseTest.<Check>/<op>_<variant>, so a failure names the case.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <exception>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "op_case.h"
#include "tensor_values.h"

namespace tg::testing {

std::vector<OpCase>& op_case_registry() {
  static std::vector<OpCase> registry;
  return registry;
}

namespace {

std::string shape_of(const Tensor& t) {
  std::ostringstream out;
  out << "[";
  for (int64_t d = 0; d < t.dim(); ++d) out << (d ? ", " : "") << t.size(d);
  out << "]";
  return out.str();
}

/// "add_broadcast": letters, digits and '_' only (gtest's rule), unique across the table.
const std::vector<std::string>& case_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    std::map<std::string, int> seen;
    for (const OpCase& c : op_case_registry()) {
      std::string name = c.op + (c.variant.empty() ? "" : "_" + c.variant);
      for (char& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      int count = ++seen[name];
      if (count > 1) name += "_" + std::to_string(count);
      out.push_back(name);
    }
    return out;
  }();
  return names;
}

class OpCaseTest : public ::testing::TestWithParam<size_t> {
 protected:
  const OpCase& op_case() const { return op_case_registry().at(GetParam()); }
};

TEST_P(OpCaseTest, Forward) {
  const OpCase& c = op_case();
  variable_list inputs = c.inputs();
  variable_list expected = c.reference(inputs);
  variable_list actual = c.fn(inputs);
  ASSERT_EQ(actual.size(), expected.size()) << c.op << " returned a different number of outputs";
  for (size_t j = 0; j < expected.size(); ++j) {
    SCOPED_TRACE("output " + std::to_string(j));
    ASSERT_EQ(actual[j].defined(), expected[j].defined());
    if (!expected[j].defined()) continue;
    ASSERT_EQ(shape_of(actual[j]), shape_of(expected[j]));
    EXPECT_EQ(actual[j].dtype(), expected[j].dtype());
    std::vector<double> a = values(actual[j]), e = values(expected[j]);
    int mismatches = 0;
    for (size_t k = 0; k < e.size(); ++k) {
      bool both_nan = std::isnan(a[k]) && std::isnan(e[k]);
      if (both_nan || std::abs(a[k] - e[k]) <= 1e-10 + 1e-7 * std::abs(e[k])) continue;
      if (++mismatches <= 5)
        ADD_FAILURE() << c.op << " (" << c.variant << "): output " << j << " element " << k
                      << " is " << a[k] << ", expected " << e[k];
    }
    EXPECT_EQ(mismatches, 0) << "elements of output " << j << " that differ from the reference";
  }
}

TEST_P(OpCaseTest, Gradcheck) {
  const OpCase& c = op_case();
  try {
    EXPECT_TRUE(autograd::gradcheck(c.fn, c.inputs()));
  } catch (const std::exception& e) {
    ADD_FAILURE() << c.op << " (" << c.variant << "): " << e.what();
  }
}

TEST_P(OpCaseTest, Gradgradcheck) {
  const OpCase& c = op_case();
  if (!c.gradgrad) {
    // The derivative is zero wherever it exists: finite differences of it have nothing to
    // compare. Check instead that it is exactly zero, and that so is its own derivative.
    variable_list inputs = c.inputs(), wrt;
    for (const Tensor& in : inputs)
      if (in.requires_grad()) wrt.push_back(in);
    ASSERT_FALSE(wrt.empty());
    Tensor total = zeros({}, kDouble);
    for (const Tensor& out : c.fn(inputs)) total = total + out.sum();
    for (const Tensor& g : autograd::grad({total}, wrt, {}, true, true, true)) {
      if (!g.defined()) continue;
      for (double v : values(g)) EXPECT_EQ(v, 0.0) << c.op << " (" << c.variant << ")";
      if (!g.requires_grad()) continue;
      for (const Tensor& gg : autograd::grad({g.sum()}, wrt, {}, true, false, true))
        if (gg.defined())
          for (double v : values(gg)) EXPECT_EQ(v, 0.0) << c.op << " (" << c.variant << ")";
    }
    return;
  }
  try {
    EXPECT_TRUE(autograd::gradgradcheck(c.fn, c.inputs()));
  } catch (const std::exception& e) {
    ADD_FAILURE() << c.op << " (" << c.variant << "): " << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(OpCases, OpCaseTest,
                         ::testing::Range<size_t>(0, op_case_registry().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return case_names().at(info.param);
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OpCaseTest);

TEST(OpCaseTable, EveryDifferentiableOpHasACase) {
  std::set<std::string> covered;
  for (const OpCase& c : op_case_registry()) covered.insert(c.op);
  std::vector<std::string> missing;
  for (const std::string& op : differentiable_ops())
    if (!covered.count(op)) missing.push_back(op);
  std::ostringstream list;
  for (const std::string& op : missing) list << " " << op;
  EXPECT_TRUE(missing.empty()) << missing.size() << " of " << differentiable_ops().size()
                               << " differentiable ops have no case in tests/op_cases:"
                               << list.str();
}

TEST(OpCaseTable, EveryCaseNamesAKnownOp) {
  const std::set<std::string> known(differentiable_ops().begin(), differentiable_ops().end());
  EXPECT_EQ(known.size(), differentiable_ops().size()) << "differentiable_ops() lists an op twice";
  std::map<std::string, int> per_op;
  for (const OpCase& c : op_case_registry()) ++per_op[c.op];
  std::ostringstream unknown;
  for (const auto& [op, count] : per_op)
    if (!known.count(op)) unknown << " " << op << " (" << count << " cases)";
  EXPECT_TRUE(unknown.str().empty())
      << "cases for ops missing from differentiable_ops() in tests/op_case.h:" << unknown.str();
}

TEST(OpCaseTable, CasesAreWellFormed) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const OpCase& c : op_case_registry()) {
    SCOPED_TRACE(c.op + " (" + c.variant + ")");
    EXPECT_FALSE(c.op.empty());
    EXPECT_FALSE(c.variant.empty()) << "name what the case exercises";
    EXPECT_TRUE(seen.insert({c.op, c.variant}).second) << "two cases share op and variant";
    ASSERT_TRUE(c.inputs && c.fn && c.reference) << "inputs, fn and reference are all required";
    variable_list inputs = c.inputs();
    bool any_grad = false;
    for (const Tensor& x : inputs) {
      if (!x.defined() || !x.requires_grad()) continue;
      any_grad = true;
      EXPECT_EQ(x.dtype(), kDouble) << "inputs that require grad must be kDouble";
    }
    EXPECT_TRUE(any_grad) << "at least one input must require grad";
  }
}

}  // namespace
}  // namespace tg::testing
