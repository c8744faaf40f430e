// Randomized and damage tests of the parser: whatever the bytes, parse_statement
// returns a statement or an error with a column inside the statement, never
// crashes or hangs (run under ASan/UBSan). Plus a differential test: random
// expression trees printed with full parentheses must parse back to the same tree.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "query/parser.h"
#include "tests/query/ast_sexpr.h"

namespace tessera::query {
namespace {

constexpr uint64_t kSeed = 20261122;

const std::vector<std::string>& sample_queries() {
  static const std::vector<std::string> queries = {
      "SELECT sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE tenant = 'ws_0000' AND "
      "time >= '2025-01-16' AND time < '2025-02-15' GROUP BY time(1d)",
      "SELECT entity_id, sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE time >= "
      "'2025-02-08' AND time < '2025-02-15' GROUP BY entity_id HAVING sum(spend) >= 100 ORDER BY "
      "roas DESC, entity_id LIMIT 10",
      "SELECT count(*) AS total_jobs, 100.0 * count_if(status = 'completed') / "
      "count_if(status IN ('completed', 'failed', 'provider_expired')) AS success_rate_pct, "
      "percentile(lifecycle_seconds, 0.95) AS p95_lifecycle FROM tryon_job GROUP BY tenant",
      "SELECT avg(lifecycle_seconds) FILTER (WHERE status = 'completed') FROM tryon_job WHERE "
      "time >= now() - 30d",
      "SELECT median(x) FROM t GROUP BY time(1d, 'Europe/Paris'), shop",
      "CREATE TABLE ad_snapshot (tenant TAG, entity_id TAG, spend FLOAT, impressions INT) WITH "
      "(dedup = (tenant, entity_id, time), retention = 400d)",
      "EXPLAIN SELECT \"a \"\"b\", count(DISTINCT x) FROM t WHERE NOT a IS NOT NULL OR b NOT IN "
      "(-1, 2.5e3, 'it''s') LIMIT 5;",
  };
  return queries;
}

// Checks what every answer must satisfy: each node's text is the statement's bytes
// at its column; each error is one of the parser's codes and points inside the text.
class InvariantChecker {
 public:
  explicit InvariantChecker(std::string_view statement) : statement_(statement) {}

  void check(const Result<Statement>& result) {
    if (!result.is_ok()) {
      check_error(result.error());
      return;
    }
    std::visit([this](const auto& statement) { check_statement(statement); }, *result);
  }

 private:
  void check_error(const Error& error) {
    const ErrorCode code = error.code;
    ASSERT_TRUE(code == ErrorCode::kSyntax || code == ErrorCode::kInvalidInput ||
                code == ErrorCode::kLimitExceeded)
        << error.message;
    if (error.message.rfind("statement is ", 0) == 0) return;
    ASSERT_EQ(error.message.rfind("at column ", 0), 0u) << error.message;
    const int column = std::stoi(error.message.substr(10));
    EXPECT_GE(column, 1) << error.message;
    EXPECT_LE(static_cast<size_t>(column), statement_.size() + 1) << error.message;
  }

  void check_expr(const Expr& expr) {
    ASSERT_GE(expr.column, 1);
    ASSERT_FALSE(expr.text.empty());
    ASSERT_EQ(statement_.substr(static_cast<size_t>(expr.column - 1), expr.text.size()), expr.text);
    std::visit([this](const auto& node) { check_children(node); }, expr.node);
  }
  void check_children(const LiteralExpr&) {}
  void check_children(const IntervalExpr&) {}
  void check_children(const ColumnRefExpr&) {}
  void check_children(const CallExpr& call) {
    for (const ExprPtr& arg : call.args) check_expr(*arg);
    if (call.filter) check_expr(*call.filter);
  }
  void check_children(const UnaryExpr& unary) { check_expr(*unary.operand); }
  void check_children(const BinaryExpr& binary) {
    check_expr(*binary.left);
    check_expr(*binary.right);
  }
  void check_children(const InExpr& in) {
    check_expr(*in.operand);
    ASSERT_FALSE(in.list.empty());
    for (const ExprPtr& item : in.list) check_expr(*item);
  }
  void check_children(const IsNullExpr& is_null) { check_expr(*is_null.operand); }

  void check_statement(const SelectStmt& select) {
    ASSERT_FALSE(select.items.empty());
    for (const SelectItem& item : select.items) {
      if (item.is_star) continue;
      ASSERT_NE(item.expr, nullptr);
      check_expr(*item.expr);
      EXPECT_EQ(item.output_name, item.alias ? *item.alias : item.expr->text);
    }
    if (select.where) check_expr(*select.where);
    if (select.having) check_expr(*select.having);
    for (const OrderItem& item : select.order_by) check_expr(*item.expr);
    if (select.limit) {
      EXPECT_GE(*select.limit, 0);
    }
  }
  void check_statement(const ExplainStmt& explain) { check_statement(explain.select); }
  void check_statement(const CreateTableStmt& create) {
    ASSERT_FALSE(create.schema.columns.empty());
    EXPECT_EQ(create.schema.columns[0].name, "time");
    EXPECT_GT(create.schema.options.partition_ns, 0);
  }
  void check_statement(const ShowTablesStmt&) {}
  void check_statement(const DescribeStmt& describe) { EXPECT_FALSE(describe.table.empty()); }

