// Test blocks for segment tests and a bit-exact comparison that renders
// differences readably.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "storage/block/column.h"

namespace tessera::storage::testing {

inline Column int_column(std::vector<int64_t> values, std::vector<uint8_t> valid = {}) {
  Column c;
  c.type = ColumnType::kInt64;
  c.ints = std::move(values);
  c.valid = std::move(valid);
  return c;
}

inline Column float_column(std::vector<double> values, std::vector<uint8_t> valid = {}) {
  Column c;
  c.type = ColumnType::kFloat64;
  c.floats = std::move(values);
  c.valid = std::move(valid);
  return c;
}

inline Column bool_column(std::vector<uint8_t> values, std::vector<uint8_t> valid = {}) {
  Column c;
  c.type = ColumnType::kBool;
  c.bools = std::move(values);
  c.valid = std::move(valid);
  return c;
}

inline Column string_column(std::vector<std::string> dictionary, std::vector<uint32_t> codes,
                            std::vector<uint8_t> valid = {}) {
  Column c;
  c.type = ColumnType::kString;
  c.dictionary = std::move(dictionary);
  c.codes = std::move(codes);
  c.valid = std::move(valid);
  return c;
}

// Edge cases: extreme ints, NaN, ±inf, -0.0, empty and binary strings, NULLs;
// a second block lacking most columns and adding another; an all-NULL column.
inline std::vector<Block> edge_case_blocks() {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<Block> blocks(3);
  blocks[0].time_ns = {42, kMin, kMax, 0, -1};
  blocks[0].column_names = {"i", "f", "b", "s", "all_null"};
  blocks[0].columns = {
      int_column({kMin, kMax, 0, 0, -7}, {1, 1, 1, 0, 1}),
      float_column({nan, inf, -inf, -0.0, 0.0}, {1, 1, 1, 1, 0}),
      bool_column({1, 0, 1, 0, 1}, {1, 1, 1, 0, 1}),
      string_column({"", "host-a", "zeta", std::string("\xff\0bin", 5)}, {1, 0, 3, 2, 0},
                    {1, 1, 1, 1, 0}),
      float_column({0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}),
  };
  blocks[1].time_ns = {7};
  blocks[1].column_names = {"t", "i"};
  blocks[1].columns = {string_column({"only"}, {0}), int_column({-1})};
  // 19 rows: a bitmap whose last byte is partly padding.
  for (int64_t row = 0; row < 19; ++row) blocks[2].time_ns.push_back(1000 - row);
  blocks[2].column_names = {"f"};
  std::vector<double> floats;
  std::vector<uint8_t> valid;
  for (int row = 0; row < 19; ++row) {
    floats.push_back(row % 3 == 0 ? 0.0 : row * -0.25);
    valid.push_back(row % 3 == 0 ? 0 : 1);
  }
  blocks[2].columns = {float_column(floats, valid)};
  return blocks;
}

// `count` blocks of random sizes and random subsets of columns.
inline std::vector<Block> random_blocks(uint32_t seed, int count, int max_rows) {
  std::mt19937_64 rng(seed);
  std::vector<Block> blocks;
  for (int b = 0; b < count; ++b) {
    Block block;
    const size_t rows = 1 + rng() % static_cast<uint64_t>(max_rows);
    for (size_t row = 0; row < rows; ++row) block.time_ns.push_back(static_cast<int64_t>(rng()));
    const bool with_nulls = rng() % 2 == 0;
    auto validity = [&] {
      std::vector<uint8_t> valid;
      if (with_nulls) {
        for (size_t row = 0; row < rows; ++row) valid.push_back(rng() % 4 != 0);
      }
      return valid;
    };
    if (rng() % 4 != 0) {
      std::vector<int64_t> ints;
      for (size_t row = 0; row < rows; ++row)
        ints.push_back(static_cast<int64_t>(rng()) >> (rng() % 64));
      block.column_names.push_back("ints");
      block.columns.push_back(int_column(ints, validity()));
    }
    if (rng() % 4 != 0) {
      std::vector<double> floats;
      for (size_t row = 0; row < rows; ++row) {
        uint64_t bits = rng();
        double v;
        std::memcpy(&v, &bits, 8);  // any bit pattern, NaN payloads included
        floats.push_back(rng() % 2 ? v : static_cast<double>(rng() % 1000) / 8);
      }
      block.column_names.push_back("floats");
      block.columns.push_back(float_column(floats, validity()));
    }
    if (rng() % 4 != 0) {
      std::vector<uint8_t> bools;
      for (size_t row = 0; row < rows; ++row) bools.push_back(rng() % 2);
      block.column_names.push_back("bools");
      block.columns.push_back(bool_column(bools, validity()));
    }
    if (rng() % 4 != 0) {
      std::vector<std::string> dictionary(1 + rng() % 20);
      for (std::string& entry : dictionary) {
        entry.resize(rng() % 12);
        for (char& ch : entry) ch = static_cast<char>(rng());
      }
      std::vector<uint32_t> codes;
      for (size_t row = 0; row < rows; ++row)
        codes.push_back(static_cast<uint32_t>(rng() % dictionary.size()));
      block.column_names.push_back("strings");
      block.columns.push_back(string_column(dictionary, codes, validity()));
    }
    blocks.push_back(std::move(block));
  }
  return blocks;
}

inline uint64_t bits_of(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  return bits;
}

// A compact rendering of everything a block means, floats as bit patterns and
// validity as per-row flags (an empty `valid` and an all-ones one are equal).
inline std::string render(const Block& block) {
  std::ostringstream out;
  out << "time";
  for (int64_t t : block.time_ns) out << ' ' << t;
  for (size_t c = 0; c < block.columns.size(); ++c) {
    const Column& column = block.columns[c];
    out << "\n" << block.column_names[c] << ':' << column_type_name(column.type);
    for (size_t row = 0; row < column.size(); ++row) {
      out << ' ' << (column.is_valid(row) ? "" : "null/");
      switch (column.type) {
        case ColumnType::kInt64:
          out << column.ints[row];
          break;
        case ColumnType::kFloat64:
          out << std::hex << bits_of(column.floats[row]) << std::dec;
          break;
        case ColumnType::kBool:
          out << int{column.bools[row]};
          break;
        case ColumnType::kString:
          out << column.codes[row];
          break;
      }
    }
    if (column.type == ColumnType::kString) {
      out << " dict";
      for (const std::string& entry : column.dictionary)
        out << " [" << ::testing::PrintToString(entry) << ']';
    }
  }
  return out.str();
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace tessera::storage::testing
