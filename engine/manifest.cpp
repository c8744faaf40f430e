// Manifest text format (docs/format/manifest.md):
//
//   tessera-manifest 1
//   wal_start <n>
//   next_file <n>
//   table <name> <tenant column | -> <partition_ns> <retention_ns | -> <dedup column>...
//   column <name> <kind: 0 time, 1 tag, 2 field> <storage::ColumnType id>   (of the table above)
//   segment <table> <partition_start_ns> <file name> [sorted]
//   crc <crc32c of every byte before this line, 8 hex digits>
//
// Tokens are separated by one space; bytes outside '!'..'~' and '%' are written %XX,
// so names with spaces, commas or newlines survive.
#include "engine/manifest.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "storage/base/crc32c.h"

namespace tessera::engine {

namespace {

constexpr std::string_view kMagicLine = "tessera-manifest 1";

std::string escape(std::string_view token) {
  std::string out;
  if (token.empty()) return "%";  // a lone '%' stands for the empty string
  for (unsigned char c : token) {
    if (c > ' ' && c <= '~' && c != '%') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

Result<std::string> unescape(std::string_view token) {
  if (token == "%") return std::string();
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] != '%') {
      out.push_back(token[i]);
      continue;
    }
    unsigned value = 0;
    if (token.size() - i < 3) {
      return make_error(ErrorCode::kCorruption, "bad escape in \"" + std::string(token) + "\"");
    }
    auto [ptr, ec] = std::from_chars(token.data() + i + 1, token.data() + i + 3, value, 16);
    if (ec != std::errc() || ptr != token.data() + i + 3) {
      return make_error(ErrorCode::kCorruption, "bad escape in \"" + std::string(token) + "\"");
    }
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

std::vector<std::string_view> split_tokens(std::string_view line) {
  std::vector<std::string_view> tokens;
  size_t start = 0;
  while (start <= line.size()) {
    size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    tokens.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return tokens;
}

template <typename T>
Result<T> parse_number(std::string_view token, std::string_view what) {
  T value{};
  auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || ptr != token.data() + token.size()) {
    return make_error(ErrorCode::kCorruption,
                      "bad " + std::string(what) + " \"" + std::string(token) + "\"");
  }
  return value;
}

// Appends `token` to `line`, one space after the previous token.
void put(std::string& line, std::string_view token) {
  if (!line.empty() && line.back() != '\n') line.push_back(' ');
  line.append(token);
}

void append_schema(std::string& out, const TableSchema& schema) {
  const TableOptions& o = schema.options;
  put(out, "table");
  put(out, escape(schema.name));
  put(out, o.tenant_column ? escape(*o.tenant_column) : "-");
  put(out, std::to_string(o.partition_ns));
  put(out, o.retention_ns ? std::to_string(*o.retention_ns) : "-");
  for (const std::string& column : o.dedup_columns) put(out, escape(column));
  out.push_back('\n');
  for (const ColumnDef& column : schema.columns) {
    put(out, "column");
    put(out, escape(column.name));
    put(out, std::to_string(static_cast<int>(column.kind)));
    put(out, std::to_string(static_cast<int>(column.type)));
    out.push_back('\n');
  }
}

Result<TableSchema> decode_table_line(const std::vector<std::string_view>& t) {
  if (t.size() < 5) return make_error(ErrorCode::kCorruption, "table line has too few fields");
  TableSchema schema;
  TESSERA_ASSIGN_OR_RETURN(schema.name, unescape(t[1]));
  if (t[2] == "-") {
    schema.options.tenant_column.reset();
  } else {
    TESSERA_ASSIGN_OR_RETURN(schema.options.tenant_column, unescape(t[2]));
  }
  TESSERA_ASSIGN_OR_RETURN(schema.options.partition_ns, parse_number<int64_t>(t[3], "partition"));
  if (schema.options.partition_ns <= 0) {
    return make_error(ErrorCode::kCorruption, "partition interval must be positive");
  }
  if (t[4] != "-") {
    TESSERA_ASSIGN_OR_RETURN(schema.options.retention_ns, parse_number<int64_t>(t[4], "retention"));
  }
  for (size_t i = 5; i < t.size(); ++i) {
    TESSERA_ASSIGN_OR_RETURN(auto column, unescape(t[i]));
    schema.options.dedup_columns.push_back(std::move(column));
  }
  return schema;
}

Result<ColumnDef> decode_column_line(const std::vector<std::string_view>& t) {
  if (t.size() != 4) return make_error(ErrorCode::kCorruption, "column line needs 4 fields");
  ColumnDef def;
  TESSERA_ASSIGN_OR_RETURN(def.name, unescape(t[1]));
  TESSERA_ASSIGN_OR_RETURN(int kind, parse_number<int>(t[2], "column kind"));
  TESSERA_ASSIGN_OR_RETURN(int type, parse_number<int>(t[3], "column type"));
  if (kind < 0 || kind > 2 || type < 1 || type > 4) {
    return make_error(ErrorCode::kCorruption, "column kind or type out of range");
  }
  def.kind = static_cast<ColumnKind>(kind);
  def.type = static_cast<storage::ColumnType>(type);
  return def;
}

// Calls `on_line(tokens)` for each line of `text`, prefixing errors with the line number.
template <typename F>
Status for_each_line(std::string_view text, F&& on_line) {
  size_t line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      return make_error(ErrorCode::kCorruption,
                        "line " + std::to_string(line_number + 1) + ": missing final newline");
    }
    ++line_number;
    Status status = on_line(split_tokens(text.substr(start, end - start)));
    if (!status.is_ok()) {
      return make_error(ErrorCode::kCorruption,
                        "line " + std::to_string(line_number) + ": " + status.message());
    }
    start = end + 1;
  }
  return Status::ok();
}

}  // namespace

