// StringCodeIndex: finds a string's position (its code) in a vector of distinct
// strings owned elsewhere: a column's dictionary, a query's group-wide tag names.
// Open addressing over (top 32 bits of the hash, code + 1), probed linearly: no
// node to allocate or chase, and a string compared only when those bits match.
// Positions of the vector not added through the index (a NULL placeholder) are
// never found.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::storage {

class StringCodeIndex {
 public:
  // The code of `value` in `values`, appending it there (and indexing it) the first
  // time. Requires: `values` changed since the last call only by appends made here
  // or positions never indexed.
  uint32_t find_or_append(std::vector<std::string>& values, std::string_view value);

 private:
  void grow(const std::vector<std::string>& values);

  size_t size_ = 0;  // codes indexed
  // Power-of-two table, at most half full; 0 marks an empty slot.
  std::vector<uint64_t> slots_;
};

}  // namespace tessera::storage
