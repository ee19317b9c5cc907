// tg::nn's containers beyond the basics of test_nn_module: AnyValue and AnyModule over any
// forward() signature (with FORWARD_HAS_DEFAULT_ARGS), Sequential over such modules, ModuleDict,
// ParameterDict and ParameterList, the names modules print and have, the messages of the module
// system that libtorch's users look for, and the torch::nn namespace a program may add to.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "expect_error.h"
#include "tensorgrad/torch.h"

using namespace tg;
using Names = std::vector<std::string>;
using Items = std::vector<std::pair<std::string, std::shared_ptr<nn::Module>>>;

namespace {

template <class M>
std::string printed(const M& module) {
  std::ostringstream out;
  out << module;
  return out.str();
}

}  // namespace

// Modules at global scope, so that their names in messages are the plain type names.
struct AddThree : nn::Module {
  double forward(int a, int b = 2, double c = 3.0) { return a + b + c; }

 protected:
  FORWARD_HAS_DEFAULT_ARGS({1, nn::AnyValue(2)}, {2, nn::AnyValue(3.0)})
};

struct AddTwoNoMacro : nn::Module {
  int forward(int a, int b = 2) { return a + b; }
};

struct Concat : nn::Module {
  std::string forward(std::string a, const std::string& b, std::string&& c) { return a + b + c; }
};

struct Constant : nn::Module {
  explicit Constant(int v) : value(v) {}
  int forward() const { return value; }
  int value;
};

struct Increment : nn::Module {
  int forward(int x) { return x + 1; }
};

struct Pair : nn::Module {
  std::tuple<Tensor, Tensor> forward(const Tensor& a, const Tensor& b) { return {a + b, a - b}; }
};

struct FirstOf : nn::Module {
  Tensor forward(std::tuple<Tensor, Tensor> pair) { return std::get<0>(pair); }
};

struct DefaultOutOfRange : nn::Module {
  int forward(int a) { return a; }

 protected:
  FORWARD_HAS_DEFAULT_ARGS({3, nn::AnyValue(1)})
};

struct DefaultTwice : nn::Module {
  int forward(int a, int b) { return a + b; }

 protected:
  FORWARD_HAS_DEFAULT_ARGS({1, nn::AnyValue(1)}, {1, nn::AnyValue(2)})
};

struct DefaultWithGap : nn::Module {
  int forward(int a, int b, int c) { return a + b + c; }

 protected:
  FORWARD_HAS_DEFAULT_ARGS({1, nn::AnyValue(1)})
};

struct CloneIntoAnother : nn::Module {
  int forward(int x) { return x; }
  std::shared_ptr<nn::Module> clone(const std::optional<Device>& = std::nullopt) const override {
    return std::make_shared<Increment>();
  }
};

// ---- AnyValue ----

TEST(AnyValue, HoldsDecayedValuesAndNamesBothTypesOnAMismatch) {
  nn::AnyValue five(5);
  ASSERT_NE(five.try_get<int>(), nullptr);
  EXPECT_EQ(five.get<int>(), 5);
  EXPECT_EQ(five.try_get<long>(), nullptr);
  EXPECT_EQ(five.type_info(), typeid(int));
  nn::AnyValue text("hello");  // a string literal is kept as a const char*
  EXPECT_EQ(std::string(text.get<const char*>()), "hello");
  const std::string s = "abc";
  nn::AnyValue copied(s);  // a const std::string& is kept as a std::string
  EXPECT_EQ(copied.get<std::string>(), "abc");
  nn::AnyValue other = five;  // copies; an AnyValue is never wrapped in another
  other = nn::AnyValue(7);
  EXPECT_EQ(five.get<int>(), 5);
  EXPECT_EQ(other.get<int>(), 7);
  EXPECT_ERROR(five.get<float>(), "AnyValue::get",
               "Attempted to cast AnyValue to float, but its actual type is int", "get<int>()");
}

// ---- AnyModule ----