std::string encode_schema(const TableSchema& schema) {
  std::string out;
  append_schema(out, schema);
  return out;
}

Result<TableSchema> decode_schema(std::string_view text) {
  std::optional<TableSchema> schema;
  Status status = for_each_line(text, [&](const std::vector<std::string_view>& t) -> Status {
    if (t[0] == "table" && !schema) {
      TESSERA_ASSIGN_OR_RETURN(schema, decode_table_line(t));
      return Status::ok();
    }
    if (t[0] == "column" && schema) {
      TESSERA_ASSIGN_OR_RETURN(auto column, decode_column_line(t));
      schema->columns.push_back(std::move(column));
      return Status::ok();
    }
    return make_error(ErrorCode::kCorruption, "unexpected \"" + std::string(t[0]) + "\"");
  });
  if (!status.is_ok()) return status.error();
  if (!schema) return make_error(ErrorCode::kCorruption, "schema record has no table line");
  return *std::move(schema);
}

std::string encode_manifest(const Manifest& manifest) {
  std::string out(kMagicLine);
  out.push_back('\n');
  put(out, "wal_start");
  put(out, std::to_string(manifest.wal_start));
  out.push_back('\n');
  put(out, "next_file");
  put(out, std::to_string(manifest.next_file_number));
  out.push_back('\n');
  for (const TableSchema& schema : manifest.tables) append_schema(out, schema);
  for (const ManifestSegment& segment : manifest.segments) {
    put(out, "segment");
    put(out, escape(segment.table));
    put(out, std::to_string(segment.partition_start_ns));
    put(out, escape(segment.file_name));
    if (segment.is_sorted) put(out, "sorted");
    out.push_back('\n');
  }
  char crc[16];
  std::snprintf(crc, sizeof crc, "%08x", storage::crc32c(out));
  put(out, "crc");
  put(out, crc);
  out.push_back('\n');
  return out;
}

Result<Manifest> decode_manifest(std::string_view text) {
  // The last line is "crc xxxxxxxx\n": 13 bytes.
  constexpr size_t kCrcLineBytes = 13;
  if (text.size() < kCrcLineBytes || text.substr(text.size() - kCrcLineBytes, 4) != "crc " ||
      text.back() != '\n') {
    return make_error(ErrorCode::kCorruption, "manifest: missing or malformed crc line");
  }
  std::string_view body = text.substr(0, text.size() - kCrcLineBytes);
  std::string_view hex = text.substr(text.size() - kCrcLineBytes + 4, 8);
  uint32_t stored = 0;
  // Exactly as written: lower-case digits only, so that every byte of the line is checked.
  bool is_lower_hex = std::all_of(hex.begin(), hex.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  auto [ptr, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), stored, 16);
  if (!is_lower_hex || ec != std::errc() || ptr != hex.data() + hex.size()) {
    return make_error(ErrorCode::kCorruption,
                      "manifest: malformed crc \"" + std::string(hex) + "\"");
  }
  uint32_t computed = storage::crc32c(body);
  if (stored != computed) {
    char message[96];
    std::snprintf(message, sizeof message,
                  "manifest: checksum mismatch (stored %08x, computed %08x)", stored, computed);
    return make_error(ErrorCode::kCorruption, message);
  }
  Manifest manifest;
  bool saw_magic = false;
  Status status = for_each_line(body, [&](const std::vector<std::string_view>& t) -> Status {
    if (!saw_magic) {
      if (t.size() != 2 || t[0] != "tessera-manifest" || t[1] != "1") {
        return make_error(ErrorCode::kCorruption, "not a version 1 manifest");
      }
      saw_magic = true;
      return Status::ok();
    }
    if (t[0] == "wal_start" && t.size() == 2) {
      TESSERA_ASSIGN_OR_RETURN(manifest.wal_start, parse_number<uint64_t>(t[1], "wal_start"));
    } else if (t[0] == "next_file" && t.size() == 2) {
      TESSERA_ASSIGN_OR_RETURN(manifest.next_file_number,
                               parse_number<uint64_t>(t[1], "next_file"));
    } else if (t[0] == "table") {
      TESSERA_ASSIGN_OR_RETURN(auto schema, decode_table_line(t));
      manifest.tables.push_back(std::move(schema));
    } else if (t[0] == "column" && !manifest.tables.empty()) {
      TESSERA_ASSIGN_OR_RETURN(auto column, decode_column_line(t));
      manifest.tables.back().columns.push_back(std::move(column));
    } else if (t[0] == "segment" && (t.size() == 4 || (t.size() == 5 && t[4] == "sorted"))) {
      ManifestSegment segment;
      TESSERA_ASSIGN_OR_RETURN(segment.table, unescape(t[1]));
      TESSERA_ASSIGN_OR_RETURN(segment.partition_start_ns,
                               parse_number<int64_t>(t[2], "partition"));
      TESSERA_ASSIGN_OR_RETURN(segment.file_name, unescape(t[3]));
      segment.is_sorted = t.size() == 5;
      if (segment.file_name.find('/') != std::string::npos || segment.file_name.empty()) {
        return make_error(ErrorCode::kCorruption, "bad segment file name");
      }
      manifest.segments.push_back(std::move(segment));
    } else {
      return make_error(ErrorCode::kCorruption, "unexpected \"" + std::string(t[0]) + "\"");
    }
    return Status::ok();
  });
  if (!status.is_ok()) return make_error(ErrorCode::kCorruption, "manifest: " + status.message());
  if (!saw_magic) return make_error(ErrorCode::kCorruption, "manifest: empty");
  return manifest;
}

}  // namespace tessera::engine
