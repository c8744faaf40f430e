#include "query/create_table_parser.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "query/literal_values.h"

namespace tessera::query::detail {
namespace {

Result<engine::ColumnDef> parse_column_type(TokenStream& tokens, std::string name) {
  using engine::ColumnKind;
  using storage::ColumnType;
  struct TypeName {
    std::string_view word;
    ColumnKind kind;
    ColumnType type;
  };
  static constexpr std::array<TypeName, 5> kTypes = {{
      {"TAG", ColumnKind::kTag, ColumnType::kString},
      {"INT", ColumnKind::kField, ColumnType::kInt64},
      {"FLOAT", ColumnKind::kField, ColumnType::kFloat64},
      {"BOOL", ColumnKind::kField, ColumnType::kBool},
      {"STRING", ColumnKind::kField, ColumnType::kString},
  }};
  for (const TypeName& type : kTypes) {
    if (tokens.accept_keyword(type.word))
      return engine::ColumnDef{std::move(name), type.kind, type.type};
  }
  if (tokens.at(TokenKind::kWord)) {
    return tokens.syntax_error(tokens.current(),
                               "unknown type '" + describe_token(tokens.current()) +
                                   "' (expected TAG, INT, FLOAT, BOOL or STRING)");
  }
  return tokens.syntax_error(tokens.current(), "expected column type");
}

// dedup = (column, ..., time): `time` is required and implied, so it is dropped.
Status parse_dedup(TokenStream& tokens, const Token& option, engine::TableOptions& options,
                   std::vector<size_t>& offsets) {
  TESSERA_RETURN_IF_ERROR(
      tokens.expect(TokenKind::kLeftParen, "'(' (dedup = (column, ..., time))"));
  bool has_time = false;
  do {
    const size_t offset = tokens.current().offset;
    TESSERA_ASSIGN_OR_RETURN(std::string name, tokens.parse_identifier("column name"));
    const bool is_duplicate = (name == "time" && has_time) ||
                              std::find(options.dedup_columns.begin(), options.dedup_columns.end(),
                                        name) != options.dedup_columns.end();
    if (is_duplicate) {
      return error_at(ErrorCode::kInvalidInput, offset, "duplicate dedup column '" + name + "'");
    }
    if (name == "time") {
      has_time = true;
    } else {
      options.dedup_columns.push_back(std::move(name));
      offsets.push_back(offset);
    }
  } while (tokens.accept(TokenKind::kComma));
  TESSERA_RETURN_IF_ERROR(tokens.expect(TokenKind::kRightParen, "',' or ')'"));
  if (!has_time) return tokens.syntax_error(option, "dedup key must include time");
  if (options.dedup_columns.empty()) {
    return error_at(ErrorCode::kInvalidInput, option.offset,
                    "dedup key needs at least one tag column besides time");
  }
  return Status::ok();
}

}  // namespace

Result<CreateTableStmt> parse_create_table(TokenStream& tokens) {
  CreateTableStmt create;
  engine::TableSchema& schema = create.schema;
  TESSERA_ASSIGN_OR_RETURN(schema.name, tokens.parse_identifier("table name"));
  schema.columns.push_back({"time", engine::ColumnKind::kTime, storage::ColumnType::kInt64});
  std::vector<size_t> declared_offsets(1, 0);  // parallel to schema.columns

  if (tokens.accept(TokenKind::kLeftParen)) {
    do {
      const size_t offset = tokens.current().offset;
      TESSERA_ASSIGN_OR_RETURN(std::string name, tokens.parse_identifier("column name"));
      if (name == "time") {
        return error_at(ErrorCode::kInvalidInput, offset,
                        "column 'time' is implicit and cannot be declared");
      }
      if (schema.find(name) != nullptr) {
        return error_at(ErrorCode::kInvalidInput, offset, "duplicate column '" + name + "'");
      }
      TESSERA_ASSIGN_OR_RETURN(engine::ColumnDef column,
                               parse_column_type(tokens, std::move(name)));
      schema.columns.push_back(std::move(column));
      declared_offsets.push_back(offset);
    } while (tokens.accept(TokenKind::kComma));
    TESSERA_RETURN_IF_ERROR(tokens.expect(TokenKind::kRightParen, "',' or ')'"));
  }

  // Where each option was written, for errors found after the whole list is read.
  std::optional<size_t> tenant_offset;
  std::vector<size_t> dedup_offsets;
  if (tokens.accept_keyword("WITH")) {
    TESSERA_RETURN_IF_ERROR(tokens.expect(TokenKind::kLeftParen, "'(' after WITH"));
    bool seen[4] = {false, false, false, false};
    do {
      if (!tokens.at(TokenKind::kWord))
        return tokens.syntax_error(tokens.current(), "expected option name");
      const Token option = tokens.current();
      static constexpr std::array<std::string_view, 4> kOptions = {"TENANT", "DEDUP", "PARTITION",
                                                                   "RETENTION"};
      size_t index = 0;
      while (index < kOptions.size() && !is_keyword(option, kOptions[index])) ++index;
      if (index == kOptions.size()) {
        return tokens.syntax_error(option,
                                   "unknown option '" + describe_token(option) +
                                       "' (expected tenant, dedup, partition or retention)");
      }
      if (seen[index]) {
        return error_at(ErrorCode::kInvalidInput, option.offset,
                        "duplicate option '" + to_lower(option.text) + "'");
      }
      seen[index] = true;
      tokens.advance();
      TESSERA_RETURN_IF_ERROR(tokens.expect(TokenKind::kEqual, "'='"));
      switch (index) {
        case 0: {
          if (tokens.accept_keyword("NONE")) {
            schema.options.tenant_column.reset();
          } else {
            tenant_offset = tokens.current().offset;
            TESSERA_ASSIGN_OR_RETURN(schema.options.tenant_column,
                                     tokens.parse_identifier("tenant column name or none"));
          }
          break;
        }
        case 1:
          TESSERA_RETURN_IF_ERROR(parse_dedup(tokens, option, schema.options, dedup_offsets));
          break;
        case 2: {
          TESSERA_ASSIGN_OR_RETURN(schema.options.partition_ns,
                                   parse_positive_interval(tokens, "partition"));
          break;
        }
        default: {
          TESSERA_ASSIGN_OR_RETURN(schema.options.retention_ns,
                                   parse_positive_interval(tokens, "retention"));
          break;
        }
      }
    } while (tokens.accept(TokenKind::kComma));
    TESSERA_RETURN_IF_ERROR(tokens.expect(TokenKind::kRightParen, "',' or ')'"));
  }

  // A declared tenant or dedup column must be a tag; an undeclared one is created
  // as a tag on first write.
  const auto declared_offset = [&](const engine::ColumnDef* column) {
    return declared_offsets[static_cast<size_t>(column - schema.columns.data())];
  };
  if (schema.options.tenant_column) {
    const engine::ColumnDef* column = schema.find(*schema.options.tenant_column);
    if (column != nullptr && column->kind != engine::ColumnKind::kTag) {
      return error_at(ErrorCode::kInvalidInput,
                      tenant_offset ? *tenant_offset : declared_offset(column),
                      "tenant column '" + column->name + "' must be a TAG");
    }
  }
  for (size_t i = 0; i < schema.options.dedup_columns.size(); ++i) {
    const engine::ColumnDef* column = schema.find(schema.options.dedup_columns[i]);
    if (column != nullptr && column->kind != engine::ColumnKind::kTag) {
      return error_at(ErrorCode::kInvalidInput, dedup_offsets[i],
                      "dedup column '" + column->name + "' must be a TAG");
    }
  }
  return create;
}

}  // namespace tessera::query::detail
