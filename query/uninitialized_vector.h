// Internal to query/. A std::vector whose resize() leaves new elements of a trivial
// type uninitialized, for buffers that are written right after they grow (the values
// an exact percentile gathers: every row's value is stored, then the end is cut back
// to the rows that count). A plain vector would zero each element first.
#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace tessera::query::detail {

template <typename T>
class DefaultInitAllocator : public std::allocator<T> {
 public:
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}

  // resize() and the size constructor value-initialize through construct(p): this
  // default-initializes instead, which for trivial types writes nothing.
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    std::construct_at(p, std::forward<Args>(args)...);
  }
};

template <typename T>
using UninitializedVector = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace tessera::query::detail