  std::string_view statement_;
};

void parse_and_check(std::string_view text) { InvariantChecker(text).check(parse_statement(text)); }

TEST(ParserRandomTest, SampleQueriesParse) {
  for (const std::string& query : sample_queries()) {
    SCOPED_TRACE(query);
    const Result<Statement> statement = parse_statement(query);
    ASSERT_TRUE(statement.is_ok()) << statement.status().to_string();
    InvariantChecker(query).check(statement);
  }
}

TEST(ParserRandomTest, EveryPrefixParsesOrFails) {
  for (const std::string& query : sample_queries()) {
    for (size_t length = 0; length <= query.size(); ++length) {
      SCOPED_TRACE(query.substr(0, length));
      parse_and_check(std::string_view(query).substr(0, length));
    }
  }
}

TEST(ParserRandomTest, EveryOneByteChangeParsesOrFails) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 random(kSeed);
  const std::string interesting = std::string("'\"(-a\xFF") + std::string(1, '\0');
  for (const std::string& query : sample_queries()) {
    for (size_t position = 0; position < query.size(); ++position) {
      std::string changed = query;
      for (const char replacement : interesting) {
        changed[position] = replacement;
        SCOPED_TRACE(changed);
        parse_and_check(changed);
      }
      changed[position] = static_cast<char>(random() & 0xFF);
      SCOPED_TRACE(changed);
      parse_and_check(changed);
      // Deleting the byte shifts every later column: the checker still holds.
      parse_and_check(query.substr(0, position) + query.substr(position + 1));
    }
  }
}

TEST(ParserRandomTest, RandomBytesParseOrFail) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 random(kSeed);
  for (int i = 0; i < 20'000; ++i) {
    std::string text(random() % 64, '\0');
    const bool is_printable = (i % 2) == 0;
    for (char& c : text) {
      c = is_printable ? static_cast<char>(' ' + random() % 95)
                       : static_cast<char>(random() & 0xFF);
    }
    SCOPED_TRACE(text);
    parse_and_check(text);
  }
}

TEST(ParserRandomTest, RandomTokenSoupParsesOrFails) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  static const char* const kTokens[] = {
      "SELECT",
      "select",
      "FROM",
      "WHERE",
      "GROUP",
      "BY",
      "HAVING",
      "ORDER",
      "LIMIT",
      "AS",
      "ASC",
      "DESC",
      "AND",
      "OR",
      "NOT",
      "IN",
      "IS",
      "NULL",
      "TRUE",
      "false",
      "DISTINCT",
      "FILTER",
      "EXPLAIN",
      "CREATE",
      "TABLE",
      "WITH",
      "SHOW",
      "TABLES",
      "DESCRIBE",
      "TAG",
      "INT",
      "FLOAT",
      "BOOL",
      "STRING",
      "tenant",
      "dedup",
      "partition",
      "retention",
      "none",
      "time",
      "now",
      "count",
      "sum",
      "t",
      "x",
      "\"q\"\"id\"",
      "\"",
      "'",
      "'str'",
      "'it''s'",
      "0",
      "1",
      "42",
      "9223372036854775807",
      "9223372036854775808",
      "1.5",
      "2e3",
      "1e999",
      "15m",
      "30d",
      "1w",
      "0s",
      "99999999999999w",
      "15ms",
      "(",
      ")",
      ",",
      ";",
      "*",
      "+",
      "-",
      "/",
      "=",
      "!=",
      "<>",
      "<",
      "<=",
      ">",
      ">=",
      "!",
      ".",
      "\xC3\xA9",
      "\xFF",
      "'\xFF'",
  };
  constexpr size_t kTokenCount = sizeof(kTokens) / sizeof(kTokens[0]);
  std::mt19937_64 random(kSeed);
  for (int i = 0; i < 30'000; ++i) {
    std::string text;
    // Half the soups start like a real statement so the parser gets past the first word.
    if (i % 2 == 0) text = (i % 4 == 0) ? "SELECT " : "CREATE TABLE t ";
    const size_t count = random() % 30;
    for (size_t j = 0; j < count; ++j) {
      text += kTokens[random() % kTokenCount];
      if (random() % 4 != 0) text += ' ';
    }
    SCOPED_TRACE(text);
    parse_and_check(text);
  }
}

// ---- differential: random trees, fully parenthesised -----------------------------------

struct Generated {
  std::string sql;
  std::string sexpr;
};

