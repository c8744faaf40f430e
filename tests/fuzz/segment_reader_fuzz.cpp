// Fuzz target for the segment reader (storage/segment/segment_reader.h): the
// input is written as a segment file, opened, and every block read. Invariants:
// a block that reads back matches its footer stats (row count, column names and
// types, every column as long as the time column), and read_columns of its
// first column agrees with it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "storage/segment/segment_reader.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tessera::fuzz::ScratchFile file("tessera_segment_fuzz");
  if (!file.write(data, size)) return 0;
  auto reader = tessera::storage::SegmentReader::open(file.path());
  if (!reader.is_ok()) return 0;
  TESSERA_FUZZ_CHECK((*reader)->size_bytes() == size);
  for (size_t i = 0; i < (*reader)->block_count(); ++i) {
    const tessera::storage::BlockStats& stats = (*reader)->block_stats(i);
    auto block = (*reader)->read_block(i);
    if (!block.is_ok()) {
      TESSERA_FUZZ_CHECK(!block.error().message.empty());
      continue;
    }
    TESSERA_FUZZ_CHECK(block->row_count() == stats.row_count);
    TESSERA_FUZZ_CHECK(block->column_names == stats.column_names);
    TESSERA_FUZZ_CHECK(block->columns.size() == stats.column_types.size());
    for (size_t c = 0; c < block->columns.size(); ++c) {
      const tessera::storage::Column& column = block->columns[c];
      TESSERA_FUZZ_CHECK(column.type == stats.column_types[c]);
      TESSERA_FUZZ_CHECK(column.size() == block->row_count());
      TESSERA_FUZZ_CHECK(column.valid.empty() || column.valid.size() == block->row_count());
      for (uint32_t code : column.codes) TESSERA_FUZZ_CHECK(code < column.dictionary.size());
    }
    if (!block->columns.empty()) {
      const std::vector<std::string> first = {block->column_names[0]};
      auto projected = (*reader)->read_columns(i, first);
      TESSERA_FUZZ_CHECK(projected.is_ok());
      TESSERA_FUZZ_CHECK(projected->time_ns == block->time_ns);
      TESSERA_FUZZ_CHECK(projected->column_names == first);
    }
  }
  return 0;
}
