// `tessera inspect DIR`: what a data directory stores — per table its partitions,
// segments, blocks and rows, and per column the encoding, values, NULLs, stored
// bytes, bytes per row, bits per value and compression against raw values (8 bytes
// per value, 4 per dictionary code).
#include <cstdio>
#include <string>

#include "engine/data_dir_inspector.h"
#include "server/cli/commands.h"
#include "server/cli/table_printer.h"

namespace tessera::server {

namespace {

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

void print_table(const engine::TableStorage& table) {
  std::printf("table %s: %llu rows, %llu partitions, %llu segments, %llu blocks, %llu bytes",
              table.name.c_str(), static_cast<unsigned long long>(table.rows),
              static_cast<unsigned long long>(table.partitions),
              static_cast<unsigned long long>(table.segments),
              static_cast<unsigned long long>(table.blocks),
              static_cast<unsigned long long>(table.segment_bytes));
  if (table.rows > 0) {
    std::printf(" (%s B/row)",
                fixed(static_cast<double>(table.segment_bytes) / table.rows, 2).c_str());
  }
  std::printf("\n");
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (const engine::ColumnStorage& c : table.columns) {
    auto ratio = c.stored_bytes == 0
                     ? std::optional<std::string>()
                     : fixed(static_cast<double>(c.baseline_bytes) / c.stored_bytes, 2);
    auto per_row = table.rows == 0 ? std::optional<std::string>()
                                   : fixed(static_cast<double>(c.stored_bytes) / table.rows, 3);
    auto bits = c.values == 0 ? std::optional<std::string>()
                              : fixed(8.0 * static_cast<double>(c.stored_bytes) / c.values, 2);
    rows.push_back({c.name, c.type, c.encoding, c.vector_encodings, std::to_string(c.values),
                    std::to_string(c.null_values), std::to_string(c.stored_bytes), per_row, bits,
                    ratio});
  }
  std::fputs(format_table({"column", "type", "chunks", "vectors", "values", "nulls", "bytes",
                           "B/row", "bits/value", "ratio vs raw"},
                          rows)
                 .c_str(),
             stdout);
  std::printf("\n");
}

}  // namespace

int run_inspect_command(const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0] == "--help") {
    std::fputs(
        "usage: tessera inspect DIR\n"
        "Shows what a data directory stores: tables, partitions, segments, blocks, and per\n"
        "column the chunk and vector encodings (with counts), bytes, bytes per row, bits per\n"
        "value and the ratio against raw values (8 bytes each, 4 per string code). Rows still\n"
        "only in the write-ahead log (not yet flushed) are counted in its size, not per table.\n",
        args.size() == 1 ? stdout : stderr);
    return args.size() == 1 ? 0 : 2;
  }
  auto report = engine::inspect_data_dir(args[0]);
  if (!report) {
    std::fprintf(stderr, "tessera inspect: %s\n", report.error().message.c_str());
    return 1;
  }
  for (const engine::TableStorage& table : report->tables) print_table(table);
  std::printf("write-ahead log: %llu files, %llu bytes\n",
              static_cast<unsigned long long>(report->wal_files),
              static_cast<unsigned long long>(report->wal_bytes));
  for (const std::string& problem : report->problems) std::printf("PROBLEM: %s\n", problem.c_str());
  return report->problems.empty() ? 0 : 1;
}

}  // namespace tessera::server
