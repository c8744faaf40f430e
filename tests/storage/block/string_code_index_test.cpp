// StringCodeIndex against a std::map of the same strings: codes are positions in the
// vector, found again for equal strings (however the table grew meanwhile), never
// for positions appended around it.
#include "storage/block/string_code_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace tessera::storage {
namespace {

TEST(StringCodeIndexTest, FindsEveryStringAtItsPositionThroughGrowth) {
  std::mt19937_64 rng(7);
  std::vector<std::string> values;
  StringCodeIndex index;
  std::map<std::string, uint32_t> expected;
  for (int i = 0; i < 20000; ++i) {
    // Short and long strings (past the small-string buffer), many repeats, and the
    // empty string; some share a length and a prefix.
    std::string value = std::to_string(rng() % 3000);
    if (rng() % 4 == 0) value = std::string(20, 'x') + value;
    if (rng() % 500 == 0) value.clear();
    auto [it, is_new] = expected.try_emplace(value, static_cast<uint32_t>(values.size()));
    const uint32_t code = index.find_or_append(values, value);
    ASSERT_EQ(code, it->second) << value;
    ASSERT_EQ(values.size(), expected.size()) << (is_new ? "new" : "repeat");
    ASSERT_EQ(values[code], value);
  }
  EXPECT_EQ(values.size(), expected.size());
}

TEST(StringCodeIndexTest, PositionsAppendedOutsideTheIndexAreNeverFound) {
  std::vector<std::string> values;
  StringCodeIndex index;
  values.emplace_back();  // a NULL placeholder, as BlockBuilder::pad_to adds
  EXPECT_EQ(index.find_or_append(values, "a"), 1u);
  EXPECT_EQ(index.find_or_append(values, ""), 2u);  // a value, not the placeholder
  for (int i = 0; i < 100; ++i) index.find_or_append(values, "v" + std::to_string(i));
  EXPECT_EQ(index.find_or_append(values, ""), 2u);  // still found after growing
  EXPECT_EQ(index.find_or_append(values, "a"), 1u);
  EXPECT_EQ(values.size(), 103u);
}

}  // namespace
}  // namespace tessera::storage
