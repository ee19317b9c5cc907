#pragma once
/// Readable C++ type names, as c10::demangle.
#include <string>
#include <typeinfo>

namespace tg {

/// The readable form of a mangled name ("tg::nn::LinearImpl"); the name itself if it is not one.
std::string demangle(const char* name);

/// The readable name of type T.
template <class T>
std::string demangle_type() {
  return demangle(typeid(T).name());
}

/// The readable name of a type as libtorch's users see it: demangled, with tensorgrad's namespace
/// written as `torch` ("torch::nn::LinearImpl", "std::tuple<torch::Tensor, int>"), the name the
/// type has under <tensorgrad/torch.h>. Modules are named and print this way, as libtorch's do.
std::string torch_type_name(const std::type_info& type);
template <class T>
std::string torch_type_name() {
  return torch_type_name(typeid(T));
}

}  // namespace tg