TEST(AnyModule, CallsForwardOfAnySignature) {
  nn::AnyModule concat(Concat{});
  EXPECT_EQ(concat.forward<std::string>(std::string("a"), std::string("b"), std::string("c")),
            "abc");
  nn::AnyModule constant(Constant(123));
  EXPECT_EQ(constant.forward<int>(), 123);
  nn::AnyValue result = constant.any_forward();
  EXPECT_EQ(result.get<int>(), 123);
  nn::AnyModule linear(nn::Linear(3, 2));
  EXPECT_EQ(linear.forward(tg::ones({4, 3})).sizes().vec(), (std::vector<int64_t>{4, 2}));
  nn::AnyModule pair(std::make_shared<Pair>());
  auto [sum, difference] =
      pair.forward<std::tuple<Tensor, Tensor>>(tg::ones({2}), tg::ones({2}) * 3);
  EXPECT_TRUE(tg::equal(sum, tg::full({2}, 4.0)));
  EXPECT_TRUE(tg::equal(difference, tg::full({2}, -2.0)));
}

TEST(AnyModule, DefaultArgumentsFillTheMissingTrailingArguments) {
  nn::AnyModule add(AddThree{});
  EXPECT_EQ(add.forward<double>(1), 6.0);
  EXPECT_EQ(add.forward<double>(1, 3), 7.0);
  EXPECT_EQ(add.forward<double>(1, 3, 5.0), 9.0);
  EXPECT_ERROR(add.forward(), "AnyModule::forward",
               "AddThree's forward() method expects at least 1 argument(s) and at most 3 "
               "argument(s), but received 0.");
  EXPECT_ERROR(add.forward(1, 2, 3.0, 4), "but received 4.");
}

TEST(AnyModule, ArgumentCountAndTypesAreChecked) {
  nn::AnyModule add(AddTwoNoMacro{});
  EXPECT_EQ(add.forward<int>(1, 2), 3);
  EXPECT_ERROR(add.forward(1), "AnyModule::forward",
               "AddTwoNoMacro's forward() method expects 2 argument(s), but received 1. If "
               "AddTwoNoMacro's forward() method has default arguments, please make sure the "
               "forward() method is declared with a corresponding `FORWARD_HAS_DEFAULT_ARGS` "
               "macro.");
  try {
    add.forward(1, 2, 3);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    // Too many arguments: no word about default arguments.
    EXPECT_EQ(std::string(e.what()).find("FORWARD_HAS_DEFAULT_ARGS"), std::string::npos);
  }
  EXPECT_ERROR(add.forward(1, 2.0), "AnyModule::forward", "AddTwoNoMacro",
               "Expected argument #1 to be of type int, but received value of type double",
               "pass exactly that type");
  // The first wrong argument is the one reported.
  EXPECT_ERROR(add.forward(1.0, 2.0), "Expected argument #0");
  nn::AnyModule constant(Constant(1));
  EXPECT_ERROR(constant.forward<float>(), "Attempted to cast AnyValue to float",
               "its actual type is int");
}

TEST(AnyModule, InconsistentDefaultArgumentsFailWhenTheModuleIsStored) {
  EXPECT_ERROR(nn::AnyModule(DefaultOutOfRange{}), "FORWARD_HAS_DEFAULT_ARGS", "DefaultOutOfRange",
               "argument #3 has a default, but forward() takes 1");
  EXPECT_ERROR(nn::AnyModule(DefaultTwice{}), "DefaultTwice", "argument #1 has two defaults");
  EXPECT_ERROR(nn::AnyModule(DefaultWithGap{}), "DefaultWithGap",
               "argument #2 has no default, but argument #1 before it has one");
}

