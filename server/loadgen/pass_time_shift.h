// Moving a looped pass's timestamps forward, so that sending the same files again
// appends new rows (as production agents do, pushing the next snapshots) instead of
// restating every stored row of a dedup table.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/base/status.h"

namespace tessera::loadgen {

inline constexpr int64_t kNanosPerDay = int64_t{86'400} * 1'000'000'000;

// How each pass over the files times its rows: pass p (counted from 0) adds
// (first_pass + p) * span_ns to every timestamp. span_ns == 0 sends every pass with
// the files' own timestamps.
struct PassShift {
  int64_t span_ns = 0;
  uint64_t first_pass = 0;  // 1: the server already holds pass 0 (the files as loaded)
};

// The files' time span, from the smallest to the largest line timestamp plus one
// nanosecond, rounded up to whole days: a pass shifted by it starts after the last
// row of the one before and keeps the files' time of day, so rows land on the same
// grid (15-minute snapshots stay on the quarter hour) and in as many daily partitions.
// Reads every file once; lines without a timestamp are not counted. Errors:
// kIoError (unreadable file), kInvalidInput (no line with a timestamp).
Result<int64_t> files_time_span_ns(const std::vector<std::filesystem::path>& files);

// The timestamp of a line-protocol line (without its '\n'): the last
// space-separated token when it is an integer (nanoseconds: the load tool skips
// '#precision' lines, so the server reads them with its default precision).
// Nullopt when the line has none (the server then gives it the time of arrival).
std::optional<int64_t> line_timestamp_ns(std::string_view line);

// Appends `line` (without its '\n') to `out`, its timestamp plus `offset_ns`, then
// '\n'. A line without a timestamp is appended unchanged. kLimitExceeded when the
// shifted time does not fit in int64 nanoseconds.
Status append_shifted_line(std::string_view line, int64_t offset_ns, std::string& out);

}  // namespace tessera::loadgen
