// LineBlockSource: hands out the lines of a list of line-protocol files in
// blocks of up to N lines, to any number of ingest connections (thread-safe),
// so the connections together send every line once (or, looping, again and
// again, each pass's timestamps shifted as a PassShift says).
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "server/loadgen/pass_time_shift.h"
#include "storage/base/status.h"

namespace tessera::loadgen {

// A line longer than this is an error: the server's default limit is 1 MiB.
inline constexpr size_t kMaxSourceLineBytes = size_t{1} << 20;

class LineBlockSource {
 public:
  // Requires: lines_per_block >= 1. With `loop`, the files start over after
  // the last one instead of running dry. `shift` moves each pass's timestamps
  // (pass_time_shift.h); the default sends the files' own.
  LineBlockSource(std::vector<std::filesystem::path> files, uint64_t lines_per_block, bool loop,
                  PassShift shift = {});

  // Replaces `out` with the next block (whole lines, each ending in '\n';
  // blank lines and '#' lines are skipped) and returns its line count: 0 when
  // every file was sent and `loop` is off. Errors: kIoError (unreadable file),
  // kLimitExceeded (a line over kMaxSourceLineBytes), kInvalidInput (looping
  // over files without a line), and append_shifted_line's.
  Result<uint64_t> next_block(std::string& out);

 private:
  Status fill();  // reads more of the current file into buffer_

  std::mutex mu_;
  std::vector<std::filesystem::path> files_;
  uint64_t lines_per_block_;
  bool loop_;
  size_t file_index_ = 0;
  std::ifstream in_;
  bool is_open_ = false;
  std::string buffer_;
  size_t pos_ = 0;
  uint64_t lines_this_pass_ = 0;
  PassShift shift_;
  uint64_t pass_ = 0;      // passes completed
  int64_t offset_ns_ = 0;  // added to the timestamps of this pass
};

}  // namespace tessera::loadgen
