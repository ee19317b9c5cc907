#include "tensorgrad/demangle.h"

#include <cxxabi.h>

#include <cctype>
#include <cstdlib>

namespace tg {

std::string demangle(const char* name) {
  int status = 0;
  char* readable = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string result = status == 0 && readable ? readable : name;
  std::free(readable);
  return result;
}

std::string torch_type_name(const std::type_info& type) {
  const std::string name = demangle(type.name());
  // Every "tg::" that starts a qualified name (not the end of another name such as "mytg::").
  std::string out;
  out.reserve(name.size() + 8);
  for (size_t i = 0; i < name.size(); ++i) {
    const bool starts_name = i == 0 || !(std::isalnum(static_cast<unsigned char>(name[i - 1])) ||
                                         name[i - 1] == '_' || name[i - 1] == ':');
    if (starts_name && name.compare(i, 4, "tg::") == 0) {
      out += "torch::";
      i += 3;
    } else {
      out += name[i];
    }
  }
  return out;
}

}  // namespace tg
