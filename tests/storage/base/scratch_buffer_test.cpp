#include "storage/base/scratch_buffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace tessera::storage {
namespace {

// Every byte of every span handed out is written and read back; under
// AddressSanitizer a span larger than its allocation fails here.
TEST(ScratchBufferTest, HandsOutWritableSpansOfTheAskedSizeAsItGrowsAndShrinks) {
  constexpr size_t keep = ScratchBuffer::kKeepBytes;
  ScratchBuffer buffer;
  const std::vector<size_t> sizes = {0, 1, 100, keep, keep + 1, 10, 3 * keep, keep, 7, 0};
  for (size_t i = 0; i < sizes.size(); ++i) {
    const std::span<char> span = buffer.get(sizes[i]);
    ASSERT_EQ(span.size(), sizes[i]);
    if (span.empty()) continue;
    const char fill = static_cast<char>('a' + i);
    std::memset(span.data(), fill, span.size());
    EXPECT_EQ(span.front(), fill);
    EXPECT_EQ(span.back(), fill);
  }
}

TEST(ScratchBufferTest, KeepsItsBytesForRequestsThatFit) {
  ScratchBuffer buffer;
  const std::span<char> first = buffer.get(1000);
  first[999] = 'z';
  const std::span<char> second = buffer.get(1000);
  EXPECT_EQ(second.data(), first.data());
  EXPECT_EQ(second[999], 'z');
  EXPECT_EQ(buffer.get(10).data(), first.data());
}

}  // namespace
}  // namespace tessera::storage
