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

}  // namespace tg