TEST(AnyModule, GetPtrTypeInfoAndTheEmptyState) {
  nn::AnyModule any;
  EXPECT_TRUE(any.is_empty());
  EXPECT_ERROR(any.get<Constant>(), "Cannot call get() on an empty AnyModule");
  EXPECT_ERROR(any.ptr(), "Cannot call ptr() on an empty AnyModule");
  EXPECT_ERROR(any.ptr<Constant>(), "Cannot call ptr() on an empty AnyModule");
  EXPECT_ERROR(any.type_info(), "Cannot call type_info() on an empty AnyModule");
  EXPECT_ERROR(any.forward<int>(), "Cannot call forward() on an empty AnyModule",
               "std::make_shared");
  EXPECT_TRUE(any.clone().is_empty());
  any = std::make_shared<Constant>(5);
  EXPECT_EQ(any.get<Constant>().value, 5);
  EXPECT_EQ(any.ptr<Constant>()->value, 5);
  EXPECT_EQ(any.type_info(), typeid(Constant));
  EXPECT_ERROR(any.get<Increment>(), "Attempted to cast module of type Constant to type Increment");
  nn::AnyModule shared = any;  // copies share the module
  EXPECT_EQ(shared.ptr().get(), any.ptr().get());
  nn::AnyModule linear(nn::Linear(3, 4));
  nn::Linear holder = linear.get<nn::Linear>();
  EXPECT_EQ(holder.get(), linear.ptr().get());
  EXPECT_ERROR(nn::AnyModule(std::shared_ptr<Increment>()), "AnyModule", "empty (nullptr)");
  EXPECT_ERROR(nn::AnyModule(CloneIntoAnother{}).clone(), "AnyModule::clone", "CloneIntoAnother",
               "another type");
  nn::AnyModule copy = linear.clone();
  EXPECT_NE(copy.ptr().get(), linear.ptr().get());
  EXPECT_TRUE(tg::equal(copy.get<nn::LinearImpl>().weight, holder->weight));
}

// ---- Sequential ----

TEST(Sequential, ChainsModulesOfAnySignature) {
  nn::Sequential counting(Increment{}, Increment{}, Increment{});
  EXPECT_EQ(counting->forward<int>(1), 4);
  EXPECT_ERROR(counting->forward<float>(1), "Sequential::forward",
               "The type of the return value is int, but you asked for type float", "forward<int>");
  nn::Sequential from_constant(Constant(5), Increment{});
  EXPECT_EQ(from_constant->forward<int>(), 6);
  // Each next module gets one argument: the rest come from FORWARD_HAS_DEFAULT_ARGS.
  nn::Sequential with_defaults(Increment{}, AddThree{});
  EXPECT_EQ(with_defaults->forward<double>(1), 2 + 2 + 3.0);
  nn::Sequential pair_then_first(Pair{}, FirstOf{}, nn::ReLU());
  Tensor out = pair_then_first->forward(tg::ones({2}), tg::ones({2}));
  EXPECT_TRUE(tg::equal(out, tg::full({2}, 2.0)));
  // A Sequential inside another (its forward() is a template over the return type).
  nn::Sequential nested(nn::Sequential(nn::Linear(2, 3)), nn::ReLU());
  EXPECT_EQ(nested->forward(tg::ones({1, 2})).sizes().vec(), (std::vector<int64_t>{1, 3}));
  nn::Sequential empty;
  EXPECT_ERROR(empty->forward<int>(), "Cannot call forward() on an empty Sequential");
  EXPECT_ERROR(empty->at<Constant>(0), "Sequential", "Index out of range");
}

TEST(Sequential, ErrorsNameWhatReachedTheModule) {
  nn::Sequential seq(Increment{}, nn::Linear(2, 2));
  EXPECT_ERROR(seq->forward(1), "Sequential: module 1",
               "torch::nn::Linear(in_features=2, out_features=2, bias=true)",
               "on an input of type int", "Expected argument #0 to be of type torch::Tensor");
  nn::Sequential pair(Pair{});
  EXPECT_ERROR(pair->forward(tg::ones({2}), tg::ones({3})), "Sequential: module 0",
               "inputs of shape [2], shape [3]");
}

TEST(Sequential, NamedAnyModulesAndPushBackOfAnyModules) {
  nn::AnyModule a(nn::Linear(1, 2));
  nn::Sequential seq;
  seq->push_back(a);
  seq->push_back("fc", a);
  EXPECT_EQ(seq->named_children().keys(), (Names{"0", "fc"}));
  nn::Sequential named(
      {{"one", Constant(1)}, {std::string("next"), std::make_shared<Increment>()}});
  EXPECT_EQ(named->named_children().keys(), (Names{"one", "next"}));
  EXPECT_EQ(named->forward<int>(), 2);
}

// ---- ModuleDict ----