class ExpressionGenerator {
 public:
  explicit ExpressionGenerator(uint64_t seed) : random_(seed) {}

  Generated generate(int depth) {
    if (depth == 0 || random_() % 4 == 0) return leaf();
    switch (random_() % 8) {
      case 0: {
        static const char* const kOps[][2] = {
            {"+", "+"},   {"-", "-"}, {"*", "*"},     {"/", "/"},   {"=", "="},   {"<>", "!="},
            {"<=", "<="}, {">", ">"}, {"AND", "and"}, {"or", "or"}, {"!=", "!="}, {">=", ">="}};
        const auto& op = kOps[random_() % 12];
        const Generated left = generate(depth - 1);
        const Generated right = generate(depth - 1);
        return {"(" + left.sql + " " + op[0] + " " + right.sql + ")",
                "(" + std::string(op[1]) + " " + left.sexpr + " " + right.sexpr + ")"};
      }
      case 1: {
        const Generated operand = generate(depth - 1);
        return {"(NOT " + operand.sql + ")", "(not " + operand.sexpr + ")"};
      }
      case 2: {
        const Generated operand = generate(depth - 1);
        // A minus before a number is folded into the literal.
        if (operand.sql.find_first_not_of("0123456789") == std::string::npos) {
          return {"(-" + operand.sql + ")", std::to_string(-std::stoll(operand.sql))};
        }
        return {"(-" + operand.sql + ")", "(neg " + operand.sexpr + ")"};
      }
      case 3: {
        const Generated operand = generate(depth - 1);
        const bool is_negated = random_() % 2 == 0;
        Generated out{"(" + operand.sql + (is_negated ? " NOT IN (" : " IN ("),
                      (is_negated ? "(not-in " : "(in ") + operand.sexpr};
        const int count = 1 + static_cast<int>(random_() % 3);
        for (int i = 0; i < count; ++i) {
          const Generated item = generate(depth - 1);
          out.sql += (i == 0 ? "" : ", ") + item.sql;
          out.sexpr += " " + item.sexpr;
        }
        out.sql += "))";
        out.sexpr += ")";
        return out;
      }
      case 4: {
        const Generated operand = generate(depth - 1);
        const bool is_negated = random_() % 2 == 0;
        return {"(" + operand.sql + (is_negated ? " IS NOT NULL)" : " IS NULL)"),
                (is_negated ? "(is-not-null " : "(is-null ") + operand.sexpr + ")"};
      }
      default: {
        static const char* const kNames[] = {"sum", "Count", "percentile", "f"};
        const std::string name = kNames[random_() % 4];
        std::string lower = name;
        lower[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[0])));
        Generated out{name + "(", "(" + lower};
        const int count = static_cast<int>(random_() % 3);
        for (int i = 0; i < count; ++i) {
          const Generated arg = generate(depth - 1);
          out.sql += (i == 0 ? "" : ", ") + arg.sql;
          out.sexpr += " " + arg.sexpr;
        }
        out.sql += ")";
        if (random_() % 4 == 0) {
          const Generated filter = generate(depth - 1);
          out.sql += " FILTER (WHERE " + filter.sql + ")";
          out.sexpr += " :filter " + filter.sexpr;
        }
        out.sexpr += ")";
        return out;
      }
    }
  }

 private:
  Generated leaf() {
    switch (random_() % 6) {
      case 0: {
        const std::string n = std::to_string(random_() % 1000);
        return {n, n};
      }
      case 1: {
        const std::string digit = std::to_string(random_() % 10);
        return {"'v''" + digit + "'", "'v'" + digit + "'"};
      }
      case 2:
        return {"12h", "(ivl 12h 43200000000000)"};
      case 3:
        return {"NULL", "NULL"};
      case 4:
        return {"\"col \"\"x\"\"\"", "col \"x\""};
      default: {
        static const char* const kColumns[] = {"spend", "Tenant", "time", "x_1"};
        const std::string name = kColumns[random_() % 4];
        return {name, name};
      }
    }
  }

  std::mt19937_64 random_;
};

TEST(ParserRandomTest, FullyParenthesisedRandomExpressionsRoundTrip) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  ExpressionGenerator generator(kSeed);
  for (int i = 0; i < 3'000; ++i) {
    const Generated expected = generator.generate(5);
    const std::string text = "SELECT " + expected.sql + " FROM t";
    SCOPED_TRACE(text);
    const Result<Statement> statement = parse_statement(text);
    ASSERT_TRUE(statement.is_ok()) << statement.status().to_string();
    InvariantChecker(text).check(statement);
    const auto& select = std::get<SelectStmt>(*statement);
    ASSERT_EQ(select.items.size(), 1u);
    EXPECT_EQ(testing::sexpr(*select.items[0].expr), expected.sexpr);
    EXPECT_EQ(select.items[0].output_name, expected.sql);
  }
}

}  // namespace
}  // namespace tessera::query
