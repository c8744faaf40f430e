// The engine's write-ahead-log payloads (inside storage/wal records): a batch of
// accepted lines as canonical line protocol, or a table declaration.
// Layout: docs/format/wal.md ("Engine payloads").
#pragma once

#include <string>
#include <string_view>

#include "engine/table_schema.h"
#include "storage/base/status.h"

namespace tessera::engine {

enum class WalRecordType : uint8_t {
  kLines = 1,        // accepted lines, '\n'-terminated, nanosecond timestamps always present
  kCreateTable = 2,  // encode_schema() text
};

struct WalRecord {
  WalRecordType type;
  std::string_view body;  // a view into the payload passed to decode_wal_record
};

std::string encode_wal_record(WalRecordType type, std::string_view body);
// kCorruption on an empty payload or an unknown type.
Result<WalRecord> decode_wal_record(std::string_view payload);

}  // namespace tessera::engine
