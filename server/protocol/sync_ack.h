// SyncAck: what an ingest connection owes its client at the next `#sync`
// (docs/protocol/ingest.md, "Acknowledgements"):
//   err <line> <reason>\n                          one per rejected line, at most 100
//   err - <k> more rejected lines omitted\n        when more than 100 were rejected
//   ok <id> accepted=<n> rejected=<m>\n            counts since the previous sync
// Pure: the session feeds it results and writes take_reply() to the socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::server {

class SyncAck {
 public:
  static constexpr size_t kMaxErrLinesPerSync = 100;

  void add_accepted(uint64_t count) { accepted_ += count; }
  // Keeps the first kMaxErrLinesPerSync reasons (flattened to one line); counts all.
  void add_rejected(uint64_t line_number, std::string_view reason);

  uint64_t accepted() const { return accepted_; }
  uint64_t rejected() const { return rejected_; }

  // The reply for `#sync <id>`; resets the counts for the next sync.
  std::string take_reply(std::string_view id);
  // When the sync itself failed: the err lines, then `err - <reason>` instead of
  // the ok line (nothing since the previous ok is acknowledged). Resets the counts.
  std::string take_failed_reply(std::string_view reason);

 private:
  uint64_t accepted_ = 0;
  uint64_t rejected_ = 0;
  std::string err_lines_;  // at most kMaxErrLinesPerSync lines
};

}  // namespace tessera::server
