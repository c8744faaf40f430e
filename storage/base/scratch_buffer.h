// Bytes a thread reuses from one chunk read to the next, so that reading and
// decompressing a chunk costs no allocation, zero-fill or fresh page faults: on
// a rollup that decodes every block those three took about a tenth of the time.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

namespace tessera::storage {

class ScratchBuffer {
 public:
  // At least `size` writable bytes, uninitialised; valid until the next get().
  // A buffer grown past kKeepBytes for one big chunk is released at the next
  // smaller request, so that one odd chunk does not pin its size per thread.
  std::span<char> get(size_t size) {
    if (size > capacity_ || (capacity_ > kKeepBytes && size <= kKeepBytes)) {
      const size_t capacity = size > kKeepBytes ? size : kKeepBytes;
      bytes_.reset();  // before allocating the new one: never both at once
      bytes_.reset(new char[capacity]);
      capacity_ = capacity;
    }
    return {bytes_.get(), size};
  }

  static constexpr size_t kKeepBytes = size_t{4} << 20;

 private:
  std::unique_ptr<char[]> bytes_;
  size_t capacity_ = 0;
};

}  // namespace tessera::storage
