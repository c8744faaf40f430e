// Latest-write-wins deduplication at read time: which rows of a partition's blocks
// a later write of the same key (dedup tags + time) replaced.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "storage/base/status.h"
#include "storage/block/column.h"

namespace tessera::engine {

using LiveRows = std::shared_ptr<const std::vector<uint8_t>>;

// `blocks` are one partition's blocks in write order. Returns one mask per block
// (live_rows[i] == 0 when a later row has the same key), or null for a block whose
// rows all survive. A row lacking a key tag has NULL there; NULLs compare equal.
std::vector<LiveRows> compute_live_rows(const std::vector<std::shared_ptr<const storage::Block>>& blocks,
                                        const std::vector<std::string>& key_columns);

}  // namespace tessera::engine
