// OpenAddressingMap: a hash map kept in one array of (key, value) slots, with linear
// probing, for small trivially copyable keys and values. A value the caller never
// stores (`empty`) marks a free slot. Against std::unordered_map it allocates once per
// growth instead of once per entry, a lookup reads one cache line instead of
// following a list, and freeing it frees one array: the read-time dedup index
// (engine/dedup.h) inserts and probes a few hundred thousand keys per partition,
// and the block cache (engine/block_cache.h) looks up every column a query reads.
// erase() shifts the rest of the probe run back instead of leaving a tombstone, so a
// map that churns (the cache evicts as it inserts) never fills up with them.
#pragma once

#include <bit>
#include <cstddef>
#include <utility>
#include <vector>

namespace tessera::engine {

template <typename Key, typename Value, typename Hash>
class OpenAddressingMap {
 public:
  explicit OpenAddressingMap(Value empty) : empty_(empty) {}

  size_t size() const { return size_; }

  // Room for `count` entries without growing.
  void reserve(size_t count) {
    if (count > capacity_limit()) rehash(std::bit_ceil(2 * count));
  }

  // Starts loading the slot where a lookup of `key` begins. A loop over many keys
  // in a map larger than the caches hides most of each lookup's memory latency by
  // prefetching a few keys ahead, as long as the map does not grow meanwhile.
  // Always inlined: GCC 12 finds a function whose only effect is a prefetch free of
  // side effects, and drops the calls to it.
  [[gnu::always_inline]] void prefetch(const Key& key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home_of(key)]);
  }

  // The value stored for `key`, or nullptr.
  const Value* find(const Key& key) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = home_of(key);; i = (i + 1) & mask()) {
      const Slot& slot = slots_[i];
      if (slot.value == empty_) return nullptr;
      if (slot.key == key) return &slot.value;
    }
  }
  Value* find(const Key& key) { return const_cast<Value*>(std::as_const(*this).find(key)); }

  // The value stored for `key` and false, or `value` stored for it and true.
  // Requires: value != empty.
  std::pair<Value*, bool> try_emplace(const Key& key, Value value) {
    if (size_ + 1 > capacity_limit()) rehash(slots_.empty() ? 16 : 2 * slots_.size());
    for (size_t i = home_of(key);; i = (i + 1) & mask()) {
      Slot& slot = slots_[i];
      if (slot.value == empty_) {
        slot = {key, value};
        ++size_;
        return {&slot.value, true};
      }
      if (slot.key == key) return {&slot.value, false};
    }
  }

  // Removes `key`; false when it was not stored. Pointers from find() and
  // try_emplace() may then point at another key's value.
  bool erase(const Key& key) {
    if (slots_.empty()) return false;
    size_t hole = home_of(key);
    for (;; hole = (hole + 1) & mask()) {
      if (slots_[hole].value == empty_) return false;
      if (slots_[hole].key == key) break;
    }
    // A later slot of the same run moves into the hole when the hole lies between
    // its home and itself: a lookup of its key then still reaches it before a free
    // slot. The run ends at the first free slot.
    for (size_t i = (hole + 1) & mask(); !(slots_[i].value == empty_); i = (i + 1) & mask()) {
      if (((i - home_of(slots_[i].key)) & mask()) >= ((i - hole) & mask())) {
        slots_[hole] = slots_[i];
        hole = i;
      }
    }
    slots_[hole] = Slot{Key{}, empty_};
    --size_;
    return true;
  }

 private:
  struct Slot {
    Key key;
    Value value;
  };
  size_t mask() const { return slots_.size() - 1; }
  size_t home_of(const Key& key) const { return Hash{}(key)&mask(); }
  // At most half the slots are used, which keeps probe runs short.
  size_t capacity_limit() const { return slots_.size() / 2; }

  void rehash(size_t slot_count) {
    std::vector<Slot> old(slot_count, Slot{Key{}, empty_});
    old.swap(slots_);
    for (const Slot& slot : old) {
      if (slot.value == empty_) continue;
      size_t i = home_of(slot.key);
      while (!(slots_[i].value == empty_)) i = (i + 1) & mask();
      slots_[i] = slot;
    }
  }

  Value empty_;
  std::vector<Slot> slots_;  // size 0 or a power of two
  size_t size_ = 0;
};

}  // namespace tessera::engine
