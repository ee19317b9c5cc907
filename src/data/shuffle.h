#pragma once
// Seeded shuffles that give the same order with every standard library and on every machine:
// std::shuffle and std::uniform_int_distribution are left to each library, so a seeded order
// made with them would change between platforms.
#include <cstdint>
#include <initializer_list>
#include <random>
#include <utility>
#include <vector>

namespace tg::data::detail {

/// A uniform integer in [0, bound) from a 64-bit engine, without the modulo bias.
inline uint64_t uniform_below(std::mt19937_64& engine, uint64_t bound) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t x;
  do {
    x = engine();
  } while (x >= limit);
  return x % bound;
}

/// Shuffles `values` (Fisher-Yates) with a std::mt19937_64 seeded from the 64-bit `seeds`.
template <class T>
void seeded_shuffle(std::vector<T>& values, std::initializer_list<uint64_t> seeds) {
  std::vector<uint32_t> words;
  for (const uint64_t s : seeds) {
    words.push_back(static_cast<uint32_t>(s));
    words.push_back(static_cast<uint32_t>(s >> 32));
  }
  std::seed_seq seq(words.begin(), words.end());
  std::mt19937_64 engine(seq);
  for (size_t i = values.size(); i > 1; --i) {
    const auto j = static_cast<size_t>(uniform_below(engine, i));
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace tg::data::detail
