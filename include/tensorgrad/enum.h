#pragma once
/// The tag types libtorch's options take as enums (torch::kMean, torch::kReLU, torch::kZeros...):
/// each is an empty struct tg::enumtype::kName with a value tg::kName, and an option that accepts
/// several holds a std::variant of them. get_enum_name(v) gives "kName".
#include <string>
#include <type_traits>
#include <variant>

// clang-format off
#define TG_ENUM_TYPES(X)                                                                         \
  X(Linear) X(Conv1D) X(Conv2D) X(Conv3D) X(ConvTranspose1D) X(ConvTranspose2D)                  \
  X(ConvTranspose3D) X(Sigmoid) X(Tanh) X(ReLU) X(GELU) X(SiLU) X(Mish) X(LeakyReLU) X(FanIn)    \
  X(FanOut) X(Constant) X(Reflect) X(Replicate) X(Circular) X(Nearest) X(NearestExact)           \
  X(Bilinear) X(Bicubic) X(Trilinear) X(Area) X(Sum) X(Mean) X(Max) X(None) X(BatchMean)         \
  X(Zeros) X(Border) X(Reflection) X(RNN_TANH) X(RNN_RELU) X(LSTM) X(GRU) X(Valid) X(Same)
// clang-format on

namespace tg {

namespace enumtype {
#define TG_ENUM_TYPE(Name)                         \
  struct k##Name {                                 \
    static constexpr const char* name = "k" #Name; \
  };
TG_ENUM_TYPES(TG_ENUM_TYPE)
#undef TG_ENUM_TYPE

/// "kName" for a tag, or for the tag a variant of enum tags holds.
template <class Tag, class = decltype(Tag::name)>
std::string get_enum_name(const Tag&) {
  return Tag::name;
}
template <class... Tags>
std::string get_enum_name(const std::variant<Tags...>& v) {
  return std::visit([](const auto& tag) { return std::string(std::decay_t<decltype(tag)>::name); },
                    v);
}
}  // namespace enumtype

#define TG_ENUM_VALUE(Name) inline constexpr enumtype::k##Name k##Name{};
TG_ENUM_TYPES(TG_ENUM_VALUE)
#undef TG_ENUM_VALUE

}  // namespace tg