TEST(ModuleDict, InsertsUpdatesPopsAndKeepsOrder) {
  nn::ModuleDict dict(Items{{"fc", nn::Linear(2, 3).ptr()}, {"act", nn::ReLU().ptr()}});
  EXPECT_EQ(dict->size(), 2u);
  EXPECT_FALSE(dict->empty());
  EXPECT_EQ(dict->keys(), (Names{"fc", "act"}));
  EXPECT_TRUE(dict->contains("fc"));
  EXPECT_NE(dict["fc"]->as<nn::Linear>(), nullptr);
  EXPECT_EQ(dict->at<nn::LinearImpl>("fc").options.out_features(), 3);
  EXPECT_EQ(dict->named_parameters().keys(), (Names{"fc.weight", "fc.bias"}));
  // Replacing keeps the position; new names go last.
  OrderedDict<std::string, std::shared_ptr<nn::Module>> more;
  more.insert("fc", nn::Linear(2, 5).ptr());
  more.insert("out", nn::Sigmoid().ptr());
  dict->update(more);
  EXPECT_EQ(dict->keys(), (Names{"fc", "act", "out"}));
  EXPECT_EQ(dict->at<nn::LinearImpl>("fc").options.out_features(), 5);
  EXPECT_EQ(dict->children()[0].get(), dict["fc"].get());
  nn::ModuleDict other(Items{{"extra", nn::Tanh().ptr()}});
  dict->update(*other);
  EXPECT_EQ(dict->items().back().first, "extra");
  EXPECT_EQ(dict->values().back().get(), other["extra"].get());
  size_t count = 0;
  for (const auto& item : *dict) count += item.value() != nullptr;
  EXPECT_EQ(count, 4u);
  // pop() removes the submodule too: its parameters go.
  auto fc = dict->pop("fc");
  EXPECT_NE(fc->as<nn::Linear>(), nullptr);
  EXPECT_EQ(dict->keys(), (Names{"act", "out", "extra"}));
  EXPECT_TRUE(dict->named_parameters().is_empty());
  dict->clear();
  EXPECT_TRUE(dict->empty());
  EXPECT_TRUE(dict->children().empty());
}

TEST(ModuleDict, Errors) {
  nn::ModuleDict dict(Items{{"fc", nn::Linear(2, 3).ptr()}});
  EXPECT_ERROR(dict["nope"], "'nope' is not defined", "fc");
  EXPECT_ERROR(dict->pop("nope"), "'nope' is not defined");
  EXPECT_ERROR(dict->at<nn::ReLUImpl>("fc"), "ModuleDict::at", "'fc'", "torch::nn::LinearImpl",
               "ReLUImpl");
  EXPECT_ERROR(dict->insert("none", nullptr), "ModuleDict::insert", "'none'", "empty");
  EXPECT_ERROR(dict->insert("a.b", nn::ReLU().ptr()), "Submodule name must not contain a dot");
}

TEST(ModuleDict, ClonesDeeplyAndPrints) {
  nn::ModuleDict dict(Items{{"fc", nn::Linear(2, 3).ptr()}, {"act", nn::ReLU().ptr()}});
  auto clone = std::dynamic_pointer_cast<nn::ModuleDictImpl>(dict->clone());
  ASSERT_NE(clone, nullptr);
  EXPECT_EQ(clone->keys(), dict->keys());
  EXPECT_NE((*clone)["fc"].get(), dict["fc"].get());
  EXPECT_TRUE(
      tg::equal(clone->at<nn::LinearImpl>("fc").weight, dict->at<nn::LinearImpl>("fc").weight));
  EXPECT_EQ(printed(dict),
            "torch::nn::ModuleDict(\n"
            "  (fc): torch::nn::Linear(in_features=2, out_features=3, bias=true)\n"
            "  (act): torch::nn::ReLU()\n"
            ")");
}

// ---- ParameterDict ----

