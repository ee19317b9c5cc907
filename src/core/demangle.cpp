#include "tensorgrad/demangle.h"

#include <cxxabi.h>

#include <cstdlib>

namespace tg {

std::string demangle(const char* name) {
  int status = 0;
  char* readable = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string result = status == 0 && readable ? readable : name;
  std::free(readable);
  return result;
}

}  // namespace tg
