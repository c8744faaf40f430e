// SeriesHashSet: a set of 64-bit series hashes (engine/cardinality_guard.h), kept in
// one array with open addressing and linear probing. The hashes are well mixed
// already, so their low bits pick the slot. Against std::unordered_set it needs no
// node per hash (8 bytes a slot, at most half the slots used: 16-32 bytes a series
// instead of about 40) and a lookup reads one cache line instead of following a list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tessera::engine {

class SeriesHashSet {
 public:
  bool contains(uint64_t hash) const;
  // Adds `hash`; false when it was there already.
  bool insert(uint64_t hash);
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Calls f(hash) for every hash in the set, in no particular order.
  template <typename F>
  void for_each(F&& f) const {
    if (has_zero_) f(uint64_t{0});
    for (uint64_t slot : slots_) {
      if (slot != kEmpty) f(slot);
    }
  }

 private:
  // An empty slot; the hash 0 itself is kept aside in has_zero_.
  static constexpr uint64_t kEmpty = 0;
  void grow();

  std::vector<uint64_t> slots_;  // size 0 or a power of two
  size_t size_ = 0;
  bool has_zero_ = false;
};

}  // namespace tessera::engine