TEST(ParameterDict, InsertsKeepingRequiresGradAndUpdatesOnlyExistingKeys) {
  Tensor a = tg::ones({2}, tg::requires_grad());
  Tensor b = tg::zeros({3});
  nn::ParameterDict dict;
  dict->insert("a", a);
  dict->insert("b", b);
  EXPECT_EQ(dict->size(), 2u);
  EXPECT_TRUE(dict["a"].is_same(a));
  EXPECT_TRUE(dict->get("a").requires_grad());
  EXPECT_FALSE(dict["b"].requires_grad());
  EXPECT_EQ(dict->keys(), (Names{"a", "b"}));
  EXPECT_EQ(dict->named_parameters().keys(), (Names{"a", "b"}));
  nn::ParameterDict other;
  other->insert("b", tg::full({1}, 5.0));
  other->insert("c", tg::ones({1}));
  EXPECT_ERROR(dict->update(*other), "ParameterDict::update", "Parameter 'c' is not defined",
               "insert()");
  EXPECT_EQ(dict["b"].numel(), 3);  // nothing changed
  other->pop("c");
  dict->update(*other);
  EXPECT_EQ(dict["b"].item<float>(), 5.0f);
  EXPECT_ERROR(dict->pop("zz"), "Parameter 'zz' is not defined");
  EXPECT_ERROR(dict->insert("a", tg::ones({1})), "Parameter 'a' already defined");
  Tensor popped = dict->pop("a");
  EXPECT_TRUE(popped.is_same(a));
  EXPECT_FALSE(dict->contains("a"));
  OrderedDict<std::string, Tensor> params;
  params.insert("w", tg::ones({2, 1}, tg::requires_grad()));
  nn::ParameterDict from_dict(params);
  EXPECT_TRUE(from_dict["w"].requires_grad());
  from_dict->clear();
  EXPECT_TRUE(from_dict->empty());
}

TEST(ParameterDict, ClonesAndPrints) {
  nn::ParameterDict dict;
  dict->insert("w", tg::ones({2, 1}, tg::requires_grad()));
  dict->insert("ids", tg::zeros({3}, kLong));
  auto clone = std::dynamic_pointer_cast<nn::ParameterDictImpl>(dict->clone());
  ASSERT_NE(clone, nullptr);
  EXPECT_NE((*clone)["w"].data_ptr(), dict["w"].data_ptr());
  EXPECT_TRUE(tg::equal((*clone)["w"], dict["w"]));
  EXPECT_TRUE((*clone)["w"].requires_grad());
  EXPECT_FALSE((*clone)["ids"].requires_grad());
  EXPECT_EQ(printed(dict),
            "torch::nn::ParameterDict(\n"
            "(w): Parameter containing: [Float of size [2, 1]]\n"
            "(ids): Parameter containing: [Long of size [3]]\n"
            ")");
}

// ---- ParameterList ----

TEST(ParameterList, AppendsExtendsIndexesAndClones) {
  Tensor a = tg::ones({2}, tg::requires_grad());
  Tensor b = tg::zeros({1, 2});
  nn::ParameterList list(a, b);
  EXPECT_EQ(list->size(), 2u);
  EXPECT_TRUE(list[0].is_same(a));
  EXPECT_TRUE(list->at(0).requires_grad());
  EXPECT_FALSE(list[1].requires_grad());
  nn::ParameterList more(tg::ones({3}));
  list->extend(*more);
  *list += std::vector<Tensor>{tg::ones({4})};
  EXPECT_EQ(list->size(), 4u);
  EXPECT_EQ(list->named_parameters().keys(), (Names{"0", "1", "2", "3"}));
  EXPECT_EQ(list[3].numel(), 4);
  EXPECT_ERROR(list->at(4), "ParameterList", "Index out of range", "index 4", "4 parameters");
  EXPECT_ERROR(list[7], "Index out of range");
  int64_t total = 0;
  for (const auto& item : *list) total += item.value().numel();
  EXPECT_EQ(total, 2 + 2 + 3 + 4);
  auto clone = std::dynamic_pointer_cast<nn::ParameterListImpl>(list->clone());
  ASSERT_NE(clone, nullptr);
  EXPECT_NE(clone->at(0).data_ptr(), list[0].data_ptr());
  EXPECT_TRUE(clone->at(0).requires_grad());
  nn::ParameterList empty;
  EXPECT_TRUE(empty->is_empty());
  EXPECT_EQ(printed(nn::ParameterList(tg::ones({1, 2}))),
            "torch::nn::ParameterList(\n(0): Parameter containing: [Float of size [1, 2]]\n)");
}

// ---- the module system's names and messages ----

struct Plain : nn::Module {};

