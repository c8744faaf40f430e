// Engine payload = type (1 byte) | body. See docs/format/wal.md.
#include "engine/wal_record.h"

namespace tessera::engine {

std::string encode_wal_record(WalRecordType type, std::string_view body) {
  std::string payload;
  payload.reserve(body.size() + 1);
  payload.push_back(static_cast<char>(type));
  payload.append(body);
  return payload;
}

Result<WalRecord> decode_wal_record(std::string_view payload) {
  if (payload.empty()) return make_error(ErrorCode::kCorruption, "empty log payload");
  auto type = static_cast<WalRecordType>(static_cast<uint8_t>(payload[0]));
  if (type != WalRecordType::kLines && type != WalRecordType::kCreateTable) {
    return make_error(ErrorCode::kCorruption, "unknown log payload type " +
                                                  std::to_string(static_cast<uint8_t>(payload[0])));
  }
  return WalRecord{type, payload.substr(1)};
}

}  // namespace tessera::engine
