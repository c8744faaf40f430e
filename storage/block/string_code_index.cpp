#include "storage/block/string_code_index.h"

#include <algorithm>
#include <functional>

namespace tessera::storage {
namespace {

uint64_t hash_of(std::string_view value) { return std::hash<std::string_view>{}(value); }
uint64_t top_bits(uint64_t hash) { return hash >> 32 << 32; }

}  // namespace

uint32_t StringCodeIndex::find_or_append(std::vector<std::string>& values, std::string_view value) {
  if (2 * (size_ + 1) > slots_.size()) grow(values);
  const uint64_t hash = hash_of(value);
  const uint64_t tag = top_bits(hash);
  const size_t mask = slots_.size() - 1;
  for (size_t i = static_cast<size_t>(hash) & mask;; i = (i + 1) & mask) {
    const uint64_t slot = slots_[i];
    if (slot == 0) {
      const auto code = static_cast<uint32_t>(values.size());
      values.emplace_back(value);
      slots_[i] = tag | (uint64_t{code} + 1);
      ++size_;
      return code;
    }
    if ((slot & ~uint64_t{0xffff'ffff}) == tag) {
      const auto code = static_cast<uint32_t>((slot & 0xffff'ffff) - 1);
      if (values[code] == value) return code;
    }
  }
}

void StringCodeIndex::grow(const std::vector<std::string>& values) {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(std::max<size_t>(16, 2 * old.size()), 0);
  const size_t mask = slots_.size() - 1;
  // Rehashed from the strings: a slot keeps only its hash's top bits.
  for (uint64_t slot : old) {
    if (slot == 0) continue;
    const uint64_t hash = hash_of(values[(slot & 0xffff'ffff) - 1]);
    size_t i = static_cast<size_t>(hash) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = top_bits(hash) | (slot & 0xffff'ffff);
  }
}

}  // namespace tessera::storage