TEST(ModuleMessages, TheWordingLibtorchUsersLookFor) {
  Plain m;
  EXPECT_ERROR(m.register_module("a.b", nn::Linear(1, 1)), "register_module",
               "Submodule name must not contain a dot (got 'a.b')");
  EXPECT_ERROR(m.register_module("", nn::Linear(1, 1)), "Submodule name must not be empty");
  EXPECT_ERROR(m.register_parameter("", tg::ones({1})), "Parameter name must not be empty");
  EXPECT_ERROR(m.register_buffer("x.y", tg::ones({1})),
               "Buffer name must not contain a dot (got 'x.y')");
  m.register_module("fc", nn::Linear(1, 1));
  m.register_parameter("p", tg::ones({1}));
  m.register_buffer("b", tg::ones({1}));
  EXPECT_ERROR(m.register_module("fc", nn::Linear(1, 1)), "Submodule 'fc' already defined", "Plain",
               "replace_module");
  EXPECT_ERROR(m.register_parameter("p", tg::ones({1})), "Parameter 'p' already defined");
  EXPECT_ERROR(m.register_buffer("b", tg::ones({1})), "Buffer 'b' already defined");
  EXPECT_ERROR(m.replace_module("nope", nn::Linear(1, 1)), "replace_module",
               "Submodule 'nope' is not defined", "register_module");
  EXPECT_ERROR(m.unregister_module("nope"), "unregister_module",
               "No Module with name `nope` is registered", "Plain");
  EXPECT_ERROR(m.modules(),
               "It looks like you attempted to retrieve your top-level module as a "
               "shared_ptr",
               "std::make_shared");
  nn::Linear empty = nullptr;
  EXPECT_ERROR(empty->options, "Accessing empty ModuleHolder");
}

TEST(ModuleMessages, AnUndefinedParameterCannotRequireGrad) {
  Plain m;
  ::testing::internal::CaptureStderr();
  m.register_parameter("absent", Tensor());
  const std::string warning = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(warning.find("Ignoring the `requires_grad=true` function parameter"), std::string::npos)
      << warning;
  EXPECT_NE(warning.find("'absent'"), std::string::npos) << warning;
  EXPECT_TRUE(m.parameters().empty());
  ::testing::internal::CaptureStderr();
  m.register_parameter("quiet", Tensor(), /*requires_grad=*/false);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

namespace other {
struct Inner : nn::Module {};
}  // namespace other
namespace mytg {
struct Thing {};
}  // namespace mytg

TEST(ModuleMessages, NamesAreLibtorchs) {
  EXPECT_EQ(Plain().name(), "Plain");
  EXPECT_EQ(other::Inner().name(), "other::Inner");
  EXPECT_EQ(nn::Linear(1, 1)->name(), "torch::nn::LinearImpl");
  EXPECT_EQ(nn::Sequential()->name(), "torch::nn::SequentialImpl");
  EXPECT_EQ((torch_type_name<std::tuple<Tensor, int>>()), "std::tuple<torch::Tensor, int>");
  EXPECT_EQ(torch_type_name<mytg::Thing>(), "mytg::Thing");
  EXPECT_EQ(printed(nn::Sequential(nn::Linear(3, 4))),
            "torch::nn::Sequential(\n"
            "  (0): torch::nn::Linear(in_features=3, out_features=4, bias=true)\n"
            ")");
}

// A program may add its own names to torch::nn and use them next to tensorgrad's.
namespace torch::nn {
struct Doubler : Module {
  Tensor forward(const Tensor& x) { return x * 2; }
};
inline AnyValue wrapped(int v) { return AnyValue(v); }
}  // namespace torch::nn

TEST(TorchNamespace, AProgramMayAddToTorchNn) {
  torch::nn::Sequential seq(torch::nn::Linear(2, 2), torch::nn::Doubler());
  EXPECT_EQ(seq->size(), 2u);
  EXPECT_EQ(torch::nn::wrapped(3).get<int>(), 3);
  using namespace torch::nn;
  EXPECT_EQ(wrapped(4).get<int>(), 4);
  Linear fc(1, 1);
  EXPECT_EQ(fc->name(), "torch::nn::LinearImpl");
}
